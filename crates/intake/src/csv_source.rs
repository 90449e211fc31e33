//! CSV intake: encoding detection and a streamed record reader.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use encoding_rs::EUC_KR;
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::error::IntakeError;
use crate::limits::{MAX_FIELDS, MAX_RECORD_BYTES};
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
    let Some(bad_at) = utf8_error_at else {
        return Ok(TextInfo { encoding: if bom { CsvEncoding::Utf8Bom } else { CsvEncoding::Utf8 } });
    };
    if bom {
        return Err(IntakeError::Encoding(format!(
            "it starts with a UTF-8 byte order mark but has bytes that are not UTF-8 at byte {bad_at}"
        )));
    }
    check_cp949(path, file)?;
    Ok(TextInfo { encoding: CsvEncoding::Cp949 })
}

/// What the encoding pass learned about the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextInfo {
    pub(crate) encoding: CsvEncoding,
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

/// A streamed CSV reader over csv-core, with bounded buffers: a record
/// longer than [`MAX_RECORD_BYTES`] or with more than [`MAX_FIELDS`] fields
/// refuses the file (naming its line) instead of growing without end, and a
/// quoted value that never closes is an error naming the line of its opening
/// quote, not a silent merge of every row after it into one value.
pub(crate) struct CsvSource {
    input: BufReader<Box<dyn Read + Send>>,
    parser: csv_core::Reader,
    /// The current record's field bytes (`out[..ends[n-1]]`).
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The current record's bytes as read (bounded by MAX_RECORD_BYTES plus
    /// one buffer), to find an unclosed quote's line.
    raw: Vec<u8>,
    path: std::path::PathBuf,
    /// The byte that ends a line: LF, or CR alone in old Mac files.
    terminator: u8,
    delimiter: u8,
    /// The physical line of the next byte to be read, from 1.
    line: u64,
    at_end: bool,
}

/// How a record's bytes end, as csv-core reads them (quoting on, doubled
/// quotes as escapes, no escape character).
#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// The line where the quoted value still open at the end of `raw` started,
/// if one is; `first_line` is the line of `raw[0]`.
fn open_quote_line(raw: &[u8], first_line: u64, delimiter: u8, terminator: u8) -> Option<u64> {
    let mut state = QuoteState::StartField;
    let mut line = first_line;
    let mut quote_line = first_line;
    for &b in raw {
        state = match state {
            QuoteState::StartField if b == b'"' => {
                quote_line = line;
                QuoteState::InQuoted
            }
            QuoteState::StartField | QuoteState::InField if b == delimiter || b == terminator => {
                QuoteState::StartField
            }
            QuoteState::StartField | QuoteState::InField => QuoteState::InField,
            QuoteState::InQuoted if b == b'"' => QuoteState::QuoteInQuoted,
            QuoteState::InQuoted => QuoteState::InQuoted,
            QuoteState::QuoteInQuoted if b == b'"' => QuoteState::InQuoted,
            QuoteState::QuoteInQuoted if b == delimiter || b == terminator => QuoteState::StartField,
            QuoteState::QuoteInQuoted => QuoteState::InField,
        };
        if b == terminator {
            line += 1;
        }
    }
    (state == QuoteState::InQuoted).then_some(quote_line)
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
        // field), so that the line of a record is the physical line.
        let terminator = if cr_only { b'\r' } else { b'\n' };
        let parser = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(csv_core::Terminator::Any(terminator))
            .build();
        Ok(CsvSource {
            input: BufReader::with_capacity(CHUNK, input),
            parser,
            out: vec![0; 4096],
            ends: vec![0; 64],
            raw: Vec::with_capacity(4096),
            path: path.to_path_buf(),
            terminator,
            delimiter,
            line: 1,
            at_end: false,
        })
    }

    /// Skips the line ends before a record (blank lines), counting them.
    fn skip_blank_lines(&mut self) -> Result<(), IntakeError> {
        loop {
            let buf = self.input.fill_buf().map_err(|e| IntakeError::io(&self.path, e))?;
            let blank = buf.iter().take_while(|&&b| b == self.terminator).count();
            let more = blank == buf.len() && !buf.is_empty();
            self.line += blank as u64;
            self.input.consume(blank);
            if !more {
                return Ok(());
            }
        }
    }

    /// The next record as (line where it starts, line where it ends, raw row
    /// under `headers`), or None at the end. Values beyond the header get an
    /// empty header.
    pub(crate) fn next_record(
        &mut self,
        headers: &[String],
    ) -> Result<Option<(u64, u64, RawRow)>, IntakeError> {
        if self.at_end {
            return Ok(None);
        }
        self.skip_blank_lines()?;
        let start_line = self.line;
        self.raw.clear();
        let (mut nout, mut nend) = (0usize, 0usize);
        let mut read_total = 0usize;
        loop {
            let buf = self.input.fill_buf().map_err(|e| IntakeError::io(&self.path, e))?;
            let eof = buf.is_empty();
            let (result, nin, o, e) =
                self.parser.read_record(buf, &mut self.out[nout..], &mut self.ends[nend..]);
            let consumed = &buf[..nin];
            if self.raw.len() <= MAX_RECORD_BYTES {
                self.raw.extend_from_slice(consumed);
            }
            self.line += consumed.iter().filter(|&&b| b == self.terminator).count() as u64;
            read_total += nin;
            self.input.consume(nin);
            nout += o;
            nend += e;
            if read_total > MAX_RECORD_BYTES {
                return Err(self.too_long(start_line));
            }
            match result {
                csv_core::ReadRecordResult::InputEmpty => continue,
                csv_core::ReadRecordResult::OutputFull => {
                    // Output never outgrows input; the check above bounds both.
                    let len = (self.out.len() * 2).min(MAX_RECORD_BYTES + CHUNK);
                    self.out.resize(len.max(self.out.len() + 1), 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= MAX_FIELDS {
                        self.at_end = true;
                        return Err(IntakeError::TooManyFields { line: start_line });
                    }
                    let len = (self.ends.len() * 2).min(MAX_FIELDS);
                    self.ends.resize(len, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    if eof {
                        // The last record, ended by the end of the file: inside a
                        // quoted value, the file's rest went into that value.
                        self.at_end = true;
                        if let Some(line) =
                            open_quote_line(&self.raw, start_line, self.delimiter, self.terminator)
                        {
                            return Err(IntakeError::UnclosedQuote { line });
                        }
                    }
                    // The line of the record's last byte (its terminator is counted).
                    let end_line = if eof { self.line } else { self.line - 1 }.max(start_line);
                    return self.fields(start_line, nend, headers).map(|(l, raw)| Some((l, end_line, raw)));
                }
                csv_core::ReadRecordResult::End => {
                    self.at_end = true;
                    return Ok(None);
                }
            }
        }
    }

    /// A record too long: an unclosed quote when a quoted value is still open.
    fn too_long(&mut self, start_line: u64) -> IntakeError {
        self.at_end = true;
        match open_quote_line(&self.raw, start_line, self.delimiter, self.terminator) {
            Some(line) => IntakeError::UnclosedQuote { line },
            None => IntakeError::RecordTooLong { line: start_line },
        }
    }

    fn fields(&self, line: u64, nend: usize, headers: &[String]) -> Result<(u64, RawRow), IntakeError> {
        let mut fields = Vec::with_capacity(nend);
        let mut start = 0;
        for (i, &end) in self.ends[..nend].iter().enumerate() {
            let bytes = &self.out[start..end];
            start = end;
            let Ok(mut f) = std::str::from_utf8(bytes) else {
                // Only if the file changed after its encoding was checked.
                return Err(IntakeError::Encoding(format!(
                    "line {line} is not valid text (did the file change while it was read?)"
                )));
            };
            if i + 1 == nend && self.terminator == b'\n' {
                f = f.strip_suffix('\r').unwrap_or(f);
            }
            fields.push((
                headers.get(i).cloned().unwrap_or_default(),
                crate::export::without_formula_guard(f).to_owned(),
            ));
        }
        Ok((line, RawRow { fields }))
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
