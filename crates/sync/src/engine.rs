//! One sync run, independent of HTTP and of SQLite: push the outbox in pages
//! and record the answers, then pull after the cursor page by page, each page
//! applied together with its cursor in one local transaction, until the
//! server has no more. Resumable and idempotent: a run cut anywhere (a
//! network error, a crash between applying and advancing the cursor) is
//! completed by the next one, which re-pushes unacknowledged ops (the server
//! answers `duplicate`) and re-pulls from the cursor (the store skips ops it
//! has).

use std::sync::atomic::{AtomicBool, Ordering};

use claimdesk_core::code_key;
use claimdesk_core::message::{for_code, Explain, Message};
use serde::Serialize;

use crate::protocol::{
    PullResponse, PushRequest, PushResponse, PushResult, WireOp, MAX_PAGE, MAX_PUSH_BYTES,
};

/// Why a sync stopped. `code()` is stable for the UI; the message is for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error(
        "cannot reach the sync server ({0}); your changes are kept and will be sent when the network is back"
    )]
    Offline(String),
    #[error("the server's certificate could not be verified: {0}")]
    Tls(String),
    #[error("the server did not accept your sign-in: {0}")]
    Unauthorized(String),
    #[error("the server refused: {0}")]
    Forbidden(String),
    #[error("this ClaimDesk is too old for the sync server ({0}); update ClaimDesk")]
    ProtocolTooOld(String),
    #[error("the sync server reported a problem [{code}]: {message}")]
    Server { status: u16, code: String, message: String },
    #[error("the sync server sent an answer this ClaimDesk cannot read: {0}")]
    BadResponse(String),
    #[error("the local store could not apply the sync [{code}]: {message}")]
    Local { code: String, message: String },
    #[error("the sync was cancelled; what was done so far is kept and the next sync continues from there")]
    Cancelled,
    #[error("{0}")]
    Config(String),
}

impl SyncError {
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Offline(_) => code_key!("SYNC_OFFLINE"),
            SyncError::Tls(_) => code_key!("SYNC_TLS"),
            SyncError::Unauthorized(_) => code_key!("SYNC_UNAUTHORIZED"),
            SyncError::Forbidden(_) => code_key!("SYNC_FORBIDDEN"),
            SyncError::ProtocolTooOld(_) => code_key!("SYNC_PROTOCOL_TOO_OLD"),
            SyncError::Server { .. } => code_key!("SYNC_SERVER"),
            SyncError::BadResponse(_) => code_key!("SYNC_BAD_RESPONSE"),
            SyncError::Local { .. } => code_key!("SYNC_LOCAL"),
            SyncError::Cancelled => code_key!("SYNC_CANCELLED"),
            SyncError::Config(_) => code_key!("SYNC_CONFIG"),
        }
    }

    /// Whether trying again later may succeed without anyone acting.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Offline(_) | SyncError::Server { status: 500..=599, .. })
    }
}

impl Explain for SyncError {
    /// The headline in the reader's language; what the network, the server or
    /// the store said stays as `detail` (they speak English).
    fn message(&self) -> Message {
        let m = for_code(self.code());
        match self {
            SyncError::Offline(d)
            | SyncError::Tls(d)
            | SyncError::Unauthorized(d)
            | SyncError::Forbidden(d)
            | SyncError::ProtocolTooOld(d)
            | SyncError::BadResponse(d)
            | SyncError::Config(d) => m.with("detail", d),
            SyncError::Server { code, message, .. } | SyncError::Local { code, message } => {
                m.with("code", code).with("detail", message)
            }
            SyncError::Cancelled => m,
        }
    }
}

/// How the server is reached (HTTPS in the app, an in-memory server in tests).
pub trait Transport {
    fn push(&mut self, request: &PushRequest) -> Result<PushResponse, SyncError>;
    fn pull(&mut self, after: i64, limit: usize) -> Result<PullResponse, SyncError>;
}

/// What the engine needs from the local store.
pub trait Replica {
    fn device_id(&self) -> String;
    /// Pending ops, oldest first, at most `limit`.
    fn outbox_page(&mut self, limit: usize) -> Result<Vec<WireOp>, SyncError>;
    /// Records the answers to a push; returns (accepted, duplicates, rejected op ids with reasons).
    fn record_push(&mut self, results: &[PushResult]) -> Result<PushTally, SyncError>;
    fn cursor(&mut self) -> Result<i64, SyncError>;
    /// Applies a pulled page and sets the cursor to `page.cursor`, in one transaction.
    fn apply_page(&mut self, page: &PullResponse) -> Result<PullTally, SyncError>;
    /// Called once at the end of a complete run.
    fn finished(&mut self, at_ms: i64) -> Result<(), SyncError>;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub op_id: String,
    pub kind: String,
    pub entity: String,
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PushTally {
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PullTally {
    pub applied: u64,
    pub duplicates: u64,
    /// Pulled ops refused here (clock too far ahead), with reasons.
    pub parked: Vec<Rejected>,
    /// Claims in conflict among those the page touched.
    pub in_conflict: Vec<String>,
}

/// What one run moved.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub pushed: u64,
    pub accepted: u64,
    pub push_duplicates: u64,
    pub rejected: Vec<Rejected>,
    pub pulled: u64,
    pub applied: u64,
    pub pull_duplicates: u64,
    pub parked: Vec<Rejected>,
    pub in_conflict: Vec<String>,
    pub cursor: i64,
    pub head: i64,
}

/// Where a run is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Progress {
    Push { pushed: u64 },
    Pull { cursor: i64, head: i64, pulled: u64 },
}

#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// Ops per push and pull page (at most [`MAX_PAGE`]).
    pub page: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions { page: MAX_PAGE }
    }
}

/// One complete sync: push everything pending, then pull until the server has no more.
pub fn run(
    replica: &mut dyn Replica,
    transport: &mut dyn Transport,
    options: SyncOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<SyncReport, SyncError> {
    let page = options.page.clamp(1, MAX_PAGE);
    let mut report = SyncReport::default();
    let device_id = replica.device_id();
    // Push. A page whose answers leave ops pending (a server that skipped
    // some) ends the push instead of sending the same page forever.
    let mut last_first: Option<String> = None;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(SyncError::Cancelled);
        }
        let mut ops = replica.outbox_page(page)?;
        let full = ops.len() >= page;
        let trimmed = within_push_bytes(&mut ops);
        let Some(first) = ops.first().map(|o| o.op_id.clone()) else { break };
        if last_first.as_deref() == Some(first.as_str()) {
            return Err(SyncError::BadResponse("the server did not answer for every op pushed".into()));
        }
        let n = ops.len();
        let response = transport.push(&PushRequest { device_id: device_id.clone(), ops })?;
        let tally = replica.record_push(&response.results)?;
        report.pushed += n as u64;
        report.accepted += tally.accepted;
        report.push_duplicates += tally.duplicates;
        report.rejected.extend(tally.rejected);
        progress(Progress::Push { pushed: report.pushed });
        last_first = Some(first);
        if !full && !trimmed {
            break;
        }
    }
    // Pull.
    let mut cursor = replica.cursor()?;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(SyncError::Cancelled);
        }
        let response = transport.pull(cursor, page)?;
        if response.cursor < cursor || (response.more && response.cursor == cursor) {
            return Err(SyncError::BadResponse(format!(
                "the server's cursor went from {cursor} to {} without progress",
                response.cursor
            )));
        }
        if response.ops.iter().any(|o| o.seq <= cursor || o.seq > response.cursor) {
            return Err(SyncError::BadResponse("the server sent ops outside the page it announced".into()));
        }
        let tally = replica.apply_page(&response)?;
        report.pulled += response.ops.len() as u64;
        report.applied += tally.applied;
        report.pull_duplicates += tally.duplicates;
        report.parked.extend(tally.parked);
        for c in tally.in_conflict {
            if !report.in_conflict.contains(&c) {
                report.in_conflict.push(c);
            }
        }
        cursor = response.cursor;
        report.head = response.head;
        progress(Progress::Pull { cursor, head: response.head, pulled: report.pulled });
        if !response.more {
            break;
        }
    }
    report.cursor = cursor;
    replica.finished(now_ms())?;
    Ok(report)
}

/// Keeps the first ops of a page whose push body stays within
/// [`MAX_PUSH_BYTES`] (at least one); says whether any were left for the next page.
fn within_push_bytes(ops: &mut Vec<WireOp>) -> bool {
    // The request's own fields and the commas between ops.
    let mut total = 1024usize;
    let mut keep = 0;
    for op in ops.iter() {
        let size = serde_json::to_vec(op).map(|v| v.len()).unwrap_or(0) + 1;
        if keep > 0 && total + size > MAX_PUSH_BYTES {
            break;
        }
        total += size;
        keep += 1;
    }
    let trimmed = keep < ops.len();
    ops.truncate(keep);
    trimmed
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(i: usize, body: usize) -> WireOp {
        WireOp {
            op_id: format!("00000000-0000-7000-8000-{i:012}"),
            hlc: 1,
            user: "kim".into(),
            device: "d".into(),
            entity: "claim:x".into(),
            kind: "claim.add_note".into(),
            payload: serde_json::json!({ "body": "가".repeat(body / 3) }),
            base: None,
            at_ms: 0,
        }
    }

    #[test]
    fn a_page_of_large_ops_is_cut_to_what_a_server_reads() {
        // 100 ops of about 250 KiB: 25 MB, more than a server reads in one push.
        let mut ops: Vec<WireOp> = (0..100).map(|i| op(i, 250 * 1024)).collect();
        assert!(within_push_bytes(&mut ops), "the rest is left for the next page");
        let body =
            serde_json::to_vec(&PushRequest { device_id: "d".into(), ops: ops.clone() }).expect("json");
        assert!(body.len() <= MAX_PUSH_BYTES, "{} bytes", body.len());
        assert!(ops.len() >= 60, "as many as fit: {}", ops.len());
        let mut small: Vec<WireOp> = (0..10).map(|i| op(i, 100)).collect();
        assert!(!within_push_bytes(&mut small));
        assert_eq!(small.len(), 10);
    }
}
