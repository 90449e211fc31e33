//! Sending every notice an incident owes, as `claimdesk notice export` and
//! the app's Notices screen do: one PDF per claim (`<접수번호>.pdf`), the
//! bulk 알림톡/SMS file (`send.csv`), an e-mail to each claimant with an
//! address when SMTP is configured, and each notice recorded on the claim
//! (`claim.notify`) with the channels it actually went by.
//!
//! Page by page (200 claims): letters are read, laid out and written as
//! `<id>.pdf.part`, e-mails sent, then the page's notices are recorded in one
//! transaction; a notice the rules refuse (sent meanwhile from another
//! desktop, a decision changed since its letter was read) loses its file and
//! its SMS line and is reported, so the folder holds exactly what was recorded.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use claimdesk_core::message::{Explain, Message};
use claimdesk_core::{msg, Actor, Catalog, NoticeChannel};
use claimdesk_store::batches::ClaimRefusal;
use claimdesk_store::notices::SentNotice;
use claimdesk_store::Store;
use serde::Serialize;

use crate::mail::{Mailer, SmtpConfig};
use crate::{pdf, sms, NoticeError};

/// Claims read, laid out and recorded per transaction.
const PAGE: u32 = 200;

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    pub out_dir: PathBuf,
    /// The incident (the current one when None).
    pub incident: Option<String>,
    /// Send e-mails too (claims with an address).
    pub smtp: Option<SmtpConfig>,
}

/// A claim whose e-mail could not be sent (its letter and SMS line were).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MailProblem {
    pub claim_id: String,
    pub message: Message,
}

/// What an export did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    /// Notices recorded as sent (each with a PDF in the folder).
    pub recorded: u64,
    pub sms_lines: u64,
    pub emails: u64,
    /// Notices the rules refused when they were recorded (nothing of them is left in the folder).
    pub refused: Vec<ClaimRefusal>,
    pub mail_problems: Vec<MailProblem>,
    /// Claims whose e-mail column held something that is not an address.
    pub malformed_emails: Vec<String>,
    /// Stopped by the person before every notice was done.
    pub cancelled: bool,
}

/// Progress: notices done so far and how many were due when the export started.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64) -> bool;

/// Exports every notice the incident's claims owe into `opts.out_dir`.
/// `progress` is told after each page and stops the export by returning false.
pub fn export_due(
    store: &mut Store,
    actor: &Actor,
    opts: &ExportOptions,
    progress: Progress<'_>,
) -> Result<ExportReport, NoticeError> {
    let incident = opts.incident.as_deref();
    let total = store.notice_counts(actor, incident)?.due;
    let catalog = store.incident_catalog(incident)?;
    let mailer = opts.smtp.as_ref().map(Mailer::new).transpose()?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| NoticeError::Folder(opts.out_dir.clone(), e))?;
    let send_path = opts.out_dir.join("send.csv");
    if send_path.exists() {
        return Err(NoticeError::SendFileExists(send_path));
    }
    let mut send =
        BufWriter::new(File::create(&send_path).map_err(|e| NoticeError::Folder(send_path.clone(), e))?);
    sms::write_header(&mut send)?;
    let mut report = ExportReport::default();
    let mut after = 0;
    loop {
        let page = store.letters_due(actor, incident, after, PAGE)?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        let mut written = Vec::with_capacity(page.len());
        for (_, letter) in &page {
            written.push(prepare(&catalog, letter, &opts.out_dir, mailer.as_ref(), &mut report)?);
        }
        let sent: Vec<SentNotice> = written
            .iter()
            .map(|w| SentNotice {
                claim_id: w.claim_id.clone(),
                version: w.version,
                channels: w.channels.clone(),
                lang: w.lang,
                resend: false,
            })
            .collect();
        let applied = store.record_notices(actor, sent)?;
        for w in written {
            if applied.refused.iter().any(|r| r.external_id == w.claim_id) {
                let _ = std::fs::remove_file(&w.part);
                continue;
            }
            std::fs::rename(&w.part, &w.pdf).map_err(|e| NoticeError::Folder(w.pdf.clone(), e))?;
            if let Some(line) = &w.sms {
                sms::write_line(&mut send, line)?;
                report.sms_lines += 1;
            }
            report.recorded += 1;
            report.emails += u64::from(w.channels.contains(&NoticeChannel::Email));
        }
        report.refused.extend(applied.refused);
        send.flush()?;
        if !progress(report.recorded + report.refused.len() as u64, total) {
            report.cancelled = true;
            break;
        }
    }
    send.flush()?;
    Ok(report)
}

/// One letter laid out and written aside, and e-mailed.
struct Written {
    claim_id: String,
    version: i64,
    lang: claimdesk_core::message::Lang,
    channels: Vec<NoticeChannel>,
    part: PathBuf,
    pdf: PathBuf,
    sms: Option<claimdesk_core::notice::SmsLine>,
}

fn prepare(
    catalog: &Catalog,
    letter: &claimdesk_core::notice::Letter,
    dir: &Path,
    mailer: Option<&Mailer>,
    report: &mut ExportReport,
) -> Result<Written, NoticeError> {
    let text = letter.text(catalog).ok_or_else(|| NoticeError::NoTemplate(letter.kind.code().to_string()))?;
    let bytes = pdf::letter_pdf(&text, letter.lang)?;
    let file = crate::file_name(&letter.claim_id);
    let pdf = dir.join(format!("{file}.pdf"));
    let part = dir.join(format!("{file}.pdf.part"));
    std::fs::write(&part, &bytes).map_err(|e| NoticeError::Folder(part.clone(), e))?;
    let mut channels = vec![NoticeChannel::Pdf];
    let sms = letter.sms();
    if sms.is_some() {
        channels.push(NoticeChannel::Sms);
    }
    if mailer.is_some() && letter.bad_email.is_some() {
        report.malformed_emails.push(letter.claim_id.clone());
    }
    if let (Some(mailer), Some(to)) = (mailer, letter.email.as_deref()) {
        match mailer.send(to, &text, &letter.claim_id, &bytes) {
            Ok(()) => channels.push(NoticeChannel::Email),
            Err(e) => {
                tracing::warn!(claim = %letter.claim_id, error = %e, "notice e-mail not sent");
                report
                    .mail_problems
                    .push(MailProblem { claim_id: letter.claim_id.clone(), message: e.message() });
            }
        }
    }
    Ok(Written {
        claim_id: letter.claim_id.clone(),
        version: letter.version,
        lang: letter.lang,
        channels,
        part,
        pdf,
        sms,
    })
}

impl ExportReport {
    /// One line for people: what was sent, by which channel, what was not.
    pub fn summary(&self) -> Message {
        msg!(
            "notice.exported",
            recorded = self.recorded,
            sms = self.sms_lines,
            emails = self.emails,
            refused = self.refused.len(),
            mail_problems = self.mail_problems.len()
        )
    }
}
