//! The one error the UI sees: `{ code, message, explain }`, a stable code to
//! switch on, the English text (logs) and the message as key and parameters,
//! which the UI says in the reader's language.

use claimdesk_core::message::{for_code, Explain, Lang, Message};
use claimdesk_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    /// Boxed: every command's error, kept small.
    pub explain: Box<Message>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error whose code's own text says it all (`error.<code>`); `message` is for logs.
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError { code: code.to_string(), message: message.into(), explain: Box::new(for_code(code)) }
    }

    /// An error said by `explain` under `code`.
    pub fn explained(code: &str, explain: Message) -> ApiError {
        ApiError { code: code.to_string(), message: explain.render(Lang::En), explain: Box::new(explain) }
    }

    pub fn not_signed_in() -> ApiError {
        ApiError::new("NOT_SIGNED_IN", "sign in first")
    }

    /// Input the shell cannot use, said by `explain`.
    pub fn invalid(explain: Message) -> ApiError {
        ApiError::explained("INVALID", explain)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new("INTERNAL", message)
    }

    /// An error of a layer below that says itself.
    pub fn of(code: &str, e: &impl Explain, english: String) -> ApiError {
        ApiError { code: code.to_string(), message: english, explain: Box::new(e.message()) }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::of(e.code(), &e, e.to_string())
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
        assert_eq!(
            json,
            serde_json::json!({"code": "NOT_FOUND", "message": "claim X was not found",
                "explain": {"key": "error.NOT_FOUND", "params": {"what": "claim X"}}})
        );
        assert_eq!(e.explain.render(Lang::Ko), "claim X을(를) 찾을 수 없습니다.");
    }
}
