//! The status feed: what a call centre or a chatbot may tell a claimant who
//! asks "where is my claim?" (issue 12: status feed). One line per claim of
//! an incident: its 접수번호, the name masked, the status and the next step in
//! the reader's language, and the due date of an open request. Streamed row
//! by row, so a million claims never sit in memory.

use std::io::Write;
use std::path::Path;

use claimdesk_core::mask::mask_name;
use claimdesk_core::message::Lang;
use claimdesk_core::workflow::AdminAction;
use claimdesk_core::{msg, Actor, ClaimStatus};
use claimdesk_intake::csv_record;
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::Store;

/// One claim as the feed shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeedRow {
    pub claim_id: String,
    pub name_masked: String,
    /// The status code (stable, for machines).
    pub status: String,
    /// The status as a claimant is told it.
    pub status_text: String,
    pub next_step: String,
    /// The due date (KST, YYYY-MM-DD) of the request the claimant must answer
    /// (needs_info: the request's own due date moved by the window's extension,
    /// the date its notice states: crate::cure); None while nothing is due.
    pub due_date: Option<String>,
}

/// The file's format, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Csv,
    Json,
}

impl FeedFormat {
    pub fn of_path(path: &Path) -> Result<FeedFormat> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Ok(FeedFormat::Csv),
            Some("json") => Ok(FeedFormat::Json),
            _ => Err(StoreError::Invalid(msg!("store.feed_format", file = path.display()))),
        }
    }
}

const COLUMNS: [&str; 6] = ["claim_id", "name_masked", "status", "status_text", "next_step", "due_date"];

/// The status and the next step as a claimant hears them. Every status has
/// its texts: the match makes a new status fail the build until it has them.
fn texts(status: ClaimStatus, lang: Lang) -> (String, String) {
    let next = match status {
        ClaimStatus::New => msg!("feed.next.new"),
        ClaimStatus::Triaged => msg!("feed.next.triaged"),
        ClaimStatus::InReview => msg!("feed.next.in_review"),
        ClaimStatus::NeedsInfo => msg!("feed.next.needs_info"),
        ClaimStatus::Recommended => msg!("feed.next.recommended"),
        ClaimStatus::Batched => msg!("feed.next.batched"),
        ClaimStatus::Approved => msg!("feed.next.approved"),
        ClaimStatus::Paid => msg!("feed.next.paid"),
        ClaimStatus::Fulfilled => msg!("feed.next.fulfilled"),
        ClaimStatus::ClosedDenied => msg!("feed.next.closed_denied"),
        ClaimStatus::ClosedNoDamage => msg!("feed.next.closed_no_damage"),
        ClaimStatus::Conflict => msg!("feed.next.conflict"),
    };
    // A sync conflict is the team's business: the claimant hears "in review".
    let shown = match status {
        ClaimStatus::Conflict => msg!("feed.status.conflict").render(lang),
        other => match lang {
            Lang::Ko => other.label_ko().to_string(),
            Lang::En => other.label_en().to_string(),
        },
    };
    (shown, next.render(lang))
}

/// What a written feed held.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeedSummary {
    pub claims: u64,
    pub incident: String,
}

impl Store {
    /// Writes the feed of an incident (the current one when None) to `out`.
    /// Supervisors and admins only: it leaves the desktop.
    pub fn write_status_feed(
        &mut self,
        actor: &Actor,
        incident: Option<&str>,
        format: FeedFormat,
        lang: Lang,
        out: &mut dyn Write,
    ) -> Result<FeedSummary> {
        self.require(actor, AdminAction::ExportStatusFeed, "status_feed")?;
        let incident = self.resolve_incident(incident)?;
        // A request's due date as its notice states it and the queue shows it
        // (the request's own, moved by the window's extension: crate::cure).
        let cure = crate::cure::window(self.conn(), &incident);
        let mut stmt = self.conn().prepare(&format!(
            "SELECT external_id, name, status, {due} FROM claims WHERE incident_id = ?1 ORDER BY external_id",
            due = crate::cure::effective_due_sql("?2")
        ))?;
        let mut rows =
            stmt.query(rusqlite::params![&incident, cure.extended_until.map(|d| d.to_string())])?;
        let mut claims = 0u64;
        match format {
            FeedFormat::Csv => {
                // A BOM, so a spreadsheet shows the Korean; every cell formula-safe.
                out.write_all("\u{feff}".as_bytes())?;
                out.write_all(csv_record(COLUMNS).as_bytes())?;
            }
            FeedFormat::Json => out.write_all(b"[")?,
        }
        while let Some(r) = rows.next()? {
            let code: String = r.get(2)?;
            let status = ClaimStatus::parse(&code)
                .ok_or_else(|| StoreError::Invalid(msg!("store.feed_status", status = &code)))?;
            let (status_text, next_step) = texts(status, lang);
            let row = FeedRow {
                claim_id: r.get(0)?,
                name_masked: mask_name(&r.get::<_, String>(1)?),
                status: code,
                status_text,
                next_step,
                due_date: r.get::<_, Option<String>>(3)?,
            };
            match format {
                FeedFormat::Csv => {
                    let cells: [&str; 6] = [
                        &row.claim_id,
                        &row.name_masked,
                        &row.status,
                        &row.status_text,
                        &row.next_step,
                        row.due_date.as_deref().unwrap_or(""),
                    ];
                    out.write_all(csv_record(cells).as_bytes())?;
                }
                FeedFormat::Json => {
                    if claims > 0 {
                        out.write_all(b",")?;
                    }
                    out.write_all(b"\n")?;
                    serde_json::to_writer(&mut *out, &row).map_err(std::io::Error::from)?;
                }
            }
            claims += 1;
        }
        if format == FeedFormat::Json {
            out.write_all(b"\n]\n")?;
        }
        out.flush()?;
        Ok(FeedSummary { claims, incident })
    }
}
