//! Numbered migrations. `PRAGMA user_version` holds the highest number
//! applied; a store newer than this binary is refused, never opened. Numbers
//! may have gaps (migrations are written on branches in parallel): from
//! schema 5 on, table `migrations` names each one applied, and a migration
//! is applied when it is not there, whatever its number, in number order.

use rusqlite::Connection;

use crate::error::{Result, StoreError};

/// Every migration, in order. Append only: a shipped migration never changes.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_initial", include_str!("migrations/0001_initial.sql")),
    ("0002_app", include_str!("migrations/0002_app.sql")),
    ("0003_sync", include_str!("migrations/0003_sync.sql")),
    ("0004_decided", include_str!("migrations/0004_decided.sql")),
    ("0005_messages", include_str!("migrations/0005_messages.sql")),
    ("0006_incidents", include_str!("migrations/0006_incidents.sql")),
    ("0007_grants", include_str!("migrations/0007_grants.sql")),
    ("0008_lookup", include_str!("migrations/0008_lookup.sql")),
    ("0009_reasons", include_str!("migrations/0009_reasons.sql")),
    ("0010_search_scope", include_str!("migrations/0010_search_scope.sql")),
    ("0011_notices", include_str!("migrations/0011_notices.sql")),
    ("0012_cure_clock", include_str!("migrations/0012_cure_clock.sql")),
    ("0013_fulfilment", include_str!("migrations/0013_fulfilment.sql")),
    ("0014_payout_confirmer", include_str!("migrations/0014_payout_confirmer.sql")),
    ("0015_reserved_by", include_str!("migrations/0015_reserved_by.sql")),
];

/// The first migration after which every claim must be folded again (its
/// cached state was made by older rules): 13, as states folded before it
/// keep a paid claim's payout reservation, which now ends with the payment
/// (so what the claim is given beside its cash can be reserved for a
/// fulfilment); 12 kept no requests for information with their due dates.
pub const REFOLD_AFTER: i64 = 13;

/// Migrations up to this number were applied in sequence, before the table
/// `migrations` existed: `user_version` alone says which ran.
const SEQUENTIAL_UNTIL: i64 = 4;

/// The number of a migration (`0006_incidents` is 6).
fn number(name: &str) -> i64 {
    name.split('_').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// The schema version this binary writes: its highest migration number.
pub const SCHEMA_VERSION: i64 = 15;

/// Brings the schema up to date, or refuses a store from a newer binary.
/// Returns the version the store was at.
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found, supported: SCHEMA_VERSION });
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT",
    )?;
    let mut ordered: Vec<&(&str, &str)> = MIGRATIONS.iter().collect();
    ordered.sort_by_key(|(name, _)| number(name));
    for (name, sql) in ordered {
        let n = number(name);
        let applied = n <= SEQUENTIAL_UNTIL && n <= found
            || conn.query_row("SELECT EXISTS (SELECT 1 FROM migrations WHERE name = ?1)", [name], |r| {
                r.get::<_, bool>(0)
            })?;
        if applied {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        after(&tx, name)?;
        tx.execute(
            "INSERT INTO migrations (name, applied_at) VALUES (?1, ?2)",
            rusqlite::params![name, crate::now_secs()],
        )?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        tx.pragma_update(None, "user_version", version.max(n))?;
        tx.commit()?;
    }
    Ok(found)
}

/// What a migration needs beyond SQL, in its transaction.
fn after(tx: &rusqlite::Transaction<'_>, name: &str) -> Result<()> {
    if name == "0006_incidents" {
        crate::incidents::migrate_into_one_incident(tx)?;
    }
    if name == "0010_search_scope" {
        crate::search::rebuild_index(tx)?;
    }
    Ok(())
}

/// Secondary indexes a large import drops and rebuilds (import.rs). The
/// statements are those of the migrations; a test checks they stay equal.
const BULK_INDEXES: &[(&str, &str)] = &[
    (
        "claims_queue_received",
        "CREATE INDEX claims_queue_received ON claims(incident_id, status, category, service, received_at)",
    ),
    (
        "claims_queue_amount",
        "CREATE INDEX claims_queue_amount   ON claims(incident_id, status, category, service, amount)",
    ),
    ("claims_received", "CREATE INDEX claims_received       ON claims(incident_id, received_at)"),
    ("claims_claimant", "CREATE INDEX claims_claimant       ON claims(claimant_key, service)"),
    ("claims_phone", "CREATE INDEX claims_phone ON claims(phone) WHERE phone IS NOT NULL"),
    ("claims_brn", "CREATE INDEX claims_brn   ON claims(brn) WHERE brn IS NOT NULL"),
];

/// Fresh statistics for the query planner after a large load (bounded cost),
/// without STAT4's samples: with them SQLite prepares every statement that
/// looks up a non-unique index by a bound value again at each run (the
/// claim's ops by entity, a claimant's group), which costs more than any
/// plan they improve here.
pub fn refresh_statistics(conn: &Connection) -> Result<()> {
    conn.execute_batch("PRAGMA analysis_limit = 1000; PRAGMA optimize;")?;
    drop_stat4_samples(conn)
}

/// Removes STAT4 samples (see [`refresh_statistics`]) and reloads the statistics, when there are any.
pub(crate) fn drop_stat4_samples(conn: &Connection) -> Result<()> {
    let has_table: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')", [], |r| {
            r.get(0)
        })?;
    if has_table {
        let samples: i64 = conn.query_row("SELECT count(*) FROM sqlite_stat4", [], |r| r.get(0))?;
        if samples > 0 {
            conn.execute_batch("DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")?;
        }
    }
    Ok(())
}

pub(crate) fn drop_bulk_indexes(conn: &Connection) -> Result<()> {
    for (name, _) in BULK_INDEXES {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
    }
    Ok(())
}

pub(crate) fn create_bulk_indexes(conn: &Connection) -> Result<()> {
    for (_, sql) in BULK_INDEXES {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_indexes_match_the_migrations() {
        let mut conn = Connection::open_in_memory().expect("memory");
        migrate(&mut conn).expect("migrate");
        for (name, sql) in BULK_INDEXES {
            let stored: String = conn
                .query_row("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", [name], |r| {
                    r.get(0)
                })
                .expect("index exists");
            assert_eq!(&stored, sql);
        }
    }

    fn columns(conn: &Connection, table: &str) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})")).expect("table info");
        stmt.query_map([], |r| r.get::<_, String>(1))
            .expect("columns")
            .collect::<rusqlite::Result<_>>()
            .expect("read")
    }

    #[test]
    fn a_store_of_schema_4_gets_the_later_numbers_whatever_their_order_of_merge() {
        // A store made by a binary whose last migration was 0004.
        let mut conn = Connection::open_in_memory().expect("memory");
        for (name, sql) in MIGRATIONS.iter().filter(|(n, _)| number(n) <= SEQUENTIAL_UNTIL) {
            conn.execute_batch(sql).expect("old migration");
            conn.pragma_update(None, "user_version", number(name)).expect("version");
        }
        assert!(!columns(&conn, "claims").contains(&"grants".to_string()));
        assert_eq!(migrate(&mut conn).expect("migrate"), 4);
        assert!(columns(&conn, "claims").contains(&"grants".to_string()), "0007");
        assert!(columns(&conn, "parked_ops").contains(&"explain".to_string()), "0005");
        assert!(columns(&conn, "claims").contains(&"incident_id".to_string()), "0006");
    }

    #[test]
    fn migrations_apply_once_each_whatever_their_numbers() {
        let mut conn = Connection::open_in_memory().expect("memory");
        migrate(&mut conn).expect("migrate");
        let applied: i64 =
            conn.query_row("SELECT count(*) FROM migrations", [], |r| r.get(0)).expect("count");
        assert_eq!(applied as usize, MIGRATIONS.len(), "a new store records every one");
        assert_eq!(
            conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).expect("version"),
            SCHEMA_VERSION
        );
        // A second run applies nothing (a migration applied twice would fail on its CREATE TABLE).
        migrate(&mut conn).expect("again");
        assert_eq!(MIGRATIONS.iter().map(|(n, _)| number(n)).max(), Some(SCHEMA_VERSION));
        // One not named in the table (merged from another branch with a lower number) is applied.
        conn.execute("DELETE FROM migrations WHERE name = '0006_incidents'", []).expect("forget");
        assert!(migrate(&mut conn).is_err(), "0006 is applied again, and meets its own table");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().expect("memory");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("bump");
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { .. })));
    }
}
