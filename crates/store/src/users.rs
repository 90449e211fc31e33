//! Users, roles and approval limits. Managing them is an admin action,
//! audited like any other.

use claimdesk_core::msg;
use claimdesk_core::ops::{Op, UserRecord, UserUpdate};
use claimdesk_core::workflow::{may, AdminAction};
use claimdesk_core::{Actor, Role};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter, SyncState};
use crate::{now_secs, Store};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub role: Role,
    /// Won; None = no limit.
    pub approval_limit: Option<i64>,
    pub active: bool,
}

pub(crate) fn insert_user_in_tx(
    tx: &Transaction<'_>,
    id: &str,
    name: &str,
    role: Role,
    limit: Option<i64>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO users (id, display_name, role, approval_limit, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, name, role.code(), limit, now_secs()],
    )?;
    Ok(())
}

pub(crate) fn actor(conn: &Connection, user: &str, device: &str) -> Result<Actor> {
    let row: Option<(String, Option<i64>, bool)> = conn
        .query_row("SELECT role, approval_limit, active FROM users WHERE id = ?1", [user], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (role, limit, active) = row.ok_or_else(|| StoreError::NotFound(format!("user '{user}'")))?;
    if !active {
        return Err(StoreError::Invalid(msg!("store.user_deactivated", user = user)));
    }
    let role =
        role.parse::<Role>().map_err(|_| StoreError::Invalid(msg!("store.unknown_role", value = role)))?;
    Ok(Actor {
        user: user.to_string(),
        role,
        approval_limit: limit.map(Decimal::from),
        device: device.to_string(),
    })
}

/// The trimmed id of a user to add, or why it cannot be.
fn valid_new_user(id: &str, limit: Option<i64>) -> Result<&str> {
    let id = id.trim();
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(StoreError::Invalid(msg!("store.user_id_word")));
    }
    if limit.is_some_and(|l| l < 0) {
        return Err(StoreError::Invalid(msg!("store.limit_negative")));
    }
    Ok(id)
}

/// Inserts a new user (refused when the id is taken); returns the op recording it.
fn insert_new_user(tx: &Transaction<'_>, id: &str, name: &str, role: Role, limit: Option<i64>) -> Result<Op> {
    let exists: bool =
        tx.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE id = ?1)", [id], |r| r.get(0))?;
    if exists {
        return Err(StoreError::Invalid(msg!("store.user_exists", id = id)));
    }
    insert_user_in_tx(tx, id, name, role, limit)?;
    Ok(Op::UserCreate(UserRecord {
        id: id.to_string(),
        display_name: name.to_string(),
        role,
        approval_limit: limit,
        active: true,
    }))
}

/// What an admin can change about a user.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// Some(None) removes the limit.
    pub approval_limit: Option<Option<i64>>,
    pub active: Option<bool>,
}

/// When this desktop last took the team's roster from the sync server (ms).
pub const KEY_ROSTER_AT: &str = "roster_at_ms";
/// How long a roster stays good for offline sign-in, ms (`KEY_OFFLINE_MAX_AGE`
/// overrides it): a person deactivated or demoted on the server loses
/// offline sign-in (or their old role) on a desktop that does not sync within it.
pub const OFFLINE_SIGN_IN_MAX_AGE_MS: i64 = 3 * 24 * 3600 * 1000;
pub const KEY_OFFLINE_MAX_AGE: &str = "offline_sign_in_max_age_ms";

impl Store {
    /// Records that the roster was taken from the server at `at_ms` (after `apply_roster`).
    pub fn roster_refreshed(&mut self, at_ms: i64) -> Result<()> {
        self.set_sync_setting(KEY_ROSTER_AT, &at_ms.to_string())
    }

    /// The longest a roster stays good for offline sign-in on this desktop, ms.
    pub fn offline_sign_in_max_age_ms(&self) -> Result<i64> {
        Ok(self
            .sync_setting(KEY_OFFLINE_MAX_AGE)?
            .and_then(|v| v.trim().parse().ok())
            .filter(|v: &i64| *v > 0)
            .unwrap_or(OFFLINE_SIGN_IN_MAX_AGE_MS))
    }

    /// Whether `user` may sign in offline (with the password the server
    /// last accepted here) at `now_ms`: they are active in the team as the
    /// server last said, and that was no longer ago than the bound. A desktop
    /// that has not synced within it asks for an online sign-in, so a person
    /// the server deactivated or demoted cannot go on working offline as before.
    pub fn may_sign_in_offline(&self, user: &str, now_ms: i64) -> Result<bool> {
        let Some(at) = self.sync_setting(KEY_ROSTER_AT)?.and_then(|v| v.trim().parse::<i64>().ok()) else {
            return Ok(false);
        };
        if now_ms.saturating_sub(at) > self.offline_sign_in_max_age_ms()? {
            return Ok(false);
        }
        Ok(self.users()?.iter().any(|u| u.id == user && u.active))
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, display_name, role, approval_limit, active FROM users ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, display_name, role, approval_limit, active) = row?;
            let role = role.parse().map_err(|e: claimdesk_core::model::UnknownCode| {
                StoreError::Invalid(msg!("store.unknown_role", value = e.text))
            })?;
            out.push(User { id, display_name, role, approval_limit, active });
        }
        Ok(out)
    }

    /// Admin: adds a user (without a password: they cannot sign in until one is set).
    pub fn create_user(
        &mut self,
        actor: &Actor,
        id: &str,
        name: &str,
        role: Role,
        limit: Option<i64>,
    ) -> Result<()> {
        let id = valid_new_user(id, limit)?;
        self.user_change(actor, &format!("user:{id}"), |tx| insert_new_user(tx, id, name, role, limit))
    }

    /// Admin: adds a user with their first password, in one transaction. A
    /// password the store would refuse (too short) is refused before anything
    /// is written, so no user is left behind without it.
    pub fn create_user_with_password(
        &mut self,
        actor: &Actor,
        id: &str,
        name: &str,
        role: Role,
        limit: Option<i64>,
        password: &str,
    ) -> Result<()> {
        let id = valid_new_user(id, limit)?;
        let phc = crate::auth::hash(password)?;
        let entity = format!("user:{id}");
        self.require(actor, AdminAction::ManageUsers, &entity)?;
        let device = self.device().to_string();
        let keys = self.key_access();
        let tx = self.write_tx()?;
        let created = insert_new_user(&tx, id, name, role, limit)?;
        crate::cipher::set_slot(&keys, id, password)?;
        tx.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![id, phc])?;
        let author = Author { user: &actor.user, device: &device };
        let mut ops = OpWriter::begin(&tx)?;
        ops.append_op(&tx, &author, &entity, &created, None, None, SyncState::Local)?;
        // As set_password writes it: the op never carries the hash.
        ops.append_op(
            &tx,
            &author,
            &entity,
            &Op::UserPassword(claimdesk_core::ops::UserRef { id: id.to_string() }),
            None,
            None,
            SyncState::Local,
        )?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Admin: changes a user's name, role, limit or whether they may sign in.
    pub fn update_user(&mut self, actor: &Actor, id: &str, change: UserChange) -> Result<()> {
        if matches!(change.approval_limit, Some(Some(l)) if l < 0) {
            return Err(StoreError::Invalid(msg!("store.limit_negative")));
        }
        let deactivated = change.active == Some(false);
        self.user_change(actor, &format!("user:{id}"), |tx| {
            let n = tx.execute(
                "UPDATE users SET display_name = coalesce(?2, display_name), role = coalesce(?3, role),
                     approval_limit = CASE WHEN ?4 THEN ?5 ELSE approval_limit END, active = coalesce(?6, active)
                 WHERE id = ?1",
                params![
                    id, change.display_name, change.role.map(|r| r.code()), change.approval_limit.is_some(),
                    change.approval_limit.flatten(), change.active
                ],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("user '{id}'")));
            }
            Ok(Op::UserUpdate(UserUpdate {
                id: id.to_string(),
                display_name: change.display_name,
                role: change.role,
                approval_limit: change.approval_limit,
                active: change.active,
            }))
        })?;
        if deactivated {
            // A deactivated person no longer opens the store here.
            self.forget_key_slot(id);
        }
        Ok(())
    }

    /// Checks that the actor's role may take an action that is not about one
    /// claim; a refusal is written to the audit chain and returned.
    /// The role check of an action, with its refusal audited, for a shell
    /// that asks the person something (a file dialog) before the action:
    /// the action checks again when it runs.
    pub fn check_may(&mut self, actor: &Actor, action: AdminAction, entity: &str) -> Result<()> {
        self.require(actor, action, entity)
    }

    pub(crate) fn require(&mut self, actor: &Actor, action: AdminAction, entity: &str) -> Result<()> {
        if let Err(refusal) = may(actor.role, action) {
            let err = StoreError::Refused(refusal);
            self.record_refusal(actor, entity, &format!("admin.{}", action.code()), &err)?;
            return Err(err);
        }
        Ok(())
    }

    /// The one path for team changes that are not about a claim (batches,
    /// policy versions, the catalog): check the role, build the op inside the
    /// transaction, apply it through [`crate::team::apply`] (the same code
    /// that applies a pulled one), append it, commit; a refusal is audited.
    pub(crate) fn team_change(
        &mut self,
        actor: &Actor,
        action: AdminAction,
        entity: &str,
        build: impl FnOnce(&Transaction<'_>) -> Result<Op>,
    ) -> Result<()> {
        self.require(actor, action, entity)?;
        let device = self.device().to_string();
        let tx = self.write_tx()?;
        let op = build(&tx)?;
        let mut ops = OpWriter::begin(&tx)?;
        team_op_in_tx(&tx, &mut ops, &Author { user: &actor.user, device: &device }, actor, entity, &op)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Changes of users, which a desktop makes for itself (a store without a
    /// sync server; a team's users live on the server): the change is applied
    /// by `apply` and recorded, never pushed.
    pub(crate) fn user_change(
        &mut self,
        actor: &Actor,
        entity: &str,
        apply: impl FnOnce(&Transaction<'_>) -> Result<Op>,
    ) -> Result<()> {
        self.require(actor, AdminAction::ManageUsers, entity)?;
        let device = self.device().to_string();
        let tx = self.write_tx()?;
        let op = apply(&tx)?;
        let mut ops = OpWriter::begin(&tx)?;
        ops.append_op(
            &tx,
            &Author { user: &actor.user, device: &device },
            entity,
            &op,
            None,
            None,
            SyncState::Local,
        )?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// The core's check of a role for an action that is not about one claim.
pub(crate) fn require_role(actor: &Actor, action: AdminAction) -> Result<()> {
    may(actor.role, action).map_err(StoreError::Refused)
}

/// Applies and appends a team op made here, inside an open transaction.
pub(crate) fn team_op_in_tx(
    tx: &Transaction<'_>,
    ops: &mut OpWriter,
    author: &Author<'_>,
    actor: &Actor,
    entity: &str,
    op: &Op,
) -> Result<crate::oplog::OpReceipt> {
    let (hlc, at) = ops.tick()?;
    let op_id = crate::oplog::new_op_id();
    let env = crate::team::Envelope {
        op_id: &op_id,
        user: author.user,
        device: author.device,
        hlc,
        at_ms: at,
        entity,
    };
    crate::team::apply(tx, &env, op)?;
    let stamp = crate::claim_state::local_stamp(actor, None, None);
    ops.write_at(
        tx,
        op_id,
        hlc,
        at,
        author,
        entity,
        &op.kind(),
        &op.payload().to_string(),
        None,
        false,
        SyncState::Pending,
        Some(&stamp),
    )
}
