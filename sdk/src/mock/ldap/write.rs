//! Writes to the in-memory directory, all or nothing, refused with a real server's codes:
//! 68 for an entry or DN that exists, 32 for one that does not (with the matched DN), 20 for a
//! value added twice, 16 for a value or attribute removed that is not there, 66 for deleting
//! an entry with children.

use super::{MockDirectory, Stored, ldap_error};
use crate::host::errors::HostError;
use crate::host::ldap::{Attribute, BinaryAttribute, Modification, ModifyOp};
use crate::ldap::{normalise_dn, rdns, split_dn};
use crate::mock::store::Host;

type Values = Vec<(String, Vec<Vec<u8>>)>;

impl MockDirectory {
    fn existing(&self, dn: &str) -> Result<&Stored, HostError> {
        self.entries
            .get(&normalise_dn(dn))
            .ok_or_else(|| ldap_error(32, self.matched(dn), "no such entry"))
    }

    fn add(&mut self, dn: &str, values: Values) -> Result<(), HostError> {
        if self.entries.contains_key(&normalise_dn(dn)) {
            return Err(ldap_error(68, String::new(), "entry already exists"));
        }
        let parent = normalise_dn(split_dn(dn).1);
        if !self.entries.contains_key(&parent) {
            return Err(ldap_error(32, self.matched(dn), "parent does not exist"));
        }
        self.put(dn, values);
        Ok(())
    }

    fn modify(&mut self, dn: &str, changes: &[Modification]) -> Result<(), HostError> {
        let mut entry = self.existing(dn)?.clone();
        for change in changes {
            apply(&mut entry.attributes, change)?;
        }
        self.sequence += 1;
        entry.changed = self.sequence;
        self.entries.insert(normalise_dn(dn), entry);
        Ok(())
    }

    fn delete(&mut self, dn: &str) -> Result<(), HostError> {
        let id = self.existing(dn)?.id;
        let key = normalise_dn(dn);
        if self.entries.keys().any(|k| k.ends_with(&format!(",{key}"))) {
            return Err(ldap_error(66, String::new(), "entry has children"));
        }
        self.entries.remove(&key);
        self.sequence += 1;
        self.deleted.push((self.sequence, id));
        Ok(())
    }

    /// Renames or moves an entry and everything below it.
    fn rename(
        &mut self,
        dn: &str,
        rdn: &str,
        delete_old: bool,
        superior: Option<&str>,
    ) -> Result<(), HostError> {
        self.existing(dn)?;
        let parent = superior.map_or_else(|| split_dn(dn).1.to_owned(), str::to_owned);
        if !self.entries.contains_key(&normalise_dn(&parent)) {
            return Err(ldap_error(
                32,
                self.matched(&parent),
                "new superior does not exist",
            ));
        }
        let new_dn = format!("{rdn},{parent}");
        if self.entries.contains_key(&normalise_dn(&new_dn)) {
            return Err(ldap_error(68, String::new(), "the new DN exists"));
        }
        let old_key = normalise_dn(dn);
        let moved: Vec<String> = self
            .entries
            .keys()
            .filter(|k| **k == old_key || k.ends_with(&format!(",{old_key}")))
            .cloned()
            .collect();
        self.sequence += 1;
        for key in moved {
            let Some(mut entry) = self.entries.remove(&key) else {
                continue;
            };
            entry.dn = relocate(&entry.dn, dn, &new_dn);
            if key == old_key {
                rdn_values(&mut entry.attributes, split_dn(dn).0, rdn, delete_old);
            }
            entry.changed = self.sequence;
            self.entries.insert(normalise_dn(&entry.dn), entry);
        }
        Ok(())
    }
}

/// `entry_dn` (at or below `old`) with `old` replaced by `new`: the RDNs below `old` stay as
/// written.
fn relocate(entry_dn: &str, old: &str, new: &str) -> String {
    let depth = rdns(entry_dn).len().saturating_sub(rdns(old).len());
    let mut out: Vec<&str> = rdns(entry_dn).into_iter().take(depth).collect();
    out.push(new);
    out.join(",")
}

/// The RDN's value moves with a rename: the new one is added, the old one dropped if asked.
fn rdn_values(attributes: &mut Values, old_rdn: &str, new_rdn: &str, delete_old: bool) {
    let pair = |rdn: &str| {
        rdn.split_once('=')
            .map(|(a, v)| (a.trim().to_owned(), v.trim().as_bytes().to_vec()))
    };
    if delete_old
        && let Some((a, v)) = pair(old_rdn)
        && let Some((_, vs)) = attributes
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(&a))
    {
        vs.retain(|x| !x.eq_ignore_ascii_case(&v));
    }
    if let Some((a, v)) = pair(new_rdn) {
        let _ = apply_values(attributes, ModifyOp::Add, &a, vec![v]);
    }
    attributes.retain(|(_, vs)| !vs.is_empty());
}

fn apply(attributes: &mut Values, change: &Modification) -> Result<(), HostError> {
    let mut values: Vec<Vec<u8>> = change
        .values
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect();
    values.extend(change.binary_values.iter().cloned());
    apply_values(attributes, change.op, &change.attribute, values)?;
    attributes.retain(|(_, vs)| !vs.is_empty());
    Ok(())
}

fn apply_values(
    attributes: &mut Values,
    op: ModifyOp,
    name: &str,
    values: Vec<Vec<u8>>,
) -> Result<(), HostError> {
    let at = attributes
        .iter()
        .position(|(n, _)| n.eq_ignore_ascii_case(name));
    let same = |a: &[u8], b: &[u8]| a.eq_ignore_ascii_case(b);
    match (op, at) {
        (ModifyOp::Replace, Some(i)) => attributes[i].1 = values,
        (ModifyOp::Replace | ModifyOp::Add, None) => attributes.push((name.to_owned(), values)),
        (ModifyOp::Add, Some(i)) => {
            if values
                .iter()
                .any(|v| attributes[i].1.iter().any(|x| same(x, v)))
            {
                return Err(ldap_error(
                    20,
                    String::new(),
                    &format!("{name}: value exists"),
                ));
            }
            attributes[i].1.extend(values);
        }
        (ModifyOp::Delete, None) => {
            return Err(ldap_error(
                16,
                String::new(),
                &format!("{name}: no such attribute"),
            ));
        }
        (ModifyOp::Delete, Some(i)) if values.is_empty() => attributes[i].1.clear(),
        (ModifyOp::Delete, Some(i)) => {
            let held = &mut attributes[i].1;
            if !values.iter().all(|v| held.iter().any(|x| same(x, v))) {
                return Err(ldap_error(
                    16,
                    String::new(),
                    &format!("{name}: no such value"),
                ));
            }
            held.retain(|x| !values.iter().any(|v| same(x, v)));
        }
    }
    Ok(())
}

fn values_of(text: &[Attribute], binary: &[BinaryAttribute]) -> Values {
    let mut out: Values = text
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                a.values.iter().map(|v| v.as_bytes().to_vec()).collect(),
            )
        })
        .collect();
    out.extend(binary.iter().map(|a| (a.name.clone(), a.values.clone())));
    out
}

impl Host {
    pub(crate) fn ldap_add(
        &mut self,
        connection: &str,
        dn: &str,
        text: &[Attribute],
        binary: &[BinaryAttribute],
    ) -> Result<(), HostError> {
        self.directory(connection, dn)?
            .add(dn, values_of(text, binary))
    }

    pub(crate) fn ldap_modify(
        &mut self,
        connection: &str,
        dn: &str,
        changes: &[Modification],
    ) -> Result<(), HostError> {
        self.directory(connection, dn)?.modify(dn, changes)
    }

    pub(crate) fn ldap_delete(&mut self, connection: &str, dn: &str) -> Result<(), HostError> {
        self.directory(connection, dn)?.delete(dn)
    }

    pub(crate) fn ldap_modify_dn(
        &mut self,
        connection: &str,
        dn: &str,
        rdn: &str,
        delete_old: bool,
        superior: Option<&str>,
    ) -> Result<(), HostError> {
        if let Some(parent) = superior {
            self.directory(connection, parent)?;
        }
        self.directory(connection, dn)?
            .rename(dn, rdn, delete_old, superior)
    }

    pub(crate) fn ldap_compare(
        &mut self,
        connection: &str,
        dn: &str,
        attribute: &str,
        value: &str,
    ) -> Result<bool, HostError> {
        let entry = self.directory(connection, dn)?.existing(dn)?;
        let held = entry.values(attribute);
        if held.is_empty() {
            return Err(ldap_error(
                16,
                String::new(),
                &format!("{attribute}: no such attribute"),
            ));
        }
        Ok(held
            .iter()
            .any(|x| x.eq_ignore_ascii_case(value.as_bytes())))
    }
}
