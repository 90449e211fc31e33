//! The real server binary against a throwaway PostgreSQL (see common/mod.rs).

mod common;

use std::collections::{HashMap, HashSet};
use std::io::Write;

use claimdesk_sync::protocol::*;
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_push_pull_round_trip() {
    let db = fresh_database("round_trip").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start(&db);

    let health: Health =
        reqwest::get(format!("{}/health", server.url)).await.expect("health").json().await.expect("json");
    assert_eq!((health.status.as_str(), health.protocol), ("ok", PROTOCOL_VERSION));

    seed(&server.url, &db, &["C-1".to_string(), "C-2".to_string()]).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let ops = vec![
        note(&kim, "C-1", "전화 통화함"),
        kim.op("claim:C-1", "claim.take", json!({"to": "paid", "assignee": "lee", "future_field": [1, 2]})),
        kim.op("claim:C-2", "claim.annotate", json!({"priority": "high", "tags": ["택시"]})),
    ];
    let results = kim.push(&ops).await;
    assert!(results.iter().all(|r| outcome_code(r) == "accepted"), "{results:?}");
    let seqs: Vec<i64> = results.iter().filter_map(seq_of).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seqs follow the op order: {seqs:?}");
    // The server stamps what it knows of the author, never what the op says.
    for r in &results {
        match &r.outcome {
            PushOutcome::Accepted { stamp: Some(s), .. } => {
                assert_eq!(s.role, claimdesk_core::Role::Reviewer)
            }
            other => panic!("{other:?}"),
        }
    }

    let first = seqs[0] - 1;
    let page = kim.pull_page(first, 2).await;
    assert_eq!(page.ops.len(), 2);
    assert!(page.more);
    assert_eq!(page.cursor, seqs[1]);
    assert_eq!(page.head, seqs[2]);
    let rest = kim.pull_page(page.cursor, 100).await;
    assert_eq!((rest.ops.len(), rest.more, rest.cursor), (1, false, seqs[2]));
    let pulled: Vec<PulledOp> = page.ops.into_iter().chain(rest.ops).collect();
    assert!(pulled
        .iter()
        .all(|p| p.stamp.as_ref().is_some_and(|s| s.role == claimdesk_core::Role::Reviewer)));
    let pulled: Vec<WireOp> = pulled.into_iter().map(|p| p.op).collect();
    assert_eq!(pulled, ops, "ops come back exactly as pushed, unknown payload fields included");
    let empty = kim.pull_page(seqs[2], 100).await;
    assert_eq!((empty.ops.len(), empty.more, empty.cursor), (0, false, seqs[2]));

    let users: Vec<UserInfo> = kim.get("/v1/users").await.json().await.expect("users");
    assert!(users.iter().any(|u| u.id == "kim" && u.role == "reviewer"), "{users:?}");

    // Wrong password, no token, bad token, missing version headers, an older and a newer client.
    let bad = reqwest::Client::new()
        .post(format!("{}/v1/login", server.url))
        .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
        .header(HEADER_SCHEMA, "3")
        .json(&json!({"user": "kim", "password": "nope", "device_id": "d", "device_name": "d"}))
        .send()
        .await
        .expect("login");
    assert_eq!(bad.status(), 401);
    let body: ErrorBody = bad.json().await.expect("error body");
    assert_eq!(body.code, "unauthorized");
    let mut anon = kim.clone();
    anon.token = None;
    assert_eq!(anon.get("/v1/pull?after=0").await.status(), 401);
    anon.token = Some("0".repeat(64));
    assert_eq!(anon.get("/v1/pull?after=0").await.status(), 401);
    let no_headers =
        reqwest::Client::new().get(format!("{}/v1/users", server.url)).send().await.expect("get");
    assert_eq!(no_headers.status(), 400);
    let mut older = kim.clone();
    older.protocol = MIN_PROTOCOL_VERSION;
    assert_eq!(
        older.get("/v1/users").await.status(),
        200,
        "the oldest protocol the server answers is answered"
    );
    // Protocol 1 clients read results from payloads: they must update (PROTOCOL_CHANGES.md).
    older.protocol = 1;
    let r = older.get("/v1/users").await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<ErrorBody>().await.expect("body").code, "protocol_too_old");
    let mut newer = kim.clone();
    newer.protocol = PROTOCOL_VERSION + 1;
    let r = newer.get("/v1/users").await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<ErrorBody>().await.expect("body").code, "protocol_too_new");
    let id = kim.get("/v1/users").await.headers().get("x-request-id").cloned();
    assert!(id.is_some(), "every answer carries a request id");

    // Page limits: a pull asks for at most MAX_PAGE, a push of more is refused whole.
    let big = kim.get(&format!("/v1/pull?after=0&limit={}", MAX_PAGE * 10)).await;
    assert_eq!(big.status(), 200);
    let too_many: Vec<WireOp> = (0..=MAX_PAGE).map(|i| note(&kim, "C-1", &i.to_string())).collect();
    let r = kim.push_raw(&too_many).await.expect("push");
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<ErrorBody>().await.expect("body").code, "bad_request");
    let garbage = reqwest::Client::new()
        .post(format!("{}/v1/push", server.url))
        .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
        .header(HEADER_SCHEMA, "3")
        .bearer_auth(kim.token.clone().unwrap_or_default())
        .body("{not json")
        .send()
        .await
        .expect("push");
    assert_eq!(garbage.status(), 400);
    assert_eq!(reviews(kim.pull_all(0).await).len(), 3, "nothing of the refused pages was stored");

    // A push for another device is refused as a whole.
    let mut other = kim.clone();
    other.device = "dev-other".into();
    assert_eq!(other.push_raw(&[]).await.expect("push").status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_op_never_blocks_the_ones_behind_it() {
    let db = fresh_database("rejected").await;
    create_user(&db, "kim", "reviewer", None);
    create_user(&db, "lee", "reviewer", None);
    let server = Server::start(&db);
    seed(&server.url, &db, &["C-9".to_string()]).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let lee = Api::login(&server.url, "lee", "dev-lee").await;
    // (Ops are stamped by the clock when made: the take first.)
    let lee_takes = take(&lee, "C-9");
    let rec = recommend(&lee, "C-9", 10_000);
    let r = lee.push(&[lee_takes, rec.clone()]).await;
    assert_eq!(r.iter().map(outcome_code).collect::<Vec<_>>(), ["accepted", "accepted"]);

    let batch = kim.op("batch:B-1", "batch.create", json!({"id": "B-1", "name": "1차"}));
    let mut as_lee = note(&kim, "C-9", "someone else's name");
    as_lee.user = "lee".into();
    let user_op = kim.op("user:kim", "user.update", json!({"id": "kim", "role": "admin"}));
    let ops = vec![
        note(&kim, "C-9", "첫 메모"),
        approve(&kim, "C-9", &rec),
        note(&kim, "C-9", "둘째 메모"),
        batch,
        // lee holds it, recommended: a take is not a move the rules allow now.
        kim.op("claim:C-9", "claim.take", json!({"to": "in_review", "assignee": "kim"})),
        as_lee,
        user_op,
        kim.op("claim:C-9", "claim.mark_paid", json!({"payout_id": "P-1", "to": "paid"})),
        kim.op("claim:C-9", "claim.teleport", json!({})),
        note(&kim, "C-9", "마지막 메모"),
    ];
    let results = kim.push(&ops).await;
    let codes: Vec<String> = results.iter().map(outcome_code).collect();
    assert_eq!(
        codes,
        [
            "accepted",
            "rejected:ROLE_NOT_ALLOWED",
            "accepted",
            "rejected:ROLE_NOT_ALLOWED",
            "rejected:WRONG_STATE",
            "rejected:WRONG_AUTHOR",
            "rejected:USERS_MANAGED_ON_SERVER",
            "rejected:ROLE_NOT_ALLOWED",
            "rejected:UNKNOWN_KIND",
            "accepted"
        ]
    );
    if let PushOutcome::Rejected { reason, explain, .. } = &results[1].outcome {
        assert_eq!(reason, "Your role (Reviewer) may not approve claims.", "the core's own words");
        let said = explain.as_ref().map(|m| m.render(claimdesk_core::message::Lang::Ko));
        assert_eq!(
            said.as_deref(),
            Some("심사자 역할로는 할 수 없는 작업입니다: 신고 승인."),
            "and in the author's Korean"
        );
    }
    let pulled = reviews(kim.pull_all(0).await);
    let ids: HashSet<&str> = pulled.iter().map(|p| p.op.op_id.as_str()).collect();
    assert_eq!(pulled.len(), 2 + 3);
    for (op, r) in ops.iter().zip(&results) {
        assert_eq!(ids.contains(op.op_id.as_str()), seq_of(r).is_some(), "stored exactly when acknowledged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_are_maker_checked_limited_and_refused_when_superseded() {
    let db = fresh_database("approvals").await;
    create_user(&db, "kim", "reviewer", None);
    create_user(&db, "park", "supervisor", Some(100_000));
    create_user(&db, "choi", "supervisor", None);
    let server =
        Server::start_with(&db, ServerOpts { max_clock_ahead_ms: Some(60_000), ..Default::default() });
    let ids: Vec<String> = (1..=5).map(|i| format!("C-{i}")).collect();
    seed(&server.url, &db, &ids).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let park = Api::login(&server.url, "park", "dev-park").await;
    let choi = Api::login(&server.url, "choi", "dev-choi").await;
    let accepted = |r: &[PushResult]| r.iter().all(|x| outcome_code(x) == "accepted");

    // park works C-1 like a reviewer, batches it and approves their own recommendation: maker-checker.
    let park_takes = take(&park, "C-1");
    let own = recommend(&park, "C-1", 50_000);
    let mut ops = vec![park_takes, own.clone()];
    ops.extend(batch(&park, "C-1", "B-1"));
    assert!(accepted(&park.push(&ops).await));
    let r = park.push(&[approve(&park, "C-1", &own)]).await;
    assert_eq!(outcome_code(&r[0]), "rejected:MAKER_CHECKER");
    // choi may approve park's.
    assert_eq!(outcome_code(&choi.push(&[approve(&choi, "C-1", &own)]).await[0]), "accepted");

    // Above park's limit of 100,000 won.
    let kim_takes = take(&kim, "C-2");
    let big = recommend(&kim, "C-2", 250_000);
    assert!(accepted(&kim.push(&[kim_takes, big.clone()]).await));
    assert!(accepted(&choi.push(&batch(&choi, "C-2", "B-2")).await));
    let r = park.push(&[approve(&park, "C-2", &big)]).await;
    assert_eq!(outcome_code(&r[0]), "rejected:OVER_APPROVAL_LIMIT");
    if let PushOutcome::Rejected { reason, .. } = &r[0].outcome {
        assert!(reason.contains("250,000") && reason.contains("100,000"), "{reason}");
    }

    // kim recommends again after a return: an approval of the first recommendation is superseded.
    let kim_takes = take(&kim, "C-3");
    let first = recommend(&kim, "C-3", 30_000);
    assert!(accepted(&kim.push(&[kim_takes, first.clone()]).await));
    let mut back = batch(&choi, "C-3", "B-3");
    back.push(choi.op("claim:C-3", "claim.return_to_reviewer", json!({"comment": "소득 증빙 확인"})));
    assert!(accepted(&choi.push(&back).await));
    let second = recommend(&kim, "C-3", 40_000);
    assert!(accepted(&kim.push(std::slice::from_ref(&second)).await));
    assert!(accepted(
        &choi.push(&[choi.op("claim:C-3", "claim.add_to_batch", json!({"batch_id": "B-3"}))]).await
    ));
    let r = choi.push(&[approve(&choi, "C-3", &first), approve(&choi, "C-3", &second)]).await;
    assert_eq!(
        r.iter().map(outcome_code).collect::<Vec<_>>(),
        ["rejected:RECOMMENDATION_SUPERSEDED", "accepted"]
    );

    // An approval of a claim that was never recommended.
    let unseen = recommend(&kim, "C-4", 1_000);
    assert_eq!(outcome_code(&choi.push(&[approve(&choi, "C-4", &unseen)]).await[0]), "rejected:WRONG_STATE");

    // A stamp too far in the future; one a little ahead is fine.
    let mut ahead = note(&kim, "C-5", "from the future");
    ahead.hlc = (((now_ms() + 10 * 60_000) as u64) << 16) as i64;
    let mut slightly = note(&kim, "C-5", "a few seconds ahead");
    slightly.hlc = (((now_ms() + 5_000) as u64) << 16) as i64;
    let r = kim.push(&[ahead, slightly]).await;
    assert_eq!(r.iter().map(outcome_code).collect::<Vec<_>>(), ["rejected:CLOCK_AHEAD", "accepted"]);

    // A role change on the server applies to the next push at once.
    let out = std::process::Command::new(bin())
        .env("CLAIMDESK_SERVER_DATABASE_URL", &db)
        .args(["user", "set-limit", "--id", "park", "--limit", "300000"])
        .output()
        .expect("set-limit");
    assert!(out.status.success());
    assert_eq!(outcome_code(&park.push(&[approve(&park, "C-2", &big)]).await[0]), "accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_push_returns_the_same_seq() {
    let db = fresh_database("duplicate").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start(&db);
    let ids: Vec<String> = (0..50).map(|i| format!("C-{i}")).chain(["C-x".to_string()]).collect();
    seed(&server.url, &db, &ids).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let ops: Vec<WireOp> = (0..50).map(|i| note(&kim, &format!("C-{i}"), "메모")).collect();
    let first = kim.push(&ops).await;
    let again = kim.push(&ops).await;
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(outcome_code(a), "accepted");
        assert_eq!(outcome_code(b), "duplicate");
        assert_eq!(seq_of(a), seq_of(b));
    }
    // The same op twice in one page, and a page mixing old and new.
    let fresh = note(&kim, "C-x", "새 메모");
    let r = kim.push(&[fresh.clone(), ops[3].clone(), fresh.clone()]).await;
    assert_eq!(r.iter().map(outcome_code).collect::<Vec<_>>(), ["accepted", "duplicate", "duplicate"]);
    assert_eq!(seq_of(&r[0]), seq_of(&r[2]));
    assert_eq!(seq_of(&r[1]), seq_of(&first[3]));
    assert_eq!(reviews(kim.pull_all(0).await).len(), 51);
}

/// A page is admitted in chunks of 1,000 ops whose inserts overlap the next
/// chunk's decisions: across the chunk boundaries every answer stays at its
/// op, a decision sees the state an earlier chunk left, and the stored
/// order is the page's order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_several_admission_chunks_answers_every_op_in_place() {
    let db = fresh_database("chunks").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start(&db);
    seed(&server.url, &db, &["C-L".to_string()]).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let mut ops = Vec::new();
    let mut want = Vec::new();
    let mut rec = None;
    for i in 0..2_600 {
        let (op, code) = match i {
            5 => (take(&kim, "C-L"), "accepted"),
            // At the chunk boundary: refused by the rules, on either side of it.
            999..=1001 => (approve(&kim, "C-L", ops.last().expect("an op")), "rejected:ROLE_NOT_ALLOWED"),
            // Decided on the state the first chunk left: kim holds the claim.
            1200 => {
                let r = recommend(&kim, "C-L", 10_000);
                rec = Some(r.clone());
                (r, "accepted")
            }
            // Recommended now: another take is not a move the rules allow.
            1300 => (take(&kim, "C-L"), "rejected:WRONG_STATE"),
            // The same op as #10, again in this page.
            1500 => (ops[10].clone(), "duplicate"),
            _ => (note(&kim, "C-L", &format!("메모 {i}")), "accepted"),
        };
        ops.push(op);
        want.push(code);
    }
    let results = kim.push(&ops).await;
    assert_eq!(results.len(), ops.len());
    for (i, (r, op)) in results.iter().zip(&ops).enumerate() {
        assert_eq!(r.op_id, op.op_id, "answer {i} is about op {i}");
        assert_eq!(outcome_code(r), want[i], "op {i}");
    }
    assert_eq!(seq_of(&results[1500]), seq_of(&results[10]));
    let accepted: Vec<i64> = results
        .iter()
        .enumerate()
        .filter(|(i, _)| want[*i] == "accepted")
        .filter_map(|(_, r)| seq_of(r))
        .collect();
    assert!(accepted.windows(2).all(|w| w[0] < w[1]), "stored in the page's order");
    let pulled = reviews(kim.pull_all(0).await);
    assert_eq!(pulled.len(), accepted.len());
    assert!(pulled.iter().any(|p| Some(&p.op.op_id) == rec.as_ref().map(|r| &r.op_id)));
}

/// A push with a bad token is answered 401 at once, before its body: the
/// server reads no body it was not signed in for (a 60 MB body whose first
/// kilobyte is all that ever arrives gets its answer all the same).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_with_a_bad_token_is_refused_before_its_body_is_read() {
    use std::io::Read;
    let db = fresh_database("body").await;
    let server = Server::start(&db);
    let addr = server.url.trim_start_matches("http://").to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let head = format!(
            "POST /v1/push HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{HEADER_PROTOCOL}: {PROTOCOL_VERSION}\r\n{HEADER_SCHEMA}: 3\r\nauthorization: Bearer not-a-token\r\n\r\n",
            60 * 1024 * 1024
        );
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(std::time::Duration::from_secs(10))).expect("timeout");
        s.write_all(head.as_bytes()).expect("head");
        s.write_all(&[b' '; 1024]).expect("the first kilobyte");
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).expect("an answer before the body arrives");
        String::from_utf8_lossy(&buf[..n]).to_string()
    })
    .await
    .expect("client");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // And the server goes on serving.
    assert!(reqwest::get(format!("{}/health", server.url)).await.expect("health").status().is_success());
}

/// Writes a push request over a raw socket and hangs up: after `cut` bytes
/// of the body (None: after the whole request, without reading the answer).
fn push_and_hang_up(url: &str, api: &Api, ops: &[WireOp], cut: Option<usize>) {
    let addr = url.trim_start_matches("http://");
    let body =
        serde_json::to_vec(&PushRequest { device_id: api.device.clone(), ops: ops.to_vec() }).expect("json");
    let head = format!(
        "POST /v1/push HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{HEADER_PROTOCOL}: {PROTOCOL_VERSION}\r\n{HEADER_SCHEMA}: 3\r\nauthorization: Bearer {}\r\n\r\n",
        body.len(),
        api.token.as_deref().unwrap_or_default()
    );
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.write_all(head.as_bytes()).expect("head");
    let n = cut.unwrap_or(body.len()).min(body.len());
    s.write_all(&body[..n]).expect("body");
    s.flush().expect("flush");
    drop(s);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_cut_mid_way_and_retried_stores_each_op_once() {
    let db = fresh_database("cut").await;
    create_user(&db, "kim", "reviewer", None);
    let server = Server::start(&db);
    seed(&server.url, &db, &(0..97).map(|i| format!("C-{i}")).collect::<Vec<_>>()).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let ops: Vec<WireOp> =
        (0..2000).map(|i| note(&kim, &format!("C-{}", i % 97), &format!("메모 {i}"))).collect();

    // Cut in the middle of the body: nothing of it is stored.
    push_and_hang_up(&server.url, &kim, &ops, Some(40_000));
    // The whole request sent, the answer never read: stored or not, the retry settles it.
    push_and_hang_up(&server.url, &kim, &ops[..1000], None);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let r = kim.push(&ops).await;
    let mut seqs = HashSet::new();
    for x in &r {
        let code = outcome_code(x);
        assert!(code == "accepted" || code == "duplicate", "{code}");
        assert!(seqs.insert(seq_of(x).expect("seq")), "one seq per op");
    }
    let pulled = reviews(kim.pull_all(0).await);
    assert_eq!(pulled.len(), ops.len(), "no duplicates, nothing missing");
    let unique: HashSet<&str> = pulled.iter().map(|p| p.op.op_id.as_str()).collect();
    assert_eq!(unique.len(), ops.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_push_loses_nothing_acknowledged() {
    let db = fresh_database("kill9").await;
    create_user(&db, "kim", "reviewer", None);
    let mut server = Server::start(&db);
    seed(&server.url, &db, &(0..200).map(|p| format!("C-{p}")).collect::<Vec<_>>()).await;
    let kim = Api::login(&server.url, "kim", "dev-kim").await;
    let pages: Vec<Vec<WireOp>> = (0..200)
        .map(|p| (0..250).map(|i| note(&kim, &format!("C-{p}"), &format!("메모 {p}-{i}"))).collect())
        .collect();

    // Push pages from two clients until the server dies under them.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(HashMap::<String, i64>::new()));
    let mut tasks = Vec::new();
    for half in 0..2 {
        let (api, acked) = (kim.clone(), acked.clone());
        let mine: Vec<Vec<WireOp>> = pages.iter().skip(half).step_by(2).cloned().collect();
        tasks.push(tokio::spawn(async move {
            for page in mine {
                let Ok(resp) = api.push_raw(&page).await else { return };
                let Ok(body) = resp.json::<PushResponse>().await else { return };
                let mut a = acked.lock().expect("lock");
                for r in body.results {
                    if let Some(seq) = seq_of(&r) {
                        a.insert(r.op_id, seq);
                    }
                }
            }
        }));
    }
    // Kill as soon as a few pages are acknowledged, while others are in flight.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while acked.lock().expect("lock").len() < 2 * 250 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    server.kill9();
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(!acked.is_empty(), "some pages were acknowledged before the kill");
    assert!(acked.len() < 50_000, "the kill came mid-push ({} acknowledged)", acked.len());

    let server = Server::start(&db);
    let mut kim2 = kim.clone();
    kim2.url = server.url.clone();
    let pulled = reviews(kim2.pull_all(0).await);
    let stored: HashMap<&str, i64> = pulled.iter().map(|p| (p.op.op_id.as_str(), p.seq)).collect();
    assert_eq!(stored.len(), pulled.len(), "no op twice");
    for (id, seq) in &acked {
        assert_eq!(stored.get(id.as_str()), Some(seq), "acknowledged op {id} is there with its seq");
    }
    // Nothing half-applied: each page is stored whole or not at all.
    for page in &pages {
        let n = page.iter().filter(|o| stored.contains_key(o.op_id.as_str())).count();
        assert!(n == 0 || n == page.len(), "a page was stored in part ({n} of {})", page.len());
    }
    // The client sends everything again: the rest is stored, nothing doubles.
    for page in &pages {
        for r in kim2.push(page).await {
            assert!(seq_of(&r).is_some());
        }
    }
    assert_eq!(reviews(kim2.pull_all(0).await).len(), 50_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_push_and_pull_at_once() {
    let db = fresh_database("fifty").await;
    let pool = claimdesk_server::db::pool(&db, 2).expect("pool");
    claimdesk_server::db::migrate(&pool).await.expect("migrate");
    for i in 0..50 {
        let id = format!("u{i:02}");
        claimdesk_server::admin::create_user(
            &pool,
            &id,
            &format!("심사자 {i}"),
            "reviewer",
            None,
            &format!("password-{id}"),
        )
        .await
        .expect("user");
    }
    let server = Server::start(&db);
    let claims: Vec<String> =
        (0..50).flat_map(|i| (0..5).map(move |round| format!("C-{i}-{round}"))).collect();
    seed(&server.url, &db, &claims).await;
    let mut tasks = Vec::new();
    let all_pushed = std::sync::Arc::new(tokio::sync::Barrier::new(50));
    for i in 0..50 {
        let url = server.url.clone();
        let all_pushed = all_pushed.clone();
        tasks.push(tokio::spawn(async move {
            let api = Api::login(&url, &format!("u{i:02}"), &format!("dev-{i:02}")).await;
            let mut cursor = 0;
            let mut seen = Vec::new();
            for round in 0..5 {
                let ops: Vec<WireOp> =
                    (0..40).map(|k| note(&api, &format!("C-{i}-{round}"), &format!("{k}"))).collect();
                for r in api.push(&ops).await {
                    assert_eq!(outcome_code(&r), "accepted");
                }
                let page = api.pull_page(cursor, 5000).await;
                cursor = page.cursor;
                seen.extend(reviews(page.ops).into_iter().map(|p| p.seq));
            }
            all_pushed.wait().await;
            seen.extend(reviews(api.pull_all(cursor).await).into_iter().map(|p| p.seq));
            seen
        }));
    }
    for t in tasks {
        let seen = t.await.expect("client");
        assert_eq!(seen.len(), 50 * 5 * 40, "every client ends with every op");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "once each, in order");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_serve_every_op_once_in_order() {
    let db = fresh_database("two").await;
    for i in 0..8 {
        create_user(&db, &format!("w{i}"), "reviewer", None);
    }
    create_user(&db, "reader", "reviewer", None);
    let a = Server::start(&db);
    let b = Server::start(&db);
    let claims: Vec<String> =
        (0..8).flat_map(|i| (0..30).map(move |round| format!("C-{i}-{round}"))).collect();
    seed(&a.url, &db, &claims).await;
    let total = 8 * 30 * 40;

    // Readers on each instance pull continuously while the writers push.
    let mut readers = Vec::new();
    for (n, url) in [&a.url, &b.url].into_iter().enumerate() {
        let api = Api::login(url, "reader", &format!("dev-reader-{n}")).await;
        readers.push(tokio::spawn(async move {
            let mut cursor = 0;
            let mut got: Vec<(i64, String)> = Vec::new();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
            while got.len() < total && std::time::Instant::now() < deadline {
                let page = api.pull_page(cursor, 300).await;
                cursor = page.cursor;
                got.extend(reviews(page.ops).into_iter().map(|p| (p.seq, p.op.op_id)));
                if !page.more {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            }
            got
        }));
    }
    let mut writers = Vec::new();
    for i in 0..8 {
        let url = if i % 2 == 0 { a.url.clone() } else { b.url.clone() };
        writers.push(tokio::spawn(async move {
            let api = Api::login(&url, &format!("w{i}"), &format!("dev-w{i}")).await;
            let mut ids = Vec::new();
            for round in 0..30 {
                let ops: Vec<WireOp> =
                    (0..40).map(|k| note(&api, &format!("C-{i}-{round}"), &format!("{k}"))).collect();
                ids.extend(ops.iter().map(|o| o.op_id.clone()));
                for r in api.push(&ops).await {
                    assert_eq!(outcome_code(&r), "accepted");
                }
            }
            ids
        }));
    }
    let mut pushed = HashSet::new();
    for w in writers {
        pushed.extend(w.await.expect("writer"));
    }
    assert_eq!(pushed.len(), total);
    for r in readers {
        let got = r.await.expect("reader");
        assert_eq!(got.len(), total, "each reader sees every op exactly once");
        assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "ascending seq");
        let ids: HashSet<String> = got.into_iter().map(|(_, id)| id).collect();
        assert_eq!(ids, pushed);
    }
}
