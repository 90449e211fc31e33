//! The admin subcommands and the settings file, against the real binary.

mod common;

use std::process::Command;

use claimdesk_sync::protocol::ErrorBody;
use common::*;

fn admin(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .env("CLAIMDESK_SERVER_DATABASE_URL", db)
        .env("CLAIMDESK_SERVER_PASSWORD", "new-password-1")
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .expect("run claimdesk-server")
}

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_take_effect_at_once() {
    let db = fresh_database("admin").await;
    let now = claimdesk_server::db::SCHEMA_VERSION;
    assert!(ok(&admin(&db, &["migrate"])).contains(&format!("database schema {now} (was 0)")));
    assert!(
        ok(&admin(&db, &["migrate"])).contains(&format!("database schema {now} (was {now})")),
        "migrate twice is harmless"
    );
    create_user(&db, "kim", "reviewer", None);
    create_user(&db, "park", "supervisor", Some(1_000_000));
    let again = admin(&db, &["user", "create", "--id", "kim", "--name", "x", "--role", "reviewer"]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let bad = admin(&db, &["user", "create", "--id", "z", "--name", "z", "--role", "boss"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a role"));
    let list = ok(&admin(&db, &["user", "list"]));
    assert!(list.contains("kim") && list.contains("1000000"), "{list}");

    let server = Server::start(&db);
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    assert!(ok(&admin(&db, &["device", "list"])).contains("dev-kim"));

    // A role change applies to the next push.
    let batch = kim.op("batch:B", "batch.create", serde_json::json!({"id": "B", "name": "1차"}));
    assert_eq!(outcome_code(&kim.push(std::slice::from_ref(&batch)).await[0]), "rejected:ROLE_NOT_ALLOWED");
    ok(&admin(&db, &["user", "set-role", "--id", "kim", "--role", "supervisor"]));
    let batch2 = kim.op("batch:B", "batch.create", serde_json::json!({"id": "B", "name": "1차"}));
    assert_eq!(outcome_code(&kim.push(&[batch2]).await[0]), "accepted");

    // A new password: the old one no longer signs in, the new one does.
    ok(&admin(&db, &["user", "reset-password", "--id", "park"]));
    let login = |user: &str, password: &str, device: &str| {
        reqwest::Client::new()
            .post(format!("{}/v1/login", server.url))
            .header(claimdesk_sync::protocol::HEADER_PROTOCOL, claimdesk_sync::protocol::PROTOCOL_VERSION.to_string())
            .header(claimdesk_sync::protocol::HEADER_SCHEMA, "2")
            .json(&serde_json::json!({"user": user, "password": password, "device_id": device, "device_name": "d"}))
            .send()
    };
    assert_eq!(login("park", "password-park", "dev-park").await.expect("login").status(), 401);
    assert_eq!(login("park", "new-password-1", "dev-park").await.expect("login").status(), 200);

    // Revoking a device: its token stops working and it cannot sign in again.
    ok(&admin(&db, &["device", "revoke", "--id", "dev-kim"]));
    let r = kim.get("/v1/pull?after=0").await;
    assert_eq!(r.status(), 401);
    assert!(r.json::<ErrorBody>().await.expect("body").message.contains("revoked"));
    assert_eq!(login("kim", "password-kim", "dev-kim").await.expect("login").status(), 403);
    let kim2 = Api::login(&server.url, "kim", "dev-kim-2").await;
    assert_eq!(kim2.get("/v1/users").await.status(), 200);

    // Deactivating a user signs out every device and refuses sign-in.
    ok(&admin(&db, &["user", "deactivate", "--id", "kim"]));
    assert_eq!(kim2.get("/v1/users").await.status(), 401);
    assert_eq!(login("kim", "password-kim", "dev-kim-3").await.expect("login").status(), 401);
    let users: Vec<claimdesk_sync::protocol::UserInfo> = {
        let mut park = Api::new(&server.url);
        park.user = "park".into();
        let r = login("park", "new-password-1", "dev-park-2").await.expect("login");
        park.token = Some(r.json::<claimdesk_sync::protocol::LoginResponse>().await.expect("body").token);
        park.get("/v1/users").await.json().await.expect("users")
    };
    assert!(users.iter().any(|u| u.id == "kim" && !u.active));
}

/// Schema 4: claims stored before it get the extra intake columns in what the
/// policy reads (a segment policy reads a tier from there), from the latest
/// intake update or else the import.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_5_gives_stored_claims_their_extra_intake_columns() {
    let db = fresh_database("extra").await;
    ok(&admin(&db, &["migrate"]));
    let (client, conn) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(conn);
    // Three claims as schema 3 stored them: the input without `extra`.
    let mut tiered = claim_json("X-1");
    tiered["extra"] = serde_json::json!({"멤버십 등급": "블랙"});
    let mut updated = claim_json("X-2");
    updated["extra"] = serde_json::json!({"멤버십 등급": "T 블루"});
    let mut update_row = claim_json("X-2");
    update_row["extra"] = serde_json::json!({"멤버십 등급": "벤티"});
    let rows = [
        ("X-1", tiered, serde_json::json!({"status": "new"})),
        ("X-2", updated, serde_json::json!({"status": "new", "intake": update_row})),
        ("X-3", claim_json("X-3"), serde_json::json!({"status": "new"})),
    ];
    for (i, (id, payload, state)) in rows.iter().enumerate() {
        let entity = format!("claim:{id}");
        let op_id = uuid::Uuid::now_v7();
        client
            .execute(
                "INSERT INTO ops (op_id, hlc, author, device, entity, kind, payload, at_ms)
                 VALUES ($1, $2, 'seeder', 'd', $3, 'claim.import', $4, 0)",
                &[&op_id, &(i as i64 + 1), &entity, &payload.to_string()],
            )
            .await
            .expect("import op");
        let mut input = payload.clone();
        if let Some(map) = input.as_object_mut() {
            map.remove("extra");
        }
        client
            .execute(
                "INSERT INTO claims (entity, category, service, input, state) VALUES ($1, 'taxi_driver', 'kakao_t', $2, $3)",
                &[&entity, &input.to_string(), &state.to_string()],
            )
            .await
            .expect("claim row");
    }
    // Back to schema 4 (the later migrations' tables go too, to be made again).
    client
        .batch_execute(
            "DELETE FROM schema_migrations WHERE version >= 5; DROP TABLE login_guard; DROP TABLE server_identity;
             ALTER TABLE devices DROP COLUMN token_expires_at, DROP COLUMN secret_hash;
             ALTER TABLE ops DROP COLUMN cited",
        )
        .await
        .expect("back to 4");
    let now = claimdesk_server::db::SCHEMA_VERSION;
    assert!(ok(&admin(&db, &["migrate"])).contains(&format!("database schema {now} (was 4)")));
    let extra = |id: &'static str| {
        let client = &client;
        async move {
            let row = client
                .query_one("SELECT input FROM claims WHERE entity = $1", &[&format!("claim:{id}")])
                .await
                .expect("row");
            let input: claimdesk_core::policy::PolicyInput =
                serde_json::from_str(row.get::<_, &str>(0)).expect("input");
            input.extra.get("멤버십 등급").cloned()
        }
    };
    assert_eq!(extra("X-1").await.as_deref(), Some("블랙"), "from the import");
    assert_eq!(extra("X-2").await.as_deref(), Some("벤티"), "from the latest intake update");
    assert_eq!(extra("X-3").await, None, "a claim without extra columns is left as it was");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_newer_than_the_binary_is_refused() {
    let db = fresh_database("newer").await;
    ok(&admin(&db, &["migrate"]));
    let (client, conn) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(conn);
    client.batch_execute("INSERT INTO schema_migrations (version) VALUES (99)").await.expect("bump");
    let out = admin(&db, &["migrate"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schema 99") && err.contains("newer"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_file_is_read_and_the_environment_wins() {
    let db = fresh_database("config").await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("server.toml");
    std::fs::write(
        &path,
        format!("database_url = \"{db}\"\nlisten = \"127.0.0.1:1\"\nmax_clock_ahead_ms = 1000\nlog_format = \"json\"\n"),
    )
    .expect("write");
    // listen comes from the environment (port 0), the rest from the file.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Command::new(bin())
        .args(["--config", &path.to_string_lossy()])
        .env("CLAIMDESK_SERVER_LISTEN", "127.0.0.1:0")
        .env_remove("CLAIMDESK_SERVER_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start");
    let stderr = child.stderr.take().expect("stderr");
    let child = KillOnDrop(child);
    let line = std::io::BufRead::lines(std::io::BufReader::new(stderr))
        .map_while(Result::ok)
        .find(|l| l.contains("listening"))
        .expect("a listening line");
    let v: serde_json::Value = serde_json::from_str(&line).expect("json log");
    let url = format!("http://{}", v["address"].as_str().expect("address"));
    create_user(&db, "kim", "reviewer", None);
    let kim = Api::login(&url, "kim", "dev-kim").await;
    let mut ahead = note(&kim, "C-1", "2 s ahead");
    ahead.hlc = (((now_ms() + 2_000) as u64) << 16) as i64;
    assert_eq!(
        outcome_code(&kim.push(&[ahead]).await[0]),
        "rejected:CLOCK_AHEAD",
        "the file's bound of 1 s applies"
    );
    drop(child);

    std::fs::write(&path, "lissen = 1\n").expect("write");
    let out =
        Command::new(bin()).args(["--config", &path.to_string_lossy(), "migrate"]).output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("lissen"));
}
