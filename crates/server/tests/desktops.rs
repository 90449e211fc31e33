//! Two desktops (real SQLite stores, the real SyncClient) make conflicting
//! offline decisions and sync through the real server on PostgreSQL: exactly
//! one conflict, which a supervisor resolves; then every store converges.

mod common;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use claimdesk_core::ClaimStatus;
use claimdesk_store::import::ImportOptions;
use claimdesk_store::Store;
use claimdesk_sync::client::{ClientConfig, SyncClient};
use claimdesk_sync::engine::SyncReport;
use claimdesk_sync::protocol::LoginRequest;
use common::*;

const INTAKE: &str = "claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,claimed_amount_krw,daily_income_krw,documented_loss_krw,ad_spend_krw,description
T-001,2022-10-19T09:12:00+09:00,taxi_driver,김택시,010-1234-5678,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,\"60,000\",\"180,000\",,,카카오 T 호출이 안 돼서 손님을 못 받았습니다
T-002,2022-10-20 10:00,소상공인,가나다식당,,220-81-62517,talk_channel,2022-10-15 16:00,2022-10-17 18:00,400000원,,,,카카오톡 채널 예약 메시지가 오지 않아 예약 손님을 놓쳤습니다
T-003,2022-10-21 11:00,paid_subscriber,이구독,01022223333,,melon,2022-10-15 15:30,2022-10-16 13:00,,,,,멜론 이용권을 쓰지 못했습니다
";

struct Desk {
    store: Store,
    client: SyncClient,
    user: String,
}

impl Desk {
    /// A new desktop store whose local roster has `user`, signed in to the server as `user`.
    fn new(dir: &Path, name: &str, server: &str, user: &str, role: claimdesk_core::Role) -> Desk {
        let mut store = Store::open(&dir.join(format!("{name}.db"))).expect("store");
        if user != "admin" {
            let admin = store.actor("admin").expect("local admin");
            store.create_user(&admin, user, user, role, None).expect("local user");
        }
        let mut client = SyncClient::new(&ClientConfig::new(server, 2)).expect("client");
        client
            .login(&LoginRequest {
                user: user.into(),
                password: format!("password-{user}"),
                device_id: store.device().to_string(),
                device_name: name.into(),
                device_secret: String::new(),
            })
            .expect("login");
        Desk { store, client, user: user.into() }
    }

    fn sync(&mut self) -> SyncReport {
        self.client.sync(&mut self.store, &mut |_| {}, &AtomicBool::new(false)).expect("sync")
    }
}

#[test]
fn conflicting_offline_decisions_make_one_conflict_a_supervisor_resolves() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let db = runtime.block_on(fresh_database("desktops"));
    for (id, role) in [("admin", "admin"), ("sam", "supervisor"), ("alice", "reviewer"), ("bob", "reviewer")]
    {
        create_user(&db, id, role, None);
    }
    let server = Server::start(&db);
    let dir = tempfile::tempdir().expect("dir");
    use claimdesk_core::Role;

    // The office imports the claims and syncs them to the server.
    let mut office = Desk::new(dir.path(), "office", &server.url, "admin", Role::Admin);
    let file = dir.path().join("intake.csv");
    std::fs::write(&file, INTAKE).expect("intake");
    let admin = office.store.actor("admin").expect("admin");
    office.store.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");
    let report = office.sync();
    assert!(report.accepted >= 3, "the imports were accepted: {report:?}");
    // Refused: the store's bootstrap ops (made by `system` when the store was
    // created) and its local user changes; users live on the server.
    // The store's bootstrap ops and its local users stay on the desktop: nothing is refused.
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);

    let mut alice = Desk::new(dir.path(), "alice", &server.url, "alice", Role::Reviewer);
    let mut bob = Desk::new(dir.path(), "bob", &server.url, "bob", Role::Reviewer);
    let mut sam = Desk::new(dir.path(), "sam", &server.url, "sam", Role::Supervisor);
    for d in [&mut alice, &mut bob, &mut sam] {
        d.sync();
        assert_eq!(d.store.claim("T-001").expect("pulled claim").status, ClaimStatus::New);
    }

    // Offline, alice and bob both take T-001; alice also annotates T-002.
    let a = alice.store.actor("alice").expect("alice");
    let b = bob.store.actor("bob").expect("bob");
    alice.store.take(&a, "T-001", None).expect("alice takes");
    bob.store.take(&b, "T-001", None).expect("bob takes");
    alice
        .store
        .annotate(&a, "T-002", None, Some(claimdesk_core::workflow::Priority::High), None)
        .expect("annotate");
    // A reviewer's device that tries to resolve: refused locally by the core.
    assert!(alice.store.resolve_conflict(&a, "T-001", None, ClaimStatus::Triaged, "").is_err());

    // Back online: everyone syncs twice around.
    for _ in 0..2 {
        for d in [&mut alice, &mut bob, &mut sam, &mut office] {
            let r = d.sync();
            assert!(r.rejected.is_empty(), "{} was refused: {:?}", d.user, r.rejected);
        }
    }
    for d in [&alice, &bob, &sam, &office] {
        assert_eq!(d.store.claim("T-001").expect("claim").status, ClaimStatus::Conflict, "{}", d.user);
        let open = d.store.conflicts(false).expect("conflicts");
        assert_eq!(open.len(), 1, "exactly one conflict on {}", d.user);
        assert_eq!(open[0].ops.len(), 2, "both decisions kept side by side");
        assert_ne!(d.store.claim("T-002").expect("claim").status, ClaimStatus::Conflict);
    }

    // The supervisor resolves it; the choice is an op like any other.
    let s = sam.store.actor("sam").expect("sam");
    sam.store
        .resolve_conflict(&s, "T-001", None, ClaimStatus::InReview, "김 심사자가 계속 검토")
        .expect("resolve");
    for _ in 0..2 {
        for d in [&mut sam, &mut alice, &mut bob, &mut office] {
            d.sync();
        }
    }
    let dump = office.store.canonical_dump().expect("dump");
    for d in [&alice, &bob, &sam] {
        assert_eq!(d.store.canonical_dump().expect("dump"), dump, "{} converged with the office", d.user);
    }
    for d in [&alice, &bob, &sam, &office] {
        assert_eq!(d.store.claim("T-001").expect("claim").status, ClaimStatus::InReview);
        assert!(d.store.conflicts(false).expect("open").is_empty());
        assert_eq!(d.store.conflicts(true).expect("all").len(), 1, "the resolved conflict stays on record");
    }
}
