//! An in-memory LDAP directory behind a named connection: searches with scope, filter,
//! attribute selection and paging; writes with the result codes of a real server; a change
//! feed over a sequence number.

mod filter;
mod write;

use std::collections::BTreeMap;

use filter::Filter;

use super::store::Host;
use crate::host::errors::{HostError, LdapResult};
use crate::host::ldap::{
    Attribute, BinaryAttribute, ChangeFeed, Changes, Entry, Scope, SearchRequest,
};
use crate::ldap::{normalise_dn, split_dn};

/// One entry: its DN as written, values by attribute name as first written, a stable id (its
/// `entryUUID` and `objectGUID`) and the sequence number of its last change.
#[derive(Debug, Clone)]
struct Stored {
    dn: String,
    attributes: Vec<(String, Vec<Vec<u8>>)>,
    id: [u8; 16],
    changed: u64,
}

impl Stored {
    fn values(&self, name: &str) -> Vec<Vec<u8>> {
        match name.to_ascii_lowercase().as_str() {
            "objectguid" => vec![self.id.to_vec()],
            "entryuuid" => vec![uuid_text(&self.id).into_bytes()],
            _ => self
                .attributes
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        }
    }
}

/// A directory for [`super::MockHost::ldap`], and what a test reads back from
/// [`super::Installed::directory`].
#[derive(Debug, Clone)]
pub struct MockDirectory {
    base: String,
    /// By normalised DN.
    entries: BTreeMap<String, Stored>,
    /// Ids of deleted entries and when.
    deleted: Vec<(u64, [u8; 16])>,
    sequence: u64,
}

impl MockDirectory {
    /// A directory whose connection is confined to `base_dn`; the base entry exists, of
    /// object class `top`.
    pub fn new(base_dn: &str) -> Self {
        let mut dir = Self {
            base: normalise_dn(base_dn),
            entries: BTreeMap::new(),
            deleted: Vec::new(),
            sequence: 0,
        };
        dir.put(base_dn, vec![("objectClass".into(), vec![b"top".to_vec()])]);
        dir
    }

    /// Adds an entry (its parent need not exist): `("member", &["cn=a,…", "cn=b,…"])`.
    pub fn entry(mut self, dn: &str, attributes: &[(&str, &[&str])]) -> Self {
        let attributes = attributes
            .iter()
            .map(|(n, vs)| {
                (
                    (*n).to_owned(),
                    vs.iter().map(|v| v.as_bytes().to_vec()).collect(),
                )
            })
            .collect();
        self.put(dn, attributes);
        self
    }

    /// The entry at `dn`, every attribute, as a search would return it.
    pub fn get(&self, dn: &str) -> Option<Entry> {
        self.entries
            .get(&normalise_dn(dn))
            .map(|e| to_entry(e, &[]))
    }

    /// The text values of one attribute of the entry at `dn`.
    pub fn values(&self, dn: &str, attribute: &str) -> Vec<String> {
        self.entries
            .get(&normalise_dn(dn))
            .map(|e| e.values(attribute))
            .unwrap_or_default()
            .into_iter()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .collect()
    }

    /// Every DN, the base included, in normalised order.
    pub fn dns(&self) -> Vec<String> {
        self.entries.values().map(|e| e.dn.clone()).collect()
    }

    fn put(&mut self, dn: &str, attributes: Vec<(String, Vec<Vec<u8>>)>) {
        self.sequence += 1;
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&self.sequence.to_be_bytes());
        id[8..].copy_from_slice(&(self.entries.len() as u64 + 1).to_be_bytes());
        let stored = Stored {
            dn: dn.to_owned(),
            attributes,
            id,
            changed: self.sequence,
        };
        self.entries.insert(normalise_dn(dn), stored);
    }

    /// Whether `dn` lies at or below the base, compared as normalised DNs.
    fn within(&self, dn: &str) -> bool {
        let dn = normalise_dn(dn);
        dn == self.base || dn.ends_with(&format!(",{}", self.base))
    }

    /// The nearest existing ancestor of `dn`, for `matchedDN`.
    fn matched(&self, dn: &str) -> String {
        let mut rest = normalise_dn(dn);
        loop {
            let parent = split_dn(&rest).1.to_owned();
            if parent.is_empty() {
                return String::new();
            }
            if let Some(e) = self.entries.get(&parent) {
                return e.dn.clone();
            }
            rest = parent;
        }
    }

    fn in_scope(&self, key: &str, base: &str, scope: Scope) -> bool {
        match scope {
            Scope::Base => key == base,
            Scope::OneLevel => split_dn(key).1 == base,
            Scope::Subtree => key == base || key.ends_with(&format!(",{base}")),
        }
    }

    fn select(&self, req: &SearchRequest, since: u64) -> Result<Vec<Entry>, HostError> {
        let filter = Filter::parse(&req.filter)
            .map_err(|e| HostError::Invalid(format!("LDAP filter `{}`: {e}", req.filter)))?;
        let base = normalise_dn(&req.base);
        if !self.entries.contains_key(&base) {
            return Err(ldap_error(32, self.matched(&req.base), "no such base"));
        }
        Ok(self
            .entries
            .iter()
            .filter(|(key, e)| e.changed > since && self.in_scope(key, &base, req.scope))
            .filter(|(_, e)| filter.matches(&|name| e.values(name)))
            .map(|(_, e)| to_entry(e, &req.attributes))
            .collect())
    }
}

/// An entry as the host hands it out: values that are UTF-8 as text, the rest as binary.
fn to_entry(stored: &Stored, wanted: &[String]) -> Entry {
    let all = wanted.is_empty() || wanted.iter().any(|w| w == "*");
    let mut names: Vec<String> = if all {
        stored.attributes.iter().map(|(n, _)| n.clone()).collect()
    } else {
        Vec::new()
    };
    for w in wanted {
        if w != "*" && w != "1.1" && !names.iter().any(|n| n.eq_ignore_ascii_case(w)) {
            names.push(w.clone());
        }
    }
    let mut entry = Entry {
        dn: stored.dn.clone(),
        attributes: Vec::new(),
        binary_attributes: Vec::new(),
    };
    for name in names {
        let values = stored.values(&name);
        if values.is_empty() {
            continue;
        }
        match values
            .iter()
            .map(|v| String::from_utf8(v.clone()))
            .collect()
        {
            Ok(values) => entry.attributes.push(Attribute { name, values }),
            Err(_) => entry
                .binary_attributes
                .push(BinaryAttribute { name, values }),
        }
    }
    entry
}

fn uuid_text(id: &[u8; 16]) -> String {
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A refusal with a real server's result code.
fn ldap_error(code: u32, matched_dn: String, message: &str) -> HostError {
    let name = match code {
        16 => "noSuchAttribute",
        20 => "attributeOrValueExists",
        32 => "noSuchObject",
        66 => "notAllowedOnNonLeaf",
        68 => "entryAlreadyExists",
        _ => "other",
    };
    HostError::Ldap(LdapResult {
        code,
        name: name.to_owned(),
        matched_dn,
        message: message.to_owned(),
    })
}

impl Host {
    /// The directory behind a granted connection, with `dn` checked against its base.
    fn directory(&mut self, connection: &str, dn: &str) -> Result<&mut MockDirectory, HostError> {
        if !self.grants.ldap.iter().any(|c| c == connection) {
            let e = self
                .grants
                .deny(format!("LDAP connection `{connection}`"), "grants.ldap");
            return Err(self.denied(e));
        }
        let outside = match self.directories.get(connection) {
            None => {
                return Err(HostError::Unavailable(format!(
                    "mock host: no directory behind LDAP connection `{connection}`; add one with MockHost::ldap"
                )));
            }
            Some(dir) => (!dir.within(dn)).then(|| dir.base.clone()),
        };
        if let Some(base) = outside {
            let e = HostError::Denied(crate::host::errors::Denial {
                what: format!(
                    "LDAP DN `{dn}` on connection `{connection}`, outside its base `{base}`"
                ),
                config_key: format!("ldap.{connection}.base_dn"),
            });
            return Err(self.denied(e));
        }
        self.directories
            .get_mut(connection)
            .ok_or_else(|| HostError::Other("mock host: directory vanished".into()))
    }

    pub(crate) fn ldap_search(
        &mut self,
        req: &SearchRequest,
    ) -> Result<Vec<Vec<Entry>>, HostError> {
        let dir = self.directory(&req.connection, &req.base)?;
        let found = dir.select(req, 0)?;
        let size = if req.page_size == 0 {
            found.len().max(1)
        } else {
            req.page_size as usize
        };
        Ok(found.chunks(size).map(<[Entry]>::to_vec).collect())
    }

    pub(crate) fn ldap_changes(
        &mut self,
        req: &SearchRequest,
        feed: &ChangeFeed,
    ) -> Result<Changes, HostError> {
        let cookie = match feed {
            ChangeFeed::Dirsync(c) | ChangeFeed::ContentSync(c) => c.clone(),
        };
        let since = match cookie {
            None => 0,
            Some(bytes) => <[u8; 8]>::try_from(bytes.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|_| {
                    HostError::Invalid("change feed cookie: not one of this directory's".into())
                })?,
        };
        let dir = self.directory(&req.connection, &req.base)?;
        let entries = dir.select(req, since)?;
        let deleted = if since == 0 {
            Vec::new()
        } else {
            dir.deleted
                .iter()
                .filter(|(at, _)| *at > since)
                .map(|(_, id)| id.to_vec())
                .collect()
        };
        Ok(Changes {
            entries,
            deleted,
            deletes_complete: true,
            cookie: dir.sequence.to_be_bytes().to_vec(),
            more: false,
        })
    }
}
