#![allow(dead_code)]

use std::path::{Path, PathBuf};

use claimdesk_core::Catalog;
use claimdesk_intake::{open, IntakeError, QuarantinedRow, Row, ValidRow};

pub const HEADER: &str = "claim_id,received_at,category,name,phone,brn,service,damage_start,damage_end,claimed_amount_krw,daily_income_krw,documented_loss_krw,ad_spend_krw,description";

/// A valid individual row (taxi driver) and a valid business row.
pub const TAXI: &str = "C-1,2022-10-19 09:12,taxi_driver,홍길동,010-1234-5678,,kakao_t,2022-10-15 15:30,2022-10-16 14:00,\"150,000\",\"180,000원\",,,택시 호출을 받지 못했습니다";
pub const SHOP: &str = "C-2,2022-10-20T10:00:00+09:00,소상공인,가나다상회,,220-81-62517,카카오톡,2022.10.15 15:30,2022.10.16 01:31,\"700,000\",,\"1,200,000원\",,예약 손님을 놓쳤습니다";

pub fn catalog() -> Catalog {
    Catalog::default_2022()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// Opens a CSV written from text and collects every row.
pub fn read_csv(text: &str) -> Result<Vec<Row>, IntakeError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "in.csv", text.as_bytes());
    read_path(&path)
}

pub fn read_path(path: &Path) -> Result<Vec<Row>, IntakeError> {
    open(path, &catalog())?.collect()
}

/// A file of the header and one row; the row's single result.
pub fn one_row(row: &str) -> Row {
    let rows = read_csv(&format!("{HEADER}\n{row}\n")).expect("file opens");
    assert_eq!(rows.len(), 1, "one row expected");
    rows.into_iter().next().expect("one row")
}

pub fn valid(row: Row) -> ValidRow {
    match row {
        Row::Valid(v) => v,
        Row::Invalid(q) => panic!("expected a valid row, got: {}", q.message()),
    }
}

pub fn quarantined(row: Row) -> QuarantinedRow {
    match row {
        Row::Invalid(q) => q,
        Row::Valid(v) => panic!("expected a quarantined row, got claim {:?}", v.claim.external_id),
    }
}

/// Replaces field `i` (by position in HEADER) of a CSV row written without
/// quoted commas in the replaced region.
pub fn with_field(row: &str, i: usize, value: &str) -> String {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(row.as_bytes());
    let rec = rdr.records().next().expect("a record").expect("valid csv");
    let mut fields: Vec<String> = rec.iter().map(str::to_string).collect();
    fields[i] = value.to_string();
    claimdesk_intake::to_csv_line(fields.iter().map(String::as_str)).trim_end_matches('\n').to_string()
}

pub fn ids(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| match r {
            Row::Valid(v) => v.claim.external_id.clone(),
            Row::Invalid(q) => q.raw.fields.first().map(|f| f.1.clone()).unwrap_or_default(),
        })
        .collect()
}
