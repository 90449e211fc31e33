//! The bodies of the fuzz targets (fuzz_targets/*.rs call these), so that the
//! regression inputs in fuzz/regressions/ run through exactly the same code.
//!
//! Every input must end in a value or an error message; a panic, an abort
//! or unbounded memory (libFuzzer's -rss_limit_mb, set by scripts/fuzz.sh)
//! is a finding.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;

use claimdesk_core::message::{Explain, Lang};
use claimdesk_core::{Actor, ClaimAction, Op, Role};
use claimdesk_intake::Row;
use claimdesk_sync::fold::FoldOp;
use claimdesk_sync::protocol::{
    ErrorBody, Health, LoginRequest, LoginResponse, PullResponse, PushRequest, PushResponse, UserInfo, WireOp,
};
use serde::Deserialize;
use serde_json::value::RawValue;

/// One scratch file per process, rewritten for each input (the intake
/// readers read paths, as the app and the command line give them).
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("claimdesk-fuzz-{}-{name}", std::process::id()))
}

fn write(path: &Path, data: &[u8]) {
    let mut f = std::fs::File::create(path).expect("scratch file");
    f.write_all(data).expect("scratch write");
}

/// Reads an intake file to its end as an import would, rendering every message.
fn read_intake(path: &Path) {
    static CATALOG: std::sync::OnceLock<claimdesk_core::Catalog> = std::sync::OnceLock::new();
    let catalog = CATALOG.get_or_init(claimdesk_core::Catalog::default_2022);
    match claimdesk_intake::open(path, catalog) {
        Ok(file) => {
            for row in file {
                match row {
                    Ok(Row::Valid(v)) => {
                        let _ = serde_json::to_string(&v.claim);
                    }
                    Ok(Row::Invalid(q)) => {
                        let _ = q.message_in(Lang::Ko);
                        let _ = q.message_in(Lang::En);
                    }
                    Err(e) => {
                        let _ = e.message().render(Lang::Ko);
                        break;
                    }
                }
            }
        }
        Err(e) => {
            let _ = e.message().render(Lang::Ko);
            let _ = e.message().render(Lang::En);
        }
    }
}

/// The XLSX reader runs calamine on its own thread so that a panic inside
/// calamine becomes an error ("the XLSX reader stopped unexpectedly"), not a
/// crash; libFuzzer's panic hook would abort on it anyway, so that thread's
/// panics are printed and not counted. Every other panic still aborts.
fn contain_xlsx_reader_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some("claimdesk-xlsx") {
                eprintln!("contained panic in the XLSX reader thread: {info}");
            } else {
                fuzzer_hook(info);
            }
        }));
    });
}

/// Any bytes as a CSV intake file.
pub fn intake_csv(data: &[u8]) {
    let path = scratch("in.csv");
    write(&path, data);
    read_intake(&path);
}

/// Any bytes as an XLSX intake file (named .xlsx; a ZIP is told by content).
pub fn intake_xlsx(data: &[u8]) {
    contain_xlsx_reader_panics();
    let path = scratch("in.xlsx");
    write(&path, data);
    read_intake(&path);
}

/// A push as the server reads it (crates/server/src/http.rs `RawPush`):
/// each op on its own, then its id alone if it does not read.
#[derive(Deserialize)]
struct RawPush<'a> {
    #[allow(dead_code)]
    device_id: String,
    #[serde(borrow)]
    ops: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct OpIdOnly {
    #[allow(dead_code)]
    op_id: String,
}

fn admin() -> Actor {
    Actor { user: "admin".into(), role: Role::Admin, approval_limit: None, device: "fuzz".into() }
}

/// What every replica does with an op that arrived: the envelope checks,
/// the typed decode, the fold's reading of a claim op, and a round trip.
fn decode_op(op: &WireOp, stamp: Option<&claimdesk_core::Stamp>) {
    let _ = claimdesk_sync::admit::check_envelope(op, &admin(), 0, 60_000).map_err(|r| r.reason);
    if let Ok(typed) = Op::decode(&op.kind, &op.payload) {
        let _ = typed.scope();
        let _ = typed.required_action();
        // What was read writes back to a payload that reads again.
        let again = Op::decode(&typed.kind(), &typed.payload());
        assert!(again.is_ok(), "op {} re-encoded does not decode: {again:?}", op.kind);
    }
    let stamp = stamp.cloned().unwrap_or(claimdesk_core::Stamp::of_role(Role::Reviewer, None));
    if let Err(e) = FoldOp::from_wire(op, stamp) {
        let _ = e.message().render(Lang::Ko);
    }
}

/// Any bytes as each body a peer sends: to the server (login, push) and
/// from it (push and pull answers, health, errors, the roster).
pub fn sync_wire(data: &[u8]) {
    let _ = serde_json::from_slice::<LoginRequest>(data);
    if let Ok(push) = serde_json::from_slice::<RawPush<'_>>(data) {
        for raw in push.ops {
            match serde_json::from_str::<WireOp>(raw.get()) {
                Ok(op) => decode_op(&op, None),
                Err(_) => {
                    let _ = serde_json::from_str::<OpIdOnly>(raw.get());
                }
            }
        }
    }
    if let Ok(push) = serde_json::from_slice::<PushRequest>(data) {
        for op in &push.ops {
            decode_op(op, None);
        }
    }
    if let Ok(op) = serde_json::from_slice::<WireOp>(data) {
        decode_op(&op, None);
    }
    if let Ok(pull) = serde_json::from_slice::<PullResponse>(data) {
        for p in &pull.ops {
            decode_op(&p.op, p.stamp.as_ref());
        }
    }
    let _ = serde_json::from_slice::<PushResponse>(data);
    let _ = serde_json::from_slice::<LoginResponse>(data);
    let _ = serde_json::from_slice::<Health>(data);
    let _ = serde_json::from_slice::<ErrorBody>(data);
    let _ = serde_json::from_slice::<Vec<UserInfo>>(data);
}

/// The op kinds a payload is read for: every claim action and every other op.
fn kinds() -> Vec<String> {
    let mut kinds: Vec<String> = ClaimAction::ALL.iter().map(|a| format!("claim.{}", a.code())).collect();
    kinds.extend(
        [
            "claim.import",
            "batch.create",
            "batch.approve",
            "policy.create",
            "policy.activate",
            "catalog.replace",
            "incident.create",
            "incident.update",
            "payout.export",
            "payout.confirm",
            "payout.cancel",
            "user.create",
            "user.update",
            "user.password",
            "user.roster",
            "session.sign_in",
            "view.save",
            "view.delete",
            "setting.set",
            "import.file",
            "sync.retry_parked",
            "sync.dismiss_parked",
        ]
        .map(String::from),
    );
    kinds
}

/// Structure-aware: the first byte picks an op kind, the rest is its payload
/// as JSON, wrapped in a valid envelope, so that the fuzzer spends its time
/// inside each kind's payload decoder rather than on the envelope.
pub fn op_payload(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let kinds = kinds();
    let kind = &kinds[usize::from(pick) % kinds.len()];
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(rest) else { return };
    let op = WireOp {
        op_id: "01890a5d-ac96-774b-bcce-b302099a8057".into(),
        hlc: 1,
        user: "admin".into(),
        device: "fuzz".into(),
        entity: "claim:C-1".into(),
        kind: kind.clone(),
        payload,
        base: Some(1),
        at_ms: 0,
    };
    decode_op(&op, None);
}
