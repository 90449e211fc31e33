//! The app's sync layer (src-tauri/src/sync.rs, the functions under the sync
//! commands) against the real `claimdesk-server` on a throwaway PostgreSQL
//! cluster from scripts/pg.sh (as crates/server/tests do). No window.
//!
//! Four desktops: an admin imports claims; two reviewers sign in, take the
//! same claim offline and sync (one conflict everywhere); a supervisor
//! resolves it and every store ends with the resolution. Also what the app
//! adds: the status (pending, last sync, conflicts), offline sign-in with the
//! last verified password, leases seen by another store, and parked ops
//! (listed with advice, retried, dismissed with an audit entry).
//!
//! Needs the server binary next to this test's target dir (`cargo build -p
//! claimdesk-server`; scripts/test.sh builds the whole workspace first) and
//! PostgreSQL's initdb (scripts/pg.sh finds it).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Duration;

use claimdesk_app::sync::{self as appsync, SyncRuntime};
use claimdesk_core::ClaimStatus;
use claimdesk_store::claims::TriageChange;
use claimdesk_store::import::ImportOptions;
use claimdesk_store::{Store, FIRST_ADMIN};

fn repo_root() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("..")
    .canonicalize()
    .expect("repo root")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The server binary: `CLAIMDESK_SERVER_BIN`, else the one of this target dir, built when missing.
fn server_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("CLAIMDESK_SERVER_BIN").filter(|b| !b.is_empty()) {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir").to_path_buf();
    let bin = dir.join(format!("claimdesk-server{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(repo_root())
            .args(["build", "-p", "claimdesk-server", "--bin", "claimdesk-server"])
            .status()
            .expect("cargo build -p claimdesk-server");
        assert!(status.success(), "could not build claimdesk-server");
    }
    bin
}

/// A cluster for this test process (stopped and removed by pg.sh's watchdog when it ends).
fn database() -> String {
    database_named("main")
}

/// A cluster of its own for each test of this process.
fn database_named(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("claimdesk-appsync-pg-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cluster dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
    }
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/pg.sh"))
        .args(["--dir", &dir.join("pg").to_string_lossy(), "--port", &free_port().to_string()])
        .args(["--watch-pid", &std::process::id().to_string(), "start"])
        .output()
        .expect("run scripts/pg.sh");
    assert!(out.status.success(), "scripts/pg.sh start failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(bin: &Path, database_url: &str) -> Server {
    let mut child = Command::new(bin)
        .env("CLAIMDESK_SERVER_DATABASE_URL", database_url)
        .env("CLAIMDESK_SERVER_LISTEN", "127.0.0.1:0")
        .env("CLAIMDESK_SERVER_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start claimdesk-server");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !sent {
                if let Some(addr) = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|v| v.get("address")?.as_str().map(String::from))
                {
                    let _ = tx.send(addr);
                    sent = true;
                }
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
        let _ = child.kill();
        panic!("claimdesk-server did not start listening")
    });
    Server { child, url: format!("http://{addr}") }
}

fn create_user(bin: &Path, database_url: &str, id: &str, role: &str, limit: Option<i64>) {
    let mut cmd = Command::new(bin);
    cmd.env("CLAIMDESK_SERVER_DATABASE_URL", database_url)
        .env("CLAIMDESK_SERVER_PASSWORD", password(id))
        .env("RUST_LOG", "warn")
        .args(["user", "create", "--id", id, "--name", &format!("사용자 {id}"), "--role", role]);
    if let Some(l) = limit {
        cmd.args(["--limit", &l.to_string()]);
    }
    let out = cmd.output().expect("user create");
    assert!(out.status.success(), "user create {id}: {}", String::from_utf8_lossy(&out.stderr));
}

fn password(user: &str) -> String {
    format!("password-{user}")
}

/// The admin's desktop (a new store in `dir`) with `n` demo claims imported, not yet joined to a server.
fn admin_desktop_with_claims(dir: &Path, n: usize) -> (Store, claimdesk_core::Actor) {
    let mut admin = Store::open(&dir.join("admin.db")).expect("admin store");
    let actor = admin.set_first_admin_password("admin-local-pw").expect("first admin");
    let file = dir.join("intake.csv");
    claimdesk_synth::write_csv_file(
        &claimdesk_synth::SynthConfig::demo(n),
        &admin.catalog().expect("catalog"),
        &file,
    )
    .expect("intake file");
    admin.import_file(&actor, &file, ImportOptions::default(), &mut |_| true).expect("import");
    (admin, actor)
}

/// The admin's store (it holds claims) joined to the server by its own signed-in administrator.
fn admin_joins(admin: &mut Store, actor: &claimdesk_core::Actor, url: &str) -> appsync::ServerAccount {
    appsync::server_sign_in(admin, Some(actor), url, None, FIRST_ADMIN, &password(FIRST_ADMIN), false)
        .expect("admin signs in")
}

fn sync(store: &mut Store, rt: &SyncRuntime) -> appsync::SyncOutcome {
    let guard = rt.try_begin().expect("no other sync runs");
    let result = appsync::run_sync(store, &AtomicBool::new(false), &mut |_| {});
    rt.finish(&result);
    drop(guard);
    result.expect("sync")
}

#[test]
fn two_reviewers_conflict_offline_and_a_supervisor_resolves_it_everywhere() {
    let bin = server_bin();
    let db = database();
    for (id, role, limit) in [
        (FIRST_ADMIN, "admin", None),
        ("kim.reviewer", "reviewer", None),
        ("lee.reviewer", "reviewer", None),
        ("park.supervisor", "supervisor", Some(5_000_000)),
    ] {
        create_user(&bin, &db, id, role, limit);
    }
    let server = start_server(&bin, &db);
    let dir = tempfile::tempdir().expect("tempdir");
    let rt = SyncRuntime::default();

    // The admin's desktop imports the intake file and sends it.
    let (mut admin, admin_actor) = admin_desktop_with_claims(dir.path(), 40);
    // The store holds claims: joining it to a server is for its own administrator.
    let account = admin_joins(&mut admin, &admin_actor, &server.url);
    assert_eq!(account.user, FIRST_ADMIN);
    let before = appsync::status(&admin, &rt).expect("status");
    assert!(
        before.configured && before.signed_in && before.pending > 0 && before.last_sync_at_ms.is_none(),
        "{before:?}"
    );
    let ids = admin.queue_ids(&Default::default()).expect("ids");
    let (x, y) = (ids[0].clone(), ids[1].clone());
    admin
        .triage(
            &admin_actor,
            &x,
            None,
            TriageChange {
                category: None,
                priority: None,
                tags: Some(vec!["현장".into()]),
                duplicate_of: None,
            },
        )
        .expect("triage");
    let first = sync(&mut admin, &rt);
    let refused: Vec<_> = admin.parked_ops().expect("parked").into_iter().map(|p| (p.kind, p.code)).collect();
    assert!(first.accepted > 0 && first.rejected == 0, "{first:?} {refused:?}");
    let after = appsync::status(&admin, &rt).expect("status");
    assert_eq!(after.pending, 0);
    assert!(
        after.last_sync_at_ms.is_some() && after.online == Some(true) && after.last_error.is_none(),
        "{after:?}"
    );

    // Two reviewers' desktops: sign in (the roster comes along), first pull.
    let mut kim = Store::open(&dir.path().join("kim.db")).expect("kim store");
    let mut lee = Store::open(&dir.path().join("lee.db")).expect("lee store");
    assert!(!appsync::joined(&kim), "a new store has joined no server");
    for (store, user) in [(&mut kim, "kim.reviewer"), (&mut lee, "lee.reviewer")] {
        // A fresh store joins from the sign-in screen, nobody signed in.
        let acc = appsync::server_sign_in(store, None, &server.url, None, user, &password(user), false)
            .expect("reviewer signs in");
        assert!(acc.roster_changed >= 4, "{acc:?}");
        assert!(appsync::joined(store), "the sign-in screen now signs people in with the server's passwords");
        let pulled = sync(store, &rt);
        assert!(pulled.pulled >= first.accepted, "{pulled:?}");
        assert_eq!(store.claim_count().expect("count"), admin.claim_count().expect("count"));
        // Offline, the person signs in on this desktop with the password the server verified.
        assert_eq!(
            appsync::offline_sign_in(store, user, &password(user)).map(|a| a.user),
            Some(user.to_string())
        );
        assert!(appsync::offline_sign_in(store, user, "wrong").is_none());
    }
    let kim_actor = kim.actor("kim.reviewer").expect("kim");
    let lee_actor = lee.actor("lee.reviewer").expect("lee");

    // Kim takes claim y offline before fieldwork: Lee sees the lease after syncing.
    assert_eq!(kim.lease(&kim_actor, std::slice::from_ref(&y)).expect("lease"), 1);

    // Offline, both take claim x: two decisions on the same base.
    kim.take(&kim_actor, &x, None).expect("kim takes");
    lee.take(&lee_actor, &x, None).expect("lee takes");
    assert!(appsync::status(&kim, &rt).expect("status").pending >= 2);
    sync(&mut kim, &rt);
    sync(&mut lee, &rt);
    let kim_again = sync(&mut kim, &rt);
    assert_eq!(kim_again.conflicts, vec![x.clone()], "{kim_again:?}");
    for store in [&kim, &lee] {
        let st = appsync::status(store, &rt).expect("status");
        assert_eq!((st.conflicts, st.pending, st.parked), (1, 0, 0), "{st:?}");
        let c = appsync::conflicts(store, false).expect("conflicts");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].external_id, x);
        assert_eq!(c[0].status, ClaimStatus::Conflict);
        let mut who: Vec<&str> = c[0].sides.iter().map(|s| s.user.as_str()).collect();
        who.sort_unstable();
        assert_eq!(who, ["kim.reviewer", "lee.reviewer"]);
        assert_eq!(c[0].sides.iter().filter(|s| s.current).count(), 1, "one side is the one applied");
    }
    assert_eq!(lee.lease_holders(std::slice::from_ref(&y)).expect("holders")[0].holder, "kim.reviewer");
    assert_eq!(lee.leases(Some("kim.reviewer"), 10).expect("leases").len(), 1);

    // A reviewer cannot resolve: the core refuses, nothing changes.
    assert!(kim.resolve_conflict(&kim_actor, &x, None, ClaimStatus::Triaged, "mine").is_err());

    // The supervisor's desktop pulls everything and resolves: x goes to Lee.
    let mut park = Store::open(&dir.path().join("park.db")).expect("park store");
    appsync::server_sign_in(
        &mut park,
        None,
        &server.url,
        None,
        "park.supervisor",
        &password("park.supervisor"),
        false,
    )
    .expect("supervisor signs in");
    sync(&mut park, &rt);
    let open = appsync::conflicts(&park, false).expect("conflicts");
    assert_eq!(open.len(), 1);
    let park_actor = park.actor("park.supervisor").expect("park");
    park.resolve_conflict(&park_actor, &x, None, ClaimStatus::Triaged, "현장 확인 후 다시 배정")
        .expect("resolve");
    assert_eq!(appsync::status(&park, &rt).expect("status").conflicts, 0);
    sync(&mut park, &rt);
    for store in [&mut kim, &mut lee, &mut admin] {
        sync(store, &rt);
    }
    for store in [&kim, &lee, &admin, &park] {
        let st = appsync::status(store, &rt).expect("status");
        assert_eq!(st.conflicts, 0, "{st:?}");
        assert_eq!(store.claim(&x).expect("x").status, ClaimStatus::Triaged);
        let all = appsync::conflicts(store, true).expect("all conflicts");
        assert_eq!(all.len(), 1, "exactly one conflict, now resolved");
        assert!(all[0].resolved_by.is_some());
    }
    assert_eq!(kim.canonical_dump().expect("dump"), park.canonical_dump().expect("dump"));
    assert_eq!(lee.canonical_dump().expect("dump"), park.canonical_dump().expect("dump"));

    // A change made on Kim's desktop by another local user is refused by the
    // server (the device is signed in as Kim): parked, with advice.
    let local_admin = kim.actor(FIRST_ADMIN).expect("local admin");
    kim.add_note(&local_admin, &y, "다른 사용자의 메모").expect("note");
    let out = sync(&mut kim, &rt);
    assert_eq!(out.rejected, 1, "{out:?}");
    let parked = appsync::parked(&kim, &kim_actor).expect("parked");
    assert_eq!(parked.len(), 1);
    assert_eq!(
        (parked[0].advice, parked[0].claim.as_deref(), parked[0].can_act),
        (claimdesk_app::sync::ParkedAdvice::SignIn, Some(y.as_str()), false)
    );
    let supervisor_view = appsync::parked(&kim, &local_admin).expect("parked");
    assert!(supervisor_view[0].can_act, "an admin may act on it");
    // Retried, it goes out again (and is refused again: the cause is not fixed).
    kim.retry_parked(&local_admin, &parked[0].op_id).expect("retry");
    assert_eq!(appsync::status(&kim, &rt).expect("status").pending, 1);
    assert_eq!(sync(&mut kim, &rt).rejected, 1);
    // Dismissed: gone from the list, the op and the dismissal stay in the log.
    kim.dismiss_parked(&local_admin, &parked[0].op_id, "잘못 로그인한 채 작성").expect("dismiss");
    assert!(appsync::parked(&kim, &kim_actor).expect("parked").is_empty());
    assert_eq!(appsync::status(&kim, &rt).expect("status").parked, 0);
    let kept: i64 = kim
        .conn()
        .query_row("SELECT count(*) FROM ops WHERE op_id = ?1 OR (kind = 'sync.dismiss_parked' AND payload LIKE '%' || ?1 || '%')", [&parked[0].op_id], |r| r.get(0))
        .expect("ops");
    assert_eq!(kept, 2, "the refused change and its dismissal are both in the log");
    kim.verify_audit().expect("the audit chain holds");

    // The server gone: the sync reports offline (a status, not a crash) and nothing is lost.
    drop(server);
    kim.add_note(&kim_actor, &y, "오프라인 메모").expect("note");
    let guard = rt.try_begin().expect("free");
    assert!(rt.try_begin().is_none(), "never two syncs at once");
    let err = appsync::run_sync(&mut kim, &AtomicBool::new(false), &mut |_| {}).expect_err("offline");
    rt.finish(&Err(err.clone()));
    drop(guard);
    assert_eq!(err.code, "SYNC_OFFLINE");
    let st = appsync::status(&kim, &rt).expect("status");
    assert_eq!((st.online, st.pending), (Some(false), 1));
    assert_eq!(st.last_error.map(|e| e.code), Some("SYNC_OFFLINE".into()));
}

/// Who may choose the server (issue 10, item 3): a desktop holding claims is
/// not joined from the sign-in screen (a server of one's own would make its
/// user an administrator there); a reviewer cannot move a desktop to another
/// server, an administrator only by confirming; a server that answers as
/// another one at the trusted address gets nothing at the next sync.
#[test]
fn only_a_fresh_store_or_its_admin_chooses_the_server_and_a_changed_server_is_refused() {
    let bin = server_bin();
    let (db_a, db_b) = (database_named("team"), database_named("other"));
    for db in [&db_a, &db_b] {
        create_user(&bin, db, FIRST_ADMIN, "admin", None);
        create_user(&bin, db, "kim.reviewer", "reviewer", None);
        // The other server's operator makes himself an admin there.
        create_user(&bin, db, "mallory", "admin", None);
    }
    let (team, other) = (start_server(&bin, &db_a), start_server(&bin, &db_b));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("desk.db")).expect("store");
    let admin = store.set_first_admin_password("admin-local-pw").expect("first admin");
    let file = dir.path().join("intake.csv");
    claimdesk_synth::write_csv_file(
        &claimdesk_synth::SynthConfig::demo(10),
        &store.catalog().expect("catalog"),
        &file,
    )
    .expect("intake file");
    store.import_file(&admin, &file, ImportOptions::default(), &mut |_| true).expect("import");

    // Nobody signed in: the desktop holds claims, so no server is joined, and
    // the answering server's admin is no admin here.
    let err =
        appsync::server_sign_in(&mut store, None, &other.url, None, "mallory", &password("mallory"), false)
            .expect_err("joined from the sign-in screen");
    assert_eq!(err.code, "INVALID", "{err:?}");
    assert!(!appsync::joined(&store));
    assert!(appsync::offline_sign_in(&store, "mallory", &password("mallory")).is_none());

    // Its administrator joins the team server; the desktop says which it trusts.
    let joined = appsync::server_sign_in(
        &mut store,
        Some(&admin),
        &team.url,
        None,
        FIRST_ADMIN,
        &password(FIRST_ADMIN),
        false,
    )
    .expect("the admin joins");
    assert!(!joined.server_id.is_empty());
    let said = joined.trusted.render(claimdesk_core::message::Lang::En);
    assert!(said.contains(&team.url) && said.contains(&joined.server_id), "{said}");
    let settings = appsync::settings(&store).expect("settings");
    assert_eq!(
        (settings.server_url.as_deref(), settings.server_id.as_deref()),
        (Some(team.url.as_str()), Some(joined.server_id.as_str()))
    );
    let kim = store.actor("kim.reviewer").expect("kim from the roster");

    // Another server: a reviewer cannot switch, an admin must confirm.
    let err = appsync::server_sign_in(
        &mut store,
        Some(&kim),
        &other.url,
        None,
        "kim.reviewer",
        &password("kim.reviewer"),
        true,
    )
    .expect_err("a reviewer switches");
    assert_eq!(err.code, "SERVER_CHANGED", "{err:?}");
    let err = appsync::server_sign_in(
        &mut store,
        Some(&admin),
        &other.url,
        None,
        FIRST_ADMIN,
        &password(FIRST_ADMIN),
        false,
    )
    .expect_err("unconfirmed");
    assert_eq!(err.code, "SERVER_CHANGED");
    assert_eq!(
        appsync::settings(&store).expect("settings").server_url.as_deref(),
        Some(team.url.as_str()),
        "still the team's"
    );
    // Signing in again to the trusted server is open to anyone.
    appsync::server_sign_in(
        &mut store,
        Some(&kim),
        &team.url,
        None,
        "kim.reviewer",
        &password("kim.reviewer"),
        false,
    )
    .expect("kim signs in to the trusted server");

    // The trusted address now answers as another server (a look-alike behind
    // the same name): the sync stops before anything is sent.
    store.set_sync_setting("server_url", &other.url).expect("address");
    let pending = appsync::status(&store, &SyncRuntime::default()).expect("status").pending;
    let err =
        appsync::run_sync(&mut store, &AtomicBool::new(false), &mut |_| {}).expect_err("another server");
    assert_eq!(err.code, "SERVER_CHANGED", "{err:?}");
    assert_eq!(
        appsync::status(&store, &SyncRuntime::default()).expect("status").pending,
        pending,
        "nothing was pushed"
    );

    // An administrator who confirms moves the desktop.
    let moved = appsync::server_sign_in(
        &mut store,
        Some(&admin),
        &other.url,
        None,
        FIRST_ADMIN,
        &password(FIRST_ADMIN),
        true,
    )
    .expect("confirmed by the admin");
    assert_ne!(moved.server_id, joined.server_id);

    // Signing out ends the token on the server, not only here.
    let token = store.sync_setting("token").expect("token").expect("a token");
    assert!(appsync::server_sign_out(&mut store).expect("sign out"), "the server ended the token");
    let old = claimdesk_sync::client::SyncClient::new(&claimdesk_sync::client::ClientConfig::new(
        &other.url,
        claimdesk_store::schema::SCHEMA_VERSION as u32,
    ))
    .expect("client")
    .with_token(Some(token));
    assert_eq!(old.users().map(|_| ()).map_err(|e| e.code()), Err("SYNC_UNAUTHORIZED"));
}

/// Issue 10, item 6: a reveal made on one desktop syncs, and a supervisor on
/// another desktop sees who revealed what, from which desktop; the reviewer
/// may not list reveals, on their own desktop either.
#[test]
fn a_reveal_on_one_desktop_is_listed_for_a_supervisor_on_another() {
    let bin = server_bin();
    let db = database_named("reveals");
    for (id, role) in
        [(FIRST_ADMIN, "admin"), ("kim.reviewer", "reviewer"), ("park.supervisor", "supervisor")]
    {
        create_user(&bin, &db, id, role, None);
    }
    let server = start_server(&bin, &db);
    let dir = tempfile::tempdir().expect("tempdir");
    let rt = SyncRuntime::default();

    let (mut admin, admin_actor) = admin_desktop_with_claims(dir.path(), 5);
    admin_joins(&mut admin, &admin_actor, &server.url);
    sync(&mut admin, &rt);
    let claim = admin.queue_ids(&Default::default()).expect("ids")[0].clone();

    let mut kim = Store::open(&dir.path().join("kim.db")).expect("kim store");
    appsync::server_sign_in(
        &mut kim,
        None,
        &server.url,
        None,
        "kim.reviewer",
        &password("kim.reviewer"),
        false,
    )
    .expect("kim signs in");
    sync(&mut kim, &rt);
    let kim_actor = kim.actor("kim.reviewer").expect("kim");
    kim.reveal(&kim_actor, &claim, claimdesk_core::PersonalField::Phone).expect("reveal");
    let pushed = sync(&mut kim, &rt);
    assert!(pushed.accepted >= 1 && pushed.rejected == 0, "{pushed:?}");
    assert_eq!(kim.reveals(&kim_actor, None, 10).map_err(|e| e.code()).err(), Some("ROLE_NOT_ALLOWED"));

    let mut park = Store::open(&dir.path().join("park.db")).expect("park store");
    appsync::server_sign_in(
        &mut park,
        None,
        &server.url,
        None,
        "park.supervisor",
        &password("park.supervisor"),
        false,
    )
    .expect("park signs in");
    sync(&mut park, &rt);
    let park_actor = park.actor("park.supervisor").expect("park");
    let seen = park.reveals(&park_actor, None, 10).expect("reveals");
    assert_eq!(seen.len(), 1, "{seen:?}");
    let r = &seen[0];
    assert_eq!(
        (r.user.as_str(), r.claim_id.as_str(), r.field.as_str(), r.device.as_str(), r.pending),
        ("kim.reviewer", claim.as_str(), "phone", kim.device(), false)
    );
    assert_ne!(r.device, park.device(), "the desktop it was made on, not this one");
    // On the claim's history too, for anyone who opens the claim.
    let history = park.timeline(&claim).expect("timeline");
    assert!(history.iter().any(|e| e.kind == "claim.reveal_personal_data" && e.user == "kim.reviewer"));
}
