//! What the desktop adds on top of sync_apply.rs: acting on parked ops
//! (retry after fixing, or dismiss: both audited, nothing deleted from the
//! log), who holds leases, and the server's user roster kept locally so a
//! person the server knows can sign in on this desktop.

use claimdesk_core::msg;
use claimdesk_core::ops::{Op, ParkedDecision, UserRecord};
use claimdesk_core::workflow::AdminAction;
use claimdesk_core::{Actor, Role};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter, SyncState};
use crate::Store;

/// A claim and who took it offline.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LeaseInfo {
    pub external_id: String,
    pub holder: String,
}

/// One user as the sync server lists them.
#[derive(Debug, Clone)]
pub struct RosterUser {
    pub id: String,
    pub display_name: String,
    pub role: Role,
    pub approval_limit: Option<i64>,
    pub active: bool,
}

impl RosterUser {
    /// The server's user as this store knows users; `None` for a role this
    /// build does not know (that user is left out rather than guessed).
    pub fn from_wire(u: &claimdesk_sync::protocol::UserInfo) -> Option<RosterUser> {
        Some(RosterUser {
            role: Role::parse(&u.role)?,
            id: u.id.clone(),
            display_name: u.display_name.clone(),
            approval_limit: u.approval_limit,
            active: u.active,
        })
    }
}

fn may_act_on(actor: &Actor, author: &str) -> Result<()> {
    if actor.user == author || matches!(actor.role, Role::Supervisor | Role::Admin) {
        Ok(())
    } else {
        Err(StoreError::Invalid(msg!("store.author_or_supervisor", author = author)))
    }
}

impl Store {
    /// The lease holders of these claims (claims nobody holds are left out).
    pub fn lease_holders(&self, external_ids: &[String]) -> Result<Vec<LeaseInfo>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT lease_holder FROM claims WHERE external_id = ?1 AND lease_holder IS NOT NULL",
        )?;
        let mut out = Vec::new();
        for ext in external_ids {
            if let Some(holder) = stmt.query_row([ext], |r| r.get::<_, String>(0)).optional()? {
                out.push(LeaseInfo { external_id: ext.clone(), holder });
            }
        }
        Ok(out)
    }

    /// Every lease (of one holder when given), by claim id, at most `limit`.
    pub fn leases(&self, holder: Option<&str>, limit: u64) -> Result<Vec<LeaseInfo>> {
        let mut stmt = self.conn().prepare(
            "SELECT external_id, lease_holder FROM claims WHERE lease_holder IS NOT NULL AND (?1 IS NULL OR lease_holder = ?1)
             ORDER BY external_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![holder, limit as i64], |r| {
            Ok(LeaseInfo { external_id: r.get(0)?, holder: r.get(1)? })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Sends a change the server rejected once more at the next sync (after
    /// the cause was fixed, e.g. a role changed on the server). Its effect is
    /// shown again meanwhile. Audited as a `sync.retry_parked` entry.
    pub fn retry_parked(&mut self, actor: &Actor, op_id: &str) -> Result<()> {
        self.parked_action(actor, op_id, None)
    }

    /// Gives up on a change the server rejected: it stays in the log (with
    /// sync = local, its effect undone) and leaves the parked list; the
    /// dismissal, with the server's reason and the note, is an audited
    /// `sync.dismiss_parked` entry.
    pub fn dismiss_parked(&mut self, actor: &Actor, op_id: &str, note: &str) -> Result<()> {
        self.parked_action(actor, op_id, Some(note.trim()))
    }

    fn parked_action(&mut self, actor: &Actor, op_id: &str, dismiss: Option<&str>) -> Result<()> {
        let device = self.device().to_string();
        let tx = self.write_tx()?;
        let row: Option<(String, String, String, String, String, String, bool)> = tx
            .query_row(
                "SELECT origin, entity, kind, user_id, code, reason, retry FROM parked_ops WHERE op_id = ?1",
                [op_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let (origin, entity, kind, user, code, reason, retried_by_itself) =
            row.ok_or_else(|| StoreError::NotFound(format!("parked change {op_id}")))?;
        if origin == "remote" {
            // Another person's change that this desktop refused: a supervisor
            // may set it aside once seen; one tried again at every sync waits.
            if retried_by_itself || dismiss.is_none() {
                return Err(StoreError::Invalid(msg!("store.parked_remote")));
            }
            crate::users::require_role(actor, AdminAction::ViewAudit)?;
        } else {
            may_act_on(actor, &user)?;
        }
        let decision = ParkedDecision {
            op_id: op_id.to_string(),
            kind,
            code,
            reason,
            note: dismiss.map(str::to_string),
        };
        if dismiss.is_none() {
            let n =
                tx.execute("UPDATE ops SET sync = 'pending' WHERE op_id = ?1 AND sync = 'local'", [op_id])?;
            if n == 0 {
                return Err(StoreError::Invalid(msg!("store.change_not_waiting", op_id = op_id)));
            }
        }
        // The parked entry's content moves into the audited record.
        tx.execute("DELETE FROM parked_ops WHERE op_id = ?1", [op_id])?;
        let mut ops = OpWriter::begin(&tx)?;
        let record = if dismiss.is_some() { Op::DismissParked(decision) } else { Op::RetryParked(decision) };
        ops.append_op(
            &tx,
            &Author { user: &actor.user, device: &device },
            &entity,
            &record,
            None,
            None,
            SyncState::Local,
        )?;
        ops.finish(&tx)?;
        if dismiss.is_none() {
            if let Some(ext) = entity.strip_prefix("claim:") {
                let through: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM ops", [], |r| r.get(0))?;
                crate::claim_state::refold_and_write(&tx, ext, through)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Keeps the server's users here (new ones added, names, roles, limits
    /// and active flags updated), so that they can sign in on this desktop
    /// with the credentials the server last verified. Passwords are not
    /// touched. Returns how many users changed. Audited per change as a
    /// device-local `user.roster` entry.
    pub fn apply_roster(&mut self, actor_user: &str, users: &[RosterUser]) -> Result<u64> {
        let device = self.device().to_string();
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        let mut changed = 0;
        for u in users {
            let current: Option<(String, String, Option<i64>, bool)> = tx
                .query_row(
                    "SELECT display_name, role, approval_limit, active FROM users WHERE id = ?1",
                    [&u.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let want = (u.display_name.clone(), u.role.code().to_string(), u.approval_limit, u.active);
            if current.as_ref() == Some(&want) {
                continue;
            }
            tx.execute(
                "INSERT INTO users (id, display_name, role, approval_limit, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
                     approval_limit = excluded.approval_limit, active = excluded.active",
                params![u.id, u.display_name, u.role.code(), u.approval_limit, u.active, crate::now_secs()],
            )?;
            let record = Op::UserRoster(UserRecord {
                id: u.id.clone(),
                display_name: u.display_name.clone(),
                role: u.role,
                approval_limit: u.approval_limit,
                active: u.active,
            });
            ops.append_op(
                &tx,
                &Author { user: actor_user, device: &device },
                &format!("user:{}", u.id),
                &record,
                None,
                None,
                SyncState::Local,
            )?;
            changed += 1;
        }
        ops.finish(&tx)?;
        tx.commit()?;
        // A person the server has deactivated no longer opens the store here.
        for u in users.iter().filter(|u| !u.active) {
            self.forget_key_slot(&u.id);
        }
        Ok(changed)
    }
}
