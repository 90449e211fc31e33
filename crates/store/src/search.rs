//! Korean full-text search. FTS5's trigram tokenizer cannot find a
//! two-syllable word (택시, 예약), and unicode61 alone only finds whole
//! space-separated words (택시를 is not 택시). So names and descriptions are
//! indexed as overlapping bigrams of each word: 택시를 → "택시 시를".
//! A query word becomes the phrase of its bigrams, which matches the word
//! anywhere inside a longer word, and a quoted phrase ("택시 호출") keeps its
//! words in order.
//!
//! Each entry also holds its claim's incident as one token in a column of its
//! own (`incident`), so a search within one incident is answered by the index
//! alone, in its rowid order, without reading a claims row per match: at a
//! million claims that read cost a common word over a second (migration 0010).

use rusqlite::{params, Connection};

use crate::error::Result;

/// Whether a character is written in CJK scripts (indexed by bigrams).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0xAC00..=0xD7A3 |   // Hangul syllables
        0x1100..=0x11FF | 0x3130..=0x318F | // Hangul jamo
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | // CJK ideographs
        0x3040..=0x30FF) // kana
}

/// Splits text into words: runs of letters or digits (Hangul checked first:
/// it is most of the text and the general Unicode lookup is slow).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(is_cjk(c) || c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric())))
        .filter(|w| !w.is_empty())
}

/// Appends the index tokens of one word: bigrams for CJK runs, the lowercase
/// word for other scripts.
fn push_word_tokens(word: &str, out: &mut String) {
    if !word.chars().any(is_cjk) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
        return;
    }
    let chars: Vec<char> = word.chars().collect();
    if chars.len() == 1 {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(chars[0]);
        return;
    }
    for pair in chars.windows(2) {
        if !out.is_empty() {
            out.push(' ');
        }
        // Hangul has no case; other CJK neither.
        out.push(pair[0]);
        out.push(pair[1]);
    }
}

/// The text stored in the index for a name or a description.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for w in words(text) {
        push_word_tokens(w, &mut out);
    }
    out
}

/// Builds an FTS5 MATCH expression from what a person typed: words are ANDed,
/// "quoted phrases" keep their order. None when nothing searchable remains.
pub fn match_expression(query: &str) -> Option<String> {
    let mut terms = Vec::new();
    let mut rest = query;
    while !rest.is_empty() {
        if let Some(start) = rest.find('"') {
            let (before, after) = rest.split_at(start);
            terms.extend(before.split_whitespace().filter_map(phrase_of));
            let after = &after[1..];
            let end = after.find('"').unwrap_or(after.len());
            terms.extend(phrase_of(&after[..end]));
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            terms.extend(rest.split_whitespace().filter_map(phrase_of));
            break;
        }
    }
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" AND "))
    }
}

/// The token that stands for an incident in the index's `incident` column:
/// "i" and the id's bytes in hex, so that any id is one token of the
/// index's ASCII tokenizer and none is a word anyone types.
pub fn incident_token(incident: &str) -> String {
    let mut token = String::with_capacity(1 + incident.len() * 2);
    token.push('i');
    for b in incident.bytes() {
        token.push_str(&format!("{b:02x}"));
    }
    token
}

/// A MATCH expression of [`match_expression`]'s words, read in the name and
/// the description only, and within one incident when one is given.
pub fn match_in(words: &str, incident: Option<&str>) -> String {
    let text = format!("{{name description}} : ({words})");
    match incident {
        Some(incident) => format!("{text} AND incident : \"{}\"", incident_token(incident)),
        None => text,
    }
}

/// Writes one claim's search entry (name and description as [`index_text`]
/// made them). The one insert of the index: intake, sync and migration.
pub(crate) fn insert_entry(
    conn: &Connection,
    claim_id: i64,
    name_tokens: &str,
    description_tokens: &str,
    incident: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO claims_fts (rowid, name, description, incident) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![claim_id, name_tokens, description_tokens, incident_token(incident)])?;
    Ok(())
}

/// Fills the (empty) index from the claims table, in rowid order.
pub(crate) fn rebuild_index(conn: &Connection) -> Result<()> {
    let mut read = conn.prepare("SELECT id, name, description, incident_id FROM claims ORDER BY id")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let (name, description): (String, String) = (r.get(1)?, r.get(2)?);
        let incident: String = r.get(3)?;
        insert_entry(conn, r.get(0)?, &index_text(&name), &index_text(&description), &incident)?;
    }
    Ok(())
}

/// One FTS5 phrase for a word or a quoted phrase, tokens quoted so that no
/// user input is read as FTS5 syntax.
fn phrase_of(text: &str) -> Option<String> {
    let tokens = index_text(text);
    if tokens.is_empty() {
        return None;
    }
    let quoted: Vec<String> = tokens.split(' ').map(|t| format!("\"{}\"", t.replace('"', ""))).collect();
    // A single-syllable CJK word is also the start of longer words: match as prefix.
    let single_cjk = tokens.chars().count() == 1 && tokens.chars().all(is_cjk);
    let last_prefix = if single_cjk || !tokens.chars().any(is_cjk) { "*" } else { "" };
    Some(format!("({}{})", quoted.join(" + "), last_prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_syllable_words_are_single_tokens() {
        assert_eq!(index_text("택시"), "택시");
        assert_eq!(index_text("택시를 호출"), "택시 시를 호출");
        assert_eq!(index_text("김 Kakao-T 2022"), "김 kakao t 2022");
    }

    #[test]
    fn queries_become_phrases_of_bigrams() {
        assert_eq!(match_expression("택시").as_deref(), Some("(\"택시\")"));
        assert_eq!(match_expression("예약손님").as_deref(), Some("(\"예약\" + \"약손\" + \"손님\")"));
        assert_eq!(match_expression("\"택시 호출\"").as_deref(), Some("(\"택시\" + \"호출\")"));
        assert_eq!(match_expression("택시 예약").as_deref(), Some("(\"택시\") AND (\"예약\")"));
        assert_eq!(match_expression("  \"\" ,, "), None);
        assert_eq!(match_expression("kakao").as_deref(), Some("(\"kakao\"*)"));
        // Stray quotes and operators are words, never FTS5 syntax.
        assert_eq!(match_expression("a\"b OR c").as_deref(), Some("(\"a\"*) AND (\"b\" + \"or\" + \"c\"*)"));
    }

    #[test]
    fn an_incident_is_one_token_that_no_typed_word_can_be() {
        assert_eq!(incident_token("pangyo-2022"), "i70616e67796f2d32303232");
        assert_eq!(incident_token("판교"), "ied8c90eab590");
        // What a person types is tokenized by index_text, which never yields the column's token.
        assert_eq!(
            match_in("(\"택시\")", Some("a-1")),
            "{name description} : ((\"택시\")) AND incident : \"i612d31\""
        );
        assert_eq!(match_in("(\"택시\")", None), "{name description} : ((\"택시\"))");
    }
}
