//! Messages for people, in Korean or English: every refusal, intake problem,
//! import and sync error carries a key and its parameters, and is rendered
//! in the reader's language by the CLI (here) and by the app's UI (which
//! imports the same two catalogs, `crates/core/messages/{ko,en}.json`).
//!
//! A key is written with [`msg!`] or [`code_key!`]; both check at compile
//! time that the key has a text in both catalogs, so a message without a
//! Korean or an English text does not build.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The Korean catalog: key -> text with `{name}` placeholders.
pub const KO_JSON: &str = include_str!("../messages/ko.json");
/// The English catalog, with exactly the keys and placeholders of the Korean one (a test checks).
pub const EN_JSON: &str = include_str!("../messages/en.json");

/// A reader's language.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Korean first: the product's people read Korean.
    #[default]
    Ko,
    En,
}

impl Lang {
    /// The code as stored and written (`ko`, `en`; serde's form too).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// `ko`/`en` (also `ko_KR.UTF-8`, `en-US`): the language a locale names.
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("ko") {
            Some(Lang::Ko)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of a POSIX locale (`LC_ALL`, `LC_MESSAGES` or `LANG`, in
    /// that order of precedence): Korean for `ko_*`, English for any other
    /// set locale (`C`, `en_US`, ...) and Korean when none is set.
    pub fn from_locale(lc_all: Option<&str>, lc_messages: Option<&str>, lang: Option<&str>) -> Lang {
        let set = [lc_all, lc_messages, lang].into_iter().flatten().find(|v| !v.trim().is_empty());
        match set {
            None => Lang::Ko,
            Some(v) => Lang::parse(v).unwrap_or(Lang::En),
        }
    }
}

/// A message: its key in the catalogs and the parameters its text names.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub key: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// Parameters that are codes with a label of their own (`status.approved`,
    /// `role.reviewer`, `may.approve`): rendered in the reader's language too.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Parameters that are messages of their own (a policy field's problem
    /// inside "policy field X: ..."), rendered in the reader's language too.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parts: BTreeMap<String, Message>,
}

impl Message {
    /// A message without parameters. Prefer [`msg!`], which checks the key.
    pub fn new(key: &str) -> Message {
        Message {
            key: key.to_string(),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            parts: BTreeMap::new(),
        }
    }

    /// The same message with one more parameter that is a message itself.
    pub fn with_part(mut self, name: &str, part: Message) -> Message {
        self.parts.insert(name.to_string(), part);
        self
    }

    /// The same message with one more parameter that is a label key.
    pub fn with_label(mut self, name: &str, key: impl Into<String>) -> Message {
        self.labels.insert(name.to_string(), key.into());
        self
    }

    /// The same message with one more parameter.
    pub fn with(mut self, name: &str, value: impl fmt::Display) -> Message {
        self.params.insert(name.to_string(), value.to_string());
        self
    }

    /// The text in `lang` with its parameters filled in. A key unknown to
    /// this build (a newer peer's) reads as the key and its parameters.
    pub fn render(&self, lang: Lang) -> String {
        let mut params = self.params.clone();
        for (name, key) in &self.labels {
            params.insert(name.clone(), label(lang, key));
        }
        for (name, part) in &self.parts {
            params.insert(name.clone(), part.render(lang));
        }
        match text(lang, &self.key) {
            Some(template) => fill(template, &params),
            None if self.params.is_empty() => self.key.clone(),
            None => {
                let params: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{} ({})", self.key, params.join(", "))
            }
        }
    }
}

impl fmt::Display for Message {
    /// English: logs and error chains read the same on every machine.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Anything that can say what happened to a person.
pub trait Explain {
    fn message(&self) -> Message;
}

fn catalog(json: &str) -> HashMap<String, String> {
    // Both files are checked by the tests below; a broken one reads as empty
    // (every message then shows its key) rather than stopping the program.
    serde_json::from_str(json).unwrap_or_default()
}

static KO: LazyLock<HashMap<String, String>> = LazyLock::new(|| catalog(KO_JSON));
static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| catalog(EN_JSON));

/// The text of `key` in `lang`, if the catalog has it.
pub fn text(lang: Lang, key: &str) -> Option<&'static str> {
    let map: &'static HashMap<String, String> = match lang {
        Lang::Ko => &KO,
        Lang::En => &EN,
    };
    map.get(key).map(String::as_str)
}

/// The label of a code key in `lang`: the catalog's text, else the code
/// enums' own labels (`status.approved`, `role.reviewer`, ...), else the key.
pub fn label(lang: Lang, key: &str) -> String {
    if let Some(t) = text(lang, key) {
        return t.to_string();
    }
    crate::model::code_label(lang, key).map_or_else(|| key.to_string(), str::to_string)
}

/// `{name}` placeholders replaced by their parameter; unknown ones kept.
pub fn fill(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                let name = &after[..close];
                match params.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `json` (one of the catalogs, formatted one `"key": "text"` per
/// line) has `key`. A `const fn`, so that [`msg!`] can check keys while the
/// program is compiled.
pub const fn has_key(json: &str, key: &str) -> bool {
    let j = json.as_bytes();
    let k = key.as_bytes();
    let mut i = 0;
    while i + k.len() + 2 <= j.len() {
        if j[i] == b'"' && j[i + k.len() + 1] == b'"' {
            let mut m = 0;
            while m < k.len() && j[i + 1 + m] == k[m] {
                m += 1;
            }
            if m == k.len() {
                let mut after = i + k.len() + 2;
                while after < j.len() && j[after] == b' ' {
                    after += 1;
                }
                if after < j.len() && j[after] == b':' {
                    return true;
                }
            }
        }
        i += 1;
    }
    false
}

/// Whether both catalogs have `key`.
pub const fn known(key: &str) -> bool {
    has_key(KO_JSON, key) && has_key(EN_JSON, key)
}

/// A [`Message`] whose key is checked at compile time:
/// `msg!("invalid.note_empty")`, `msg!("error.STALE", claim = id, seen = 3)`.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        const _: () = assert!($crate::message::known($key), concat!("no Korean or English text for message key ", $key));
        #[allow(unused_mut)]
        let mut m = $crate::message::Message::new($key);
        $( m = m.with(stringify!($name), $value); )*
        m
    }};
}

/// A stable error code whose `error.<CODE>` message is checked at compile
/// time: `code_key!("STALE")` is `"STALE"`, and fails to build without texts.
#[macro_export]
macro_rules! code_key {
    ($code:literal) => {{
        const _: () = assert!(
            $crate::message::known(concat!("error.", $code)),
            concat!("no Korean or English text for error.", $code)
        );
        $code
    }};
}

/// `error.<code>` with parameters, for a code already checked by [`code_key!`].
pub fn for_code(code: &str) -> Message {
    Message::new(&format!("error.{code}"))
}

impl Explain for crate::ops::OpError {
    fn message(&self) -> Message {
        use crate::ops::OpError as E;
        let m = for_code(self.code());
        match self {
            E::UnknownKind(kind) => m.with("kind", kind),
            E::BadPayload { kind, problem } => m.with("kind", kind).with("detail", problem),
        }
    }
}

impl Explain for crate::policy::PolicyError {
    fn message(&self) -> Message {
        use crate::policy::PolicyError as E;
        let m = for_code(self.code());
        match self {
            E::Toml(e) => m.with_part("detail", e.message()),
            E::Invalid { field, said, .. } => m.with("field", field).with_part("problem", (**said).clone()),
            E::DuplicateService(service) => m.with("service", service),
        }
    }
}

impl Explain for crate::catalog::CatalogError {
    /// Each problem in its own words (the code stays BAD_CATALOG or BAD_INCIDENT).
    fn message(&self) -> Message {
        use crate::catalog::CatalogError as E;
        match self {
            E::Toml(e) => msg!("catalog.toml").with_part("detail", e.message()),
            E::DuplicateService(service) => msg!("catalog.duplicate_service", service = service),
            E::BackwardsWindow(service) => msg!("catalog.backwards_window", service = service),
            E::EmptyCode => msg!("catalog.empty_code"),
            E::BadIncidentId(id) => msg!("catalog.bad_incident_id", id = id),
            E::EmptyIncidentName => msg!("catalog.empty_incident_name"),
            E::BackwardsIncident => msg!("catalog.backwards_incident"),
            E::LetterLanguage(letter) => msg!("catalog.letter_language", letter = letter),
            E::EmptyLetter(letter) => msg!("catalog.empty_letter", letter = letter),
            E::LetterField { letter, field, allowed } => msg!(
                "catalog.letter_field",
                letter = letter,
                field = format!("{{{field}}}"),
                allowed = allowed
            ),
            E::DuplicateLetter(letter) => msg!("catalog.duplicate_letter", letter = letter),
            E::LetterWithoutKorean(letter) => msg!("catalog.letter_without_korean", letter = letter),
        }
    }
}

/// A sum of won as people read it in either language: `1,234,000`.
pub fn won(amount: &rust_decimal::Decimal) -> String {
    use rust_decimal::prelude::ToPrimitive;
    match amount.to_i64() {
        Some(whole) if amount.fract().is_zero() => crate::time::format_won(whole),
        _ => amount.normalize().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            out.insert(after[..close].to_string());
            rest = &after[close + 1..];
        }
        out
    }

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys_and_placeholders() {
        let ko: BTreeMap<String, String> = serde_json::from_str(KO_JSON).expect("ko.json is JSON");
        let en: BTreeMap<String, String> = serde_json::from_str(EN_JSON).expect("en.json is JSON");
        let ko_keys: BTreeSet<&String> = ko.keys().collect();
        let en_keys: BTreeSet<&String> = en.keys().collect();
        assert_eq!(
            ko_keys.difference(&en_keys).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "keys with Korean but no English text"
        );
        assert_eq!(
            en_keys.difference(&ko_keys).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "keys with English but no Korean text"
        );
        for (key, ko_text) in &ko {
            let en_text = &en[key];
            assert!(!ko_text.trim().is_empty() && !en_text.trim().is_empty(), "{key} has an empty text");
            assert_eq!(
                placeholders(ko_text),
                placeholders(en_text),
                "{key}: the two texts name different parameters"
            );
            assert!(known(key), "{key}: has_key must find every key of the files (one \"key\": per line)");
        }
    }

    #[test]
    fn a_message_renders_in_either_language_with_its_parameters() {
        let m =
            msg!("error.WRONG_STATE").with_label("action", "on.take").with_label("status", "status.approved");
        assert_eq!(m.render(Lang::En), "Cannot take a claim in the state “Approved”.");
        assert_eq!(m.render(Lang::Ko), "‘승인’ 상태의 신고에는 할 수 없는 작업입니다: 맡기.");
        let m = msg!("error.STALE", claim = "K-1", seen = 3, now = 4);
        assert_eq!(m.key, "error.STALE");
        let en = m.render(Lang::En);
        let ko = m.render(Lang::Ko);
        assert!(en.contains("K-1") && en.contains('3') && en.contains('4'), "{en}");
        assert!(ko.contains("K-1") && ko.chars().any(|c| ('가'..='힣').contains(&c)), "{ko}");
        assert_eq!(m.to_string(), en, "Display is English");
    }

    #[test]
    fn unknown_keys_and_placeholders_stay_readable() {
        let m = Message::new("error.FROM_A_NEWER_PEER").with("n", 2);
        assert_eq!(m.render(Lang::Ko), "error.FROM_A_NEWER_PEER (n=2)");
        let mut p = BTreeMap::new();
        p.insert("a".to_string(), "1".to_string());
        assert_eq!(fill("{a} and {b} and {not a name} {", &p), "1 and {b} and {not a name} {");
    }

    #[test]
    fn has_key_finds_keys_only_as_keys() {
        let json = "{\n  \"a.b\": \"x\",\n  \"c\" : \"a.b\"\n}";
        assert!(has_key(json, "a.b"));
        assert!(has_key(json, "c"));
        assert!(!has_key(json, "x"), "a text is not a key");
        assert!(!has_key(json, "a"), "a prefix is not a key");
    }

    #[test]
    fn the_locale_decides_the_language() {
        assert_eq!(Lang::from_locale(None, None, Some("ko_KR.UTF-8")), Lang::Ko);
        assert_eq!(Lang::from_locale(None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("C"), None, Some("ko_KR.UTF-8")), Lang::En, "LC_ALL wins");
        assert_eq!(Lang::from_locale(None, Some(""), None), Lang::Ko, "Korean when nothing is set");
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
