//! The policy as an editor holds it: every figure and time as the text the
//! user typed, so nothing typed is lost while it is not (yet) a number.
//! A draft becomes a [`Policy`] here, with every problem at its field: text
//! that is not a number or a time, then every rule of [`Policy::problems`].

use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::{
    AdvertiserRule, Band, CureWindow, DocumentDef, DocumentedLossRule, DriverRule, ExtensionRule,
    FilingWindow, FreeUserRule, GrantRule, Policy, PolicyError, PolicyProblem, ReasonDef, Segments,
    SmallBusinessRule,
};
use crate::catalog::Service;

/// [`Policy`] field for field; money, rates and times as text (times RFC 3339).
/// Segments, further grants, reasons and documents are held as the policy
/// holds them (the form edits them as lists).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDraft {
    pub name: String,
    pub filing_window: WindowDraft,
    #[serde(default)]
    pub free_user: FreeUserRule,
    pub paid_subscriber: ExtensionDraft,
    pub taxi_driver: DriverDraft,
    pub designated_driver: DriverDraft,
    pub small_business: SmallBusinessDraft,
    pub advertiser: AdvertiserDraft,
    /// Problems name these `service[i]`, as the TOML tables are named.
    pub services: Vec<ServiceDraft>,
    /// The reason catalog as the policy holds it (problems name `reason[i].code`, ...).
    #[serde(default)]
    pub reasons: Vec<ReasonDef>,
    /// The documents per category (problems name `document[i].code`, ...).
    #[serde(default)]
    pub documents: Vec<DocumentDef>,
    /// The time a claimant has to answer a request for information (whole days).
    #[serde(default)]
    pub cure: CureWindow,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowDraft {
    pub start: String,
    pub end: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionDraft {
    pub extension_multiplier: String,
    #[serde(default)]
    pub grants: Vec<GrantRule>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriverDraft {
    pub flat: String,
    pub cap: String,
    #[serde(default)]
    pub segments: Option<Segments>,
    #[serde(default)]
    pub grants: Vec<GrantRule>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmallBusinessDraft {
    pub cap: String,
    pub bands: Vec<BandDraft>,
    pub documented: DocumentedDraft,
    #[serde(default)]
    pub segments: Option<Segments>,
    #[serde(default)]
    pub grants: Vec<GrantRule>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandDraft {
    pub up_to: String,
    pub base: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentedDraft {
    pub min: String,
    pub base: String,
    pub threshold: String,
    pub rate: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvertiserDraft {
    pub cap: String,
    #[serde(default)]
    pub segments: Option<Segments>,
    #[serde(default)]
    pub grants: Vec<GrantRule>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDraft {
    pub code: String,
    pub name: String,
    pub outage_start: String,
    pub outage_end: String,
}

impl From<&Policy> for PolicyDraft {
    fn from(p: &Policy) -> PolicyDraft {
        let money = |d: Decimal| d.to_string();
        let time = |t: DateTime<FixedOffset>| t.to_rfc3339();
        let driver = |r: &DriverRule| DriverDraft {
            flat: money(r.flat),
            cap: money(r.cap),
            segments: r.segments.clone(),
            grants: r.grants.clone(),
        };
        let sb = &p.small_business;
        PolicyDraft {
            name: p.name.clone(),
            filing_window: WindowDraft { start: time(p.filing_window.start), end: time(p.filing_window.end) },
            free_user: p.free_user.clone(),
            paid_subscriber: ExtensionDraft {
                extension_multiplier: money(p.paid_subscriber.extension_multiplier),
                grants: p.paid_subscriber.grants.clone(),
            },
            taxi_driver: driver(&p.taxi_driver),
            designated_driver: driver(&p.designated_driver),
            small_business: SmallBusinessDraft {
                cap: money(sb.cap),
                bands: sb
                    .bands
                    .iter()
                    .map(|b| BandDraft { up_to: money(b.up_to), base: money(b.base) })
                    .collect(),
                documented: DocumentedDraft {
                    min: money(sb.documented.min),
                    base: money(sb.documented.base),
                    threshold: money(sb.documented.threshold),
                    rate: money(sb.documented.rate),
                },
                segments: sb.segments.clone(),
                grants: sb.grants.clone(),
            },
            advertiser: AdvertiserDraft {
                cap: money(p.advertiser.cap),
                segments: p.advertiser.segments.clone(),
                grants: p.advertiser.grants.clone(),
            },
            services: p
                .services
                .iter()
                .map(|s| ServiceDraft {
                    code: s.code.clone(),
                    name: s.name.clone(),
                    outage_start: time(s.outage_start),
                    outage_end: time(s.outage_end),
                })
                .collect(),
            reasons: p.reasons.clone(),
            documents: p.documents.clone(),
            cure: p.cure,
        }
    }
}

/// Reads the draft's texts, recording the ones that are not a number or a time.
#[derive(Default)]
struct Reader {
    unreadable: Vec<PolicyProblem>,
}

impl Reader {
    /// A figure; thousands separators (`1,000,000`), `_` and spaces are allowed.
    /// Unreadable, it reads as 0 (its own problem replaces any the 0 would cause).
    fn money(&mut self, path: &str, text: &str) -> Decimal {
        let plain: String = text.chars().filter(|c| !matches!(c, ',' | '_') && !c.is_whitespace()).collect();
        Decimal::from_str(&plain).unwrap_or_else(|_| {
            self.unreadable.push(PolicyProblem::unreadable(path, "not_a_number", text));
            Decimal::ZERO
        })
    }

    /// A time with its offset. Unreadable, a start reads as the earliest time
    /// and an end as the latest, so no window check fires on a guess.
    fn time(&mut self, path: &str, text: &str, is_end: bool) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text.trim()).unwrap_or_else(|_| {
            self.unreadable.push(PolicyProblem::unreadable(path, "not_a_time", text));
            let utc =
                if is_end { DateTime::<chrono::Utc>::MAX_UTC } else { DateTime::<chrono::Utc>::MIN_UTC };
            utc.fixed_offset()
        })
    }
}

impl PolicyDraft {
    /// A policy file as a draft, with every problem of its rules. Only TOML
    /// that does not even read as a policy (syntax, a missing or unknown key,
    /// a bad time) is an error.
    pub fn from_toml(text: &str) -> Result<(PolicyDraft, Vec<PolicyProblem>), PolicyError> {
        let policy: Policy = crate::toml_text::parse(text)?;
        Ok((PolicyDraft::from(&policy), policy.problems()))
    }

    /// The policy this draft describes, when every figure and time reads
    /// (even if it breaks a rule, so that its TOML can be shown), and every
    /// problem: unreadable texts, then the rules, one per field at most.
    pub fn to_policy(&self) -> (Option<Policy>, Vec<PolicyProblem>) {
        let mut r = Reader::default();
        let driver = |r: &mut Reader, name: &str, d: &DriverDraft| DriverRule {
            flat: r.money(&format!("{name}.flat"), &d.flat),
            cap: r.money(&format!("{name}.cap"), &d.cap),
            segments: d.segments.clone(),
            grants: d.grants.clone(),
        };
        let sb = &self.small_business;
        let doc = &sb.documented;
        let policy = Policy {
            name: self.name.clone(),
            filing_window: FilingWindow {
                start: r.time("filing_window.start", &self.filing_window.start, false),
                end: r.time("filing_window.end", &self.filing_window.end, true),
            },
            free_user: self.free_user.clone(),
            paid_subscriber: ExtensionRule {
                extension_multiplier: r.money(
                    "paid_subscriber.extension_multiplier",
                    &self.paid_subscriber.extension_multiplier,
                ),
                grants: self.paid_subscriber.grants.clone(),
            },
            taxi_driver: driver(&mut r, "taxi_driver", &self.taxi_driver),
            designated_driver: driver(&mut r, "designated_driver", &self.designated_driver),
            small_business: SmallBusinessRule {
                cap: r.money("small_business.cap", &sb.cap),
                bands: sb
                    .bands
                    .iter()
                    .enumerate()
                    .map(|(i, b)| Band {
                        up_to: r.money(&format!("small_business.bands[{i}].up_to"), &b.up_to),
                        base: r.money(&format!("small_business.bands[{i}].base"), &b.base),
                    })
                    .collect(),
                documented: DocumentedLossRule {
                    min: r.money("small_business.documented.min", &doc.min),
                    base: r.money("small_business.documented.base", &doc.base),
                    threshold: r.money("small_business.documented.threshold", &doc.threshold),
                    rate: r.money("small_business.documented.rate", &doc.rate),
                },
                segments: sb.segments.clone(),
                grants: sb.grants.clone(),
            },
            advertiser: AdvertiserRule {
                cap: r.money("advertiser.cap", &self.advertiser.cap),
                segments: self.advertiser.segments.clone(),
                grants: self.advertiser.grants.clone(),
            },
            services: self
                .services
                .iter()
                .enumerate()
                .map(|(i, s)| Service {
                    code: s.code.clone(),
                    name: s.name.clone(),
                    outage_start: r.time(&format!("service[{i}].outage_start"), &s.outage_start, false),
                    outage_end: r.time(&format!("service[{i}].outage_end"), &s.outage_end, true),
                })
                .collect(),
            reasons: self.reasons.clone(),
            documents: self.documents.clone(),
            cure: self.cure,
        };
        let mut problems = r.unreadable;
        let readable = problems.is_empty();
        for p in policy.problems() {
            if !problems.iter().any(|q| q.path == p.path) {
                problems.push(p);
            }
        }
        (readable.then_some(policy), problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(problems: &[PolicyProblem]) -> Vec<(&str, &str)> {
        problems.iter().map(|p| (p.path.as_str(), p.rule.as_str())).collect()
    }

    #[test]
    fn a_policy_survives_the_draft_both_ways() {
        let p = Policy::default_2022();
        let draft = PolicyDraft::from(&p);
        assert_eq!(draft.small_business.documented.rate, "0.1");
        assert_eq!(draft.filing_window.start, "2022-10-19T00:00:00+09:00");
        let (back, problems) = draft.to_policy();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, Some(p.clone()));
        let (again, problems) = PolicyDraft::from_toml(&p.to_toml()).expect("reads");
        assert_eq!((again, problems.len()), (draft, 0));
    }

    #[test]
    fn typed_separators_are_read_and_unreadable_text_is_named_at_its_field() {
        let mut d = PolicyDraft::from(&Policy::default_2022());
        d.taxi_driver.cap = "1,000,000".into();
        let (p, problems) = d.to_policy();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p.map(|p| p.taxi_driver.cap), Some(Decimal::from(1_000_000)));

        d.taxi_driver.cap = "많이".into();
        d.small_business.bands[1].up_to = "".into();
        d.filing_window.start = "2022-10-19".into();
        d.services[2].outage_end = "later".into();
        let (p, problems) = d.to_policy();
        assert!(p.is_none(), "no policy while a figure does not read");
        // Only the unreadable fields: the 0 and the far times read in their place raise nothing else.
        assert_eq!(
            paths(&problems),
            vec![
                ("filing_window.start", "not_a_time"),
                ("taxi_driver.cap", "not_a_number"),
                ("small_business.bands[1].up_to", "not_a_number"),
                ("service[2].outage_end", "not_a_time"),
            ]
        );
        assert_eq!(problems[1].params.get("value").map(String::as_str), Some("많이"));
        assert_eq!(problems[1].message, "taxi_driver.cap must be a number");
    }

    #[test]
    fn a_draft_that_reads_but_breaks_rules_still_gives_its_policy_and_every_problem() {
        let mut d = PolicyDraft::from(&Policy::default_2022());
        d.advertiser.cap = "0".into();
        d.taxi_driver.flat = "-1".into();
        let (p, problems) = d.to_policy();
        assert!(p.is_some(), "its TOML can still be shown");
        assert_eq!(
            paths(&problems),
            vec![("taxi_driver.flat", "non_negative"), ("advertiser.cap", "positive")]
        );
    }

    #[test]
    fn toml_that_does_not_read_as_a_policy_is_a_syntax_error() {
        let e = PolicyDraft::from_toml("name = ").expect_err("syntax");
        assert_eq!(e.code(), "POLICY_SYNTAX");
        let text = Policy::default_2022().to_toml().replace("cap = 5000000", "cap = 0");
        let (_, problems) = PolicyDraft::from_toml(&text).expect("reads");
        assert_eq!(paths(&problems), vec![("advertiser.cap", "positive")]);
    }
}
