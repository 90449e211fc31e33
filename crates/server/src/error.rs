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
            ServerError::Db(_) | ServerError::Pool(_) => "unavailable",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::ProtocolTooOld(_) | ServerError::ProtocolTooNew(_) => StatusCode::CONFLICT,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
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
        (status, Json(ErrorBody { code: self.code().to_string(), message })).into_response()
    }
}
