//! kill -9 of a desktop in the middle of a pull (quality.md, reliability):
//! the store opens, passes `PRAGMA integrity_check`, its audit chain
//! verifies, every page is either wholly applied with its cursor or not at
//! all, and the pull run again completes to the same state as an
//! uninterrupted one. The child is this test binary run again
//! (`pull_child`, which does nothing unless its environment names a store).

use std::path::Path;
use std::time::Duration;

use claimdesk_core::Catalog;
use claimdesk_store::import::ImportOptions;
use claimdesk_store::Store;
use claimdesk_sync::protocol::PulledOp;
use rand::{Rng, SeedableRng};

const PAGE: usize = 150;

/// Applies the ops file to the store from its cursor to the end, page by page.
fn pull_all(db: &Path, ops: &[PulledOp]) {
    let mut store = Store::open(db).expect("store");
    loop {
        let cursor = store.sync_cursor().expect("cursor") as usize;
        if cursor >= ops.len() {
            break;
        }
        let end = (cursor + PAGE).min(ops.len());
        store.apply_pulled(&ops[cursor..end], end as i64, (ops.len() - end) as i64).expect("apply");
    }
}

#[test]
fn pull_child() {
    let (Ok(db), Ok(ops)) = (std::env::var("CLAIMDESK_KILL_DB"), std::env::var("CLAIMDESK_KILL_OPS")) else {
        return;
    };
    let ops: Vec<PulledOp> = serde_json::from_slice(&std::fs::read(ops).expect("ops")).expect("ops json");
    pull_all(Path::new(&db), &ops);
}

#[test]
fn a_pull_killed_at_random_points_loses_nothing_and_completes() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("intake.csv");
    claimdesk_synth::write_csv_file(
        &claimdesk_synth::SynthConfig::benchmark(3_000),
        &Catalog::default_2022(),
        &csv,
    )
    .expect("synth");
    let mut source = Store::open(&dir.path().join("source.db")).expect("source");
    let admin = source.actor("admin").expect("admin");
    source.import_file(&admin, &csv, ImportOptions::default(), &mut |_| true).expect("import");
    // As the server sends them: numbered, stamped with the author's role.
    let stamp = claimdesk_core::ops::Stamp::of_role(claimdesk_core::Role::Admin, None);
    let ops: Vec<PulledOp> = source
        .outbox_page(1_000_000)
        .expect("outbox")
        .into_iter()
        .enumerate()
        .map(|(i, op)| PulledOp { seq: i as i64 + 1, op, stamp: Some(stamp.clone()) })
        .collect();
    let ops_file = dir.path().join("ops.json");
    std::fs::write(&ops_file, serde_json::to_vec(&ops).expect("json")).expect("write");
    // The reference: the same pull, never interrupted.
    let reference = dir.path().join("reference.db");
    pull_all(&reference, &ops);
    let expected = Store::open(&reference).expect("reference").canonical_dump().expect("dump");

    let db = dir.path().join("desk.db");
    let exe = std::env::current_exe().expect("test binary");
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut killed = 0;
    for _ in 0..8 {
        let mut child = std::process::Command::new(&exe)
            .args(["--exact", "pull_child", "--nocapture", "--test-threads", "1"])
            .env("CLAIMDESK_KILL_DB", &db)
            .env("CLAIMDESK_KILL_OPS", &ops_file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("child");
        std::thread::sleep(Duration::from_millis(rng.random_range(20..400)));
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        child.wait().expect("reaped");
        let store = Store::open(&db).expect("opens after kill -9");
        assert_eq!(store.integrity_check().expect("integrity"), "ok");
        store.verify_audit().expect("the audit chain verifies");
        // Nothing half-applied: the claims are exactly those of the pages up to the cursor.
        let cursor = store.sync_cursor().expect("cursor") as usize;
        let imported = ops[..cursor].iter().filter(|o| o.op.kind == "claim.import").count() as i64;
        let claims: i64 =
            store.conn().query_row("SELECT count(*) FROM claims", [], |r| r.get(0)).expect("count");
        assert_eq!(claims, imported, "the claims are those of the pages the cursor covers");
    }
    assert!(killed > 0, "at least one pull was killed in the middle");
    pull_all(&db, &ops);
    let store = Store::open(&db).expect("store");
    assert_eq!(store.canonical_dump().expect("dump"), expected);
    store.verify_audit().expect("chain");
}
