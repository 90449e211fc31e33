//! The sync protocol, version 1: HTTP + JSON.
//!
//! | method | path | body → answer |
//! | --- | --- | --- |
//! | GET  | /health | → [`Health`] |
//! | POST | /v1/login | [`LoginRequest`] → [`LoginResponse`] |
//! | POST | /v1/push | [`PushRequest`] → [`PushResponse`] (one result per op, in order) |
//! | GET  | /v1/pull?after=SEQ&limit=N | → [`PullResponse`] |
//! | GET  | /v1/users | → `Vec<UserInfo>` (the roster, for display and offline sign-in) |
//! | POST | /v1/refresh | → [`RefreshResponse`] (a new token for the one sent, which ends) |
//! | POST | /v1/logout | → `{}` (the token sent ends) |
//!
//! Every request but /health carries the headers [`HEADER_PROTOCOL`] and
//! [`HEADER_SCHEMA`]; all but /health and /v1/login carry
//! `Authorization: Bearer <token>`. Errors are [`ErrorBody`] with an HTTP
//! status (400 bad request, 401 token, 403 role, 409 version, 5xx server).

use claimdesk_core::ops::Stamp;
use serde::{Deserialize, Serialize};

/// The protocol this build speaks. 2: the server decides every op with the
/// core's rules and stamps what it knew about the author ([`Stamp`]); the
/// merge decides every op again instead of reading results from payloads.
/// 3: report types and coded reasons (new claim kinds, a reason code in
/// denials, requests and closures, the stamp's `cited` catalog entry).
/// 4: decision notices (`claim.notify`). 5: the cure clock (`claim.check_document`,
/// `claim.expire`, a request's `due_on` and `another`, the cited entry's `cure` window).
/// 6: fulfilment of non-cash grants (`claim.reserve_fulfilment`,
/// `claim.release_fulfilment`, `claim.mark_fulfilled`, the `fulfilment.*`
/// team ops; `claim.mark_paid` ends the payout's reservation).
pub const PROTOCOL_VERSION: u32 = 6;
/// The oldest client protocol a server still answers. A protocol 5 desktop
/// would park every fulfilment op it pulls and keep a paid claim reserved
/// for its payout, so it could offer a fulfilled voucher again. A protocol 4 desktop
/// would park every expiry and document tick it pulls, and would fold a
/// reviewer's second request for information that the team refuses. A protocol 3 desktop
/// would park every notice it pulls and so offer to notify claimants again
/// whom a colleague already told; a protocol 2 one would also park every
/// non-damage closure and fold denials without the catalog entry the team's
/// fold requires: both must update (PROTOCOL_CHANGES.md). Protocol 1 clients
/// read an op's result from its payload, which later ops no longer carry.
pub const MIN_PROTOCOL_VERSION: u32 = 6;
pub const HEADER_PROTOCOL: &str = "x-claimdesk-protocol";
pub const HEADER_SCHEMA: &str = "x-claimdesk-schema";
/// Most ops in one push or pull page.
pub const MAX_PAGE: usize = 5_000;
/// The largest push body a server reads (bytes of JSON). A page of
/// [`MAX_PAGE`] intake rows is about 8 MiB; the sync engine sends fewer ops
/// in a page when they would not fit.
pub const MAX_PUSH_BYTES: usize = 16 * 1024 * 1024;

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
    /// The server's identity, made once with its database (empty from a
    /// server older than it): a desktop remembers it when it joins and
    /// refuses another unless an administrator confirms.
    #[serde(default)]
    pub server_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub user: String,
    pub password: String,
    /// The device's id (the store's `device`), stable across logins.
    pub device_id: String,
    /// A name a person recognises ("김민수 노트북").
    pub device_name: String,
    /// A secret the device made once and keeps (the store's
    /// `Store::device_secret`): the server ties the device id to it at the
    /// first sign-in and refuses a later one with the id but not the secret,
    /// so another computer cannot take this device id over. Empty from a
    /// client older than it.
    #[serde(default)]
    pub device_secret: String,
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
    /// As in [`Health`].
    #[serde(default)]
    pub server_id: String,
    /// When the token stops working (ms since the epoch; 0 from an older
    /// server): a desktop renews it while it syncs (`POST /v1/refresh`).
    #[serde(default)]
    pub token_expires_ms: i64,
}

/// `POST /v1/refresh`: a new token in place of the one sent, with a new lifetime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshResponse {
    pub token: String,
    pub token_expires_ms: i64,
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
    /// Stored now with this server sequence number, with what the server
    /// recorded about the author (every replica decides the op with it).
    Accepted {
        seq: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stamp: Option<Stamp>,
    },
    /// Already stored earlier (a retry); same effect as accepted.
    Duplicate {
        seq: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stamp: Option<Stamp>,
    },
    /// Not stored; the device parks the op and shows `reason` to its author.
    /// `code` is the core's refusal code (`ROLE_NOT_ALLOWED`, `MAKER_CHECKER`,
    /// `OVER_APPROVAL_LIMIT`, ...) or one of the op checks of [`RejectCode`].
    Rejected {
        code: String,
        /// English.
        reason: String,
        /// The reason as a message for the author's language (protocol 2 servers send none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explain: Option<claimdesk_core::message::Message>,
    },
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
    /// What the server recorded about the author when it accepted the op.
    /// Absent only for ops stored before protocol 2 (or written into the
    /// server's database by hand): replicas then use the author's current
    /// roster entry, and a reviewer's op stays a reviewer's op.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<Stamp>,
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

/// The codes of a rejected op that are not one of the core's workflow
/// refusals: problems with the op itself or with its place in the team's log.
pub struct RejectCode;

impl RejectCode {
    /// The op is not well formed (ids, entity, clock stamp, size, NUL bytes).
    pub const BAD_OP: &'static str = "BAD_OP";
    /// The kind is not one this server knows.
    pub const UNKNOWN_KIND: &'static str = "UNKNOWN_KIND";
    /// The payload does not read as the op's kind.
    pub const BAD_PAYLOAD: &'static str = "BAD_PAYLOAD";
    pub const WRONG_AUTHOR: &'static str = "WRONG_AUTHOR";
    pub const WRONG_DEVICE: &'static str = "WRONG_DEVICE";
    pub const CLOCK_AHEAD: &'static str = "CLOCK_AHEAD";
    /// Users are managed on the server.
    pub const USERS_MANAGED_ON_SERVER: &'static str = "USERS_MANAGED_ON_SERVER";
    /// A device's own record (sign-ins, views, settings) does not go to the team.
    pub const DEVICE_ONLY: &'static str = "DEVICE_ONLY";
    /// The claim is not on the server (its import was not pushed).
    pub const UNKNOWN_CLAIM: &'static str = "UNKNOWN_CLAIM";
    /// A policy that does not parse, or a version number already taken.
    pub const BAD_POLICY: &'static str = "BAD_POLICY";
    pub const BAD_CATALOG: &'static str = "BAD_CATALOG";
    /// An incident that does not hold (id, name, dates, services), or whose id is taken.
    pub const BAD_INCIDENT: &'static str = "BAD_INCIDENT";
    /// A claim or policy version of an incident the server does not have (send its creation first).
    pub const UNKNOWN_INCIDENT: &'static str = "UNKNOWN_INCIDENT";
    /// A late op would change what happened to an approval or a payment.
    pub const ALREADY_SETTLED: &'static str = "ALREADY_SETTLED";
    /// A payout reservation made offline, or overtaken: reserve again online.
    pub const RESERVE_ONLINE: &'static str = "RESERVE_ONLINE";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_result_reads_as_flat_json() {
        let r = PushResult {
            op_id: "x".into(),
            outcome: PushOutcome::Rejected { code: "forbidden".into(), reason: "why".into(), explain: None },
        };
        let text = serde_json::to_string(&r).expect("serialize");
        assert_eq!(text, r#"{"op_id":"x","outcome":"rejected","code":"forbidden","reason":"why"}"#);
        let back: PushResult = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, r);
    }
}
