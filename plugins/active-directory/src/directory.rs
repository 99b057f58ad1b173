//! Thin helpers over the host's `ldap` capability on the operator's `ad` connection.

use tessera_sdk::host::errors::HostError;
use tessera_sdk::host::ldap::{self, Attribute, BinaryAttribute, Entry, Modification, Scope};
use tessera_sdk::host::ldap::{ModifyOp, SearchRequest};

/// The connection name the manifest requests; the operator defines `[ldap.ad]`.
pub const CONNECTION: &str = "ad";

/// AD answers at most 1,000 entries per page by default (MaxPageSize).
const PAGE_SIZE: u32 = 1000;

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

pub fn add(dn: &str, text: Vec<Attribute>, binary: Vec<BinaryAttribute>) -> Result<(), HostError> {
    ldap::add(CONNECTION, dn, &text, &binary)
}

pub fn modify(dn: &str, changes: &[Modification]) -> Result<(), HostError> {
    ldap::modify(CONNECTION, dn, changes)
}

pub fn delete(dn: &str) -> Result<(), HostError> {
    ldap::delete(CONNECTION, dn)
}

pub fn compare(dn: &str, attribute: &str, value: &str) -> Result<bool, HostError> {
    ldap::compare(CONNECTION, dn, attribute, value)
}

/// Moves an entry under `new_parent`, keeping its RDN.
pub fn move_to(dn: &str, new_parent: &str) -> Result<String, HostError> {
    let (rdn, _) = split_dn(dn);
    ldap::modify_dn(CONNECTION, dn, rdn, true, Some(new_parent))?;
    Ok(format!("{rdn},{new_parent}"))
}

/// A modification with text values.
pub fn change(op: ModifyOp, attribute: &str, values: Vec<String>) -> Modification {
    Modification {
        op,
        attribute: attribute.to_owned(),
        values,
        binary_values: Vec::new(),
    }
}

/// The text values of an attribute, matched without regard to case as LDAP does.
pub fn values<'e>(entry: &'e Entry, name: &str) -> &'e [String] {
    entry
        .attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .map_or(&[], |a| a.values.as_slice())
}

/// The first text value of an attribute.
pub fn first<'e>(entry: &'e Entry, name: &str) -> Option<&'e str> {
    values(entry, name).first().map(String::as_str)
}

/// The first value of an attribute as bytes: binary values arrive apart, but a value that
/// happens to be valid UTF-8 (a rare objectGUID) arrives as text.
pub fn first_bytes(entry: &Entry, name: &str) -> Option<Vec<u8>> {
    let binary = entry
        .binary_attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .and_then(|a| a.values.first().cloned());
    binary.or_else(|| first(entry, name).map(|s| s.as_bytes().to_vec()))
}

/// Splits a DN into its first RDN and the parent DN, honouring `\,` escapes.
pub fn split_dn(dn: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in dn.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            ',' if !escaped => return (&dn[..i], dn[i + 1..].trim_start()),
            _ => escaped = false,
        }
    }
    (dn, "")
}

/// A DN in a form fit for comparing: lower case, no spaces around separators.
pub fn normalise_dn(dn: &str) -> String {
    let lower = dn.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut rest = lower.as_str();
    while !rest.is_empty() {
        let (rdn, parent) = split_dn(rest);
        if !out.is_empty() {
            out.push(',');
        }
        let (attr, value) = rdn.split_once('=').unwrap_or((rdn, ""));
        out.push_str(attr.trim());
        out.push('=');
        out.push_str(value.trim());
        rest = parent;
    }
    out
}

/// The server's result code, for the codes AD uses to say "already so".
pub fn code(error: &HostError) -> Option<u32> {
    tessera_sdk::ldap::result_code(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_unescaped_comma() {
        assert_eq!(
            split_dn(r"CN=O'Brien\, Jr. (IC)*,OU=Staff,DC=x"),
            (r"CN=O'Brien\, Jr. (IC)*", "OU=Staff,DC=x")
        );
        assert_eq!(split_dn(r"CN=a\\,OU=b"), (r"CN=a\\", "OU=b"));
        assert_eq!(split_dn("DC=x"), ("DC=x", ""));
    }

    #[test]
    fn normalised_dns_compare_equal_across_case_and_spacing() {
        assert_eq!(
            normalise_dn("OU=Staff, DC=Tessera,DC=test"),
            normalise_dn("ou=staff,dc=tessera, dc = test")
        );
        assert_ne!(
            normalise_dn(r"CN=a\,b,DC=x"),
            normalise_dn("CN=a,CN=b,DC=x")
        );
    }
}
