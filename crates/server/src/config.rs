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
//! # Under attack (docs/security.md):
//! login_attempts = 10                     # password checks per account per window, then it locks
//! login_lock_secs = 900                   # the window, and how long a lock lasts
//! login_per_address_per_minute = 30       # sign-ins from one address (an IPv6 /64) per minute
//! client_address_header = "x-forwarded-for" # behind a proxy: its last entry is the client
//! password_checks = 4                     # argon2 checks at once (default: half the processors); more wait briefly, then 503
//! request_timeout_secs = 120              # a request taking longer is answered 503
//! pool_wait_ms = 5000                     # longest wait for a database connection, then 503
//! token_ttl_secs = 604800                 # a device token's lifetime (7 days); desktops refresh it as they sync
//! ```
//!
//! Environment: `CLAIMDESK_SERVER_` and the setting's name in capitals
//! (`CLAIMDESK_SERVER_DATABASE_URL`, `CLAIMDESK_SERVER_LOGIN_LOCK_SECS`, ...).

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
    #[serde(default = "default_login_attempts")]
    pub login_attempts: u32,
    #[serde(default = "default_login_lock_secs")]
    pub login_lock_secs: u64,
    #[serde(default = "default_login_per_address_per_minute")]
    pub login_per_address_per_minute: u32,
    #[serde(default)]
    pub client_address_header: Option<String>,
    #[serde(default = "default_password_checks")]
    pub password_checks: usize,
    #[serde(default = "default_request_timeout_secs")]
    pub request_timeout_secs: u64,
    #[serde(default = "default_pool_wait_ms")]
    pub pool_wait_ms: u64,
    #[serde(default = "default_token_ttl_secs")]
    pub token_ttl_secs: u64,
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
fn default_login_attempts() -> u32 {
    10
}
fn default_login_lock_secs() -> u64 {
    15 * 60
}
fn default_login_per_address_per_minute() -> u32 {
    30
}
/// Half the processors (at least one): argon2 keeps a processor busy for
/// each check, and the other half stays for pushes, pulls and /health.
fn default_password_checks() -> usize {
    std::thread::available_parallelism().map(|n| n.get() / 2).unwrap_or(1).max(1)
}
fn default_request_timeout_secs() -> u64 {
    120
}
fn default_pool_wait_ms() -> u64 {
    5000
}
fn default_token_ttl_secs() -> u64 {
    7 * 24 * 3600
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
            login_attempts: default_login_attempts(),
            login_lock_secs: default_login_lock_secs(),
            login_per_address_per_minute: default_login_per_address_per_minute(),
            client_address_header: None,
            password_checks: default_password_checks(),
            request_timeout_secs: default_request_timeout_secs(),
            pool_wait_ms: default_pool_wait_ms(),
            token_ttl_secs: default_token_ttl_secs(),
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
        fn number<T: std::str::FromStr>(name: &str, v: &str) -> anyhow::Result<T> {
            v.trim().parse().map_err(|_| anyhow::anyhow!("CLAIMDESK_SERVER_{name}: '{v}' is not a number"))
        }
        if let Some(v) = var("POOL_SIZE") {
            self.pool_size = number("POOL_SIZE", &v)?;
        }
        if let Some(v) = var("LOG_FORMAT") {
            self.log_format = v;
        }
        if let Some(v) = var("LOGIN_ATTEMPTS") {
            self.login_attempts = number("LOGIN_ATTEMPTS", &v)?;
        }
        if let Some(v) = var("LOGIN_LOCK_SECS") {
            self.login_lock_secs = number("LOGIN_LOCK_SECS", &v)?;
        }
        if let Some(v) = var("LOGIN_PER_ADDRESS_PER_MINUTE") {
            self.login_per_address_per_minute = number("LOGIN_PER_ADDRESS_PER_MINUTE", &v)?;
        }
        if let Some(v) = var("CLIENT_ADDRESS_HEADER") {
            self.client_address_header = Some(v);
        }
        if let Some(v) = var("PASSWORD_CHECKS") {
            self.password_checks = number("PASSWORD_CHECKS", &v)?;
        }
        if let Some(v) = var("REQUEST_TIMEOUT_SECS") {
            self.request_timeout_secs = number("REQUEST_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = var("POOL_WAIT_MS") {
            self.pool_wait_ms = number("POOL_WAIT_MS", &v)?;
        }
        if let Some(v) = var("TOKEN_TTL_SECS") {
            self.token_ttl_secs = number("TOKEN_TTL_SECS", &v)?;
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
        for (name, value) in [
            ("login_attempts", u64::from(self.login_attempts)),
            ("login_lock_secs", self.login_lock_secs),
            ("login_per_address_per_minute", u64::from(self.login_per_address_per_minute)),
            ("password_checks", self.password_checks as u64),
            ("request_timeout_secs", self.request_timeout_secs),
            ("pool_wait_ms", self.pool_wait_ms),
            ("token_ttl_secs", self.token_ttl_secs),
        ] {
            if value == 0 {
                anyhow::bail!("{name} must be at least 1");
            }
        }
        if let Some(h) = &self.client_address_header {
            if axum::http::HeaderName::from_bytes(h.as_bytes()).is_err() {
                anyhow::bail!("client_address_header: '{h}' is not a header name");
            }
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
