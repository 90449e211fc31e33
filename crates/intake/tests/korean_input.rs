//! Phone numbers and amounts as Korean input methods, web pages and
//! spreadsheets write them, through whole files (docs/intake.md).

mod common;

use std::path::Path;

use claimdesk_intake::{open, problem_codes as pc, Row};
use common::*;
use rust_decimal::Decimal;

/// Field positions in HEADER.
const PHONE: usize = 4;
const CLAIMED: usize = 9;
const DAILY: usize = 10;

fn phone_of(text: &str) -> Option<String> {
    valid(one_row(&with_field(TAXI, PHONE, text))).claim.phone
}

fn claimed_of(text: &str) -> Option<Decimal> {
    valid(one_row(&with_field(TAXI, CLAIMED, text))).claim.claimed_amount
}

fn message_with(i: usize, value: &str) -> (String, Vec<&'static str>) {
    let q = quarantined(one_row(&with_field(TAXI, i, value)));
    (q.message(), q.codes())
}

#[test]
fn phones_typed_pasted_or_exported_are_one_number() {
    for text in [
        "０１０－１２３４－５６７８",
        "010–1234–5678",
        "010—1234—5678",
        "010−1234−5678",
        "010\u{00A0}1234\u{00A0}5678",
        "010\u{3000}1234\u{3000}5678",
        "010\u{2009}1234\u{2009}5678",
        "010\u{200B}-1234-5678",
        "82-10-1234-5678",
        "82 10 1234 5678",
        "0082 10 1234 5678",
        "+82 010-1234-5678",
        "1012345678",
        "1012345678.0",
        "1.012345678E+09",
    ] {
        assert_eq!(phone_of(text).as_deref(), Some("01012345678"), "{text:?}");
    }
}

#[test]
fn legacy_numbers_are_stored_with_their_own_digits() {
    // A 3-digit middle part: 10 digits, never mapped to a 010 number.
    for text in ["011-234-5678", "+82 11-234-5678", "82 11 234 5678", "112345678", "０１１－２３４－５６７８"]
    {
        assert_eq!(phone_of(text).as_deref(), Some("0112345678"), "{text:?}");
    }
    assert_eq!(phone_of("017-1234-5678").as_deref(), Some("01712345678"));
    let (m, codes) = message_with(PHONE, "010-234-5678");
    assert_eq!(m, "line 2, phone: '010-234-5678' is not a Korean mobile number");
    assert_eq!(codes, [pc::BAD_PHONE]);
}

#[test]
fn phones_that_cannot_be_read_for_sure_are_quarantined_with_the_reason() {
    let (m, codes) = message_with(PHONE, "1.01235E+09");
    assert_eq!(
        m,
        "line 2, phone: '1.01235E+09' is not a Korean mobile number: a spreadsheet shortened it to scientific \
         notation and dropped digits (format the column as text and export the file again)"
    );
    assert_eq!(codes, [pc::BAD_PHONE]);
    let (m, codes) = message_with(PHONE, "010-1234-567８");
    assert_eq!(
        m,
        "line 2, phone: '010-1234-567８' is not a Korean mobile number: it mixes full-width (０-９) and \
         ordinary digits; retype it in one kind"
    );
    assert_eq!(codes, [pc::BAD_PHONE]);
}

#[test]
fn amounts_typed_pasted_or_exported_are_one_amount() {
    let won = |n: u64| Some(Decimal::from(n));
    for (text, n) in [
        ("１，２３４，０００원", 1_234_000),
        ("₩1,234,000", 1_234_000),
        (" ₩ 1,234,000 ", 1_234_000),
        ("KRW 1,234,000", 1_234_000),
        ("1,234,000\u{00A0}원", 1_234_000),
        ("1234000.0", 1_234_000),
        ("₩ -", 0),
        ("12만원", 120_000),
        ("１２만 원", 120_000),
        ("1억 2천만 원", 120_000_000),
        ("3만 5천원", 35_000),
        ("1.5만원", 15_000),
        ("오만원", 50_000),
    ] {
        assert_eq!(claimed_of(text), won(n), "{text:?}");
    }
}

#[test]
fn amounts_that_cannot_be_read_for_sure_are_quarantined_with_the_reason() {
    let (m, codes) = message_with(CLAIMED, "3만5");
    assert_eq!(
        m,
        "line 2, claimed_amount_krw: '3만5' can be read as 30,005 or 35,000 won; write the one meant in digits"
    );
    assert_eq!(codes, [pc::BAD_AMOUNT]);
    let (m, _) = message_with(DAILY, "1억5천");
    assert_eq!(
        m,
        "line 2, daily_income_krw: '1억5천' can be read as 100,005,000 or 150,000,000 won; write the one meant in digits"
    );
    let (m, codes) = message_with(CLAIMED, "약 12만원");
    assert_eq!(
        m,
        "line 2, claimed_amount_krw: '약 12만원' is an estimate or a range, not an amount (write the one amount \
         claimed, e.g. 120,000)"
    );
    assert_eq!(codes, [pc::BAD_AMOUNT]);
    let (m, _) = message_with(CLAIMED, "10~20만원");
    assert!(m.starts_with("line 2, claimed_amount_krw: '10~20만원' is an estimate or a range"), "{m}");
    let (m, _) = message_with(CLAIMED, "1,234,00０");
    assert_eq!(
        m,
        "line 2, claimed_amount_krw: '1,234,00０' mixes full-width (０-９) and ordinary digits; retype the amount in one kind"
    );
    // Scientific notation may have rounded an amount: not read.
    let (m, _) = message_with(CLAIMED, "1.234E+06");
    assert_eq!(
        m,
        "line 2, claimed_amount_krw: '1.234E+06' is not an amount in whole won (write 1,234,000 or 1234000원)"
    );
}

#[test]
fn korean_headers_name_the_column_in_new_messages_too() {
    let header = "접수번호,접수일시,신고자유형,성명,연락처,사업자등록번호,서비스,피해시작,피해종료,청구금액";
    let rows = read_csv(&format!(
        "{header}\nK-1,2022-10-19 09:12,택시 기사,홍길동,１.０１２３５Ｅ＋０９,,카카오 T,2022-10-15 15:30,2022-10-16 14:00,만오\n"
    ))
    .expect("opens");
    let q = quarantined(rows.into_iter().next().expect("a row"));
    let columns: Vec<&str> = q.problems.iter().map(|p| p.column.as_str()).collect();
    assert_eq!(columns, ["연락처", "청구금액"]);
    assert!(q
        .message()
        .starts_with("line 2, 연락처: '１.０１２３５Ｅ＋０９' is not a Korean mobile number: a spreadsheet"));
    assert!(q
        .message()
        .ends_with("청구금액: '만오' can be read as 10,005 or 15,000 won; write the one meant in digits"));
}

/// A workbook whose phone and amount cells are numbers, as spreadsheets store them.
fn write_numeric_xlsx(path: &Path) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, u16::try_from(c).expect("few columns"), h).expect("write");
    }
    let won = Format::new().set_num_format("[$₩-ko-KR]#,##0");
    let accounting = Format::new()
        .set_num_format(r#"_-[$₩-ko-KR]* #,##0_-;-[$₩-ko-KR]* #,##0_-;_-[$₩-ko-KR]* "-"_-;_-@_-"#);
    let phone_format = Format::new().set_num_format("000-0000-0000");
    let row = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, id: &str| {
        ws.write_string(r, 0, id).expect("write");
        ws.write_string(r, 1, "2022-10-19 09:12").expect("write");
        ws.write_string(r, 2, "taxi_driver").expect("write");
        ws.write_string(r, 3, "홍길동").expect("write");
        ws.write_string(r, 6, "kakao_t").expect("write");
        ws.write_string(r, 7, "2022-10-15 15:30").expect("write");
        ws.write_string(r, 8, "2022-10-16 14:00").expect("write");
    };
    // A phone cell that is a number (its 0 gone) with a phone format; a currency amount.
    row(ws, 1, "X-1");
    ws.write_number_with_format(1, 4, 1_012_345_678.0, &phone_format).expect("write");
    ws.write_number_with_format(1, 9, 1_234_000.0, &won).expect("write");
    ws.write_number_with_format(1, 10, 12_000.0 * 1.1, &accounting).expect("write");
    // A legacy number with a 3-digit middle part as a number; a zero in accounting format.
    row(ws, 2, "X-2");
    ws.write_number(2, 4, 112_345_678.0).expect("write");
    ws.write_number_with_format(2, 9, 0.0, &accounting).expect("write");
    // Text cells as a Korean input method typed them.
    row(ws, 3, "X-3");
    ws.write_string(3, 4, "０１０－９８７６－５４３２").expect("write");
    ws.write_string(3, 9, "１２만원").expect("write");
    // A number that is not a phone.
    row(ws, 4, "X-4");
    ws.write_number(4, 4, 212_345_678.0).expect("write");
    wb.save(path).expect("save xlsx");
}

#[test]
fn xlsx_number_cells_read_as_the_sheet_shows_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("numbers.xlsx");
    write_numeric_xlsx(&path);
    let rows: Vec<Row> = open(&path, &catalog()).expect("opens").collect::<Result<_, _>>().expect("reads");
    assert_eq!(rows.len(), 4);
    let mut rows = rows.into_iter();
    let x1 = valid(rows.next().expect("row")).claim;
    assert_eq!(x1.phone.as_deref(), Some("01012345678"));
    assert_eq!(x1.claimed_amount, Some(Decimal::from(1_234_000)));
    assert_eq!(x1.daily_income, Some(Decimal::from(13_200)), "12000 × 1.1 as the sheet shows it");
    let x2 = valid(rows.next().expect("row")).claim;
    assert_eq!(x2.phone.as_deref(), Some("0112345678"));
    assert_eq!(x2.claimed_amount, Some(Decimal::ZERO));
    let x3 = valid(rows.next().expect("row")).claim;
    assert_eq!(x3.phone.as_deref(), Some("01098765432"));
    assert_eq!(x3.claimed_amount, Some(Decimal::from(120_000)));
    let q = quarantined(rows.next().expect("row"));
    assert_eq!(q.message(), "line 5, phone: '212345678' is not a Korean mobile number");
}
