//! Users, roles and approval limits. Managing them is an admin action,
//! audited like any other.

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

pub(crate) fn insert_user_in_tx(tx: &Transaction<'_>, id: &str, name: &str, role: Role, limit: Option<i64>) -> Result<()> {
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
        return Err(StoreError::Invalid(format!("user '{user}' is deactivated; an admin can reactivate them")));
    }
    let role = role.parse::<Role>().map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(Actor { user: user.to_string(), role, approval_limit: limit.map(Decimal::from), device: device.to_string() })
}

/// The trimmed id of a user to add, or why it cannot be.
fn valid_new_user(id: &str, limit: Option<i64>) -> Result<&str> {
    let id = id.trim();
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(StoreError::Invalid("a user id must be one word without spaces".into()));
    }
    if limit.is_some_and(|l| l < 0) {
        return Err(StoreError::Invalid("an approval limit cannot be negative".into()));
    }
    Ok(id)
}

/// Inserts a new user (refused when the id is taken); returns the op's payload.
fn insert_new_user(tx: &Transaction<'_>, id: &str, name: &str, role: Role, limit: Option<i64>) -> Result<serde_json::Value> {
    let exists: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE id = ?1)", [id], |r| r.get(0))?;
    if exists {
        return Err(StoreError::Invalid(format!("a user '{id}' already exists")));
    }
    insert_user_in_tx(tx, id, name, role, limit)?;
    Ok(serde_json::json!({"id": id, "display_name": name, "role": role, "approval_limit": limit}))
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

impl Store {
    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self.conn().prepare("SELECT id, display_name, role, approval_limit, active FROM users ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, display_name, role, approval_limit, active) = row?;
            let role = role.parse().map_err(|e: claimdesk_core::model::UnknownCode| StoreError::Invalid(e.to_string()))?;
            out.push(User { id, display_name, role, approval_limit, active });
        }
        Ok(out)
    }

    /// Admin: adds a user (without a password: they cannot sign in until one is set).
    pub fn create_user(&mut self, actor: &Actor, id: &str, name: &str, role: Role, limit: Option<i64>) -> Result<()> {
        let id = valid_new_user(id, limit)?;
        self.admin_change(actor, AdminAction::ManageUsers, &format!("user:{id}"), "user.create", |tx| {
            insert_new_user(tx, id, name, role, limit)
        })
    }

    /// Admin: adds a user with their first password, in one transaction. A
    /// password the store would refuse (too short) is refused before anything
    /// is written, so no user is left behind without it.
    pub fn create_user_with_password(&mut self, actor: &Actor, id: &str, name: &str, role: Role, limit: Option<i64>, password: &str) -> Result<()> {
        let id = valid_new_user(id, limit)?;
        let phc = crate::auth::hash(password)?;
        let entity = format!("user:{id}");
        self.require(actor, AdminAction::ManageUsers, &entity, "user.create")?;
        let device = self.device().to_string();
        let tx = self.write_tx()?;
        let payload = insert_new_user(&tx, id, name, role, limit)?;
        tx.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![id, phc])?;
        let author = Author { user: &actor.user, device: &device };
        let mut ops = OpWriter::begin(&tx)?;
        ops.append(&tx, &author, &entity, "user.create", &payload.to_string(), None, false, SyncState::Pending)?;
        // As set_password writes it: the op never carries the hash and stays on this device.
        ops.append(&tx, &author, &entity, "user.password", &serde_json::json!({"id": id}).to_string(), None, false, SyncState::Local)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Admin: changes a user's name, role, limit or whether they may sign in.
    pub fn update_user(&mut self, actor: &Actor, id: &str, change: UserChange) -> Result<()> {
        if matches!(change.approval_limit, Some(Some(l)) if l < 0) {
            return Err(StoreError::Invalid("an approval limit cannot be negative".into()));
        }
        self.admin_change(actor, AdminAction::ManageUsers, &format!("user:{id}"), "user.update", |tx| {
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
            Ok(serde_json::json!({
                "id": id, "display_name": change.display_name, "role": change.role,
                "approval_limit": change.approval_limit, "active": change.active
            }))
        })
    }

    /// Checks that the actor's role may take an action that is not about one
    /// claim; a refusal is written to the audit chain and returned.
    pub(crate) fn require(&mut self, actor: &Actor, action: AdminAction, entity: &str, kind: &str) -> Result<()> {
        if let Err(refusal) = may(actor.role, action) {
            let err = StoreError::Refused(refusal);
            self.record_refusal(actor, entity, kind, &err)?;
            return Err(err);
        }
        Ok(())
    }

    /// The one path for changes that are not about a claim: check the role,
    /// apply, append the op, in one transaction; a refusal is audited.
    pub(crate) fn admin_change(
        &mut self,
        actor: &Actor,
        action: AdminAction,
        entity: &str,
        kind: &str,
        apply: impl FnOnce(&Transaction<'_>) -> Result<serde_json::Value>,
    ) -> Result<()> {
        self.require(actor, action, entity, kind)?;
        let device = self.device().to_string();
        let tx = self.write_tx()?;
        let payload = apply(&tx)?;
        let mut ops = OpWriter::begin(&tx)?;
        ops.append(&tx, &Author { user: &actor.user, device: &device }, entity, kind, &payload.to_string(), None, false, SyncState::Pending)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }
}
