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
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the service catalog is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
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
        let catalog: Catalog = toml::from_str(text)?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Reads a catalog a store accepted earlier, without today's checks
    /// (incident ids were not checked before schema 6).
    pub fn from_stored_toml(text: &str) -> Result<Catalog, CatalogError> {
        Ok(toml::from_str(text)?)
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
        Ok(())
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
}
