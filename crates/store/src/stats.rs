//! Counts and amounts for the dashboard and `claimdesk stats`.

use claimdesk_core::policy::GrantTotal;
use claimdesk_core::workflow::AdminAction;
use claimdesk_core::{Actor, Remedy};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::Result;
use crate::Store;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Group {
    pub key: String,
    pub claims: u64,
    /// Sum of the policy amounts, whole won.
    pub amount: i64,
    /// Sum of the amounts claimants asked for, whole won.
    pub claimed: i64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub total: u64,
    pub by_status: Vec<Group>,
    pub by_category: Vec<Group>,
    pub by_service: Vec<Group>,
    pub by_remedy: Vec<Group>,
    /// Claims received per day (KST date).
    pub by_day: Vec<Group>,
    /// Recommendations per reviewer.
    pub by_reviewer: Vec<Group>,
    /// What the policy's results give, by kind of grant (cash and each
    /// non-cash kind), over every claim: only cash is paid out.
    pub grants: Vec<GrantTotal>,
    /// Claims by report type (damage claim, inquiry, opinion, complaint).
    pub by_report_type: Vec<Group>,
    /// Claims by the reason code they carry now: denials (recommended,
    /// batched or closed as denied), open deficiency requests and
    /// non-damage closures, each counted apart.
    pub by_reason: Vec<ReasonTally>,
}

/// How many claims carry one reason code of one kind.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReasonTally {
    pub kind: claimdesk_core::policy::ReasonKind,
    pub code: String,
    pub claims: u64,
}

/// One recent audit entry.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct OpLine {
    pub seq: i64,
    pub at_ms: i64,
    pub user: String,
    pub kind: String,
    pub entity: String,
    pub refused: bool,
}

impl Store {
    fn groups(&self, sql: &str, incident: &str) -> Result<Vec<Group>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map([incident], |r| {
            Ok(Group {
                key: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                claims: r.get::<_, i64>(1)? as u64,
                amount: r.get(2)?,
                claimed: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn claim_count(&self) -> Result<u64> {
        Ok(self.conn().query_row("SELECT count(*) FROM claims", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// The figures of the current incident.
    pub fn stats(&self) -> Result<Stats> {
        let i = self.current_incident()?;
        let by = |column: &str| {
            format!(
                "SELECT {column}, count(*), coalesce(sum(amount), 0), coalesce(sum(claimed_amount), 0) FROM claims
                 WHERE incident_id = ?1 GROUP BY 1 ORDER BY 2 DESC"
            )
        };
        Ok(Stats {
            total: self.conn().query_row("SELECT count(*) FROM claims WHERE incident_id = ?1", [&i], |r| r.get::<_, i64>(0))? as u64,
            by_status: self.groups(&by("status"), &i)?,
            by_category: self.groups(&by("category"), &i)?,
            by_service: self.groups(&by("service"), &i)?,
            by_remedy: self.groups(&by("remedy"), &i)?,
            by_day: self.groups(
                "SELECT date(received_at + 9 * 3600, 'unixepoch'), count(*), coalesce(sum(amount), 0), coalesce(sum(claimed_amount), 0)
                 FROM claims WHERE incident_id = ?1 GROUP BY 1 ORDER BY 1",
                &i,
            )?,
            by_reviewer: self.groups(
                "SELECT json_extract(recommendation, '$.by'), count(*), coalesce(sum(amount), 0), coalesce(sum(claimed_amount), 0) FROM claims
                 WHERE recommendation IS NOT NULL AND incident_id = ?1 GROUP BY 1 ORDER BY 2 DESC",
                &i,
            )?,
            grants: self.grant_totals()?,
            by_report_type: self.groups(&by("report_type"), &i)?,
            by_reason: self.reason_counts(&i)?,
        })
    }

    /// Claims by (kind, reason code), most first.
    fn reason_counts(&self, incident: &str) -> Result<Vec<ReasonTally>> {
        use claimdesk_core::policy::ReasonKind;
        let mut stmt = self.conn().prepare_cached(
            "SELECT CASE status WHEN 'needs_info' THEN 'deficiency' WHEN 'closed_no_damage' THEN 'closure' ELSE 'denial' END,
                    reason_code, count(*)
             FROM claims WHERE incident_id = ?1 AND reason_code IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC, 2",
        )?;
        let rows = stmt.query_map([incident], |r| {
            let kind = match r.get::<_, String>(0)?.as_str() {
                "deficiency" => ReasonKind::Deficiency,
                "closure" => ReasonKind::Closure,
                _ => ReasonKind::Denial,
            };
            Ok(ReasonTally { kind, code: r.get(1)?, claims: r.get::<_, i64>(2)? as u64 })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The policy's grants by kind: results in the single-remedy form read
    /// from their columns (one voucher, the extension's days), listed ones
    /// from their `grants` JSON.
    pub fn grant_totals(&self) -> Result<Vec<GrantTotal>> {
        let mut totals: Vec<GrantTotal> = Vec::new();
        let mut add = |kind: Option<String>, claims: i64, grants: i64, amount: i64, quantity: i64| {
            let Some(kind) = kind.as_deref().and_then(Remedy::parse) else { return };
            let t = match totals.iter_mut().position(|t| t.kind == kind) {
                Some(i) => &mut totals[i],
                None => {
                    totals.push(GrantTotal {
                        kind,
                        claims: 0,
                        grants: 0,
                        amount: Decimal::ZERO,
                        quantity: 0,
                    });
                    let last = totals.len() - 1;
                    &mut totals[last]
                }
            };
            t.claims += claims.max(0) as u64;
            t.grants += grants.max(0) as u64;
            t.amount += Decimal::from(amount);
            t.quantity += quantity.max(0) as u64;
        };
        let queries = [
            "SELECT remedy, count(*), count(*), coalesce(sum(amount), 0),
                    coalesce(sum(CASE remedy WHEN 'voucher' THEN 1 WHEN 'extension' THEN extension_days ELSE 0 END), 0)
             FROM claims WHERE grants IS NULL AND eligible = 1 AND remedy IN ('cash', 'voucher', 'extension') GROUP BY remedy",
            "SELECT json_extract(g.value, '$.kind'), count(DISTINCT c.id), count(*),
                    coalesce(sum(CAST(json_extract(g.value, '$.amount') AS INTEGER)), 0),
                    coalesce(sum(json_extract(g.value, '$.quantity')), 0)
             FROM claims c, json_each(c.grants) g WHERE c.grants IS NOT NULL AND c.eligible = 1 GROUP BY 1",
        ];
        for sql in queries {
            let mut stmt = self.conn().prepare_cached(sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                add(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            }
        }
        totals.sort_by_key(|t| t.kind as usize);
        Ok(totals)
    }

    /// The last `n` audit entries, newest first: supervisors and admins
    /// (`AdminAction::ViewAudit`); a reviewer's request is refused and audited.
    pub fn recent_ops(&mut self, actor: &Actor, n: i64) -> Result<Vec<OpLine>> {
        self.require(actor, AdminAction::ViewAudit, "audit")?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, at, user_id, kind, entity, outcome = 'refused' FROM ops ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([n], |r| {
            Ok(OpLine {
                seq: r.get(0)?,
                at_ms: r.get(1)?,
                user: r.get(2)?,
                kind: r.get(3)?,
                entity: r.get(4)?,
                refused: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
