//! PostgreSQL: the connection pool and the numbered migrations embedded in the binary.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::error::ServerError;

/// Numbered migrations, applied in order at start; the list only grows.
pub const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../migrations/0001_initial.sql"))];

/// The schema this binary speaks (the highest migration it carries).
pub const SCHEMA_VERSION: i32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Advisory-lock keys (one namespace for ClaimDesk).
pub const LOCK_MIGRATE: i64 = 0x436c_6169_6d00_0001;
/// Held (transaction-level) by every push from taking its sequence numbers to
/// its commit, so that ops become visible in sequence order (see docs/decisions/0006).
pub const LOCK_PUSH: i64 = 0x436c_6169_6d00_0002;

pub fn pool(url: &str, size: usize) -> Result<Pool, ServerError> {
    let pg: tokio_postgres::Config =
        url.parse().map_err(|e| ServerError::Config(format!("the database URL is not valid: {e}")))?;
    let manager = Manager::from_config(pg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager)
        .max_size(size)
        .build()
        .map_err(|e| ServerError::Config(format!("cannot build the connection pool: {e}")))
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    pub from: i32,
    pub to: i32,
}

/// Applies the missing migrations in one transaction each, under an advisory
/// lock (several instances may start at once). A database newer than this
/// binary is refused, never touched.
pub async fn migrate(pool: &Pool) -> Result<Migrated, ServerError> {
    let mut client = pool.get().await?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_MIGRATE]).await?;
    let found: i32 = tx.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[]).await?.get(0);
    if found > SCHEMA_VERSION {
        return Err(ServerError::SchemaTooNew { found, supported: SCHEMA_VERSION });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[version]).await?;
        tracing::info!(version, "applied migration");
    }
    tx.commit().await?;
    Ok(Migrated { from: found, to: SCHEMA_VERSION })
}

/// The schema version the database is at (0 = empty), without changing it.
pub async fn current_version(pool: &Pool) -> Result<i32, ServerError> {
    let client = pool.get().await?;
    let row = client
        .query_one(
            "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END",
            &[],
        )
        .await?;
    Ok(row.get(0))
}
