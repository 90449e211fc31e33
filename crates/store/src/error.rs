//! The store's one error type. Every variant has a stable code for the UI and
//! a message a person can act on.

use claimdesk_core::workflow::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("this store was written by a newer ClaimDesk (schema {found}, this program knows up to {supported}); update ClaimDesk before opening it")]
    TooNew { found: i64, supported: i64 },
    #[error("{0} was not found")]
    NotFound(String),
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Intake(#[from] claimdesk_intake::IntakeError),
    #[error("{0}")]
    Policy(#[from] claimdesk_core::policy::PolicyError),
    #[error("{0}")]
    Invalid(String),
    #[error("there is no incident '{0}' in this store; choose one of the incidents listed by `claimdesk incident list`")]
    UnknownIncident(String),
    #[error("the incident cannot be used: {0}")]
    BadIncident(String),
    #[error("{waiting} claims of payout {payout_id} are not yet reserved on the sync server; sync while online, then confirm")]
    PayoutNotReserved { payout_id: i64, waiting: i64 },
    #[error("claims left payout {payout_id} after its file was written (another payout reserved them first); write the file again (payout file {payout_id}) and send that one")]
    PayoutFileOutdated { payout_id: i64 },
    #[error("the user name or the password is not right")]
    SignIn,
    #[error("claim {claim} changed since you opened it (you saw version {seen}, it is now {now}); look at it again and retry")]
    Stale { claim: String, seen: i64, now: i64 },
    #[error("the work was cancelled; nothing was changed")]
    Cancelled,
    #[error("the audit chain is broken at entry {seq} (op {op_id}): {why}")]
    AuditBroken { seq: i64, op_id: String, why: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("could not write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("stored data could not be read: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// A stable code the UI and scripts can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::TooNew { .. } => "STORE_TOO_NEW",
            StoreError::NotFound(_) => "NOT_FOUND",
            StoreError::Refused(r) => r.code(),
            StoreError::Intake(e) => e.code(),
            StoreError::Policy(e) => e.code(),
            StoreError::Invalid(_) => "INVALID",
            StoreError::UnknownIncident(_) => "UNKNOWN_INCIDENT",
            StoreError::BadIncident(_) => "BAD_INCIDENT",
            StoreError::PayoutNotReserved { .. } => "PAYOUT_NOT_RESERVED_YET",
            StoreError::PayoutFileOutdated { .. } => "PAYOUT_FILE_OUTDATED",
            StoreError::SignIn => "SIGN_IN_FAILED",
            StoreError::Stale { .. } => "STALE",
            StoreError::Cancelled => "CANCELLED",
            StoreError::AuditBroken { .. } => "AUDIT_BROKEN",
            StoreError::Sqlite(_) => "DATABASE",
            StoreError::Io(_) => "IO",
            StoreError::Xlsx(_) | StoreError::Csv(_) => "EXPORT",
            StoreError::Json(_) => "CORRUPT",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
