//! Dashboard figures: claims received per day split by status, category or
//! service, and each person's work per day from the op log.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::Store;

/// What a time series of claims is split by.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesKey {
    Status,
    Category,
    Service,
    ReportType,
}

/// Claims received on one day (Korea time) with one value of the key.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesPoint {
    /// YYYY-MM-DD, Korea time.
    pub day: String,
    pub key: String,
    pub claims: u64,
    /// Sum of the policy amounts, whole won.
    pub amount: i64,
}

/// One person's work on one day (Korea time), from the op log.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Throughput {
    pub day: String,
    pub user: String,
    /// Recommendations recorded.
    pub recommended: u64,
    /// Claims approved (in batches).
    pub approved: u64,
    /// Every applied claim action (triage, take, notes, ...).
    pub actions: u64,
}

impl Store {
    /// Claims of the current incident per received day and key value, oldest day first.
    pub fn claims_series(&self, key: SeriesKey) -> Result<Vec<SeriesPoint>> {
        let incident = self.current_incident()?;
        let column = match key {
            SeriesKey::Status => "status",
            SeriesKey::Category => "category",
            SeriesKey::Service => "service",
            SeriesKey::ReportType => "report_type",
        };
        let sql = format!(
            "SELECT date(received_at + 9 * 3600, 'unixepoch'), {column}, count(*), coalesce(sum(amount), 0)
             FROM claims WHERE incident_id = ?1 GROUP BY 1, 2 ORDER BY 1, 2"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([incident], |r| {
            Ok(SeriesPoint {
                day: r.get(0)?,
                key: r.get(1)?,
                claims: r.get::<_, i64>(2)? as u64,
                amount: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Work per person per day over the last `days` days of the op log
    /// (imports and system entries left out), oldest day first.
    pub fn throughput(&self, days: u32) -> Result<Vec<Throughput>> {
        let since_ms = (chrono::Utc::now().timestamp() - i64::from(days) * 86_400) * 1000;
        let mut stmt = self.conn().prepare_cached(
            "SELECT date(at / 1000 + 9 * 3600, 'unixepoch'), user_id,
                    sum(kind = 'claim.recommend'), sum(kind = 'claim.approve'), count(*)
             FROM ops
             WHERE at >= ?1 AND outcome = 'applied' AND kind LIKE 'claim.%'
               AND kind NOT IN ('claim.import', 'claim.update') AND user_id <> 'system'
             GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        let rows = stmt.query_map([since_ms], |r| {
            Ok(Throughput {
                day: r.get(0)?,
                user: r.get(1)?,
                recommended: r.get::<_, i64>(2)? as u64,
                approved: r.get::<_, i64>(3)? as u64,
                actions: r.get::<_, i64>(4)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportOptions;
    use claimdesk_core::workflow::Priority;

    #[test]
    fn series_add_up_to_the_store_and_throughput_counts_actions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("s.db")).expect("open");
        let admin = store.actor("admin").expect("admin");
        let fixture = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
        )
        .join("../../fixtures/sample-intake.csv");
        store.import_file(&admin, &fixture, ImportOptions::default(), &mut |_| true).expect("import");
        let total = store.claim_count().expect("count");
        assert!(total > 0);
        for key in [SeriesKey::Status, SeriesKey::Category, SeriesKey::Service] {
            let series = store.claims_series(key).expect("series");
            assert_eq!(series.iter().map(|p| p.claims).sum::<u64>(), total, "{key:?}");
            assert!(series.windows(2).all(|w| w[0].day <= w[1].day));
        }
        let claimed: i64 =
            store.conn().query_row("SELECT sum(claimed_amount) FROM claims", [], |r| r.get(0)).expect("sum");
        let stats = store.stats().expect("stats");
        assert!(claimed > 0);
        assert_eq!(stats.by_status.iter().map(|g| g.claimed).sum::<i64>(), claimed);
        assert_eq!(stats.by_day.iter().map(|g| g.claimed).sum::<i64>(), claimed);
        let statuses = store.claims_series(SeriesKey::Status).expect("series");
        assert!(statuses.iter().all(|p| p.key == "new"));

        assert!(store.throughput(30).expect("empty").is_empty(), "imports are not throughput");
        let id = store.queue_ids(&Default::default()).expect("ids")[0].clone();
        store.annotate(&admin, &id, None, Some(Priority::High), None).expect("annotate");
        let work = store.throughput(30).expect("throughput");
        assert_eq!(work.len(), 1);
        assert_eq!((work[0].user.as_str(), work[0].actions, work[0].recommended), ("admin", 1, 0));
    }
}
