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
    fn groups(&self, sql: &str) -> Result<Vec<Group>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| {
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

    pub fn stats(&self) -> Result<Stats> {
        let by = |column: &str| format!("SELECT {column}, count(*), coalesce(sum(amount), 0), coalesce(sum(claimed_amount), 0) FROM claims GROUP BY 1 ORDER BY 2 DESC");
        Ok(Stats {
            total: self.conn().query_row("SELECT count(*) FROM claims", [], |r| r.get::<_, i64>(0))? as u64,
            by_status: self.groups(&by("status"))?,
            by_category: self.groups(&by("category"))?,
            by_service: self.groups(&by("service"))?,
            by_remedy: self.groups(&by("remedy"))?,
            by_day: self.groups(
                "SELECT date(received_at + 9 * 3600, 'unixepoch'), count(*), coalesce(sum(amount), 0), coalesce(sum(claimed_amount), 0)
                 FROM claims GROUP BY 1 ORDER BY 1",
            )?,
            by_reviewer: self.groups(
                "SELECT json_extract(recommendation, '$.by'), count(*), coalesce(sum(amount), 0), coalesce(sum(claimed_amount), 0) FROM claims
                 WHERE recommendation IS NOT NULL GROUP BY 1 ORDER BY 2 DESC",
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
