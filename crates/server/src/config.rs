//! Settings: a TOML file (`--config path`), then environment overrides.
//!
//! ```toml
//! database_url = "postgres://claimdesk@127.0.0.1:54329/claimdesk"
//! listen = "127.0.0.1:8787"
//! tls_cert = "/etc/claimdesk/server.crt"   # PEM chain; with tls_key: HTTPS
//! tls_key = "/etc/claimdesk/server.key"
//! max_clock_ahead_ms = 300000             # a stamp further ahead than this is refused
//! pool_size = 16                          # PostgreSQL connections per instance
//! log_format = "text"                     # or "json"
//! ```
//!
//! Environment: `CLAIMDESK_SERVER_DATABASE_URL`, `CLAIMDESK_SERVER_LISTEN`,
//! `CLAIMDESK_SERVER_TLS_CERT`, `CLAIMDESK_SERVER_TLS_KEY`,
//! `CLAIMDESK_SERVER_MAX_CLOCK_AHEAD_MS`, `CLAIMDESK_SERVER_POOL_SIZE`,
//! `CLAIMDESK_SERVER_LOG_FORMAT`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_database_url")]
    pub database_url: String,
    #[serde(default = "default_listen")]
    pub listen: String,
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    #[serde(default = "default_max_clock_ahead_ms")]
    pub max_clock_ahead_ms: u64,
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
    #[serde(default = "default_log_format")]
    pub log_format: String,
}

fn default_database_url() -> String {
    "postgres://claimdesk@127.0.0.1:54329/claimdesk".into()
}
fn default_listen() -> String {
    "127.0.0.1:8787".into()
}
fn default_max_clock_ahead_ms() -> u64 {
    5 * 60 * 1000
}
fn default_pool_size() -> usize {
    16
}
fn default_log_format() -> String {
    "text".into()
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database_url: default_database_url(),
            listen: default_listen(),
            tls_cert: None,
            tls_key: None,
            max_clock_ahead_ms: default_max_clock_ahead_ms(),
            pool_size: default_pool_size(),
            log_format: default_log_format(),
        }
    }
}

impl Config {
    /// Reads the file (if any), then applies the environment.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    anyhow::anyhow!("cannot read the configuration file {}: {e}", p.display())
                })?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
            }
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.check()?;
        Ok(config)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        let var = |name: &str| get(&format!("CLAIMDESK_SERVER_{name}")).filter(|v| !v.is_empty());
        if let Some(v) = var("DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = var("LISTEN") {
            self.listen = v;
        }
        if let Some(v) = var("TLS_CERT") {
            self.tls_cert = Some(v.into());
        }
        if let Some(v) = var("TLS_KEY") {
            self.tls_key = Some(v.into());
        }
        if let Some(v) = var("MAX_CLOCK_AHEAD_MS") {
            self.max_clock_ahead_ms = v.parse().map_err(|_| {
                anyhow::anyhow!("CLAIMDESK_SERVER_MAX_CLOCK_AHEAD_MS: '{v}' is not a number of milliseconds")
            })?;
        }
        if let Some(v) = var("POOL_SIZE") {
            self.pool_size = v
                .parse()
                .map_err(|_| anyhow::anyhow!("CLAIMDESK_SERVER_POOL_SIZE: '{v}' is not a number"))?;
        }
        if let Some(v) = var("LOG_FORMAT") {
            self.log_format = v;
        }
        Ok(())
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            anyhow::bail!("HTTPS needs both tls_cert and tls_key (only one is set)");
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            anyhow::bail!("log_format must be \"text\" or \"json\", not \"{}\"", self.log_format);
        }
        if self.pool_size == 0 {
            anyhow::bail!("pool_size must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_file() {
        let mut c: Config = toml::from_str("listen = \"0.0.0.0:1\"\nmax_clock_ahead_ms = 10").expect("parse");
        c.apply_env(|k| match k {
            "CLAIMDESK_SERVER_LISTEN" => Some("127.0.0.1:2".into()),
            "CLAIMDESK_SERVER_MAX_CLOCK_AHEAD_MS" => Some("20".into()),
            _ => None,
        })
        .expect("env");
        assert_eq!(c.listen, "127.0.0.1:2");
        assert_eq!(c.max_clock_ahead_ms, 20);
        assert!(c.check().is_ok());
        c.tls_cert = Some("x".into());
        assert!(c.check().is_err(), "a certificate without a key is refused");
    }

    #[test]
    fn unknown_settings_are_refused() {
        assert!(toml::from_str::<Config>("lissen = \"x\"").is_err());
    }
}
