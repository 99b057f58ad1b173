use serde::{Deserialize, Serialize};

/// What a connector call can fail with. The engine decides from the variant alone whether to
/// retry, re-read the target, count the call as done, or report it.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ConnectorError {
    /// The account, entitlement or record does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The thing to create is already there.
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// A field was refused by the connector or the target.
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The offending field.
        field: String,
        /// Why.
        message: String,
    },
    /// The target or the host's grants refused the call.
    #[error("denied: {0}")]
    Denied(String),
    /// Temporary failure; retrying later may succeed.
    #[error("unavailable: {message}")]
    Unavailable {
        /// What was unavailable.
        message: String,
        /// When the far side asked for a pause, in milliseconds.
        retry_after_ms: Option<u64>,
    },
    /// The call may or may not have taken effect; re-read before deciding.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    /// A change-feed cursor the far side no longer honours; read in full and start anew.
    #[error("cursor invalid: {0}")]
    CursorInvalid(String),
    /// The connector does not implement the operation.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Anything else, including a plugin that trapped or ran out of time or memory.
    #[error("{0}")]
    Other(String),
}

impl ConnectorError {
    /// Whether repeating the same call later can succeed without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    /// Whether the engine must re-read the target before deciding what happened.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown(_))
    }
}
