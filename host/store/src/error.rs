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
