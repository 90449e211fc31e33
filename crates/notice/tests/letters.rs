//! The letters as a claimant receives them, read back by an independent PDF
//! reader (pypdf, pinned in scripts/requirements-test.txt): the Korean text
//! is there and extractable, the font is the one shipped inside ClaimDesk
//! (embedded, a subset), and nothing depends on the machine's fonts.

use std::path::PathBuf;
use std::process::Command;

use chrono::{DateTime, Utc};
use claimdesk_core::message::Lang;
use claimdesk_core::notice::Letter;
use claimdesk_core::policy::Step;
use claimdesk_core::{Catalog, Category, Grant, LetterKind, Remedy, ReportType};
use rust_decimal::Decimal;

/// The test Python (scripts/common.sh's require_test_python): CLAIMDESK_PYTHON,
/// else the venv under the target dir this test was built in.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CLAIMDESK_PYTHON") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let venv = exe.ancestors().nth(3).expect("a target dir").join("test-python/bin/python");
    assert!(
        venv.exists(),
        "\n\nThis test reads the PDFs with pypdf (scripts/requirements-test.txt). Install it with \
         `bash -c 'source scripts/common.sh && require_test_python'` (scripts/test.sh does), or set \
         CLAIMDESK_PYTHON. Looked for {}.\n",
        venv.display()
    );
    venv
}

/// What pypdf reads in a PDF: its pages' text and the fonts it embeds.
#[derive(Debug, serde::Deserialize)]
struct Read {
    pages: usize,
    text: String,
    fonts: Vec<(String, bool)>,
    title: Option<String>,
}

fn read(pdf: &[u8]) -> Read {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).expect("write");
    let script = r#"
import json, sys
from pypdf import PdfReader
r = PdfReader(sys.argv[1])
fonts = []
for page in r.pages:
    for f in page["/Resources"]["/Font"].values():
        f = f.get_object()
        desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        fonts.append((str(f["/BaseFont"]), "/FontFile2" in desc or "/FontFile3" in desc))
print(json.dumps({"pages": len(r.pages), "text": "\n".join(p.extract_text() for p in r.pages),
                  "fonts": fonts, "title": (r.metadata or {}).get("/Title")}))
"#;
    let out = Command::new(python()).arg("-c").arg(script).arg(&path).output().expect("run python");
    assert!(out.status.success(), "pypdf: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("pypdf's json")
}

fn letter(kind: LetterKind, lang: Lang) -> Letter {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc);
    Letter {
        claim_id: "KD-2022-000123".into(),
        version: 4,
        kind,
        lang,
        name: "김민수".into(),
        phone: Some("01012345678".into()),
        email: None,
        bad_email: None,
        category: Category::TaxiDriver,
        report_type: ReportType::DamageClaim,
        incident: "2022 판교 데이터센터 화재".into(),
        received_at: at("2022-10-20T10:00:00+09:00"),
        decided_at: at("2023-01-05T15:30:00+09:00"),
        grants: vec![Grant {
            kind: Remedy::Cash,
            amount: Decimal::from(75_070),
            quantity: 0,
            label: String::new(),
        }],
        reason: None,
        note: String::new(),
        documents: Vec::new(),
        due_on: None,
        policy_version: 3,
        policy_name: "2022 기본 보상안".into(),
        steps: vec![Step {
            code: "cash".into(),
            ko: "일 소득 180,000원 × 장애 10.5시간".into(),
            en: "x".into(),
        }],
    }
}

#[test]
fn a_korean_letter_reads_back_in_korean_with_the_shipped_font_embedded() {
    let text = letter(LetterKind::Approved, Lang::Ko).text(&Catalog::default_2022()).expect("template");
    let pdf = claimdesk_notice::pdf::letter_pdf(&text, Lang::Ko).expect("pdf");
    if let Some(dir) = std::env::var_os("CLAIMDESK_NOTICE_SAMPLES") {
        std::fs::write(PathBuf::from(dir).join("approved-ko.pdf"), &pdf).expect("sample");
    }
    let read = read(&pdf);
    assert_eq!(read.pages, 1);
    for expected in ["김민수 님", "KD-2022-000123", "75,070원", "심사 근거", "일 소득 180,000원", "제3판"]
    {
        assert!(read.text.contains(expected), "{expected:?} in:\n{}", read.text);
    }
    assert!(!read.fonts.is_empty());
    for (name, embedded) in &read.fonts {
        assert!(name.contains("NanumSquare"), "the shipped font, not a system one: {name}");
        assert!(embedded, "{name} is embedded");
        // A subset's name has a six-letter tag (ABCDEF+NanumSquare...).
        assert_eq!(name.trim_start_matches('/').find('+'), Some(6), "a subset: {name}");
    }
    assert!(pdf.len() < 200_000, "a subset, not the whole font: {} bytes", pdf.len());
    assert_eq!(read.title.as_deref(), Some(text.subject.trim()));
}

#[test]
fn an_english_letter_and_a_long_one_read_back_whole() {
    let mut l = letter(LetterKind::Approved, Lang::En);
    l.steps = (1..=80)
        .map(|i| Step { code: "s".into(), ko: "단계".into(), en: format!("Step number {i} of the policy") })
        .collect();
    let text = l.text(&Catalog::default_2022()).expect("template");
    let read = read(&claimdesk_notice::pdf::letter_pdf(&text, Lang::En).expect("pdf"));
    assert!(read.pages >= 2, "{} pages", read.pages);
    assert!(read.text.contains("Dear 김민수") && read.text.contains("KRW 75,070"), "{}", read.text);
    assert!(read.text.contains("Step number 80 of the policy"), "the last line is on the last page");
}
