//! The sync protocol, version 1: HTTP + JSON.
//!
//! | method | path | body → answer |
//! | --- | --- | --- |
//! | GET  | /health | → [`Health`] |
//! | POST | /v1/login | [`LoginRequest`] → [`LoginResponse`] |
//! | POST | /v1/push | [`PushRequest`] → [`PushResponse`] (one result per op, in order) |
//! | GET  | /v1/pull?after=SEQ&limit=N | → [`PullResponse`] |
//! | GET  | /v1/users | → `Vec<UserInfo>` (the roster, for display and offline sign-in) |
//!
//! Every request but /health carries the headers [`HEADER_PROTOCOL`] and
//! [`HEADER_SCHEMA`]; all but /health and /v1/login carry
//! `Authorization: Bearer <token>`. Errors are [`ErrorBody`] with an HTTP
//! status (400 bad request, 401 token, 403 role, 409 version, 5xx server).

use serde::{Deserialize, Serialize};

/// The protocol this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest client protocol a server still answers (one version behind).
pub const MIN_PROTOCOL_VERSION: u32 = PROTOCOL_VERSION.saturating_sub(1);
pub const HEADER_PROTOCOL: &str = "x-claimdesk-protocol";
pub const HEADER_SCHEMA: &str = "x-claimdesk-schema";
/// Most ops in one push or pull page.
pub const MAX_PAGE: usize = 5_000;

/// One operation as it travels (sync.md "Operations").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireOp {
    /// UUIDv7 made on the device; also the retry key.
    pub op_id: String,
    /// Hybrid logical clock stamp (`claimdesk_core::hlc::Stamp::to_i64`).
    pub hlc: i64,
    pub user: String,
    pub device: String,
    /// `claim:<external id>`, `batch:<id>`, `policy:<version>`, ...
    pub entity: String,
    /// `claim.recommend`, `batch.create`, ...
    pub kind: String,
    /// A JSON object (field → value); unknown fields are kept, not dropped.
    pub payload: serde_json::Value,
    /// For claim decisions: the claim version the person was looking at.
    pub base: Option<i64>,
    /// Wall-clock milliseconds when it was made on the device (display only).
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub protocol: u32,
    pub schema: u32,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub user: String,
    pub password: String,
    /// The device's id (the store's `device`), stable across logins.
    pub device_id: String,
    /// A name a person recognises ("김민수 노트북").
    pub device_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: String,
    pub display_name: String,
    /// `reviewer` | `supervisor` | `admin` (`claimdesk_core::Role::code`).
    pub role: String,
    /// Won; `None` = no limit.
    pub approval_limit: Option<i64>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token for this device; revocable on the server.
    pub token: String,
    pub user: UserInfo,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device_id: String,
    /// In the order they were made on the device.
    pub ops: Vec<WireOp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PushOutcome {
    /// Stored now with this server sequence number.
    Accepted { seq: i64 },
    /// Already stored earlier (a retry); same effect as accepted.
    Duplicate { seq: i64 },
    /// Not stored; the device parks the op and shows `reason` to its author.
    Rejected { code: String, reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResult {
    pub op_id: String,
    #[serde(flatten)]
    pub outcome: PushOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One per pushed op, in the same order.
    pub results: Vec<PushResult>,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PulledOp {
    pub seq: i64,
    #[serde(flatten)]
    pub op: WireOp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Ops with `seq > after`, ascending, at most `limit`.
    pub ops: Vec<PulledOp>,
    /// The cursor to ask after next time (the last seq in `ops`, or `after`).
    pub cursor: i64,
    /// Whether more ops wait after `cursor`.
    pub more: bool,
    /// The server's highest seq now (for a progress bar on a first pull).
    pub head: i64,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable, for code to switch on: `unauthorized`, `forbidden`,
    /// `protocol_too_old`, `bad_request`, `clock_ahead`, `internal`, ...
    pub code: String,
    /// For a person: what happened and what to do.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_result_reads_as_flat_json() {
        let r = PushResult { op_id: "x".into(), outcome: PushOutcome::Rejected { code: "forbidden".into(), reason: "why".into() } };
        let text = serde_json::to_string(&r).expect("serialize");
        assert_eq!(text, r#"{"op_id":"x","outcome":"rejected","code":"forbidden","reason":"why"}"#);
        let back: PushResult = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, r);
    }
}
