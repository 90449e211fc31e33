//! Admin subcommands: users and devices are managed here, on the server.

use claimdesk_core::Role;
use deadpool_postgres::Pool;

use crate::auth;
use crate::error::ServerError;

fn role(text: &str) -> Result<Role, ServerError> {
    Role::parse(text).ok_or_else(|| {
        ServerError::BadRequest(format!("'{text}' is not a role: reviewer, supervisor or admin"))
    })
}

fn check_password(p: &str) -> Result<(), ServerError> {
    if p.chars().count() < 8 {
        return Err(ServerError::BadRequest("a password needs at least 8 characters".into()));
    }
    Ok(())
}

fn one(n: u64, user: &str) -> Result<(), ServerError> {
    if n == 0 {
        return Err(ServerError::NotFound(format!("there is no user '{user}'")));
    }
    Ok(())
}

pub async fn create_user(
    pool: &Pool,
    id: &str,
    name: &str,
    role_text: &str,
    limit: Option<i64>,
    password: &str,
) -> Result<(), ServerError> {
    let role = role(role_text)?;
    check_password(password)?;
    if id.trim().is_empty() || id.len() > 200 {
        return Err(ServerError::BadRequest("a user id must be 1 to 200 characters".into()));
    }
    if limit.is_some_and(|l| l < 0) {
        return Err(ServerError::BadRequest("an approval limit cannot be negative".into()));
    }
    let hash = auth::hash_password(password)?;
    let client = pool.get().await?;
    let n = client
        .execute(
            "INSERT INTO users (id, display_name, role, approval_limit, password_hash) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO NOTHING",
            &[&id, &name, &role.code(), &limit, &hash],
        )
        .await?;
    if n == 0 {
        return Err(ServerError::BadRequest(format!(
            "the user '{id}' exists already; use set-role, set-limit or reset-password"
        )));
    }
    Ok(())
}

pub async fn reset_password(pool: &Pool, id: &str, password: &str) -> Result<(), ServerError> {
    check_password(password)?;
    let hash = auth::hash_password(password)?;
    let client = pool.get().await?;
    let n = client
        .execute("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", &[&id, &hash])
        .await?;
    one(n, id)?;
    client.execute("DELETE FROM login_guard WHERE account = $1", &[&id]).await?;
    Ok(())
}

/// Ends a lock from too many sign-in attempts (and the count towards one).
/// Says whether the account was locked.
pub async fn unlock(pool: &Pool, id: &str) -> Result<bool, ServerError> {
    let client = pool.get().await?;
    let n =
        client.execute("DELETE FROM login_guard WHERE account = $1 AND locked_until > now()", &[&id]).await?;
    client.execute("DELETE FROM login_guard WHERE account = $1", &[&id]).await?;
    Ok(n > 0)
}

pub async fn set_role(pool: &Pool, id: &str, role_text: &str) -> Result<(), ServerError> {
    let role = role(role_text)?;
    let client = pool.get().await?;
    one(
        client
            .execute("UPDATE users SET role = $2, updated_at = now() WHERE id = $1", &[&id, &role.code()])
            .await?,
        id,
    )
}

pub async fn set_limit(pool: &Pool, id: &str, limit: Option<i64>) -> Result<(), ServerError> {
    if limit.is_some_and(|l| l < 0) {
        return Err(ServerError::BadRequest("an approval limit cannot be negative".into()));
    }
    let client = pool.get().await?;
    one(
        client
            .execute("UPDATE users SET approval_limit = $2, updated_at = now() WHERE id = $1", &[&id, &limit])
            .await?,
        id,
    )
}

/// Deactivating a user also ends every device sign-in they have.
pub async fn set_active(pool: &Pool, id: &str, active: bool) -> Result<(), ServerError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let n =
        tx.execute("UPDATE users SET active = $2, updated_at = now() WHERE id = $1", &[&id, &active]).await?;
    one(n, id)?;
    if !active {
        tx.execute("UPDATE devices SET token_hash = NULL WHERE user_id = $1", &[&id]).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn list_users(pool: &Pool) -> Result<String, ServerError> {
    let client = pool.get().await?;
    let rows = client
        .query("SELECT id, display_name, role, approval_limit, active FROM users ORDER BY id", &[])
        .await?;
    let mut out = format!("{:<20} {:<12} {:>16} {:<8} {}\n", "id", "role", "limit (won)", "active", "name");
    for r in rows {
        let limit: Option<i64> = r.get(3);
        out.push_str(&format!(
            "{:<20} {:<12} {:>16} {:<8} {}\n",
            r.get::<_, String>(0),
            r.get::<_, String>(2),
            limit.map(|l| l.to_string()).unwrap_or_else(|| "none".into()),
            if r.get::<_, bool>(4) { "yes" } else { "no" },
            r.get::<_, String>(1)
        ));
    }
    Ok(out)
}

pub async fn list_devices(pool: &Pool, user: Option<&str>) -> Result<String, ServerError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT id, user_id, name, to_char(created_at, 'YYYY-MM-DD HH24:MI'), to_char(last_seen, 'YYYY-MM-DD HH24:MI'),
                    revoked_at IS NOT NULL
             FROM devices WHERE $1::text IS NULL OR user_id = $1 ORDER BY user_id, id",
            &[&user],
        )
        .await?;
    let mut out = format!(
        "{:<38} {:<16} {:<17} {:<17} {:<8} {}\n",
        "device", "user", "created (UTC)", "last seen (UTC)", "revoked", "name"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<38} {:<16} {:<17} {:<17} {:<8} {}\n",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, String>(3),
            r.get::<_, String>(4),
            if r.get::<_, bool>(5) { "yes" } else { "no" },
            r.get::<_, String>(2)
        ));
    }
    Ok(out)
}

pub async fn revoke_device(pool: &Pool, id: &str) -> Result<(), ServerError> {
    let client = pool.get().await?;
    let n = client
        .execute("UPDATE devices SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", &[&id])
        .await?;
    if n == 0 {
        return Err(ServerError::NotFound(format!("there is no device '{id}'")));
    }
    Ok(())
}
