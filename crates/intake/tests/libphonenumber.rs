//! ClaimDesk's reading of Korean mobile numbers against an independent one:
//! Google's libphonenumber, through its Python port `phonenumbers` (pinned in
//! scripts/requirements-test.txt; scripts/common.sh's `require_test_python`
//! installs it into a venv under the target dir and exports
//! CLAIMDESK_PYTHON). Without it this test fails: it never passes unchecked.
//!
//! Many spellings are generated property-test style (proptest strategies,
//! a fresh seed each run, printed on failure; CLAIMDESK_ORACLE_SEED replays
//! one) of valid mobile numbers, legacy numbers and numbers that are not
//! Korean mobile numbers (wrong lengths, landlines, service numbers, foreign
//! numbers). For each, ClaimDesk and libphonenumber must agree: the same
//! national digits for a valid number, a refusal from both otherwise.
//! Where they differ on purpose the difference is asserted both ways and
//! documented in docs/intake.md.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use claimdesk_core::validate::parse_phone;
use claimdesk_intake::Row;
use common::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// What libphonenumber says about one spelling.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct Oracle {
    mobile: bool,
    national: Option<String>,
    e164: Option<String>,
    why: String,
}

/// The Python that has `phonenumbers`: CLAIMDESK_PYTHON, else the venv that
/// scripts/common.sh makes under the target dir this test was built in.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CLAIMDESK_PYTHON") {
        return PathBuf::from(p);
    }
    // target/debug/deps/libphonenumber-… → target/
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe.ancestors().nth(3).expect("a target dir").to_path_buf();
    let venv = target.join("test-python/bin/python");
    assert!(
        venv.exists(),
        "\n\nThis test checks phone intake against Google's libphonenumber and needs Python with the \
         `phonenumbers` package pinned in scripts/requirements-test.txt.\nInstall it with \
         `bash -c 'source scripts/common.sh && require_test_python'` (scripts/test.sh does), or set \
         CLAIMDESK_PYTHON to a python that has it. Looked for {}.\n",
        venv.display()
    );
    venv
}

/// The version scripts/requirements-test.txt pins.
fn pinned_version() -> String {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../../scripts/requirements-test.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .find_map(|l| l.trim().strip_prefix("phonenumbers==")?.split_whitespace().next().map(str::to_string))
        .expect("scripts/requirements-test.txt pins phonenumbers==VERSION")
}

/// libphonenumber's reading of every text, in one Python process.
fn ask_libphonenumber(texts: &[String]) -> Vec<Oracle> {
    let script = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/oracle/phonenumbers_kr.py");
    let python = python();
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let mut stdin = child.stdin.take().expect("stdin");
    let input: String = texts.iter().map(|t| serde_json::to_string(t).expect("json") + "\n").collect();
    // Written from a thread: the oracle answers while it reads.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let lines: Vec<String> = stdout.lines().map(|l| l.expect("oracle output")).collect();
    writer.join().expect("writer").ok();
    let output = child.wait_with_output().expect("the oracle ends");
    let header: serde_json::Value =
        lines.first().and_then(|l| serde_json::from_str(l).ok()).unwrap_or_else(|| {
            panic!(
                "{} could not run the libphonenumber oracle (is `phonenumbers` installed? \
                 `bash -c 'source scripts/common.sh && require_test_python'`):\n{}",
                python.display(),
                String::from_utf8_lossy(&output.stderr)
            )
        });
    assert!(output.status.success(), "the oracle failed: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        header["version"].as_str(),
        Some(pinned_version().as_str()),
        "the phonenumbers in {} is not the version scripts/requirements-test.txt pins",
        python.display()
    );
    let answers: Vec<Oracle> =
        lines[1..].iter().map(|l| serde_json::from_str(l).expect("an oracle answer")).collect();
    assert_eq!(answers.len(), texts.len(), "one answer per spelling");
    answers
}

/// What a number is, and so what both readers must say.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    /// 010 + 8 digits, or a legacy 011/016-019 number: both read the same national digits.
    Mobile,
    /// 010-597x … 010-599x: ClaimDesk reads it (010 + 8 digits), libphonenumber's
    /// range data has it unassigned.
    UnassignedRange,
    /// 010 + 7 digits and 012 (machine-to-machine) numbers: libphonenumber's
    /// mobile ranges, not a person's phone number for ClaimDesk.
    NotAPersonsMobile,
    /// Neither reads it as a Korean mobile number.
    NotMobile,
}

/// A national number (trunk 0 first) as (head, middle, tail) groups.
#[derive(Debug, Clone)]
struct Number {
    head: String,
    mid: String,
    tail: String,
    class: Class,
}

impl Number {
    fn digits(&self) -> String {
        format!("{}{}{}", self.head, self.mid, self.tail)
    }
}

fn number(
    head: impl Strategy<Value = String>,
    rest_len: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (String, String)> {
    (head, rest_len).prop_flat_map(|(h, n)| {
        (Just(h), proptest::string::string_regex(&format!("[0-9]{{{n}}}")).expect("regex"))
    })
}

fn split(head: String, rest: String, class: Class) -> Number {
    let cut = rest.len().saturating_sub(4);
    let (mid, tail) = rest.split_at(cut);
    Number { head, mid: mid.to_string(), tail: tail.to_string(), class }
}

/// Whether the digits after 010 fall in 010-597x … 010-599x, which
/// libphonenumber's range data leaves unassigned.
fn unassigned(rest: &str) -> bool {
    rest.starts_with("59") && rest.as_bytes()[2] >= b'7'
}

fn numbers() -> impl Strategy<Value = Number> {
    let legacy = || {
        prop_oneof![Just("011"), Just("016"), Just("017"), Just("018"), Just("019")].prop_map(String::from)
    };
    prop_oneof![
        // Valid mobile numbers (the unassigned 010-59[7-9]x range is told apart below).
        8 => number(Just("010".to_string()), 8..=8).prop_map(|(h, r)| {
            let class = if unassigned(&r) { Class::UnassignedRange } else { Class::Mobile };
            split(h, r, class)
        }),
        4 => number(legacy(), 7..=8).prop_map(|(h, r)| split(h, r, Class::Mobile)),
        1 => number(Just("010".to_string()), 8..=8).prop_map(|(h, r)| split(h, format!("59{}{}", 7 + (r.as_bytes()[0] - b'0') % 3, &r[3..]), Class::UnassignedRange)),
        // Not Korean mobile numbers.
        2 => number(Just("010".to_string()), 5..=6).prop_map(|(h, r)| split(h, r, Class::NotMobile)),
        2 => number(Just("010".to_string()), 9..=10).prop_map(|(h, r)| split(h, r, Class::NotMobile)),
        2 => number(legacy(), 5..=6).prop_map(|(h, r)| split(h, r, Class::NotMobile)),
        1 => number(legacy(), 9..=9).prop_map(|(h, r)| split(h, r, Class::NotMobile)),
        2 => number(Just("02".to_string()), 7..=8).prop_map(|(h, r)| split(h, r, Class::NotMobile)),
        3 => number("0(3[1-3]|4[1-4]|5[1-5]|6[1-4])", 7..=8).prop_map(|(h, r)| split(h, r, Class::NotMobile)),
        1 => number(Just("070".to_string()), 8..=8).prop_map(|(h, r)| split(h, r, Class::NotMobile)),
        1 => number("0(13|14|15)", 7..=8).prop_map(|(h, r)| split(h, r, Class::NotMobile)),
        1 => number("1(5[4-9]|6[0-9]|8[0-9])[0-9]", 4..=4).prop_map(|(h, r)| Number { head: h, mid: String::new(), tail: r, class: Class::NotMobile }),
        // Where the two differ on purpose.
        1 => number(Just("010".to_string()), 7..=7).prop_map(|(h, r)| {
            // (in libphonenumber's unassigned 010-59[7-9] range neither reads it)
            let class = if unassigned(&r) { Class::NotMobile } else { Class::NotAPersonsMobile };
            split(h, r, class)
        }),
        // (libphonenumber's 012 ranges: 012[013-9]…, and 0122[13]… which is left out here.)
        1 => number("012", 7..=8)
            .prop_flat_map(|(h, r)| (Just(h), Just(r), "[013-9]"))
            .prop_map(|(h, r, d)| split(h, format!("{d}{}", &r[1..]), Class::NotAPersonsMobile)),
    ]
}

/// Separators between the groups: (as written, as libphonenumber needs it).
/// libphonenumber knows the ASCII ones, the dashes ‐ ‑ ‒ – — ― − － and the
/// no-break and ideographic spaces, not the small hyphen-minus, the small em
/// dash, the thin and other typographic spaces, nor a tab.
const SEPARATORS: &[(&str, &str)] = &[
    ("", ""),
    ("-", "-"),
    (" ", " "),
    (".", "."),
    (" - ", " - "),
    ("\u{2010}", "\u{2010}"),
    ("\u{2011}", "\u{2011}"),
    ("\u{2012}", "\u{2012}"),
    ("\u{2013}", "\u{2013}"),
    ("\u{2014}", "\u{2014}"),
    ("\u{2015}", "\u{2015}"),
    ("\u{2212}", "\u{2212}"),
    ("\u{FF0D}", "\u{FF0D}"),
    ("\u{00A0}", "\u{00A0}"),
    ("\u{3000}", "\u{3000}"),
    ("\u{FE63}", "-"),
    ("\u{FE58}", "-"),
    ("\u{2009}", " "),
    ("\u{202F}", " "),
    ("\u{2002}", " "),
    ("\t", " "),
];

/// How the number is written.
#[derive(Debug, Clone)]
struct Style {
    /// 0 national, 1 +82, 2 +82 (0), 3 +82 with the trunk 0 kept, 4 82 without +,
    /// 5 0082, 6 (010), 7 a spreadsheet number (0 dropped), 8 the same as
    /// 1012345678.0, 9 the same in scientific notation with every digit.
    prefix: u8,
    sep: usize,
    wide: bool,
    zero_width: Option<usize>,
    pad: (u8, u8),
}

fn styles() -> impl Strategy<Value = Style> {
    (
        0u8..10,
        0..SEPARATORS.len(),
        any::<bool>(),
        proptest::option::weighted(0.2, 0usize..20),
        (0u8..4, 0u8..4),
    )
        .prop_map(|(prefix, sep, wide, zero_width, pad)| Style { prefix, sep, wide, zero_width, pad })
}

fn wide(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' | '+' | '(' | ')' => char::from_u32(u32::from(c) - 0x20 + 0xFF00).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// (as ClaimDesk gets it, as libphonenumber gets it): the same spelling, but
/// what libphonenumber does not read in Korea (0082, a spreadsheet's number
/// forms, some separators) given to it in the form it knows.
fn spell(n: &Number, s: &Style) -> (String, String) {
    let (sep, lp_sep) = SEPARATORS[s.sep];
    let national = n.head.strip_prefix('0').unwrap_or(&n.head);
    let join = |head: &str, sep: &str| {
        [head, n.mid.as_str(), n.tail.as_str()]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(sep)
    };
    let nsn = format!("{national}{}{}", n.mid, n.tail);
    let (written, oracle) = match s.prefix {
        0 => (join(&n.head, sep), join(&n.head, lp_sep)),
        1 => (format!("+82{sep}{}", join(national, sep)), format!("+82{lp_sep}{}", join(national, lp_sep))),
        2 => (format!("+82 (0){}", join(national, sep)), format!("+82 (0){}", join(national, lp_sep))),
        3 => (format!("+82{sep}{}", join(&n.head, sep)), format!("+82{lp_sep}{}", join(&n.head, lp_sep))),
        4 => (format!("82{sep}{}", join(national, sep)), format!("82{lp_sep}{}", join(national, lp_sep))),
        // In Korea 00 is followed by a carrier's digits (008 is one): libphonenumber
        // reads 0082 as that, so it is asked about +82.
        5 => (format!("0082{sep}{}", join(national, sep)), format!("+82{lp_sep}{}", join(national, lp_sep))),
        // (010)1234-5678: join("") leaves the head out.
        6 => (format!("({}){}", n.head, join("", sep)), format!("({}){}", n.head, join("", lp_sep))),
        7 => (nsn.clone(), nsn.clone()),
        8 => (format!("{nsn}.0"), nsn.clone()),
        _ => {
            let (first, rest) = nsn.split_at(1);
            (format!("{first}.{rest}E+{:02}", nsn.len() - 1), nsn.clone())
        }
    };
    let (mut written, mut oracle) = if s.wide { (wide(&written), wide(&oracle)) } else { (written, oracle) };
    if let Some(at) = s.zero_width {
        let i = written.char_indices().nth(at).map_or(written.len(), |(i, _)| i);
        written.insert(i, '\u{200B}');
        let i = oracle.char_indices().nth(at).map_or(oracle.len(), |(i, _)| i);
        oracle.insert(i, '\u{200B}');
    }
    let pads = ["", " ", "\u{3000}", "\u{00A0}"];
    let (l, r) = (pads[usize::from(s.pad.0)], pads[usize::from(s.pad.1)]);
    (format!("{l}{written}{r}"), format!("{l}{oracle}{r}"))
}

struct Case {
    number: Number,
    written: String,
    oracle_written: String,
}

fn cases(seed: u64, count: usize) -> Vec<Case> {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner =
        TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let strategy = (numbers(), styles());
    (0..count)
        .map(|_| {
            let (number, style) = strategy.new_tree(&mut runner).expect("a case").current();
            let (written, oracle_written) = spell(&number, &style);
            Case { number, written, oracle_written }
        })
        .collect()
}

fn seed() -> u64 {
    match std::env::var("CLAIMDESK_ORACLE_SEED") {
        Ok(s) => s.parse().expect("CLAIMDESK_ORACLE_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1),
    }
}

#[test]
fn claimdesk_and_libphonenumber_read_korean_mobile_numbers_alike() {
    let seed = seed();
    let cases = cases(seed, 6000);
    let oracle = ask_libphonenumber(&cases.iter().map(|c| c.oracle_written.clone()).collect::<Vec<_>>());
    let mut failures = Vec::new();
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for (case, lp) in cases.iter().zip(&oracle) {
        let digits = case.number.digits();
        let ours = parse_phone(&case.written);
        let lp_digits = lp.mobile.then(|| lp.national.clone()).flatten();
        let ok = match case.number.class {
            Class::Mobile => {
                ours.as_deref() == Ok(digits.as_str())
                    && lp_digits.as_deref() == Some(digits.as_str())
                    && lp.e164.as_deref() == Some(format!("+82{}", &digits[1..]).as_str())
            }
            Class::UnassignedRange => ours.as_deref() == Ok(digits.as_str()) && !lp.mobile,
            Class::NotAPersonsMobile => ours.is_err() && lp_digits.as_deref() == Some(digits.as_str()),
            Class::NotMobile => ours.is_err() && !lp.mobile,
        };
        // ClaimDesk reads the spelling libphonenumber was given the same way.
        let same_both_ways = parse_phone(&case.oracle_written).ok() == ours.clone().ok();
        *seen.entry(format!("{:?}", case.number.class)).or_default() += 1;
        if !ok || !same_both_ways {
            failures.push(format!(
                "{:?} {digits}: written {:?} → ClaimDesk {:?}; libphonenumber given {:?} → {:?}",
                case.number.class, case.written, ours, case.oracle_written, lp
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} spellings disagree (CLAIMDESK_ORACLE_SEED={seed} replays them):\n{}",
        failures.len(),
        cases.len(),
        failures.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
    );
    // Every class was generated (the check would be weak otherwise).
    for class in ["Mobile", "UnassignedRange", "NotAPersonsMobile", "NotMobile"] {
        assert!(seen.get(class).copied().unwrap_or(0) >= 100, "{class}: {seen:?}");
    }
}

/// What ClaimDesk reads and libphonenumber (with region KR) does not, each
/// asserted both ways so that docs/intake.md's list stays true.
#[test]
fn where_claimdesk_reads_more_than_libphonenumber() {
    let extra = [
        "0082-10-1234-5678",
        "1012345678.0",
        "1.012345678E+09",
        "010\u{FE63}1234\u{FE63}5678",
        "010\u{2009}1234\u{2009}5678",
        "010\u{202F}1234\u{202F}5678",
        "010\t1234\t5678",
    ];
    let answers = ask_libphonenumber(&extra.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    for (text, lp) in extra.iter().zip(answers) {
        assert_eq!(parse_phone(text).as_deref(), Ok("01012345678"), "{text:?}");
        assert!(!lp.mobile, "libphonenumber now reads {text:?}: {lp:?} (update docs/intake.md)");
    }
}

/// What libphonenumber reads and ClaimDesk refuses on purpose (docs/intake.md).
#[test]
fn where_claimdesk_refuses_what_libphonenumber_reads() {
    let refused = [
        // Half full-width: edited by hand, a person should look.
        "010-1234-567８",
        // Text around the number: an extension, a note, a link.
        "010-1234-5678 x12",
        "tel:010-1234-5678",
        // 010 numbers have a 4-digit middle part; 012 numbers are machines'.
        "010-123-4567",
        "012-1234-5678",
    ];
    let answers = ask_libphonenumber(&refused.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    for (text, lp) in refused.iter().zip(answers) {
        assert!(parse_phone(text).is_err(), "{text:?}");
        assert!(lp.mobile, "libphonenumber no longer reads {text:?}: {lp:?} (update docs/intake.md)");
    }
}

/// The same agreement through whole intake files: CSV rows and XLSX number cells.
#[test]
fn intake_files_store_the_number_libphonenumber_reads() {
    let seed = seed();
    let cases: Vec<Case> =
        cases(seed, 1500).into_iter().filter(|c| c.number.class == Class::Mobile).take(400).collect();
    let oracle = ask_libphonenumber(&cases.iter().map(|c| c.oracle_written.clone()).collect::<Vec<_>>());
    let mut csv = format!("{HEADER}\n");
    for (i, c) in cases.iter().enumerate() {
        let row = with_field(&with_field(TAXI, 0, &format!("P-{i}")), 4, &c.written);
        csv.push_str(&row);
        csv.push('\n');
    }
    let rows = read_csv(&csv).expect("opens");
    assert_eq!(rows.len(), cases.len());
    for ((row, c), lp) in rows.into_iter().zip(&cases).zip(&oracle) {
        let claim = match row {
            Row::Valid(v) => v.claim,
            Row::Invalid(q) => panic!("seed {seed}: {} ({:?})", q.message(), c.written),
        };
        assert_eq!(claim.phone, lp.national, "seed {seed}: {:?}", c.written);
    }

    // Number cells: the phone as a spreadsheet stores it (its 0 gone).
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("phones.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (col, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, u16::try_from(col).expect("few columns"), h).expect("write");
    }
    let fields: Vec<String> = {
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(TAXI.as_bytes());
        r.records().next().expect("a record").expect("csv").iter().map(str::to_string).collect()
    };
    for (i, c) in cases.iter().enumerate() {
        let r = u32::try_from(i + 1).expect("few rows");
        for (col, f) in fields.iter().enumerate() {
            let col = u16::try_from(col).expect("few columns");
            match col {
                0 => ws.write_string(r, col, format!("X-{i}")),
                4 => ws.write_number(r, col, c.number.digits().parse::<f64>().expect("digits")),
                _ => ws.write_string(r, col, f),
            }
            .expect("write");
        }
    }
    wb.save(&path).expect("save");
    let rows = read_path(&path).expect("reads");
    assert_eq!(rows.len(), cases.len());
    for ((row, c), lp) in rows.into_iter().zip(&cases).zip(&oracle) {
        assert_eq!(valid(row).claim.phone, lp.national, "seed {seed}: number cell {}", c.number.digits());
    }
}
