//! Which sync server this desktop trusts (issue 10, item 3; docs/security.md).
//!
//! A desktop sends its whole log to the server it joins and takes its users
//! and roles from it, so choosing the server is an administrator's decision,
//! made in Rust here for the app and the CLI alike:
//!
//! - a **fresh** store (no server joined, no claim in it) may join any
//!   server, also from the sign-in screen with nobody signed in: it has
//!   nothing to give away, and the team it gets is the server's;
//! - otherwise only an **administrator of this store** (the store's own
//!   roles decide, never what the answering server says) may join a server
//!   or switch to another;
//! - the server's **identity** (the id it made once with its database and
//!   answers from /health and /v1/login) is remembered at the join. Signing
//!   in again, or syncing, with a server that answers another id (a new
//!   server at the old address, or a look-alike) is refused with
//!   `SERVER_CHANGED`, unless an administrator confirms the change. Signing
//!   in again to the trusted server is neither a join nor a change: the
//!   server checks the password, as at any online sign-in.

use claimdesk_core::model::Actor;
use claimdesk_core::{msg, Role};

use crate::error::{Result, StoreError};
use crate::Store;

pub const KEY_SERVER_URL: &str = "server_url";
pub const KEY_SERVER_ID: &str = "server_id";
/// The secret this device registered its id with (`LoginRequest::device_secret`).
pub const KEY_DEVICE_SECRET: &str = "device_secret";

/// The server this desktop trusts: its address and its identity (empty for
/// a server joined before identities, taken on trust at its next answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedServer {
    pub url: String,
    pub server_id: String,
}

/// What signing in to a server would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerChoice {
    /// The first server of this desktop.
    First,
    /// The server it trusts already.
    Same,
    /// Another server than the one it trusts (an administrator confirmed).
    Change,
}

fn normal(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

impl Store {
    /// The server this desktop trusts, if it joined one.
    pub fn trusted_server(&self) -> Result<Option<TrustedServer>> {
        let url = self.sync_setting(KEY_SERVER_URL)?.map(|u| normal(&u)).filter(|u| !u.is_empty());
        Ok(match url {
            Some(url) => Some(TrustedServer {
                url,
                server_id: self.sync_setting(KEY_SERVER_ID)?.unwrap_or_default().trim().to_string(),
            }),
            None => None,
        })
    }

    /// Whether this store is fresh: it joined no server and holds no claim.
    pub fn is_fresh(&self) -> Result<bool> {
        if self.trusted_server()?.is_some() {
            return Ok(false);
        }
        let claims: i64 = self.conn().query_row("SELECT count(*) FROM claims", [], |r| r.get(0))?;
        Ok(claims == 0)
    }

    /// Decides whether `actor` (None: nobody is signed in on this desktop)
    /// may sign it in to the server at `url` that answered as `server_id`;
    /// `confirm_change` is an administrator's confirmation that the desktop
    /// should trust another server than it does. Checked before anything of
    /// the answering server (its token, its users) is kept.
    pub fn check_server_choice(
        &self,
        actor: Option<&Actor>,
        url: &str,
        server_id: &str,
        confirm_change: bool,
    ) -> Result<ServerChoice> {
        let url = normal(url);
        let admin = actor.is_some_and(|a| a.role == Role::Admin && self.is_local_admin(&a.user));
        match self.trusted_server()? {
            None if self.is_fresh()? => Ok(ServerChoice::First),
            None if admin => Ok(ServerChoice::First),
            None => Err(StoreError::Invalid(msg!("store.join_needs_admin"))),
            // Signing in again to the trusted server (it checks the password):
            // neither a join nor a change, open to anyone.
            Some(t) if t.url == url && (t.server_id.is_empty() || t.server_id == server_id) => {
                Ok(ServerChoice::Same)
            }
            Some(t) if admin && confirm_change => {
                tracing::warn!(from = %t.url, from_id = %t.server_id, to = %url, to_id = %server_id, "trusted server changed by an administrator");
                Ok(ServerChoice::Change)
            }
            Some(t) => Err(StoreError::ServerChanged {
                trusted_url: t.url,
                trusted_id: t.server_id,
                url,
                server_id: server_id.to_string(),
            }),
        }
    }

    /// Remembers the server this desktop now trusts (after [`Store::check_server_choice`]).
    pub fn trust_server(&mut self, url: &str, server_id: &str) -> Result<()> {
        self.set_sync_setting(KEY_SERVER_URL, &normal(url))?;
        self.set_sync_setting(KEY_SERVER_ID, server_id.trim())
    }

    /// Checks that the server answering a sync is the one trusted; a server
    /// joined before identities has its first answer remembered.
    pub fn check_server_identity(&mut self, server_id: &str) -> Result<()> {
        let Some(t) = self.trusted_server()? else { return Ok(()) };
        if t.server_id.is_empty() {
            if !server_id.trim().is_empty() {
                self.set_sync_setting(KEY_SERVER_ID, server_id.trim())?;
            }
            return Ok(());
        }
        if t.server_id != server_id.trim() {
            return Err(StoreError::ServerChanged {
                trusted_url: t.url.clone(),
                trusted_id: t.server_id,
                url: t.url,
                server_id: server_id.to_string(),
            });
        }
        Ok(())
    }

    /// The secret this device's id is registered with on the server, made
    /// once (32 random bytes) and kept in the store: another computer that
    /// copies the device id without it cannot sign in as this device.
    pub fn device_secret(&mut self) -> Result<String> {
        if let Some(secret) = self.sync_setting(KEY_DEVICE_SECRET)?.filter(|s| s.len() >= 32) {
            return Ok(secret);
        }
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let secret = hex::encode(bytes);
        self.set_sync_setting(KEY_DEVICE_SECRET, &secret)?;
        Ok(secret)
    }

    /// Whether `user` is an active administrator in this store's own users table.
    fn is_local_admin(&self, user: &str) -> bool {
        self.users().is_ok_and(|us| us.iter().any(|u| u.id == user && u.active && u.role == Role::Admin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &tempfile::TempDir) -> Store {
        Store::open(&dir.path().join("claimdesk.db")).expect("store")
    }

    fn actor(s: &Store, user: &str) -> Actor {
        s.actor(user).expect("actor")
    }

    #[test]
    fn a_fresh_store_joins_anyone_and_then_only_its_admin_changes_server() {
        let dir = tempfile::tempdir().expect("dir");
        let mut s = store(&dir);
        let url = "https://sync.team.example";
        // Fresh: nobody needs to be signed in.
        assert_eq!(s.check_server_choice(None, url, "id-1", false).expect("first"), ServerChoice::First);
        s.trust_server(url, "id-1").expect("trust");
        assert!(!s.is_fresh().expect("fresh"));
        // The same server again: anyone (the server checks the password).
        let first = actor(&s, crate::FIRST_ADMIN);
        s.create_user(&first, "kim", "김", Role::Reviewer, None).expect("kim");
        let kim = actor(&s, "kim");
        assert_eq!(
            s.check_server_choice(Some(&kim), &format!("{url}/"), "id-1", false).expect("same"),
            ServerChoice::Same
        );
        assert_eq!(s.check_server_choice(None, url, "id-1", false).expect("same"), ServerChoice::Same);
        // Another server (another address, or the same address answering another id).
        for (other_url, other_id) in [("https://evil.example", "id-9"), (url, "id-9")] {
            let err = s.check_server_choice(Some(&kim), other_url, other_id, true).expect_err("a reviewer");
            assert_eq!(err.code(), "SERVER_CHANGED");
            assert!(err.to_string().contains("sync.team.example"), "{err}");
            let admin = actor(&s, crate::FIRST_ADMIN);
            let err =
                s.check_server_choice(Some(&admin), other_url, other_id, false).expect_err("unconfirmed");
            assert_eq!(err.code(), "SERVER_CHANGED");
            assert_eq!(
                s.check_server_choice(Some(&admin), other_url, other_id, true).expect("confirmed"),
                ServerChoice::Change
            );
        }
        // A sync answered by another id is refused; the trusted one goes on.
        assert_eq!(s.check_server_identity("id-9").map_err(|e| e.code()), Err("SERVER_CHANGED"));
        s.check_server_identity("id-1").expect("the trusted server");
    }

    #[test]
    fn offline_sign_in_needs_a_recent_roster_that_keeps_the_person_active() {
        use crate::sync_desk::RosterUser;
        let dir = tempfile::tempdir().expect("dir");
        let mut s = store(&dir);
        let kim = |active| RosterUser {
            id: "kim".into(),
            display_name: "김".into(),
            role: Role::Reviewer,
            approval_limit: None,
            active,
        };
        s.apply_roster("kim", &[kim(true)]).expect("roster");
        let day = 24 * 3600 * 1000;
        assert!(
            !s.may_sign_in_offline("kim", 10 * day).expect("never refreshed"),
            "no roster time: online first"
        );
        s.roster_refreshed(10 * day).expect("refreshed");
        assert!(s.may_sign_in_offline("kim", 11 * day).expect("a day later"));
        assert!(!s.may_sign_in_offline("kim", 14 * day).expect("four days later"), "past the 3-day bound");
        s.set_sync_setting(crate::users::KEY_OFFLINE_MAX_AGE, &(7 * day).to_string()).expect("setting");
        assert!(s.may_sign_in_offline("kim", 14 * day).expect("with a 7-day bound"));
        // Deactivated on the server: the next sync's roster ends offline sign-in at once.
        s.apply_roster("kim", &[kim(false)]).expect("roster");
        s.roster_refreshed(14 * day).expect("refreshed");
        assert!(!s.may_sign_in_offline("kim", 14 * day).expect("deactivated"));
        // A device secret is made once and kept.
        let secret = s.device_secret().expect("secret");
        assert_eq!(secret.len(), 64);
        assert_eq!(s.device_secret().expect("again"), secret);
    }

    #[test]
    fn a_store_with_claims_joins_only_for_its_own_admin() {
        let dir = tempfile::tempdir().expect("dir");
        let mut s = store(&dir);
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sample-intake.csv");
        let admin = actor(&s, crate::FIRST_ADMIN);
        s.import_file(&admin, &file, crate::import::ImportOptions::default(), &mut |_| true).expect("import");
        assert!(!s.is_fresh().expect("fresh"));
        assert_eq!(
            s.check_server_choice(None, "https://x.example", "a", false).map_err(|e| e.code()),
            Err("INVALID")
        );
        s.create_user(&admin, "kim", "김", Role::Reviewer, None).expect("kim");
        let kim = actor(&s, "kim");
        assert_eq!(
            s.check_server_choice(Some(&kim), "https://x.example", "a", true).map_err(|e| e.code()),
            Err("INVALID")
        );
        assert_eq!(
            s.check_server_choice(Some(&admin), "https://x.example", "a", false).expect("admin"),
            ServerChoice::First
        );
    }
}
