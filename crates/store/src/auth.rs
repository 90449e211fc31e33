//! Local sign-in: an argon2id password per user (PHC string in
//! `users.password_hash`). Setting a password is audited; the op never
//! carries the hash. A failed sign-in says nothing about which part was wrong.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use claimdesk_core::msg;
use claimdesk_core::ops::{Op, UserRef};
use claimdesk_core::workflow::{may, AdminAction};
use claimdesk_core::Actor;
use rusqlite::{params, OptionalExtension};

use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter, SyncState};
use crate::Store;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The PHC string of a password, refused (before anything is written) when too short.
pub(crate) fn hash(password: &str) -> Result<String> {
    check_length(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(msg!("store.password_hash", detail = e)))
}

/// A password too short is refused before anything is written.
pub fn check_length(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::Invalid(msg!("store.password_short", min = MIN_PASSWORD_CHARS)));
    }
    Ok(())
}

fn matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

impl Store {
    /// Whether any user has a password yet (false on a new store: the app
    /// then offers to set the first admin's password).
    pub fn has_passwords(&self) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS(SELECT 1 FROM users WHERE password_hash IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// First run only: sets the password of the first admin while no user
    /// has one. Refused once any password exists.
    pub fn set_first_admin_password(&mut self, password: &str) -> Result<Actor> {
        let phc = hash(password)?;
        let device = self.device().to_string();
        let keys = self.key_access();
        let tx = self.write_tx()?;
        let taken: bool =
            tx.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE password_hash IS NOT NULL)", [], |r| {
                r.get(0)
            })?;
        if taken {
            return Err(StoreError::Invalid(msg!("store.passwords_exist")));
        }
        let n = tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1 AND role = 'admin' AND active = 1",
            params![crate::FIRST_ADMIN, phc],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("the first admin '{}'", crate::FIRST_ADMIN)));
        }
        // The admin's key slot, under the store's write lock.
        crate::cipher::set_slot(&keys, crate::FIRST_ADMIN, password)?;
        let mut ops = OpWriter::begin(&tx)?;
        let author = Author { user: crate::FIRST_ADMIN, device: &device };
        let op = Op::UserPassword(UserRef { id: crate::FIRST_ADMIN.to_string() });
        ops.append_op(
            &tx,
            &author,
            &format!("user:{}", crate::FIRST_ADMIN),
            &op,
            None,
            None,
            SyncState::Local,
        )?;
        ops.finish(&tx)?;
        tx.commit()?;
        self.actor(crate::FIRST_ADMIN)
    }

    /// Sets `user`'s password: an admin for anyone, anyone for themselves.
    pub fn set_password(&mut self, actor: &Actor, user: &str, password: &str) -> Result<()> {
        let entity = format!("user:{user}");
        if actor.user != user {
            self.require(actor, AdminAction::ManageUsers, &entity)?;
        }
        let phc = hash(password)?;
        let device = self.device().to_string();
        let keys = self.key_access();
        let tx = self.write_tx()?;
        let n = tx.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![user, phc])?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("user '{user}'")));
        }
        // Their key slot follows the password (under the store's write lock).
        crate::cipher::set_slot(&keys, user, password)?;
        let mut ops = OpWriter::begin(&tx)?;
        let op = Op::UserPassword(UserRef { id: user.to_string() });
        ops.append_op(
            &tx,
            &Author { user: &actor.user, device: &device },
            &entity,
            &op,
            None,
            None,
            SyncState::Local,
        )?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Checks a user's password and returns them as the rules see them.
    /// Unknown user, no password, deactivated or wrong password: one error,
    /// [`StoreError::SignIn`]. A wrong password of a known user is audited.
    pub fn verify_password(&mut self, user: &str, password: &str) -> Result<Actor> {
        let user = user.trim();
        let row: Option<(Option<String>, bool)> = self
            .conn()
            .query_row("SELECT password_hash, active FROM users WHERE id = ?1", [user], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match row {
            Some((Some(phc), true)) if matches(password, &phc) => self.actor(user),
            Some((_, true)) => {
                let actor = self.actor(user)?;
                self.record_refusal(&actor, &format!("user:{user}"), "session.sign_in", &StoreError::SignIn)?;
                Err(StoreError::SignIn)
            }
            _ => Err(StoreError::SignIn),
        }
    }

    /// Signs `user` in on this store: their argon2 hash, or for a user of
    /// the sync server the verifier of the password the server last accepted
    /// here. One error whatever was wrong ([`StoreError::SignIn`]); a wrong
    /// password of a known user is audited.
    pub fn check_password(&mut self, user: &str, password: &str) -> Result<Actor> {
        let user = user.trim();
        let has_hash: bool = self
            .conn()
            .query_row("SELECT password_hash IS NOT NULL FROM users WHERE id = ?1", [user], |r| r.get(0))
            .optional()?
            .unwrap_or(false);
        if !has_hash {
            if let Some(verifier) = self.sync_setting(&format!("verifier:{user}"))? {
                if matches(password, &verifier) {
                    return self.actor(user).map_err(|_| StoreError::SignIn);
                }
            }
        }
        self.verify_password(user, password)
    }

    /// Whether `actor` may manage users (for screens that offer it).
    pub fn may_manage_users(actor: &Actor) -> bool {
        may(actor.role, AdminAction::ManageUsers).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimdesk_core::Role;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("s.db")).expect("open");
        (dir, store)
    }

    #[test]
    fn first_admin_password_then_sign_in() {
        let (_d, mut store) = store();
        assert!(!store.has_passwords().expect("q"));
        assert_eq!(store.set_first_admin_password("short").map_err(|e| e.code()).err(), Some("INVALID"));
        let admin = store.set_first_admin_password("correct horse").expect("first");
        assert_eq!(admin.role, Role::Admin);
        assert!(store.has_passwords().expect("q"));
        // Only once.
        assert_eq!(
            store.set_first_admin_password("another one").map_err(|e| e.code()).err(),
            Some("INVALID")
        );
        assert_eq!(store.verify_password("admin", "correct horse").expect("ok").user, "admin");
        // Wrong password and unknown user give the same error.
        let wrong = store.verify_password("admin", "wrong horse").expect_err("refused");
        let unknown = store.verify_password("nobody", "correct horse").expect_err("refused");
        assert_eq!(wrong.code(), "SIGN_IN_FAILED");
        assert_eq!(wrong.to_string(), unknown.to_string());
        // The hash never reaches the op log.
        let payloads: Vec<String> = {
            let mut stmt = store
                .conn()
                .prepare("SELECT payload FROM ops WHERE kind IN ('user.password', 'session.sign_in')")
                .expect("p");
            let rows = stmt.query_map([], |r| r.get(0)).expect("q");
            rows.collect::<rusqlite::Result<_>>().expect("rows")
        };
        assert_eq!(payloads.len(), 2);
        assert!(payloads.iter().all(|p| !p.contains("argon2")));
        store.verify_audit().expect("chain");
    }

    #[test]
    fn passwords_are_set_by_an_admin_or_oneself() {
        let (_d, mut store) = store();
        let admin = store.set_first_admin_password("admin password").expect("first");
        store.create_user(&admin, "kim", "김심사", Role::Reviewer, None).expect("user");
        store.create_user(&admin, "lee", "이심사", Role::Reviewer, None).expect("user");
        // A user without a password cannot sign in.
        assert!(store.verify_password("kim", "").is_err());
        store.set_password(&admin, "kim", "kim password").expect("admin sets");
        let kim = store.verify_password("kim", "kim password").expect("kim");
        store.set_password(&kim, "kim", "kim new password").expect("self");
        assert!(store.verify_password("kim", "kim password").is_err());
        let refused = store.set_password(&kim, "lee", "lee password").expect_err("refused");
        assert_eq!(refused.code(), "ROLE_NOT_ALLOWED");
        // Deactivated users cannot sign in, even with the right password.
        store
            .update_user(
                &admin,
                "kim",
                crate::users::UserChange { active: Some(false), ..Default::default() },
            )
            .expect("deactivate");
        assert_eq!(
            store.verify_password("kim", "kim new password").err().map(|e| e.code()),
            Some("SIGN_IN_FAILED")
        );
    }

    #[test]
    fn a_user_and_their_password_are_one_change() {
        let (_d, mut store) = store();
        let admin = store.set_first_admin_password("admin password").expect("first");
        let ops = |store: &Store| -> i64 {
            store.conn().query_row("SELECT count(*) FROM ops", [], |r| r.get(0)).expect("ops")
        };
        let before = ops(&store);
        // Too short (four characters, though eight UTF-16 units): refused, nothing written.
        let refused = store
            .create_user_with_password(&admin, "kim", "김심사", Role::Reviewer, None, "🔑🔑🔑🔑")
            .expect_err("short");
        assert_eq!(refused.code(), "INVALID");
        assert!(store.users().expect("users").iter().all(|u| u.id != "kim"));
        assert_eq!(ops(&store), before);
        store
            .create_user_with_password(&admin, "kim", "김심사", Role::Reviewer, None, "kim password")
            .expect("created");
        let kim = store.verify_password("kim", "kim password").expect("kim signs in");
        // A reviewer may not add users: refused (and audited), no user.
        let refused = store
            .create_user_with_password(&kim, "lee", "이심사", Role::Reviewer, None, "lee password")
            .expect_err("role");
        assert_eq!(refused.code(), "ROLE_NOT_ALLOWED");
        assert!(store.users().expect("users").iter().all(|u| u.id != "lee"));
        // An existing id: refused.
        let again = store
            .create_user_with_password(&admin, "kim", "김", Role::Reviewer, None, "other password")
            .expect_err("exists");
        assert_eq!(again.code(), "INVALID");
        assert_eq!(store.verify_password("kim", "kim password").expect("unchanged").user, "kim");
        // Two ops, the user's (synced) and the password's (this device only, no hash).
        let kinds: Vec<(String, String)> = {
            let mut stmt = store
                .conn()
                .prepare("SELECT kind, payload FROM ops WHERE entity = 'user:kim' ORDER BY rowid")
                .expect("p");
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("q");
            rows.collect::<rusqlite::Result<_>>().expect("rows")
        };
        assert_eq!(
            kinds.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["user.create", "user.password"]
        );
        assert!(kinds.iter().all(|(_, p)| !p.contains("argon2")));
        store.verify_audit().expect("chain");
    }
}
