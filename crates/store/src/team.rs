//! The one path by which team ops that are not about one claim take effect
//! in the store (incidents, batches, policy versions, activation, the catalog), used
//! both by the local writers (after their role check) and by pulled ops
//! (after the same role check on the author's stamp). Every op is checked
//! with the core's own parsers here, so a policy that does not parse or a
//! catalog with a service twice is an error of that op, never a store that
//! holds it.

use claimdesk_core::message::Explain;
use claimdesk_core::msg;
use claimdesk_core::ops::{BatchCreate, Op, PolicyActivate, PolicyCreate};
use claimdesk_core::policy::Policy;
use claimdesk_core::Catalog;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::error::{Result, StoreError};
use crate::evaluate::EvalSummary;

/// Who made a team op, where and when (its envelope).
#[derive(Debug, Clone)]
pub(crate) struct Envelope<'a> {
    pub op_id: &'a str,
    pub user: &'a str,
    pub device: &'a str,
    pub hlc: i64,
    pub at_ms: i64,
    pub entity: &'a str,
}

/// Applies a team op. Ops that only record (payout files, which are the
/// bookkeeping of the desktop that made them; users, which come from the
/// server's roster) change nothing here.
pub(crate) fn apply(tx: &Transaction<'_>, env: &Envelope<'_>, op: &Op) -> Result<()> {
    apply_with(tx, env, op, &mut |_| true).map(|_| ())
}

/// [`apply`] with the progress of a re-evaluation (a policy activation),
/// which `progress` may cancel by returning false; returns its summary.
pub(crate) fn apply_with(
    tx: &Transaction<'_>,
    env: &Envelope<'_>,
    op: &Op,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<Option<EvalSummary>> {
    let done = |r: Result<()>| r.map(|_| None);
    match op {
        Op::BatchCreate(b) => done(batch_create(tx, env, b)),
        Op::BatchApprove(_) => {
            let id = env.entity.strip_prefix("batch:").unwrap_or(env.entity);
            tx.prepare_cached("UPDATE batches SET approved_by = ?2, approved_at = ?3 WHERE id = ?1")?
                .execute(params![id, env.user, env.at_ms / 1000])?;
            Ok(None)
        }
        Op::PolicyCreate(p) => done(policy_create(tx, env, p)),
        Op::PolicyActivate(a) => policy_activate(tx, env, a, progress),
        Op::CatalogReplace(c) => done(catalog_replace(tx, c)),
        Op::IncidentCreate(c) => done(crate::incidents::apply_create(tx, env.user, env.at_ms / 1000, c)),
        Op::IncidentUpdate(i) => done(crate::incidents::apply_update(tx, i)),
        Op::PayoutExport(_)
        | Op::PayoutConfirm(_)
        | Op::PayoutCancel(_)
        | Op::FulfilmentExport(_)
        | Op::FulfilmentConfirm(_)
        | Op::FulfilmentCancel(_) => Ok(None),
        Op::Claim(_)
        | Op::ClaimImport(_)
        | Op::UserCreate(_)
        | Op::UserUpdate(_)
        | Op::UserPassword(_)
        | Op::UserRoster(_)
        | Op::SignIn(_)
        | Op::ViewSave(_)
        | Op::ViewDelete(_)
        | Op::SettingSet(_)
        | Op::ImportFile(_)
        | Op::QuarantineExport(_)
        | Op::RetryParked(_)
        | Op::DismissParked(_) => Err(StoreError::Invalid(msg!("store.not_team_change", kind = op.kind()))),
    }
}

fn batch_create(tx: &Transaction<'_>, env: &Envelope<'_>, b: &BatchCreate) -> Result<()> {
    if b.id.trim().is_empty() || b.name.trim().is_empty() {
        return Err(StoreError::Invalid(msg!("store.batch_id_name")));
    }
    tx.prepare_cached(
        "INSERT INTO batches (id, name, created_by, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, created_by = excluded.created_by, created_at = excluded.created_at",
    )?
    .execute(params![b.id, b.name.trim(), env.user, env.at_ms / 1000])?;
    Ok(())
}

fn policy_create(tx: &Transaction<'_>, env: &Envelope<'_>, p: &PolicyCreate) -> Result<()> {
    // Parsed and validated by the core: a policy that does not hold is refused whole.
    let policy = Policy::from_toml(&p.toml)?;
    if p.version < 1 {
        return Err(StoreError::Invalid(msg!("store.policy_version", version = p.version)));
    }
    // A version belongs to an incident this store has (its creation arrives first).
    crate::incidents::require(tx, p.incident_id())?;
    let stored: Option<(String, String)> = tx
        .query_row("SELECT toml, incident_id FROM policy_versions WHERE version = ?1", [p.version], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match stored {
        Some((text, incident))
            if incident == p.incident_id() && Policy::from_toml(&text).ok().as_ref() == Some(&policy) =>
        {
            return Ok(())
        }
        Some(_) => return Err(StoreError::Invalid(msg!("store.policy_version_taken", version = p.version))),
        None => {}
    }
    let name =
        if p.name.trim().is_empty() { format!("정책 {}", p.version) } else { p.name.trim().to_string() };
    tx.execute(
        "INSERT INTO policy_versions (version, name, toml, note, created_by, created_at, active, incident_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
        params![p.version, name, policy.to_toml(), p.note, env.user, env.at_ms / 1000, p.incident_id()],
    )?;
    Ok(())
}

/// The latest activation of each incident wins (by clock key), whatever
/// order activations arrive in; a version activates in its own incident.
fn policy_activate(
    tx: &Transaction<'_>,
    env: &Envelope<'_>,
    a: &PolicyActivate,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<Option<EvalSummary>> {
    let incident = match crate::policies::incident_of_version(tx, a.version) {
        Ok(i) => i,
        Err(_) => {
            return Err(StoreError::NotFound(format!(
                "policy version {} (its creation has not arrived)",
                a.version
            )))
        }
    };
    let key = (env.hlc, env.device.to_string(), env.op_id.to_string());
    if current_activation(tx, &incident)?.is_some_and(|k| k > key) {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('policy_activation:' || ?2, ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![serde_json::to_string(&key)?, incident],
    )?;
    let active: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM policy_versions WHERE version = ?1 AND active = 1)",
        [a.version],
        |r| r.get(0),
    )?;
    if active {
        return Ok(None);
    }
    tx.execute("UPDATE policy_versions SET active = 0 WHERE active = 1 AND incident_id = ?1", [&incident])?;
    tx.execute("UPDATE policy_versions SET active = 1 WHERE version = ?1", [a.version])?;
    Ok(Some(crate::evaluate::reevaluate_in(tx, &incident, progress)?))
}

/// The key of an incident's activation in force: recorded since protocol 2
/// (per incident since schema 6), or for the first incident the latest
/// activation op of an older store.
fn current_activation(tx: &Transaction<'_>, incident: &str) -> Result<Option<(i64, String, String)>> {
    let recorded: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'policy_activation:' || ?1", [incident], |r| r.get(0))
        .optional()?;
    if let Some(text) = recorded {
        return Ok(serde_json::from_str(&text).ok());
    }
    if incident != claimdesk_core::catalog::FIRST_INCIDENT {
        return Ok(None);
    }
    Ok(tx
        .query_row(
            "SELECT hlc, device, op_id FROM ops WHERE kind = 'policy.activate' AND outcome = 'applied' AND sync != 'local'
             ORDER BY hlc DESC, device DESC, op_id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

pub(crate) fn catalog_replace(tx: &Transaction<'_>, catalog: &Catalog) -> Result<()> {
    catalog.validate().map_err(|e| StoreError::Invalid(e.message()))?;
    crate::incidents::write_catalog(tx, catalog)
}
