//! Reading the TOML files people write (policies, service catalogs) with
//! problems a person can act on: the line and column where the text stops
//! reading, and what is wrong there in the reader's language. The parser's
//! own English words stay beside it as a detail (what it expected).

use serde::de::DeserializeOwned;

use crate::message::Message;
use crate::msg;

/// Where a TOML text cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{detail}{}", place(*.line, *.column), excerpt_of(.excerpt))]
pub struct TomlSyntax {
    /// 1-based line and column (in characters) of the problem, when the parser knows it.
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// That line as written (trimmed, at most [`EXCERPT_CHARS`] characters).
    pub excerpt: Option<String>,
    /// What kind of problem, for the reader's language.
    pub kind: SyntaxKind,
    /// The parser's own words (English).
    pub detail: String,
}

/// The problems people make most in a policy file, worded in both languages;
/// anything else is said by the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxKind {
    /// A required field is missing (`missing field `cap``).
    MissingField(String),
    /// A field the file format does not have (a typo: `unknown field `capp``).
    UnknownField(String),
    /// A value of the wrong kind (text where a number goes).
    WrongType,
    /// The text is not TOML at that place.
    Grammar,
}

/// The longest excerpt of the line a problem is on.
pub const EXCERPT_CHARS: usize = 80;

fn excerpt_of(excerpt: &Option<String>) -> String {
    excerpt.as_ref().map_or_else(String::new, |e| format!(" (the line: {e})"))
}

fn place(line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
        _ => String::new(),
    }
}

/// 1-based line and column (characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, column)
}

/// The name between the first pair of backticks of a serde message.
fn quoted(detail: &str, after: &str) -> Option<String> {
    let rest = detail.strip_prefix(after)?;
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(rest[start..start + len].to_string())
}

impl TomlSyntax {
    fn of(text: &str, e: &toml::de::Error) -> TomlSyntax {
        let detail = e.message().trim().to_string();
        let (line, column, excerpt) = match e.span() {
            Some(span) => {
                let (l, c) = line_col(text, span.start);
                let written = text.lines().nth(l as usize - 1).unwrap_or("").trim();
                let mut excerpt: String = written.chars().take(EXCERPT_CHARS).collect();
                if written.chars().count() > EXCERPT_CHARS {
                    excerpt.push('…');
                }
                (Some(l), Some(c), Some(excerpt))
            }
            None => (None, None, None),
        };
        let kind = if let Some(field) = quoted(&detail, "missing field") {
            SyntaxKind::MissingField(field)
        } else if let Some(field) = quoted(&detail, "unknown field") {
            SyntaxKind::UnknownField(field)
        } else if detail.starts_with("invalid type") || detail.starts_with("invalid value") {
            SyntaxKind::WrongType
        } else {
            SyntaxKind::Grammar
        };
        TomlSyntax { line, column, excerpt, kind, detail }
    }

    /// What is wrong, in the reader's language, without its place (an editor
    /// shows the line and column itself).
    pub fn problem(&self) -> Message {
        match &self.kind {
            SyntaxKind::MissingField(field) => msg!("toml.missing_field", field = field),
            SyntaxKind::UnknownField(field) => msg!("toml.unknown_field", field = field),
            SyntaxKind::WrongType => msg!("toml.wrong_type", detail = &self.detail),
            SyntaxKind::Grammar => msg!("toml.grammar", detail = &self.detail),
        }
    }

    /// The problem in the reader's language, with its place when known.
    pub fn message(&self) -> Message {
        let what = self.problem();
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                let excerpt = self.excerpt.as_deref().unwrap_or("");
                msg!("toml.at", line = line, column = column, excerpt = excerpt).with_part("problem", what)
            }
            _ => what,
        }
    }
}

/// `text` read as a `T`, or where and why it cannot be.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, TomlSyntax> {
    toml::from_str(text).map_err(|e| TomlSyntax::of(text, &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Lang;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Rule {
        cap: u32,
        name: String,
    }

    #[test]
    fn a_broken_line_is_named_with_its_column() {
        let e = parse::<Rule>("name = \"택시\"\ncap = = 3\n").expect_err("refused");
        assert_eq!((e.line, e.column), (Some(2), Some(7)));
        assert_eq!(e.kind, SyntaxKind::Grammar);
        let ko = e.message().render(Lang::Ko);
        assert!(ko.starts_with("2번째 줄 7번째 글자"), "{ko}");
        assert!(e.message().render(Lang::En).starts_with("Line 2, column 7"));
        assert!(ko.ends_with("(그 줄: cap = = 3)"), "{ko}");
        assert_eq!(e.to_string(), format!("line 2, column 7: {} (the line: cap = = 3)", e.detail));
    }

    #[test]
    fn missing_and_unknown_fields_are_said_in_korean() {
        let missing = parse::<Rule>("name = \"택시\"\n").expect_err("refused");
        assert_eq!(missing.kind, SyntaxKind::MissingField("cap".into()));
        assert!(
            missing.message().render(Lang::Ko).contains("필수 항목 ‘cap’"),
            "{}",
            missing.message().render(Lang::Ko)
        );
        let typo = parse::<Rule>("name = \"택시\"\ncap = 3\ncapp = 4\n").expect_err("refused");
        assert_eq!(typo.kind, SyntaxKind::UnknownField("capp".into()));
        assert_eq!(typo.line, Some(3));
        assert!(typo.message().render(Lang::Ko).contains("‘capp’"));
        let wrong = parse::<Rule>("name = \"택시\"\ncap = \"많이\"\n").expect_err("refused");
        assert_eq!(wrong.kind, SyntaxKind::WrongType);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(line_col("가나다 = x", 10), (1, 5));
        // An offset inside a character does not split it.
        assert_eq!(line_col("가나", 1), (1, 1));
    }
}
