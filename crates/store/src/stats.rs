//! Counts and amounts for the dashboard and `claimdesk stats`.

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
        })
    }

    /// The last `n` audit entries, newest first.
    pub fn recent_ops(&self, n: i64) -> Result<Vec<OpLine>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT seq, at, user_id, kind, entity, outcome = 'refused' FROM ops ORDER BY seq DESC LIMIT ?1")?;
        let rows = stmt.query_map([n], |r| {
            Ok(OpLine { seq: r.get(0)?, at_ms: r.get(1)?, user: r.get(2)?, kind: r.get(3)?, entity: r.get(4)?, refused: r.get(5)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
