//! Test harness: a throwaway PostgreSQL cluster started by scripts/pg.sh
//! (one per test binary, stopped and removed by its watchdog when the test
//! process ends), a fresh database per test, and the real `claimdesk-server`
//! binary on a free loopback port.
#![allow(dead_code)]

pub mod desk;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use claimdesk_sync::protocol::*;
use serde_json::{json, Value};

pub struct Cluster {
    /// `postgres://claimdesk@127.0.0.1:PORT` (no database).
    pub base: String,
    pub dir: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn repo_root() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../..")
    .canonicalize()
    .expect("repo root")
}

/// The cluster of this test binary, started on first use.
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        // Directly under the temp dir: as root the cluster runs as `postgres`,
        // which must reach it. pg.sh creates it; its watchdog removes it.
        let dir = std::env::temp_dir().join(format!("claimdesk-pg-test-{}", std::process::id()));
        let port = free_port();
        let out = Command::new("bash")
            .arg(repo_root().join("scripts/pg.sh"))
            .args(["--dir", &dir.to_string_lossy(), "--port", &port.to_string()])
            .args(["--watch-pid", &std::process::id().to_string(), "start"])
            .output()
            .expect("run scripts/pg.sh");
        assert!(out.status.success(), "scripts/pg.sh start failed: {}", String::from_utf8_lossy(&out.stderr));
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let base = url.rsplit_once('/').map(|(b, _)| b.to_string()).expect("url");
        Cluster { base, dir }
    })
}

static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A new, empty database on the cluster; returns its URL.
pub async fn fresh_database(name: &str) -> String {
    let c = cluster();
    let db = format!("t_{}_{}", name, DB_COUNTER.fetch_add(1, Ordering::SeqCst));
    let (client, conn) = tokio_postgres::connect(&format!("{}/postgres", c.base), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE DATABASE {db}")).await.expect("create database");
    format!("{}/{db}", c.base)
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_claimdesk-server")
}

pub struct Server {
    pub child: Child,
    pub url: String,
    pub database_url: String,
}

#[derive(Default, Clone)]
pub struct ServerOpts {
    pub tls: Option<(PathBuf, PathBuf)>,
    pub max_clock_ahead_ms: Option<u64>,
    pub listen: Option<String>,
    /// More settings, as `CLAIMDESK_SERVER_<NAME>` variables (`("LOGIN_LOCK_SECS", "5")`).
    pub env: Vec<(&'static str, String)>,
}

impl Server {
    pub fn start(database_url: &str) -> Server {
        Server::start_with(database_url, ServerOpts::default())
    }

    pub fn start_with(database_url: &str, opts: ServerOpts) -> Server {
        let mut cmd = Command::new(bin());
        cmd.env("CLAIMDESK_SERVER_DATABASE_URL", database_url)
            .env("CLAIMDESK_SERVER_LISTEN", opts.listen.clone().unwrap_or_else(|| "127.0.0.1:0".into()))
            .env("CLAIMDESK_SERVER_LOG_FORMAT", "json")
            .env("CLAIMDESK_SERVER_POOL_SIZE", "8")
            // Every test signs in from 127.0.0.1; the sign-in limits have tests of their own (attack.rs).
            .env("CLAIMDESK_SERVER_LOGIN_PER_ADDRESS_PER_MINUTE", "100000")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in &opts.env {
            cmd.env(format!("CLAIMDESK_SERVER_{name}"), value);
        }
        if let Some(ms) = opts.max_clock_ahead_ms {
            cmd.env("CLAIMDESK_SERVER_MAX_CLOCK_AHEAD_MS", ms.to_string());
        }
        let scheme = if let Some((cert, key)) = &opts.tls {
            cmd.env("CLAIMDESK_SERVER_TLS_CERT", cert).env("CLAIMDESK_SERVER_TLS_KEY", key);
            "https"
        } else {
            "http"
        };
        let mut child = cmd.spawn().expect("start claimdesk-server");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel::<String>();
        // Kept after the run (the cluster directory is removed): $TMPDIR/claimdesk-server-test-logs.
        let log_dir = std::env::temp_dir().join("claimdesk-server-test-logs");
        let _ = std::fs::create_dir_all(&log_dir);
        let log_path = log_dir.join(format!("server-{}.log", child.id()));
        std::thread::spawn(move || {
            let mut log = std::fs::File::create(log_path).ok();
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(f) = log.as_mut() {
                    let _ = writeln!(f, "{line}");
                }
                if !sent {
                    if let Ok(v) = serde_json::from_str::<Value>(&line) {
                        if let Some(addr) = v.get("address").and_then(Value::as_str) {
                            let _ = tx.send(addr.to_string());
                            sent = true;
                        }
                    }
                }
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("claimdesk-server did not start listening")
        });
        Server { child, url: format!("{scheme}://{addr}"), database_url: database_url.to_string() }
    }

    /// The server process's resident memory (VmRSS of /proc/PID/status), in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    /// kill -9.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a user with the binary's admin command (password `password-<id>`).
pub fn create_user(database_url: &str, id: &str, role: &str, limit: Option<i64>) {
    let mut cmd = Command::new(bin());
    cmd.env("CLAIMDESK_SERVER_DATABASE_URL", database_url)
        .env("CLAIMDESK_SERVER_PASSWORD", format!("password-{id}"))
        .env("RUST_LOG", "warn")
        .args(["user", "create", "--id", id, "--name", &format!("사용자 {id}"), "--role", role]);
    if let Some(l) = limit {
        cmd.args(["--limit", &l.to_string()]);
    }
    let out = cmd.output().expect("user create");
    assert!(out.status.success(), "user create {id}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A plain HTTP client speaking protocol.rs.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub url: String,
    pub token: Option<String>,
    pub user: String,
    pub device: String,
    pub protocol: u32,
}

impl Api {
    pub fn new(url: &str) -> Api {
        Api {
            http: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client"),
            url: url.to_string(),
            token: None,
            user: String::new(),
            device: String::new(),
            protocol: PROTOCOL_VERSION,
        }
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .http
            .request(method, format!("{}{}", self.url, path))
            .header(HEADER_PROTOCOL, self.protocol.to_string())
            .header(HEADER_SCHEMA, "3");
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    /// Signs in with the test password; a server busy checking other
    /// sign-ins (503 with Retry-After, many clients at once) is asked again.
    pub async fn login(url: &str, user: &str, device: &str) -> Api {
        let mut api = Api::new(url);
        let started = std::time::Instant::now();
        let response = loop {
            let response = api
                .req(reqwest::Method::POST, "/v1/login")
                .json(&LoginRequest {
                    user: user.into(),
                    password: format!("password-{user}"),
                    device_id: device.into(),
                    device_name: format!("{user}의 노트북"),
                    device_secret: format!("secret-{device}"),
                })
                .send()
                .await
                .expect("login request");
            if response.status() != reqwest::StatusCode::SERVICE_UNAVAILABLE
                || started.elapsed() > Duration::from_secs(60)
            {
                break response;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let resp: LoginResponse =
            response.error_for_status().expect("login status").json().await.expect("login body");
        api.token = Some(resp.token);
        api.user = user.into();
        api.device = device.into();
        api
    }

    pub async fn push_raw(&self, ops: &[WireOp]) -> reqwest::Result<reqwest::Response> {
        self.req(reqwest::Method::POST, "/v1/push")
            .json(&PushRequest { device_id: self.device.clone(), ops: ops.to_vec() })
            .send()
            .await
    }

    pub async fn push(&self, ops: &[WireOp]) -> Vec<PushResult> {
        let resp = self.push_raw(ops).await.expect("push request");
        let status = resp.status();
        let text = resp.text().await.expect("push body");
        assert!(status.is_success(), "push answered {status}: {text}");
        let body: PushResponse = serde_json::from_str(&text).expect("push response");
        assert_eq!(body.results.len(), ops.len(), "one result per op");
        for (r, o) in body.results.iter().zip(ops) {
            assert_eq!(r.op_id, o.op_id, "results in order");
        }
        body.results
    }

    pub async fn pull_page(&self, after: i64, limit: usize) -> PullResponse {
        let resp = self
            .req(reqwest::Method::GET, &format!("/v1/pull?after={after}&limit={limit}"))
            .send()
            .await
            .expect("pull request");
        let status = resp.status();
        let text = resp.text().await.expect("pull body");
        assert!(status.is_success(), "pull answered {status}: {text}");
        serde_json::from_str(&text).expect("pull response")
    }

    /// Everything after `after`, page by page.
    pub async fn pull_all(&self, mut after: i64) -> Vec<PulledOp> {
        let mut all = Vec::new();
        loop {
            let page = self.pull_page(after, 1000).await;
            assert!(page.cursor >= after);
            after = page.cursor;
            all.extend(page.ops);
            if !page.more {
                return all;
            }
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.req(reqwest::Method::GET, path).send().await.expect("get")
    }

    /// A new op by this user on this device.
    pub fn op(&self, entity: &str, kind: &str, payload: Value) -> WireOp {
        WireOp {
            op_id: uuid::Uuid::now_v7().to_string(),
            hlc: hlc_now(),
            user: self.user.clone(),
            device: self.device.clone(),
            entity: entity.into(),
            kind: kind.into(),
            payload,
            // Made on the claim as it is now (the server folds it onto its current state).
            base: None,
            at_ms: now_ms(),
        }
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A clock stamp for now, unique within this process.
pub fn hlc_now() -> i64 {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    ((now_ms() as u64) << 16) as i64 + i64::from(COUNTER.fetch_add(1, Ordering::Relaxed) & 0xFFFF)
}

pub fn note(api: &Api, claim: &str, body: &str) -> WireOp {
    api.op(&format!("claim:{claim}"), "claim.add_note", json!({ "body": body }))
}

/// A recommendation of cash, with a justification (amounts made up by the
/// tests differ from the policy's result: an override).
pub fn recommend(api: &Api, claim: &str, amount: i64) -> WireOp {
    api.op(
        &format!("claim:{claim}"),
        "claim.recommend",
        json!({"decision": {"decision": "approve", "remedy": "cash", "amount": amount.to_string(), "extension_days": 0},
               "justification": "영업 손실 확인"}),
    )
}

pub fn take(api: &Api, claim: &str) -> WireOp {
    api.op(&format!("claim:{claim}"), "claim.take", json!({}))
}

/// A batch made by `api` (a supervisor) with one claim in it.
pub fn batch(api: &Api, claim: &str, batch_id: &str) -> Vec<WireOp> {
    vec![
        api.op(
            &format!("batch:{batch_id}"),
            "batch.create",
            json!({"id": batch_id, "name": format!("묶음 {batch_id}")}),
        ),
        api.op(&format!("claim:{claim}"), "claim.add_to_batch", json!({"batch_id": batch_id})),
    ]
}

pub fn approve(api: &Api, claim: &str, rec: &WireOp) -> WireOp {
    api.op(&format!("claim:{claim}"), "claim.approve", json!({"recommendation_op": rec.op_id}))
}

/// A valid intake row (`core::ClaimInput`) for a taxi driver's claim.
pub fn claim_json(id: &str) -> Value {
    let n: u64 = id.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    json!({
        "external_id": id,
        "received_at": "2022-10-19T00:12:00Z",
        "category": "taxi_driver",
        "name": "김택시",
        "phone": format!("010{:08}", n % 100_000_000),
        "service": "kakao_t",
        "damage_start": "2022-10-15T06:00:00Z",
        "damage_end": "2022-10-15T16:31:00Z",
        "claimed_amount": "60000",
        "daily_income": "180000",
        "description": "카카오 T 호출이 안 돼서 손님을 못 받았습니다",
    })
}

pub fn import(api: &Api, id: &str) -> WireOp {
    api.op(&format!("claim:{id}"), "claim.import", claim_json(id))
}

/// Imports claims through the server as an admin (`seeder`, created here),
/// so that review ops about them can be admitted.
pub async fn seed(url: &str, database_url: &str, ids: &[String]) -> Api {
    create_user_if_missing(database_url, "seeder", "admin");
    let admin = Api::login(url, "seeder", "dev-seeder").await;
    for chunk in ids.chunks(2000) {
        let ops: Vec<WireOp> = chunk.iter().map(|id| import(&admin, id)).collect();
        for r in admin.push(&ops).await {
            assert_eq!(outcome_code(&r), "accepted", "{r:?}");
        }
    }
    admin
}

fn create_user_if_missing(database_url: &str, id: &str, role: &str) {
    static DONE: OnceLock<std::sync::Mutex<std::collections::HashSet<(String, String)>>> = OnceLock::new();
    let done = DONE.get_or_init(Default::default);
    let key = (database_url.to_string(), id.to_string());
    if done.lock().map(|mut d| d.insert(key)).unwrap_or(false) {
        create_user(database_url, id, role, None);
    }
}

/// The ops of a pull that are not the seeded claims' imports.
pub fn reviews(pulled: Vec<PulledOp>) -> Vec<PulledOp> {
    pulled.into_iter().filter(|p| p.op.kind != "claim.import").collect()
}

pub fn outcome_code(r: &PushResult) -> String {
    match &r.outcome {
        PushOutcome::Accepted { .. } => "accepted".into(),
        PushOutcome::Duplicate { .. } => "duplicate".into(),
        PushOutcome::Rejected { code, .. } => format!("rejected:{code}"),
    }
}

pub fn seq_of(r: &PushResult) -> Option<i64> {
    match r.outcome {
        PushOutcome::Accepted { seq, .. } | PushOutcome::Duplicate { seq, .. } => Some(seq),
        PushOutcome::Rejected { .. } => None,
    }
}
