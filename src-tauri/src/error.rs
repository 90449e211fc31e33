//! The one error the UI sees: `{ code, message }`, a stable code to switch
//! on and a message a person can act on.

use claimdesk_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError { code: code.to_string(), message: message.into() }
    }

    pub fn not_signed_in() -> ApiError {
        ApiError::new("NOT_SIGNED_IN", "sign in first")
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new("INVALID", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new("INTERNAL", message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError { code: e.code().to_string(), message: e.to_string() }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_keep_their_code_and_message() {
        let e: ApiError = StoreError::NotFound("claim X".into()).into();
        assert_eq!(e.code, "NOT_FOUND");
        assert_eq!(e.message, "claim X was not found");
        let json = serde_json::to_value(&e).expect("json");
        assert_eq!(json, serde_json::json!({"code": "NOT_FOUND", "message": "claim X was not found"}));
    }
}
