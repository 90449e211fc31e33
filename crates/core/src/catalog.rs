//! The service catalog: which services failed and when (data/outage-2022.toml).

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// The catalog shipped with ClaimDesk, the project's own copy of the 2022 outage.
pub const DEFAULT_CATALOG_TOML: &str = include_str!("default-catalog.toml");

/// The id of the incident every store was created with before incidents
/// were data (the 2022 outage, the demo incident): a claim or policy op
/// that names no incident belongs to it (sync protocol 4).
pub const FIRST_INCIDENT: &str = "pangyo-2022-10-15";

/// Longest incident id (it is part of op entities: `incident:<id>`).
const MAX_INCIDENT_ID: usize = 64;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub started_at: DateTime<FixedOffset>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub ended_at: DateTime<FixedOffset>,
}

/// One service with its outage window. Unknown keys are refused, so a typo
/// in a catalog or in a policy's `[[service]]` table is reported, not ignored.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub code: String,
    /// Korean name, as claimants write it.
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub outage_start: DateTime<FixedOffset>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub outage_end: DateTime<FixedOffset>,
}

impl Service {
    pub fn outage_start_utc(&self) -> DateTime<Utc> {
        self.outage_start.with_timezone(&Utc)
    }
    pub fn outage_end_utc(&self) -> DateTime<Utc> {
        self.outage_end.with_timezone(&Utc)
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub incident: Incident,
    #[serde(rename = "service")]
    pub services: Vec<Service>,
    /// The incident's letter templates (decision notices), per outcome and
    /// language. Part of the catalog, so they travel with `incident.create`
    /// (copied with the incident) and `catalog.replace`; none in a catalog
    /// written before they existed (and then none serialized, so its ops
    /// and hashes stay as they were).
    #[serde(default, rename = "letter", skip_serializing_if = "Vec::is_empty")]
    pub letters: Vec<LetterTemplate>,
}

pub use crate::model::LetterKind;

impl LetterKind {
    /// The fields a letter of this kind may use, as `{field}`: every letter
    /// has the claim, the claimant and the incident; the rest only where the
    /// outcome has them, so a template cannot promise an amount to a denial.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            LetterKind::Approved => {
                &["claim_id", "name", "incident", "received_on", "policy_version", "remedy", "amount"]
            }
            LetterKind::Denied => {
                &["claim_id", "name", "incident", "received_on", "policy_version", "reason"]
            }
            LetterKind::ClosedNoDamage => &["claim_id", "name", "incident", "received_on", "report_type"],
            LetterKind::NeedsInfo => {
                &["claim_id", "name", "incident", "received_on", "documents", "due_date"]
            }
        }
    }
}

/// One letter: subject and body with `{field}`s ([`LetterKind::fields`]).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterTemplate {
    pub kind: LetterKind,
    /// "ko" or "en".
    pub lang: String,
    pub subject: String,
    pub body: String,
}

impl LetterTemplate {
    /// The `{field}`s the subject and body use, in order of appearance.
    pub fn used_fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for text in [&self.subject, &self.body] {
            let mut rest = text.as_str();
            while let Some(open) = rest.find('{') {
                let after = &rest[open + 1..];
                match after.find('}') {
                    Some(close) if after[..close].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                        out.push(&after[..close]);
                        rest = &after[close + 1..];
                    }
                    _ => rest = after,
                }
            }
        }
        out
    }

    /// Subject and body with the fields filled in.
    pub fn render(&self, fields: &std::collections::BTreeMap<String, String>) -> (String, String) {
        (crate::message::fill(&self.subject, fields), crate::message::fill(&self.body, fields))
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let which = || format!("{} ({})", self.kind.code(), self.lang);
        if !matches!(self.lang.as_str(), "ko" | "en") {
            return Err(CatalogError::LetterLanguage(which()));
        }
        if self.subject.trim().is_empty() || self.body.trim().is_empty() {
            return Err(CatalogError::EmptyLetter(which()));
        }
        if let Some(unknown) = self.used_fields().into_iter().find(|f| !self.kind.fields().contains(f)) {
            return Err(CatalogError::LetterField {
                letter: which(),
                field: unknown.to_string(),
                allowed: self.kind.fields().join(", "),
            });
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the service catalog is not valid TOML: {0}")]
    Toml(#[from] crate::toml_text::TomlSyntax),
    #[error("service '{0}' appears twice in the catalog")]
    DuplicateService(String),
    #[error("service '{0}': its outage ends before it starts")]
    BackwardsWindow(String),
    #[error("a service in the catalog has no code")]
    EmptyCode,
    #[error(
        "the incident id '{0}' must be 1 to 64 lower-case letters, digits and '-' (e.g. breach-2025-11)"
    )]
    BadIncidentId(String),
    #[error("the incident needs a name")]
    EmptyIncidentName,
    #[error("the incident ends before it starts")]
    BackwardsIncident,
    #[error("letter {0}: the language must be ko or en")]
    LetterLanguage(String),
    #[error("letter {0}: the subject and the body must not be empty")]
    EmptyLetter(String),
    #[error("letter {letter}: {{{field}}} is not a field of this letter; it may use {allowed}")]
    LetterField { letter: String, field: String, allowed: String },
    #[error("letter {0} appears twice in the catalog")]
    DuplicateLetter(String),
    #[error(
        "letter {0} has no Korean version: the Korean one is sent unless the claimant asked for English"
    )]
    LetterWithoutKorean(String),
}

impl CatalogError {
    pub fn code(&self) -> &'static str {
        match self {
            CatalogError::BadIncidentId(_)
            | CatalogError::EmptyIncidentName
            | CatalogError::BackwardsIncident => "BAD_INCIDENT",
            _ => "BAD_CATALOG",
        }
    }
}

impl Incident {
    /// An id, a name, and dates that do not run backwards.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= MAX_INCIDENT_ID
            && self.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return Err(CatalogError::BadIncidentId(self.id.chars().take(80).collect()));
        }
        if self.name.trim().is_empty() {
            return Err(CatalogError::EmptyIncidentName);
        }
        if self.ended_at < self.started_at {
            return Err(CatalogError::BackwardsIncident);
        }
        Ok(())
    }
}

impl Catalog {
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = crate::toml_text::parse(text)?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Reads a catalog a store accepted earlier, without today's checks
    /// (incident ids were not checked before schema 6).
    pub fn from_stored_toml(text: &str) -> Result<Catalog, CatalogError> {
        Ok(crate::toml_text::parse(text)?)
    }

    /// Checks what a catalog from any source (a file, a synced op) must hold:
    /// each service once, with an outage that does not end before it starts.
    pub fn validate(&self) -> Result<(), CatalogError> {
        self.incident.validate()?;
        let mut seen = std::collections::HashSet::new();
        for s in &self.services {
            if s.code.trim().is_empty() {
                return Err(CatalogError::EmptyCode);
            }
            if !seen.insert(s.code.as_str()) {
                return Err(CatalogError::DuplicateService(s.code.clone()));
            }
            if s.outage_end < s.outage_start {
                return Err(CatalogError::BackwardsWindow(s.code.clone()));
            }
        }
        let mut letters = std::collections::HashSet::new();
        for l in &self.letters {
            l.validate()?;
            if !letters.insert((l.kind, l.lang.as_str())) {
                return Err(CatalogError::DuplicateLetter(format!("{} ({})", l.kind.code(), l.lang)));
            }
        }
        for l in &self.letters {
            if !letters.contains(&(l.kind, "ko")) {
                return Err(CatalogError::LetterWithoutKorean(l.kind.code().to_string()));
            }
        }
        Ok(())
    }

    /// The letter of an outcome in a language, the Korean one when the
    /// incident has none in that language; None when it has none at all.
    pub fn letter(&self, kind: LetterKind, lang: crate::message::Lang) -> Option<&LetterTemplate> {
        let code = lang.code();
        let of = |c: &str| self.letters.iter().find(|l| l.kind == kind && l.lang == c);
        of(code).or_else(|| of("ko"))
    }

    pub fn default_2022() -> Catalog {
        Catalog::from_toml(DEFAULT_CATALOG_TOML).expect("the shipped catalog is valid")
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Finds a service by its code (case-insensitive) or its Korean name.
    pub fn find(&self, code_or_name: &str) -> Option<&Service> {
        let t = code_or_name.trim();
        self.services.iter().find(|s| s.code.eq_ignore_ascii_case(t) || s.name == t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalog_has_the_eleven_services() {
        let c = Catalog::default_2022();
        assert_eq!(c.services.len(), 11);
        assert_eq!(c.find("카카오 T").map(|s| s.code.as_str()), Some("kakao_t"));
        assert_eq!(c.find("MELON").map(|s| s.name.as_str()), Some("멜론"));
        assert!(c.find("kakao_bank").is_none());
        let back = Catalog::from_toml(&c.to_toml()).expect("round trip");
        assert_eq!(back, c);
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_refused() {
        let text = DEFAULT_CATALOG_TOML.replace("2022-10-16T01:31:00+09:00", "2022-10-14T01:31:00+09:00");
        assert!(
            matches!(Catalog::from_toml(&text), Err(CatalogError::BackwardsWindow(c)) if c == "kakaotalk")
        );
    }

    #[test]
    fn an_incident_needs_a_plain_id_a_name_and_forward_dates() {
        assert_eq!(Catalog::default_2022().incident.id, FIRST_INCIDENT);
        let mut c = Catalog::default_2022();
        for bad in ["", "Breach 2025", "a/b", &"x".repeat(65)] {
            c.incident.id = bad.to_string();
            assert_eq!(c.validate().map_err(|e| e.code()), Err("BAD_INCIDENT"), "{bad:?}");
        }
        c.incident.id = "breach-2025-11".into();
        c.incident.name = " ".into();
        assert!(matches!(c.validate(), Err(CatalogError::EmptyIncidentName)));
        c.incident.name = "유출".into();
        std::mem::swap(&mut c.incident.started_at, &mut c.incident.ended_at);
        assert!(matches!(c.validate(), Err(CatalogError::BackwardsIncident)));
    }

    #[test]
    fn the_shipped_letters_cover_every_outcome_in_both_languages_and_render() {
        use crate::message::Lang;
        let c = Catalog::default_2022();
        for &kind in LetterKind::ALL {
            for lang in [Lang::Ko, Lang::En] {
                let l = c.letter(kind, lang).expect("a letter");
                assert_eq!(l.lang, lang.code(), "{kind:?}");
            }
        }
        let fields: std::collections::BTreeMap<String, String> = [
            ("claim_id", "D22-0000017"),
            ("name", "홍길동"),
            ("incident", "판교 데이터센터 화재 서비스 장애"),
            ("received_on", "2022-10-19"),
            ("policy_version", "v1"),
            ("reason", "장애 시간과 무관"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (subject, body) = c.letter(LetterKind::Denied, Lang::Ko).expect("denied").render(&fields);
        assert_eq!(subject, "[판교 데이터센터 화재 서비스 장애] 피해 신고 심사 결과 안내 (D22-0000017)");
        assert!(body.contains("홍길동 님") && body.contains("- 사유: 장애 시간과 무관"), "{body}");
        assert!(!body.contains('{'), "every field filled: {body}");
        // A catalog written before letters existed still reads, and writes none.
        let old = DEFAULT_CATALOG_TOML.split("[[letter]]").next().expect("head");
        let plain = Catalog::from_toml(old).expect("no letters");
        assert!(plain.letters.is_empty() && plain.letter(LetterKind::Approved, Lang::Ko).is_none());
        assert!(!plain.to_toml().contains("letter"));
        assert!(!serde_json::to_string(&plain).expect("json").contains("letter"));
    }

    #[test]
    fn a_letter_may_use_only_the_fields_of_its_outcome() {
        let mut c = Catalog::default_2022();
        let denied = c.letters.iter().position(|l| l.kind == LetterKind::Denied).expect("denied");
        c.letters[denied].body.push_str(" 보상액 {amount}");
        assert!(matches!(c.validate(), Err(CatalogError::LetterField { field, .. }) if field == "amount"));
        let mut c = Catalog::default_2022();
        c.letters[0].lang = "ja".into();
        assert!(matches!(c.validate(), Err(CatalogError::LetterLanguage(_))));
        let mut c = Catalog::default_2022();
        let twice = c.letters[0].clone();
        c.letters.push(twice);
        assert!(matches!(c.validate(), Err(CatalogError::DuplicateLetter(_))));
        let mut c = Catalog::default_2022();
        c.letters.retain(|l| !(l.kind == LetterKind::NeedsInfo && l.lang == "ko"));
        assert!(matches!(c.validate(), Err(CatalogError::LetterWithoutKorean(k)) if k == "needs_info"));
        let mut c = Catalog::default_2022();
        c.letters[1].subject = " ".into();
        assert!(matches!(c.validate(), Err(CatalogError::EmptyLetter(_))));
    }
}
