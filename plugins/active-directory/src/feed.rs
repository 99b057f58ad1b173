//! The change feed: DirSync (the host's `search-changes`), which Samba and AD both serve.
//!
//! - One DirSync cookie covers the three OUs: the host searches from the naming context and
//!   keeps what lies under their common ancestor; this module sorts entries into the OUs.
//! - DirSync returns only changed attributes, so a changed user is read again whole by its
//!   objectGUID (an account is never partial); one found in neither OU any more is removed.
//! - Group changes carry the members added and removed (`member;range=1-1` / `;range=0-0`),
//!   which become granted and revoked memberships of the accounts in our OUs.
//! - Deleted objects come as objectGUIDs and are reported removed; the engine ignores keys it
//!   does not hold (a deleted group's, say). Catalogue changes wait for a full read.
//! - The cursor is `dirsync:` and the DC's cookie. A cursor without that tag, or a cookie the
//!   DC refuses, is `cursor-invalid`: the engine reads in full and starts a new feed.

use std::collections::{BTreeSet, HashMap};

use tessera_sdk::ConnectorError;
use tessera_sdk::host::ldap::{ChangeFeed, Changes, Entry, Scope};
use tessera_sdk::types::{EntitlementRef, Membership, TargetChanges};

use crate::directory::{self as dir, code, codes, first_bytes, normalise_dn, rdns};
use crate::{ActiveDirectory, groups, guid};

const TAG: &[u8] = b"dirsync:";
/// Users and groups; `objectCategory` is not kept on tombstones, `objectClass` is.
const FILTER: &str = "(|(objectClass=user)(objectClass=group))";
/// What a DC answers to a cookie it will not go on from: protocolError,
/// unavailableCriticalExtension (Samba: "unable to unmarshall cookie"), unwillingToPerform,
/// other, and the host's syncRefreshRequired (too many changes at once).
const RESTART: [u32; 5] = [2, 12, codes::UNWILLING_TO_PERFORM, 80, 4096];

impl ActiveDirectory {
    /// Changes since `cursor`; with none, a cursor for now.
    pub(crate) fn changes(
        &mut self,
        cursor: Option<Vec<u8>>,
    ) -> Result<TargetChanges, ConnectorError> {
        let cookie = match &cursor {
            None => None,
            // Every cookie a DC hands out is a non-empty `MSDS` blob; an empty one would make
            // the DC send everything as if it were a change, and nothing as deleted.
            Some(c) => match c.strip_prefix(TAG) {
                Some(cookie) if cookie.starts_with(b"MSDS") => Some(cookie.to_vec()),
                _ => {
                    return Err(ConnectorError::CursorInvalid(
                        "not a DirSync cursor of this plugin".into(),
                    ));
                }
            },
        };
        let base = common_ancestor(&[&self.users_ou, &self.disabled_ou, &self.groups_base]);
        // A user's own attributes (and `name`, which changes on a move), a group's members.
        let mut names = self.user_attributes();
        names.extend(["name", "member"].map(str::to_owned));
        let answer = dir::DIR.changes(&base, FILTER, &names, &ChangeFeed::Dirsync(cookie));
        let changes = match answer {
            Ok(changes) => changes,
            Err(e) if cursor.is_some() && code(&e).is_some_and(|c| RESTART.contains(&c)) => {
                return Err(ConnectorError::CursorInvalid(format!(
                    "the DC will not go on from the cookie: {e:?}"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let mut out = TargetChanges {
            cursor: [TAG, &changes.cookie].concat(),
            more: changes.more,
            ..TargetChanges::default()
        };
        if cursor.is_some() {
            self.sort_changes(changes, &mut out)?;
        }
        Ok(out)
    }

    fn sort_changes(
        &mut self,
        changes: Changes,
        out: &mut TargetChanges,
    ) -> Result<(), ConnectorError> {
        let (users, groups) = (self.user_ous(), normalise_dn(&self.groups_base));
        let mut changed = BTreeSet::new();
        for entry in &changes.entries {
            let dn = normalise_dn(plain_dn(&entry.dn));
            let Some(key) = first_bytes(entry, "objectGUID").and_then(|b| guid::to_text(&b)) else {
                continue;
            };
            if users.iter().any(|ou| within(&dn, ou)) {
                changed.insert(key);
            } else if within(&dn, &groups) {
                self.member_changes(entry, &key, &users, out)?;
            }
        }
        for key in changed {
            match self.entry(&key) {
                Ok(entry) => out.accounts.extend(self.account(&entry)),
                Err(ConnectorError::NotFound(_)) => {
                    self.forget_user(&key);
                    out.removed.push(key);
                }
                Err(e) => return Err(e),
            }
        }
        out.removed
            .extend(changes.deleted.iter().filter_map(|g| guid::to_text(g)));
        Ok(())
    }

    fn user_ous(&self) -> [String; 2] {
        [
            normalise_dn(&self.users_ou),
            normalise_dn(&self.disabled_ou),
        ]
    }

    /// The members a group gained and lost, as memberships of our accounts.
    fn member_changes(
        &mut self,
        entry: &Entry,
        group: &str,
        users: &[String; 2],
        out: &mut TargetChanges,
    ) -> Result<(), ConnectorError> {
        for attribute in &entry.attributes {
            let name = attribute.name.to_ascii_lowercase();
            let added = match name.as_str() {
                "member;range=1-1" => true,
                "member;range=0-0" => false,
                _ => continue,
            };
            for member in &attribute.values {
                let Some(account) = self.member_key(member, users)? else {
                    continue;
                };
                let membership = Membership {
                    account,
                    entitlement: EntitlementRef {
                        kind: groups::KIND.to_owned(),
                        key: group.to_owned(),
                    },
                };
                match added {
                    true => out.granted.push(membership),
                    false => out.revoked.push(membership),
                }
            }
        }
        Ok(())
    }

    /// The account key of a member value: the GUID of an extended DN, or the objectGUID of
    /// the entry a plain DN names, when it lies in one of our user OUs.
    fn member_key(
        &mut self,
        member: &str,
        users: &[String; 2],
    ) -> Result<Option<String>, ConnectorError> {
        let dn = normalise_dn(plain_dn(member));
        if !users.iter().any(|ou| within(&dn, ou)) {
            return Ok(None);
        }
        if let Some(key) = extended_guid(member) {
            return Ok(Some(key));
        }
        if let Some(key) = self.member_keys.get(&dn) {
            return Ok(Some(key.clone()));
        }
        let names = ["objectGUID".to_owned()];
        let found = match dir::DIR.search(plain_dn(member), Scope::Base, "(objectClass=*)", &names)
        {
            Ok(found) => found,
            Err(e) if code(&e) == Some(codes::NO_SUCH_OBJECT) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let key = found
            .first()
            .and_then(|e| first_bytes(e, "objectGUID"))
            .and_then(|b| guid::to_text(&b));
        if let Some(key) = &key {
            self.member_keys.insert(dn, key.clone());
        }
        Ok(key)
    }
}

/// Where a member DN's entry was looked up, by normalised DN.
pub(crate) type MemberKeys = HashMap<String, String>;

/// `dn` is `ou` or lies below it; both normalised.
fn within(dn: &str, ou: &str) -> bool {
    dn == ou || dn.ends_with(&format!(",{ou}"))
}

/// A DN without the `<GUID=…>;<SID=…>;` prefixes of AD's extended form.
fn plain_dn(dn: &str) -> &str {
    let mut rest = dn;
    while rest.starts_with('<') {
        match rest.find(">;") {
            Some(end) => rest = &rest[end + 2..],
            None => break,
        }
    }
    rest
}

/// The account key in an extended DN's `<GUID=…>`, in either of its forms (text or hex).
fn extended_guid(dn: &str) -> Option<String> {
    let start = dn.find("<GUID=")? + 6;
    let value = &dn[start..start + dn[start..].find('>')?];
    if let Some(bytes) = guid::to_bytes(value) {
        return guid::to_text(&bytes);
    }
    let bytes: Option<Vec<u8>> = (0..value.len() / 2)
        .map(|i| u8::from_str_radix(value.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    bytes.and_then(|b| guid::to_text(&b))
}

/// The longest DN every one of `dns` lies under, by whole RDNs.
fn common_ancestor(dns: &[&str]) -> String {
    let split: Vec<Vec<&str>> = dns.iter().map(|dn| rdns(dn)).collect();
    let shortest = split.iter().map(Vec::len).min().unwrap_or(0);
    let mut common = Vec::new();
    for i in 1..=shortest {
        let rdn = split[0][split[0].len() - i];
        let same = split
            .iter()
            .all(|s| normalise_dn(s[s.len() - i]) == normalise_dn(rdn));
        if !same {
            break;
        }
        common.insert(0, rdn);
    }
    common.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_ancestor_goes_by_whole_rdns() {
        assert_eq!(
            common_ancestor(&[
                "OU=Users,OU=T,DC=x,DC=org",
                "OU=Disabled,OU=T,DC=x,DC=org",
                "OU=Groups,OU=T,DC=x,DC=org"
            ]),
            "OU=T,DC=x,DC=org"
        );
        assert_eq!(common_ancestor(&["OU=a\\,b,DC=x", "OU=b,DC=x"]), "DC=x");
    }

    #[test]
    fn extended_dns_give_their_guid() {
        let text = "3413c72e-3aee-495e-8a6b-0123456789ab";
        let dn = format!("<GUID={text}>;<SID=S-1-5-21>;CN=a,OU=Users,DC=x");
        assert_eq!(extended_guid(&dn).as_deref(), Some(text));
        assert_eq!(plain_dn(&dn), "CN=a,OU=Users,DC=x");
        assert_eq!(extended_guid("CN=a,DC=x"), None);
    }
}
