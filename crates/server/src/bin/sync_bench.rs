//! `claimdesk-sync-bench`: the sync targets of quality.md against the real
//! server binary over loopback, each beside a same-run PostgreSQL baseline.
//!
//! - push N ops (pages of 5,000, one client, every op checked and stored)
//!   vs a bare multi-row insert (UNNEST) of the same rows into a bare table;
//! - pull them (pages of 5,000, parsed into protocol types) vs a bare SELECT
//!   of the same rows in the same pages;
//! - a sync round trip with nothing to move (push of nothing + pull at the
//!   head) and with a few ops (push 5 + pull them).
//!
//! Without `--database-url` it starts a throwaway cluster with scripts/pg.sh.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use claimdesk_sync::protocol::*;
use clap::Parser;
use serde_json::{json, Value};

#[derive(Parser)]
#[command(name = "claimdesk-sync-bench")]
struct Args {
    /// How many ops to push and pull.
    #[arg(long, default_value_t = 100_000)]
    ops: usize,
    /// A PostgreSQL cluster URL without a database (`postgres://user@host:port`); a
    /// fresh database is made on it. Default: a throwaway cluster from scripts/pg.sh.
    #[arg(long)]
    database_url: Option<String>,
    /// The server binary (default: claimdesk-server beside this program).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Rewrite the sync table in this markdown file (between the sync-bench markers).
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Round trips to time.
    #[arg(long, default_value_t = 300)]
    round_trips: usize,
}

const PAGE: usize = 5_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The intake rows of the claims the review ops are about (`claim.import` ops by an admin).
fn make_imports(claims: usize, user: &str, device: &str) -> Vec<WireOp> {
    let start = ((now_ms() as u64 - 60_000) << 16) as i64;
    (0..claims)
        .map(|i| {
            let id = format!("K2022-{i:07}");
            WireOp {
                op_id: uuid::Uuid::now_v7().to_string(),
                hlc: start + i as i64,
                user: user.into(),
                device: device.into(),
                entity: format!("claim:{id}"),
                kind: "claim.import".into(),
                payload: json!({
                    "external_id": id, "received_at": "2022-10-19T00:12:00Z", "category": "taxi_driver", "name": "김택시",
                    "phone": format!("010{:08}", i), "service": "kakao_t", "damage_start": "2022-10-15T06:00:00Z",
                    "damage_end": "2022-10-15T16:31:00Z", "claimed_amount": "60000", "daily_income": "180000",
                    "description": "카카오 T 호출이 안 돼서 손님을 못 받았습니다",
                }),
                base: None,
                at_ms: now_ms(),
            }
        })
        .collect()
}

/// Realistic ops of a review: notes in Korean, tags and priority, takes, recommendations.
fn make_ops(n: usize, user: &str, device: &str) -> Vec<WireOp> {
    let notes = [
        "청구인과 통화함. 택시 호출 장애로 3시간 영업 손실 주장, 운행 기록 캡처 요청.",
        "카카오페이 결제 실패 내역 확인. 증빙 이미지 2장 첨부됨.",
        "중복 신고 의심: 같은 전화번호로 10월 17일 접수건 있음.",
        "광고 집행 중단 기간 확인 필요, 광고비 정산서 요청.",
    ];
    let start = (now_ms() as u64) << 16;
    (0..n)
        .map(|i| {
            let claim = format!("claim:K2022-{:07}", i / 4);
            let (kind, payload) = match i % 4 {
                0 => ("claim.take", json!({})),
                1 => ("claim.add_note", json!({"body": notes[i % notes.len()]})),
                2 => ("claim.annotate", json!({"priority": "high", "tags": ["택시", "영업손실"]})),
                _ => (
                    "claim.recommend",
                    json!({"decision": {"decision": "approve", "remedy": "cash", "amount": (30_000 + (i % 50) * 1_000).to_string(), "extension_days": 0},
                           "justification": "운행 기록으로 영업 손실 확인"}),
                ),
            };
            WireOp {
                op_id: uuid::Uuid::now_v7().to_string(),
                hlc: (start + i as u64) as i64,
                user: user.into(),
                device: device.into(),
                entity: claim,
                kind: kind.into(),
                payload,
                // The take is the claim's first decision; the rest are made after it.
                base: Some(i64::from(i % 4 != 0)),
                at_ms: now_ms(),
            }
        })
        .collect()
}

struct Row {
    workload: String,
    figure: String,
    baseline: String,
    ratio: String,
    target: String,
    met: bool,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let base = match &args.database_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => {
            // pg.sh creates the directory (owned by `postgres` when run as root) and its watchdog removes it.
            let dir = std::env::temp_dir().join(format!("claimdesk-sync-bench-{}", std::process::id()));
            let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let out = Command::new("bash")
                .arg(root.join("scripts/pg.sh"))
                .args(["--dir", &dir.to_string_lossy(), "--port", &port.to_string()])
                .args(["--watch-pid", &std::process::id().to_string(), "start"])
                .output()?;
            if !out.status.success() {
                bail!("scripts/pg.sh: {}", String::from_utf8_lossy(&out.stderr));
            }
            let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
            url.rsplit_once('/').map(|(b, _)| b.to_string()).context("url")?
        }
    };
    let dbname = format!("claimdesk_sync_bench_{}", std::process::id());
    let (admin, conn) = tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    admin.batch_execute(&format!("CREATE DATABASE {dbname}")).await?;
    let db = format!("{base}/{dbname}");
    let pool = claimdesk_server::db::pool(&db, 2)?;
    claimdesk_server::db::migrate(&pool).await?;
    claimdesk_server::admin::create_user(&pool, "bench", "벤치 심사자", "reviewer", None, "bench-password")
        .await?;
    claimdesk_server::admin::create_user(
        &pool,
        "bench-admin",
        "벤치 관리자",
        "admin",
        None,
        "bench-password",
    )
    .await?;

    let server_bin = match &args.server {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("claimdesk-server"),
    };
    let mut server = Command::new(&server_bin)
        .env("CLAIMDESK_SERVER_DATABASE_URL", &db)
        .env("CLAIMDESK_SERVER_LISTEN", "127.0.0.1:0")
        .env("CLAIMDESK_SERVER_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn,claimdesk_server=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("start {}", server_bin.display()))?;
    let stderr = server.stderr.take().context("stderr")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut sent = false;
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if !sent {
                if let Some(a) = serde_json::from_str::<Value>(&line)
                    .ok()
                    .and_then(|v| v.get("address").and_then(Value::as_str).map(str::to_string))
                {
                    let _ = tx.send(a);
                    sent = true;
                }
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).context("the server did not start")?;
    let url = format!("http://{addr}");
    let result = run(&args, &url, &pool).await;
    let _ = server.kill();
    let _ = server.wait();
    drop(pool);
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")).await;
    let rows = result?;

    let mut table = String::new();
    table.push_str(&format!(
        "Latest run: {} ops, {} build, {} cores, loopback HTTP, PostgreSQL {}, {} (UTC).\nCommand: `scripts/sync-bench.sh {}`\n\n",
        args.ops,
        if cfg!(debug_assertions) { "debug" } else { "release" },
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        pg_version(&admin).await.unwrap_or_default(),
        utc_now(),
        args.ops
    ));
    table.push_str(
        "| workload | figure | baseline (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.workload,
            r.figure,
            r.baseline,
            r.ratio,
            r.target,
            if r.met { "yes" } else { "**no**" }
        ));
    }
    print!("{table}");
    if let Some(path) = &args.markdown {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let (start, end) = ("<!-- sync-bench:start -->", "<!-- sync-bench:end -->");
        let block = format!("{start}\n{table}{end}");
        let new = match (text.find(start), text.find(end)) {
            (Some(a), Some(b)) if b > a => format!("{}{}{}", &text[..a], block, &text[b + end.len()..]),
            _ => format!("{}\n{}\n", text.trim_end(), block),
        };
        std::fs::write(path, new)?;
    }
    if rows.iter().any(|r| !r.met) {
        std::process::exit(1);
    }
    Ok(())
}

async fn pg_version(c: &tokio_postgres::Client) -> anyhow::Result<String> {
    let v: String = c.query_one("SHOW server_version", &[]).await?.get(0);
    Ok(v.split_whitespace().next().unwrap_or_default().to_string())
}

fn utc_now() -> String {
    let out = Command::new("date").args(["-u", "+%Y-%m-%d %H:%M"]).output();
    out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}

struct Client {
    http: reqwest::Client,
    url: String,
    token: String,
    device: String,
}

impl Client {
    fn req(&self, m: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(m, format!("{}{}", self.url, path))
            .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
            .header(HEADER_SCHEMA, "3")
            .bearer_auth(&self.token)
    }

    async fn push(&self, ops: &[WireOp]) -> anyhow::Result<PushResponse> {
        let body = serde_json::to_vec(&PushRequest { device_id: self.device.clone(), ops: ops.to_vec() })?;
        let resp = self
            .req(reqwest::Method::POST, "/v1/push")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("push: {} {}", resp.status(), resp.text().await?);
        }
        Ok(serde_json::from_slice(&resp.bytes().await?)?)
    }

    async fn pull(&self, after: i64, limit: usize) -> anyhow::Result<PullResponse> {
        let resp =
            self.req(reqwest::Method::GET, &format!("/v1/pull?after={after}&limit={limit}")).send().await?;
        if !resp.status().is_success() {
            bail!("pull: {} {}", resp.status(), resp.text().await?);
        }
        Ok(serde_json::from_slice(&resp.bytes().await?)?)
    }
}

async fn run(args: &Args, url: &str, pool: &deadpool_postgres::Pool) -> anyhow::Result<Vec<Row>> {
    let http = reqwest::Client::builder().tcp_nodelay(true).build()?;
    let sign_in = |user: &'static str, device: &'static str| {
        let http = http.clone();
        async move {
            let login: LoginResponse = http
                .post(format!("{url}/v1/login"))
                .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
                .header(HEADER_SCHEMA, "3")
                .json(&LoginRequest {
                    user: user.into(),
                    password: "bench-password".into(),
                    device_id: device.into(),
                    device_name: "bench".into(),
                    device_secret: String::new(),
                })
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            anyhow::Ok(Client { http, url: url.to_string(), token: login.token, device: device.into() })
        }
    };
    let office = sign_in("bench-admin", "bench-office").await?;
    let client = sign_in("bench", "bench-device").await?;
    let ops = make_ops(args.ops, "bench", "bench-device");

    // The claims the review is about, imported by the office (checked like the desktop's intake).
    let imports = make_imports(args.ops.div_ceil(4), "bench-admin", "bench-office");
    let started = Instant::now();
    for page in imports.chunks(PAGE) {
        let r = office.push(page).await?;
        if let Some(bad) = r.results.iter().find(|r| !matches!(r.outcome, PushOutcome::Accepted { .. })) {
            bail!("push: an import was not accepted: {bad:?}");
        }
    }
    let import_s = started.elapsed().as_secs_f64();

    // Push: one desktop sending its outbox in pages.
    let started = Instant::now();
    for page in ops.chunks(PAGE) {
        let r = client.push(page).await?;
        if let Some(bad) = r.results.iter().find(|r| !matches!(r.outcome, PushOutcome::Accepted { .. })) {
            bail!("push: an op was not accepted: {bad:?}");
        }
    }
    let push_s = started.elapsed().as_secs_f64();

    // Pull into an empty replica (parsed, not applied to a store).
    let started = Instant::now();
    let (mut cursor, mut pulled) = (0, 0usize);
    loop {
        let page = client.pull(cursor, PAGE).await?;
        pulled += page.ops.len();
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    let pull_s = started.elapsed().as_secs_f64();
    if pulled != args.ops + imports.len() {
        bail!("pulled {pulled} ops, pushed {}", args.ops + imports.len());
    }

    // Baseline: the same rows into a bare table, the same pages, one transaction each; then read back.
    let pg = pool.get().await?;
    pg.batch_execute(
        "CREATE TABLE bare_ops (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, op_id uuid, hlc bigint, author text, device text,
                                entity text, kind text, payload jsonb, base bigint, at_ms bigint)",
    )
    .await?;
    let insert = pg
        .prepare(
            "INSERT INTO bare_ops (op_id, hlc, author, device, entity, kind, payload, base, at_ms)
             SELECT op_id, hlc, author, device, entity, kind, payload::jsonb, base, at_ms
             FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::int8[])
                  AS t(op_id, hlc, author, device, entity, kind, payload, base, at_ms)",
        )
        .await?;
    let started = Instant::now();
    for page in ops.chunks(PAGE) {
        let ids: Vec<uuid::Uuid> =
            page.iter().map(|o| uuid::Uuid::parse_str(&o.op_id).unwrap_or_default()).collect();
        let hlc: Vec<i64> = page.iter().map(|o| o.hlc).collect();
        let author: Vec<&str> = page.iter().map(|o| o.user.as_str()).collect();
        let device: Vec<&str> = page.iter().map(|o| o.device.as_str()).collect();
        let entity: Vec<&str> = page.iter().map(|o| o.entity.as_str()).collect();
        let kind: Vec<&str> = page.iter().map(|o| o.kind.as_str()).collect();
        let payload: Vec<String> = page.iter().map(|o| o.payload.to_string()).collect();
        let base: Vec<Option<i64>> = page.iter().map(|o| o.base).collect();
        let at: Vec<i64> = page.iter().map(|o| o.at_ms).collect();
        pg.batch_execute("BEGIN").await?;
        pg.execute(&insert, &[&ids, &hlc, &author, &device, &entity, &kind, &payload, &base, &at]).await?;
        pg.batch_execute("COMMIT").await?;
    }
    let bare_insert_s = started.elapsed().as_secs_f64();
    let select = pg
        .prepare("SELECT seq, op_id, hlc, author, device, entity, kind, payload::text, base, at_ms FROM bare_ops WHERE seq > $1 ORDER BY seq LIMIT $2")
        .await?;
    let started = Instant::now();
    let (mut after, mut read) = (0i64, 0usize);
    loop {
        let rows = pg.query(&select, &[&after, &(PAGE as i64)]).await?;
        if rows.is_empty() {
            break;
        }
        read += rows.len();
        after = rows.last().map(|r| r.get::<_, i64>(0)).unwrap_or(after);
        let mut bytes = 0usize;
        for r in &rows {
            bytes += r.get::<_, &str>(7).len() + r.get::<_, &str>(5).len();
        }
        std::hint::black_box(bytes);
    }
    let bare_select_s = started.elapsed().as_secs_f64();
    std::hint::black_box(read);

    // Round trips: what a desktop does on its timer.
    let mut idle = Vec::new();
    let mut few = Vec::new();
    let head = client.pull(cursor, 1).await?.head;
    let mut cursor = head;
    for i in 0..args.round_trips {
        let started = Instant::now();
        client.push(&[]).await?;
        let page = client.pull(cursor, PAGE).await?;
        cursor = page.cursor;
        idle.push(started.elapsed().as_secs_f64() * 1000.0);
        if i % 3 == 0 {
            // Five notes (a note is admitted on any claim, at any time).
            let five: Vec<WireOp> = make_ops(20, "bench", "bench-device")
                .into_iter()
                .filter(|o| o.kind == "claim.add_note")
                .take(5)
                .collect();
            let started = Instant::now();
            client.push(&five).await?;
            let page = client.pull(cursor, PAGE).await?;
            cursor = page.cursor;
            few.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    idle.sort_by(f64::total_cmp);
    few.sort_by(f64::total_cmp);

    let n = args.ops as f64;
    let rate = |s: f64| n / s;
    let pulled_rate = |s: f64| pulled as f64 / s;
    let rows = vec![
        Row {
            workload: format!("push {} claim imports (pages of {PAGE}; each row checked, each claim's state kept)", imports.len()),
            figure: format!("{:.0} ops/s ({:.2} s)", imports.len() as f64 / import_s, import_s),
            baseline: "—".into(),
            ratio: "—".into(),
            target: "≥ 20,000 ops/s".into(),
            met: imports.len() as f64 / import_s >= 20_000.0,
        },
        Row {
            workload: format!("push {} review ops to the server (pages of {PAGE}, one client; every op decided by the rules on its claim's state, stamped, stored once, acknowledged)", args.ops),
            figure: format!("{:.0} ops/s ({:.2} s)", rate(push_s), push_s),
            baseline: format!("{:.0} ops/s ({:.2} s, bare multi-row INSERT of the same rows, same pages)", rate(bare_insert_s), bare_insert_s),
            ratio: format!("{:.1}×", push_s / bare_insert_s),
            target: "≥ 20,000 ops/s".into(),
            met: rate(push_s) >= 20_000.0,
        },
        Row {
            workload: format!("pull {pulled} ops from the server (pages of {PAGE}, parsed; not applied to a store)"),
            figure: format!("{:.0} ops/s ({:.2} s)", pulled_rate(pull_s), pull_s),
            baseline: format!("{:.0} ops/s ({:.2} s, bare SELECT of the same rows, same pages)", rate(bare_select_s), bare_select_s),
            ratio: format!("{:.1}×", pull_s / bare_select_s),
            target: "≥ 20,000 ops/s".into(),
            met: pulled_rate(pull_s) >= 20_000.0,
        },
        Row {
            workload: format!("sync round trip with nothing to move (empty push + pull at the head), {} times", idle.len()),
            figure: format!("p99 {:.1} ms (p50 {:.1} ms)", pct(&idle, 0.99), pct(&idle, 0.5)),
            baseline: "—".into(),
            ratio: "—".into(),
            target: "< 50 ms".into(),
            met: pct(&idle, 0.99) < 50.0,
        },
        Row {
            workload: format!("sync round trip with 5 ops to move (push 5 + pull them), {} times", few.len()),
            figure: format!("p99 {:.1} ms (p50 {:.1} ms)", pct(&few, 0.99), pct(&few, 0.5)),
            baseline: "—".into(),
            ratio: "—".into(),
            target: "< 50 ms".into(),
            met: pct(&few, 0.99) < 50.0,
        },
    ];
    Ok(rows)
}
