//! CSV intake: encoding detection and a streamed record reader.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use encoding_rs::EUC_KR;
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::error::IntakeError;
use crate::row::RawRow;

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsvEncoding {
    Utf8,
    Utf8Bom,
    /// CP949 (windows-949), a superset of EUC-KR; `encoding_rs::EUC_KR` is this.
    Cp949,
}

impl CsvEncoding {
    pub(crate) fn label(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "UTF-8",
            CsvEncoding::Utf8Bom => "UTF-8 (BOM)",
            CsvEncoding::Cp949 => "CP949",
        }
    }
}

const CHUNK: usize = 64 * 1024;

/// Decides the encoding with a streaming pass over the whole file (constant
/// memory): a UTF-8 BOM means UTF-8; otherwise the file is UTF-8 if every
/// byte of it is valid UTF-8, else CP949 if it decodes as CP949 without a
/// single error. Anything else is refused: guessing would silently corrupt
/// Korean names. The whole file is checked before any row is returned, so an
/// import never stops half-way on an encoding error.
pub(crate) fn detect_encoding(path: &Path, file: &mut File) -> Result<TextInfo, IntakeError> {
    let io = |e| IntakeError::io(path, e);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut buf = vec![0u8; CHUNK + 4];
    let mut carry = 0usize; // bytes of an incomplete UTF-8 sequence at the end of the last chunk
    let mut offset = 0u64; // file offset of buf[0]
    let mut first = true;
    let mut bom = false;
    let mut last_byte = 0u8;
    let utf8_error_at: Option<u64> = loop {
        let n = read_full(file, &mut buf[carry..carry + CHUNK]).map_err(io)?;
        let len = carry + n;
        let mut start = 0;
        if first {
            first = false;
            if buf[..len].starts_with(&[0xEF, 0xBB, 0xBF]) {
                bom = true;
                start = 3;
            }
        }
        if n == 0 {
            // End of file: an incomplete sequence left over is an error.
            break (carry > 0).then_some(offset);
        }
        last_byte = buf[len - 1];
        match std::str::from_utf8(&buf[start..len]) {
            Ok(_) => {
                offset += len as u64;
                carry = 0;
            }
            Err(e) if e.error_len().is_none() => {
                // Cut inside a character: carry its bytes over to the next chunk.
                let valid = start + e.valid_up_to();
                buf.copy_within(valid..len, 0);
                offset += valid as u64;
                carry = len - valid;
            }
            Err(e) => break Some(offset + (start + e.valid_up_to()) as u64),
        }
    };
    let ends_with_newline = last_byte == b'\n';
    let Some(bad_at) = utf8_error_at else {
        let bom_len = if bom { 3 } else { 0 };
        return Ok(TextInfo {
            encoding: if bom { CsvEncoding::Utf8Bom } else { CsvEncoding::Utf8 },
            text_len: offset.saturating_sub(bom_len),
            ends_with_newline,
        });
    };
    if bom {
        return Err(IntakeError::Encoding(format!(
            "it starts with a UTF-8 byte order mark but has bytes that are not UTF-8 at byte {bad_at}"
        )));
    }
    let text_len = check_cp949(path, file)?;
    Ok(TextInfo { encoding: CsvEncoding::Cp949, text_len, ends_with_newline })
}

/// What the encoding pass learned about the text, for exact line numbers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextInfo {
    pub(crate) encoding: CsvEncoding,
    /// Length of the text as the CSV parser sees it (UTF-8, without BOM).
    text_len: u64,
    /// Whether the last record ends with a line break.
    ends_with_newline: bool,
}

/// Decodes the whole file as CP949 into a scratch buffer, refusing it at the
/// first malformed sequence; returns the length of the decoded UTF-8 text.
fn check_cp949(path: &Path, file: &mut File) -> Result<u64, IntakeError> {
    let io = |e| IntakeError::io(path, e);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut decoder = EUC_KR.new_decoder_without_bom_handling();
    let mut input = vec![0u8; CHUNK];
    let mut output = vec![0u8; CHUNK * 3 + 16];
    let mut offset = 0u64;
    let mut decoded = 0u64;
    loop {
        let n = read_full(file, &mut input).map_err(io)?;
        let last = n == 0;
        let mut src = &input[..n];
        loop {
            let (result, read, written) = decoder.decode_to_utf8_without_replacement(src, &mut output, last);
            offset += read as u64;
            decoded += written as u64;
            src = &src[read..];
            match result {
                encoding_rs::DecoderResult::InputEmpty => break,
                encoding_rs::DecoderResult::OutputFull => continue,
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    return Err(IntakeError::Encoding(format!(
                        "it is neither UTF-8 nor CP949 (EUC-KR) text (first bad byte near byte {})",
                        offset.saturating_sub(1)
                    )));
                }
            }
        }
        if last {
            return Ok(decoded);
        }
    }
}

/// Reads until `buf` is full or the file ends, so chunk boundaries are stable.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Counts the raw bytes read from the file, for progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Picks the delimiter from the first line: Korean spreadsheet tools also
/// write tab- or semicolon-separated "CSV". The delimiters are ASCII, so the
/// raw bytes tell in UTF-8 and CP949 alike.
fn sniff_delimiter(first_bytes: &[u8]) -> u8 {
    let line = first_bytes.split(|&b| b == b'\n' || b == b'\r').next().unwrap_or(&[]);
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    let (commas, tabs, semis) = (count(b','), count(b'\t'), count(b';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas && semis > tabs {
        b';'
    } else {
        b','
    }
}

/// A streamed CSV reader: one reused record (its UTF-8 checked in one pass by
/// csv), fields handed out as owned strings.
pub(crate) struct CsvSource {
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::StringRecord,
    path: std::path::PathBuf,
    info: TextInfo,
    /// Old Mac files end lines with CR alone; lines are then counted by record.
    cr_only: bool,
}

impl CsvSource {
    /// Opens the reader positioned after the BOM; `head` is the file's first bytes.
    pub(crate) fn open(
        path: &Path,
        mut file: File,
        info: TextInfo,
        head: &[u8],
        count: Arc<AtomicU64>,
    ) -> Result<CsvSource, IntakeError> {
        let io = |e| IntakeError::io(path, e);
        let skip = if info.encoding == CsvEncoding::Utf8Bom { 3 } else { 0 };
        file.seek(SeekFrom::Start(skip)).map_err(io)?;
        count.store(skip, Ordering::Relaxed);
        let text_head = head.get(skip as usize..).unwrap_or(&[]);
        let delimiter = sniff_delimiter(text_head);
        let cr_only = text_head.contains(&b'\r') && !text_head.contains(&b'\n');
        let counted = Counting { inner: file, count };
        let input: Box<dyn Read + Send> = match info.encoding {
            CsvEncoding::Utf8 | CsvEncoding::Utf8Bom => Box::new(counted),
            CsvEncoding::Cp949 => Box::new(
                DecodeReaderBytesBuilder::new()
                    .encoding(Some(EUC_KR))
                    .bom_override(false)
                    .build(BufReader::with_capacity(CHUNK, counted)),
            ),
        };
        // Records end at LF only (a CR before it is stripped from the last
        // field): with csv's default CRLF handling the reader cannot tell
        // where a record starts after a CRLF or a blank line, and the line
        // number of a quarantined row must be the physical line.
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(if cr_only { b'\r' } else { b'\n' }))
            .buffer_capacity(CHUNK)
            .from_reader(input);
        Ok(CsvSource { reader, record: csv::StringRecord::new(), path: path.to_path_buf(), info, cr_only })
    }

    /// The next record as (line where it starts, raw row under `headers`), or
    /// None at the end. Values beyond the header get an empty header.
    pub(crate) fn next_record(&mut self, headers: &[String]) -> Result<Option<(u64, RawRow)>, IntakeError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let after = self.reader.position();
                // Line breaks read for this record: blank lines skipped before it,
                // those inside its quoted values, and its own terminator (absent
                // only for a last record without a final line break).
                let inside =
                    self.record.as_byte_record().as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
                let unterminated = !self.info.ends_with_newline && after.byte() >= self.info.text_len;
                let line = if self.cr_only {
                    after.record() // approximate: a value spanning lines shifts the count
                } else {
                    after.line().saturating_sub(inside + u64::from(!unterminated))
                };
                let n = self.record.len();
                let fields = self
                    .record
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let f = if i + 1 == n { f.strip_suffix('\r').unwrap_or(f) } else { f };
                        (
                            headers.get(i).cloned().unwrap_or_default(),
                            crate::export::without_formula_guard(f).to_owned(),
                        )
                    })
                    .collect();
                Ok(Some((line.max(1), RawRow { fields })))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                match e.into_kind() {
                    csv::ErrorKind::Io(source) => Err(IntakeError::io(&self.path, source)),
                    // Only if the file changed after its encoding was checked.
                    csv::ErrorKind::Utf8 { .. } => Err(IntakeError::Encoding(format!(
                        "line {line} is not valid text (did the file change while it was read?)"
                    ))),
                    other => Err(IntakeError::Csv { line, message: format!("{other:?}") }),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_sniffed_from_the_first_line() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1\t2\t3\t4"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;c"), b';');
        assert_eq!(sniff_delimiter(b""), b',');
    }
}
