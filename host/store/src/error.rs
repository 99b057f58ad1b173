use std::path::PathBuf;

/// Everything the store can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused a statement.
    #[error("database error in {context}: {source}")]
    Sqlite {
        /// What the store was doing.
        context: &'static str,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer Tessera.
    #[error(
        "{path} has schema version {found}, but this build knows only up to {supported}; \
         use a newer tessera or restore a backup"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// A stored JSON value could not be read or written.
    #[error("bad stored data in {table}: {source}")]
    Json {
        /// The table holding the value.
        table: &'static str,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// A value could not be streamed into the file.
    #[error("could not write {what} to the store: {source}")]
    Write {
        /// What was being written.
        what: &'static str,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// The audit chain does not verify, so it may not be cut.
    #[error("the audit chain is broken at record #{seq} ({reason}); nothing was removed")]
    AuditBroken {
        /// The first broken entry.
        seq: i64,
        /// What does not match.
        reason: String,
    },
    /// A manual grant without a reason.
    #[error("a manual grant needs a reason")]
    MissingReason,
    /// A row the caller named does not exist.
    #[error("no {what} with id {id}")]
    NotFound {
        /// The kind of row.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A secret name outside the allowed alphabet or length.
    #[error(
        "invalid secret name `{0}`: use 1 to 128 characters from A-Z, a-z, 0-9, `.`, `_` and `-`"
    )]
    InvalidSecretName(String),
    /// Text that is not a vault key. Never carries the text itself.
    #[error("not a vault key: {problem}")]
    InvalidVaultKey {
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A vault key file that cannot be used.
    #[error("vault key file {}: {problem}", path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong; never the file's content.
        problem: String,
    },
    /// The key does not decrypt the vault's key check.
    #[error(
        "this key does not open this vault: the secrets in {} were written with another key",
        path.display()
    )]
    WrongVaultKey {
        /// The database file.
        path: PathBuf,
    },
    /// A stored secret fails authentication under the right key.
    #[error(
        "secret `{name}` cannot be decrypted: its stored value was altered or copied from \
         another name; set it again"
    )]
    SecretUnreadable {
        /// The secret's name.
        name: String,
    },
    /// Encryption failed (only for absurdly large values).
    #[error("secret `{name}` cannot be encrypted")]
    Encryption {
        /// The secret's name.
        name: String,
    },
    /// The operating system's random generator failed.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// A plugin's state would exceed its limit.
    #[error(
        "state of plugin `{plugin}` on system `{system}` would use {used} bytes, over its limit \
         of {limit} bytes"
    )]
    StateTooLarge {
        /// Plugin id.
        plugin: String,
        /// System name.
        system: String,
        /// Bytes of keys and values after the refused write.
        used: usize,
        /// The limit.
        limit: usize,
    },
    /// Merging a person's records failed; the import was undone.
    #[error("cannot merge the records of person `{person}`: {message}; nothing was imported")]
    Merge {
        /// The person.
        person: String,
        /// Why.
        message: String,
    },
    /// Another run holds the store.
    #[error(
        "another tessera run is working on this store: {holder}, since {since}; \
         try again when it has finished"
    )]
    RunLocked {
        /// Who holds it: the command, process and host.
        holder: String,
        /// When it took the lock.
        since: String,
    },
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches a context to rusqlite errors.
pub(crate) trait SqlContext<T> {
    fn ctx(self, context: &'static str) -> Result<T>;
}

impl<T> SqlContext<T> for rusqlite::Result<T> {
    fn ctx(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Sqlite { context, source })
    }
}

/// Attaches a table name to serde errors.
pub(crate) trait JsonContext<T> {
    fn table(self, table: &'static str) -> Result<T>;
}

impl<T> JsonContext<T> for serde_json::Result<T> {
    fn table(self, table: &'static str) -> Result<T> {
        self.map_err(|source| Error::Json { table, source })
    }
}
