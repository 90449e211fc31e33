//! The HTTP API of protocol.rs: routes, version and request-id middleware, handlers.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use claimdesk_sync::protocol::{
    Health, LoginRequest, LoginResponse, PushOutcome, PushRequest, PushResponse, PushResult, RefreshResponse,
    RejectCode, UserInfo, WireOp, HEADER_PROTOCOL, HEADER_SCHEMA, MAX_PAGE, MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
};
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tracing::Instrument;

use crate::auth::{self, Session};
use crate::config::Config;
use crate::db::SCHEMA_VERSION;
use crate::error::ServerError;
use crate::guard::{Guard, MAX_PUSH_BYTES};

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub guard: Arc<Guard>,
    /// The database's identity ([`crate::db::server_id`]), answered by /health and /v1/login.
    pub server_id: Arc<str>,
}

impl AppState {
    pub fn new(pool: Pool, config: Config, server_id: String) -> AppState {
        let guard = Arc::new(Guard::new(&config));
        AppState { pool, config: Arc::new(config), guard, server_id: server_id.into() }
    }
}

/// The largest login body read (a user name, a password, a device id and name).
pub const MAX_LOGIN_BODY: usize = 4 * 1024;

/// Routes and their limits. Bodies: a login is read up to [`MAX_LOGIN_BODY`]
/// (the default for every route), a push up to [`MAX_PUSH_BYTES`] and only
/// after its token was checked ([`Authed`] runs before the body is touched);
/// the other routes read none. Every request ends within
/// `request_timeout_secs`.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/v1/login", post(login))
        .route("/v1/push", post(push))
        .route("/v1/pull", get(pull))
        .route("/v1/users", get(users))
        .route("/v1/refresh", post(refresh))
        .route("/v1/logout", post(logout))
        .layer(middleware::from_fn(check_versions));
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    Router::new()
        .route("/health", get(health))
        .merge(v1)
        .layer(DefaultBodyLimit::max(MAX_LOGIN_BODY))
        .layer(middleware::from_fn(catch_panic))
        .layer(middleware::from_fn_with_state(timeout, time_limit))
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// Answers 503 when a request takes longer than the setting; what it had
/// open (a push's transaction) is dropped and so rolled back, and a client
/// pushes the same ops again (they are recognised by op id).
async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ServerError::Busy {
            message: format!(
                "the request took longer than {} s and was stopped; nothing of it was stored, try again",
                limit.as_secs()
            ),
            retry_after_secs: 5,
        }
        .into_response(),
    }
}

/// The signed-in device a bearer token stands for. An extractor of the
/// request's head: a handler that takes it and a body reads no byte of the
/// body for a request without a valid token.
pub struct Authed(pub Session);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Authed, ServerError> {
        let token = bearer(&parts.headers)?;
        let client = st.pool.get().await?;
        Ok(Authed(auth::session(&client, token).await?))
    }
}

/// The client's address ([`Guard::client_address`]).
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<ClientAddr, ServerError> {
        Ok(ClientAddr(st.guard.client_address(parts)))
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Gives every request an id (the caller's `x-request-id`, or a new one),
/// logs it with the outcome, and returns it in the response.
async fn request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 100)
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let started = Instant::now();
    async move {
        let mut response = next.run(req).await;
        let status = response.status().as_u16();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::warn!(status, ms, "answered");
        } else {
            tracing::info!(status, ms, "answered");
        }
        if let Ok(v) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-request-id", v);
        }
        response
    }
    .instrument(span)
    .await
}

/// A bug in a handler answers 500 with an [`ErrorBody`] instead of dropping
/// the connection; the transaction it had open is rolled back.
async fn catch_panic(req: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("a request handler panicked");
            let body = claimdesk_sync::protocol::ErrorBody {
                code: "internal".into(),
                message: "the server failed on this request; nothing was stored from it, try again".into(),
            };
            (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
        }
    }
}

fn header_number(headers: &HeaderMap, name: &str) -> Result<u32, ServerError> {
    let value = headers.get(name).ok_or_else(|| {
        ServerError::BadRequest(format!(
            "the request lacks the {name} header; this is not a ClaimDesk client or a very old one"
        ))
    })?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ServerError::BadRequest(format!("the {name} header must be a number")))
}

/// Every request but /health says which protocol and schema it speaks; the
/// server answers its own protocol and the one before it.
async fn check_versions(req: Request, next: Next) -> Response {
    let checked = header_number(req.headers(), HEADER_PROTOCOL)
        .and_then(|protocol| header_number(req.headers(), HEADER_SCHEMA).map(|_| protocol))
        .and_then(|protocol| check_protocol(protocol, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION));
    match checked {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Whether a client speaking `protocol` is answered by a server speaking `min..=max`.
pub fn check_protocol(protocol: u32, min: u32, max: u32) -> Result<(), ServerError> {
    if protocol < min {
        return Err(ServerError::ProtocolTooOld(format!(
            "this ClaimDesk speaks sync protocol {protocol}, which the server no longer answers (it needs {min} to {max}); update ClaimDesk on this computer, your unsent changes are kept"
        )));
    }
    if protocol > max {
        return Err(ServerError::ProtocolTooNew(format!(
            "this ClaimDesk speaks sync protocol {protocol}, newer than the server ({max}); ask the administrator to update the server"
        )));
    }
    Ok(())
}

fn bearer(headers: &HeaderMap) -> Result<&str, ServerError> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ServerError::Unauthorized("sign in first: the request carries no device token".into()))
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ServerError> {
    serde_json::from_slice(body)
        .map_err(|e| ServerError::BadRequest(format!("the request body is not valid: {e}")))
}

fn parse_borrowed<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ServerError> {
    serde_json::from_slice(body)
        .map_err(|e| ServerError::BadRequest(format!("the request body is not valid: {e}")))
}

async fn health(State(st): State<AppState>) -> Response {
    let ok = match st.pool.get().await {
        Ok(c) => c.query_one("SELECT 1", &[]).await.is_ok(),
        Err(_) => false,
    };
    let body = Health {
        status: if ok { "ok" } else { "database_unavailable" }.into(),
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION as u32,
        server_time_ms: now_ms(),
        server_id: st.server_id.to_string(),
    };
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

fn user_info(r: &tokio_postgres::Row) -> UserInfo {
    UserInfo {
        id: r.get(0),
        display_name: r.get(1),
        role: r.get(2),
        approval_limit: r.get(3),
        active: r.get(4),
    }
}

/// A sign-in, in the order that keeps it cheap to refuse: the address's
/// sign-ins of the minute, the body (at most [`MAX_LOGIN_BODY`]), a turn to
/// check a password, the account's attempts (a locked account is refused
/// without a check), then argon2 with no database connection held.
async fn login(
    State(st): State<AppState>,
    ClientAddr(address): ClientAddr,
    body: Bytes,
) -> Result<Json<LoginResponse>, ServerError> {
    st.guard.login_from(address)?;
    let req: LoginRequest = parse(&body)?;
    if req.device_id.trim().is_empty() || req.device_id.len() > 200 {
        return Err(ServerError::BadRequest("the device id must be 1 to 200 characters".into()));
    }
    if req.user.trim().is_empty() || req.user.len() > 200 || req.device_name.len() > 200 {
        return Err(ServerError::BadRequest(
            "the user name and the device name must be at most 200 characters".into(),
        ));
    }
    let turn = st.guard.password_check().await?;
    let client = st.pool.get().await?;
    st.guard.account_attempt(&client, &req.user).await?;
    let row = client
        .query_opt(
            "SELECT id, display_name, role, approval_limit, active, password_hash FROM users WHERE id = $1",
            &[&req.user],
        )
        .await?;
    drop(client);
    let hash = row.as_ref().map(|r| r.get::<_, String>(5)).unwrap_or_else(|| auth::dummy_hash().to_string());
    let password = req.password.clone();
    let verified =
        tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash)).await.unwrap_or(false);
    drop(turn);
    let wrong = || ServerError::Unauthorized("the user name or the password is wrong".into());
    let row = row.filter(|_| verified).ok_or_else(|| {
        tracing::info!(address = %address, "sign-in refused: wrong user name or password");
        wrong()
    })?;
    let user = user_info(&row);
    let client = st.pool.get().await?;
    Guard::account_signed_in(&client, &req.user).await?;
    if !user.active {
        return Err(ServerError::Unauthorized("this account is deactivated; ask an administrator".into()));
    }
    let token = auth::new_token();
    let name =
        if req.device_name.trim().is_empty() { req.device_id.clone() } else { req.device_name.clone() };
    // The device id belongs to the machine that registered it: a later
    // sign-in with the id (by any user) must bring the secret it registered
    // with; one registered before secrets gives its own now.
    let secret = (!req.device_secret.is_empty()).then(|| auth::token_hash(&req.device_secret));
    let ttl = i64::try_from(st.config.token_ttl_secs).unwrap_or(i64::MAX / 2);
    let row = client
        .query_opt(
            "INSERT INTO devices (id, user_id, name, token_hash, token_expires_at, secret_hash)
             VALUES ($1, $2, $3, $4, now() + $5::bigint * interval '1 second', $6)
             ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, name = EXCLUDED.name,
                 token_hash = EXCLUDED.token_hash, token_expires_at = EXCLUDED.token_expires_at, last_seen = now(),
                 secret_hash = coalesce(devices.secret_hash, EXCLUDED.secret_hash)
             WHERE devices.revoked_at IS NULL
               AND (devices.secret_hash IS NULL OR devices.secret_hash = EXCLUDED.secret_hash)
             RETURNING (extract(epoch FROM token_expires_at) * 1000)::bigint",
            &[&req.device_id, &user.id, &name, &auth::token_hash(&token), &ttl, &secret],
        )
        .await?;
    let Some(row) = row else {
        let revoked: bool = client
            .query_opt("SELECT revoked_at IS NOT NULL FROM devices WHERE id = $1", &[&req.device_id])
            .await?
            .is_some_and(|r| r.get(0));
        tracing::warn!(user = %user.id, device = %req.device_id, revoked, "sign-in refused for the device id");
        return Err(ServerError::Forbidden(if revoked {
            "this device was revoked by an administrator and cannot sign in again; ask them".into()
        } else {
            "this device id belongs to another computer, which registered it; a computer cannot take over another's device id".into()
        }));
    };
    tracing::info!(user = %user.id, device = %req.device_id, "signed in");
    Ok(Json(LoginResponse {
        token,
        user,
        server_time_ms: now_ms(),
        server_id: st.server_id.to_string(),
        token_expires_ms: row.get(0),
    }))
}

/// A new token for the signed-in device in place of the one it sent (which
/// stops working), with a new lifetime: desktops call it while they sync,
/// so a device in use never expires and one left unused does.
async fn refresh(
    State(st): State<AppState>,
    Authed(session): Authed,
    headers: HeaderMap,
) -> Result<Json<RefreshResponse>, ServerError> {
    let old = bearer(&headers)?;
    let token = auth::new_token();
    let ttl = i64::try_from(st.config.token_ttl_secs).unwrap_or(i64::MAX / 2);
    let client = st.pool.get().await?;
    let row = client
        .query_opt(
            "UPDATE devices SET token_hash = $3, token_expires_at = now() + $4::bigint * interval '1 second'
             WHERE id = $1 AND token_hash = $2 AND revoked_at IS NULL
             RETURNING (extract(epoch FROM token_expires_at) * 1000)::bigint",
            &[&session.device, &auth::token_hash(old), &auth::token_hash(&token), &ttl],
        )
        .await?
        .ok_or_else(|| {
            ServerError::Unauthorized(
                "this device's sign-in is not known to the server; sign in again".into(),
            )
        })?;
    Ok(Json(RefreshResponse { token, token_expires_ms: row.get(0) }))
}

/// Signing out: the token stops working at once.
async fn logout(
    State(st): State<AppState>,
    Authed(session): Authed,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ServerError> {
    let token = bearer(&headers)?;
    let client = st.pool.get().await?;
    client
        .execute(
            "UPDATE devices SET token_hash = NULL, token_expires_at = NULL WHERE token_hash = $1",
            &[&auth::token_hash(token)],
        )
        .await?;
    tracing::info!(user = %session.user, device = %session.device, "signed out");
    Ok(Json(serde_json::json!({})))
}

/// A push as it comes: each op is read on its own, so that one op that does
/// not read (odd content from a modified client) is answered alone.
#[derive(Deserialize)]
struct RawPush<'a> {
    device_id: String,
    #[serde(borrow)]
    ops: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct OpIdOnly {
    op_id: String,
}

/// Reads the ops of a push one by one: the readable ones, and for each one
/// that is not, its id and why (an op without even a readable id makes the
/// request itself bad).
fn read_ops(raw: &[&RawValue]) -> Result<Vec<Result<WireOp, PushResult>>, ServerError> {
    raw.iter()
        .map(|r| match serde_json::from_str::<WireOp>(r.get()) {
            Ok(op) => Ok(Ok(op)),
            Err(e) => match serde_json::from_str::<OpIdOnly>(r.get()) {
                Ok(id) => Ok(Err(PushResult {
                    op_id: id.op_id,
                    outcome: {
                        let r = claimdesk_sync::admit::Rejection::new(
                            RejectCode::BAD_OP,
                            format!("this change cannot be read: {e}"),
                        );
                        PushOutcome::Rejected { code: r.code, reason: r.reason, explain: Some(*r.explain) }
                    },
                })),
                Err(_) => {
                    Err(ServerError::BadRequest(format!("an op of the push has no readable op_id: {e}")))
                }
            },
        })
        .collect()
}

async fn push(
    State(st): State<AppState>,
    Authed(session): Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<PushResponse>, ServerError> {
    // The token was checked before this runs ([`Authed`]): a body is read
    // only for a signed-in device, and no database connection is held while
    // it arrives. A body announced larger than a push may be is refused
    // without reading it; one that grows past it while arriving stops there.
    let too_large = || {
        ServerError::TooLarge(format!(
            "a push body may be at most {} MiB; send fewer ops per page",
            MAX_PUSH_BYTES >> 20
        ))
    };
    let announced = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_PUSH_BYTES as u64) {
        return Err(too_large());
    }
    let _turn = st.guard.push_turn().await?;
    let body = axum::body::to_bytes(body, MAX_PUSH_BYTES).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        let mut over = false;
        while let Some(s) = source {
            over |= s.is::<http_body_util::LengthLimitError>();
            source = s.source();
        }
        if over {
            too_large()
        } else {
            ServerError::BadRequest(format!("the push body could not be read: {e}"))
        }
    })?;
    let raw: RawPush<'_> = parse_borrowed(&body)?;
    let read = read_ops(&raw.ops)?;
    let req = PushRequest {
        device_id: raw.device_id,
        ops: read.iter().filter_map(|r| r.as_ref().ok().cloned()).collect(),
    };
    if read.len() > MAX_PAGE {
        return Err(ServerError::BadRequest(format!(
            "at most {MAX_PAGE} ops in one push; send the rest in another page"
        )));
    }
    if req.device_id != session.device {
        return Err(ServerError::Forbidden(format!(
            "this token belongs to device '{}', not '{}'; sign in on this device",
            session.device, req.device_id
        )));
    }
    if read.is_empty() {
        // A sync timer's push with nothing to send: no transaction, no lock.
        return Ok(Json(PushResponse { results: Vec::new(), server_time_ms: now_ms() }));
    }
    let stored = if req.ops.is_empty() {
        Vec::new()
    } else {
        let mut client = st.pool.get().await?;
        crate::push::store_page(&mut client, &session, &req.ops, now_ms(), st.config.max_clock_ahead_ms)
            .await?
    };
    // One answer per op, in the order they came.
    let mut stored = stored.into_iter();
    let results: Vec<PushResult> = read
        .into_iter()
        .map(|r| match r {
            Ok(_) => {
                stored.next().ok_or_else(|| ServerError::Internal("an op was left without an answer".into()))
            }
            Err(answer) => Ok(answer),
        })
        .collect::<Result<_, _>>()?;
    let rejected = results
        .iter()
        .filter(|r| matches!(r.outcome, claimdesk_sync::protocol::PushOutcome::Rejected { .. }))
        .count();
    tracing::info!(user = %session.user, device = %session.device, ops = req.ops.len(), rejected, "push");
    Ok(Json(PushResponse { results, server_time_ms: now_ms() }))
}

#[derive(Deserialize)]
struct PullQuery {
    #[serde(default)]
    after: i64,
    limit: Option<usize>,
}

/// A pulled op as it goes out: the payload is passed through from jsonb text
/// without a parse (the same JSON as [`claimdesk_sync::protocol::PulledOp`]).
#[derive(Serialize)]
struct PulledRaw<'a> {
    seq: i64,
    op_id: String,
    hlc: i64,
    user: &'a str,
    device: &'a str,
    entity: &'a str,
    kind: &'a str,
    payload: &'a RawValue,
    base: Option<i64>,
    at_ms: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stamp: Option<StampRaw<'a>>,
}

/// [`claimdesk_core::ops::Stamp`] as it goes out, the policy result passed through.
#[derive(Serialize)]
struct StampRaw<'a> {
    role: &'a str,
    approval_limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cited: Option<&'a RawValue>,
}

#[derive(Serialize)]
struct PullRaw<'a> {
    ops: Vec<PulledRaw<'a>>,
    cursor: i64,
    more: bool,
    head: i64,
    server_time_ms: i64,
}

async fn pull(
    State(st): State<AppState>,
    Authed(_session): Authed,
    query: Query<PullQuery>,
) -> Result<Response, ServerError> {
    let limit = query.limit.unwrap_or(1000).clamp(1, MAX_PAGE) as i64;
    let after = query.after.max(0);
    let client = st.pool.get().await?;
    let ops_stmt = client
        .prepare_cached(
            "SELECT seq, op_id, hlc, author, device, entity, kind, payload::text, base, at_ms, author_role, author_limit, proposal::text,
                    cited::text
             FROM ops WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .await?;
    let head_stmt = client.prepare_cached("SELECT coalesce(max(seq), 0) FROM ops").await?;
    // Head first: every op up to it is visible to the page query that follows.
    let head: i64 = client.query_one(&head_stmt, &[]).await?.get(0);
    let rows = client.query(&ops_stmt, &[&after, &(limit + 1)]).await?;
    let more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let mut ops = Vec::with_capacity(rows.len());
    for r in rows {
        let payload: &str = r.get(7);
        let payload: &RawValue = serde_json::from_str(payload)
            .map_err(|e| ServerError::Internal(format!("a stored payload is not JSON: {e}")))?;
        ops.push(PulledRaw {
            seq: r.get(0),
            op_id: r.get::<_, uuid::Uuid>(1).to_string(),
            hlc: r.get(2),
            user: r.get(3),
            device: r.get(4),
            entity: r.get(5),
            kind: r.get(6),
            payload,
            base: r.get(8),
            at_ms: r.get(9),
            stamp: match r.get::<_, Option<&str>>(10) {
                Some(role) => Some(StampRaw {
                    role,
                    approval_limit: r.get(11),
                    proposal: r
                        .get::<_, Option<&str>>(12)
                        .map(serde_json::from_str)
                        .transpose()
                        .map_err(|e| ServerError::Internal(format!("a stored stamp is not JSON: {e}")))?,
                    cited: r
                        .get::<_, Option<&str>>(13)
                        .map(serde_json::from_str)
                        .transpose()
                        .map_err(|e| ServerError::Internal(format!("a stored stamp is not JSON: {e}")))?,
                }),
                None => None,
            },
        });
    }
    let cursor = ops.last().map(|o| o.seq).unwrap_or(after);
    let body = PullRaw { ops, cursor, more, head: head.max(cursor), server_time_ms: now_ms() };
    let bytes = serde_json::to_vec(&body).map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

async fn users(
    State(st): State<AppState>,
    Authed(_session): Authed,
) -> Result<Json<Vec<UserInfo>>, ServerError> {
    let client = st.pool.get().await?;
    let rows = client
        .query("SELECT id, display_name, role, approval_limit, active FROM users ORDER BY id", &[])
        .await?;
    Ok(Json(rows.iter().map(user_info).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn one_version_behind_is_answered_older_is_refused_with_409() {
        assert!(check_protocol(PROTOCOL_VERSION, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION).is_ok());
        assert!(check_protocol(MIN_PROTOCOL_VERSION, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION).is_ok());
        // As a server of protocol 3 would see clients of 1 and 2.
        assert!(check_protocol(2, 2, 3).is_ok());
        let old = check_protocol(1, 2, 3).expect_err("too old");
        assert_eq!((old.code(), old.status()), ("protocol_too_old", StatusCode::CONFLICT));
        assert!(old.to_string().contains("update ClaimDesk"), "{old}");
        let new = check_protocol(4, 2, 3).expect_err("too new");
        assert_eq!((new.code(), new.status()), ("protocol_too_new", StatusCode::CONFLICT));
    }
}
