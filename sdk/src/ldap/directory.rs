//! One of the operator's named LDAP connections as a plugin uses it: every search read to
//! the end in pages, and the writes on the same connection.

use crate::host::errors::HostError;
use crate::host::ldap::{
    self, Attribute, BinaryAttribute, Entry, Modification, Scope, SearchRequest,
};

/// A named connection (`[ldap.NAME]` in the operator's configuration, requested in the
/// manifest) and the page size its searches ask for.
#[derive(Debug, Clone, Copy)]
pub struct Directory {
    connection: &'static str,
    page_size: u32,
}

impl Directory {
    /// The connection `connection`, searched in pages of `page_size` entries (directories cap
    /// pages: AD at 1,000 by default).
    pub const fn new(connection: &'static str, page_size: u32) -> Self {
        Self {
            connection,
            page_size,
        }
    }

    /// Every entry a search finds, all pages read.
    pub fn search(
        &self,
        base: &str,
        scope: Scope,
        filter: &str,
        attributes: &[String],
    ) -> Result<Vec<Entry>, HostError> {
        let results = ldap::search(&SearchRequest {
            connection: self.connection.to_owned(),
            base: base.to_owned(),
            scope,
            filter: filter.to_owned(),
            attributes: attributes.to_vec(),
            page_size: self.page_size,
        })?;
        let mut entries = Vec::new();
        while let Some(batch) = results.next()? {
            entries.extend(batch);
        }
        Ok(entries)
    }

    /// The first entry a subtree search finds, if any.
    pub fn search_one(
        &self,
        base: &str,
        filter: &str,
        attributes: &[String],
    ) -> Result<Option<Entry>, HostError> {
        Ok(self
            .search(base, Scope::Subtree, filter, attributes)?
            .into_iter()
            .next())
    }

    /// Every change since a feed's cookie under `base` that matches `filter`, in one answer
    /// (the host's `search-changes`: DirSync or RFC 4533 content sync, as `feed` says).
    #[cfg(not(feature = "wit-0-1"))]
    pub fn changes(
        &self,
        base: &str,
        filter: &str,
        attributes: &[String],
        feed: &ldap::ChangeFeed,
    ) -> Result<ldap::Changes, HostError> {
        let req = SearchRequest {
            connection: self.connection.to_owned(),
            base: base.to_owned(),
            scope: Scope::Subtree,
            filter: filter.to_owned(),
            attributes: attributes.to_vec(),
            page_size: 0,
        };
        ldap::search_changes(&req, feed)
    }

    /// Adds an entry with text and binary attributes.
    pub fn add(
        &self,
        dn: &str,
        text: Vec<Attribute>,
        binary: Vec<BinaryAttribute>,
    ) -> Result<(), HostError> {
        ldap::add(self.connection, dn, &text, &binary)
    }

    /// Applies modifications to one entry, all or none.
    pub fn modify(&self, dn: &str, changes: &[Modification]) -> Result<(), HostError> {
        ldap::modify(self.connection, dn, changes)
    }

    /// Deletes one entry.
    pub fn delete(&self, dn: &str) -> Result<(), HostError> {
        ldap::delete(self.connection, dn)
    }

    /// Whether the entry holds `attribute` with `value`.
    pub fn compare(&self, dn: &str, attribute: &str, value: &str) -> Result<bool, HostError> {
        ldap::compare(self.connection, dn, attribute, value)
    }

    /// Moves an entry under `new_parent`, keeping its RDN; returns the new DN.
    pub fn move_to(&self, dn: &str, new_parent: &str) -> Result<String, HostError> {
        let (rdn, _) = super::split_dn(dn);
        ldap::modify_dn(self.connection, dn, rdn, true, Some(new_parent))?;
        Ok(format!("{rdn},{new_parent}"))
    }
}
