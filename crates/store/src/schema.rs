//! Numbered migrations. `PRAGMA user_version` holds the highest number
//! applied; a store newer than this binary is refused, never opened.
//! Numbers may have gaps (branches take numbers ahead of a merge): every
//! migration a store has not had is applied, in number order, and those above
//! [`CONTIGUOUS_UNTIL`] are recorded by number in `meta` (`migrations`), so a
//! store that had 0007 before 0005 existed still gets 0005 later.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Result, StoreError};

/// Every migration, by number, in order. Append only: a shipped migration never changes.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "0001_initial", include_str!("migrations/0001_initial.sql")),
    (2, "0002_app", include_str!("migrations/0002_app.sql")),
    (3, "0003_sync", include_str!("migrations/0003_sync.sql")),
    (4, "0004_decided", include_str!("migrations/0004_decided.sql")),
    (7, "0007_grants", include_str!("migrations/0007_grants.sql")),
];

/// Migrations up to this number were applied in order by every binary (a
/// store at user_version n has 1..=n); later ones are recorded one by one.
pub const CONTIGUOUS_UNTIL: i64 = 4;

/// The first migration after which every claim must be folded again (its
/// cached state was made by older rules).
pub const REFOLD_AFTER: i64 = 4;

/// The schema version this binary writes: its highest migration number.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The numbers above [`CONTIGUOUS_UNTIL`] a store has had: recorded in `meta`,
/// or, for a store that has no record yet, every number up to its user_version.
fn applied_beyond_contiguous(conn: &Connection, found: i64) -> Result<Vec<i64>> {
    let has_meta: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta')", [], |r| r.get(0))?;
    let recorded: Option<String> = if has_meta {
        conn.query_row("SELECT value FROM meta WHERE key = 'migrations'", [], |r| r.get(0)).optional()?
    } else {
        None
    };
    Ok(match recorded {
        Some(text) => text.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        None => MIGRATIONS.iter().map(|m| m.0).filter(|n| *n > CONTIGUOUS_UNTIL && *n <= found).collect(),
    })
}

/// Brings the schema up to date, or refuses a store from a newer binary.
/// Returns the version the store was at.
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found, supported: SCHEMA_VERSION });
    }
    let mut applied = applied_beyond_contiguous(conn, found)?;
    for (number, _name, sql) in MIGRATIONS {
        let done = if *number <= CONTIGUOUS_UNTIL { *number <= found } else { applied.contains(number) };
        if done {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if *number > CONTIGUOUS_UNTIL {
            applied.push(*number);
            applied.sort_unstable();
            let list = applied.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('migrations', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [list],
            )?;
        }
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        tx.pragma_update(None, "user_version", version.max(*number))?;
        tx.commit()?;
    }
    Ok(found)
}

/// Secondary indexes a large import drops and rebuilds (import.rs). The
/// statements are those of the migrations; a test checks they stay equal.
const BULK_INDEXES: &[(&str, &str)] = &[
    ("claims_queue_received", "CREATE INDEX claims_queue_received ON claims(status, category, service, received_at)"),
    ("claims_queue_amount", "CREATE INDEX claims_queue_amount   ON claims(status, category, service, amount)"),
    ("claims_received", "CREATE INDEX claims_received       ON claims(received_at)"),
    ("claims_claimant", "CREATE INDEX claims_claimant       ON claims(claimant_key, service)"),
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
        conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')", [], |r| r.get(0))?;
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
                .query_row("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", [name], |r| r.get(0))
                .expect("index exists");
            assert_eq!(&stored, sql);
        }
    }

    fn columns(conn: &Connection, table: &str) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})")).expect("table info");
        stmt.query_map([], |r| r.get::<_, String>(1)).expect("columns").collect::<rusqlite::Result<_>>().expect("read")
    }

    #[test]
    fn numbers_with_gaps_are_applied_in_order_and_recorded() {
        let mut conn = Connection::open_in_memory().expect("memory");
        assert_eq!(migrate(&mut conn).expect("migrate"), 0);
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(SCHEMA_VERSION, 7);
        assert!(columns(&conn, "claims").contains(&"grants".to_string()));
        let recorded: String = conn.query_row("SELECT value FROM meta WHERE key = 'migrations'", [], |r| r.get(0)).expect("recorded");
        assert_eq!(recorded, "7");
        // Opening again applies nothing (a second ALTER TABLE would fail).
        assert_eq!(migrate(&mut conn).expect("again"), 7);
    }

    #[test]
    fn a_store_of_the_last_contiguous_schema_gets_the_later_numbers() {
        // A store made by a binary whose last migration was 0004.
        let mut conn = Connection::open_in_memory().expect("memory");
        for (number, _, sql) in MIGRATIONS.iter().filter(|m| m.0 <= CONTIGUOUS_UNTIL) {
            conn.execute_batch(sql).expect("old migration");
            conn.pragma_update(None, "user_version", number).expect("version");
        }
        assert!(!columns(&conn, "claims").contains(&"grants".to_string()));
        assert_eq!(migrate(&mut conn).expect("migrate"), 4);
        assert!(columns(&conn, "claims").contains(&"grants".to_string()));
        // A recorded list is authoritative: a number missing from it is applied even below user_version.
        conn.execute("UPDATE meta SET value = '' WHERE key = 'migrations'", []).expect("forget");
        conn.execute_batch("ALTER TABLE claims DROP COLUMN grants").expect("undo");
        migrate(&mut conn).expect("applies 0007 again");
        assert!(columns(&conn, "claims").contains(&"grants".to_string()));
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().expect("memory");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("bump");
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { .. })));
    }
}
