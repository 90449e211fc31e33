//! What the team server decides before it stores a pushed op, as pure
//! functions over the op, its author and the claim's folded state, so that
//! the server on PostgreSQL and the in-memory server of the tests admit
//! exactly the same ops (sync.md, "Who decides").
//!
//! 1. [`check_envelope`]: the op is well formed (ids, sizes, no NUL
//!    characters, a JSON object of bounded depth), made by the signed-in user
//!    on the signed-in device, not stamped too far ahead, and reads as a kind
//!    of the vocabulary ([`claimdesk_core::ops::Op`]).
//! 2. [`check_team_op`]: an op not about one claim needs the author's role
//!    for its action, and a policy or catalog must hold under the core's own
//!    parsers; users are the server's own, device records never leave a device.
//! 3. [`admit_claim_op`]: a claim op is folded into the claim's state exactly
//!    as every replica will fold it; an op the rules refuse is rejected with
//!    the core's code. A late op (made offline, sorting before ops already
//!    accepted) is folded at its place, and rejected if it would change what
//!    happened to an accepted approval, reservation or payment; a payout
//!    reservation must be the claim's latest op (made online). A denial or a
//!    request for information made now must cite a reason code
//!    ([`claimdesk_core::workflow::check_new`]); the server stamps the op with
//!    the catalog entry of the policy in force ([`cite`]), which the fold
//!    then requires.

use claimdesk_core::ops::{Op, Scope};
use claimdesk_core::policy::Policy;
use claimdesk_core::workflow::may;
use claimdesk_core::{Actor, Role};
use serde_json::Value;

use crate::fold::{self, moves_money, ClaimState, FoldOp, Verdict};
use crate::protocol::{RejectCode, WireOp};
use claimdesk_core::message::{for_code, Explain, Message};
use claimdesk_core::msg;

/// Why an op is not stored: a stable code (the core's refusal codes and
/// [`RejectCode`]) and a sentence for its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: String,
    /// English.
    pub reason: String,
    /// The same in the reader's language, sent with the rejection (boxed: a
    /// rejection is the error of every admission check and stays small).
    pub explain: Box<Message>,
}

impl Rejection {
    /// A rejection said by its code's own message, `reason` as its detail.
    pub fn new(code: &str, reason: impl Into<String>) -> Rejection {
        let reason = reason.into();
        Rejection {
            code: code.to_string(),
            explain: Box::new(for_code(code).with("detail", &reason)),
            reason,
        }
    }

    /// A rejection that is one of the core's refusals (or another error that says itself).
    pub fn of(code: &str, why: &(impl Explain + std::fmt::Display)) -> Rejection {
        Rejection { code: code.to_string(), reason: why.to_string(), explain: Box::new(why.message()) }
    }

    /// A rejection said by a message of its own (its English is the reason).
    pub fn said(code: &str, explain: Message) -> Rejection {
        Rejection {
            code: code.to_string(),
            reason: explain.render(claimdesk_core::message::Lang::En),
            explain: Box::new(explain),
        }
    }
}

/// The largest payload of one op, bytes of JSON (an intake row with long
/// description and extra columns stays far below).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// The largest payload of each kind of op, bytes of JSON: a policy version
/// (its TOML text) may use all of [`MAX_PAYLOAD_BYTES`], an intake row 128
/// KiB, a catalog or a new incident 64 KiB, and every other op (notes,
/// reasons, justifications, ids) 32 KiB, about ten thousand Korean letters.
/// The server refuses a larger one with `BAD_OP` and a desktop refuses to
/// make one, so a flood of oversized ops costs neither.
pub fn max_payload_bytes(op: &Op) -> usize {
    use claimdesk_core::workflow::ClaimCommand;
    match op {
        Op::PolicyCreate(_) => MAX_PAYLOAD_BYTES,
        Op::ClaimImport(_) | Op::Claim(ClaimCommand::UpdateIntake { .. }) => 128 * 1024,
        Op::CatalogReplace(_) | Op::IncidentCreate(_) => 64 * 1024,
        _ => 32 * 1024,
    }
}

/// The payload's size when it is over its kind's limit ([`max_payload_bytes`]).
pub fn oversized(op: &Op, payload: &Value) -> Option<(usize, usize)> {
    let size = json_len(payload);
    let max = max_payload_bytes(op);
    (size > max).then_some((size, max))
}

/// The deepest nesting of a payload (the vocabulary needs 4).
pub const MAX_PAYLOAD_DEPTH: usize = 16;
const MAX_ID: usize = 200;

/// The length of a value's JSON text, counted without writing it out.
fn json_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing into a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Checks the op as it came and reads it as a typed op.
pub fn check_envelope(
    op: &WireOp,
    author: &Actor,
    now_ms: i64,
    max_clock_ahead_ms: u64,
) -> Result<Op, Rejection> {
    let bad = |why: String| Err(Rejection::new(RejectCode::BAD_OP, why));
    if uuid_like(&op.op_id).is_none() {
        return bad(format!("the op id '{}' is not a UUID", printable(&op.op_id, 60)));
    }
    for (name, value) in
        [("user", &op.user), ("device", &op.device), ("entity", &op.entity), ("kind", &op.kind)]
    {
        if value.trim().is_empty() || value.len() > MAX_ID {
            return bad(format!("the op's {name} must be 1 to {MAX_ID} characters"));
        }
        if value.contains('\0') {
            return bad(format!("the op's {name} holds a NUL character"));
        }
    }
    if !op.payload.is_object() {
        return bad("the op's payload must be a JSON object".into());
    }
    let size = json_len(&op.payload);
    if size > MAX_PAYLOAD_BYTES {
        return bad(format!("the op's payload is {size} bytes; at most {MAX_PAYLOAD_BYTES} are accepted"));
    }
    if let Some(problem) = odd_content(&op.payload, 0) {
        return bad(format!("the op's payload {problem}"));
    }
    if op.hlc <= 0 {
        return bad("the op's clock stamp must be positive".into());
    }
    if op.user != author.user {
        return Err(Rejection::new(
            RejectCode::WRONG_AUTHOR,
            format!(
                "this change was made by '{}', but the device is signed in as '{}'; a device only sends its own user's changes",
                printable(&op.user, 60),
                author.user
            ),
        ));
    }
    if op.device != author.device {
        return Err(Rejection::new(
            RejectCode::WRONG_DEVICE,
            format!(
                "this change was made on device '{}', but the token belongs to device '{}'",
                printable(&op.device, 60),
                author.device
            ),
        ));
    }
    let millis = (op.hlc as u64) >> 16;
    let limit = (now_ms.max(0) as u64).saturating_add(max_clock_ahead_ms);
    if millis > limit {
        return Err(Rejection::new(
            RejectCode::CLOCK_AHEAD,
            format!(
                "this change is stamped {} s ahead of the server's clock (the limit is {} s); correct the device's clock and sync again",
                (millis - now_ms.max(0) as u64) / 1000,
                max_clock_ahead_ms / 1000
            ),
        ));
    }
    let typed = Op::decode(&op.kind, &op.payload).map_err(|e| Rejection::of(e.code(), &e))?;
    if let Some((size, max)) = oversized(&typed, &op.payload) {
        return bad(format!(
            "the payload of this {} is {size} bytes; at most {max} are accepted for this kind of change",
            printable(&op.kind, 60)
        ));
    }
    if !op.entity.starts_with(typed.entity_prefix()) {
        return bad(format!(
            "a {} change must be about {}…, not '{}'",
            op.kind,
            typed.entity_prefix(),
            printable(&op.entity, 60)
        ));
    }
    if let Op::ClaimImport(claim) = &typed {
        if op.entity.strip_prefix("claim:") != Some(claim.external_id.as_str()) {
            return Err(Rejection::new(
                RejectCode::BAD_PAYLOAD,
                "the imported claim's id differs from the claim the op is about",
            ));
        }
        claim.check().map_err(|why| Rejection::new(RejectCode::BAD_PAYLOAD, why))?;
    }
    Ok(typed)
}

/// A UUID in its text form (8-4-4-4-12 hex digits).
fn uuid_like(id: &str) -> Option<()> {
    let parts: Vec<&str> = id.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    (parts.len() == 5
        && parts.iter().zip(lens).all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit())))
    .then_some(())
}

fn printable(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// NUL characters (which PostgreSQL's jsonb cannot hold) or nesting deeper than the vocabulary needs.
fn odd_content(v: &Value, depth: usize) -> Option<String> {
    if depth > MAX_PAYLOAD_DEPTH {
        return Some(format!("is nested deeper than {MAX_PAYLOAD_DEPTH} levels"));
    }
    match v {
        Value::String(s) if s.contains('\0') => Some("holds a NUL character in a text".into()),
        Value::Array(items) => items.iter().find_map(|i| odd_content(i, depth + 1)),
        Value::Object(map) => map.iter().find_map(|(k, i)| {
            if k.contains('\0') {
                Some("holds a NUL character in a field name".into())
            } else {
                odd_content(i, depth + 1)
            }
        }),
        _ => None,
    }
}

/// Checks an op that is not about one claim.
pub fn check_team_op(op: &Op, role: Role) -> Result<(), Rejection> {
    match op.scope() {
        Scope::Server => return Err(Rejection::new(
            RejectCode::USERS_MANAGED_ON_SERVER,
            "users are managed on the server; an administrator changes users with claimdesk-server user ...",
        )),
        Scope::Device => {
            return Err(Rejection::new(
                RejectCode::DEVICE_ONLY,
                "this record belongs to the device that made it and is not sent",
            ))
        }
        Scope::Team => {}
    }
    if let Some(action) = op.required_action() {
        may(role, action).map_err(|r| Rejection::of(r.code(), &r))?;
    }
    match op {
        Op::PolicyCreate(p) => {
            Policy::from_toml(&p.toml).map_err(|e| Rejection::of(RejectCode::BAD_POLICY, &e))?;
            if p.version < 1 {
                return Err(Rejection::said(RejectCode::BAD_POLICY, msg!("policy.version_from_one")));
            }
        }
        Op::CatalogReplace(c) => c.validate().map_err(|e| Rejection::of(RejectCode::BAD_CATALOG, &e))?,
        Op::IncidentCreate(c) => {
            c.catalog.validate().map_err(|e| Rejection::of(RejectCode::BAD_INCIDENT, &e))?
        }
        Op::IncidentUpdate(i) => i.validate().map_err(|e| Rejection::of(RejectCode::BAD_INCIDENT, &e))?,
        Op::BatchCreate(b) if b.id.trim().is_empty() || b.name.trim().is_empty() => {
            return Err(Rejection::new(RejectCode::BAD_PAYLOAD, "a batch needs an id and a name"))
        }
        _ => {}
    }
    Ok(())
}

/// The catalog entry a claim op's reason code names in `policy` (the policy
/// in force for the claim's incident, version `version`), for the op's
/// stamp; None when the op cites nothing or a code the policy lacks (the
/// fold then refuses it with UNKNOWN_REASON).
pub fn cite(
    cmd: &claimdesk_core::workflow::ClaimCommand,
    policy: &Policy,
    version: Option<i64>,
) -> Option<claimdesk_core::policy::CitedReason> {
    let (kind, code) = cmd.citation()?;
    policy.cite(kind, code, version)
}

/// Admits a claim op onto the claim's state (`state`, the fold of the ops
/// accepted so far, which `initial` gives back when the op comes late): on
/// success `state` has the op folded in; a rejected op leaves it as it was.
pub fn admit_claim_op(
    state: &mut ClaimState,
    op: &FoldOp,
    initial: impl FnOnce() -> (ClaimState, Vec<FoldOp>),
) -> Result<(), Rejection> {
    // What an op made now must say (a reason code), beyond what the fold accepts of older ops.
    claimdesk_core::workflow::check_new(&op.cmd).map_err(|r| Rejection::of(r.code(), &r))?;
    let reserve = matches!(
        op.cmd,
        claimdesk_core::workflow::ClaimCommand::ReservePayout { .. }
            | claimdesk_core::workflow::ClaimCommand::ReserveFulfilment { .. }
    );
    if state.accepts_next(op) {
        // Stepped in place: a refusal changes only the refusal list and the last key, put back here.
        let last_key = state.last_key.clone();
        return match fold::step(state, op) {
            Verdict::Refused { code, reason, explain } => {
                state.refused.retain(|r| r.op_id != op.op_id);
                state.last_key = last_key;
                Err(Rejection { code, reason, explain: Box::new(explain) })
            }
            _ => Ok(()),
        };
    }
    if reserve {
        return Err(Rejection::new(
            RejectCode::RESERVE_ONLINE,
            "this payout or fulfilment reservation was made while other changes to the claim were on their way; export it again while online",
        ));
    }
    // A late op: fold everything again with it at its place.
    let (start, mut accepted) = initial();
    let (_, before) = fold::fold_with_verdicts(start.clone(), &mut accepted.clone());
    accepted.push(op.clone());
    let (next, after) = fold::fold_with_verdicts(start, &mut accepted);
    let money: std::collections::HashSet<&str> =
        accepted.iter().filter(|o| moves_money(&o.cmd)).map(|o| o.op_id.as_str()).collect();
    for (id, verdict) in &before {
        if money.contains(id.as_str()) && after.iter().any(|(a, v)| a == id && v != verdict) {
            return Err(Rejection::new(
                RejectCode::ALREADY_SETTLED,
                "this change was made offline on a claim that has since been approved or paid; it cannot undo that. Look at the claim again",
            ));
        }
    }
    match after.iter().find(|(id, _)| *id == op.op_id) {
        Some((_, Verdict::Refused { code, reason, explain })) => {
            Err(Rejection { code: code.clone(), reason: reason.clone(), explain: Box::new(explain.clone()) })
        }
        _ => {
            *state = next;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimdesk_core::ops::IncidentCreate;
    use claimdesk_core::Catalog;

    fn breach() -> Catalog {
        let mut c = Catalog::default_2022();
        c.incident.id = "breach-2025-11".into();
        c
    }

    fn wire(kind: &str, payload: Value) -> WireOp {
        WireOp {
            op_id: "01890000-0000-7000-8000-000000000001".into(),
            hlc: 1 << 16,
            user: "kim".into(),
            device: "d1".into(),
            entity: "claim:T-1".into(),
            kind: kind.into(),
            payload,
            base: None,
            at_ms: 0,
        }
    }

    #[test]
    fn each_kind_of_op_has_its_own_size_limit() {
        let kim =
            Actor { user: "kim".into(), role: Role::Reviewer, approval_limit: None, device: "d1".into() };
        let note =
            |letters: usize| wire("claim.add_note", serde_json::json!({ "body": "가".repeat(letters) }));
        // 30,000 bytes of Korean text: a long note, taken.
        assert!(check_envelope(&note(10_000), &kim, 0, 1000).is_ok());
        // 36,000 bytes: over a note's 32 KiB, though far below the 256 KiB any op may hold.
        let refused = check_envelope(&note(12_000), &kim, 0, 1000).expect_err("too large for a note");
        assert_eq!(refused.code, RejectCode::BAD_OP);
        assert!(
            refused.reason.contains("claim.add_note") && refused.reason.contains("32768"),
            "{}",
            refused.reason
        );
        // A policy version may be larger: its TOML text.
        let policy = Op::decode("policy.create", &serde_json::json!({"version": 7, "toml": "# 설명\n"}))
            .expect("a policy.create");
        assert_eq!(max_payload_bytes(&policy), MAX_PAYLOAD_BYTES);
        assert_eq!(max_payload_bytes(&Op::Claim(claimdesk_core::workflow::ClaimCommand::Take)), 32 * 1024);
    }

    #[test]
    fn incidents_are_started_and_edited_by_supervisors_and_admins_only() {
        let create = Op::IncidentCreate(Box::new(IncidentCreate { catalog: breach(), copied_from: None }));
        let update = Op::IncidentUpdate(breach().incident);
        for op in [&create, &update] {
            assert_eq!(
                check_team_op(op, Role::Reviewer).map_err(|r| r.code),
                Err("ROLE_NOT_ALLOWED".to_string())
            );
            assert_eq!(check_team_op(op, Role::Supervisor), Ok(()));
            assert_eq!(check_team_op(op, Role::Admin), Ok(()));
        }
        let mut bad = breach();
        bad.incident.id = "Not An Id".into();
        let op = Op::IncidentCreate(Box::new(IncidentCreate { catalog: bad.clone(), copied_from: None }));
        let refused = check_team_op(&op, Role::Admin).expect_err("a bad id");
        assert_eq!(refused.code, RejectCode::BAD_INCIDENT);
        // The author reads why in their language, sent with the rejection.
        let ko = refused.explain.render(claimdesk_core::message::Lang::Ko);
        assert!(ko.contains("사고 ID 'Not An Id'는 영문 소문자"), "{ko}");
        assert_eq!(
            check_team_op(&Op::IncidentUpdate(bad.incident), Role::Admin).map_err(|r| r.code),
            Err(RejectCode::BAD_INCIDENT.to_string())
        );
    }

    #[test]
    fn a_catalog_whose_letter_uses_a_field_its_outcome_lacks_is_refused_at_admission() {
        let mut bad = breach();
        let i = bad
            .letters
            .iter()
            .position(|l| l.kind == claimdesk_core::catalog::LetterKind::ClosedNoDamage)
            .expect("letter");
        bad.letters[i].body.push_str(" 보상 금액: {amount}");
        let create = Op::IncidentCreate(Box::new(IncidentCreate { catalog: bad.clone(), copied_from: None }));
        assert_eq!(
            check_team_op(&create, Role::Admin).map_err(|r| r.code),
            Err(RejectCode::BAD_INCIDENT.to_string())
        );
        assert_eq!(
            check_team_op(&Op::CatalogReplace(Box::new(bad)), Role::Admin).map_err(|r| r.code),
            Err(RejectCode::BAD_CATALOG.to_string())
        );
    }
}
