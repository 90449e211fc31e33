//! Opening an encrypted store (decision 0009): a new store is created with
//! its data key and recovery key, a locked one is opened with a person's
//! password (their key slot, then their sign-in check), and a plain store is
//! encrypted once, in place, at its first unlock.

use std::path::Path;

use claimdesk_core::{msg, Actor};
use rusqlite::{params, Connection, OpenFlags};
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};
use crate::keys::{self, DataKey, KeyFile, RecoveryKey, StoreFile};
use crate::{Store, PAGE_SIZE};

/// Where `meta` keeps a recovery key not yet confirmed by an admin.
const RECOVERY_PENDING: &str = "recovery_pending";

/// The sign-in check run on the opened store: the user's argon2 hash, or the
/// app's own (with the sync server's offline verifier).
pub type SignInCheck<'a> = &'a mut dyn FnMut(&mut Store, &str, &str) -> Result<Actor>;

/// A store opened by [`Store::unlock`]: the store, the person, and whether
/// it was a plain store encrypted just now.
#[derive(Debug)]
pub struct Unlocked {
    pub store: Store,
    pub actor: Actor,
    pub migrated: bool,
}

/// The key file and data key of an open encrypted store.
pub(crate) struct KeyAccess {
    store: std::path::PathBuf,
    key: DataKey,
}

impl KeyAccess {
    pub(crate) fn update(&self, f: impl FnOnce(&mut KeyFile, &DataKey) -> Result<()>) -> Result<()> {
        let mut key_file = KeyFile::load(&self.store)?.ok_or_else(|| StoreError::KeyFile {
            file: KeyFile::path_for(&self.store).display().to_string(),
            detail: "missing".into(),
        })?;
        f(&mut key_file, &self.key)?;
        key_file.save()
    }

    pub(crate) fn set_slot(&self, user: &str, password: &str) -> Result<()> {
        self.update(|f, key| f.set_password_slot(key, user, password))
    }
}

/// Sets `user`'s slot when the store is encrypted.
pub(crate) fn set_slot(access: &Option<KeyAccess>, user: &str, password: &str) -> Result<()> {
    match access {
        Some(a) => a.set_slot(user, password),
        None => Ok(()),
    }
}

/// Where a migration can be stopped by the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    AfterExport,
    AfterVerify,
    AfterKeys,
}

fn encryption_error(detail: impl std::fmt::Display) -> StoreError {
    StoreError::Encryption(detail.to_string())
}

/// Sets the key on a fresh connection and checks it opens the file.
pub(crate) fn apply_key(conn: &Connection, key: &DataKey) -> Result<()> {
    let sql = Zeroizing::new(format!(
        "PRAGMA key = \"{}\"; PRAGMA cipher_page_size = {PAGE_SIZE};",
        key.sqlcipher_raw().as_str()
    ));
    conn.execute_batch(&sql)?;
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            Err(StoreError::WrongKey)
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes what an interrupted migration left beside a plain store.
fn remove_debris(path: &Path) -> Result<()> {
    let tmp = keys::sibling(path, ".encrypting");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let f = keys::sibling(&tmp, suffix);
        match std::fs::remove_file(&f) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    // A key file beside a plain store holds the key of a copy that never took its place.
    match std::fs::remove_file(KeyFile::path_for(path)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Encrypts the plain store at `path` in place: an encrypted copy is written
/// beside it and verified, the key file written, and the copy renamed over
/// the plain store (the commit). Any failure before the rename leaves the
/// plain store as it was.
pub(crate) fn encrypt_in_place(
    path: &Path,
    key: &DataKey,
    key_file: &KeyFile,
    recovery: Option<&RecoveryKey>,
    fault: Fault,
) -> Result<()> {
    let plain = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    plain.busy_timeout(std::time::Duration::from_secs(10))?;
    // Alone on the store until the end: out of WAL (its log folded in and
    // removed, so no plain log is left for the encrypted file to read),
    // then an exclusive lock kept by the locking mode.
    plain.execute_batch("PRAGMA locking_mode = EXCLUSIVE;")?;
    let mode: String = plain.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(encryption_error(format!("the store is in use elsewhere (journal mode {mode})")));
    }
    plain.execute_batch("BEGIN EXCLUSIVE; COMMIT;")?;
    remove_debris(path)?;
    let tmp = keys::sibling(path, ".encrypting");
    let result = (|| -> Result<()> {
        keys::precreate_private(&tmp)?;
        let tmp_str = tmp.to_str().ok_or_else(|| encryption_error("the store's path is not UTF-8"))?;
        let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        plain.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            params![tmp_str, key.sqlcipher_raw().as_str()],
        )?;
        plain.execute_batch(&format!("PRAGMA encrypted.cipher_page_size = {PAGE_SIZE};"))?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        // The export copies tables, indexes, FTS5 tables and triggers, not the header's version.
        plain.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
        plain.execute_batch("DETACH DATABASE encrypted;")?;
        if fault == Fault::AfterExport {
            return Err(encryption_error("stopped after the copy (test)"));
        }
        verify_copy(&plain, &tmp, key, version, recovery)?;
        if fault == Fault::AfterVerify {
            return Err(encryption_error("stopped after the check (test)"));
        }
        key_file.save()?;
        if fault == Fault::AfterKeys {
            return Err(encryption_error("stopped after the key file (test)"));
        }
        // The commit: from here the store is the encrypted one.
        std::fs::rename(&tmp, path)?;
        keys::sync_dir(path);
        Ok(())
    })();
    drop(plain);
    if let Err(e) = result {
        // Still plain: what was made beside it goes (the next try starts afresh).
        if keys::inspect(path).ok() == Some(StoreFile::Plain) {
            let _ = remove_debris(path);
        }
        return Err(e);
    }
    Ok(())
}

/// The encrypted copy opens with the key, passes `quick_check`, has every
/// table with as many rows as the plain store and the same last audit hash.
fn verify_copy(
    plain: &Connection,
    tmp: &Path,
    key: &DataKey,
    version: i64,
    recovery: Option<&RecoveryKey>,
) -> Result<()> {
    let copy = Connection::open_with_flags(
        tmp,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    apply_key(&copy, key).map_err(|e| encryption_error(format!("the copy does not open: {e}")))?;
    let check: String = copy.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(encryption_error(format!("the copy fails its check: {check}")));
    }
    let copied: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if copied != version {
        return Err(encryption_error(format!("schema version {copied}, not {version}")));
    }
    let tables: Vec<String> = {
        let mut stmt = plain
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for table in &tables {
        let sql = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
        let a: i64 = plain.query_row(&sql, [], |r| r.get(0))?;
        let b: i64 =
            copy.query_row(&sql, [], |r| r.get(0)).map_err(|e| encryption_error(format!("{table}: {e}")))?;
        if a != b {
            return Err(encryption_error(format!("{table} has {b} rows in the copy, {a} in the store")));
        }
    }
    let last = "SELECT hash FROM ops ORDER BY seq DESC LIMIT 1";
    let a: Option<Vec<u8>> = plain.query_row(last, [], |r| r.get(0)).ok();
    let b: Option<Vec<u8>> = copy.query_row(last, [], |r| r.get(0)).ok();
    if a != b {
        return Err(encryption_error("the last audit entry differs in the copy"));
    }
    if let Some(r) = recovery {
        copy.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![RECOVERY_PENDING, r.as_str()],
        )?;
    }
    Ok(())
}

impl Store {
    /// Creates a new encrypted store at `path` (refused when a store is
    /// there): a random data key, a key file with the recovery slot, and the
    /// store with its defaults. The recovery key is returned to be shown
    /// once (it is also kept in the store until an admin confirms it:
    /// [`Store::pending_recovery_key`]). Give the first admin a password (and
    /// so a slot) with [`Store::set_first_admin_password`].
    pub fn create_encrypted(path: &Path) -> Result<(Store, RecoveryKey)> {
        if keys::inspect(path)? != StoreFile::Missing {
            return Err(StoreError::Invalid(msg!("store.exists", path = path.display())));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            keys::create_private_dir(dir)?;
        }
        let key = DataKey::random();
        let mut key_file = KeyFile::new(path);
        let recovery = key_file.new_recovery(&key)?;
        // The keys first: a database nobody can open must never exist.
        key_file.save()?;
        let store = Store::open_with(path, Some(&key))?;
        store.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![RECOVERY_PENDING, recovery.as_str()],
        )?;
        Ok((store, recovery))
    }

    /// Opens the store at `path` as `user` with their password, checked by
    /// [`Store::check_password`]. See [`Store::unlock_with`].
    pub fn unlock(path: &Path, user: &str, password: &str) -> Result<Unlocked> {
        Store::unlock_with(path, user, password, &mut |s: &mut Store, u: &str, p: &str| {
            s.check_password(u, p)
        })
    }

    /// Opens the store at `path` as `user`:
    /// - encrypted: the user's key slot opens the data key (no slot:
    ///   `NO_KEY_HERE`; a wrong password: `SIGN_IN_FAILED`), then `check`
    ///   signs them in on the open store;
    /// - plain: `check` signs them in on the plain store, which is then
    ///   encrypted in place with a slot for them and a new recovery key;
    /// - missing: `NOT_FOUND` (a store is made with [`Store::create_encrypted`]).
    pub fn unlock_with(path: &Path, user: &str, password: &str, check: SignInCheck<'_>) -> Result<Unlocked> {
        Store::unlock_inner(path, user, password, check, Fault::None)
    }

    pub(crate) fn unlock_inner(
        path: &Path,
        user: &str,
        password: &str,
        check: SignInCheck<'_>,
        fault: Fault,
    ) -> Result<Unlocked> {
        let user = user.trim();
        match keys::inspect(path)? {
            StoreFile::Missing => Err(StoreError::NotFound(format!("the store {}", path.display()))),
            StoreFile::Encrypted => {
                let key_file = KeyFile::load(path)?.ok_or_else(|| StoreError::KeyFile {
                    file: KeyFile::path_for(path).display().to_string(),
                    detail: "missing".into(),
                })?;
                let key = key_file.unlock_password(user, password)?;
                let mut store = Store::open_with(path, Some(&key))?;
                let actor = check(&mut store, user, password)?;
                Ok(Unlocked { store, actor, migrated: false })
            }
            StoreFile::Plain => {
                let actor = {
                    let mut plain = Store::open_with(path, None)?;
                    check(&mut plain, user, password)?
                };
                let key = DataKey::random();
                let mut key_file = KeyFile::new(path);
                key_file.set_password_slot(&key, user, password)?;
                let recovery = key_file.new_recovery(&key)?;
                encrypt_in_place(path, &key, &key_file, Some(&recovery), fault)?;
                let store = Store::open_with(path, Some(&key))?;
                tracing::info!(store = %path.display(), user, "the plain store was encrypted");
                Ok(Unlocked { store, actor, migrated: true })
            }
        }
    }

    /// Opens the encrypted store at `path` with the recovery key and sets a
    /// new password for `admin` (an active admin), who is then signed in.
    pub fn recover(path: &Path, recovery_key: &str, admin: &str, new_password: &str) -> Result<Unlocked> {
        let admin = admin.trim();
        crate::auth::check_length(new_password)?;
        if keys::inspect(path)? != StoreFile::Encrypted {
            return Err(StoreError::RecoveryFailed);
        }
        let key_file = KeyFile::load(path)?.ok_or(StoreError::RecoveryFailed)?;
        let key = key_file.unlock_recovery(recovery_key)?;
        let mut store = Store::open_with(path, Some(&key))?;
        let actor = match store.actor(admin) {
            Ok(a) if a.role == claimdesk_core::Role::Admin => a,
            _ => return Err(StoreError::RecoveryFailed),
        };
        store.set_password(&actor, admin, new_password)?;
        Ok(Unlocked { store, actor, migrated: false })
    }

    /// Opens the encrypted store at `path` with a secret of the OS keychain
    /// (its keychain slot); None when the store has no such slot or the
    /// secret is not its. Nobody is signed in by this.
    pub fn open_with_keychain(path: &Path, secret: &[u8]) -> Result<Option<Store>> {
        if keys::inspect(path)? != StoreFile::Encrypted {
            return Ok(None);
        }
        let Some(key_file) = KeyFile::load(path)? else { return Ok(None) };
        match key_file.unlock_keychain(secret)? {
            Some(key) => Ok(Some(Store::open_with(path, Some(&key))?)),
            None => Ok(None),
        }
    }

    /// An admin lets this PC's keychain open the store (`secret` is kept
    /// there by the caller), or stops it (None). Audited as a refusal when
    /// not an admin.
    pub fn set_keychain_slot(&mut self, actor: &Actor, secret: Option<&[u8]>) -> Result<()> {
        self.require(actor, claimdesk_core::workflow::AdminAction::ManageUsers, "store:keychain")?;
        if self.key.is_none() {
            return Err(StoreError::Invalid(msg!("store.not_encrypted")));
        }
        self.update_key_file(|f, key| match secret {
            Some(s) => f.set_keychain(key, s),
            None => {
                f.remove_keychain();
                Ok(())
            }
        })
    }

    /// Whether the store is encrypted (opened with a data key).
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The data key, for a second connection to the same store ([`Store::open_keyed`]).
    pub fn data_key(&self) -> Option<&DataKey> {
        self.key.as_ref()
    }

    /// The key file of this store (None for a plain store).
    pub fn key_file(&self) -> Result<Option<KeyFile>> {
        if self.key.is_none() {
            return Ok(None);
        }
        KeyFile::load(&self.path)
    }

    /// What changes this store's key file, taken before a write transaction
    /// borrows the store (None for a plain store).
    pub(crate) fn key_access(&self) -> Option<KeyAccess> {
        self.key.as_ref().map(|k| KeyAccess { store: self.path.clone(), key: k.clone() })
    }

    /// Changes the key file under the data key (nothing for a plain store).
    pub(crate) fn update_key_file(&self, f: impl FnOnce(&mut KeyFile, &DataKey) -> Result<()>) -> Result<()> {
        match self.key_access() {
            Some(access) => access.update(f),
            None => Ok(()),
        }
    }

    /// Gives `user` a key slot wrapped with `password` (replacing theirs),
    /// for a password this desktop has just verified: their own sign-in, or
    /// a login the sync server accepted. Nothing for a plain store.
    pub fn set_key_slot(&self, user: &str, password: &str) -> Result<()> {
        self.update_key_file(|f, key| f.set_password_slot(key, user, password))
    }

    /// Gives `user` a key slot when they have none (a sign-in while the store is open).
    pub fn ensure_key_slot(&self, user: &str, password: &str) -> Result<bool> {
        match self.key_file()? {
            Some(f) if !f.has_user(user) => {
                self.set_key_slot(user, password)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Removes `user`'s key slot (deactivated); best effort, logged.
    pub(crate) fn forget_key_slot(&self, user: &str) {
        if let Err(e) = self.update_key_file(|f, _| {
            f.remove_user(user);
            Ok(())
        }) {
            tracing::warn!(user, error = %e, "the key slot of a deactivated user could not be removed");
        }
    }

    /// The recovery key made with this store, while no admin has confirmed
    /// keeping it; only an admin sees it.
    pub fn pending_recovery_key(&self, actor: &Actor) -> Result<Option<RecoveryKey>> {
        if actor.role != claimdesk_core::Role::Admin {
            return Ok(None);
        }
        let v: Option<String> = rusqlite::OptionalExtension::optional(self.conn.query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [RECOVERY_PENDING],
            |r| r.get(0),
        ))?;
        Ok(v.map(|s| RecoveryKey::from_stored(&s)))
    }

    /// An admin confirms they have kept the recovery key: it is no longer kept in the store.
    pub fn confirm_recovery_key(&mut self, actor: &Actor) -> Result<()> {
        self.require(actor, claimdesk_core::workflow::AdminAction::ManageUsers, "store:recovery")?;
        self.conn.execute("DELETE FROM meta WHERE key = ?1", [RECOVERY_PENDING])?;
        Ok(())
    }

    /// A new recovery key replaces the old one (an admin; shown once, not kept).
    pub fn new_recovery_key(&mut self, actor: &Actor) -> Result<RecoveryKey> {
        self.require(actor, claimdesk_core::workflow::AdminAction::ManageUsers, "store:recovery")?;
        let mut out = None;
        self.update_key_file(|f, key| {
            out = Some(f.new_recovery(key)?);
            Ok(())
        })?;
        self.conn.execute("DELETE FROM meta WHERE key = ?1", [RECOVERY_PENDING])?;
        out.ok_or_else(|| StoreError::Invalid(msg!("store.not_encrypted")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportOptions;
    use claimdesk_core::Catalog;

    /// A plain store (as 0.1 made them) with claims, a reviewer, evidence.
    fn plain_store(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("plain.db");
        let mut s = Store::open(&path).expect("plain");
        let admin = s.set_first_admin_password("admin password").expect("admin");
        s.create_user_with_password(
            &admin,
            "kim",
            "김심사",
            claimdesk_core::Role::Reviewer,
            None,
            "kim password",
        )
        .expect("kim");
        let csv = dir.join("in.csv");
        claimdesk_synth::write_csv_file(
            &claimdesk_synth::SynthConfig::demo(300),
            &Catalog::default_2022(),
            &csv,
        )
        .expect("synth");
        s.import_file(&admin, &csv, ImportOptions::default(), &mut |_| true).expect("import");
        let photo = dir.join("receipt.jpg");
        std::fs::write(&photo, "영수증 사진: 김철수 010-1234-5678").expect("photo");
        let id = s.queue_page(&Default::default(), Default::default(), 0, 1).expect("q").rows[0]
            .external_id
            .clone();
        s.add_evidence(&admin, &id, &photo).expect("evidence");
        path
    }

    #[test]
    fn evidence_of_a_migrated_store_is_sealed_and_still_reads() {
        let dir = tempfile::tempdir().expect("dir");
        let path = plain_store(dir.path());
        let plain = Store::open(&path).expect("plain");
        let sha: String =
            plain.conn().query_row("SELECT sha256 FROM evidence", [], |r| r.get(0)).expect("sha");
        let before = plain.read_evidence(&sha).expect("plain read");
        let evidence_dir = plain.evidence_dir();
        drop(plain);
        let opened = Store::unlock(&path, "admin", "admin password").expect("migrate");
        assert_eq!(opened.store.read_evidence(&sha).expect("sealed read"), before);
        let files = walk(&evidence_dir);
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().expect("name").to_string_lossy().into_owned();
        assert_ne!(name, sha, "the name is not the content's hash");
        let bytes = std::fs::read(&files[0]).expect("read");
        assert!(!String::from_utf8_lossy(&bytes).contains("010-1234-5678"));
        // A sealed file changed on disk is refused.
        let mut changed = bytes.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        std::fs::write(&files[0], changed).expect("tamper");
        assert_eq!(opened.store.read_evidence(&sha).err().map(|e| e.code()), Some("INVALID"));
    }

    fn counts(s: &Store) -> (u64, i64, String) {
        let c = s.claim_count().expect("claims");
        let ops: i64 = s.conn().query_row("SELECT count(*) FROM ops", [], |r| r.get(0)).expect("ops");
        let hits = s
            .queue_page(
                &crate::queue::QueueFilter { text: Some("택시".into()), ..Default::default() },
                Default::default(),
                0,
                5,
            )
            .expect("search")
            .total
            .to_string();
        (c, ops, hits)
    }

    #[test]
    fn a_migration_stopped_at_any_step_leaves_the_plain_store_as_it_was() {
        let dir = tempfile::tempdir().expect("dir");
        let path = plain_store(dir.path());
        let before = counts(&Store::open(&path).expect("plain"));
        for fault in [Fault::AfterExport, Fault::AfterVerify, Fault::AfterKeys] {
            let err = Store::unlock_inner(
                &path,
                "admin",
                "admin password",
                &mut |s: &mut Store, u: &str, p: &str| s.check_password(u, p),
                fault,
            )
            .expect_err("stopped");
            assert_eq!(err.code(), "ENCRYPTION", "{fault:?}");
            assert_eq!(keys::inspect(&path).expect("i"), StoreFile::Plain, "{fault:?}");
            assert!(!KeyFile::path_for(&path).exists(), "no key file left behind ({fault:?})");
            assert!(!keys::sibling(&path, ".encrypting").exists(), "no copy left behind ({fault:?})");
            let plain = Store::open(&path).expect("the plain store opens");
            assert_eq!(counts(&plain), before, "{fault:?}");
            assert_eq!(plain.integrity_check().expect("check"), "ok");
            plain.verify_audit().expect("chain");
        }
        // Debris of a killed run (a half copy and a key file) does not stop the next one.
        std::fs::write(keys::sibling(&path, ".encrypting"), b"half a copy").expect("debris");
        std::fs::write(KeyFile::path_for(&path), b"{}").expect("debris");
        let opened = Store::unlock(&path, "admin", "admin password").expect("migrates");
        assert!(opened.migrated);
        assert_eq!(counts(&opened.store), before);
        assert_eq!(keys::inspect(&path).expect("i"), StoreFile::Encrypted);
        drop(opened);
        // Now plain SQLite cannot read it, and the plain open says it is locked.
        assert_eq!(Store::open(&path).err().map(|e| e.code()), Some("STORE_LOCKED"));
        let raw = Connection::open(&path).expect("raw");
        assert!(raw.query_row("SELECT count(*) FROM claims", [], |r| r.get::<_, i64>(0)).is_err());
        let again = Store::unlock(&path, "admin", "admin password").expect("unlock");
        assert!(!again.migrated);
        assert_eq!(counts(&again.store), before);
        assert_eq!(again.store.integrity_check().expect("check"), "ok");
        again.store.verify_audit().expect("chain");
        // Only the person who migrated has a slot; kim gets hers at a sign-in while it is open.
        assert_eq!(Store::unlock(&path, "kim", "kim password").err().map(|e| e.code()), Some("NO_KEY_HERE"));
        assert!(again.store.ensure_key_slot("kim", "kim password").expect("slot"));
        drop(again);
        assert_eq!(Store::unlock(&path, "kim", "kim password").expect("kim").actor.user, "kim");
    }

    #[test]
    fn the_database_and_its_log_hold_no_plain_text() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("new.db");
        let (mut store, _recovery) = Store::create_encrypted(&path).expect("create");
        let admin = store.set_first_admin_password("admin password").expect("admin");
        let csv = dir.path().join("in.csv");
        claimdesk_synth::write_csv_file(
            &claimdesk_synth::SynthConfig::demo(200),
            &store.catalog().expect("c"),
            &csv,
        )
        .expect("synth");
        store.import_file(&admin, &csv, ImportOptions::default(), &mut |_| true).expect("import");
        let (name, phone): (String, String) = store
            .conn()
            .query_row("SELECT name, phone FROM claims WHERE phone IS NOT NULL LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("a claimant");
        // With the store still open, the log holds the latest pages.
        let wal = keys::sibling(&path, "-wal");
        for file in [path.clone(), wal] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            let hay = String::from_utf8_lossy(&bytes);
            assert!(!hay.contains(&name), "{} holds a claimant's name", file.display());
            assert!(!hay.contains(&phone), "{} holds a phone number", file.display());
            assert!(!hay.contains("SQLite format 3"), "{} is plain SQLite", file.display());
        }
        let cipher: String =
            store.conn().query_row("PRAGMA cipher_version", [], |r| r.get(0)).expect("cipher");
        assert!(!cipher.is_empty());
        let page: String = store.conn().query_row("PRAGMA cipher_page_size", [], |r| r.get(0)).expect("page");
        assert_eq!(page, PAGE_SIZE.to_string());
        let provider: String =
            store.conn().query_row("PRAGMA cipher_provider", [], |r| r.get(0)).expect("provider");
        assert_eq!(provider, "openssl");
    }

    /// Past 10,000 claims the evaluation reads half the table on a second
    /// connection, which must open the encrypted file with the key too.
    #[test]
    fn an_encrypted_store_large_enough_for_the_parallel_read_evaluates_every_claim() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("big.db");
        let (mut store, _recovery) = Store::create_encrypted(&path).expect("create");
        let admin = store.set_first_admin_password("admin password").expect("admin");
        let csv = dir.path().join("in.csv");
        let mut config = claimdesk_synth::SynthConfig::demo(12_000);
        config.invalid_rate = 0.0;
        claimdesk_synth::write_csv_file(&config, &store.catalog().expect("c"), &csv).expect("synth");
        store.import_file(&admin, &csv, ImportOptions::default(), &mut |_| true).expect("import");
        let claims = store.claim_count().expect("count");
        assert!(claims > 10_000, "{claims}");
        assert_eq!(store.evaluation_table(None).expect("evaluate").len() as u64, claims);
        let (_, policy) = store.active_policy().expect("policy");
        assert_eq!(store.what_if(&policy, &policy).expect("what-if").before.claims, claims);
    }

    #[cfg(unix)]
    #[test]
    fn every_file_of_an_encrypted_store_is_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("new.db");
        let (mut store, _) = Store::create_encrypted(&path).expect("create");
        let admin = store.set_first_admin_password("admin password").expect("admin");
        let photo = dir.path().join("photo.jpg");
        std::fs::write(&photo, b"\xff\xd8 a photo of a receipt").expect("photo");
        let csv = dir.path().join("in.csv");
        claimdesk_synth::write_csv_file(
            &claimdesk_synth::SynthConfig::demo(5),
            &store.catalog().expect("c"),
            &csv,
        )
        .expect("synth");
        store.import_file(&admin, &csv, ImportOptions::default(), &mut |_| true).expect("import");
        let id = store.queue_page(&Default::default(), Default::default(), 0, 1).expect("q").rows[0]
            .external_id
            .clone();
        store.add_evidence(&admin, &id, &photo).expect("evidence");
        let mut files = vec![
            path.clone(),
            keys::sibling(&path, "-wal"),
            keys::sibling(&path, "-shm"),
            KeyFile::path_for(&path),
        ];
        for entry in walk(&store.evidence_dir()) {
            files.push(entry);
        }
        assert!(files.len() >= 5, "{files:?}");
        for f in files {
            let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", f.display());
        }
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn slots_follow_passwords_deactivation_and_the_recovery_key() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("s.db");
        let (mut store, recovery) = Store::create_encrypted(&path).expect("create");
        let admin = store.set_first_admin_password("admin password").expect("admin");
        // Only an admin sees the pending key, until one confirms it.
        assert_eq!(
            store.pending_recovery_key(&admin).expect("p").map(|k| k.as_str().to_string()),
            Some(recovery.as_str().to_string())
        );
        store
            .create_user_with_password(
                &admin,
                "kim",
                "김",
                claimdesk_core::Role::Reviewer,
                None,
                "kim password",
            )
            .expect("kim");
        let kim = store.actor("kim").expect("kim");
        assert!(store.pending_recovery_key(&kim).expect("p").is_none());
        assert_eq!(store.confirm_recovery_key(&kim).err().map(|e| e.code()), Some("ROLE_NOT_ALLOWED"));
        store.confirm_recovery_key(&admin).expect("confirmed");
        assert!(store.pending_recovery_key(&admin).expect("p").is_none());
        drop(store);

        let opened = Store::unlock(&path, "kim", "kim password").expect("kim opens");
        let mut store = opened.store;
        let kim = opened.actor;
        store.set_password(&kim, "kim", "kim new password").expect("own password");
        drop(store);
        assert_eq!(
            Store::unlock(&path, "kim", "kim password").err().map(|e| e.code()),
            Some("SIGN_IN_FAILED")
        );
        let mut store = Store::unlock(&path, "kim", "kim new password").expect("new password").store;
        // A deactivated user's slot goes.
        store
            .update_user(
                &admin,
                "kim",
                crate::users::UserChange { active: Some(false), ..Default::default() },
            )
            .expect("deactivate");
        drop(store);
        assert_eq!(
            Store::unlock(&path, "kim", "kim new password").err().map(|e| e.code()),
            Some("NO_KEY_HERE")
        );

        // The admin forgot the password: the recovery key sets a new one.
        assert_eq!(
            Store::unlock(&path, "admin", "forgotten").err().map(|e| e.code()),
            Some("SIGN_IN_FAILED")
        );
        assert_eq!(
            Store::recover(&path, "AAAA-AAAA", "admin", "brand new pw").err().map(|e| e.code()),
            Some("RECOVERY_FAILED")
        );
        let typed = recovery.as_str().to_lowercase();
        assert_eq!(
            Store::recover(&path, &typed, "kim", "brand new pw").err().map(|e| e.code()),
            Some("RECOVERY_FAILED"),
            "kim is no admin"
        );
        let back = Store::recover(&path, &typed, "admin", "brand new pw").expect("recovered");
        assert_eq!(back.actor.user, "admin");
        drop(back);
        assert_eq!(Store::unlock(&path, "admin", "brand new pw").expect("signs in").actor.user, "admin");
        // The keychain slot: its secret opens the store, another does not, and it can be taken away.
        let mut store = Store::unlock(&path, "admin", "brand new pw").expect("admin").store;
        let admin = store.actor("admin").expect("admin");
        let reviewer = Actor { user: "kim".into(), role: claimdesk_core::Role::Reviewer, ..admin.clone() };
        assert_eq!(
            store.set_keychain_slot(&reviewer, Some(b"x")).err().map(|e| e.code()),
            Some("ROLE_NOT_ALLOWED")
        );
        store.set_keychain_slot(&admin, Some(b"a secret from the keychain")).expect("on");
        drop(store);
        assert!(Store::open_with_keychain(&path, b"another secret").expect("try").is_none());
        let mut store =
            Store::open_with_keychain(&path, b"a secret from the keychain").expect("try").expect("opens");
        assert!(store.key_file().expect("f").expect("f").has_keychain());
        store.set_keychain_slot(&admin, None).expect("off");
        drop(store);
        assert!(Store::open_with_keychain(&path, b"a secret from the keychain").expect("try").is_none());
        // A wrong key for the database itself is refused as such.
        assert_eq!(Store::open_keyed(&path, &DataKey::random()).err().map(|e| e.code()), Some("WRONG_KEY"));
    }
}
