//! The store's one error type. Every variant has a stable code for the UI and
//! a message a person can act on.

use claimdesk_core::code_key;
use claimdesk_core::message::{for_code, Explain, Message};
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
    /// A request the store cannot carry out as written: what is wrong.
    #[error("{0}")]
    Invalid(Message),
    #[error("there is no incident '{0}' in this store; choose one of the incidents listed by `claimdesk incident list`")]
    UnknownIncident(String),
    /// What is wrong with an incident or its catalog, in the reader's language.
    #[error("the incident cannot be used: {0}")]
    BadIncident(Message),
    #[error("{waiting} claims of payout {payout_id} are not yet reserved on the sync server; sync while online, then confirm")]
    PayoutNotReserved { payout_id: i64, waiting: i64 },
    #[error("claims left payout {payout_id} after its file was written (another payout reserved them first); write the file again (payout file {payout_id}) and send that one")]
    PayoutFileOutdated { payout_id: i64 },
    #[error("{waiting} claims of fulfilment {fulfilment_id} are not yet reserved on the sync server; sync while online, then confirm")]
    FulfilmentNotReserved { fulfilment_id: i64, waiting: i64 },
    #[error("claims left fulfilment {fulfilment_id} after its file was written (another fulfilment reserved them first); write the file again (fulfilment file {fulfilment_id}) and send that one")]
    FulfilmentFileOutdated { fulfilment_id: i64 },
    #[error("the user name or the password is not right")]
    SignIn,
    #[error("there is no key for {user} on this desktop; the encrypted store stays locked")]
    NoKeyHere { user: String },
    #[error("the store {path} is encrypted; open it with a user's password")]
    Locked { path: String },
    #[error("the key does not open this store")]
    WrongKey,
    #[error("the key file {file} cannot be used: {detail}")]
    KeyFile { file: String, detail: String },
    #[error("the recovery key is not right, or the user is not an active admin")]
    RecoveryFailed,
    #[error("the store could not be encrypted: {0}; the plain store is unchanged")]
    Encryption(String),
    #[error("this desktop trusts the sync server {trusted_url} (id {trusted_id}), but {url} answers as server {server_id}; only an administrator of this desktop can switch it to another server, and must confirm the change")]
    ServerChanged { trusted_url: String, trusted_id: String, url: String, server_id: String },
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
            StoreError::TooNew { .. } => code_key!("STORE_TOO_NEW"),
            StoreError::NotFound(_) => code_key!("NOT_FOUND"),
            StoreError::Refused(r) => r.code(),
            StoreError::Intake(e) => e.code(),
            StoreError::Policy(e) => e.code(),
            StoreError::Invalid(_) => code_key!("INVALID"),
            StoreError::UnknownIncident(_) => code_key!("UNKNOWN_INCIDENT"),
            StoreError::BadIncident(_) => code_key!("BAD_INCIDENT"),
            StoreError::PayoutNotReserved { .. } => code_key!("PAYOUT_NOT_RESERVED_YET"),
            StoreError::PayoutFileOutdated { .. } => code_key!("PAYOUT_FILE_OUTDATED"),
            StoreError::FulfilmentNotReserved { .. } => code_key!("FULFILMENT_NOT_RESERVED_YET"),
            StoreError::FulfilmentFileOutdated { .. } => code_key!("FULFILMENT_FILE_OUTDATED"),
            StoreError::SignIn => code_key!("SIGN_IN_FAILED"),
            StoreError::NoKeyHere { .. } => code_key!("NO_KEY_HERE"),
            StoreError::Locked { .. } => code_key!("STORE_LOCKED"),
            StoreError::WrongKey => code_key!("WRONG_KEY"),
            StoreError::KeyFile { .. } => code_key!("KEY_FILE"),
            StoreError::RecoveryFailed => code_key!("RECOVERY_FAILED"),
            StoreError::Encryption(_) => code_key!("ENCRYPTION"),
            StoreError::ServerChanged { .. } => code_key!("SERVER_CHANGED"),
            StoreError::Stale { .. } => code_key!("STALE"),
            StoreError::Cancelled => code_key!("CANCELLED"),
            StoreError::AuditBroken { .. } => code_key!("AUDIT_BROKEN"),
            StoreError::Sqlite(_) => code_key!("DATABASE"),
            StoreError::Io(_) => code_key!("IO"),
            StoreError::Xlsx(_) | StoreError::Csv(_) => code_key!("EXPORT"),
            StoreError::Json(_) => code_key!("CORRUPT"),
        }
    }

    /// A request that cannot be carried out as written.
    pub fn invalid(message: Message) -> StoreError {
        StoreError::Invalid(message)
    }
}

impl Explain for StoreError {
    fn message(&self) -> Message {
        let m = for_code(self.code());
        match self {
            StoreError::TooNew { found, supported } => m.with("found", found).with("supported", supported),
            StoreError::NotFound(what) => m.with("what", what),
            StoreError::Refused(r) => r.message(),
            StoreError::Intake(e) => e.message(),
            StoreError::Policy(e) => e.message(),
            StoreError::Invalid(why) => why.clone(),
            StoreError::UnknownIncident(id) => m.with("incident", id),
            StoreError::BadIncident(why) => why.clone(),
            StoreError::PayoutNotReserved { payout_id, waiting } => {
                m.with("payout_id", payout_id).with("waiting", waiting)
            }
            StoreError::PayoutFileOutdated { payout_id } => m.with("payout_id", payout_id),
            StoreError::FulfilmentNotReserved { fulfilment_id, waiting } => {
                m.with("fulfilment_id", fulfilment_id).with("waiting", waiting)
            }
            StoreError::FulfilmentFileOutdated { fulfilment_id } => m.with("fulfilment_id", fulfilment_id),
            StoreError::SignIn
            | StoreError::Cancelled
            | StoreError::WrongKey
            | StoreError::RecoveryFailed => m,
            StoreError::NoKeyHere { user } => m.with("user", user),
            StoreError::Locked { path } => m.with("path", path),
            StoreError::KeyFile { file, detail } => m.with("file", file).with("detail", detail),
            StoreError::Encryption(detail) => m.with("detail", detail),
            StoreError::ServerChanged { trusted_url, trusted_id, url, server_id } => m
                .with("trusted_url", trusted_url)
                .with("trusted_id", trusted_id)
                .with("url", url)
                .with("server_id", server_id),
            StoreError::Stale { claim, seen, now } => {
                m.with("claim", claim).with("seen", seen).with("now", now)
            }
            StoreError::AuditBroken { seq, op_id, why } => {
                m.with("seq", seq).with("op_id", op_id).with("why", why)
            }
            // What the library said stays as it said it: the headline is the reader's language.
            StoreError::Sqlite(e) => m.with("detail", e),
            StoreError::Io(e) => m.with("detail", e),
            StoreError::Xlsx(e) => m.with("detail", e),
            StoreError::Csv(e) => m.with("detail", e),
            StoreError::Json(e) => m.with("detail", e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
