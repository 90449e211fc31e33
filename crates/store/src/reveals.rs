//! Who revealed what: every reveal of a personal field is a claim op
//! (`claim.reveal_personal_data`) that syncs like the others, so a store
//! holds the reveals made on every desktop of the team once it has pulled
//! them. Listing them is a supervisor's (the audit log:
//! `AdminAction::ViewAudit`), for the app and the CLI alike.

use claimdesk_core::workflow::AdminAction;
use claimdesk_core::Actor;
use rusqlite::params;
use serde::Serialize;

use crate::error::Result;
use crate::Store;

const REVEAL_KIND: &str = "claim.reveal_personal_data";

/// One reveal: who, on which desktop, when, which claim and which field.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevealEntry {
    pub op_id: String,
    /// Unix milliseconds, as the author's desktop stamped it.
    pub at_ms: i64,
    pub user: String,
    /// The desktop the reveal was made on.
    pub device: String,
    pub claim_id: String,
    /// The field's code (`phone`, `brn`, `account_no`), as the op names it.
    pub field: String,
    /// Made on this desktop and not yet accepted by the team's server.
    pub pending: bool,
}

impl Store {
    /// Supervisor: the most recent reveals (at most `limit`, newest first),
    /// of one claim or of all, made here or pulled from the team. Reveals
    /// the rules refused are not reveals (nothing was shown) and are left out.
    pub fn reveals(&mut self, actor: &Actor, claim: Option<&str>, limit: u32) -> Result<Vec<RevealEntry>> {
        self.require(actor, AdminAction::ViewAudit, "reveals")?;
        let entity = claim.map(|c| format!("claim:{c}"));
        let mut stmt = self.conn().prepare_cached(
            "SELECT op_id, at, user_id, device, entity, payload, sync = 'pending' FROM ops
             WHERE kind = ?1 AND outcome <> 'refused' AND (?2 IS NULL OR entity = ?2 COLLATE BINARY)
             ORDER BY seq DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![REVEAL_KIND, entity, i64::from(limit.min(10_000))], |r| {
            let entity: String = r.get(4)?;
            let payload: String = r.get(5)?;
            let field = serde_json::from_str::<serde_json::Value>(&payload)
                .ok()
                .and_then(|p| p.get("field").and_then(|f| f.as_str()).map(str::to_string))
                .unwrap_or_default();
            Ok(RevealEntry {
                op_id: r.get(0)?,
                at_ms: r.get(1)?,
                user: r.get(2)?,
                device: r.get(3)?,
                claim_id: entity.strip_prefix("claim:").unwrap_or(&entity).to_string(),
                field,
                pending: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
