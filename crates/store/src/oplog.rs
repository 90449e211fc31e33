//! The operation log: one row per change, appended in the same transaction as
//! the change itself, stamped by the persisted hybrid logical clock and
//! hash-chained so that editing any past row is detected by [`verify`].

use claimdesk_core::hlc::{wall_clock_ms, Clock, Stamp};
use claimdesk_core::msg;
use claimdesk_core::ops::{Op, Stamp as AuthorStamp, IMPORT_KIND};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};

/// How far ahead of this device's clock a remote stamp may be (sync.md).
pub const MAX_CLOCK_AHEAD_MS: u64 = 5 * 60 * 1000;

/// A new op id: a UUIDv7, ordered by creation time.
pub fn new_op_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// What the server would refuse for its size is not made here either
/// (`claimdesk_sync::admit::max_payload_bytes`: a note of 40,000 letters, say),
/// so it never sits in the outbox to be parked at every push.
pub fn check_size(op: &Op, payload: &serde_json::Value) -> Result<()> {
    match claimdesk_sync::admit::oversized(op, payload) {
        Some((size, max)) => {
            Err(StoreError::Invalid(msg!("store.op_too_large", kind = op.kind(), size = size, max = max)))
        }
        None => Ok(()),
    }
}

/// Who makes the change, from which device.
#[derive(Debug, Clone)]
pub struct Author<'a> {
    pub user: &'a str,
    pub device: &'a str,
}

/// Whether an op goes to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// In the outbox, waiting to be pushed.
    Pending,
    /// Never leaves this device (refusals, and local ops the server rejected).
    Local,
    /// Made on another device, pulled from the server.
    Remote,
}

impl SyncState {
    fn code(self) -> &'static str {
        match self {
            SyncState::Pending => "pending",
            SyncState::Local => "local",
            SyncState::Remote => "remote",
        }
    }
}

/// One appended op, as recorded.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct OpReceipt {
    pub seq: i64,
    pub op_id: String,
    pub hlc: i64,
}

/// Appends ops within one transaction. Loads the chain head and the clock
/// when made, and persists the clock in [`OpWriter::finish`], so a rolled
/// back transaction leaves both as they were.
pub struct OpWriter {
    prev_hash: [u8; 32],
    next_seq: i64,
    clock: Clock,
    /// Added to the wall clock: `meta.clock_offset_ms`, set for tests of
    /// clocks that jump (and for a device whose clock is known to be off).
    offset_ms: i64,
}

impl OpWriter {
    pub fn begin(tx: &Transaction<'_>) -> Result<OpWriter> {
        let head: Option<(i64, Vec<u8>)> = tx
            .query_row("SELECT seq, hash FROM ops ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (last_seq, prev_hash) = match head {
            Some((seq, hash)) => {
                (seq, to_hash(&hash).ok_or_else(|| broken(seq, "", "stored hash is not 32 bytes"))?)
            }
            None => (0, [0u8; 32]),
        };
        let stamp: Option<i64> = tx
            .query_row("SELECT value FROM meta WHERE key = 'hlc'", [], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| v.parse().ok());
        let clock = Clock::new(stamp.map(Stamp::from_i64).unwrap_or_default(), MAX_CLOCK_AHEAD_MS);
        let offset_ms: i64 = tx
            .query_row("SELECT value FROM meta WHERE key = 'clock_offset_ms'", [], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(OpWriter { prev_hash, next_seq: last_seq + 1, clock, offset_ms })
    }

    fn wall(&self) -> u64 {
        (wall_clock_ms() as i64).saturating_add(self.offset_ms).max(0) as u64
    }

    /// Appends one typed op, with what this device knows of its author
    /// (`stamp`: the author's role and limit, and for a recommendation the
    /// policy's result it was decided against).
    #[allow(clippy::too_many_arguments)]
    pub fn append_op(
        &mut self,
        tx: &Transaction<'_>,
        author: &Author<'_>,
        entity: &str,
        op: &Op,
        base: Option<i64>,
        stamp: Option<&AuthorStamp>,
        sync: SyncState,
    ) -> Result<OpReceipt> {
        self.append_op_with_id(tx, new_op_id(), author, entity, op, base, stamp, sync)
    }

    /// [`OpWriter::append_op`] for an op whose id was made beforehand.
    #[allow(clippy::too_many_arguments)]
    pub fn append_op_with_id(
        &mut self,
        tx: &Transaction<'_>,
        op_id: String,
        author: &Author<'_>,
        entity: &str,
        op: &Op,
        base: Option<i64>,
        stamp: Option<&AuthorStamp>,
        sync: SyncState,
    ) -> Result<OpReceipt> {
        let payload = op.payload();
        if sync == SyncState::Pending {
            check_size(op, &payload)?;
        }
        let (hlc, at) = self.tick()?;
        self.write_at(
            tx,
            op_id,
            hlc,
            at,
            author,
            entity,
            &op.kind(),
            &payload.to_string(),
            base,
            false,
            sync,
            stamp,
        )
    }

    /// Appends a `claim.import` whose payload (the validated row as JSON) was
    /// made beforehand, off the writing thread.
    pub fn write_import(
        &mut self,
        tx: &Transaction<'_>,
        author: &Author<'_>,
        external_id: &str,
        payload: &str,
        stamp: Option<&AuthorStamp>,
    ) -> Result<OpReceipt> {
        let (hlc, at) = self.tick()?;
        let entity = format!("claim:{external_id}");
        self.write_at(
            tx,
            new_op_id(),
            hlc,
            at,
            author,
            &entity,
            IMPORT_KIND,
            payload,
            None,
            false,
            SyncState::Pending,
            stamp,
        )
    }

    /// Records a refused action in the chain (outcome `refused`, never synced).
    #[allow(clippy::too_many_arguments)]
    pub fn append_refusal(
        &mut self,
        tx: &Transaction<'_>,
        author: &Author<'_>,
        entity: &str,
        kind: &str,
        code: &str,
        message: &str,
        base: Option<i64>,
    ) -> Result<OpReceipt> {
        let payload = serde_json::json!({"code": code, "message": message}).to_string();
        let (hlc, at) = self.tick()?;
        self.write_at(
            tx,
            new_op_id(),
            hlc,
            at,
            author,
            entity,
            kind,
            &payload,
            base,
            true,
            SyncState::Local,
            None,
        )
    }

    /// The next clock stamp and wall time of an op written on this device.
    pub fn tick(&mut self) -> Result<(i64, i64)> {
        let at = self.wall();
        let hlc = self
            .clock
            .tick(at)
            .map_err(|e| StoreError::Invalid(msg!("invalid.detail", detail = e)))?
            .to_i64();
        Ok((hlc, at as i64))
    }

    /// Writes an op made on this device with a stamp taken by [`OpWriter::tick`].
    #[allow(clippy::too_many_arguments)]
    pub fn write_at(
        &mut self,
        tx: &Transaction<'_>,
        op_id: String,
        hlc: i64,
        at: i64,
        author: &Author<'_>,
        entity: &str,
        kind: &str,
        payload: &str,
        base: Option<i64>,
        refused: bool,
        sync: SyncState,
        stamp: Option<&AuthorStamp>,
    ) -> Result<OpReceipt> {
        let seq = self.next_seq;
        let outcome = if refused { "refused" } else { "applied" };
        let entry = Entry {
            seq,
            op_id: &op_id,
            hlc,
            user: author.user,
            device: author.device,
            entity,
            kind,
            payload,
            base,
            at,
            outcome,
        };
        let hash = entry.hash(&self.prev_hash);
        let proposal = stamp.and_then(|s| s.proposal.as_ref()).map(serde_json::to_string).transpose()?;
        let cited = stamp.and_then(|s| s.cited.as_ref()).map(serde_json::to_string).transpose()?;
        let mut stmt = tx.prepare_cached(
            "INSERT INTO ops (seq, op_id, hlc, user_id, device, entity, kind, payload, base, at, outcome, sync, hash, role, approval_limit, proposal, cited)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?;
        stmt.execute(params![
            seq,
            op_id,
            hlc,
            author.user,
            author.device,
            entity,
            kind,
            payload,
            base,
            at,
            outcome,
            sync.code(),
            &hash[..],
            stamp.map(|s| s.role.code()),
            stamp.and_then(|s| s.approval_limit),
            proposal,
            cited
        ])?;
        self.prev_hash = hash;
        self.next_seq += 1;
        Ok(OpReceipt { seq, op_id, hlc })
    }

    /// Takes a remote stamp into account (sync.md: later local stamps order
    /// after it); a stamp too far ahead of this device's clock is refused and
    /// leaves the clock as it was.
    pub fn observe(&mut self, hlc: i64) -> std::result::Result<(), claimdesk_core::hlc::ClockError> {
        let wall = self.wall();
        self.clock.observe(Stamp::from_i64(hlc), wall).map(|_| ())
    }

    /// Appends an op made on another device, as it was made (its id, stamp,
    /// author and time), at the end of this device's chain.
    pub fn append_remote(&mut self, tx: &Transaction<'_>, op: &RemoteOp<'_>) -> Result<i64> {
        let seq = self.next_seq;
        let entry = Entry {
            seq,
            op_id: op.op_id,
            hlc: op.hlc,
            user: op.user,
            device: op.device,
            entity: op.entity,
            kind: op.kind,
            payload: op.payload,
            base: op.base,
            at: op.at_ms,
            outcome: "applied",
        };
        let hash = entry.hash(&self.prev_hash);
        let proposal = op.stamp.and_then(|s| s.proposal.as_ref()).map(serde_json::to_string).transpose()?;
        let cited = op.stamp.and_then(|s| s.cited.as_ref()).map(serde_json::to_string).transpose()?;
        let mut stmt = tx.prepare_cached(
            "INSERT INTO ops (seq, op_id, hlc, user_id, device, entity, kind, payload, base, at, outcome, sync, hash,
                              role, approval_limit, proposal, server_seq, cited)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'applied', 'remote', ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        stmt.execute(params![
            seq,
            op.op_id,
            op.hlc,
            op.user,
            op.device,
            op.entity,
            op.kind,
            op.payload,
            op.base,
            op.at_ms,
            &hash[..],
            op.stamp.map(|s| s.role.code()),
            op.stamp.and_then(|s| s.approval_limit),
            proposal,
            op.server_seq,
            cited
        ])?;
        self.prev_hash = hash;
        self.next_seq += 1;
        Ok(seq)
    }

    /// The seq the next appended op gets.
    pub fn next_seq(&self) -> i64 {
        self.next_seq
    }

    /// Persists the clock; call before committing.
    pub fn finish(self, tx: &Transaction<'_>) -> Result<()> {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('hlc', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [self.clock.last.to_i64().to_string()],
        )?;
        Ok(())
    }
}

/// An op from another device, as the chain records it.
#[derive(Debug, Clone)]
pub struct RemoteOp<'a> {
    pub op_id: &'a str,
    pub hlc: i64,
    pub user: &'a str,
    pub device: &'a str,
    pub entity: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub base: Option<i64>,
    pub at_ms: i64,
    /// What the server recorded about the author (None: an op stored before protocol 2).
    pub stamp: Option<&'a AuthorStamp>,
    pub server_seq: Option<i64>,
}

/// The fields of an op that the hash covers (not its sync state, which changes).
struct Entry<'a> {
    seq: i64,
    op_id: &'a str,
    hlc: i64,
    user: &'a str,
    device: &'a str,
    entity: &'a str,
    kind: &'a str,
    payload: &'a str,
    base: Option<i64>,
    at: i64,
    outcome: &'a str,
}

impl Entry<'_> {
    fn hash(&self, prev: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(prev);
        h.update(self.seq.to_le_bytes());
        h.update(self.hlc.to_le_bytes());
        h.update(self.at.to_le_bytes());
        h.update(self.base.unwrap_or(-1).to_le_bytes());
        // Length-prefixed so that moving bytes between fields changes the hash.
        for text in [self.op_id, self.user, self.device, self.entity, self.kind, self.payload, self.outcome] {
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        h.finalize().into()
    }
}

fn to_hash(bytes: &[u8]) -> Option<[u8; 32]> {
    bytes.try_into().ok()
}

fn broken(seq: i64, op_id: &str, why: &str) -> StoreError {
    StoreError::AuditBroken { seq, op_id: op_id.to_string(), why: why.to_string() }
}

/// The result of a verification that passed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    pub entries: i64,
    pub head: String,
}

/// Walks the whole chain; names the first entry whose hash or link is wrong.
pub fn verify(conn: &rusqlite::Connection) -> Result<ChainReport> {
    let mut stmt = conn.prepare(
        "SELECT seq, op_id, hlc, user_id, device, entity, kind, payload, base, at, outcome, hash FROM ops ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = [0u8; 32];
    let mut expected_seq = 1;
    let mut count = 0;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let op_id: String = r.get(1)?;
        if seq != expected_seq {
            return Err(broken(expected_seq, &op_id, "an entry is missing before this one"));
        }
        let (user, device, entity, kind, payload, outcome): (String, String, String, String, String, String) =
            (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(10)?);
        let entry = Entry {
            seq,
            op_id: &op_id,
            hlc: r.get(2)?,
            user: &user,
            device: &device,
            entity: &entity,
            kind: &kind,
            payload: &payload,
            base: r.get(8)?,
            at: r.get(9)?,
            outcome: &outcome,
        };
        let stored: Vec<u8> = r.get(11)?;
        // Each hash covers the previous one, so an edit, a removal or a
        // reordering shows at the first entry it touches.
        let computed = entry.hash(&prev);
        if stored != computed {
            return Err(broken(seq, &op_id, "its content or its place in the chain does not match its hash (it was changed after it was written)"));
        }
        prev = computed;
        expected_seq += 1;
        count += 1;
    }
    Ok(ChainReport { entries: count, head: hex::encode(prev) })
}
