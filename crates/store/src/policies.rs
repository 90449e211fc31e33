//! The service catalog and the policy versions of each incident. A policy is
//! never edited in place: a supervisor adds a new version to an incident and
//! activates it, which re-evaluates that incident's claims.

use claimdesk_core::message::Explain;
use claimdesk_core::ops::{Op, PolicyActivate, PolicyCreate};
use claimdesk_core::policy::Policy;
use claimdesk_core::workflow::AdminAction;
use claimdesk_core::{Actor, Catalog};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::oplog::{new_op_id, Author, OpWriter, SyncState};
use crate::team::Envelope;
use crate::{now_secs, Store};

pub(crate) fn insert_version_in_tx(
    tx: &Transaction<'_>,
    version: i64,
    policy: &Policy,
    name: &str,
    by: &str,
    active: bool,
) -> Result<()> {
    tx.execute(
        "INSERT INTO policy_versions (version, name, toml, created_by, created_at, active, incident_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![version, name, policy.to_toml(), by, now_secs(), active, claimdesk_core::catalog::FIRST_INCIDENT],
    )?;
    Ok(())
}

/// An incident's active policy and its version, as seen by `conn` (inside a transaction too).
pub(crate) fn active_policy_in(conn: &Connection, incident: &str) -> Result<(i64, Policy)> {
    let (version, text): (i64, String) = conn
        .prepare_cached("SELECT version, toml FROM policy_versions WHERE incident_id = ?1 AND active = 1")?
        .query_row([incident], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("an active policy of incident {incident}")))?;
    Ok((version, Policy::from_toml(&text)?))
}

/// The incident a policy version belongs to.
pub(crate) fn incident_of_version(conn: &Connection, version: i64) -> Result<String> {
    conn.query_row("SELECT incident_id FROM policy_versions WHERE version = ?1", [version], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("policy version {version}")))
}

/// The reason catalog and the documents of a policy version, for the app's
/// pickers and lists (a policy without its own catalog shows the shipped one).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ReasonCatalog {
    pub version: i64,
    pub reasons: Vec<claimdesk_core::policy::ReasonDef>,
    pub documents: Vec<claimdesk_core::policy::DocumentDef>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct PolicyVersion {
    pub version: i64,
    pub name: String,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
    pub active: bool,
    pub incident_id: String,
}

impl Store {
    /// The current incident's active policy and its version number.
    pub fn active_policy(&self) -> Result<(i64, Policy)> {
        active_policy_in(self.conn(), &self.current_incident()?)
    }

    /// An incident's active policy (the current incident's when None).
    pub fn active_policy_of(&self, incident: Option<&str>) -> Result<(i64, Policy)> {
        active_policy_in(self.conn(), &self.resolve_incident(incident)?)
    }

    /// The reason catalog and documents of an incident's active policy (the current incident's when None).
    pub fn reason_catalog(&self, incident: Option<&str>) -> Result<ReasonCatalog> {
        let (version, policy) = self.active_policy_of(incident)?;
        Ok(ReasonCatalog {
            version,
            reasons: policy.reason_catalog().into_owned(),
            documents: policy.documents.clone(),
        })
    }

    pub fn policy(&self, version: i64) -> Result<Policy> {
        let text: String = self
            .conn()
            .query_row("SELECT toml FROM policy_versions WHERE version = ?1", [version], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("policy version {version}")))?;
        Ok(Policy::from_toml(&text)?)
    }

    /// The policy versions of the current incident.
    pub fn policy_versions(&self) -> Result<Vec<PolicyVersion>> {
        self.policy_versions_of(None)
    }

    /// The policy versions of an incident (the current one when None).
    pub fn policy_versions_of(&self, incident: Option<&str>) -> Result<Vec<PolicyVersion>> {
        let incident = self.resolve_incident(incident)?;
        let mut stmt = self.conn().prepare(
            "SELECT version, name, note, created_by, created_at, active, incident_id FROM policy_versions
             WHERE incident_id = ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map([incident], |r| {
            Ok(PolicyVersion {
                version: r.get(0)?,
                name: r.get(1)?,
                note: r.get(2)?,
                created_by: r.get(3)?,
                created_at: r.get(4)?,
                active: r.get(5)?,
                incident_id: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Supervisor: stores a new policy version of the current incident (validated), not yet active.
    pub fn add_policy_version(
        &mut self,
        actor: &Actor,
        toml_text: &str,
        name: &str,
        note: &str,
    ) -> Result<i64> {
        self.add_policy_version_to(actor, None, toml_text, name, note)
    }

    /// Supervisor: stores a new policy version of an incident (the current one when None).
    pub fn add_policy_version_to(
        &mut self,
        actor: &Actor,
        incident: Option<&str>,
        toml_text: &str,
        name: &str,
        note: &str,
    ) -> Result<i64> {
        let incident = self.resolve_incident(incident)?;
        let policy = Policy::from_toml(toml_text)?;
        let mut version = 0;
        let name = if name.trim().is_empty() { "새 정책" } else { name.trim() };
        self.team_change(actor, AdminAction::EditPolicy, "policy", |tx| {
            version =
                tx.query_row("SELECT coalesce(max(version), 0) + 1 FROM policy_versions", [], |r| r.get(0))?;
            let mut create = PolicyCreate {
                version,
                name: name.to_string(),
                note: note.to_string(),
                toml: policy.to_toml(),
                incident: None,
            };
            create.incident = (incident != claimdesk_core::catalog::FIRST_INCIDENT).then(|| incident.clone());
            Ok(Op::PolicyCreate(create))
        })?;
        Ok(version)
    }

    /// Supervisor: makes a version the active one of its incident and
    /// re-evaluates that incident's claims under it, in one transaction: cancelled (`progress` returns
    /// false) or interrupted, the old version stays active with its results.
    pub fn activate_policy(
        &mut self,
        actor: &Actor,
        version: i64,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> Result<crate::evaluate::EvalSummary> {
        self.policy(version)?;
        let entity = format!("policy:{version}");
        self.require(actor, AdminAction::ActivatePolicy, &entity)?;
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        let (hlc, at) = ops.tick()?;
        let op_id = new_op_id();
        let env =
            Envelope { op_id: &op_id, user: &actor.user, device: &device, hlc, at_ms: at, entity: &entity };
        let op = Op::PolicyActivate(PolicyActivate { version });
        let summary = match crate::team::apply_with(&tx, &env, &op, progress)? {
            Some(s) => s,
            // Already the active version (or a later activation won): its results, afresh.
            None => crate::evaluate::reevaluate_in(
                &tx,
                &crate::policies::incident_of_version(&tx, version)?,
                progress,
            )?,
        };
        let stamp = crate::claim_state::local_stamp(actor, None, None);
        ops.write_at(
            &tx,
            op_id,
            hlc,
            at,
            &author,
            &entity,
            &op.kind(),
            &op.payload().to_string(),
            None,
            false,
            SyncState::Pending,
            Some(&stamp),
        )?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(summary)
    }

    /// Admin: replaces the service catalog of the incident it names (used by intake).
    pub fn replace_catalog(&mut self, actor: &Actor, catalog: &Catalog) -> Result<()> {
        catalog.validate().map_err(|e| StoreError::Invalid(e.message()))?;
        crate::incidents::require(self.conn(), &catalog.incident.id)?;
        self.team_change(actor, AdminAction::EditCatalog, "catalog", |_| {
            Ok(Op::CatalogReplace(Box::new(catalog.clone())))
        })
    }
}
