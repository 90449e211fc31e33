//! Whole files: refusals, encodings, XLSX, the sample fixture, export and re-import.

mod common;

use std::path::Path;

use claimdesk_core::ClaimInput;
use claimdesk_intake::{open, problem_codes as pc, write_quarantine_csv, FileFormat, IntakeError, Row};
use common::*;
use rust_decimal::Decimal;

fn refused(bytes: &[u8], name: &str) -> IntakeError {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), name, bytes);
    match open(&path, &catalog()) {
        Ok(f) => panic!("expected a refusal, opened {f:?}"),
        Err(e) => e,
    }
}

fn claims(rows: Vec<Row>) -> Vec<ClaimInput> {
    rows.into_iter().map(|r| valid(r).claim).collect()
}

// ---- whole-file refusals ----

#[test]
fn a_png_is_refused() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let e = refused(png, "claims.csv");
    assert_eq!(e.code(), "NOT_CSV_OR_XLSX");
    assert_eq!(e.to_string(), "this is not a CSV or XLSX file: it is a PNG image");
}

#[test]
fn random_binary_is_refused() {
    // A deterministic pseudo-random byte soup (xorshift).
    let mut x: u32 = 0x1234_5678;
    let bytes: Vec<u8> = (0..10_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    let e = refused(&bytes, "claims.csv");
    assert!(matches!(e.code(), "NOT_CSV_OR_XLSX" | "BAD_ENCODING"), "{e}");
    // Without NUL bytes it still is refused, as neither UTF-8 nor CP949.
    let no_nul: Vec<u8> = bytes.iter().map(|&b| b.max(1)).collect();
    let e = refused(&no_nul, "claims.csv");
    assert_eq!(e.code(), "BAD_ENCODING", "{e}");
    assert!(e.to_string().contains("neither UTF-8 nor CP949"), "{e}");
}

#[test]
fn an_empty_file_is_refused() {
    let e = refused(b"", "claims.csv");
    assert_eq!(e.code(), "EMPTY_FILE");
    assert_eq!(e.to_string(), "the file is empty");
    assert_eq!(refused(b"\n\r\n  \n", "claims.csv").code(), "EMPTY_FILE");
    assert_eq!(refused(b"\xEF\xBB\xBF", "claims.csv").code(), "EMPTY_FILE");
}

#[test]
fn a_header_only_file_has_zero_rows() {
    let rows = read_csv(&format!("{HEADER}\n")).expect("opens");
    assert!(rows.is_empty());
    let rows = read_csv(HEADER).expect("opens without a final newline");
    assert!(rows.is_empty());
}

#[test]
fn a_missing_required_column_is_named_in_english_and_korean() {
    let e = refused("claim_id,received_at,category,name,phone,service\nC-1,x,y,z,w,v\n".as_bytes(), "c.csv");
    assert_eq!(e.code(), "MISSING_COLUMNS");
    assert_eq!(e.to_string(), "required columns are missing: damage_start (피해시작), damage_end (피해종료)");
    let e = refused("접수번호,접수일시,신고자유형,성명,피해시작,피해종료\n".as_bytes(), "c.csv");
    assert_eq!(e.to_string(), "required column is missing: service (서비스)");
}

#[test]
fn a_file_without_a_header_is_refused() {
    let e = refused(format!("{TAXI}\n{SHOP}\n").as_bytes(), "c.csv");
    assert_eq!(e.code(), "NO_HEADER");
    assert!(e.to_string().starts_with("the first row is not a header"), "{e}");
}

#[test]
fn two_columns_for_one_field_are_refused() {
    let e = refused(format!("{HEADER},연락처\n").as_bytes(), "c.csv");
    assert_eq!(e.code(), "DUPLICATE_COLUMN");
    assert_eq!(e.to_string(), "columns 'phone' and '연락처' both mean phone; keep one of them");
}

#[test]
fn text_named_xlsx_and_old_xls_are_refused() {
    let e = refused(format!("{HEADER}\n").as_bytes(), "c.xlsx");
    assert_eq!(e.code(), "NOT_CSV_OR_XLSX");
    let e = refused(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", "c.xls");
    assert!(e.to_string().contains(".xls"), "{e}");
    let e = refused(b"PK\x03\x04 this is no zip", "c.xlsx");
    assert_eq!(e.code(), "BAD_XLSX");
    assert!(e.to_string().starts_with("the workbook cannot be read"), "{e}");
}

#[test]
fn a_bom_file_with_broken_utf8_is_refused() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(format!("{HEADER}\n").as_bytes());
    bytes.extend_from_slice(b"\xFF\xFE\n");
    let e = refused(&bytes, "c.csv");
    assert_eq!(e.code(), "BAD_ENCODING");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let e = open(Path::new("/nonexistent/claims.csv"), &catalog()).expect_err("no file");
    assert_eq!(e.code(), "IO_ERROR");
    assert!(e.to_string().starts_with("cannot read /nonexistent/claims.csv"), "{e}");
}

// ---- encodings and headers ----

fn korean_csv() -> String {
    // Multi-line description, quoted commas, a Korean unknown column.
    format!(
        "{HEADER},비고\n{TAXI},\"메모, 첫 줄\n둘째 줄\"\n{SHOP},\n\
         C-3,2022.10.21 08:00,유료 이용자,김영희,+82 10-5555-6666,,멜론,2022-10-15T15:30:00+09:00,2022-10-16 13:00,0원,,,,\"음원 \"\"스트리밍\"\" 불가\",\n"
    )
}

#[test]
fn utf8_utf8_bom_and_cp949_give_identical_claims() {
    let text = korean_csv();
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = write(dir.path(), "plain.csv", text.as_bytes());
    let mut bom_bytes = b"\xEF\xBB\xBF".to_vec();
    bom_bytes.extend_from_slice(text.as_bytes());
    let bom = write(dir.path(), "bom.csv", &bom_bytes);
    let (cp949_bytes, _, had_errors) = encoding_rs::EUC_KR.encode(&text);
    assert!(!had_errors);
    let cp949 = write(dir.path(), "cp949.csv", &cp949_bytes);

    let mut results = Vec::new();
    for (path, label) in [(&plain, "UTF-8"), (&bom, "UTF-8 (BOM)"), (&cp949, "CP949")] {
        let file = open(path, &catalog()).expect("opens");
        assert_eq!(file.format(), FileFormat::Csv { encoding: label });
        assert_eq!(file.headers()[0], "claim_id", "the BOM is not part of the first header");
        assert_eq!(file.headers()[14], "비고");
        let total = file.total_bytes();
        let rows: Vec<Row> = file.collect::<Result<_, _>>().expect("reads");
        assert_eq!(
            rows.iter().map(Row::line).collect::<Vec<_>>(),
            [2, 4, 5],
            "{label}: lines of record starts"
        );
        results.push((claims(rows), total));
    }
    assert_eq!(results[0].0, results[1].0);
    assert_eq!(results[0].0, results[2].0);
    let c = &results[0].0;
    assert_eq!(c[0].extra.get("비고").map(String::as_str), Some("메모, 첫 줄\n둘째 줄"));
    assert_eq!(c[2].description, "음원 \"스트리밍\" 불가");
    assert_eq!(c[2].phone.as_deref(), Some("01055556666"));
}

#[test]
fn large_files_detect_encoding_across_chunk_boundaries() {
    // Far more than one 64 KiB chunk of Korean text, so multi-byte characters
    // straddle chunk boundaries in both encodings.
    let mut text = format!("{HEADER}\n");
    for i in 0..3000 {
        text.push_str(&with_field(TAXI, 0, &format!("C-{i}")));
        text.push('\n');
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let utf8 = write(dir.path(), "u.csv", text.as_bytes());
    let (cp, _, _) = encoding_rs::EUC_KR.encode(&text);
    let cp949 = write(dir.path(), "c.csv", &cp);
    for (path, label) in [(utf8, "UTF-8"), (cp949, "CP949")] {
        let mut file = open(&path, &catalog()).expect("opens");
        assert_eq!(file.format(), FileFormat::Csv { encoding: label });
        let mut n = 0;
        for row in file.by_ref() {
            let v = valid(row.expect("reads"));
            assert_eq!(v.claim.name, "홍길동");
            n += 1;
        }
        assert_eq!(n, 3000);
        assert_eq!(file.bytes_read(), file.total_bytes());
    }
}

#[test]
fn korean_headers_mixed_case_and_spaced_headers_read_alike() {
    let english = read_csv(&format!("{HEADER}\n{TAXI}\n{SHOP}\n")).expect("opens");
    let korean_header = "접수번호,접수일시,신고자유형,성명,연락처,사업자등록번호,서비스,피해시작,피해종료,청구금액,일평균수입,입증손해액,광고비,피해내용";
    let korean = read_csv(&format!("{korean_header}\n{TAXI}\n{SHOP}\n")).expect("opens");
    let messy_header = " CLAIM_ID ,Received_At,Category , name,PHONE,Brn,SERVICE,damage_start,Damage_End,claimed_amount_krw,DAILY_INCOME_KRW,documented_loss_krw,ad_spend_krw,Description";
    let messy = read_csv(&format!("{messy_header}\n{TAXI}\n{SHOP}\n")).expect("opens");
    let mixed_header = "접수번호,received_at,신고자유형,name,연락처,brn,서비스,damage_start,피해종료,claimed_amount_krw,일평균수입,documented_loss_krw,광고비,description";
    let mixed = read_csv(&format!("{mixed_header}\n{TAXI}\n{SHOP}\n")).expect("opens");
    let expected = claims(english);
    assert_eq!(claims(korean), expected);
    assert_eq!(claims(messy), expected);
    assert_eq!(claims(mixed), expected);
}

#[test]
fn columns_may_come_in_any_order() {
    let rows = read_csv(
        "service,name,category,claim_id,damage_end,damage_start,received_at,phone\n\
         kakao_t,홍길동,taxi_driver,C-1,2022-10-16 14:00,2022-10-15 15:30,2022-10-19 09:12,010-1234-5678\n",
    )
    .expect("opens");
    let c = valid(rows[0].clone()).claim;
    assert_eq!(c.external_id, "C-1");
    assert_eq!(c.service, "kakao_t");
    assert_eq!(c.description, "");
}

#[test]
fn tab_separated_files_are_read_too() {
    let text = format!("{HEADER}\n{TAXI}\n")
        .replace(',', "\t")
        .replace("\"150\t000\"", "150000")
        .replace("\"180\t000원\"", "180000원");
    let rows = read_csv(&text).expect("opens");
    assert_eq!(valid(rows[0].clone()).claim.claimed_amount, Some(Decimal::from(150_000)));
}

#[test]
fn blank_rows_are_skipped_and_line_numbers_stay_physical() {
    let rows = read_csv(&format!("{HEADER}\n\n{TAXI}\r\n,,,,,,,,,,,,,\r\n{SHOP}\r\n")).expect("opens");
    assert_eq!(rows.iter().map(Row::line).collect::<Vec<_>>(), [3, 5]);
}

#[test]
fn line_numbers_are_physical_lines_whatever_the_line_ends() {
    let multi = with_field(TAXI, 13, "첫 줄\n둘째 줄\n셋째 줄");
    for (nl, name) in [("\n", "lf"), ("\r\n", "crlf")] {
        // header 1, blank 2, multi-line row 3-5, blank 6, row 7, last row 8 without a final break.
        let text = format!("{HEADER}{nl}{nl}{multi}{nl}{nl}{SHOP}{nl}{TAXI}")
            .replace("첫 줄\n둘째 줄\n", &format!("첫 줄{nl}둘째 줄{nl}"));
        for (bytes, enc) in
            [(text.as_bytes().to_vec(), "utf-8"), (encoding_rs::EUC_KR.encode(&text).0.into_owned(), "cp949")]
        {
            let dir = tempfile::tempdir().expect("tempdir");
            let rows = read_path(&write(dir.path(), "l.csv", &bytes)).expect("opens");
            assert_eq!(rows.iter().map(Row::line).collect::<Vec<_>>(), [3, 7, 8], "{name} {enc}");
            let first = valid(rows[0].clone()).claim;
            assert_eq!(
                first.description,
                format!("첫 줄{nl}둘째 줄{nl}셋째 줄"),
                "{name} {enc}: values keep their own line breaks"
            );
            assert_eq!(
                valid(rows[2].clone()).claim.description,
                "택시 호출을 받지 못했습니다",
                "no CR left on the last field"
            );
        }
    }
    // Old Mac line ends (CR only) are read too.
    let rows = read_csv(&format!("{HEADER}\r{TAXI}\r{SHOP}\r")).expect("opens");
    assert_eq!(rows.iter().map(Row::line).collect::<Vec<_>>(), [2, 3]);
    valid(rows[1].clone());
}

// ---- XLSX ----

fn write_xlsx(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (c, h) in HEADER.split(',').enumerate() {
        let c = u16::try_from(c).expect("few columns");
        ws.write_string(0, c, h).expect("write");
    }
    // Row 2: the taxi claim, with a date cell, number cells and a phone typed as a number.
    let taxi_received =
        ExcelDateTime::from_ymd(2022, 10, 19).and_then(|d| d.and_hms(9, 12, 0)).expect("date");
    ws.write_string(1, 0, "C-1").expect("write");
    ws.write_datetime_with_format(1, 1, &taxi_received, &date).expect("write");
    ws.write_string(1, 2, "taxi_driver").expect("write");
    ws.write_string(1, 3, "홍길동").expect("write");
    ws.write_number(1, 4, 1_012_345_678.0).expect("write");
    ws.write_string(1, 6, "kakao_t").expect("write");
    ws.write_string(1, 7, "2022-10-15 15:30").expect("write");
    ws.write_string(1, 8, "2022-10-16 14:00").expect("write");
    ws.write_number(1, 9, 150_000.0).expect("write");
    ws.write_string(1, 10, "180,000원").expect("write");
    ws.write_string(1, 13, "택시 호출을 받지 못했습니다").expect("write");
    // Row 3: the shop, with a BRN typed as a number (no leading zero problem here)
    // and a documented loss as a number.
    ws.write_string(2, 0, "C-2").expect("write");
    ws.write_string(2, 1, "2022-10-20T10:00:00+09:00").expect("write");
    ws.write_string(2, 2, "소상공인").expect("write");
    ws.write_string(2, 3, "가나다상회").expect("write");
    ws.write_number(2, 5, 2_208_162_517.0).expect("write");
    ws.write_string(2, 6, "카카오톡").expect("write");
    ws.write_string(2, 7, "2022.10.15 15:30").expect("write");
    ws.write_string(2, 8, "2022.10.16 01:31").expect("write");
    ws.write_number(2, 9, 700_000.0).expect("write");
    ws.write_number(2, 11, 1_200_000.0).expect("write");
    ws.write_string(2, 13, "예약 손님을 놓쳤습니다").expect("write");
    // Row 5 (after an empty row 4): a fractional amount and a BRN whose leading
    // zero Excel dropped (0374530851 stored as 374530851).
    ws.write_string(4, 0, "C-3").expect("write");
    ws.write_string(4, 1, "2022-10-20 10:00").expect("write");
    ws.write_string(4, 2, "advertiser").expect("write");
    ws.write_string(4, 3, "가나다상회").expect("write");
    ws.write_number(4, 5, 374_530_851.0).expect("write");
    ws.write_string(4, 6, "kakao_moment").expect("write");
    ws.write_string(4, 7, "2022-10-15 15:30").expect("write");
    ws.write_string(4, 8, "2022-10-20 23:00").expect("write");
    ws.write_number(4, 12, 1234.5).expect("write");
    wb.save(path).expect("save xlsx");
}

#[test]
fn xlsx_gives_the_same_claims_as_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("claims.xlsx");
    write_xlsx(&path);
    let file = open(&path, &catalog()).expect("opens");
    assert_eq!(file.format(), FileFormat::Xlsx);
    assert_eq!(file.headers().len(), 14);
    let rows: Vec<Row> = file.collect::<Result<_, _>>().expect("reads");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().map(Row::line).collect::<Vec<_>>(), [2, 3, 5]);

    let from_csv = claims(read_csv(&format!("{HEADER}\n{TAXI}\n{SHOP}\n")).expect("opens"));
    let from_xlsx = claims(rows[..2].to_vec());
    assert_eq!(from_xlsx, from_csv);

    let q = quarantined(rows[2].clone());
    assert_eq!(q.message(), "line 5, ad_spend_krw: '1234.5' is not a whole number of won");
    assert_eq!(
        q.message_in(claimdesk_core::message::Lang::Ko),
        "5행, ad_spend_krw: ‘1234.5’은(는) 원 단위 정수가 아닙니다"
    );
    assert_eq!(q.raw.get("brn"), Some("0374530851"), "leading zero of a numeric BRN restored");
    assert_eq!(q.raw.fields.len(), 14, "short rows are padded to the header");
}

#[test]
fn a_workbook_with_a_missing_column_is_refused() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "접수번호").expect("write");
    ws.write_string(0, 1, "성명").expect("write");
    wb.save(&path).expect("save");
    let e = open(&path, &catalog()).expect_err("refused");
    assert_eq!(e.code(), "MISSING_COLUMNS");
    assert!(e.to_string().contains("received_at (접수일시)"), "{e}");

    let empty = dir.path().join("empty.xlsx");
    let mut wb = Workbook::new();
    wb.add_worksheet();
    wb.save(&empty).expect("save");
    assert_eq!(open(&empty, &catalog()).expect_err("refused").code(), "EMPTY_FILE");
}

#[test]
fn a_larger_workbook_streams_with_progress() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, u16::try_from(c).expect("few columns"), h).expect("write");
    }
    let fields: Vec<String> = HEADER.split(',').map(|_| String::new()).collect();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(TAXI.as_bytes());
    let taxi: Vec<String> =
        rdr.records().next().expect("row").expect("csv").iter().map(str::to_string).collect();
    assert_eq!(taxi.len(), fields.len());
    for r in 1..=3000u32 {
        for (c, v) in taxi.iter().enumerate() {
            let v = if c == 0 { format!("X-{r}") } else { v.clone() };
            ws.write_string(r, u16::try_from(c).expect("few columns"), v).expect("write");
        }
    }
    wb.save(&path).expect("save");
    let mut file = open(&path, &catalog()).expect("opens");
    let mut seen = 0;
    let mut progress = Vec::new();
    #[allow(clippy::while_let_on_iterator)] // the loop reads progress from `file`
    while let Some(row) = file.next() {
        let v = valid(row.expect("reads"));
        seen += 1;
        assert_eq!(v.line, seen + 1);
        if seen % 1000 == 0 {
            progress.push(file.bytes_read());
        }
    }
    assert_eq!(seen, 3000);
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert_eq!(file.bytes_read(), file.total_bytes());
}

#[test]
fn dropping_an_xlsx_file_half_way_stops_its_reader() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("claims.xlsx");
    write_xlsx(&path);
    let mut file = open(&path, &catalog()).expect("opens");
    assert!(file.next().is_some());
    drop(file); // must not hang or panic
}

// ---- the sample fixture ----

fn fixture() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../../fixtures/sample-intake.csv")
}

#[test]
fn sample_intake_quarantines_exactly_the_eleven_bad_rows() {
    let file = open(&fixture(), &catalog()).expect("opens");
    assert_eq!(file.format(), FileFormat::Csv { encoding: "UTF-8" });
    let rows: Vec<Row> = file.collect::<Result<_, _>>().expect("reads");
    assert_eq!(rows.len(), 306);
    let mut bad: Vec<(u64, String, String)> = Vec::new();
    let mut valid_count = 0;
    for r in rows {
        match r {
            Row::Valid(_) => valid_count += 1,
            Row::Invalid(q) => {
                let id = q.raw.get("claim_id").unwrap_or_default().to_string();
                bad.push((q.line, id, q.message()));
            }
        }
    }
    assert_eq!(valid_count, 295);
    let expected: [(u64, &str, &str); 11] = [
        (
            68,
            "C999-000004",
            "claimed_amount_krw: '많이' is not an amount in whole won (write 1,234,000 or 1234000원)",
        ),
        (80, "C999-000056", "category: '외계인' is not a claimant category"),
        (98, "c999-000213", "claimed_amount_krw: '많이' is not an amount in whole won"),
        (
            109,
            "C999-000237",
            "damage_end: '2022-10-16 19:37:00' is before the damage start '2022.10.19 07:19'",
        ),
        (115, "C999-000205", "phone: '010-12-5678' is not a Korean mobile number"),
        (120, "C999-000086", "category: '외계인' is not a claimant category"),
        (123, "C999-000094", "phone: '010-12-5678' is not a Korean mobile number"),
        (137, "C999-000255", "claimed_amount_krw: '많이' is not an amount in whole won"),
        (174, "C999-000035", "claimed_amount_krw: '많이' is not an amount in whole won"),
        (179, "C999-000271", "claimed_amount_krw: '많이' is not an amount in whole won"),
        (
            220,
            "C999-000290",
            "damage_end: '2022-10-15 12:18:00' is before the damage start '2022.10.18 04:39'",
        ),
    ];
    assert_eq!(bad.len(), expected.len(), "{bad:#?}");
    for ((line, id, message), (eline, eid, emsg)) in bad.iter().zip(expected) {
        assert_eq!((*line, id.as_str()), (eline, eid));
        assert!(message.starts_with(&format!("line {eline}, {emsg}")), "{message}");
        assert!(!message.contains("; "), "one problem each: {message}");
    }
}

#[test]
fn sample_intake_claims_are_normalized() {
    let file = open(&fixture(), &catalog()).expect("opens");
    for row in file {
        let Row::Valid(v) = row.expect("reads") else { continue };
        let c = &v.claim;
        if c.category.is_business() {
            assert!(c.brn.as_ref().is_some_and(|b| b.len() == 10), "{c:?}");
        } else {
            assert!(c.phone.as_ref().is_some_and(|p| p.len() == 11 && p.starts_with("010")), "{c:?}");
        }
        assert!(catalog().services.iter().any(|s| s.code == c.service));
        assert!(c.damage_end >= c.damage_start);
        assert_eq!(v.raw.fields.len(), 14);
        assert!(!v.raw.fields[13].1.ends_with('\r'), "CRLF line ends are not part of the value");
        assert!(!c.description.contains('\r'));
    }
}

// ---- export, fix and import again ----

#[test]
fn quarantined_rows_export_with_the_original_headers_and_reimport() {
    let file = open(&fixture(), &catalog()).expect("opens");
    let headers = file.headers().to_vec();
    let quarantined: Vec<_> = file
        .filter_map(|r| match r.expect("reads") {
            Row::Invalid(q) => Some(q),
            Row::Valid(_) => None,
        })
        .collect();
    let mut out = Vec::new();
    write_quarantine_csv(&mut out, &headers, quarantined.iter().map(|q| &q.raw)).expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "quarantine.csv", &out);

    // Re-read as is: the same raw rows, the same problems.
    let again = open(&path, &catalog()).expect("opens");
    assert_eq!(again.format(), FileFormat::Csv { encoding: "UTF-8 (BOM)" });
    assert_eq!(again.headers(), headers.as_slice());
    let again: Vec<_> = again.map(|r| quarantined_row(r.expect("reads"))).collect();
    assert_eq!(again.len(), 11);
    for (a, b) in again.iter().zip(&quarantined) {
        assert_eq!(a.raw, b.raw);
        assert_eq!(a.codes(), b.codes());
    }

    // Fix them as a person would, and every row imports.
    let fixed = String::from_utf8(out)
        .expect("utf-8")
        .replace("많이", "10000원")
        .replace("외계인", "기타")
        .replace("010-12-5678", "010-1234-5678")
        .replace("2022-10-16 19:37:00", "2022-10-20 19:37:00")
        .replace("2022-10-15 12:18:00", "2022-10-19 12:18:00");
    let path = write(dir.path(), "fixed.csv", fixed.as_bytes());
    let rows = read_path(&path).expect("opens");
    assert_eq!(rows.len(), 11);
    for r in rows {
        valid(r);
    }
}

/// A claimant named like a spreadsheet formula: the quarantine file a person
/// opens in a spreadsheet shows it as text (never runs it), and the file
/// imports again as the very values it came from.
#[test]
fn formula_cells_are_exported_as_text_and_import_again_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "=HYPERLINK(\"http://x\",\"y\")";
    let input = format!(
        "claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,claimed_amount_krw,daily_income_krw,documented_loss_krw,ad_spend_krw,description\n\
         C1,2022-10-17 05:18:00,taxi_driver,\"{q}\",+82 10-1234-5678,,kakao_t,2022-10-15 06:48:00,2022-10-15 19:40:00,많이,,,,@멘션 -하루 종일\n",
        q = name.replace('"', "\"\"")
    );
    let path = write(dir.path(), "in.csv", input.as_bytes());
    let file = open(&path, &catalog()).expect("opens");
    let headers = file.headers().to_vec();
    let rows: Vec<_> = file.map(|r| quarantined_row(r.expect("reads"))).collect();
    assert_eq!(rows.len(), 1, "the amount '많이' is quarantined");
    let mut out = Vec::new();
    write_quarantine_csv(&mut out, &headers, rows.iter().map(|q| &q.raw)).expect("write");
    let text = String::from_utf8(out.clone()).expect("utf-8");
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "the name is marked as text: {text}"
    );
    assert!(text.contains(",'+82 10-1234-5678,"), "{text}");
    assert!(text.contains(",'@멘션 -하루 종일"), "{text}");

    // Fixed and imported again: the values are the ones the claimant sent.
    let fixed = write(dir.path(), "fixed.csv", text.replace("많이", "10000").as_bytes());
    let rows = read_path(&fixed).expect("opens");
    let claim = valid(rows.into_iter().next().expect("a row")).claim;
    assert_eq!(claim.name, name);
    assert_eq!(claim.phone.as_deref(), Some("01012345678"));
    assert_eq!(claim.description, "@멘션 -하루 종일");
}

fn quarantined_row(r: Row) -> claimdesk_intake::QuarantinedRow {
    quarantined(r)
}

#[test]
fn raw_rows_and_problems_serialize() {
    let q = quarantined(one_row(&with_field(TAXI, 4, "010-12-5678")));
    let json = serde_json::to_string(&q.raw).expect("json");
    let back: claimdesk_intake::RawRow = serde_json::from_str(&json).expect("back");
    assert_eq!(back, q.raw);
    let json = serde_json::to_value(&q).expect("json");
    assert_eq!(json["problems"][0]["code"], pc::BAD_PHONE);
}
