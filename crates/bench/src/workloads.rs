//! The workloads. Each returns one table row; baselines run in the same
//! process, on the same file, right before or after the measured work.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use claimdesk_core::policy::Policy;
use claimdesk_core::workflow::{ClaimCommand, Decision};
use claimdesk_core::{Category, ClaimStatus, Remedy, Role};
use claimdesk_store::import::ImportOptions;
use claimdesk_store::queue::{QueueFilter, Sort, SortKey};
use claimdesk_store::Store;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use crate::{Args, Result};

fn say(args: &Args, text: &str) {
    if !args.quiet {
        eprintln!("· {text}");
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or_default()
}

pub fn run_all(args: &Args) -> anyhow::Result<Vec<Result>> {
    let tmp = tempfile::tempdir()?;
    let dir = args.work_dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let csv_path = dir.join("intake.csv");
    let db = dir.join("bench.db");
    let baseline_db = dir.join("baseline.db");
    let mut results = Vec::new();
    if let Some(ops) = args.sync {
        results.push(sync_pull(args, &dir, ops)?);
        results.push(sync_pull_work(args, &dir, ops)?);
        return Ok(results);
    }
    if !args.reuse {
        for p in [&db, &baseline_db] {
            for suffix in ["", "-wal", "-shm", ".keys"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
        say(args, &format!("generating {} synthetic claims", args.claims));
        let catalog = claimdesk_core::Catalog::default_2022();
        let config = claimdesk_synth::SynthConfig::benchmark(args.claims);
        let started = Instant::now();
        claimdesk_synth::write_csv(
            &config,
            &catalog,
            std::io::BufWriter::new(std::fs::File::create(&csv_path)?),
        )?;
        say(args, &format!("generated in {}", secs(started.elapsed())));
        results.push(import(args, &csv_path, &db, &baseline_db)?);
    }
    let mut store = open_store(&db)?;
    spread_statuses(&store)?;
    results.push(queue_pages(args, &store)?);
    results.push(search(args, &store, &baseline_db)?);
    results.push(lookup(args, &store, &baseline_db)?);
    results.push(evaluate(args, &store)?);
    results.push(what_if(args, &store)?);
    results.push(approve_batch(args, &mut store)?);
    Ok(results)
}

/// The import, in a child process so its peak memory is its own, against
/// the sqlite3 shell's bare `.import` plus an FTS5 trigram index.
fn import(args: &Args, csv_path: &Path, db: &Path, baseline_db: &Path) -> anyhow::Result<Result> {
    say(args, "baseline: sqlite3 .import + FTS5 trigram index");
    let script = format!(
        ".import --csv {} claims\nCREATE VIRTUAL TABLE claims_fts USING fts5(name, description, tokenize = 'trigram');\nINSERT INTO claims_fts (rowid, name, description) SELECT rowid, name, description FROM claims;\n",
        csv_path.display()
    );
    let started = Instant::now();
    let out = Command::new("sqlite3")
        .arg(baseline_db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(script.as_bytes())?;
            }
            child.wait_with_output()
        })
        .context("the sqlite3 shell is needed for the import baseline (scripts/common.sh installs it)")?;
    let baseline = started.elapsed();
    if !out.status.success() {
        bail!("sqlite3 baseline failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    say(args, "ClaimDesk import (parse, validate, store, index, evaluate, audit)");
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe);
    if args.encrypted {
        child.env(ENCRYPTED_VAR, "1");
    }
    let out = child.arg("--child-import").arg(db).arg(csv_path).output()?;
    if !out.status.success() {
        bail!("import failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let took = Duration::from_secs_f64(report["secs"].as_f64().unwrap_or(0.0));
    let peak_mb = report["peak_kb"].as_u64().unwrap_or(0) as f64 / 1024.0;
    let ratio = took.as_secs_f64() / baseline.as_secs_f64().max(1e-9);
    Ok(Result {
        workload: format!("import {} rows (parse, validate, store, index, evaluate, audit)", args.claims),
        figure: format!("{} · peak {:.0} MB", secs(took), peak_mb),
        baseline: format!("{} (sqlite3 .import + FTS5 trigram)", secs(baseline)),
        ratio: format!("{ratio:.2}×"),
        target: "≤ 2× · peak < 300 MB".into(),
        met: ratio <= 2.0 && peak_mb < 300.0,
    })
}

/// Set for the import child of an `--encrypted` run.
const ENCRYPTED_VAR: &str = "CLAIMDESK_BENCH_ENCRYPTED";
/// The admin password of the benchmark's encrypted stores.
const BENCH_PASSWORD: &str = "benchmark password";

/// Opens the benchmark's store as it was made: encrypted (with the admin's
/// password, as the app and CLI do) or plain.
fn open_store(db: &Path) -> anyhow::Result<Store> {
    Ok(match claimdesk_store::keys::inspect(db)? {
        claimdesk_store::keys::StoreFile::Encrypted => {
            Store::unlock(db, claimdesk_store::FIRST_ADMIN, BENCH_PASSWORD)?.store
        }
        _ => Store::open(db)?,
    })
}

/// Runs in the child: the import as `claimdesk import` does it.
pub fn child_import(db: &Path, file: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let (mut store, admin) = if std::env::var_os(ENCRYPTED_VAR).is_some() {
        // As `claimdesk import` makes a new store: encrypted, the admin's password and slot set.
        let (mut store, _) = Store::create_encrypted(db)?;
        let admin = store.set_first_admin_password(BENCH_PASSWORD)?;
        (store, admin)
    } else {
        let store = Store::open(db)?;
        let admin = store.actor(claimdesk_store::FIRST_ADMIN)?;
        (store, admin)
    };
    let summary = store.import_file(&admin, file, ImportOptions::default(), &mut |_| true)?;
    let took = started.elapsed();
    let peak_kb = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        .unwrap_or(0);
    println!(
        "{}",
        serde_json::json!({"secs": took.as_secs_f64(), "peak_kb": peak_kb, "imported": summary.counts.imported})
    );
    Ok(())
}

/// Gives the freshly imported claims the spread of statuses of a store in
/// mid-review, so that the queue filters select realistic slices. (A
/// benchmark fixture: the product changes statuses only through the workflow.)
fn spread_statuses(store: &Store) -> anyhow::Result<()> {
    store.conn().execute_batch(
        "UPDATE claims SET status = CASE id % 20
             WHEN 0 THEN 'triaged' WHEN 1 THEN 'triaged' WHEN 2 THEN 'in_review' WHEN 3 THEN 'in_review'
             WHEN 4 THEN 'needs_info' WHEN 5 THEN 'recommended' WHEN 6 THEN 'approved' WHEN 7 THEN 'closed_denied'
             ELSE 'new' END;",
    )?;
    claimdesk_store::schema::refresh_statistics(store.conn())?;
    Ok(())
}

const PAGE: u64 = 100;

fn queue_pages(args: &Args, store: &Store) -> anyhow::Result<Result> {
    say(args, "queue pages: status + category + service, sorted, random pages");
    let mut rng = SmallRng::seed_from_u64(7);
    let services: Vec<String> = store.catalog()?.services.iter().map(|s| s.code.clone()).collect();
    let statuses = [ClaimStatus::New, ClaimStatus::Triaged, ClaimStatus::InReview, ClaimStatus::Recommended];
    let mut samples = Vec::new();
    for i in 0..600 {
        let filter = QueueFilter {
            statuses: vec![statuses[rng.random_range(0..statuses.len())]],
            categories: vec![Category::ALL[rng.random_range(0..Category::ALL.len())]],
            services: vec![services[rng.random_range(0..services.len())].clone()],
            ..QueueFilter::default()
        };
        let sort = Sort {
            key: if i % 2 == 0 { SortKey::ReceivedAt } else { SortKey::Amount },
            descending: i % 3 == 0,
        };
        let total = store.queue_count(&filter)?;
        let pages = total.div_ceil(PAGE).max(1);
        let offset = rng.random_range(0..pages) * PAGE;
        let started = Instant::now();
        let page = store.queue_page(&filter, sort, offset, PAGE)?;
        let took = started.elapsed();
        if i >= 100 {
            samples.push(took); // the first 100 warm the cache
        }
        std::hint::black_box(page);
    }
    let p50 = percentile(&mut samples, 0.5);
    let p99 = percentile(&mut samples, 0.99);
    Ok(Result {
        workload: "queue page: status + category + service filter, sort by received or amount, 100 rows, random page, with total".into(),
        figure: format!("p99 {} (p50 {})", ms(p99), ms(p50)),
        baseline: "—".into(),
        ratio: "—".into(),
        target: "p99 < 5 ms".into(),
        met: p99 < Duration::from_millis(5),
    })
}

const QUERIES: &[&str] =
    &["택시", "예약", "호출", "\"택시 호출\"", "손님", "선물", "광고비", "\"예약 손님\"", "메일", "김민"];

fn search(args: &Args, store: &Store, baseline_db: &Path) -> anyhow::Result<Result> {
    say(args, "Korean full-text search: first page and total count");
    let mut samples = Vec::new();
    let mut hits = 0;
    for round in 0..30 {
        for q in QUERIES {
            let filter = QueueFilter { text: Some((*q).to_string()), ..QueueFilter::default() };
            let started = Instant::now();
            let page = store.queue_page(&filter, Sort::default(), 0, 50)?;
            let took = started.elapsed();
            if round > 0 {
                samples.push(took);
            }
            hits += page.total;
        }
    }
    if hits == 0 {
        bail!("search found nothing: the synthetic descriptions or the index are broken");
    }
    // Baseline: what a person could do by hand on the bare table, a LIKE scan.
    let baseline = like_scan(
        baseline_db,
        "SELECT count(*) FROM claims WHERE description LIKE '%택시%' OR name LIKE '%택시%'",
    )?;
    Ok(search_row(
        format!(
            "full-text search in Korean ({} queries: 택시, 예약, \"택시 호출\", …), first page + total count",
            QUERIES.len()
        ),
        &mut samples,
        baseline,
        "LIKE '%택시%' scan of the bare table",
    ))
}

/// How long the bare table takes to answer a count by hand (a search's baseline).
fn like_scan(baseline_db: &Path, sql: &str) -> anyhow::Result<Duration> {
    let conn = rusqlite::Connection::open(baseline_db)?;
    let started = Instant::now();
    let count: i64 = conn.query_row(sql, [], |r| r.get(0))?;
    let baseline = started.elapsed();
    std::hint::black_box(count);
    Ok(baseline)
}

/// The row of a search-like workload: its p99 against quality.md's 50 ms.
fn search_row(workload: String, samples: &mut [Duration], baseline: Duration, what: &str) -> Result {
    let p99 = percentile(samples, 0.99);
    Result {
        workload,
        figure: format!("p99 {}", ms(p99)),
        baseline: format!("{} ({what})", ms(baseline)),
        ratio: format!("{:.3}×", p99.as_secs_f64() / baseline.as_secs_f64().max(1e-9)),
        target: "p99 < 50 ms".into(),
        met: p99 < Duration::from_millis(50),
    }
}

/// A call centre's lookup: a claim by its 접수번호, a claimant by phone or BRN
/// as people spell them (dashes, +82), exact matches first, in the search's budget.
fn lookup(args: &Args, store: &Store, baseline_db: &Path) -> anyhow::Result<Result> {
    say(args, "lookup by 접수번호, phone and BRN: first page and total count");
    let mut rng = SmallRng::seed_from_u64(7);
    let (max_id,): (i64,) = store.conn().query_row("SELECT max(id) FROM claims", [], |r| Ok((r.get(0)?,)))?;
    let mut queries = Vec::new();
    while queries.len() < 30 {
        let id = rng.random_range(1..=max_id.max(1));
        let row: Option<(String, Option<String>, Option<String>)> = store
            .conn()
            .query_row("SELECT external_id, phone, brn FROM claims WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .ok();
        let Some((external_id, phone, brn)) = row else { continue };
        queries.push(external_id.to_lowercase());
        if let Some(p) = phone.filter(|p| p.len() == 11) {
            queries.push(format!("+82 {}-{}-{}", &p[1..3], &p[3..7], &p[7..]));
        }
        if let Some(b) = brn {
            queries.push(format!("{}-{}-{}", &b[..3], &b[3..5], &b[5..]));
        }
    }
    let mut samples = Vec::new();
    for round in 0..10 {
        for q in &queries {
            let filter = QueueFilter { text: Some(q.clone()), ..QueueFilter::default() };
            let started = Instant::now();
            let page = store.queue_page(&filter, Sort::default(), 0, 50)?;
            let took = started.elapsed();
            if page.exact == 0 {
                bail!("the lookup of {q} found no exact match");
            }
            if round > 0 {
                samples.push(took);
            }
        }
    }
    // Baseline: a person's LIKE over the bare table for the last four digits.
    let baseline =
        like_scan(baseline_db, "SELECT count(*) FROM claims WHERE phone LIKE '%5678%' OR brn LIKE '%5678%'")?;
    Ok(search_row(
        format!(
            "lookup ({} queries: 접수번호 in lower case, phone as +82 10-…, BRN with dashes), first page + total count",
            queries.len()
        ),
        &mut samples,
        baseline,
        "LIKE '%5678%' scan of phone and BRN in the bare table",
    ))
}

fn evaluate(args: &Args, store: &Store) -> anyhow::Result<Result> {
    say(args, "evaluate the policy over every claim (store read included)");
    // Baseline: SQLite stepping through the same columns in the same order,
    // touching each value, with no conversion or policy.
    let started = Instant::now();
    let mut baseline_rows: i64 = 0;
    {
        let mut stmt = store.conn().prepare(
            "SELECT external_id, received_at, category, service, phone, brn, damage_start, damage_end,
                    claimed_amount, daily_income, documented_loss, ad_spend FROM claims ORDER BY external_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            for i in 0..12 {
                std::hint::black_box(r.get_ref(i)?);
            }
            baseline_rows += 1;
        }
    }
    let baseline = started.elapsed();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let table = store.evaluation_table(None)?;
        best = best.min(started.elapsed());
        if table.len() as i64 != baseline_rows {
            bail!("evaluation covered {} of {} claims", table.len(), baseline_rows);
        }
    }
    Ok(Result {
        workload: "evaluate the policy over every claim, store read included".into(),
        figure: secs(best),
        baseline: format!("{} (SQLite reading the same columns in the same order)", secs(baseline)),
        ratio: format!("{:.2}×", best.as_secs_f64() / baseline.as_secs_f64().max(1e-9)),
        target: "< 1 s".into(),
        met: best < Duration::from_secs(1),
    })
}

fn what_if(args: &Args, store: &Store) -> anyhow::Result<Result> {
    say(args, "what-if: two policy versions over every claim");
    let (_, before) = store.active_policy()?;
    let after = alternative_policy(&before)?;
    let started = Instant::now();
    let w = store.what_if(&before, &after)?;
    let took = started.elapsed();
    if w.changed.is_empty() {
        bail!("the alternative policy changed no outcome; the what-if workload measures nothing");
    }
    Ok(Result {
        workload: format!(
            "what-if: two policy versions over every claim ({} outcomes change), totals and changed claims",
            w.changed.len()
        ),
        figure: secs(took),
        baseline: "—".into(),
        ratio: "—".into(),
        target: "< 2 s".into(),
        met: took < Duration::from_secs(2),
    })
}

/// A plausible second version: lower driver caps and a higher first band
/// for small businesses.
fn alternative_policy(base: &Policy) -> anyhow::Result<Policy> {
    let mut p = base.clone();
    p.name = "what-if: lower driver caps".into();
    p.taxi_driver.cap = rust_decimal::Decimal::from(150_000);
    p.designated_driver.cap = rust_decimal::Decimal::from(100_000);
    if let Some(first) = p.small_business.bands.first_mut() {
        first.base += rust_decimal::Decimal::from(10_000);
    }
    p.validate()?;
    Ok(p)
}

const BATCH: usize = 10_000;

fn approve_batch(args: &Args, store: &mut Store) -> anyhow::Result<Result> {
    say(args, "approve a batch of 10,000 claims");
    let admin = store.actor(claimdesk_store::FIRST_ADMIN)?;
    if store.actor("bench.supervisor").is_err() {
        store.create_user(&admin, "bench.reviewer", "벤치 심사자", Role::Reviewer, None)?;
        store.create_user(&admin, "bench.supervisor", "벤치 책임자", Role::Supervisor, None)?;
    }
    let supervisor = store.actor("bench.supervisor")?;
    let n = BATCH.min(args.claims / 4);
    // Fixture: n eligible claims taken and recommended as the policy
    // proposes by a reviewer, and put in a batch by the supervisor, through
    // the workflow (every claim's state is the fold of its ops).
    let reviewer = store.actor("bench.reviewer")?;
    let picked: Vec<(String, Decision)> = {
        let mut stmt = store.conn().prepare(
            "SELECT external_id, remedy, amount, extension_days FROM claims
             WHERE eligible = 1 AND remedy IN ('cash', 'voucher', 'extension') AND status = 'new'
               AND id NOT IN (SELECT claim_id FROM claim_sync WHERE state IS NOT NULL) ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([n as i64], |r| {
            let remedy: String = r.get(1)?;
            Ok((r.get::<_, String>(0)?, remedy, r.get::<_, i64>(2)?, r.get::<_, u32>(3)?))
        })?;
        rows.map(|r| {
            r.map(|(id, remedy, amount, days)| {
                let remedy = Remedy::parse(&remedy).unwrap_or(Remedy::Cash);
                (
                    id,
                    Decision::Approve {
                        remedy,
                        amount: Decimal::from(amount),
                        extension_days: days,
                        grants: Vec::new(),
                    },
                )
            })
        })
        .collect::<rusqlite::Result<_>>()?
    };
    let n = picked.len();
    let takes = picked.iter().map(|(id, _)| (id.clone(), ClaimCommand::Take)).collect();
    store.apply_to_many(&reviewer, takes)?;
    let recommendations = picked
        .iter()
        .map(|(id, d)| (id.clone(), ClaimCommand::Recommend { decision: d.clone(), justification: None }))
        .collect();
    let made = store.apply_to_many(&reviewer, recommendations)?;
    if made.applied as usize != n {
        bail!("recommended {} of {n} claims: {:?}", made.applied, made.refused.first());
    }
    let ids: Vec<String> = picked.into_iter().map(|(id, _)| id).collect();
    let batch_id = store.create_batch_of(&supervisor, "bench", &ids)?.batch_id;
    let batch_id = &batch_id;
    // Baseline: the bare UPDATE of the same rows, rolled back.
    let started = Instant::now();
    store.conn().execute_batch(&format!(
        "BEGIN; UPDATE claims SET status = 'approved', version = version + 1 WHERE batch_id = '{batch_id}'; ROLLBACK;"
    ))?;
    let baseline = started.elapsed();
    let started = Instant::now();
    let report = store.approve_batch(&supervisor, batch_id)?;
    let took = started.elapsed();
    if report.approved as usize != n {
        bail!("approved {} of {n} claims: {:?}", report.approved, report.refused.first());
    }
    Ok(Result {
        workload: format!(
            "approve a batch of {n} claims (rules, op and audit entry per claim, one transaction)"
        ),
        figure: secs(took),
        baseline: format!("{} (bare UPDATE of the same rows)", ms(baseline)),
        ratio: format!("{:.1}×", took.as_secs_f64() / baseline.as_secs_f64().max(1e-9)),
        target: "< 1 s".into(),
        met: took < Duration::from_secs(1),
    })
}

/// Sync: a desktop imports `count` claims; their ops (one `claim.import`
/// each, as the server hands them out in pages of MAX_PAGE) are applied to
/// an empty store, each page with its cursor in one transaction. Baseline:
/// the desktop's own import of the same file, in the same run.
fn sync_pull(args: &Args, dir: &Path, count: usize) -> anyhow::Result<Result> {
    let csv_path = dir.join("sync-intake.csv");
    let source_db = dir.join("sync-source.db");
    let target_db = dir.join("sync-target.db");
    for p in [&source_db, &target_db] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
        }
    }
    say(args, &format!("generating {count} synthetic claims"));
    let catalog = claimdesk_core::Catalog::default_2022();
    let config = claimdesk_synth::SynthConfig::benchmark(count);
    claimdesk_synth::write_csv(
        &config,
        &catalog,
        std::io::BufWriter::new(std::fs::File::create(&csv_path)?),
    )?;
    let mut source = Store::open(&source_db)?;
    let admin = source.actor(claimdesk_store::FIRST_ADMIN)?;
    let started = Instant::now();
    let summary = source.import_file(&admin, &csv_path, ImportOptions::default(), &mut |_| true)?;
    let import_took = started.elapsed();
    let imported = summary.counts.imported as f64;
    let ops = as_pulled(source.outbox_page(usize::MAX >> 1)?);
    let pages: Vec<Vec<claimdesk_sync::protocol::PulledOp>> =
        ops.chunks(claimdesk_sync::protocol::MAX_PAGE).map(|c| c.to_vec()).collect();
    say(args, &format!("applying {} pulled ops to an empty store", ops.len()));
    let mut target = Store::open(&target_db)?;
    let cpu_before = process_cpu_secs();
    let started = Instant::now();
    let mut cursor = 0;
    let head = ops.len() as i64;
    for page in &pages {
        cursor += page.len() as i64;
        target.apply_pulled(page, cursor, head - cursor)?;
    }
    let took = started.elapsed();
    let cpu = process_cpu_secs() - cpu_before;
    let claims: i64 = target.conn().query_row("SELECT count(*) FROM claims", [], |r| r.get(0))?;
    if claims as f64 != imported {
        bail!("the target holds {claims} claims, the source imported {imported}");
    }
    let rate = ops.len() as f64 / took.as_secs_f64().max(1e-9);
    let import_rate = imported / import_took.as_secs_f64().max(1e-9);
    Ok(Result {
        workload: format!(
            "sync: pull {} ops (claim imports) into an empty store, pages of {}",
            ops.len(),
            claimdesk_sync::protocol::MAX_PAGE
        ),
        figure: format!(
            "{} · {:.0} ops/s (CPU {:.2} s: {:.0} ops per CPU-second)",
            secs(took),
            rate,
            cpu,
            ops.len() as f64 / cpu.max(1e-9)
        ),
        baseline: format!("{:.0} rows/s (local import of the same file)", import_rate),
        ratio: format!("{:.2}×", rate / import_rate.max(1e-9)),
        target: "≥ 20,000 ops/s".into(),
        met: rate >= 20_000.0,
    })
}

/// Ops as the server hands them out: numbered, stamped with their author's role (an admin here).
fn as_pulled(ops: Vec<claimdesk_sync::protocol::WireOp>) -> Vec<claimdesk_sync::protocol::PulledOp> {
    let stamp = claimdesk_core::ops::Stamp::of_role(Role::Admin, None);
    ops.into_iter()
        .enumerate()
        .map(|(i, op)| claimdesk_sync::protocol::PulledOp {
            seq: i as i64 + 1,
            op,
            stamp: Some(stamp.clone()),
        })
        .collect()
}

/// CPU seconds (user + system) this process has used, all threads: on a
/// shared machine it tells the work apart from the waiting.
fn process_cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses: utime is the
    // 12th and stime the 13th of them, in clock ticks (100 per second).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// Sync: review work made elsewhere (notes and annotations, `count` ops over
/// a tenth as many claims) pulled into a store that has the claims: each
/// page folds its ops into the claims it touches (incrementally, from each
/// claim's cached state).
fn sync_pull_work(args: &Args, dir: &Path, count: usize) -> anyhow::Result<Result> {
    let target_db = dir.join("sync-target.db");
    let mut target = Store::open(&target_db)?;
    let ids: Vec<String> = {
        let mut stmt = target.conn().prepare("SELECT external_id FROM claims ORDER BY id LIMIT ?1")?;
        let rows = stmt.query_map([(count / 10).max(1) as i64], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if ids.is_empty() {
        bail!("the sync target has no claims");
    }
    let start_hlc =
        claimdesk_core::hlc::Stamp { millis: claimdesk_core::hlc::wall_clock_ms(), counter: 0 }.to_i64();
    let priorities = ["low", "normal", "high", "urgent"];
    let ops: Vec<claimdesk_sync::protocol::WireOp> = (0..count)
        .map(|i| {
            let claim = &ids[i % ids.len()];
            let (kind, payload) = if i % 2 == 0 {
                (
                    "claim.add_note",
                    serde_json::json!({"body": format!("현장 확인 메모 {i}: 영수증 사진을 받았습니다")}),
                )
            } else {
                ("claim.annotate", serde_json::json!({"priority": priorities[i % 4], "tags": ["현장확인"]}))
            };
            claimdesk_sync::protocol::WireOp {
                op_id: format!("bench-{i:08}"),
                hlc: start_hlc + i as i64,
                user: "admin".into(),
                device: "bench-device".into(),
                entity: format!("claim:{claim}"),
                kind: kind.into(),
                payload,
                base: Some(1),
                at_ms: 0,
            }
        })
        .collect();
    say(args, &format!("applying {} pulled review ops over {} claims", ops.len(), ids.len()));
    let mut cursor: i64 = target.sync_cursor()?;
    let cpu_before = process_cpu_secs();
    let started = Instant::now();
    let ops = as_pulled(ops);
    for page in ops.chunks(claimdesk_sync::protocol::MAX_PAGE) {
        cursor += page.len() as i64;
        target.apply_pulled(page, cursor, 0)?;
    }
    let took = started.elapsed();
    let cpu = process_cpu_secs() - cpu_before;
    let rate = ops.len() as f64 / took.as_secs_f64().max(1e-9);
    Ok(Result {
        workload: format!(
            "sync: pull {} review ops (notes, annotations) over {} claims, pages of {}",
            ops.len(),
            ids.len(),
            claimdesk_sync::protocol::MAX_PAGE
        ),
        figure: format!(
            "{} · {:.0} ops/s (CPU {:.2} s: {:.0} ops per CPU-second)",
            secs(took),
            rate,
            cpu,
            ops.len() as f64 / cpu.max(1e-9)
        ),
        baseline: "-".into(),
        ratio: "-".into(),
        target: "≥ 20,000 ops/s".into(),
        met: rate >= 20_000.0,
    })
}
