//! Passwords (argon2id), device tokens (random, stored as SHA-256 only) and
//! the session a bearer token stands for.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use claimdesk_core::model::Actor;
use claimdesk_core::Role;
use rand::RngCore;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::error::ServerError;

pub fn hash_password(password: &str) -> Result<String, ServerError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Config(format!("cannot hash the password: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A dummy hash to verify against when the user does not exist, so that a
/// login takes as long for an unknown user as for a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("claimdesk-no-such-user").unwrap_or_default())
}

/// A new bearer token: 32 random bytes, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Who is calling: the device the token was issued to and its user, as the
/// users table says now (role and limit are read on every request).
#[derive(Debug, Clone)]
pub struct Session {
    pub device: String,
    pub user: String,
    pub role: Role,
    pub approval_limit: Option<i64>,
}

impl Session {
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user.clone(),
            role: self.role,
            approval_limit: self.approval_limit.map(Decimal::from),
            device: self.device.clone(),
        }
    }
}

/// Looks the bearer token up; refreshes the device's last_seen at most once a minute.
pub async fn session(client: &deadpool_postgres::Client, token: &str) -> Result<Session, ServerError> {
    let stmt = client
        .prepare_cached(
            "WITH d AS (
                 SELECT d.id, d.user_id, d.revoked_at IS NOT NULL AS revoked, u.role, u.approval_limit, u.active,
                        d.token_expires_at IS NOT NULL AND d.token_expires_at <= now() AS expired
                 FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = $1
             ), seen AS (
                 UPDATE devices SET last_seen = now()
                 WHERE token_hash = $1 AND revoked_at IS NULL AND last_seen < now() - interval '60 seconds'
             )
             SELECT id, user_id, revoked, role, approval_limit, active, expired FROM d",
        )
        .await?;
    let row = client.query_opt(&stmt, &[&token_hash(token)]).await?.ok_or_else(|| {
        ServerError::Unauthorized("this device's sign-in is not known to the server; sign in again".into())
    })?;
    let revoked: bool = row.get(2);
    let active: bool = row.get(5);
    if revoked {
        return Err(ServerError::Unauthorized(
            "this device was revoked by an administrator; ask them, or sign in from another device".into(),
        ));
    }
    if !active {
        return Err(ServerError::Unauthorized("this account is deactivated; ask an administrator".into()));
    }
    if row.get::<_, bool>(6) {
        return Err(ServerError::Unauthorized(
            "this device's sign-in has expired (a desktop renews it while it syncs); sign in again".into(),
        ));
    }
    let role_code: String = row.get(3);
    let role = Role::parse(&role_code)
        .ok_or_else(|| ServerError::Config(format!("the users table holds an unknown role '{role_code}'")))?;
    Ok(Session { device: row.get(0), user: row.get(1), role, approval_limit: row.get(4) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_tokens_are_hashed() {
        let h = hash_password("비밀번호 1").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("비밀번호 1", &h));
        assert!(!verify_password("비밀번호 2", &h));
        assert!(!verify_password("x", "not a hash"));
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t).len(), 32);
    }
}
