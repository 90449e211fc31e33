//! Fuzz-like properties: no input makes the readers panic.

mod common;

use claimdesk_intake::open;
use common::*;
use proptest::prelude::*;

fn read_bytes(bytes: &[u8], name: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), name, bytes);
    if let Ok(file) = open(&path, &catalog()) {
        for row in file {
            if let Ok(claimdesk_intake::Row::Invalid(q)) = row {
                let _ = q.message();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_bytes(&bytes, "f.csv");
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_header_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut all = format!("{HEADER}\n").into_bytes();
        all.extend_from_slice(&bytes);
        read_bytes(&all, "f.csv");
    }

    #[test]
    fn arbitrary_zip_like_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let mut all = b"PK\x03\x04".to_vec();
        all.extend_from_slice(&bytes);
        read_bytes(&all, "f.xlsx");
    }

    #[test]
    fn arbitrary_cell_text_never_panics_and_rows_keep_every_value(
        cells in proptest::collection::vec("\\PC{0,12}", 14),
    ) {
        use claimdesk_intake::{formula_safe, to_csv_line, without_formula_guard};
        // As another program writes them: read as written, except the text mark a
        // spreadsheet puts before a formula start ('=…), which is not part of the value.
        let raw_line = to_csv_line(cells.iter().map(String::as_str));
        // As ClaimDesk writes them (formula starts marked as text): read back exactly.
        let guarded: Vec<_> = cells.iter().map(|c| formula_safe(c)).collect();
        let guarded_line = to_csv_line(guarded.iter().map(|c| c.as_ref()));
        for (line, want) in [
            (raw_line, cells.iter().map(|c| without_formula_guard(c)).collect::<Vec<_>>()),
            (guarded_line, cells.iter().map(String::as_str).collect::<Vec<_>>()),
        ] {
            let text = format!("{HEADER}\n{line}");
            let rows = read_csv(&text).expect("a valid header opens");
            // A row of only blanks is skipped; otherwise the raw row is exactly the cells.
            if want.iter().any(|c| !c.trim().is_empty()) {
                prop_assert_eq!(rows.len(), 1);
                let raw: Vec<&str> = rows[0].raw().values().collect();
                prop_assert_eq!(raw, want);
            }
        }
    }

    #[test]
    fn valid_rows_with_generated_phones_normalize(digits in "010[0-9]{8}", dashed in any::<bool>()) {
        let phone = if dashed { format!("{}-{}-{}", &digits[..3], &digits[3..7], &digits[7..]) } else { digits.clone() };
        let v = valid(one_row(&with_field(TAXI, 4, &phone)));
        prop_assert_eq!(v.claim.phone, Some(digits));
    }
}
