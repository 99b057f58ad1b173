use crate::PluginFault;

/// Result with the runtime's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the runtime can refuse or fail at. Each variant names the file, plugin or system.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A plugin file that cannot be used.
    #[error("{path}: {source}")]
    Component {
        /// The file.
        path: String,
        /// Why.
        source: tessera_manifest::Error,
    },
    /// A file that cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The operator's configuration has problems; all of them are listed.
    #[error("{file}: {}", .problems.join("\n  "))]
    Config {
        /// The configuration file.
        file: String,
        /// One line per problem, each naming its key.
        problems: Vec<String>,
    },
    /// wasmtime could not compile the component.
    #[error("plugin {plugin}: cannot compile: {message}")]
    Compile {
        /// `id@version`.
        plugin: String,
        /// wasmtime's reason.
        message: String,
    },
    /// The component cannot be linked for a system.
    #[error("system `{system}` (plugin {plugin}): {message}")]
    Link {
        /// System name.
        system: String,
        /// `id@version`.
        plugin: String,
        /// Why.
        message: String,
    },
    /// The plugin trapped, panicked, ran out of time or memory.
    #[error(transparent)]
    Fault(#[from] PluginFault),
    /// The plugin store refused an operation.
    #[error("plugin store: {0}")]
    Store(String),
    /// A signature is missing, malformed or does not verify.
    #[error("{path}: signature: {message}")]
    Signature {
        /// The plugin file.
        path: String,
        /// Why.
        message: String,
    },
    /// The lockfile and the installed plugin disagree.
    #[error("{lockfile}: {message}")]
    Lock {
        /// The lockfile.
        lockfile: String,
        /// Why.
        message: String,
    },
    /// The wasmtime engine could not be set up.
    #[error("wasm engine: {0}")]
    Engine(String),
}

impl Error {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
