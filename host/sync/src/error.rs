//! Why a sync, or loading what it needs, failed.

use std::path::PathBuf;

/// Everything the sync library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file cannot be read or has problems.
    #[error(transparent)]
    Config(#[from] tessera_config::Error),
    /// The configuration names no role-model file.
    #[error("no role model: add `rules = [\"roles.toml\"]` to {}", .0.display())]
    NoRoleModel(PathBuf),
    /// A role-model file cannot be read.
    #[error("{}: {source}", path.display())]
    RuleFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The role model has problems; every one is listed with its file and line.
    #[error("the role model has problems:\n{0}")]
    Model(tessera_engine::model::ModelErrors),
    /// The role model names systems `tessera.toml` does not configure.
    #[error("the role model and tessera.toml disagree:\n  {}", .0.join("\n  "))]
    Unconfigured(Vec<String>),
    /// A command for targets was given a source.
    #[error("`{0}` is a source; plans are made for targets")]
    NotATarget(String),
    /// One system failed at what was asked of it alone.
    #[error("system `{system}`: {message}")]
    System {
        /// The system.
        system: String,
        /// What went wrong.
        message: String,
    },
    /// The vault key is set but cannot be used.
    #[error("vault key: {0}")]
    VaultKey(String),
    /// The store failed.
    #[error("store {}: {source}", path.display())]
    Store {
        /// The database.
        path: PathBuf,
        /// Why.
        #[source]
        source: tessera_store::Error,
    },
    /// The plugin runtime failed outside any one system.
    #[error(transparent)]
    Runtime(#[from] tessera_runtime::Error),
    /// A stage failed as a whole.
    #[error(transparent)]
    Engine(#[from] tessera_engine::Error),
}

impl Error {
    /// Whether the operator must fix a file (configuration, role model) rather than something
    /// having gone wrong; commands exit with a usage code for these.
    pub fn is_configuration(&self) -> bool {
        use tessera_engine::Error as E;
        match self {
            Self::Config(_) | Self::NoRoleModel(_) | Self::RuleFile { .. } | Self::Model(_) => true,
            Self::NotATarget(_) | Self::Unconfigured(_) => true,
            Self::Runtime(e) => matches!(e, tessera_runtime::Error::Config { .. }),
            Self::Engine(e) => matches!(e, E::Model(_) | E::UnknownSystem(_) | E::MissingReason),
            _ => false,
        }
    }
}

impl From<tessera_store::Error> for Error {
    fn from(source: tessera_store::Error) -> Self {
        Self::Engine(source.into())
    }
}

/// The sync library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
