//! kill -9 of a process in the middle of encrypting a plain store in place
//! (decision 0009): whatever the moment, the store opens afterwards, either
//! still plain with all its claims or encrypted with all its claims; the
//! audit chain verifies, and the migration run again completes. The child
//! is this test binary run again (`encrypt_child`, which does nothing unless
//! its environment names a store).

use std::path::Path;
use std::time::Duration;

use claimdesk_core::Catalog;
use claimdesk_store::import::ImportOptions;
use claimdesk_store::keys::{inspect, StoreFile};
use claimdesk_store::Store;
use rand::{Rng, SeedableRng};

const PASSWORD: &str = "admin password";

#[test]
fn encrypt_child() {
    let Ok(db) = std::env::var("CLAIMDESK_KILL_ENCRYPT_DB") else { return };
    Store::unlock(Path::new(&db), "admin", PASSWORD).expect("unlock");
}

/// (claims, ops, last audit hash) of a store, however it opens.
fn contents(db: &Path) -> (u64, i64, Vec<u8>) {
    let store = match inspect(db).expect("inspect") {
        StoreFile::Plain => Store::open(db).expect("the plain store opens"),
        StoreFile::Encrypted => {
            Store::unlock(db, "admin", PASSWORD).expect("the encrypted store opens").store
        }
        StoreFile::Missing => panic!("the store is gone"),
    };
    assert_eq!(store.integrity_check().expect("check"), "ok");
    store.verify_audit().expect("chain");
    let ops: i64 = store.conn().query_row("SELECT count(*) FROM ops", [], |r| r.get(0)).expect("ops");
    let hash: Vec<u8> = store
        .conn()
        .query_row(
            "SELECT hash FROM ops WHERE kind <> 'session.sign_in' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("hash");
    (store.claim_count().expect("claims"), ops, hash)
}

#[test]
fn an_encryption_killed_at_random_points_leaves_a_store_that_opens_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let csv = dir.path().join("intake.csv");
    claimdesk_synth::write_csv_file(
        &claimdesk_synth::SynthConfig::benchmark(8_000),
        &Catalog::default_2022(),
        &csv,
    )
    .expect("synth");
    let template = dir.path().join("template.db");
    {
        let mut s = Store::open(&template).expect("plain");
        let admin = s.set_first_admin_password(PASSWORD).expect("admin");
        s.import_file(&admin, &csv, ImportOptions::default(), &mut |_| true).expect("import");
    }
    let expected = contents(&template);
    let exe = std::env::current_exe().expect("exe");
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let (mut plain_after, mut encrypted_after) = (0, 0);
    for round in 0..12 {
        let db = dir.path().join(format!("round{round}.db"));
        std::fs::copy(&template, &db).expect("copy");
        let mut child = std::process::Command::new(&exe)
            .args(["encrypt_child", "--exact", "--nocapture"])
            .env("CLAIMDESK_KILL_ENCRYPT_DB", &db)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(rng.random_range(50..2_500)));
        let _ = child.kill();
        let _ = child.wait();
        match inspect(&db).expect("inspect") {
            StoreFile::Plain => plain_after += 1,
            StoreFile::Encrypted => encrypted_after += 1,
            StoreFile::Missing => panic!("round {round}: the store is gone"),
        }
        let (claims, _, hash) = contents(&db);
        assert_eq!((claims, &hash), (expected.0, &expected.2), "round {round}");
        // Run again, it completes.
        let done = Store::unlock(&db, "admin", PASSWORD).expect("completes");
        drop(done);
        assert_eq!(inspect(&db).expect("inspect"), StoreFile::Encrypted, "round {round}");
        assert_eq!(contents(&db).0, expected.0, "round {round}");
    }
    eprintln!("after the kill: {plain_after} still plain, {encrypted_after} already encrypted");
}
