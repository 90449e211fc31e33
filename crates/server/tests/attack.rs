//! The server under attack (issue 10, item 4; docs/security.md): password
//! guessing, a flood of sign-ins, huge bodies, slow requests and oversized
//! ops, each against the real binary, with what a person running the server
//! would check: the status and Retry-After a client gets, whether the right
//! password gets in, the time an answer takes, and the server's memory.

mod common;

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use claimdesk_sync::protocol::*;
use common::*;
use serde_json::json;

fn opts(env: &[(&'static str, &str)]) -> ServerOpts {
    ServerOpts { env: env.iter().map(|(k, v)| (*k, v.to_string())).collect(), ..Default::default() }
}

/// One sign-in with a raw client: its status and Retry-After.
async fn sign_in(http: &reqwest::Client, url: &str, user: &str, password: &str) -> (u16, Option<u64>) {
    let r = http
        .post(format!("{url}/v1/login"))
        .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
        .header(HEADER_SCHEMA, "3")
        .json(&LoginRequest {
            user: user.into(),
            password: password.into(),
            device_id: format!("dev-{user}"),
            device_name: String::new(),
            device_secret: format!("secret-{user}"),
        })
        .send()
        .await
        .expect("login request");
    let retry = r
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (r.status().as_u16(), retry)
}

fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(address))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// 200 wrong passwords in a row: the first `login_attempts` are checked
/// (401), every one after is refused with 429 and Retry-After without a
/// check, the right password is refused too while the lock lasts (also
/// after waiting half of it), and gets in once the window has passed.
/// Another account on the same address is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_wrong_passwords_lock_the_account_until_the_window_passes() {
    let db = fresh_database("guess").await;
    create_user(&db, "kim", "reviewer", None);
    create_user(&db, "lee", "reviewer", None);
    let lock = 6u64;
    let server = Server::start_with(&db, opts(&[("LOGIN_ATTEMPTS", "10"), ("LOGIN_LOCK_SECS", "6")]));
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut locked_at = None;
    for i in 0..200 {
        let (status, retry) = sign_in(&http, &server.url, "kim", &format!("guess-{i}")).await;
        if status == 429 {
            locked_at.get_or_insert_with(Instant::now);
            assert!(retry.is_some_and(|s| (1..=lock).contains(&s)), "429 says when: {retry:?}");
        }
        statuses.push(status);
    }
    let locked_at = locked_at.expect("the guesses were throttled");
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 190, "{statuses:?}");
    assert!(statuses[..10].iter().all(|s| *s == 401) && statuses[10..].iter().all(|s| *s == 429));

    let right = "password-kim";
    assert_eq!(
        sign_in(&http, &server.url, "kim", right).await.0,
        429,
        "the right password waits out the lock"
    );
    assert_eq!(sign_in(&http, &server.url, "lee", "password-lee").await.0, 200, "lee is not locked");
    tokio::time::sleep(Duration::from_secs(lock / 2)).await;
    let (status, retry) = sign_in(&http, &server.url, "kim", right).await;
    assert_eq!(status, 429, "waiting less than the window gains nothing");
    assert!(retry.is_some_and(|s| s <= lock / 2 + 1), "{retry:?}");
    let until = locked_at + Duration::from_secs(lock) + Duration::from_millis(700);
    tokio::time::sleep(until.saturating_duration_since(Instant::now())).await;
    assert_eq!(
        sign_in(&http, &server.url, "kim", right).await.0,
        200,
        "after the window the right password works"
    );

    // An administrator ends a lock at once.
    for i in 0..11 {
        sign_in(&http, &server.url, "lee", &format!("guess-{i}")).await;
    }
    assert_eq!(sign_in(&http, &server.url, "lee", "password-lee").await.0, 429);
    let out = std::process::Command::new(bin())
        .env("CLAIMDESK_SERVER_DATABASE_URL", &db)
        .env("RUST_LOG", "warn")
        .args(["user", "unlock", "--id", "lee"])
        .output()
        .expect("unlock");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "unlocked lee");
    assert_eq!(sign_in(&http, &server.url, "lee", "password-lee").await.0, 200);
}

/// One address gets its sign-ins of the minute, then 429 with Retry-After,
/// whatever accounts it tries; a person at another address signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_from_one_address_are_throttled_and_other_addresses_are_not() {
    let db = fresh_database("address").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start_with(&db, opts(&[("LOGIN_PER_ADDRESS_PER_MINUTE", "5")]));
    let attacker = client_from([127, 0, 0, 2]);
    let mut statuses = Vec::new();
    for i in 0..20 {
        let (status, retry) = sign_in(&attacker, &server.url, &format!("user{i}"), "guess").await;
        if status == 429 {
            assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(sign_in(&attacker, &server.url, "kim", "password-kim").await.0, 429);
    let colleague = client_from([127, 0, 0, 3]);
    assert_eq!(sign_in(&colleague, &server.url, "kim", "password-kim").await.0, 200);
}

/// Samples the server's VmRSS until `stop`; the highest seen, KiB.
fn watch_memory(server: &Server, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    let pid = server.child.id();
    std::thread::spawn(move || {
        let mut peak = 0;
        while !stop.load(Ordering::Relaxed) {
            if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                let rss = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    .unwrap_or(0);
                peak = peak.max(rss);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        peak
    })
}

/// Hundreds of sign-ins at once, from many addresses and for many accounts
/// (so that only the bound on password checks holds them): the server keeps
/// answering /health, an honest client's pushes and pulls, and stays far
/// below the 2 GB an unbounded number of argon2 checks once took.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_sign_ins_leaves_health_and_an_honest_client_served_in_bounded_memory() {
    let db = fresh_database("flood").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start_with(&db, opts(&[("LOGIN_ATTEMPTS", "1000000")]));
    let claims: Vec<String> = (0..20).map(|i| format!("F-{i}")).collect();
    seed(&server.url, &db, &claims).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let before = server.rss_kib();

    let stop = Arc::new(AtomicBool::new(false));
    let memory = watch_memory(&server, stop.clone());
    let counts: Arc<[AtomicU64; 4]> = Arc::new(Default::default()); // 401, 503, 429, other
                                                                    // The flood runs on a runtime of its own, so that the honest client
                                                                    // below does not wait behind the attacker's tasks in this process.
    let attacker = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("attacker runtime");
    let mut flood = Vec::new();
    for t in 0..300u32 {
        let url = server.url.clone();
        let stop = stop.clone();
        let counts = counts.clone();
        flood.push(attacker.spawn(async move {
            let http = client_from([127, 1, (t / 250) as u8, (t % 250) as u8 + 1]);
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let (status, retry) = sign_in(&http, &url, &format!("nobody-{t}-{n}"), "guess").await;
                let slot = match status {
                    401 => 0,
                    503 => {
                        assert!(retry.is_some(), "a busy answer says when to come back");
                        1
                    }
                    429 => 2,
                    _ => 3,
                };
                counts[slot].fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        }));
    }
    // The honest client works while the flood goes on.
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut rounds = 0;
    while started.elapsed() < Duration::from_secs(10) {
        let t = Instant::now();
        let health = reqwest::get(format!("{}/health", server.url)).await.expect("health");
        assert!(health.status().is_success(), "health answered {}", health.status());
        let results = kim.push(&[note(&kim, &format!("F-{}", rounds % 20), &format!("메모 {rounds}"))]).await;
        assert_eq!(outcome_code(&results[0]), "accepted");
        let page = kim.pull_page(0, 100).await;
        assert!(!page.ops.is_empty());
        slowest = slowest.max(t.elapsed());
        rounds += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for f in flood {
        f.await.expect("flood task");
    }
    attacker.shutdown_background();
    let peak = memory.join().expect("memory watch");
    let [wrong, busy, throttled, other] = [0, 1, 2, 3].map(|i| counts[i].load(Ordering::Relaxed));
    eprintln!(
        "flood: {wrong} checked and refused, {busy} busy, {throttled} throttled, {other} other; \
         honest rounds {rounds}, slowest {slowest:?}; server memory {before} KiB before, peak {peak} KiB"
    );
    assert_eq!(other, 0, "every sign-in of the flood was answered 401, 503 or 429");
    assert!(busy > wrong, "most of the flood was turned away without a check ({busy} vs {wrong})");
    assert!(rounds >= 8, "the honest client kept working: {rounds} rounds");
    assert!(slowest < Duration::from_secs(5), "an honest round took {slowest:?}");
    assert!(peak < 400 * 1024, "the server peaked at {peak} KiB");
}

/// Writes a request head and up to `body` bytes of body on a raw socket
/// (the body in a thread, as far as the server reads it); returns the
/// answer's first bytes and how long it took to come.
fn raw_push(addr: &str, head: String, body: usize) -> (String, Duration) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let started = Instant::now();
    s.write_all(head.as_bytes()).expect("head");
    let mut writer = s.try_clone().expect("clone");
    let sender = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < body {
            let n = chunk.len().min(body - sent);
            if writer.write_all(&chunk[..n]).is_err() {
                break;
            }
            sent += n;
        }
        sent
    });
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).unwrap_or(0);
    let took = started.elapsed();
    drop(s);
    let _ = sender.join();
    (String::from_utf8_lossy(&buf[..n]).to_string(), took)
}

fn push_head(addr: &str, token: &str, length: usize) -> String {
    format!(
        "POST /v1/push HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n{HEADER_PROTOCOL}: {PROTOCOL_VERSION}\r\n{HEADER_SCHEMA}: 3\r\nauthorization: Bearer {token}\r\n\r\n"
    )
}

/// A 60 MB push with a bad token is answered 401 at once, before the body
/// (all 60 MB are sent); with a good token it is answered 413 from its
/// announced length, and a chunked body that grows past the limit is cut
/// there: the server's memory does not grow by the body in any of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixty_megabyte_body_is_refused_without_being_read() {
    let db = fresh_database("huge").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start(&db);
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let addr = server.url.trim_start_matches("http://").to_string();
    let before = server.rss_kib();
    let stop = Arc::new(AtomicBool::new(false));
    let memory = watch_memory(&server, stop.clone());
    let size = 60 * 1024 * 1024;

    let (a, token) = (addr.clone(), kim.token.clone().expect("token"));
    let (bad, good, chunked) = tokio::task::spawn_blocking(move || {
        let bad = raw_push(&a, push_head(&a, "not-a-token", size), size);
        let good = raw_push(&a, push_head(&a, &token, size), size);
        let head = format!(
            "POST /v1/push HTTP/1.1\r\nhost: {a}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n{HEADER_PROTOCOL}: {PROTOCOL_VERSION}\r\n{HEADER_SCHEMA}: 3\r\nauthorization: Bearer {token}\r\n\r\n"
        );
        let mut s = std::net::TcpStream::connect(&a).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        s.write_all(head.as_bytes()).expect("head");
        let chunk = vec![b' '; 1024 * 1024];
        let started = Instant::now();
        for _ in 0..60 {
            if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).is_err()
                || s.write_all(&chunk).is_err()
                || s.write_all(b"\r\n").is_err()
            {
                break;
            }
        }
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).unwrap_or(0);
        (bad, good, (String::from_utf8_lossy(&buf[..n]).to_string(), started.elapsed()))
    })
    .await
    .expect("client");
    stop.store(true, Ordering::Relaxed);
    let peak = memory.join().expect("memory");
    eprintln!(
        "bad token {:?}, good token {:?}, chunked {:?}; memory {before} -> peak {peak} KiB",
        bad.1, good.1, chunked.1
    );
    assert!(bad.0.starts_with("HTTP/1.1 401"), "{}", bad.0);
    assert!(bad.1 < Duration::from_secs(2), "the bad token was answered in {:?}", bad.1);
    assert!(good.0.starts_with("HTTP/1.1 413"), "{}", good.0);
    assert!(good.0.contains("too_large") && good.0.contains("16 MiB"), "{}", good.0);
    assert!(good.1 < Duration::from_secs(2), "{:?}", good.1);
    assert!(chunked.0.starts_with("HTTP/1.1 413"), "{}", chunked.0);
    assert!(peak < before + 48 * 1024, "memory grew from {before} to {peak} KiB");
    assert!(reqwest::get(format!("{}/health", server.url)).await.expect("health").status().is_success());
}

/// A request that does not finish within the request timeout (a body that
/// trickles in) is answered 503 and dropped; the server goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_trickles_is_ended_by_the_timeout() {
    let db = fresh_database("slow").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start_with(&db, opts(&[("REQUEST_TIMEOUT_SECS", "2")]));
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let addr = server.url.trim_start_matches("http://").to_string();
    let token = kim.token.clone().expect("token");
    let (answer, took) = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
        s.write_all(push_head(&addr, &token, 1000).as_bytes()).expect("head");
        let started = Instant::now();
        let mut buf = [0u8; 1024];
        // One byte every 300 ms: a body of 1000 bytes would take five minutes.
        while started.elapsed() < Duration::from_secs(15) {
            if s.write_all(b" ").is_err() {
                break;
            }
            if let Ok(n) = s.read(&mut buf) {
                return (String::from_utf8_lossy(&buf[..n]).to_string(), started.elapsed());
            }
        }
        (String::new(), started.elapsed())
    })
    .await
    .expect("client");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("longer than 2 s"), "{answer}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(reqwest::get(format!("{}/health", server.url)).await.expect("health").status().is_success());
}

/// A push with one op over its kind's size limit: that op is rejected with
/// a reason that names the kind and the limit, the ops around it go in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_op_is_refused_with_its_reason_and_the_others_of_the_push_go_in() {
    let db = fresh_database("oversized").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start(&db);
    seed(&server.url, &db, &["O-1".to_string()]).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let ops = vec![
        note(&kim, "O-1", "앞 메모"),
        kim.op("claim:O-1", "claim.add_note", json!({ "body": "가".repeat(40_000) })),
        note(&kim, "O-1", "뒤 메모"),
    ];
    let results = kim.push(&ops).await;
    let codes: Vec<String> = results.iter().map(outcome_code).collect();
    assert_eq!(codes, ["accepted", "rejected:BAD_OP", "accepted"]);
    match &results[1].outcome {
        PushOutcome::Rejected { reason, .. } => {
            assert!(reason.contains("claim.add_note") && reason.contains("32768"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    let notes: Vec<_> =
        reviews(kim.pull_all(0).await).into_iter().map(|p| p.op.payload["body"].clone()).collect();
    assert_eq!(notes, [json!("앞 메모"), json!("뒤 메모")]);
}

/// The database pool answers at once when all its connections are taken
/// (past `pool_wait_ms`), and a request then gets 503 with Retry-After
/// rather than waiting behind a database that does not keep up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pool_answers_within_its_wait() {
    let db = fresh_database("pool").await;
    let pool = claimdesk_server::db::pool_waiting(&db, 1, Duration::from_millis(300)).expect("pool");
    let held = pool.get().await.expect("the one connection");
    let started = Instant::now();
    let err = pool.get().await.map(|_| ()).map_err(claimdesk_server::error::ServerError::from);
    let took = started.elapsed();
    let err = err.expect_err("no connection is free");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(err.status().as_u16(), 503);
    assert_eq!(err.retry_after(), Some(2));
    drop(held);
    assert!(pool.get().await.is_ok());
}
