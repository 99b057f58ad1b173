//! `tessera_sdk::host` when a plugin is compiled for the machine its tests run on: the types
//! of the WIT bindings, the functions answered by the thread's [`super::MockHost`]. The
//! signatures are those of the generated bindings, so plugin code compiles unchanged.

use crate::bindings::source_world::tessera::host as wit;

/// The errors every host call may answer.
pub mod errors {
    pub use super::wit::errors::*;
}

/// The system's configuration.
pub mod config {
    pub use super::wit::config::{Entry, Value};

    /// One configuration value.
    pub fn get(key: &str) -> Option<Value> {
        crate::mock::with(|h| h.config_get(key))
    }

    /// Every configuration value.
    pub fn all() -> Vec<Entry> {
        crate::mock::with(|h| h.config_all())
    }
}

/// Log lines for the operator.
pub mod log {
    pub use super::wit::log::{Field, Level};

    /// Writes one log line.
    pub fn log(level: Level, message: &str, fields: &[Field]) {
        crate::mock::with(|h| h.log(level, message, fields));
    }
}

/// HTTP to granted origins.
pub mod http {
    use super::errors::HostError;
    pub use super::wit::http::{Header, Method, Request, Response};

    /// Sends one request.
    pub fn send(req: &Request) -> Result<Response, HostError> {
        crate::mock::with(|h| h.send(req))
    }
}

/// Secrets and state.
pub mod vault {
    use super::errors::HostError;

    /// A granted secret.
    pub fn secret(name: &str) -> Result<String, HostError> {
        crate::mock::with(|h| h.secret(name))
    }

    /// The state under `key`.
    pub fn state_get(key: &str) -> Result<Option<Vec<u8>>, HostError> {
        crate::mock::with(|h| h.state_get(key))
    }

    /// Keeps `value` under `key`.
    pub fn state_set(key: &str, value: &[u8]) -> Result<(), HostError> {
        crate::mock::with(|h| h.state_set(key, value))
    }

    /// Forgets `key`.
    pub fn state_delete(key: &str) -> Result<(), HostError> {
        crate::mock::with(|h| h.state_delete(key))
    }
}

/// The host's XML parser and builder.
pub mod xml {
    pub use super::wit::xml::{BuildEvent, Namespace, Qname, SoapVersion, XmlAttribute};
    pub use crate::mock::xml::{Document, Element, serialize, soap_envelope};
    /// One-pass tables; since WIT 0.2.3.
    #[cfg(not(feature = "wit-0-2-0"))]
    pub use {super::wit::xml::TextTable, crate::mock::xml::scan_texts};
}

/// Read-only files of the granted directory.
#[cfg(not(feature = "wit-0-2-0"))]
pub mod files {
    use super::errors::HostError;
    pub use super::wit::files::FileInfo;

    /// The regular files directly in `dir` (`""` for the granted directory), by name.
    pub fn list_dir(dir: &str) -> Result<Vec<FileInfo>, HostError> {
        crate::mock::with(|h| h.list_dir(dir))
    }

    /// A file's bytes.
    pub fn read(name: &str) -> Result<Vec<u8>, HostError> {
        crate::mock::with(|h| h.read_file(name))
    }
}

/// Named LDAP connections.
pub mod ldap {
    use std::cell::RefCell;
    use std::collections::VecDeque;

    use super::errors::HostError;
    pub use super::wit::ldap::{
        Attribute, BinaryAttribute, ChangeFeed, Changes, Entry, Modification, ModifyOp, Scope,
        SearchRequest,
    };

    /// The pages of a search, handed out one by one.
    #[derive(Debug)]
    pub struct SearchResults(RefCell<VecDeque<Vec<Entry>>>);

    impl SearchResults {
        /// The next page, or `None` after the last.
        pub fn next(&self) -> Result<Option<Vec<Entry>>, HostError> {
            Ok(self.0.borrow_mut().pop_front())
        }
    }

    /// Starts a paged search.
    pub fn search(req: &SearchRequest) -> Result<SearchResults, HostError> {
        let pages = crate::mock::with(|h| h.ldap_search(req))?;
        Ok(SearchResults(RefCell::new(pages.into())))
    }

    /// What changed since the feed's cookie.
    pub fn search_changes(req: &SearchRequest, feed: &ChangeFeed) -> Result<Changes, HostError> {
        crate::mock::with(|h| h.ldap_changes(req, feed))
    }

    /// Adds an entry.
    pub fn add(
        connection: &str,
        dn: &str,
        attributes: &[Attribute],
        binary_attributes: &[BinaryAttribute],
    ) -> Result<(), HostError> {
        crate::mock::with(|h| h.ldap_add(connection, dn, attributes, binary_attributes))
    }

    /// Modifies an entry, all changes or none.
    pub fn modify(connection: &str, dn: &str, changes: &[Modification]) -> Result<(), HostError> {
        crate::mock::with(|h| h.ldap_modify(connection, dn, changes))
    }

    /// Deletes a leaf entry.
    pub fn delete(connection: &str, dn: &str) -> Result<(), HostError> {
        crate::mock::with(|h| h.ldap_delete(connection, dn))
    }

    /// Renames or moves an entry.
    pub fn modify_dn(
        connection: &str,
        dn: &str,
        new_rdn: &str,
        delete_old_rdn: bool,
        new_superior: Option<&str>,
    ) -> Result<(), HostError> {
        crate::mock::with(|h| {
            h.ldap_modify_dn(connection, dn, new_rdn, delete_old_rdn, new_superior)
        })
    }

    /// Whether the entry holds the value.
    pub fn compare(
        connection: &str,
        dn: &str,
        attribute: &str,
        value: &str,
    ) -> Result<bool, HostError> {
        crate::mock::with(|h| h.ldap_compare(connection, dn, attribute, value))
    }
}
