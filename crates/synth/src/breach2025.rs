//! The demo's second incident: "2025 쿠팡 개인정보 유출" (synthetic), so that
//! the incident switcher and the claimant's history across incidents show
//! something real. Its own catalog, a policy made from the 2022 one (the
//! same rules over its services and filing window), and rows generated as
//! the 2022 ones, some of them by claimants (same name and phone) of the
//! 2022 demo rows.

use chrono::{DateTime, FixedOffset};
use claimdesk_core::policy::{FilingWindow, Policy};
use claimdesk_core::Catalog;

use crate::{col, columns, SynthConfig, SynthRow, SynthRows};

/// The incident's id.
pub const ID: &str = "coupang-breach-2025-11";

/// Its catalog (breach2025.toml).
pub fn catalog() -> Catalog {
    Catalog::from_toml(include_str!("breach2025.toml")).expect("the shipped 2025 catalog is valid")
}

fn kst(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("a fixed date")
}

/// The 2022 policy `from` made this incident's: its services and a filing
/// window of 2025-11-20 to 2026-01-31 (KST); the rules stay.
pub fn policy(from: &Policy) -> Policy {
    let mut p = from.clone();
    p.name = "2025 유출 기본안 (2022 정책 사본)".to_string();
    p.services = catalog().services;
    p.filing_window =
        FilingWindow { start: kst("2025-11-20T00:00:00+09:00"), end: kst("2026-01-31T23:59:59+09:00") };
    p
}

/// The config of the 2025 rows: valid rows only (the 2022 ones show the quarantine).
pub fn config(count: usize) -> SynthConfig {
    SynthConfig {
        count,
        seed: 20_251_118,
        invalid_rate: 0.0,
        duplicate_rate: 0.02,
        korean_headers: true,
        id_prefix: "C25-".to_string(),
    }
}

/// Individuals (name, phone) of the rows of `config` over `catalog`, the first `n` found.
pub fn individuals(config: &SynthConfig, catalog: &Catalog, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(n);
    let mut rows = SynthRows::new(config, catalog);
    let mut row = SynthRow::default();
    while out.len() < n && rows.fill_next(&mut row) {
        if row.is_valid()
            && !row.duplicate
            && !row.fields[col::PHONE].is_empty()
            && row.fields[col::BRN].is_empty()
        {
            out.push((row.fields[col::NAME].clone(), row.fields[col::PHONE].clone()));
        }
    }
    out
}

/// Writes `count` rows of the 2025 incident: received 2025-11-20 to 12-19
/// KST, and every `share_every`-th individual's row by one of `shared` (a
/// claimant of another incident: name and phone). Returns the rows shared.
pub fn write_csv_file(
    count: usize,
    shared: &[(String, String)],
    share_every: usize,
    path: &std::path::Path,
) -> std::io::Result<usize> {
    let catalog = catalog();
    use std::io::Write;
    let mut writer = std::io::BufWriter::new(std::fs::File::create(path)?);
    writer.write_all(claimdesk_intake::csv_record(columns(true).iter().copied()).as_bytes())?;
    let mut rows = SynthRows::new(&config(count), &catalog);
    let mut row = SynthRow::default();
    let (mut i, mut individual, mut used) = (0usize, 0usize, 0usize);
    let start = kst("2025-11-20T08:00:00+09:00");
    while rows.fill_next(&mut row) {
        // Spread over 30 days, busiest early, at a minute of the working day.
        let day = (i * i) / (count.max(1) * count.max(1) / 30 + 1) % 30;
        let minute = (i * 37) % (12 * 60);
        let at = start + chrono::Duration::days(day as i64) + chrono::Duration::minutes(minute as i64);
        row.fields[col::RECEIVED_AT] = at.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
        if !row.fields[col::PHONE].is_empty() && row.fields[col::BRN].is_empty() && !row.duplicate {
            if share_every > 0 && individual % share_every == 0 && used < shared.len() {
                let (name, phone) = &shared[used];
                row.fields[col::NAME] = name.clone();
                row.fields[col::PHONE] = phone.clone();
                used += 1;
            }
            individual += 1;
        }
        writer.write_all(claimdesk_intake::csv_record(row.fields.iter().map(String::as_str)).as_bytes())?;
        i += 1;
    }
    writer.flush()?;
    Ok(used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2025_rows_are_valid_dated_2025_and_some_share_a_2022_claimant() {
        let shared = individuals(&SynthConfig::demo(2_000), &Catalog::default_2022(), 50);
        assert_eq!(shared.len(), 50);
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("c25.csv");
        let used = write_csv_file(300, &shared, 5, &path).expect("write");
        assert!(used >= 20, "{used}");
        let records: Vec<csv::StringRecord> =
            csv::Reader::from_path(&path).expect("csv").records().map(|r| r.expect("row")).collect();
        assert_eq!(records.len(), 300);
        assert!(
            records
                .iter()
                .all(|r| r[col::CLAIM_ID].starts_with("C25-") && r[col::RECEIVED_AT].starts_with("2025-1")),
            "{:?}",
            records[0]
        );
        assert!(records.iter().any(|r| r[col::PHONE] == shared[0].1 && r[col::NAME] == shared[0].0));
        assert!(policy(&Policy::default_2022())
            .services
            .iter()
            .all(|s| s.code.starts_with("coupang") || s.code == "rocket_wow"));
    }
}
