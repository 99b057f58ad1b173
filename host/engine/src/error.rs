use tessera_domain::ConnectorError;

use crate::model::ModelErrors;

/// Everything the engine can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] tessera_store::Error),
    /// A connector call failed in a way the engine does not absorb.
    #[error("{system}: {operation} failed: {source}")]
    Connector {
        /// The system.
        system: String,
        /// What was being done.
        operation: &'static str,
        /// The typed error.
        #[source]
        source: ConnectorError,
    },
    /// A connector's pages did not end.
    #[error(
        "{system}: {what} did not finish after {pages} pages (cursor repeated or too many pages)"
    )]
    Paging {
        /// The system.
        system: String,
        /// What was being listed.
        what: &'static str,
        /// Pages read.
        pages: usize,
    },
    /// The role model has problems.
    #[error("the role model has problems:\n{0}")]
    Model(#[from] ModelErrors),
    /// The desired state names a person the store does not have.
    #[error("no person `{0}` in the store, though the desired state names them")]
    UnknownPerson(String),
    /// The role model names no such system.
    #[error("the role model has no system `{0}`")]
    UnknownSystem(String),
    /// An account nobody owns cannot carry a manual grant.
    #[error("{system}: account {account} has no owner; link it to a person first")]
    Unowned {
        /// The system.
        system: String,
        /// The account key.
        account: String,
    },
    /// A manual grant or adoption without a reason.
    #[error("a manual grant needs a reason")]
    MissingReason,
    /// An approval for a blocked action that no longer waits for one.
    #[error("blocked action #{id} is {status:?}, not waiting for approval")]
    NotPending {
        /// The blocked action.
        id: i64,
        /// Where it stands.
        status: tessera_store::BlockedStatus,
    },
    /// Four eyes: the author of a manual grant cannot also approve it.
    #[error("manual grant #{id} was requested by {author}; a second person must approve it")]
    OwnApproval {
        /// The grant.
        id: i64,
        /// Who asked for it, and tried to approve it.
        author: String,
    },
    /// A stored plan or record could not be read back.
    #[error("bad stored {what}: {source}")]
    Json {
        /// What was being read.
        what: &'static str,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// Whether the request was refused (no reason, already decided, four eyes, nothing by
    /// that id), not failed: the asker can put it right.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::MissingReason
                | Self::NotPending { .. }
                | Self::OwnApproval { .. }
                | Self::Unowned { .. }
                | Self::Store(tessera_store::Error::NotFound { .. })
                | Self::Store(tessera_store::Error::MissingReason)
        )
    }
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches what was being (de)serialised to serde errors.
pub(crate) fn json<T>(what: &'static str, r: serde_json::Result<T>) -> Result<T> {
    r.map_err(|source| Error::Json { what, source })
}
