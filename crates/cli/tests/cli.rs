//! The command line as scripts use it: the worked example of policy.md byte
//! for byte, exit codes and messages, and a kill -9 in the middle of a large
//! import.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The password of every user these tests make (the store is encrypted and
/// opens with the `--as` user's password: `CLAIMDESK_PASSWORD`).
const PASSWORD: &str = "test password 1";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_claimdesk"));
    c.env_remove("CLAIMDESK_DB").env_remove("CLAIMDESK_USER");
    c.env("CLAIMDESK_PASSWORD", PASSWORD).env("CLAIMDESK_NEW_PASSWORD", PASSWORD);
    c.stdin(Stdio::null());
    // These tests read the English messages; `--lang` and the locale are tested on their own.
    c.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "en_US.UTF-8");
    c
}

fn fixture(name: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../../fixtures")
    .join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run claimdesk")
}

/// Runs with another password in `CLAIMDESK_PASSWORD` (None: none at all, and no terminal).
fn run_with_password(args: &[&str], password: Option<&str>) -> Output {
    let mut c = bin();
    match password {
        Some(p) => c.env("CLAIMDESK_PASSWORD", p),
        None => c.env_remove("CLAIMDESK_PASSWORD"),
    };
    c.args(args).output().expect("run claimdesk")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs a command that must succeed; its standard output.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Runs a command that must be refused with `code`; what it said.
fn refused(args: &[&str], code: &str) -> String {
    let out = run(args);
    assert!(!out.status.success(), "{args:?} must be refused");
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(said.contains(code), "{args:?}: expected {code}, got {said}");
    said
}

#[test]
fn the_worked_example_evaluates_byte_for_byte() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("sample.db");
    let db = db.to_str().expect("utf-8 path");
    let out = run(&["import", "--db", db, fixture("sample-intake.csv").to_str().expect("path")]);
    assert!(out.status.success(), "import failed: {}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("306 rows read"), "{summary}");
    assert!(summary.contains("quarantined") && summary.contains("11"), "{summary}");

    let out = run(&["evaluate", "--db", db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = std::fs::read(fixture("sample-evaluation.csv")).expect("fixture");
    if out.stdout != expected {
        let got = text(&out.stdout);
        let want = text(&expected);
        let first = got.lines().zip(want.lines()).enumerate().find(|(_, (a, b))| a != b);
        panic!(
            "evaluation differs from sample-evaluation.csv; first difference: {first:?}; lines {} vs {}",
            got.lines().count(),
            want.lines().count()
        );
    }

    // The same table with the default policy given as a file.
    let policy = dir.path().join("policy.toml");
    let shown = run(&["policy", "show", "--db", db]);
    std::fs::write(&policy, &shown.stdout).expect("write policy");
    let out = run(&["evaluate", "--db", db, "--policy", policy.to_str().expect("path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout, expected);
}

#[test]
fn queue_search_looks_up_a_claim_by_number_phone_or_brn() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("sample.db");
    let db = db.to_str().expect("utf-8 path");
    assert!(run(&["import", "--db", db, fixture("sample-intake.csv").to_str().expect("path")])
        .status
        .success());
    let found = |search: &str, exact: usize| -> Vec<String> {
        let out = run(&["queue", "--db", db, "--search", search]);
        assert!(out.status.success(), "{search}: {}", text(&out.stderr));
        let shown = text(&out.stdout);
        assert!(shown.contains(&format!("({exact} exact")), "{search}: {shown}");
        shown
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.starts_with("C999-"))
            .map(String::from)
            .collect()
    };
    // One claimant wrote their number three ways across four claims: newest first.
    assert_eq!(
        found("+82 10 7163 2197", 4),
        vec!["C999-000240", "C999-000048", "C999-000079", "C999-000147"]
    );
    assert_eq!(found("037-45-30851", 1), vec!["C999-000210"], "the file wrote 0374530851");
    assert_eq!(found("c999-000159", 1), vec!["C999-000159"]);
}

#[test]
fn the_status_feed_tells_a_call_centre_each_claims_status_with_the_name_masked() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("demo.db");
    let db = db.to_str().expect("path");
    assert!(run(&["demo", "--db", db, "--count", "300"]).status.success());
    let csv = dir.path().join("feed.csv");
    let csv_path = csv.to_str().expect("path");
    // A reviewer may not write it; nothing is left behind.
    let refused = run_with_password(
        &["status-feed", "--db", db, "--as", "kim.reviewer", "--out", csv_path],
        Some("demo-2022"),
    );
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("ROLE_NOT_ALLOWED"), "{}", text(&refused.stderr));
    assert!(!csv.exists(), "no half-written file");
    // An unknown format is named before anything is read.
    let bad = run_with_password(
        &["status-feed", "--db", db, "--as", "park.supervisor", "--out", "feed.txt"],
        Some("demo-2022"),
    );
    assert!(!bad.status.success() && text(&bad.stderr).contains(".csv"), "{}", text(&bad.stderr));

    let out = run_with_password(
        &["--lang", "ko", "status-feed", "--db", db, "--as", "park.supervisor", "--out", csv_path],
        Some("demo-2022"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&csv).expect("feed");
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("\u{feff}claim_id,name_masked,status,status_text,next_step,due_date"));
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(String::from).collect()).collect();
    let claims: usize = text(&run(&["stats", "--db", db]).stdout)
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .expect("claims");
    assert_eq!(rows.len(), claims, "one line per claim of the incident");
    // Masked: the middle of every name is hidden; statuses and next steps are Korean.
    assert!(rows.iter().all(|r| r[1].chars().count() < 2 || r[1].contains('*')), "{:?}", rows[0]);
    let new = rows.iter().find(|r| r[2] == "new").expect("a new claim");
    assert_eq!(new[3], "신규");
    assert!(new[4].contains("심사"), "{new:?}");

    // The same as JSON, in English.
    let json = dir.path().join("feed.json");
    let out = run_with_password(
        &[
            "--lang",
            "en",
            "status-feed",
            "--db",
            db,
            "--as",
            "park.supervisor",
            "--out",
            json.to_str().expect("path"),
        ],
        Some("demo-2022"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let feed: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("a JSON array");
    assert_eq!(feed.len(), claims);
    let first = feed.iter().find(|r| r["status"] == "new").expect("new");
    assert_eq!(first["status_text"], "New");
    assert!(first["next_step"].as_str().unwrap_or("").contains("review"), "{first}");
    assert!(first["due_date"].is_null());
}

#[test]
fn a_queue_view_and_the_report_pack_export_to_xlsx_as_of_a_time() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("demo.db");
    let db = db.to_str().expect("path");
    assert!(run(&["demo", "--db", db, "--count", "300"]).status.success());
    let view = dir.path().join("택시.xlsx");
    let view_path = view.to_str().expect("path");
    let refused = run_with_password(
        &["queue", "--db", db, "--as", "kim.reviewer", "--category", "taxi_driver", "--xlsx", view_path],
        Some("demo-2022"),
    );
    assert!(!refused.status.success() && text(&refused.stderr).contains("ROLE_NOT_ALLOWED"));
    assert!(!view.exists());
    let out = run_with_password(
        &["queue", "--db", db, "--as", "park.supervisor", "--category", "taxi_driver", "--xlsx", view_path],
        Some("demo-2022"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // As many rows as the queue counts for that view, every one a taxi driver's.
    let listed = text(&run(&["queue", "--db", db, "--category", "taxi_driver", "--limit", "1"]).stdout);
    let count: usize =
        listed.split(" · ").nth(1).and_then(|t| t.split_whitespace().next()?.parse().ok()).expect("count");
    let mut book: Xlsx<_> = open_workbook(&view).expect("xlsx");
    let sheet = book.worksheet_range("대기열").expect("sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert!(rows[0].iter().any(|c| c.to_string().starts_with("기준 시각 (as of) 20")), "{:?}", rows[0]);
    assert_eq!(rows[2][0].to_string(), "접수번호");
    let claims: Vec<&[Data]> = rows[3..].to_vec();
    assert_eq!(claims.len(), count);
    assert!(claims.iter().all(|r| r[2] == "택시 기사"));
    assert!(claims.iter().any(|r| matches!(r[9], Data::Float(_))), "amounts are numbers");

    let pack = dir.path().join("pack.xlsx");
    let out = run_with_password(
        &["report", "--db", db, "--as", "park.supervisor", "--out", pack.to_str().expect("path")],
        Some("demo-2022"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book: Xlsx<_> = open_workbook(&pack).expect("pack");
    assert_eq!(book.sheet_names(), vec!["요약", "상태별", "유형별", "서비스별", "보상별", "일자별 접수"]);
    let summary = book.worksheet_range("요약").expect("summary");
    let received = summary.rows().find(|r| r[0].to_string().starts_with("접수")).expect("received");
    let total: f64 = match received[1] {
        Data::Float(f) => f,
        Data::Int(i) => i as f64,
        ref other => panic!("{other:?}"),
    };
    let stats = text(&run(&["stats", "--db", db]).stdout);
    assert_eq!(stats.split_whitespace().next(), Some(total.to_string().as_str()));
}

#[test]
fn a_refused_file_exits_non_zero_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "claim_id,name\nX,홍길동\n").expect("write");
    let out = run(&["import", "--db", db.to_str().expect("path"), bad.to_str().expect("path")]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("received_at") || err.contains("접수일시"), "names the missing column: {err}");

    // The same refusal in Korean, by flag and by locale.
    let ko =
        run(&["--lang", "ko", "import", "--db", db.to_str().expect("path"), bad.to_str().expect("path")]);
    let said = text(&ko.stderr);
    assert!(said.contains("error [MISSING_COLUMNS]: 필수 열이 없습니다: received_at (접수일시)"), "{said}");
    let by_locale = bin()
        .env("LANG", "ko_KR.UTF-8")
        .args(["import", "--db", db.to_str().expect("path"), bad.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(text(&by_locale.stderr), said, "LANG=ko_KR says it in Korean");

    let missing = run(&["evaluate", "--db", dir.path().join("nope.db").to_str().expect("path")]);
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("not found"), "{}", text(&missing.stderr));

    let help = run(&["import", "--help"]);
    assert!(help.status.success());
    assert!(text(&help.stdout).contains("--update"));
}

/// A policy file that breaks a rule or is not TOML: refused with the field or
/// the line, in Korean (the rule's words come from the core's catalogs), for
/// a file given to `evaluate --policy` and for one added with `policy add`.
#[test]
fn a_broken_policy_file_is_said_in_korean_with_its_field_or_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    assert!(run(&["init", "--db", db]).status.success());
    let default = claimdesk_core::policy::DEFAULT_POLICY_TOML;
    let rule = dir.path().join("rule.toml");
    std::fs::write(&rule, default.replacen("cap = 5000000", "cap = 0", 1)).expect("write");
    let syntax = dir.path().join("syntax.toml");
    std::fs::write(&syntax, default.replacen("cap = 5000000", "cap = 오백만", 1)).expect("write");
    let line = default.lines().position(|l| l.starts_with("cap = 5000000")).expect("line") + 1;

    let added = run(&["--lang", "ko", "policy", "add", "--db", db, rule.to_str().expect("path")]);
    assert!(!added.status.success());
    assert!(
        text(&added.stderr).contains("error [POLICY_INVALID]: 정책 항목 advertiser.cap: 0보다 커야 합니다."),
        "{}",
        text(&added.stderr)
    );
    let evaluated =
        run(&["--lang", "ko", "evaluate", "--db", db, "--policy", syntax.to_str().expect("path")]);
    assert!(!evaluated.status.success());
    let said = text(&evaluated.stderr);
    assert!(
        said.contains("error [POLICY_SYNTAX]:") && said.contains("syntax.toml을(를) 쓸 수 없습니다."),
        "{said}"
    );
    assert!(said.contains(&format!("{line}번째 줄 7번째 글자: TOML 문법에 맞지 않습니다.")), "{said}");
    let en = run(&["evaluate", "--db", db, "--policy", rule.to_str().expect("path")]);
    assert!(
        text(&en.stderr).contains("Policy field advertiser.cap: Must be more than 0."),
        "{}",
        text(&en.stderr)
    );
}

#[test]
fn roles_are_enforced_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    assert!(run(&["import", "--db", db, fixture("sample-intake.csv").to_str().expect("path")])
        .status
        .success());
    assert!(run(&["users", "add", "--db", db, "kim", "--name", "김지은", "--role", "reviewer"])
        .status
        .success());
    let out = run(&["users", "add", "--db", db, "--as", "kim", "eve", "--name", "Eve", "--role", "admin"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("ROLE_NOT_ALLOWED"), "{}", text(&out.stderr));
    let log = run(&["audit", "log", "--db", db, "--last", "5"]);
    assert!(text(&log.stdout).contains("REFUSED"), "the refusal is in the audit log");
    // A reviewer does not read the audit log; the refusal is itself on record.
    refused(&["audit", "log", "--db", db, "--as", "kim"], "ROLE_NOT_ALLOWED");
    let log = ok(&["audit", "log", "--db", db, "--last", "1"]);
    assert!(log.contains("admin.view_audit") && log.contains("kim"), "{log}");
    let verify = run(&["audit", "verify", "--db", db]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));

    // The catalog: shown as TOML, replaced by an admin only, validated.
    let dir = tempfile::tempdir().expect("dir");
    let shown = run(&["catalog", "show", "--db", db]);
    assert!(text(&shown.stdout).contains("kakao_t"));
    let file = dir.path().join("catalog.toml");
    std::fs::write(&file, text(&shown.stdout).replace("멜론", "멜론 (Melon)")).expect("write");
    let refused = run(&["catalog", "replace", "--db", db, "--as", "kim", file.to_str().expect("path")]);
    assert!(text(&refused.stderr).contains("ROLE_NOT_ALLOWED"), "{}", text(&refused.stderr));
    let replaced = run(&["catalog", "replace", "--db", db, file.to_str().expect("path")]);
    assert!(replaced.status.success(), "{}", text(&replaced.stderr));
    assert!(text(&run(&["catalog", "show", "--db", db]).stdout).contains("멜론 (Melon)"));
    std::fs::write(&file, "[incident]\nid = 1\n").expect("write");
    let bad = run(&["catalog", "replace", "--db", db, file.to_str().expect("path")]);
    assert!(!bad.status.success());
    // Said with the file, the line and what is wrong there.
    let said = text(&bad.stderr);
    assert!(said.contains("error [BAD_CATALOG]") && said.contains("catalog.toml cannot be used"), "{said}");
    assert!(said.contains("Line 2, column 6") && said.contains("(the line: id = 1)"), "{said}");
}

/// The number of claims, from `claimdesk stats`.
fn count_claims(db: &Path) -> i64 {
    let out = run(&["stats", "--db", db.to_str().expect("path")]);
    assert!(out.status.success(), "stats: {}", text(&out.stderr));
    text(&out.stdout).split_whitespace().next().and_then(|n| n.parse().ok()).expect("a count")
}

#[test]
fn kill_9_during_a_large_import_loses_nothing_and_completes_on_rerun() {
    let rounds: usize = std::env::var("CLAIMDESK_KILL_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("big.csv");
    let rows = 40_000;
    let out = run(&[
        "synth",
        "--count",
        &rows.to_string(),
        "--invalid-rate",
        "0",
        "--out",
        file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // How long a whole import takes here, to kill at points all through it.
    let timing_db = dir.path().join("timing.db");
    let started = Instant::now();
    assert!(run(&["import", "--db", timing_db.to_str().expect("path"), file.to_str().expect("path")])
        .status
        .success());
    let full = started.elapsed();
    let expected = count_claims(&timing_db);
    assert_eq!(expected, rows as i64);

    for round in 0..rounds {
        let db = dir.path().join(format!("kill-{round}.db"));
        let db_s = db.to_str().expect("path");
        // Create the store first so the kill lands inside the import itself.
        assert!(run(&["init", "--db", db_s]).status.success());
        let mut child = bin()
            .args(["import", "--db", db_s, file.to_str().expect("path")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Spread the kill points over the import: early, middle, late.
        let fraction = (round as f64 + 0.5) / rounds as f64;
        std::thread::sleep(Duration::from_secs_f64(full.as_secs_f64() * fraction * 0.9));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();

        // `audit verify` runs PRAGMA integrity_check, then walks the hash chain.
        let verify = run(&["audit", "verify", "--db", db_s]);
        assert!(verify.status.success(), "round {round}: store after kill: {}", text(&verify.stderr));
        assert!(text(&verify.stdout).contains("integrity ok"), "{}", text(&verify.stdout));
        let n = count_claims(&db);
        assert!(
            n == 0 || n == expected,
            "round {round}: {n} claims after kill: the import must be all or nothing"
        );
        let again = run(&["import", "--db", db_s, file.to_str().expect("path")]);
        assert!(again.status.success(), "round {round}: rerun failed: {}", text(&again.stderr));
        assert_eq!(count_claims(&db), expected, "round {round}: the rerun completes the import");
        let verify = run(&["audit", "verify", "--db", db_s]);
        assert!(verify.status.success(), "{}", text(&verify.stderr));
    }
}

/// The forbidden inputs of the review, tried from the command line: a
/// reviewer's 50,000,000 won override goes nowhere without a supervisor
/// within limit, a reviewer cannot batch, approve, export, confirm or settle
/// a conflict, the admin who exported a payout cannot confirm it, and a
/// confirmed payout pays once.
#[test]
fn forbidden_decisions_are_refused_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    let out_file = |name: &str| dir.path().join(name).to_str().expect("path").to_string();
    let ok = |args: &[&str]| {
        // The demo team signs in with the demo password; the admin with the one the demo was made with.
        let demo_user = args.windows(2).any(|w| w[0] == "--as" && w[1].ends_with(".reviewer"));
        let out = run_with_password(args, Some(if demo_user { "demo-2022" } else { PASSWORD }));
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let status = |id: &str| ok(&["show", "--db", db, id]).lines().next().unwrap_or_default().to_string();
    ok(&["import", "--db", db, fixture("sample-intake.csv").to_str().expect("path")]);
    ok(&["users", "add", "--db", db, "kim", "--name", "김지은", "--role", "reviewer"]);
    ok(&["users", "add", "--db", db, "park", "--name", "박서준", "--role", "supervisor", "--limit", "10000"]);
    ok(&["users", "add", "--db", db, "yoon", "--name", "윤하늘", "--role", "admin"]);
    let id = "C999-000005";
    ok(&["claim", "take", "--db", db, "--as", "kim", id]);
    ok(&[
        "claim",
        "recommend",
        "--db",
        db,
        "--as",
        "kim",
        id,
        "--remedy",
        "cash",
        "--amount",
        "50000000",
        "--justification",
        "전액 보상",
    ]);

    refused(
        &["batch", "create", "--db", db, "--as", "kim", "--name", "x", "--claims", id],
        "ROLE_NOT_ALLOWED",
    );
    ok(&["batch", "create", "--db", db, "--as", "park", "--name", "1차", "--claims", id]);
    let batch = ok(&["batch", "list", "--db", db])
        .lines()
        .nth(2)
        .and_then(|l| l.split_whitespace().next())
        .expect("batch id")
        .to_string();
    refused(&["batch", "approve", "--db", db, "--as", "kim", &batch], "ROLE_NOT_ALLOWED");
    refused(&["batch", "approve", "--db", db, "--as", "park", &batch], "OVER_APPROVAL_LIMIT");
    refused(
        &["claim", "resolve", "--db", db, "--as", "kim", id, "--to", "approved", "--note", "x"],
        "ROLE_NOT_ALLOWED",
    );
    refused(
        &["payout", "export", "--db", db, "--as", "park", "--out", &out_file("p0.csv")],
        "ROLE_NOT_ALLOWED",
    );
    assert!(status(id).contains("[결재 묶음]"), "still waiting for approval: {}", status(id));
    refused(&["payout", "export", "--db", db, "--out", &out_file("p0.csv")], "No approved cash claims");

    // An admin without a limit approves it; only an admin pays it, once.
    ok(&["batch", "approve", "--db", db, &batch]);
    assert!(status(id).contains("[승인]"), "{}", status(id));
    refused(
        &["payout", "export", "--db", db, "--as", "kim", "--out", &out_file("p.csv")],
        "ROLE_NOT_ALLOWED",
    );
    assert!(ok(&["payout", "export", "--db", db, "--out", &out_file("p.csv")])
        .contains("payout 1: 1 claims, 50,000,000 won"));
    // The pending payout is listed (a later run of the command line is a restart), for admins only.
    let pending = ok(&["payout", "list", "--db", db]);
    assert!(
        pending
            .lines()
            .nth(2)
            .is_some_and(|l| l.contains("exported") && l.contains("50,000,000") && l.contains("p.csv")),
        "{pending}"
    );
    refused(&["payout", "list", "--db", db, "--as", "kim"], "ROLE_NOT_ALLOWED");
    refused(&["payout", "confirm", "--db", db, "--as", "kim", "1"], "ROLE_NOT_ALLOWED");
    // Dual control: the admin who exported it cannot confirm it; another admin does.
    refused(&["payout", "confirm", "--db", db, "1"], "DUAL_CONTROL");
    assert!(status(id).contains("[승인]"), "not paid by the refused confirmation: {}", status(id));
    ok(&["payout", "confirm", "--db", db, "--as", "yoon", "1"]);
    assert!(status(id).contains("[지급 완료]"), "{}", status(id));
    let confirmed = ok(&["payout", "list", "--db", db]);
    assert!(
        confirmed
            .lines()
            .nth(2)
            .is_some_and(|l| l.contains("confirmed") && l.contains("admin") && l.contains("yoon")),
        "{confirmed}"
    );
    refused(&["payout", "confirm", "--db", db, "1"], "already confirmed");
    refused(&["payout", "export", "--db", db, "--out", &out_file("p2.csv")], "No approved cash claims");
    let verify = run(&["audit", "verify", "--db", db]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
}

/// The shipped policies from the command line: listed, printed, added, and
/// the demo store's inactive final-2022 version compared with the default
/// (cash and the non-cash grants by kind); a recommendation with grants.
#[test]
fn the_second_example_policy_is_loaded_and_compared_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("demo.db");
    let db = db.to_str().expect("path");
    let ok = |args: &[&str]| {
        // The demo team signs in with the demo password; the admin with the one the demo was made with.
        let demo_user = args.windows(2).any(|w| w[0] == "--as" && w[1].ends_with(".reviewer"));
        let out = run_with_password(args, Some(if demo_user { "demo-2022" } else { PASSWORD }));
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let list = ok(&["policy", "examples"]);
    assert!(list.contains("default-2022") && list.contains("final-2022"), "{list}");
    assert_eq!(ok(&["policy", "examples", "final-2022"]), claimdesk_core::policy::FINAL_2022_POLICY_TOML);
    let bad = run(&["policy", "examples", "coupang"]);
    assert!(
        !bad.status.success() && text(&bad.stderr).contains("default-2022, final-2022"),
        "{}",
        text(&bad.stderr)
    );

    let demo = ok(&["demo", "--db", db, "--count", "600"]);
    // The demo says which version it added (the second incident's policies are numbered before it).
    let v = demo
        .lines()
        .find_map(|l| l.strip_prefix("policy v").and_then(|r| r.split_once(' ')).map(|(v, _)| v.to_string()))
        .unwrap_or_else(|| panic!("no 'policy vN added' line: {demo}"));
    assert!(demo.contains("incident coupang-breach-2025-11 added with 400 claims"), "{demo}");
    let versions = ok(&["policy", "list", "--db", db]);
    assert!(versions.contains("2022 최종 보상안"), "the demo adds the final 2022 programme: {versions}");
    let v = v.as_str();
    let what_if = ok(&["policy", "what-if", "--db", db, "--from", "1", "--to", v]);
    assert!(what_if.contains("message_credit"), "{what_if}");
    assert!(what_if.contains("claims change outcome"), "{what_if}");
    // The JSON form carries the totals by kind.
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["policy", "what-if", "--db", db, "--from", "1", "--to", v, "--json"]))
            .expect("json");
    let kinds: Vec<&str> = json["grant_difference"]
        .as_array()
        .expect("kinds")
        .iter()
        .filter_map(|d| d["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"cash") && kinds.contains(&"message_credit"), "{kinds:?}");
    let credit = json["after"]["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .find(|g| g["kind"] == "message_credit")
        .cloned()
        .expect("credit");
    let claims = credit["claims"].as_u64().expect("claims");
    assert!(claims > 0);
    assert_eq!(credit["amount"].as_str(), Some((claims * 50_000).to_string().as_str()), "50,000 won each");

    // Activated, a small business's claim shows its grants and is recommended with them.
    ok(&["policy", "add", "--db", db, "--example", "final-2022", "--name", "최종안 사본"]);
    ok(&["policy", "activate", "--db", db, v]);
    let table = ok(&["evaluate", "--db", db]);
    assert!(
        table.starts_with("claim_id,eligible,reason,remedy,amount_krw,extension_days\n"),
        "the table keeps its columns"
    );
    let id = ok(&["queue", "--db", db, "--category", "small_business", "--status", "new", "--limit", "50"])
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .find(|w| {
            w.starts_with("D22-") && {
                let shown = ok(&["show", "--db", db, w]);
                shown.contains("메시지 크레딧")
            }
        })
        .expect("a small business with the credit")
        .to_string();
    ok(&["claim", "take", "--db", db, "--as", "kim.reviewer", &id]);
    let refused = run_with_password(
        &[
            "claim",
            "recommend",
            "--db",
            db,
            "--as",
            "kim.reviewer",
            &id,
            "--grant",
            "cash:30000",
            "--grant",
            "message_credit:9000000",
        ],
        Some("demo-2022"),
    );
    assert!(
        !refused.status.success() && text(&refused.stderr).contains("OVERRIDE_NEEDS_JUSTIFICATION"),
        "{}",
        text(&refused.stderr)
    );
    ok(&["claim", "recommend", "--db", db, "--as", "kim.reviewer", &id, "--as-policy"]);
    let shown = ok(&["show", "--db", db, &id]);
    assert!(
        shown.contains("심사 의견 recommendation by kim.reviewer:")
            && shown.contains("메시지 크레딧 50,000원"),
        "{shown}"
    );
    assert!(!shown.contains("OVERRIDE"), "{shown}");
}

#[test]
fn denials_and_closures_cite_the_policys_reason_codes_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    ok(&["import", "--db", db, fixture("sample-intake.csv").to_str().expect("path")]);
    ok(&["users", "add", "--db", db, "kim", "--name", "김지은", "--role", "reviewer"]);
    let reasons = ok(&["policy", "reasons", "--db", db]);
    assert!(reasons.contains("NO_LOSS_SHOWN") && reasons.contains("INQUIRY_ANSWERED"), "{reasons}");
    let id = "C999-000005";
    ok(&["claim", "take", "--db", db, "--as", "kim", id]);
    let deny = |code: &str| {
        vec!["claim", "recommend", "--db", db, "--as", "kim", id, "--deny", code, "--justification", "확인함"]
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let args = deny("MADE_UP");
    refused(&args.iter().map(String::as_str).collect::<Vec<_>>(), "UNKNOWN_REASON");
    refused(
        &["claim", "request-info", "--db", db, "--as", "kim", id, "--message", "통장 사본"],
        "REASON_REQUIRED",
    );
    refused(
        &["claim", "close", "--db", db, "--as", "kim", id, "--reply", "INQUIRY_ANSWERED"],
        "DAMAGE_CLAIM",
    );
    let shown = ok(&["show", "--db", db, id]);
    assert!(shown.contains("[심사 중]"), "nothing moved: {shown}");
    let args = deny("NO_LOSS_SHOWN");
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let shown = ok(&["show", "--db", db, id]);
    assert!(shown.contains("NO_LOSS_SHOWN") && shown.contains("[심사 의견 제출]"), "{shown}");

    // Two inquiries among damage claims: a close over the filter closes only those two.
    for other in ["C999-000052", "C999-000084"] {
        ok(&["claim", "report-type", "--db", db, "--as", "kim", other, "문의"]);
    }
    let out = run(&[
        "close-no-damage",
        "--db",
        db,
        "--as",
        "kim",
        "--category",
        "free_user",
        "--reply",
        "INQUIRY_ANSWERED",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.starts_with("2 closed as non-damage"), "{said}");
    assert!(said.contains("DAMAGE_CLAIM"), "the damage claims are listed with why: {said}");
    let inquiries = ok(&["queue", "--db", db, "--report-type", "inquiry", "--status", "closed_no_damage"]);
    assert!(inquiries.contains("2 claims match"), "{inquiries}");
}

/// The store is encrypted at rest (decision 0009): made with the admin's
/// password, opened only with the `--as` user's own password, its files
/// 0600, no claimant data readable in them, and a plain store of 0.1 is
/// encrypted at its first open.
#[test]
fn the_store_opens_only_with_the_acting_users_password() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db_s = db.to_str().expect("path");
    let out = run(&["import", "--db", db_s, fixture("sample-intake.csv").to_str().expect("path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The recovery key is printed once, when the store is made.
    let said = text(&out.stderr);
    assert!(said.contains("Recovery key"), "{said}");
    let stats = run(&["stats", "--db", db_s]);
    assert!(!text(&stats.stderr).contains("Recovery key"), "shown once only");

    // No password, no terminal: refused with what to do.
    let none = run_with_password(&["stats", "--db", db_s], None);
    assert!(!none.status.success());
    assert!(text(&none.stderr).contains("CLAIMDESK_PASSWORD"), "{}", text(&none.stderr));
    // A wrong one: the sign-in error.
    let wrong = run_with_password(&["queue", "--db", db_s], Some("not the password"));
    assert!(text(&wrong.stderr).contains("SIGN_IN_FAILED"), "{}", text(&wrong.stderr));

    // --as kim needs kim's password, not the admin's.
    let add = run_with_password(
        &["users", "add", "--db", db_s, "kim", "--name", "김지은", "--role", "reviewer"],
        Some(PASSWORD),
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let mut c = bin();
    c.env("CLAIMDESK_NEW_PASSWORD", "kim's own password");
    let lee = c
        .args(["users", "add", "--db", db_s, "lee", "--name", "이", "--role", "reviewer"])
        .output()
        .expect("run");
    assert!(lee.status.success(), "{}", text(&lee.stderr));
    let as_lee = run_with_password(&["queue", "--db", db_s, "--as", "lee"], Some(PASSWORD));
    assert!(
        text(&as_lee.stderr).contains("SIGN_IN_FAILED"),
        "the admin's password does not make you lee: {}",
        text(&as_lee.stderr)
    );
    let as_lee = run_with_password(
        &["queue", "--db", db_s, "--as", "lee", "--limit", "1"],
        Some("kim's own password"),
    );
    assert!(as_lee.status.success(), "{}", text(&as_lee.stderr));
    // Someone without a key on this PC is told so.
    let nobody = run(&["queue", "--db", db_s, "--as", "nobody"]);
    assert!(text(&nobody.stderr).contains("NO_KEY_HERE"), "{}", text(&nobody.stderr));

    // Nothing of the claims is readable in the files, and every file is 0600.
    // A claimant's whole name (9 bytes): one syllable (3 bytes) turns up by chance in a
    // megabyte of ciphertext about one time in sixteen.
    let holds = |bytes: &[u8], what: &str| bytes.windows(what.len()).any(|w| w == what.as_bytes());
    for f in [db.clone(), dir.path().join("s.db.keys")] {
        let bytes = std::fs::read(&f).expect("read");
        assert!(!holds(&bytes, "홍길동"), "{}", f.display());
        assert!(!holds(&bytes, "SQLite format 3"), "{}", f.display());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", f.display());
        }
    }
}

#[test]
fn a_plain_store_of_an_older_claimdesk_is_encrypted_at_its_first_open() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("old.db");
    {
        // As 0.1's `claimdesk import` made it: plain, an admin without a password.
        let mut s = claimdesk_store::Store::open(&db).expect("plain");
        let admin = s.actor("admin").expect("admin");
        s.import_file(&admin, &fixture("sample-intake.csv"), Default::default(), &mut |_| true)
            .expect("import");
    }
    let before = count_claims_plain(&db);
    let out = run(&["stats", "--db", db.to_str().expect("path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("now encrypted"), "{}", text(&out.stderr));
    assert_eq!(
        claimdesk_store::keys::inspect(&db).expect("inspect"),
        claimdesk_store::keys::StoreFile::Encrypted
    );
    assert_eq!(count_claims(&db), before);
    let verify = run(&["audit", "verify", "--db", db.to_str().expect("path")]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
}

fn count_claims_plain(db: &Path) -> i64 {
    claimdesk_store::Store::open(db).expect("plain").claim_count().expect("count") as i64
}

/// Issue 10, item 6 from the command line: the quarantine is an admin's
/// (listed and exported; the export audited), who revealed what is a
/// supervisor's list, and `sync sign-out` on a store that never signed in
/// changes nothing.
#[test]
fn the_quarantine_and_the_reveals_list_keep_to_their_roles_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    assert!(run(&["import", "--db", db, fixture("sample-intake.csv").to_str().expect("path")])
        .status
        .success());
    for (id, role) in [("kim", "reviewer"), ("park", "supervisor")] {
        let added = run(&["users", "add", "--db", db, id, "--name", id, "--role", role]);
        assert!(added.status.success(), "{}", text(&added.stderr));
    }
    let out = dir.path().join("fix.csv");
    let out = out.to_str().expect("path");
    for who in ["kim", "park"] {
        let listed = run(&["quarantine", "list", "--db", db, "--as", who]);
        assert!(!listed.status.success());
        assert!(text(&listed.stderr).contains("ROLE_NOT_ALLOWED"), "{}", text(&listed.stderr));
        assert!(!text(&listed.stdout).contains("010-12-5678"), "no raw row for {who}");
        let exported = run(&["quarantine", "export", "--db", db, "--as", who, "--out", out]);
        assert!(text(&exported.stderr).contains("ROLE_NOT_ALLOWED"), "{}", text(&exported.stderr));
        assert!(!Path::new(out).exists());
    }
    let listed = run(&["quarantine", "list", "--db", db]);
    assert!(listed.status.success() && text(&listed.stdout).contains("11 rows"), "{}", text(&listed.stdout));
    let exported = run(&["quarantine", "export", "--db", db, "--out", out]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let log = text(&run(&["audit", "log", "--db", db, "--last", "3"]).stdout);
    assert!(log.contains("quarantine.export"), "{log}");

    let claim = "C999-000159";
    let revealed = run(&["claim", "reveal", "--db", db, "--as", "kim", claim, "phone"]);
    assert!(revealed.status.success(), "{}", text(&revealed.stderr));
    let refused = run(&["audit", "reveals", "--db", db, "--as", "kim"]);
    assert!(text(&refused.stderr).contains("ROLE_NOT_ALLOWED"), "{}", text(&refused.stderr));
    let reveals = run(&["audit", "reveals", "--db", db, "--as", "park", "--claim", claim]);
    let said = text(&reveals.stdout);
    assert!(reveals.status.success(), "{}", text(&reveals.stderr));
    assert!(
        said.contains("kim") && said.contains(claim) && said.contains("phone") && said.contains("1 reveals"),
        "{said}"
    );

    let signed_out = run(&["sync", "sign-out", "--db", db]);
    assert!(signed_out.status.success(), "{}", text(&signed_out.stderr));
    assert!(text(&signed_out.stdout).contains("not signed in"), "{}", text(&signed_out.stdout));
}

/// The cure clock from the command line: a request's due date in `show` and
/// the queue's due filter, document ticks checked against the policy, an
/// expiry refused before the due date (one claim and over a filter), and the
/// window's extension, a supervisor's, moving the date.
#[test]
fn the_cure_clock_runs_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    ok(&["import", "--db", db, fixture("sample-intake.csv").to_str().expect("path")]);
    ok(&["users", "add", "--db", db, "kim", "--name", "김지은", "--role", "reviewer"]);
    ok(&["users", "add", "--db", db, "park", "--name", "박서연", "--role", "supervisor"]);
    let id = "C999-000168";
    let today = chrono::Utc::now().with_timezone(&claimdesk_core::time::kst()).date_naive();
    let due = (today + chrono::Days::new(33)).to_string();
    ok(&["claim", "take", "--db", db, "--as", "kim", id]);
    let asked =
        ok(&["claim", "request-info", "--db", db, "--as", "kim", id, "--reason", "LOSS_PROOF_NEEDED"]);
    assert!(asked.contains(&due), "the due date is said: {asked}");
    refused(
        &["claim", "request-info", "--db", db, "--as", "kim", id, "--reason", "LOSS_PROOF_NEEDED"],
        "WRONG_STATE",
    );
    ok(&["claim", "document", "--db", db, "--as", "kim", id, "SMALL_BUSINESS_CERT"]);
    refused(&["claim", "document", "--db", db, "--as", "kim", id, "TRIP_RECORDS"], "INVALID");
    let shown = ok(&["show", "--db", db, id]);
    assert!(shown.contains(&format!("due {due} (open")), "{shown}");
    assert!(shown.contains("[x] SMALL_BUSINESS_CERT") && shown.contains("[ ] BANK_ACCOUNT_COPY"), "{shown}");
    let open = ok(&["queue", "--db", db, "--due", "open"]);
    assert!(open.contains("1 claims match") && open.contains(id), "{open}");
    assert!(ok(&["queue", "--db", db, "--due", "overdue"]).contains("0 claims match"));
    refused(&["queue", "--db", db, "--due", "late"], "not a due state");
    // Not yet due: refused one by one, saying the date, and not closed over the overdue filter.
    let said = refused(&["claim", "expire", "--db", db, "--as", "park", id], "NOT_DUE");
    assert!(said.contains(&due), "{said}");
    refused(&["claim", "expire", "--db", db, "--as", "kim", id], "ROLE_NOT_ALLOWED");
    assert!(ok(&["expire", "--db", db, "--as", "park"]).starts_with("0 closed as not cured"));
    // The extension: a supervisor's, with a reason; the claim's due date moves.
    let until = (today + chrono::Days::new(60)).to_string();
    let extend = ["policy", "extend-cure", "--db", db, "--until", &until, "--reason", "협의회 결정"];
    let mut as_kim = extend.to_vec();
    as_kim.extend(["--as", "kim"]);
    refused(&as_kim, "ROLE_NOT_ALLOWED");
    let mut as_park = extend.to_vec();
    as_park.extend(["--as", "park"]);
    let said = ok(&as_park);
    assert!(said.contains(&until) && said.contains("1 open"), "{said}");
    let shown = ok(&["show", "--db", db, id]);
    assert!(shown.contains(&format!("due {until} (open")) && shown.contains("extended"), "{shown}");
}

/// A voucher and an extension leave through a fulfilment file: only an
/// admin writes it, another admin confirms it, each claim is fulfilled once, and the list
/// shows the file after it was confirmed.
#[test]
fn non_cash_grants_are_fulfilled_once_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    let out_file = |name: &str| dir.path().join(name).to_str().expect("path").to_string();
    ok(&["import", "--db", db, fixture("sample-intake.csv").to_str().expect("path")]);
    ok(&["users", "add", "--db", db, "kim", "--name", "김지은", "--role", "reviewer"]);
    ok(&["users", "add", "--db", db, "park", "--name", "박서연", "--role", "supervisor"]);
    ok(&["users", "add", "--db", db, "yoon", "--name", "윤하늘", "--role", "admin"]);
    let (voucher, extension) = ("C999-000006", "C999-000072");
    for id in [voucher, extension] {
        ok(&["claim", "take", "--db", db, "--as", "kim", id]);
        ok(&["claim", "recommend", "--db", db, "--as", "kim", id, "--as-policy"]);
    }
    ok(&[
        "batch",
        "create",
        "--db",
        db,
        "--as",
        "park",
        "--name",
        "비현금",
        "--claims",
        voucher,
        "--claims",
        extension,
    ]);
    let batch = ok(&["batch", "list", "--db", db])
        .lines()
        .nth(2)
        .and_then(|l| l.split_whitespace().next())
        .expect("batch id")
        .to_string();
    ok(&["batch", "approve", "--db", db, "--as", "park", &batch]);

    refused(
        &["fulfilment", "export", "--db", db, "--as", "park", "--out", &out_file("f0.csv")],
        "ROLE_NOT_ALLOWED",
    );
    assert!(!dir.path().join("f0.csv").exists(), "a refused export writes no file");
    let said = ok(&["fulfilment", "export", "--db", db, "--out", &out_file("이행.csv")]);
    assert!(said.contains("fulfilment 1: 2 claims, 2 grants"), "{said}");
    assert!(
        said.contains("Voucher: 1 claims") && said.contains("Subscription extension: 1 claims, quantity 2"),
        "{said}"
    );
    let file = std::fs::read_to_string(dir.path().join("이행.csv")).expect("file");
    assert_eq!(file.lines().count(), 3, "a header and one line per grant: {file}");
    assert!(file.contains(voucher) && file.contains(extension), "{file}");

    refused(&["fulfilment", "confirm", "--db", db, "--as", "kim", "1"], "ROLE_NOT_ALLOWED");
    refused(&["fulfilment", "confirm", "--db", db, "1"], "DUAL_CONTROL");
    assert!(
        ok(&["fulfilment", "confirm", "--db", db, "--as", "yoon", "1"]).contains("2 claims marked fulfilled")
    );
    for id in [voucher, extension] {
        let shown = ok(&["show", "--db", db, id]);
        assert!(shown.lines().next().unwrap_or_default().contains("[이행 완료]"), "{shown}");
    }
    refused(&["fulfilment", "confirm", "--db", db, "1"], "already confirmed");
    refused(
        &["fulfilment", "export", "--db", db, "--out", &out_file("f2.csv")],
        "No claims are waiting for fulfilment",
    );
    let list = ok(&["fulfilment", "list", "--db", db]);
    assert!(list.lines().nth(2).is_some_and(|l| l.contains("confirmed") && l.contains("yoon")), "{list}");
}
