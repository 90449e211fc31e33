//! Korean full-text search. FTS5's trigram tokenizer cannot find a
//! two-syllable word (택시, 예약), and unicode61 alone only finds whole
//! space-separated words (택시를 is not 택시). So names and descriptions are
//! indexed as overlapping bigrams of each word: 택시를 → "택시 시를".
//! A query word becomes the phrase of its bigrams, which matches the word
//! anywhere inside a longer word, and a quoted phrase ("택시 호출") keeps its
//! words in order.

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
}
