//! The HTTPS side of sync (feature `client`): [`SyncClient`] signs in,
//! keeps the device token, and runs [`crate::engine::run`] against the
//! server over ureq + rustls. Certificates are always verified: against the
//! bundled web PKI roots, plus a CA file when one is given (a team's own CA,
//! or the test server's). Blocking and `Send`: the app calls it from a
//! worker thread, the CLI directly.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::engine::{self, Progress, Replica, SyncError, SyncOptions, SyncReport, Transport};
use crate::protocol::{
    ErrorBody, Health, LoginRequest, LoginResponse, PullResponse, PushRequest, PushResponse, RefreshResponse,
    UserInfo, HEADER_PROTOCOL, HEADER_SCHEMA, PROTOCOL_VERSION,
};

/// How to reach the server.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://sync.example:8443` (plain `http://` only for loopback tests).
    pub server_url: String,
    /// A PEM file of extra CA certificates to trust.
    pub ca_file: Option<std::path::PathBuf>,
    /// The local store's schema version, sent with every request.
    pub schema: u32,
    pub timeout: Duration,
}

impl ClientConfig {
    pub fn new(server_url: &str, schema: u32) -> ClientConfig {
        ClientConfig {
            server_url: server_url.trim_end_matches('/').to_string(),
            ca_file: None,
            schema,
            timeout: Duration::from_secs(60),
        }
    }
}

/// The client of one server for one device.
pub struct SyncClient {
    agent: ureq::Agent,
    base: String,
    schema: u32,
    token: Option<String>,
}

fn tls_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, SyncError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| SyncError::Config(format!("cannot read the CA file {}: {e}", path.display())))?;
        let mut found = 0;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert
                .map_err(|e| SyncError::Config(format!("the CA file {} is not PEM: {e}", path.display())))?;
            roots.add(cert).map_err(|e| {
                SyncError::Config(format!("a certificate in {} cannot be used: {e}", path.display()))
            })?;
            found += 1;
        }
        if found == 0 {
            return Err(SyncError::Config(format!("the CA file {} holds no certificate", path.display())));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The server's address as the client calls it: parsed as a URL, HTTPS, or
/// plain HTTP only to this machine's own loopback address (a test server);
/// no user name or password in it, no query or fragment.
pub fn server_base(address: &str) -> Result<String, SyncError> {
    let address = address.trim();
    let bad = |why: &str| SyncError::Config(format!("the server address '{address}' {why}"));
    let url = url::Url::parse(address)
        .map_err(|e| bad(&format!("is not a web address ({e}); write it as https://server.example.kr")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(bad("names no server")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(bad(
                "must start with https:// (plain http is only for this machine's own test server)",
            ))
        }
        _ => return Err(bad("must start with https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not hold a user name or password (sign in with them instead)"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a ? or # part"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

impl SyncClient {
    pub fn new(config: &ClientConfig) -> Result<SyncClient, SyncError> {
        let base = server_base(&config.server_url)?;
        let agent = ureq::AgentBuilder::new()
            .timeout(config.timeout)
            .tls_config(Arc::new(tls_config(config.ca_file.as_deref())?))
            .build();
        Ok(SyncClient { agent, base, schema: config.schema, token: None })
    }

    /// Uses a token from an earlier sign-in (kept by the store).
    pub fn with_token(mut self, token: Option<String>) -> SyncClient {
        self.token = token;
        self
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        let mut req = self
            .agent
            .request(method, &format!("{}{path}", self.base))
            .set(HEADER_PROTOCOL, &PROTOCOL_VERSION.to_string())
            .set(HEADER_SCHEMA, &self.schema.to_string());
        if let Some(t) = &self.token {
            req = req.set("authorization", &format!("Bearer {t}"));
        }
        req
    }

    fn read<T: serde::de::DeserializeOwned>(
        result: Result<ureq::Response, ureq::Error>,
    ) -> Result<T, SyncError> {
        let response = result.map_err(map_error)?;
        response.into_json::<T>().map_err(|e| SyncError::BadResponse(e.to_string()))
    }

    pub fn health(&self) -> Result<Health, SyncError> {
        Self::read(self.request("GET", "/health").call())
    }

    /// Signs in; the token is kept for the following requests.
    pub fn login(&mut self, request: &LoginRequest) -> Result<LoginResponse, SyncError> {
        let response: LoginResponse = Self::read(self.request("POST", "/v1/login").send_json(request))?;
        self.token = Some(response.token.clone());
        Ok(response)
    }

    /// Renews the token (the old one ends); the new one is kept for the following requests.
    pub fn refresh(&mut self) -> Result<RefreshResponse, SyncError> {
        let response: RefreshResponse = Self::read(self.request("POST", "/v1/refresh").call())?;
        self.token = Some(response.token.clone());
        Ok(response)
    }

    /// Signs this device out on the server: its token ends there at once.
    pub fn logout(&mut self) -> Result<(), SyncError> {
        let _: serde_json::Value = Self::read(self.request("POST", "/v1/logout").call())?;
        self.token = None;
        Ok(())
    }

    pub fn users(&self) -> Result<Vec<UserInfo>, SyncError> {
        Self::read(self.request("GET", "/v1/users").call())
    }

    /// One full sync of `replica` (push, then pull until the server has no more).
    pub fn sync(
        &mut self,
        replica: &mut dyn Replica,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<SyncReport, SyncError> {
        if self.token.is_none() {
            return Err(SyncError::Unauthorized("sign in to the sync server first".into()));
        }
        engine::run(replica, self, SyncOptions::default(), progress, cancel)
    }
}

impl Transport for SyncClient {
    fn push(&mut self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        let response: PushResponse = Self::read(self.request("POST", "/v1/push").send_json(request))?;
        if response.results.len() != request.ops.len() {
            return Err(SyncError::BadResponse(format!(
                "the server answered {} results for {} ops",
                response.results.len(),
                request.ops.len()
            )));
        }
        Ok(response)
    }

    fn pull(&mut self, after: i64, limit: usize) -> Result<PullResponse, SyncError> {
        Self::read(
            self.request("GET", "/v1/pull")
                .query("after", &after.to_string())
                .query("limit", &limit.to_string())
                .call(),
        )
    }
}

/// An HTTP or network failure as a [`SyncError`] a person can act on.
fn map_error(e: ureq::Error) -> SyncError {
    match e {
        ureq::Error::Status(status, response) => {
            let text = response.into_string().unwrap_or_default();
            let body: ErrorBody = serde_json::from_str(&text).unwrap_or(ErrorBody {
                code: format!("http_{status}"),
                message: text.chars().take(200).collect(),
            });
            match (status, body.code.as_str()) {
                (401, _) => SyncError::Unauthorized(body.message),
                (403, _) => SyncError::Forbidden(body.message),
                (_, "protocol_too_old") | (426, _) => SyncError::ProtocolTooOld(body.message),
                _ => SyncError::Server { status, code: body.code, message: body.message },
            }
        }
        ureq::Error::Transport(t) => {
            let text = t.to_string();
            let lower = text.to_lowercase();
            if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
                SyncError::Tls(text)
            } else if matches!(t.kind(), ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme) {
                SyncError::Config(text)
            } else {
                SyncError::Offline(text)
            }
        }
    }
}

/// A verifier of the last password the server accepted (argon2, salted), so
/// a desktop can sign its user in while offline (sync.md, "Server").
pub fn password_verifier(password: &str) -> Result<String, SyncError> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| SyncError::Config(format!("could not keep the credentials: {e}")))
}

/// Whether `password` matches a verifier made by [`password_verifier`].
pub fn verify_offline(verifier: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(verifier)
        .is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_parsed_and_plain_http_is_only_for_loopback() {
        for ok in [
            "https://sync.example.kr",
            "https://sync.example.kr:8443/claimdesk/",
            "http://127.0.0.1:8787",
            "http://localhost:8787",
            "http://LOCALHOST",
            "http://[::1]:8787",
            " https://sync.example.kr/ ",
        ] {
            assert!(server_base(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            server_base("https://sync.example.kr:8443/claimdesk/").expect("ok"),
            "https://sync.example.kr:8443/claimdesk"
        );
        for refused in [
            "http://localhost.evil.example",
            "http://localhost@evil.example",
            "http://127.0.0.1.evil.example",
            "http://sync.example.kr",
            "http://10.0.0.5:8787",
            "ftp://sync.example.kr",
            "sync.example.kr",
            "https://kim:secret@sync.example.kr",
            "https://sync.example.kr/?x=1",
            "https://sync.example.kr/#a",
            "",
        ] {
            let err = server_base(refused).expect_err(refused);
            assert_eq!(err.code(), "SYNC_CONFIG", "{refused}");
        }
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        let err = SyncClient::new(&ClientConfig::new("http://sync.example.com", 2)).err().expect("refused");
        assert_eq!(err.code(), "SYNC_CONFIG");
        assert!(SyncClient::new(&ClientConfig::new("http://127.0.0.1:9", 2)).is_ok());
    }

    #[test]
    fn an_unreachable_server_is_offline_not_a_crash() {
        let mut client = SyncClient::new(&ClientConfig::new("http://127.0.0.1:9", 2)).expect("client");
        let err = client.pull(0, 10).expect_err("nothing listens on port 9");
        assert_eq!(err.code(), "SYNC_OFFLINE");
        assert!(err.is_transient());
    }

    #[test]
    fn a_ca_file_without_certificates_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("claimdesk-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("empty.pem");
        std::fs::write(&path, "not a certificate").expect("write");
        let mut config = ClientConfig::new("https://127.0.0.1:9", 2);
        config.ca_file = Some(path);
        let err = SyncClient::new(&config).err().expect("refused");
        assert!(err.to_string().contains("holds no certificate"), "{err}");
    }

    #[test]
    fn offline_credentials_verify_the_last_password_only() {
        let v = password_verifier("비밀번호-1").expect("verifier");
        assert!(verify_offline(&v, "비밀번호-1"));
        assert!(!verify_offline(&v, "wrong"));
        assert!(!verify_offline("garbage", "비밀번호-1"));
    }

    #[test]
    fn http_errors_map_to_stable_codes() {
        let e = SyncError::Server { status: 503, code: "internal".into(), message: "db down".into() };
        assert!(e.is_transient());
        assert_eq!(SyncError::Unauthorized("x".into()).code(), "SYNC_UNAUTHORIZED");
    }
}
