//! Hostile intake files, made here as an attacker would make them: each ends
//! in one clear error or per-row quarantine entries, no row is lost without
//! being counted, and memory stays bounded (measured in a child process).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use claimdesk_core::message::{Explain, Lang};
use claimdesk_intake::limits::*;
use claimdesk_intake::{open, problem_codes as pc, IntakeError, Row, XmlPlace};
use common::*;

fn refused(path: &Path) -> IntakeError {
    match open(path, &catalog()) {
        Ok(f) => panic!("expected a refusal, opened {f:?}"),
        Err(e) => e,
    }
}

/// Reads every row; the error that stopped reading, if one did.
fn read_all(path: &Path) -> (Vec<Row>, Option<IntakeError>) {
    let file = open(path, &catalog()).expect("the header opens");
    let mut rows = Vec::new();
    for r in file {
        match r {
            Ok(r) => rows.push(r),
            Err(e) => return (rows, Some(e)),
        }
    }
    (rows, None)
}

fn counts(rows: &[Row]) -> (usize, usize) {
    let valid = rows.iter().filter(|r| matches!(r, Row::Valid(_))).count();
    (valid, rows.len() - valid)
}

/// A valid taxi row with this id.
fn taxi(id: usize) -> String {
    TAXI.replacen("C-1", &format!("C-{id}"), 1)
}

/// A valid taxi row without any quote in it (amounts without thousands commas).
fn plain_taxi(id: usize) -> String {
    taxi(id).replace("\"150,000\"", "150000").replace("\"180,000원\"", "180000원")
}

fn both_languages(e: &IntakeError) -> (String, String) {
    (e.message().render(Lang::Ko), e.message().render(Lang::En))
}

// ---- CSV ----

#[test]
fn an_unclosed_quote_on_line_2_before_200000_rows_is_refused_naming_line_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("claims.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(f, "{HEADER}").expect("write");
    // The description opens a quote that never closes.
    writeln!(f, "{}", plain_taxi(1).replace("택시 호출을 받지 못했습니다", "\"택시 호출을 받지 못했습니다"))
        .expect("write");
    for i in 0..200_000 {
        writeln!(f, "{}", plain_taxi(i + 10)).expect("write");
    }
    drop(f);
    let (rows, err) = read_all(&path);
    assert!(rows.is_empty(), "no row is returned from inside the runaway value");
    let e = err.expect("reading stops with an error");
    assert!(matches!(e, IntakeError::UnclosedQuote { line: 2 }), "{e:?}");
    assert_eq!(e.code(), "UNCLOSED_QUOTE");
    let (ko, en) = both_languages(&e);
    assert!(en.starts_with("Line 2: a quoted value starts here and never closes"), "{en}");
    assert!(ko.starts_with("2행: 여기서 따옴표로 시작한 값이 닫히지 않습니다"), "{ko}");
}

#[test]
fn an_unclosed_quote_in_a_short_file_names_the_line_of_the_quote() {
    // Lines 2 and 3 are good; line 4 opens a quote in its third field; the
    // file ends before it closes (well within the record limit).
    let text = format!(
        "{HEADER}\n{}\n{}\n{}\n{}\n",
        taxi(1),
        taxi(2),
        plain_taxi(3).replace(",taxi_driver,", ",\"taxi_driver,"),
        plain_taxi(4)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, err) = read_all(&write(dir.path(), "in.csv", text.as_bytes()));
    assert_eq!(ids(&rows), vec!["C-1", "C-2"]);
    assert!(matches!(err, Some(IntakeError::UnclosedQuote { line: 4 })), "{err:?}");
    // A quoted value that spans lines but closes is still one row, read as before.
    let text = format!("{HEADER}\n{}\n{}\n", TAXI.replace("택시 호출을", "\"택시\n호출을\""), taxi(2));
    let rows = read_csv(&text).expect("reads");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].line(), 4);
}

#[test]
fn an_unclosed_quote_that_a_later_quote_closes_names_the_lines_it_took_in() {
    // Line 2's description opens a quote; line 3's first quote ("150,000")
    // closes it, so lines 2 and 3 read as one row of the wrong width.
    let text = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        plain_taxi(1).replace("택시 호출을", "\"택시 호출을"),
        taxi(2),
        taxi(3)
    );
    let rows = read_csv(&text).expect("reads");
    assert_eq!(ids(&rows), vec!["C-1", "C-3"]);
    let q = quarantined(rows[0].clone());
    assert_eq!((q.line, q.codes()), (2, vec![pc::FIELD_COUNT]));
    let en = q.message();
    assert!(en.contains("it runs on to line 3: a quoted value took in the line breaks"), "{en}");
    assert!(q.raw.values().any(|v| v.contains("C-2,")), "line 3 is inside the quarantined row, kept");
    assert!(q.message_in(Lang::Ko).contains("3행까지 이어집니다"));
}

#[test]
fn a_nul_after_the_first_8_kb_quarantines_its_row_and_nothing_else() {
    let mut text = format!("{HEADER}\n");
    let mut n = 0;
    while text.len() < 9 * 1024 {
        n += 1;
        text.push_str(&taxi(n));
        text.push('\n');
    }
    text.push_str(&TAXI.replacen("C-1", "C-NUL", 1).replace("홍길동", "홍\0길동"));
    text.push('\n');
    text.push_str(&taxi(n + 1));
    text.push('\n');
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, err) = read_all(&write(dir.path(), "in.csv", text.as_bytes()));
    assert!(err.is_none(), "{err:?}");
    let (valid, bad) = counts(&rows);
    assert_eq!((valid, bad), (n + 1, 1), "read = imported + quarantined");
    let q = rows.into_iter().find_map(|r| if let Row::Invalid(q) = r { Some(q) } else { None });
    let q = q.expect("one quarantined row");
    assert_eq!(q.codes(), vec![pc::CONTROL_CHAR]);
    assert_eq!(q.problems[0].column, "name");
    assert_eq!(q.raw.get("name"), Some("홍\0길동"), "kept raw and whole in the quarantine");
    let en = q.message();
    assert!(en.contains("name: '홍\u{FFFD}길동' holds the control character U+0000 (character 2)"), "{en}");
    assert!(!en.contains('\0'), "a message never carries the NUL itself");
    assert!(q.message_in(Lang::Ko).contains("제어 문자 U+0000"));
}

#[test]
fn control_characters_anywhere_are_refused_but_tabs_and_line_breaks_are_text() {
    for bad in ["\u{1b}[31m", "\u{7f}", "\u{85}", "\u{8}"] {
        let q = quarantined(one_row(&with_field(TAXI, 13, &format!("설명{bad}"))));
        assert_eq!(q.codes(), vec![pc::CONTROL_CHAR], "{bad:?}");
    }
    let v = valid(one_row(&with_field(TAXI, 13, "첫 줄\n둘째\t줄")));
    assert_eq!(v.claim.description, "첫 줄\n둘째\t줄");
}

#[test]
fn a_huge_cell_quarantines_its_row_and_a_huge_row_refuses_the_file() {
    let big = "가".repeat(MAX_CELL_BYTES / 3 + 1); // just over the cell limit
    let text = format!("{HEADER}\n{}\n{}\n", with_field(TAXI, 13, &big), taxi(2));
    let rows = read_csv(&text).expect("reads");
    assert_eq!(counts(&rows), (1, 1));
    let q = quarantined(rows[0].clone());
    assert_eq!(q.codes(), vec![pc::CELL_TOO_LONG]);
    assert!(
        q.message().contains("description: the value is 33 KB long, more than the 32 KB"),
        "{}",
        q.message()
    );
    assert_eq!(q.raw.get("description").map(str::len), Some(big.len()), "kept whole");

    // A row beyond the record limit, quotes balanced: refused at its line.
    let huge = "x".repeat(MAX_RECORD_BYTES + 1);
    let text = format!("{HEADER}\n{}\n{}\n", taxi(1), with_field(TAXI, 13, &huge));
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, err) = read_all(&write(dir.path(), "in.csv", text.as_bytes()));
    assert_eq!(rows.len(), 1);
    let e = err.expect("refused");
    assert!(matches!(e, IntakeError::RecordTooLong { line: 3 }), "{e:?}");
    assert!(both_languages(&e).1.starts_with("Line 3: the row that starts here is longer than 256 KB"));
}

#[test]
fn a_row_of_thousands_of_fields_refuses_the_file() {
    let text = format!("{HEADER}\n{}\n{}\n", taxi(1), ",".repeat(5_000));
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, err) = read_all(&write(dir.path(), "in.csv", text.as_bytes()));
    assert_eq!(rows.len(), 1);
    assert!(matches!(err, Some(IntakeError::TooManyFields { line: 3 })), "{err:?}");
    // And a header that wide.
    let e = refused(&write(dir.path(), "h.csv", format!("{HEADER}{}\n", ",x".repeat(2_000)).as_bytes()));
    assert!(matches!(e, IntakeError::TooManyFields { line: 1 }), "{e:?}");
}

#[test]
fn more_rows_than_the_limit_refuse_the_file_at_the_first_row_beyond() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("many.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(f, "{HEADER}").expect("write");
    for _ in 0..=MAX_ROWS {
        f.write_all(b"x\n").expect("write");
    }
    drop(f);
    let file = open(&path, &catalog()).expect("opens");
    let mut seen = 0u64;
    let mut last = None;
    for r in file {
        match r {
            Ok(_) => seen += 1,
            Err(e) => last = Some(e),
        }
    }
    assert_eq!(seen, MAX_ROWS);
    let e = last.expect("refused");
    assert!(matches!(e, IntakeError::TooManyRows { line } if line == MAX_ROWS + 2), "{e:?}");
    assert!(both_languages(&e).1.contains("more than 2,000,000 rows"));
}

#[test]
fn a_header_only_file_and_binary_garbage_named_csv_end_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, err) = read_all(&write(dir.path(), "h.csv", format!("{HEADER}\r\n\r\n").as_bytes()));
    assert!(rows.is_empty() && err.is_none());
    // Text for 8 KB, then garbage: refused by the whole-file encoding pass,
    // before any row (so an import never stops half-way).
    let mut bytes = format!("{HEADER}\n").into_bytes();
    while bytes.len() < 9000 {
        bytes.extend_from_slice(taxi(1).as_bytes());
        bytes.push(b'\n');
    }
    let mut x: u32 = 7;
    bytes.extend((0..5000).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x.to_le_bytes()[1]
    }));
    let e = refused(&write(dir.path(), "g.csv", &bytes));
    assert_eq!(e.code(), "BAD_ENCODING", "{e}");
    // UTF-16 (what "Unicode text" in some tools saves) is named, not misread.
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(HEADER.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let e = refused(&write(dir.path(), "u.csv", &utf16));
    assert!(e.to_string().contains("UTF-16"), "{e}");
}

// ---- ZIP containers ----

fn deflated() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;

/// Writes a part's content.
type Content = Box<dyn Fn(&mut dyn Write)>;

/// A workbook by hand: `parts` are (name, writer of its content).
fn workbook(path: &Path, parts: Vec<(&str, Content)>) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    for (name, content) in parts {
        z.start_file(name, deflated().large_file(true)).expect("start");
        content(&mut z);
    }
    z.finish().expect("finish");
}

fn text(s: &'static str) -> Content {
    Box::new(move |w| w.write_all(s.as_bytes()).expect("write"))
}

fn plain_parts(shared: Content) -> Vec<(&'static str, Content)> {
    vec![
        ("[Content_Types].xml", text(CONTENT_TYPES)),
        ("_rels/.rels", text(RELS)),
        ("xl/workbook.xml", text(WORKBOOK)),
        ("xl/_rels/workbook.xml.rels", text(WORKBOOK_RELS)),
        ("xl/worksheets/sheet1.xml", text(SHEET)),
        ("xl/sharedStrings.xml", shared),
    ]
}

/// The 2022 attack: an XLSX of about 1 MB whose shared strings unpack to 1.1 GB.
fn zip_bomb(path: &Path) {
    workbook(
        path,
        plain_parts(Box::new(|w| {
            w.write_all(b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">")
                .expect("write");
            let chunk = format!("<si><t>{}</t></si>", "a".repeat(60_000));
            let mut written = 0u64;
            while written < 1_100_000_000 {
                w.write_all(chunk.as_bytes()).expect("write");
                written += chunk.len() as u64;
            }
            w.write_all(b"</sst>").expect("write");
        })),
    );
}

#[test]
fn a_1_mb_xlsx_that_unpacks_to_1_1_gb_is_refused_before_calamine_reads_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bomb.xlsx");
    zip_bomb(&path);
    let size = std::fs::metadata(&path).expect("meta").len();
    assert!(size < 1536 * 1024, "the bomb is about 1 MB: {size}");
    let e = refused(&path);
    assert!(
        matches!(&e, IntakeError::ZipPartTooLarge { part, .. } if part == "xl/sharedStrings.xml"),
        "{e:?}"
    );
    let (ko, en) = both_languages(&e);
    assert!(en.contains("'xl/sharedStrings.xml' unpacks to 1.0 GB, more than the 64.0 MB accepted"), "{en}");
    assert!(ko.contains("'xl/sharedStrings.xml'"), "{ko}");
    // Memory: a child process opens it; its peak stays small.
    let peak = child_peak_mb(&path);
    assert!(peak < 100.0, "peak {peak} MB");
}

#[test]
fn a_part_unpacking_far_beyond_its_packed_size_is_refused_as_a_zip_bomb() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ratio.xlsx");
    let mut parts = plain_parts(text(r#"<sst><si><t>claim_id</t></si></sst>"#));
    parts[4] = (
        "xl/worksheets/sheet1.xml",
        Box::new(|w| {
            w.write_all(br#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>"#)
                .expect("w");
            let blank = "<row><c/></row>".repeat(10_000);
            for _ in 0..400 {
                w.write_all(blank.as_bytes()).expect("w");
            }
            w.write_all(b"</sheetData></worksheet>").expect("w");
        }),
    );
    workbook(&path, parts);
    let e = refused(&path);
    assert!(matches!(&e, IntakeError::ZipRatio { part, .. } if part == "xl/worksheets/sheet1.xml"), "{e:?}");
    assert!(both_languages(&e).1.contains("is refused as a zip bomb"));
}

/// Sets the declared unpacked size of `part` to `size` in both the local
/// header and the central directory: a container that lies about its size.
fn lie_about_size(bytes: &mut [u8], part: &str, size: u32) {
    let name = part.as_bytes();
    let mut i = 0;
    while i + 46 < bytes.len() {
        let (sig, offset_size, offset_name) = match &bytes[i..i + 4] {
            b"PK\x03\x04" => ("local", 22, 30),
            b"PK\x01\x02" => ("central", 24, 46),
            _ => {
                i += 1;
                continue;
            }
        };
        let _ = sig;
        if bytes[i + offset_name..].starts_with(name) {
            bytes[i + offset_size..i + offset_size + 4].copy_from_slice(&size.to_le_bytes());
        }
        i += 4;
    }
}

#[test]
fn a_part_that_unpacks_to_more_than_it_declares_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("liar.xlsx");
    workbook(
        &path,
        plain_parts(Box::new(|w| {
            w.write_all(b"<sst>").expect("w");
            for _ in 0..200_000 {
                w.write_all(b"<si><t>claim_id</t></si>").expect("w");
            }
            w.write_all(b"</sst>").expect("w");
        })),
    );
    let mut bytes = std::fs::read(&path).expect("read");
    lie_about_size(&mut bytes, "xl/sharedStrings.xml", 1000);
    std::fs::write(&path, &bytes).expect("write");
    let e = refused(&path);
    assert_eq!(e.code(), "BAD_XLSX", "{e:?}");
    assert!(e.to_string().contains("larger than its declared"), "{e}");
}

#[test]
fn a_declared_count_of_a_hundred_billion_shared_strings_is_refused() {
    // calamine reserves room for uniqueCount strings before reading one.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("count.xlsx");
    workbook(&path, plain_parts(text(r#"<sst uniqueCount="100000000000"><si><t>claim_id</t></si></sst>"#)));
    assert!(matches!(refused(&path), IntakeError::TooManySharedStrings));
}

#[test]
fn an_ods_file_is_named_as_such_whatever_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["claims.ods", "claims.xlsx", "claims.csv"] {
        let path = dir.path().join(name);
        let mut z = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
        let stored =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        z.start_file("mimetype", stored).expect("start");
        z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").expect("w");
        z.start_file("content.xml", deflated()).expect("start");
        z.write_all(b"<office:document-content/>").expect("w");
        z.start_file("META-INF/manifest.xml", deflated()).expect("start");
        z.write_all(b"<manifest:manifest/>").expect("w");
        z.finish().expect("finish");
        let e = refused(&path);
        assert_eq!(e.code(), "ODS_NOT_SUPPORTED", "{name}: {e:?}");
        let (ko, en) = both_languages(&e);
        assert!(en.contains("OpenDocument spreadsheet (.ods)") && en.contains(".xlsx") && en.contains("CSV"));
        assert!(ko.contains("OpenDocument 스프레드시트(.ods)"), "{ko}");
        assert!(!en.contains("_rels"), "not calamine's 'File not found'");
    }
    // A ZIP that is neither.
    let path = dir.path().join("other.xlsx");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    z.start_file("readme.txt", deflated()).expect("start");
    z.write_all(b"hello").expect("w");
    z.finish().expect("finish");
    let e = refused(&path);
    assert_eq!(e.code(), "NOT_CSV_OR_XLSX");
    assert!(e.to_string().contains("ZIP archive but not an Excel workbook"), "{e}");
}

fn xlsx_with(path: &Path, rows: &[Vec<(u16, String)>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        sheet.write_string(0, c as u16, h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row {
            sheet.write_string(r as u32 + 1, *c, v).expect("cell");
        }
    }
    book.save(path).expect("save");
}

fn taxi_cells(id: &str) -> Vec<(u16, String)> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(TAXI.as_bytes());
    let rec = rdr.records().next().expect("rec").expect("csv");
    rec.iter()
        .enumerate()
        .map(|(i, v)| (i as u16, if i == 0 { id.to_string() } else { v.to_string() }))
        .collect()
}

#[test]
fn xlsx_cells_get_the_same_limits_as_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cells.xlsx");
    let mut long = taxi_cells("X-LONG");
    long[13].1 = "가".repeat(MAX_CELL_BYTES / 3 + 1);
    let mut nul = taxi_cells("X-NUL");
    nul[3].1 = "홍\u{0}길동".into();
    xlsx_with(&path, &[taxi_cells("X-1"), long, nul]);
    let (rows, err) = read_all(&path);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(counts(&rows), (1, 2));
    assert_eq!(quarantined(rows[1].clone()).codes(), vec![pc::CELL_TOO_LONG]);
    assert_eq!(quarantined(rows[2].clone()).codes(), vec![pc::CONTROL_CHAR]);

    // One shared string over a megabyte (Excel itself stops at 32,767
    // characters): refused before calamine keeps it.
    workbook(
        &path,
        plain_parts(Box::new(|w| {
            w.write_all(b"<sst><si><t>claim_id</t></si><si><r><t>").expect("w");
            // Letters that do not compress, so the ratio check passes.
            let mut x: u32 = 99;
            for _ in 0..(MAX_XML_ELEMENT_BYTES / 1000 + 1) {
                let run: Vec<u8> = (0..1000)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        b'a' + (x % 26) as u8
                    })
                    .collect();
                w.write_all(&run).expect("w");
                w.write_all(b"</t></r><r><t>").expect("w");
            }
            w.write_all(b"</t></r></si></sst>").expect("w");
        })),
    );
    let e = refused(&path);
    assert!(matches!(&e, IntakeError::XmlTooLarge { at: XmlPlace::SharedString(_), .. }), "{e:?}");

    // A cell far to the right.
    let mut wide = taxi_cells("X-WIDE");
    wide.push((5_000, "x".into()));
    xlsx_with(&path, &[taxi_cells("X-1"), wide]);
    let (rows, err) = read_all(&path);
    assert_eq!(rows.len(), 1);
    assert!(matches!(err, Some(IntakeError::TooManyFields { line: 3 })), "{err:?}");
}

// ---- memory, measured in a child process ----

const CHILD_ENV: &str = "CLAIMDESK_HOSTILE_CHILD_FILE";

/// Runs `child_reads_the_file` in a fresh process of this test binary on
/// `path`; its peak resident memory (VmHWM) in MB.
fn child_peak_mb(path: &Path) -> f64 {
    let exe = std::env::current_exe().expect("exe");
    let out = std::process::Command::new(exe)
        .args(["--exact", "child_reads_the_file", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, path)
        .output()
        .expect("child runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let kb: f64 = stdout
        .lines()
        .find_map(|l| l.split("PEAK_KB=").nth(1))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in: {stdout}"));
    kb / 1024.0
}

#[test]
#[ignore = "run by child_peak_mb in its own process"]
fn child_reads_the_file() {
    let Some(path) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else { return };
    if let Ok(file) = open(&path, &catalog()) {
        for row in file {
            if row.is_err() {
                break;
            }
        }
    }
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let kb = status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1));
    println!("PEAK_KB={}", kb.expect("VmHWM"));
}

#[test]
fn reading_hostile_csv_stays_within_a_small_memory_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 60 MB of one runaway quoted value.
    let path = dir.path().join("runaway.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(f, "{HEADER}").expect("w");
    write!(f, "C-1,2022-10-19 09:12,taxi_driver,\"홍길동").expect("w");
    let filler = format!("{}\n", taxi(7)).repeat(1000);
    for _ in 0..300 {
        f.write_all(filler.as_bytes()).expect("w");
    }
    drop(f);
    let peak = child_peak_mb(&path);
    assert!(peak < 60.0, "peak {peak} MB reading a 60 MB runaway value");
    // 60 MB of rows with cells just under the cell limit (valid claims).
    let path = dir.path().join("long-cells.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(f, "{HEADER}").expect("w");
    let long = "가".repeat(MAX_CELL_BYTES / 3 - 10);
    for i in 0..2_000 {
        writeln!(f, "{}", with_field(&taxi(i), 13, &long)).expect("w");
    }
    drop(f);
    let peak = child_peak_mb(&path);
    assert!(peak < 60.0, "peak {peak} MB reading rows of long cells");
}
