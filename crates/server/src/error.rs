//! The server's one error type, and how it reaches a client as [`ErrorBody`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use claimdesk_sync::protocol::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{0}")]
    Config(String),
    #[error("the database is at schema {found}, newer than this server understands ({supported}); run a newer claimdesk-server")]
    SchemaTooNew { found: i32, supported: i32 },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    ProtocolTooOld(String),
    #[error("{0}")]
    ProtocolTooNew(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
    /// Too many attempts (sign-ins of one account or from one address): 429.
    #[error("{message}")]
    Throttled { message: String, retry_after_secs: u64 },
    /// The server is at a bound it keeps (password checks, pushes at once, a
    /// request's time): 503, try again after a moment.
    #[error("{message}")]
    Busy { message: String, retry_after_secs: u64 },
    /// A body larger than the route takes: 413, never read.
    #[error("{0}")]
    TooLarge(String),
    #[error("database: {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
}

impl ServerError {
    pub fn code(&self) -> &'static str {
        match self {
            ServerError::Config(_) => "config",
            ServerError::SchemaTooNew { .. } => "schema_too_new",
            ServerError::BadRequest(_) => "bad_request",
            ServerError::Unauthorized(_) => "unauthorized",
            ServerError::Forbidden(_) => "forbidden",
            ServerError::ProtocolTooOld(_) => "protocol_too_old",
            ServerError::ProtocolTooNew(_) => "protocol_too_new",
            ServerError::NotFound(_) => "not_found",
            ServerError::Internal(_) => "internal",
            ServerError::Throttled { .. } => "too_many_attempts",
            ServerError::Busy { .. } => "busy",
            ServerError::TooLarge(_) => "too_large",
            ServerError::Db(_) | ServerError::Pool(_) => "unavailable",
        }
    }

    /// Seconds after which trying again may succeed (the `Retry-After` header).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ServerError::Throttled { retry_after_secs, .. } | ServerError::Busy { retry_after_secs, .. } => {
                Some((*retry_after_secs).max(1))
            }
            ServerError::Db(_) | ServerError::Pool(_) => Some(2),
            _ => None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::ProtocolTooOld(_) | ServerError::ProtocolTooNew(_) => StatusCode::CONFLICT,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServerError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::Db(_) | ServerError::Pool(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Config(_) | ServerError::SchemaTooNew { .. } | ServerError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            // Details of database failures go to the log, not to the client.
            ServerError::Db(_) | ServerError::Pool(_) => {
                tracing::error!(error = %self, "database failure");
                "the server cannot reach its database right now; nothing was lost, try again in a moment"
                    .to_string()
            }
            other => other.to_string(),
        };
        let mut response =
            (status, Json(ErrorBody { code: self.code().to_string(), message })).into_response();
        if let Some(secs) = self.retry_after() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
