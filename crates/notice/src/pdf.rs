//! A letter as a PDF: A4, the Korean font that ships inside this crate
//! (NanumSquare, SIL OFL 1.1: `fonts/OFL.txt`) embedded as a subset of the
//! glyphs used, with its text extractable (ToUnicode), so a letter reads the
//! same on a machine without any Korean system font.

use std::sync::OnceLock;

use claimdesk_core::message::Lang;
use claimdesk_core::notice::LetterText;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

use crate::NoticeError;

/// The regular and bold faces, compiled into the binary.
const REGULAR: &[u8] = include_bytes!("../fonts/NanumSquareR.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/NanumSquareB.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 60.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;

/// One face: krilla's font for drawing, and the same font read by skrifa
/// for the advance widths that wrapping needs (parsed once, at load).
struct Face {
    font: Font,
    metrics: skrifa::FontRef<'static>,
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Face, NoticeError> {
        let font = Font::new(data.into(), 0).ok_or(NoticeError::Font)?;
        let metrics = skrifa::FontRef::new(data).map_err(|_| NoticeError::Font)?;
        Ok(Face { font, metrics })
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.metrics.charmap();
        let metrics = self.metrics.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g)).unwrap_or(size * 0.5))
            .sum()
    }
}

fn faces() -> Result<&'static (Face, Face), NoticeError> {
    static FACES: OnceLock<Option<(Face, Face)>> = OnceLock::new();
    FACES
        .get_or_init(|| Some((Face::load(REGULAR).ok()?, Face::load(BOLD).ok()?)))
        .as_ref()
        .ok_or(NoticeError::Font)
}

/// Breaks `text` into lines no wider than `width`: at spaces, and inside a
/// word only when the word alone is wider than a line (a long e-mail address).
fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if face.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: split by characters where it does not fit.
        for c in word.chars() {
            let mut next = line.clone();
            next.push(c);
            if face.width(&next, size) > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A line of the laid-out letter.
struct Line {
    text: String,
    size: f32,
    bold: bool,
    gray: bool,
    /// Space before it, in points.
    before: f32,
}

fn lay_out(text: &LetterText, regular: &Face, bold: &Face) -> Vec<Line> {
    let mut out = Vec::new();
    let mut push = |face: &Face, s: &str, size: f32, is_bold: bool, gray: bool, before: f32, indent: &str| {
        let mut first = true;
        for l in wrap(face, s, size, TEXT_W - face.width(indent, size)) {
            let shown = if first { l } else { format!("{indent}{l}") };
            out.push(Line {
                text: shown,
                size,
                bold: is_bold,
                gray,
                before: if first { before } else { 0.0 },
            });
            first = false;
        }
    };
    push(bold, text.subject.trim(), 15.0, true, false, 0.0, "");
    let mut gap = 14.0;
    for para in text.body.trim().lines() {
        if para.trim().is_empty() {
            gap = 8.0;
            continue;
        }
        // A list item keeps its hanging indent when it wraps.
        let indent = if para.starts_with("- ") { "  " } else { "" };
        push(regular, para.trim_end(), 10.5, false, false, gap, indent);
        gap = 0.0;
    }
    if let Some((title, lines)) = &text.grounds {
        push(bold, title, 11.5, true, false, 18.0, "");
        for (i, l) in lines.iter().enumerate() {
            push(
                regular,
                &format!("{}. {l}", i + 1),
                9.5,
                false,
                false,
                if i == 0 { 4.0 } else { 0.0 },
                "    ",
            );
        }
    }
    for (i, f) in text.footer.iter().enumerate() {
        push(regular, f, 8.5, false, true, if i == 0 { 22.0 } else { 0.0 }, "");
    }
    out
}

/// The letter as PDF bytes, titled with its subject, in the letter's language.
pub fn letter_pdf(text: &LetterText, lang: Lang) -> Result<Vec<u8>, NoticeError> {
    let (regular, bold) = faces()?;
    let lines = lay_out(text, regular, bold);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(text.subject.trim().to_string())
            .language(match lang {
                Lang::Ko => "ko-KR".to_string(),
                Lang::En => "en".to_string(),
            })
            .creator("ClaimDesk".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(NoticeError::Layout)?;
    let pages = paginate(&lines);
    let count = pages.len();
    for (index, page_lines) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        // A rule under the top margin: the letterhead.
        let mut pb = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(MARGIN, MARGIN - 18.0, TEXT_W, 1.2) {
            pb.push_rect(rect);
        }
        if let Some(path) = pb.finish() {
            surface.set_fill(Some(fill(rgb::Color::new(0x1f, 0x4e, 0x8c))));
            surface.draw_path(&path);
        }
        let mut y = MARGIN;
        for l in page_lines {
            y += l.before + l.size * 1.65;
            let face = if l.bold { bold } else { regular };
            let color =
                if l.gray { rgb::Color::new(0x55, 0x5b, 0x66) } else { rgb::Color::new(0x11, 0x14, 0x18) };
            surface.set_fill(Some(fill(color)));
            surface.draw_text(
                Point::from_xy(MARGIN, y - l.size * 0.45),
                face.font.clone(),
                l.size,
                &l.text,
                false,
                TextDirection::Auto,
            );
        }
        if count > 1 {
            let mark = format!("{} / {}", index + 1, count);
            let w = regular.width(&mark, 8.0);
            surface.set_fill(Some(fill(rgb::Color::new(0x55, 0x5b, 0x66))));
            surface.draw_text(
                Point::from_xy(PAGE_W - MARGIN - w, PAGE_H - MARGIN / 2.0),
                regular.font.clone(),
                8.0,
                &mark,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| NoticeError::Pdf(format!("{e:?}")))
}

/// The lines of each page, from the top margin down to the bottom one.
fn paginate(lines: &[Line]) -> Vec<&[Line]> {
    let mut pages = Vec::new();
    let mut rest = lines;
    while !rest.is_empty() {
        let mut y = MARGIN;
        let mut n = 0;
        for l in rest {
            let step = l.before + l.size * 1.65;
            if y + step > PAGE_H - MARGIN && n > 0 {
                break;
            }
            y += step;
            n += 1;
        }
        pages.push(&rest[..n]);
        rest = &rest[n..];
    }
    pages
}

fn fill(color: rgb::Color) -> Fill {
    Fill { paint: color.into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_wraps_at_spaces_and_a_word_longer_than_a_line_is_split() {
        let (regular, _) = faces().expect("the shipped fonts load");
        let text = "신고하신 피해는 아래 사유로 보상 대상에 해당하지 않는 것으로 결정되었습니다. ".repeat(4);
        let lines = wrap(regular, text.trim(), 10.5, TEXT_W);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| regular.width(l, 10.5) <= TEXT_W + 0.01));
        assert_eq!(lines.join(" "), text.trim(), "nothing is lost in wrapping");
        let long = "a".repeat(400);
        let parts = wrap(regular, &long, 10.5, TEXT_W);
        assert!(parts.len() > 1 && parts.concat() == long);
    }

    #[test]
    fn a_long_letter_is_laid_out_on_pages_that_hold_every_line() {
        let (regular, bold) = faces().expect("fonts");
        let text = LetterText {
            subject: "제목".into(),
            body: "본문 한 줄입니다.\n".repeat(120),
            grounds: None,
            footer: vec!["접수번호 X".into()],
        };
        let lines = lay_out(&text, regular, bold);
        let pages = paginate(&lines);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        assert_eq!(pages.iter().map(|p| p.len()).sum::<usize>(), lines.len());
        assert!(letter_pdf(&text, Lang::Ko).expect("pdf").starts_with(b"%PDF-"));
    }
}
