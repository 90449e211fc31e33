//! PostgreSQL: the connection pool and the numbered migrations embedded in the binary.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use crate::error::ServerError;

/// Numbered migrations, applied in order at start; the list only grows.
pub const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../migrations/0001_initial.sql")),
    (2, include_str!("../migrations/0002_decided.sql")),
    (3, include_str!("../migrations/0003_claims_text.sql")),
    (4, include_str!("../migrations/0004_incidents.sql")),
    (5, include_str!("../migrations/0005_policy_input_extra.sql")),
    (6, include_str!("../migrations/0006_login_guard.sql")),
    (7, include_str!("../migrations/0007_server_identity.sql")),
    (8, include_str!("../migrations/0008_tokens.sql")),
    (9, include_str!("../migrations/0009_cited_reasons.sql")),
];

/// The schema this binary speaks (the highest migration it carries).
pub const SCHEMA_VERSION: i32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Advisory-lock keys (one namespace for ClaimDesk).
pub const LOCK_MIGRATE: i64 = 0x436c_6169_6d00_0001;
/// Held (transaction-level) by every push from taking its sequence numbers to
/// its commit, so that ops become visible in sequence order (see docs/decisions/0006).
pub const LOCK_PUSH: i64 = 0x436c_6169_6d00_0002;

pub fn pool(url: &str, size: usize) -> Result<Pool, ServerError> {
    pool_waiting(url, size, Duration::from_secs(5))
}

/// A pool whose callers wait at most `wait` for a connection (and as long
/// for a new one to connect): past it a request is answered 503 at once
/// rather than piling up behind a database that does not keep up.
pub fn pool_waiting(url: &str, size: usize, wait: Duration) -> Result<Pool, ServerError> {
    let pg: tokio_postgres::Config =
        url.parse().map_err(|e| ServerError::Config(format!("the database URL is not valid: {e}")))?;
    let manager = Manager::from_config(pg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(wait))
        .create_timeout(Some(wait))
        .recycle_timeout(Some(wait))
        .build()
        .map_err(|e| ServerError::Config(format!("cannot build the connection pool: {e}")))
}

/// The server's identity (migration 0007): the same for every instance of one database.
pub async fn server_id(pool: &Pool) -> Result<String, ServerError> {
    let client = pool.get().await?;
    let row = client.query_one("SELECT id FROM server_identity", &[]).await?;
    Ok(row.get::<_, uuid::Uuid>(0).to_string())
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
    let found: i32 =
        tx.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[]).await?.get(0);
    if found > SCHEMA_VERSION {
        return Err(ServerError::SchemaTooNew { found, supported: SCHEMA_VERSION });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.batch_execute(sql).await?;
        if *version == 2 {
            backfill_decisions(&tx).await?;
        }
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

/// Schema 2 for a database of schema 1: ops stored before the server decided
/// get the stamp of their author's role and limit now, and every claim is
/// folded from its ops by the deciding rules (what a forged op said about its
/// own result counts for nothing here either).
async fn backfill_decisions(tx: &deadpool_postgres::Transaction<'_>) -> Result<(), ServerError> {
    use claimdesk_core::ops::{Op, Stamp};
    use claimdesk_core::{ClaimInput, Role};
    use claimdesk_sync::fold::{self, ClaimState, FoldOp};

    tx.execute(
        "UPDATE ops o SET author_role = u.role, author_limit = u.approval_limit FROM users u
         WHERE u.id = o.author AND o.author_role IS NULL",
        &[],
    )
    .await?;
    let rows = tx
        .query(
            "SELECT entity, kind, payload::text, op_id::text, hlc, author, device, base, at_ms, author_role, author_limit
             FROM ops WHERE entity LIKE 'claim:%' ORDER BY entity, seq",
            &[],
        )
        .await?;
    let mut claims: Vec<(String, ClaimInput, Vec<FoldOp>)> = Vec::new();
    for r in &rows {
        let entity: String = r.get(0);
        let kind: &str = r.get(1);
        let Ok(payload) = serde_json::from_str::<serde_json::Value>(r.get(2)) else { continue };
        let Ok(op) = Op::decode(kind, &payload) else { continue };
        if claims.last().is_none_or(|(e, _, _)| *e != entity) {
            match op {
                Op::ClaimImport(input) => claims.push((entity.clone(), *input, Vec::new())),
                // Ops of a claim whose import the server never got: nothing to fold them onto.
                _ => continue,
            }
            continue;
        }
        if let (Op::Claim(cmd), Some(last)) = (op, claims.last_mut()) {
            let role = r.get::<_, Option<&str>>(9).and_then(Role::parse).unwrap_or(Role::Reviewer);
            last.2.push(FoldOp {
                op_id: r.get(3),
                hlc: r.get(4),
                user: r.get(5),
                device: r.get(6),
                cmd,
                base: r.get(7),
                at_ms: r.get(8),
                stamp: Stamp::of_role(role, r.get(10)),
            });
        }
    }
    for (entity, input, mut ops) in claims {
        let state = fold::fold(ClaimState::imported(input.category), &mut ops);
        // The intake row as the latest applied intake update left it.
        let input = state.intake.as_deref().cloned().unwrap_or(input);
        let input = claimdesk_core::policy::PolicyInput::from(&input);
        let key =
            claimdesk_core::model::claimant_key(state.category, input.phone.as_deref(), input.brn.as_deref())
                .map(str::to_string);
        let internal = |e: serde_json::Error| ServerError::Internal(e.to_string());
        tx.execute(
            "INSERT INTO claims (entity, category, claimant_key, service, input, state) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)
             ON CONFLICT (entity) DO NOTHING",
            &[
                &entity,
                &state.category.code(),
                &key,
                &input.service,
                &serde_json::to_string(&input).map_err(internal)?,
                &serde_json::to_string(&state).map_err(internal)?,
            ],
        )
        .await?;
    }
    Ok(())
}
