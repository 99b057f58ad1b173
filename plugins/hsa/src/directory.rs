//! Thin helpers over the host's `ldap` capability on the operator's `hsa` connection.

use tessera_sdk::host::errors::HostError;
use tessera_sdk::host::ldap::SearchRequest;
use tessera_sdk::host::ldap::{self, Attribute, Entry, Modification, Scope};

/// The connection name the manifest requests; the operator defines `[ldap.hsa]`.
pub const CONNECTION: &str = "hsa";

/// Entries per page; directories commonly cap pages near this.
const PAGE_SIZE: u32 = 500;

/// Every entry a search finds, all pages read.
pub fn search(
    base: &str,
    scope: Scope,
    filter: &str,
    attributes: &[String],
) -> Result<Vec<Entry>, HostError> {
    let results = ldap::search(&SearchRequest {
        connection: CONNECTION.to_owned(),
        base: base.to_owned(),
        scope,
        filter: filter.to_owned(),
        attributes: attributes.to_vec(),
        page_size: PAGE_SIZE,
    })?;
    let mut entries = Vec::new();
    while let Some(batch) = results.next()? {
        entries.extend(batch);
    }
    Ok(entries)
}

/// The single entry a search finds, if any.
pub fn search_one(
    base: &str,
    filter: &str,
    attributes: &[String],
) -> Result<Option<Entry>, HostError> {
    Ok(search(base, Scope::Subtree, filter, attributes)?
        .into_iter()
        .next())
}

pub fn add(dn: &str, attributes: Vec<Attribute>) -> Result<(), HostError> {
    ldap::add(CONNECTION, dn, &attributes, &[])
}

pub fn modify(dn: &str, changes: &[Modification]) -> Result<(), HostError> {
    ldap::modify(CONNECTION, dn, changes)
}

pub fn delete(dn: &str) -> Result<(), HostError> {
    ldap::delete(CONNECTION, dn)
}

/// Moves an entry under `new_parent`, keeping its RDN.
pub fn move_to(dn: &str, new_parent: &str) -> Result<String, HostError> {
    let (rdn, _) = split_dn(dn);
    ldap::modify_dn(CONNECTION, dn, rdn, true, Some(new_parent))?;
    Ok(format!("{rdn},{new_parent}"))
}

pub use tessera_sdk::ldap::{change, first, normalise_dn, result_code as code, split_dn, values};
