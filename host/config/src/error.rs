//! Why a configuration could not be used.

use std::path::PathBuf;

/// A configuration that could not be read, or that has problems.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file has problems; every one is listed, each naming its key.
    #[error("{}:\n  {}", file.display(), problems.join("\n  "))]
    Invalid {
        /// The file.
        file: PathBuf,
        /// One line per problem.
        problems: Vec<String>,
    },
}

/// The configuration's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
