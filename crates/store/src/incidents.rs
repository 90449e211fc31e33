//! Incidents (docs/decisions/0008-incidents.md): a mass incident with its
//! name, dates and service catalog owns its policy versions, and every claim
//! belongs to one. The queue, search, dashboard, payout and the policy's
//! evaluation (its duplicate rule included) work inside one incident; the
//! claimant's history looks across them. The reason catalog and the letter
//! templates of a later issue attach here, beside the catalog.

use chrono::Duration;
use claimdesk_core::catalog::{Incident, FIRST_INCIDENT};
use claimdesk_core::mask::{mask_brn, mask_phone};
use claimdesk_core::message::Explain;
use claimdesk_core::msg;
use claimdesk_core::ops::{IncidentCreate, Op, PolicyActivate, PolicyCreate, SettingSet};
use claimdesk_core::policy::{FilingWindow, Policy};
use claimdesk_core::workflow::AdminAction;
use claimdesk_core::{Actor, Catalog};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::oplog::{Author, OpWriter, SyncState};
use crate::{now_secs, Store};

/// One incident as the switcher lists it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IncidentInfo {
    pub id: String,
    pub name: String,
    /// Seconds since the epoch.
    pub started_at: i64,
    pub ended_at: i64,
    pub copied_from: Option<String>,
    pub claims: u64,
    /// Its active policy version (none only while its creation is on its way).
    pub active_policy: Option<i64>,
}

/// Another claim of the same claimant (same phone or BRN), in any incident.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HistoryRow {
    pub external_id: String,
    pub incident_id: String,
    pub incident_name: String,
    pub received_at: i64,
    pub service: String,
    pub status: String,
    /// The policy's amount, whole won.
    pub amount: Option<i64>,
    pub claimed_amount: Option<i64>,
    /// What the claims share, masked as everywhere on screen (010-****-5678).
    pub shared_key_masked: String,
}

/// Days after an incident ends that a fresh incident's draft policy accepts claims.
const DRAFT_FILING_DAYS: i64 = 60;

/// Schema 6: a store of an earlier schema becomes one incident, the one of
/// the catalog it kept in `meta`. A new store (no catalog yet) gets its
/// first incident from `Store::initialize`.
pub(crate) fn migrate_into_one_incident(tx: &Transaction<'_>) -> Result<()> {
    let text: Option<String> =
        tx.query_row("SELECT value FROM meta WHERE key = 'catalog'", [], |r| r.get(0)).optional()?;
    let Some(text) = text else { return Ok(()) };
    // Read as it was accepted then (before incident ids were checked).
    let catalog = Catalog::from_stored_toml(&text)
        .map_err(|e| StoreError::Invalid(msg!("store.catalog_unreadable", detail = e)))?;
    let id = catalog.incident.id.clone();
    insert(tx, &catalog, None, "system", now_secs())?;
    if id != FIRST_INCIDENT {
        tx.execute("UPDATE claims SET incident_id = ?1", [&id])?;
        tx.execute("UPDATE policy_versions SET incident_id = ?1", [&id])?;
    }
    tx.execute("UPDATE meta SET key = 'policy_activation:' || ?1 WHERE key = 'policy_activation'", [&id])?;
    tx.execute("DELETE FROM meta WHERE key = 'catalog'", [])?;
    set_current(tx, &id)?;
    Ok(())
}

fn insert(
    tx: &Transaction<'_>,
    catalog: &Catalog,
    copied_from: Option<&str>,
    by: &str,
    at: i64,
) -> Result<()> {
    let i = &catalog.incident;
    tx.execute(
        "INSERT INTO incidents (id, name, started_at, ended_at, catalog, copied_from, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            i.id,
            i.name.trim(),
            i.started_at.timestamp(),
            i.ended_at.timestamp(),
            catalog.to_toml(),
            copied_from,
            by,
            at
        ],
    )?;
    Ok(())
}

fn set_current(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('current_incident', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [id],
    )?;
    Ok(())
}

pub(crate) fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM incidents WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?)
}

/// Refuses an incident this store does not know, with `UNKNOWN_INCIDENT`.
pub(crate) fn require(conn: &Connection, id: &str) -> Result<()> {
    if exists(conn, id)? {
        Ok(())
    } else {
        Err(StoreError::UnknownIncident(id.chars().take(80).collect()))
    }
}

/// The catalog of an incident.
pub(crate) fn catalog_of(conn: &Connection, id: &str) -> Result<Catalog> {
    let text: String = conn
        .query_row("SELECT catalog FROM incidents WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::UnknownIncident(id.chars().take(80).collect()))?;
    Catalog::from_stored_toml(&text).map_err(|e| {
        StoreError::Invalid(msg!("store.incident_catalog_unreadable", incident = id, detail = e))
    })
}

/// The incident this store works in: the one last switched to, else the first one.
pub(crate) fn current(conn: &Connection) -> Result<String> {
    let chosen: Option<String> = conn
        .query_row(
            "SELECT m.value FROM meta m JOIN incidents i ON i.id = m.value WHERE m.key = 'current_incident'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = chosen {
        return Ok(id);
    }
    let first: Option<String> = conn
        .query_row("SELECT id FROM incidents ORDER BY created_at, id LIMIT 1", [], |r| r.get(0))
        .optional()?;
    Ok(first.unwrap_or_else(|| FIRST_INCIDENT.to_string()))
}

/// `incident.create` as every replica applies it (after its role check).
pub(crate) fn apply_create(tx: &Transaction<'_>, user: &str, at_secs: i64, c: &IncidentCreate) -> Result<()> {
    c.catalog.validate().map_err(|e| StoreError::BadIncident(e.message()))?;
    let id = &c.catalog.incident.id;
    if let Some(stored) = catalog_if_any(tx, id)? {
        // The same creation again (a retry, or pulled back): nothing to do.
        if stored == c.catalog {
            return Ok(());
        }
        return Err(StoreError::BadIncident(msg!("catalog.incident_exists", id = id)));
    }
    insert(tx, &c.catalog, c.copied_from.as_deref(), user, at_secs)
}

fn catalog_if_any(conn: &Connection, id: &str) -> Result<Option<Catalog>> {
    match catalog_of(conn, id) {
        Ok(c) => Ok(Some(c)),
        Err(StoreError::UnknownIncident(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `incident.update`: the name and dates; the services stay.
pub(crate) fn apply_update(tx: &Transaction<'_>, incident: &Incident) -> Result<()> {
    let mut catalog = catalog_of(tx, &incident.id)?;
    catalog.incident = incident.clone();
    catalog.validate().map_err(|e| StoreError::BadIncident(e.message()))?;
    write_catalog(tx, &catalog)
}

/// `catalog.replace`: the services (and header) of the incident the catalog names.
pub(crate) fn write_catalog(tx: &Transaction<'_>, catalog: &Catalog) -> Result<()> {
    let i = &catalog.incident;
    require(tx, &i.id)?;
    tx.execute(
        "UPDATE incidents SET name = ?2, started_at = ?3, ended_at = ?4, catalog = ?5 WHERE id = ?1",
        params![i.id, i.name.trim(), i.started_at.timestamp(), i.ended_at.timestamp(), catalog.to_toml()],
    )?;
    Ok(())
}

/// A first policy for an incident started from scratch: the shipped rules
/// over the incident's own services, accepting claims from its start until
/// 60 days after its end. A draft for the supervisor to edit.
pub fn draft_policy(catalog: &Catalog) -> Policy {
    let mut policy = Policy::default_2022();
    policy.name = format!("{} 초안", catalog.incident.name.trim());
    policy.services = catalog.services.clone();
    policy.filing_window = FilingWindow {
        start: catalog.incident.started_at,
        end: catalog.incident.ended_at + Duration::days(DRAFT_FILING_DAYS),
    };
    policy
}

impl Store {
    /// Every incident, oldest first, with its number of claims.
    pub fn incidents(&self) -> Result<Vec<IncidentInfo>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT i.id, i.name, i.started_at, i.ended_at, i.copied_from,
                    (SELECT count(*) FROM claims c WHERE c.incident_id = i.id),
                    (SELECT version FROM policy_versions p WHERE p.incident_id = i.id AND p.active = 1)
             FROM incidents i ORDER BY i.created_at, i.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(IncidentInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                started_at: r.get(2)?,
                ended_at: r.get(3)?,
                copied_from: r.get(4)?,
                claims: r.get::<_, i64>(5)? as u64,
                active_policy: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The incident this store works in (the one last switched to).
    pub fn current_incident(&self) -> Result<String> {
        current(self.conn())
    }

    /// The incident a command names, or the current one; an unknown one is `UNKNOWN_INCIDENT`.
    pub fn resolve_incident(&self, named: Option<&str>) -> Result<String> {
        match named.map(str::trim).filter(|n| !n.is_empty()) {
            Some(id) => {
                require(self.conn(), id)?;
                Ok(id.to_string())
            }
            None => self.current_incident(),
        }
    }

    /// The catalog of an incident (the current one when None).
    pub fn incident_catalog(&self, incident: Option<&str>) -> Result<Catalog> {
        let id = self.resolve_incident(incident)?;
        catalog_of(self.conn(), &id)
    }

    /// Anyone signed in: the store works in this incident from now on (a
    /// view choice of this desktop, recorded in its audit chain, never synced).
    pub fn set_current_incident(&mut self, actor: &Actor, id: &str) -> Result<()> {
        let id = self.resolve_incident(Some(id))?;
        let op = Op::SettingSet(SettingSet { key: "current_incident".into(), value: id.clone() });
        let device = self.device().to_string();
        let tx = self.write_tx()?;
        set_current(&tx, &id)?;
        let mut ops = OpWriter::begin(&tx)?;
        ops.append_op(
            &tx,
            &Author { user: &actor.user, device: &device },
            "store",
            &op,
            None,
            None,
            SyncState::Local,
        )?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Supervisor: starts an incident with `catalog` (its id, name, dates and
    /// services) and its first policy version, active at once: a copy of the
    /// active policy of `copy_of`, or a draft over its services
    /// ([`draft_policy`]). Three team ops in one transaction: the incident,
    /// the policy version, its activation. The store then works in it.
    pub fn create_incident(
        &mut self,
        actor: &Actor,
        catalog: &Catalog,
        copy_of: Option<&str>,
    ) -> Result<i64> {
        let entity = format!("incident:{}", catalog.incident.id);
        self.require(actor, AdminAction::ManageIncidents, &entity)?;
        // Letters not given: those of the incident copied, or the shipped ones.
        let mut catalog = catalog.clone();
        if catalog.letters.is_empty() {
            catalog.letters = match copy_of {
                Some(source) => self.incident_catalog(Some(source))?.letters,
                None => Catalog::default_2022().letters,
            };
        }
        let catalog = &catalog;
        catalog.validate().map_err(|e| StoreError::BadIncident(e.message()))?;
        if exists(self.conn(), &catalog.incident.id)? {
            return Err(StoreError::BadIncident(msg!("catalog.incident_exists", id = &catalog.incident.id)));
        }
        let (policy, name) = match copy_of {
            Some(source) => {
                require(self.conn(), source)?;
                let (version, policy) = crate::policies::active_policy_in(self.conn(), source)?;
                (policy, format!("{source} 정책 {version}의 사본"))
            }
            None => (draft_policy(catalog), "초안 (draft)".to_string()),
        };
        let incident = catalog.incident.id.clone();
        let device = self.device().to_string();
        let author = Author { user: &actor.user, device: &device };
        let tx = self.write_tx()?;
        let mut ops = OpWriter::begin(&tx)?;
        let create = Op::IncidentCreate(Box::new(IncidentCreate {
            catalog: catalog.clone(),
            copied_from: copy_of.map(str::to_string),
        }));
        crate::users::team_op_in_tx(&tx, &mut ops, &author, actor, &entity, &create)?;
        let version: i64 =
            tx.query_row("SELECT coalesce(max(version), 0) + 1 FROM policy_versions", [], |r| r.get(0))?;
        let policy_op = Op::PolicyCreate(PolicyCreate {
            version,
            name,
            note: String::new(),
            toml: policy.to_toml(),
            incident: Some(incident.clone()),
        });
        crate::users::team_op_in_tx(&tx, &mut ops, &author, actor, &format!("policy:{version}"), &policy_op)?;
        let activate = Op::PolicyActivate(PolicyActivate { version });
        crate::users::team_op_in_tx(&tx, &mut ops, &author, actor, &format!("policy:{version}"), &activate)?;
        set_current(&tx, &incident)?;
        ops.finish(&tx)?;
        tx.commit()?;
        Ok(version)
    }

    /// Supervisor: renames an incident or corrects its dates.
    pub fn update_incident(&mut self, actor: &Actor, incident: &Incident) -> Result<()> {
        let entity = format!("incident:{}", incident.id);
        require(self.conn(), &incident.id)?;
        self.team_change(actor, AdminAction::ManageIncidents, &entity, |_| {
            Ok(Op::IncidentUpdate(incident.clone()))
        })
    }

    /// The claimant's other claims, in every incident: the claims whose
    /// claimant key is this claim's phone or BRN (an individual's key is the
    /// phone, a business's the BRN), newest first. Identifiers are masked.
    pub fn claimant_history(&self, external_id: &str) -> Result<Vec<HistoryRow>> {
        let (phone, brn): (Option<String>, Option<String>) = self
            .conn()
            .query_row("SELECT phone, brn FROM claims WHERE external_id = ?1", [external_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("claim {external_id}")))?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT c.external_id, c.incident_id, coalesce(i.name, c.incident_id), c.received_at, c.service, c.status,
                    c.amount, c.claimed_amount, c.claimant_key
             FROM claims c LEFT JOIN incidents i ON i.id = c.incident_id
             WHERE c.claimant_key IN (?1, ?2) AND c.external_id <> ?3
             ORDER BY c.received_at DESC, c.external_id LIMIT 200",
        )?;
        let rows = stmt.query_map(params![phone, brn, external_id], |r| {
            let key: String = r.get(8)?;
            let masked =
                if phone.as_deref() == Some(key.as_str()) { mask_phone(&key) } else { mask_brn(&key) };
            Ok(HistoryRow {
                external_id: r.get(0)?,
                incident_id: r.get(1)?,
                incident_name: r.get(2)?,
                received_at: r.get(3)?,
                service: r.get(4)?,
                status: r.get(5)?,
                amount: r.get(6)?,
                claimed_amount: r.get(7)?,
                shared_key_masked: masked,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
