//! The limits every intake reader enforces, whatever the file (docs/intake.md
//! "Limits" says why each number is what it is).
//!
//! They keep an import within its memory budget (quality.md: under 300 MB)
//! and make a broken or hostile file end in one clear message instead of a
//! silent merge of rows, a value of megabytes or a process that runs out of
//! memory.

/// Longest value of one cell, in bytes of UTF-8 (about 10,000 Hangul
/// syllables). A longer value quarantines its row (`CELL_TOO_LONG`).
pub const MAX_CELL_BYTES: usize = 32 * 1024;

/// Longest record of a CSV file, in bytes as read (all its fields, quotes
/// and line breaks inside quoted values). A longer one refuses the file,
/// naming the line where the record (or its unclosed quote) starts.
pub const MAX_RECORD_BYTES: usize = 256 * 1024;

/// Most fields in one record or header (an XLSX cell beyond this column
/// refuses the file too).
pub const MAX_FIELDS: usize = 1_024;

/// Most data rows in one file: twice the 1,000,000-row import of quality.md,
/// nearly twenty times the 105,116 reports of the 2022 outage.
pub const MAX_ROWS: u64 = 2_000_000;

/// Most members (parts) in an XLSX/ZIP container; Excel writes about a dozen.
pub const MAX_ZIP_MEMBERS: usize = 10_000;

/// Largest unpacked worksheet part (`xl/worksheets/…`): calamine streams it,
/// so this bounds time, not memory (about 1.7 million rows of 16 cells).
pub const MAX_SHEET_PART_BYTES: u64 = 1024 * 1024 * 1024;

/// Largest unpacked other part (shared strings, styles, the workbook, …):
/// calamine keeps those whole in memory.
pub const MAX_OTHER_PART_BYTES: u64 = 64 * 1024 * 1024;

/// Largest sum of the unpacked parts of one container.
pub const MAX_TOTAL_UNPACKED_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Highest compression ratio of a part (unpacked / packed), checked once a
/// part unpacks to more than [`RATIO_GRACE_BYTES`]: Apache POI's default for
/// its zip-bomb check. Real sheets compress 5 to 30 times.
pub const MAX_COMPRESSION_RATIO: u64 = 100;

/// Parts smaller than this unpacked are not ratio-checked (a tiny part of
/// repeated text compresses very well and costs nothing).
pub const RATIO_GRACE_BYTES: u64 = 1024 * 1024;

/// Largest XML element holding one cell or one shared string (`<c>`, `<si>`,
/// `<is>`), and largest run of text or markup between two `<`: bounds what
/// the XML parser buffers for one value.
pub const MAX_XML_ELEMENT_BYTES: u64 = 1024 * 1024;

/// Most shared strings in a workbook (each costs calamine a `String` in
/// memory even when empty, so their count is bounded apart from their size).
pub const MAX_SHARED_STRINGS: u64 = 2_000_000;

/// Rows handed from the reading to the writing thread of an import are
/// batched by this many bytes of raw values as well as by count, so that
/// rows of large values cannot fill memory.
pub const BATCH_BYTES: usize = 2 * 1024 * 1024;
