//! `send.csv`: one line per notice for a bulk 알림톡/SMS sender: the claim,
//! the phone number, the template code registered with the provider, and
//! the template's variables as a JSON object. UTF-8 with a BOM (a
//! spreadsheet shows the Korean), every cell formula-safe.

use std::io::Write;

use claimdesk_core::notice::SmsLine;
use claimdesk_intake::csv_record;

use crate::NoticeError;

/// The header of `send.csv`.
pub const COLUMNS: [&str; 4] = ["claim_id", "phone", "template_code", "variables"];

/// Writes the header of a new `send.csv`.
pub fn write_header(out: &mut dyn Write) -> Result<(), NoticeError> {
    out.write_all("\u{feff}".as_bytes())?;
    out.write_all(csv_record(COLUMNS).as_bytes())?;
    Ok(())
}

/// Writes one line.
pub fn write_line(out: &mut dyn Write, line: &SmsLine) -> Result<(), NoticeError> {
    let variables = serde_json::to_string(&line.variables).map_err(|e| NoticeError::Pdf(e.to_string()))?;
    out.write_all(csv_record([&*line.claim_id, &*line.phone, &*line.template, &*variables]).as_bytes())?;
    Ok(())
}
