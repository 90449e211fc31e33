//! `claimdesk notice export` end to end: decided claims of a store, a real
//! SMTP server (aiosmtpd, pinned in scripts/requirements-test.txt) taking
//! the e-mails, and the files a bulk sender receives; read back with pypdf
//! and Python's own mailbox parser, independently of ClaimDesk's code.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "test password 1";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_claimdesk"));
    c.env_remove("CLAIMDESK_DB").env_remove("CLAIMDESK_USER").env_remove("CLAIMDESK_SMTP_URL");
    c.env("CLAIMDESK_PASSWORD", PASSWORD).env("CLAIMDESK_NEW_PASSWORD", PASSWORD);
    c.stdin(Stdio::null());
    c.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "en_US.UTF-8");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run claimdesk")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// The test Python (scripts/common.sh's require_test_python).
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CLAIMDESK_PYTHON") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let venv = exe.ancestors().nth(3).expect("a target dir").join("test-python/bin/python");
    assert!(
        venv.exists(),
        "\n\nThis test sends e-mail to aiosmtpd and reads PDFs with pypdf (scripts/requirements-test.txt). \
         Install them with `bash -c 'source scripts/common.sh && require_test_python'` (scripts/test.sh \
         does), or set CLAIMDESK_PYTHON. Looked for {}.\n",
        venv.display()
    );
    venv
}

/// A real SMTP server on a free loopback port, writing what it receives to a Maildir; killed on drop.
struct Smtp {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Smtp {
    fn start(dir: &Path) -> Smtp {
        let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
        let maildir = dir.join("maildir");
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not start on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Smtp { child, port, maildir }
    }

    /// The messages received: to, subject, text and attachment names, as Python's mailbox reads them.
    fn messages(&self) -> Vec<Mail> {
        let script = r#"
import json, mailbox, sys
from email import policy
from email.parser import BytesParser
out = []
for key, _ in mailbox.Maildir(sys.argv[1], create=False).items():
    with open(mailbox.Maildir(sys.argv[1], create=False).get_file(key)._file.name, "rb") as f:
        m = BytesParser(policy=policy.default).parse(f)
    body = m.get_body(preferencelist=("plain",))
    out.append({"to": str(m["To"]), "subject": str(m["Subject"]),
                "text": body.get_content() if body else "",
                "attachments": [a.get_filename() for a in m.iter_attachments()]})
print(json.dumps(sorted(out, key=lambda m: m["to"])))
"#;
        let out = Command::new(python()).arg("-c").arg(script).arg(&self.maildir).output().expect("python");
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("json")
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, serde::Deserialize)]
struct Mail {
    to: String,
    subject: String,
    text: String,
    attachments: Vec<String>,
}

fn pdf_text(path: &Path) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg("import sys\nfrom pypdf import PdfReader\nprint('\\n'.join(p.extract_text() for p in PdfReader(sys.argv[1]).pages))")
        .arg(path)
        .output()
        .expect("python");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

const INTAKE: &str = "claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,claimed_amount_krw,daily_income_krw,documented_loss_krw,ad_spend_krw,description,이메일,언어
T-001,2022-10-19T09:12:00+09:00,taxi_driver,김택시,010-1234-5678,,kakao_t,2022-10-15 15:00,2022-10-16 01:31,\"60,000\",\"180,000\",,,카카오 T 호출이 안 돼서 손님을 못 받았습니다,taxi.kim@example.kr,English
T-002,2022-10-20 10:00,소상공인,가나다식당,,220-81-62517,talk_channel,2022-10-15 16:00,2022-10-17 18:00,400000원,,,,예약 메시지가 오지 않아 손님을 놓쳤습니다,,
T-004,2022-10-22 12:00,free_user,박무료,+82 10-4444-5555,,kakaotalk,2022-10-15 15:30,2022-10-16 01:31,,,,,카카오톡 메시지가 안 갔어요,muryo@example.kr,
";

#[test]
fn notice_export_writes_letters_and_the_sms_file_e_mails_claimants_and_records_each_notice_once() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    let intake = dir.path().join("intake.csv");
    std::fs::write(&intake, INTAKE).expect("intake");
    ok(&["import", "--db", db, intake.to_str().expect("path")]);
    ok(&["users", "add", "--db", db, "kim", "--name", "김지은", "--role", "reviewer"]);
    ok(&["users", "add", "--db", db, "park", "--name", "박서준", "--role", "supervisor"]);
    for id in ["T-001", "T-004"] {
        ok(&["claim", "take", "--db", db, "--as", "kim", id]);
        ok(&["claim", "recommend", "--db", db, "--as", "kim", id, "--as-policy"]);
    }
    ok(&["claim", "take", "--db", db, "--as", "kim", "T-002"]);
    ok(&[
        "claim",
        "request-info",
        "--db",
        db,
        "--as",
        "kim",
        "T-002",
        "--reason",
        "LOSS_PROOF_NEEDED",
        "--message",
        "10월 매출 장부",
    ]);
    ok(&["batch", "create", "--db", db, "--as", "park", "--name", "1차", "--claims", "T-001,T-004"]);
    let batch = ok(&["batch", "list", "--db", db])
        .lines()
        .nth(2)
        .and_then(|l| l.split_whitespace().next())
        .expect("batch id")
        .to_string();
    ok(&["batch", "approve", "--db", db, "--as", "park", &batch]);
    assert!(ok(&["notice", "list", "--db", db, "--as", "park"]).contains("3 notices waiting · 0 sent"));

    let smtp = Smtp::start(dir.path());
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let out_dir = dir.path().join("notices");
    let out_s = out_dir.to_str().expect("path");
    let export = |who: &str, out: &str| {
        run(&[
            "notice",
            "export",
            "--db",
            db,
            "--as",
            who,
            "--out",
            out,
            "--smtp",
            &url,
            "--from",
            "보상센터 <notice@example.kr>",
        ])
    };
    // A reviewer sends nothing and leaves nothing behind.
    let refused = export("kim", out_s);
    assert!(
        !refused.status.success() && text(&refused.stderr).contains("ROLE_NOT_ALLOWED"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!out_dir.join("send.csv").exists());

    let said = export("park", out_s);
    assert!(said.status.success(), "{}{}", text(&said.stdout), text(&said.stderr));
    assert!(
        text(&said.stdout).contains("Sent 3 decision notices (2 by KakaoTalk/SMS, 2 by e-mail)"),
        "{}",
        text(&said.stdout)
    );

    // One PDF per claim, named by its 접수번호, nothing half-written.
    let mut files: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["T-001.pdf", "T-002.pdf", "T-004.pdf", "send.csv"]);
    let taxi = pdf_text(&out_dir.join("T-001.pdf"));
    assert!(taxi.contains("Dear 김택시") && taxi.contains("Claim T-001"), "{taxi}");
    let request = pdf_text(&out_dir.join("T-002.pdf"));
    assert!(
        request.contains("가나다식당 님")
            && request.contains("10월 매출 장부")
            && request.contains("제출 기한"),
        "{request}"
    );

    // send.csv: the claims with a phone, each with its template and variables.
    let send = std::fs::read_to_string(out_dir.join("send.csv")).expect("send.csv");
    assert!(send.starts_with('\u{feff}'), "a BOM for spreadsheets");
    let mut reader = csv::Reader::from_reader(send.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["claim_id", "phone", "template_code", "variables"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2, "{send}");
    assert_eq!((&rows[0][0], &rows[0][1], &rows[0][2]), ("T-001", "01012345678", "CLAIMDESK_APPROVED_EN"));
    let vars: serde_json::Value = serde_json::from_str(&rows[0][3]).expect("variables");
    assert_eq!(vars["amount"], "KRW 60,000");
    assert_eq!((&rows[1][0], &rows[1][2]), ("T-004", "CLAIMDESK_APPROVED_KO"));

    // The SMTP server got one e-mail per claimant with an address, in their language, the PDF attached.
    let mails = smtp.messages();
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert_eq!(mails[0].to, "muryo@example.kr");
    assert!(mails[0].subject.contains("피해 보상 결정 안내 (T-004)"), "{}", mails[0].subject);
    assert_eq!(mails[0].attachments, ["T-004.pdf"]);
    assert_eq!(mails[1].to, "taxi.kim@example.kr");
    assert!(
        mails[1].subject.contains("Your compensation (T-001)") && mails[1].text.contains("Dear 김택시"),
        "{mails:?}"
    );

    // Recorded on each claim: nothing is due, and a second export sends nothing.
    assert!(ok(&["notice", "list", "--db", db, "--as", "park"]).contains("0 notices waiting · 3 sent"));
    let shown = ok(&["show", "--db", db, "T-001"]);
    assert!(shown.contains("park 승인 안내 pdf+sms+email (en)") && shown.contains("claim.notify"), "{shown}");
    let again_dir = dir.path().join("again");
    let again = export("park", again_dir.to_str().expect("path"));
    assert!(text(&again.stdout).contains("Sent 0 decision notices"), "{}", text(&again.stdout));
    assert_eq!(smtp.messages().len(), 2, "no e-mail twice");
    // The same folder again would mix two sends in one send.csv: refused, said plainly.
    let same = export("park", out_s);
    assert!(
        !same.status.success() && text(&same.stderr).contains("SEND_FILE_EXISTS"),
        "{}",
        text(&same.stderr)
    );

    // By hand: a reviewer may not record a notice; a second one by accident is refused; a resend is not.
    let r = run(&["claim", "notify", "--db", db, "--as", "kim", "T-001", "--channel", "pdf"]);
    assert!(!r.status.success() && text(&r.stderr).contains("ROLE_NOT_ALLOWED"), "{}", text(&r.stderr));
    let r = run(&["claim", "notify", "--db", db, "--as", "park", "T-001", "--channel", "pdf"]);
    assert!(!r.status.success() && text(&r.stderr).contains("ALREADY_NOTIFIED"), "{}", text(&r.stderr));
    ok(&["claim", "notify", "--db", db, "--as", "park", "T-001", "--channel", "pdf", "--resend"]);
    let verify = run(&["audit", "verify", "--db", db]);
    assert!(verify.status.success(), "the audit chain holds: {}", text(&verify.stderr));
}

#[test]
fn a_bad_smtp_address_is_refused_before_anything_is_written_or_recorded() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("path");
    let intake = dir.path().join("intake.csv");
    std::fs::write(&intake, INTAKE).expect("intake");
    ok(&["import", "--db", db, intake.to_str().expect("path")]);
    let out = dir.path().join("n");
    let r = run(&[
        "notice",
        "export",
        "--db",
        db,
        "--out",
        out.to_str().expect("path"),
        "--smtp",
        "http://mail.example.kr",
        "--from",
        "x <a@b.kr>",
    ]);
    assert!(!r.status.success() && text(&r.stderr).contains("SMTP_CONFIG"), "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains("smtp"), "says what is expected: {}", text(&r.stderr));
    assert!(!out.exists(), "nothing written");
}
