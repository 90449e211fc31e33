//! The service catalog: which services failed and when (data/outage-2022.toml).

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// The catalog shipped with ClaimDesk, the project's own copy of the 2022 outage.
pub const DEFAULT_CATALOG_TOML: &str = include_str!("default-catalog.toml");

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
}

impl Catalog {
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = toml::from_str(text)?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Checks what a catalog from any source (a file, a synced op) must hold:
    /// each service once, with an outage that does not end before it starts.
    pub fn validate(&self) -> Result<(), CatalogError> {
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
        self.services
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(t) || s.name == t)
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
        assert!(matches!(Catalog::from_toml(&text), Err(CatalogError::BackwardsWindow(c)) if c == "kakaotalk"));
    }
}
