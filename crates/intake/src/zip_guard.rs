//! Checks a ZIP container (XLSX, ODS, anything else) before calamine reads it.
//!
//! calamine keeps some parts whole in memory (the shared strings, the
//! styles) and reserves room from counts the file declares, so a workbook of
//! one megabyte can ask for gigabytes. Here, before calamine sees the file:
//! - the kind is told by content: an ODS has a `mimetype` member, an XLSX a
//!   `[Content_Types].xml` or `xl/workbook.xml`; anything else is refused;
//! - every part's declared size and compression ratio are checked against
//!   the limits, and their sum; the zip crate then fails a part that unpacks
//!   to more than it declared, so the declared sizes bound what is read;
//! - every XML part is streamed once through [`XmlScan`], which bounds each
//!   cell and shared string, each run of text, the shared strings' count and
//!   the count they declare, and refuses a DTD.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{IntakeError, XmlPlace};
use crate::limits::*;

const ODS_MIME: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Checks the container at `path`; Ok only for an XLSX within every limit.
pub(crate) fn check(path: &Path) -> Result<(), IntakeError> {
    let file = File::open(path).map_err(|e| IntakeError::io(path, e))?;
    check_reader(BufReader::new(file))
}

pub(crate) fn check_reader<R: Read + std::io::Seek>(reader: R) -> Result<(), IntakeError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| IntakeError::Xlsx(e.to_string()))?;
    if zip.len() > MAX_ZIP_MEMBERS {
        return Err(IntakeError::ZipTooManyParts { count: zip.len() });
    }
    kind(&mut zip)?;
    let mut total: u64 = 0;
    let mut xml_parts = Vec::new();
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| IntakeError::Xlsx(e.to_string()))?;
        if part.is_dir() {
            continue;
        }
        let name = part.name().map_or_else(|_| format!("#{i}"), |n| n.into_owned());
        let (size, packed) = (part.size(), part.compressed_size());
        let max =
            if name.starts_with("xl/worksheets/") { MAX_SHEET_PART_BYTES } else { MAX_OTHER_PART_BYTES };
        if size > max {
            return Err(IntakeError::ZipPartTooLarge { part: name, size, max });
        }
        if size > RATIO_GRACE_BYTES && size / packed.max(1) > MAX_COMPRESSION_RATIO {
            return Err(IntakeError::ZipRatio { part: name, size, packed });
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_UNPACKED_BYTES {
            return Err(IntakeError::ZipTotalTooLarge { size: total });
        }
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml") {
            xml_parts.push(i);
        }
    }
    for i in xml_parts {
        let mut part = zip.by_index(i).map_err(|e| IntakeError::Xlsx(e.to_string()))?;
        let name = part.name().map_or_else(|_| format!("#{i}"), |n| n.into_owned());
        let mut scan = XmlScan::new(&name);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // Among others: a part that unpacks to more than it declares.
                Err(e) => return Err(IntakeError::Xlsx(format!("the part '{name}' cannot be read: {e}"))),
            };
            scan.feed(&buf[..n])?;
        }
        scan.finish()?;
    }
    Ok(())
}

/// Tells an XLSX from an ODS and from other ZIP files by their members.
fn kind<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> Result<(), IntakeError> {
    if let Ok(mut mime) = zip.by_name("mimetype") {
        let mut text = Vec::new();
        // The declared type is a short line; never read more than that.
        let _ = (&mut mime).take(256).read_to_end(&mut text);
        let text = text.trim_ascii();
        if text.starts_with(ODS_MIME) {
            return Err(IntakeError::Ods);
        }
        if text.starts_with(b"application/vnd.oasis.opendocument") {
            return Err(IntakeError::NotTabular(
                "it is an OpenDocument file, not a spreadsheet; save the sheet as .xlsx or CSV".into(),
            ));
        }
    }
    let has = |zip: &zip::ZipArchive<R>, name: &str| zip.index_for_name(name).is_some();
    if has(zip, "xl/workbook.xml") || has(zip, "[Content_Types].xml") && has(zip, "_rels/.rels") {
        if has(zip, "word/document.xml") {
            return Err(IntakeError::NotTabular("it is a Word document (.docx)".into()));
        }
        if has(zip, "ppt/presentation.xml") {
            return Err(IntakeError::NotTabular("it is a PowerPoint presentation (.pptx)".into()));
        }
        return Ok(());
    }
    Err(IntakeError::NotTabular(
        "it is a ZIP archive but not an Excel workbook (.xlsx); save the sheet as .xlsx or CSV".into(),
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Between tags.
    Text,
    /// After `<`, collecting the tag into `tag`.
    Tag,
}

/// Elements whose whole content calamine turns into one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    Cell,
    Shared,
    Inline,
}

/// A streaming check of one XML part, in constant memory (one tag at most,
/// itself bounded): every `<c>`, `<si>` and `<is>` element and every run
/// between two `<` is at most [`MAX_XML_ELEMENT_BYTES`]; at most
/// [`MAX_SHARED_STRINGS`] shared strings, counted and as declared; no DTD.
pub(crate) struct XmlScan {
    part: String,
    lex: Lex,
    /// Offset of the next byte.
    offset: u64,
    /// Offset of the last `<`.
    last_lt: u64,
    tag: Vec<u8>,
    /// The quote that opened an attribute value inside a tag.
    quote: Option<u8>,
    /// The value element open: its kind, start offset, its place.
    open: Option<(Value, u64, XmlPlace)>,
    shared: u64,
}

impl XmlScan {
    pub(crate) fn new(part: &str) -> XmlScan {
        XmlScan {
            part: part.to_string(),
            lex: Lex::Text,
            offset: 0,
            last_lt: 0,
            tag: Vec::new(),
            quote: None,
            open: None,
            shared: 0,
        }
    }

    fn too_large(&self, at: XmlPlace) -> IntakeError {
        IntakeError::XmlTooLarge { part: self.part.clone(), at }
    }

    /// The limits that hold at every byte: the run since the last `<`, the open value.
    fn check_spans(&self) -> Result<(), IntakeError> {
        if self.offset - self.last_lt > MAX_XML_ELEMENT_BYTES {
            return Err(self.too_large(XmlPlace::Offset(self.last_lt)));
        }
        if let Some((_, start, place)) = &self.open {
            if self.offset - start > MAX_XML_ELEMENT_BYTES {
                return Err(self.too_large(place.clone()));
            }
        }
        Ok(())
    }

    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> Result<(), IntakeError> {
        while !bytes.is_empty() {
            match self.lex {
                Lex::Text => match bytes.iter().position(|&b| b == b'<') {
                    None => {
                        self.offset += bytes.len() as u64;
                        bytes = &[];
                    }
                    Some(i) => {
                        self.offset += i as u64;
                        self.check_spans()?;
                        self.last_lt = self.offset;
                        self.offset += 1;
                        bytes = &bytes[i + 1..];
                        self.lex = Lex::Tag;
                        self.tag.clear();
                        self.quote = None;
                    }
                },
                Lex::Tag => {
                    let special = matches!(self.tag.first(), Some(b'!' | b'?'));
                    // The bytes that can neither end the tag nor change its
                    // quoting, taken in one go.
                    let plain = if self.tag.is_empty() {
                        0
                    } else {
                        match (special, self.quote) {
                            (true, _) => bytes.iter().position(|&b| b == b'>'),
                            (false, Some(q)) => bytes.iter().position(|&b| b == q),
                            (false, None) => bytes.iter().position(|&b| matches!(b, b'>' | b'"' | b'\'')),
                        }
                        .unwrap_or(bytes.len())
                    };
                    if plain > 0 {
                        self.tag.extend_from_slice(&bytes[..plain]);
                        self.offset += plain as u64;
                        bytes = &bytes[plain..];
                        if self.tag.len() as u64 > MAX_XML_ELEMENT_BYTES {
                            return Err(self.too_large(XmlPlace::Offset(self.last_lt)));
                        }
                        continue;
                    }
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    self.offset += 1;
                    if b == b'>' && self.quote.is_none() && self.tag_ends(special)? {
                        self.lex = Lex::Text;
                        self.tag_done(special)?;
                        continue;
                    }
                    if !special {
                        match self.quote {
                            Some(q) if q == b => self.quote = None,
                            None if b == b'"' || b == b'\'' => self.quote = Some(b),
                            _ => {}
                        }
                    }
                    self.tag.push(b);
                    if self.tag.len() as u64 > MAX_XML_ELEMENT_BYTES {
                        return Err(self.too_large(XmlPlace::Offset(self.last_lt)));
                    }
                }
            }
        }
        self.check_spans()
    }

    /// Whether a `>` ends the tag collected so far (comments, CDATA and
    /// processing instructions end only at `-->`, `]]>`, `?>`).
    fn tag_ends(&self, special: bool) -> Result<bool, IntakeError> {
        if !special {
            return Ok(true);
        }
        let t = &self.tag;
        if t.starts_with(b"!--") {
            return Ok(t.len() >= 5 && t.ends_with(b"--"));
        }
        if t.starts_with(b"![CDATA[") {
            return Ok(t.ends_with(b"]]"));
        }
        if t.starts_with(b"?") {
            return Ok(t.len() >= 2 && t.ends_with(b"?"));
        }
        // <!DOCTYPE, <!ENTITY, <!ELEMENT, …: a DTD, which no workbook has.
        Err(IntakeError::XmlDtd { part: self.part.clone() })
    }

    fn tag_done(&mut self, special: bool) -> Result<(), IntakeError> {
        if special {
            return Ok(());
        }
        let tag = std::mem::take(&mut self.tag);
        let (closing, body) = match tag.strip_prefix(b"/") {
            Some(rest) => (true, rest),
            None => (false, &tag[..]),
        };
        let self_closing = !closing && body.ends_with(b"/");
        let name_end = body.iter().position(|b| b.is_ascii_whitespace() || *b == b'/').unwrap_or(body.len());
        let name = &body[..name_end];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        let kind = match local {
            b"c" => Some(Value::Cell),
            b"si" => Some(Value::Shared),
            b"is" => Some(Value::Inline),
            _ => None,
        };
        if local == b"sst" && !closing {
            for key in [&b"uniqueCount"[..], b"count"] {
                for value in attr_values(body, key) {
                    let digits: Vec<u8> = value
                        .iter()
                        .copied()
                        .filter(|b| !b.is_ascii_whitespace() && *b != b'+')
                        .take_while(u8::is_ascii_digit)
                        .collect();
                    let n = std::str::from_utf8(&digits).ok().and_then(|d| d.parse::<u64>().ok());
                    let too_many = match n {
                        Some(n) => n > MAX_SHARED_STRINGS,
                        None => digits.len() > 18,
                    };
                    if too_many {
                        return Err(IntakeError::TooManySharedStrings);
                    }
                }
            }
        }
        let Some(kind) = kind else { return Ok(()) };
        if closing {
            if let Some((open, start, place)) = &self.open {
                if *open == kind {
                    if self.offset - start > MAX_XML_ELEMENT_BYTES {
                        return Err(self.too_large(place.clone()));
                    }
                    self.open = None;
                }
            }
            return Ok(());
        }
        if kind == Value::Shared {
            if self.shared >= MAX_SHARED_STRINGS {
                return Err(IntakeError::TooManySharedStrings);
            }
            self.shared += 1;
        }
        if self.open.is_none() && !self_closing {
            let place = match kind {
                Value::Shared => XmlPlace::SharedString(self.shared - 1),
                Value::Cell | Value::Inline => match attr_values(body, b"r").first() {
                    Some(r) if r.len() <= 16 => XmlPlace::Cell(String::from_utf8_lossy(r).into_owned()),
                    _ => XmlPlace::Offset(self.last_lt),
                },
            };
            self.open = Some((kind, self.last_lt, place));
        }
        Ok(())
    }

    pub(crate) fn finish(&self) -> Result<(), IntakeError> {
        self.check_spans()
    }
}

/// The values of attribute `key` in a tag's text (`key = "value"`), every
/// occurrence (a duplicated attribute is not valid XML, but is looked at).
fn attr_values<'a>(tag: &'a [u8], key: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + key.len() <= tag.len() {
        let before_ok = i > 0 && tag[i - 1].is_ascii_whitespace();
        if before_ok && &tag[i..i + key.len()] == key {
            let mut j = i + key.len();
            while j < tag.len() && tag[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < tag.len() && tag[j] == b'=' {
                j += 1;
                while j < tag.len() && tag[j].is_ascii_whitespace() {
                    j += 1;
                }
                if let Some(&q) = tag.get(j).filter(|q| **q == b'"' || **q == b'\'') {
                    let start = j + 1;
                    let end = tag[start..].iter().position(|&b| b == q).map_or(tag.len(), |p| start + p);
                    out.push(&tag[start..end]);
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &[u8]) -> Result<(), IntakeError> {
        let mut s = XmlScan::new("x.xml");
        // Fed in small pieces, so tags cross chunk boundaries.
        for chunk in xml.chunks(7) {
            s.feed(chunk)?;
        }
        s.finish()
    }

    #[test]
    fn ordinary_sheets_pass() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><!-- a > comment <c> -->
<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>a &gt; b</t></is></c>
<c r="C1" s="1"/></row></sheetData></worksheet>"#;
        scan(xml).expect("passes");
        scan(br#"<sst uniqueCount="12" count="30"><si><t>x</t></si><si/></sst>"#).expect("passes");
    }

    #[test]
    fn a_huge_cell_is_named_by_its_reference() {
        let mut xml = br#"<sheetData><row r="7"><c r="B7" t="inlineStr"><is>"#.to_vec();
        for _ in 0..(MAX_XML_ELEMENT_BYTES / 990 + 10) {
            xml.extend_from_slice(b"<t>");
            xml.extend_from_slice(&[b'a'; 990]);
            xml.extend_from_slice(b"</t>");
        }
        xml.extend_from_slice(b"</is></c></row></sheetData>");
        let e = scan(&xml).expect_err("refused");
        assert!(matches!(&e, IntakeError::XmlTooLarge { at: XmlPlace::Cell(c), .. } if c == "B7"), "{e:?}");
    }

    #[test]
    fn a_long_run_of_text_and_a_never_closed_cell_are_refused() {
        let mut xml = b"<sst><si><t>".to_vec();
        xml.extend(std::iter::repeat_n(b'a', MAX_XML_ELEMENT_BYTES as usize + 10));
        assert!(matches!(scan(&xml), Err(IntakeError::XmlTooLarge { .. })));
        // A comment cannot close the cell early.
        let mut xml = b"<c r=\"A1\"><is>".to_vec();
        for _ in 0..(MAX_XML_ELEMENT_BYTES / 990 + 10) {
            xml.extend_from_slice(b"<t>");
            xml.extend_from_slice(&[b'a'; 990]);
            xml.extend_from_slice(b"</t><!-- </c> -->");
        }
        assert!(matches!(scan(&xml), Err(IntakeError::XmlTooLarge { .. })));
    }

    #[test]
    fn declared_and_counted_shared_strings_are_bounded() {
        let e = scan(br#"<sst xmlns="x" count="1" uniqueCount="100000000000"><si/></sst>"#);
        assert!(matches!(e, Err(IntakeError::TooManySharedStrings)), "{e:?}");
        let e = scan(br#"<x:sst uniqueCount = '99999999999999999999999'>"#);
        assert!(matches!(e, Err(IntakeError::TooManySharedStrings)), "{e:?}");
    }

    #[test]
    fn a_dtd_is_refused() {
        let e = scan(b"<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY lol \"lol\">]><sst/>");
        assert!(matches!(e, Err(IntakeError::XmlDtd { .. })), "{e:?}");
    }
}
