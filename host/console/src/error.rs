//! What the console fails with, and how each failure answers a browser.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Why a request or the console failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] tessera_store::Error),
    /// The engine refused or failed a decision.
    #[error(transparent)]
    Engine(#[from] tessera_engine::Error),
    /// A page could not be rendered.
    #[error("rendering a page: {0}")]
    Template(#[from] askama::Error),
    /// A password could not be hashed or checked.
    #[error("password hashing: {0}")]
    Password(String),
    /// No randomness for tokens.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// Serving HTTP failed.
    #[error("serving the console: {0}")]
    Http(#[source] std::io::Error),
    /// The logged-in user's role may not do this.
    #[error("a {role} may not {action}")]
    Forbidden {
        /// Their role.
        role: &'static str,
        /// What they tried.
        action: &'static str,
    },
    /// A form without this session's CSRF token.
    #[error("the form's security token is missing or stale; reload the page and try again")]
    Csrf,
    /// Too many failed logins.
    #[error("too many failed logins; try again in {minutes} minutes")]
    TooMany {
        /// How long to wait.
        minutes: u64,
    },
    /// A form or query that makes no sense, with what is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// Something the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A blocking task failed.
    #[error("a background task failed: {0}")]
    Join(String),
}

/// The console's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn status(&self) -> StatusCode {
        match self {
            Self::Forbidden { .. } | Self::Csrf => StatusCode::FORBIDDEN,
            Self::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Engine(e) if e.is_refusal() => StatusCode::CONFLICT,
            Self::Store(tessera_store::Error::NotFound { .. }) => StatusCode::NOT_FOUND,
            Self::Store(tessera_store::Error::MissingReason) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        // Internal failures are logged in full and shown in general terms: a browser is no
        // place for a database path.
        let shown = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "console request failed");
            "the console failed to answer; the log has the details".to_owned()
        } else {
            self.to_string()
        };
        let page = crate::view::problem(status, &shown);
        (status, Html(page)).into_response()
    }
}
