//! ClaimDesk's local store: one SQLite file (rusqlite, bundled SQLCipher,
//! WAL; encrypted at rest with its key slots beside it: [`keys`], [`cipher`])
//! holding claims, the catalog, policy versions, annotations, evidence,
//! batches, users, the intake quarantine and the operation log.
//!
//! Every change goes through one path ([`claims`], [`batches`], ...): check
//! the role in the core's workflow rules, apply the change, append the op
//! with its audit hash, all in one transaction.

pub mod actions;
pub mod auth;
pub mod batches;
pub mod cipher;
pub(crate) mod claim_state;
pub mod claims;
pub mod cure;
pub mod dashboard;
pub mod delivery;
pub mod error;
pub mod evaluate;
pub mod evidence;
pub mod fulfilment;
pub mod import;
pub mod incidents;
pub mod keys;
pub mod notices;
pub mod oplog;
pub mod payout;
pub mod policies;
pub mod prefs;
pub mod quarantine;
pub mod queue;
pub mod reports;
pub mod reveals;
pub mod schema;
pub mod search;
pub mod server_trust;
pub mod stats;
pub mod status_feed;
pub mod sync_apply;
pub mod sync_desk;
pub mod sync_outbox;
pub mod sync_views;
pub(crate) mod team;
pub mod users;

use std::path::{Path, PathBuf};

use claimdesk_core::ops::{Op, PolicyCreate, UserRecord};
use claimdesk_core::{Actor, Catalog};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

pub use cipher::Unlocked;
pub use error::{Result, StoreError};
pub use keys::{DataKey, RecoveryKey};
use oplog::{Author, OpReceipt, OpWriter, SyncState};

/// Page size of new stores, bytes (SQLCipher's `cipher_page_size` too).
pub(crate) const PAGE_SIZE: i64 = 8192;

/// The page cache of a store connection, KiB.
pub(crate) const CACHE_KIB: i64 = 64 * 1024;

/// The user every new store starts with; change its name or add others with `users`.
pub const FIRST_ADMIN: &str = "admin";

pub struct Store {
    conn: Connection,
    path: PathBuf,
    device: String,
    /// The data key of an encrypted store; None for a plain one.
    key: Option<keys::DataKey>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("device", &self.device)
            .field("encrypted", &self.key.is_some())
            .finish()
    }
}

/// Seconds since the epoch, now.
pub(crate) fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Store {
    /// Opens the plain (unencrypted) store at `path`, creating it (default
    /// catalog, default policy active, a first admin) when the file does not
    /// exist. For tests, benchmarks and tools: the app and the CLI open
    /// encrypted stores only ([`Store::create_encrypted`], [`Store::unlock`],
    /// [`Store::open_keyed`]). An encrypted store is refused: `STORE_LOCKED`.
    pub fn open(path: &Path) -> Result<Store> {
        if keys::inspect(path)? == keys::StoreFile::Encrypted {
            return Err(StoreError::Locked { path: path.display().to_string() });
        }
        Store::open_with(path, None)
    }

    /// Opens an existing plain store; refuses to create one.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if keys::inspect(path)? == keys::StoreFile::Missing {
            return Err(StoreError::NotFound(format!("the store {}", path.display())));
        }
        Store::open(path)
    }

    /// Opens the existing encrypted store at `path` with its data key (a
    /// second connection beside one opened by [`Store::unlock`]).
    pub fn open_keyed(path: &Path, key: &keys::DataKey) -> Result<Store> {
        match keys::inspect(path)? {
            keys::StoreFile::Missing => Err(StoreError::NotFound(format!("the store {}", path.display()))),
            keys::StoreFile::Plain => Err(StoreError::Invalid(claimdesk_core::msg!("store.not_encrypted"))),
            keys::StoreFile::Encrypted => Store::open_with(path, Some(key)),
        }
    }

    /// Opens (or creates) the store at `path`, encrypted with `key` when given.
    pub(crate) fn open_with(path: &Path, key: Option<&keys::DataKey>) -> Result<Store> {
        let existed = keys::inspect(path)? != keys::StoreFile::Missing;
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                keys::create_private_dir(dir)?;
            }
        }
        if !existed {
            // 0600 from the start; SQLite gives its WAL, -shm and journal the same mode.
            keys::precreate_private(path)?;
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if let Some(key) = key {
            // Before anything else reads the file.
            cipher::apply_key(&conn, key)?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Every statement of the write paths stays prepared (rusqlite keeps 16 by default).
        conn.set_prepared_statement_cache_capacity(256);
        if !existed && key.is_none() {
            // Larger pages suit a store of long rows and big indexes; the
            // size is fixed when the first table is written (SQLCipher's is
            // its cipher_page_size, set with the key).
            conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}"))?;
        }
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;",
        )?;
        conn.execute_batch(&format!("PRAGMA cache_size = -{CACHE_KIB}"))?;
        let found = schema::migrate(&mut conn)?;
        sync_apply::restore_bulk_indexes(&conn)?;
        schema::drop_stat4_samples(&conn)?;
        let mut store = Store { conn, path: path.to_path_buf(), device: String::new(), key: key.cloned() };
        let device: Option<String> = store
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0))
            .optional()?;
        match device {
            Some(d) => store.device = d,
            None => store.initialize(existed)?,
        }
        if existed && found > 0 && found < schema::REFOLD_AFTER {
            // Cached states of older rules: every claim is decided again, once.
            store.refold_all()?;
        }
        if store.key.is_some() {
            // Evidence of a store that was plain is sealed now (once; resumed if cut short).
            store.seal_plain_evidence()?;
        }
        Ok(store)
    }

    /// First run: device id, catalog, default policy and the first admin, as
    /// one op each. They stay on this device (`local`): every store starts
    /// from the same defaults, and the server keeps users itself.
    fn initialize(&mut self, _existed: bool) -> Result<()> {
        let device = uuid::Uuid::now_v7().to_string();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?1)", [&device])?;
        let mut ops = OpWriter::begin(&tx)?;
        // Every desktop makes these same defaults itself: the ops stay on this
        // device (the server refuses "system", no user it knows, as wrong_author).
        let author = Author { user: "system", device: &device };
        // The first incident: the 2022 outage every store starts with (the demo incident).
        let catalog = Catalog::default_2022();
        let entity = format!("incident:{}", catalog.incident.id);
        let create = claimdesk_core::ops::IncidentCreate { catalog, copied_from: None };
        incidents::apply_create(&tx, "system", now_secs(), &create)?;
        ops.append_op(
            &tx,
            &author,
            &entity,
            &Op::IncidentCreate(Box::new(create)),
            None,
            None,
            SyncState::Local,
        )?;
        let admin_name = "관리자 (Administrator)";
        users::insert_user_in_tx(&tx, FIRST_ADMIN, admin_name, claimdesk_core::Role::Admin, None)?;
        let admin = UserRecord {
            id: FIRST_ADMIN.to_string(),
            display_name: admin_name.to_string(),
            role: claimdesk_core::Role::Admin,
            approval_limit: None,
            active: true,
        };
        ops.append_op(
            &tx,
            &author,
            &format!("user:{FIRST_ADMIN}"),
            &Op::UserCreate(admin),
            None,
            None,
            SyncState::Local,
        )?;
        let policy = claimdesk_core::policy::Policy::default_2022();
        let name = "기본 정책 (2022 최종안)";
        policies::insert_version_in_tx(&tx, 1, &policy, name, "system", true)?;
        let create = PolicyCreate {
            version: 1,
            name: name.to_string(),
            note: String::new(),
            toml: policy.to_toml(),
            incident: None,
        };
        ops.append_op(&tx, &author, "policy:1", &Op::PolicyCreate(create), None, None, SyncState::Local)?;
        ops.finish(&tx)?;
        tx.commit()?;
        self.device = device;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn device(&self) -> &str {
        &self.device
    }

    /// Read access for queries, reports and tests.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The user as the rules see them.
    pub fn actor(&self, user: &str) -> Result<Actor> {
        users::actor(&self.conn, user, &self.device)
    }

    /// The service catalog of the current incident.
    pub fn catalog(&self) -> Result<Catalog> {
        self.incident_catalog(None)
    }

    /// A write transaction that takes the lock at once (no upgrade deadlocks).
    pub(crate) fn write_tx(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Records a refused action in the audit chain, in its own transaction:
    /// the refused change itself left nothing behind.
    pub(crate) fn record_refusal(
        &mut self,
        actor: &Actor,
        entity: &str,
        kind: &str,
        why: &StoreError,
    ) -> Result<OpReceipt> {
        let device = self.device.clone();
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        let author = Author { user: &actor.user, device: &device };
        let receipt = ops.append_refusal(&tx, &author, entity, kind, why.code(), &why.to_string(), None)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(receipt)
    }

    /// Verifies the audit chain from the first entry to the last.
    pub fn verify_audit(&self) -> Result<oplog::ChainReport> {
        oplog::verify(&self.conn)
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// The directory where evidence files are kept, beside the database.
    pub fn evidence_dir(&self) -> PathBuf {
        let mut name = self.path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".evidence");
        self.path.with_file_name(name)
    }
}
