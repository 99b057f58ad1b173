//! Groups as entitlements, keyed by objectGUID, and memberships read from the users' side.

use std::collections::HashMap;

use tessera_sdk::ConnectorError;
use tessera_sdk::host::errors::HostError;
use tessera_sdk::host::ldap::{ModifyOp, Scope};
use tessera_sdk::types::{Attribute, Entitlement, EntitlementRef, Membership};

use crate::directory::{self as dir, change, code, codes, first, first_bytes, normalise_dn};
use crate::{ActiveDirectory, guid};

/// The one entitlement kind this target offers.
pub const KIND: &str = "group";

const GROUPS: &str = "(objectClass=group)";
const USERS: &str = "(&(objectCategory=person)(objectClass=user))";
/// What AD and Samba say for an account that is a member already.
const ALREADY_MEMBER: [u32; 2] = [
    codes::ENTRY_ALREADY_EXISTS,
    codes::ATTRIBUTE_OR_VALUE_EXISTS,
];
/// What AD and Samba say for a member not there.
const NOT_MEMBER: [u32; 2] = [codes::UNWILLING_TO_PERFORM, codes::NO_SUCH_ATTRIBUTE];

impl ActiveDirectory {
    fn group_entries(&self) -> Result<Vec<tessera_sdk::host::ldap::Entry>, HostError> {
        let names = ["objectGUID", "cn", "sAMAccountName", "description"].map(str::to_owned);
        dir::DIR.search(&self.groups_base, Scope::Subtree, GROUPS, &names)
    }

    /// The group catalogue, remembering each group's DN.
    pub(crate) fn all_groups(&mut self) -> Result<Vec<Entitlement>, ConnectorError> {
        let mut dns = HashMap::new();
        let mut out = Vec::new();
        for entry in self.group_entries()? {
            let Some(key) = first_bytes(&entry, "objectGUID").and_then(|b| guid::to_text(&b))
            else {
                continue;
            };
            let mut attributes = vec![Attribute {
                name: "dn".into(),
                value: entry.dn.clone(),
            }];
            for name in ["sAMAccountName", "description"] {
                if let Some(value) = first(&entry, name) {
                    attributes.push(Attribute {
                        name: name.into(),
                        value: value.to_owned(),
                    });
                }
            }
            out.push(Entitlement {
                kind: KIND.to_owned(),
                key: key.clone(),
                display_name: first(&entry, "cn").unwrap_or(&entry.dn).to_owned(),
                attributes,
            });
            dns.insert(key, entry.dn);
        }
        self.group_dns = Some(dns);
        Ok(out)
    }

    /// Normalised group DN → group key, for reading `memberOf`.
    pub(crate) fn group_index(&mut self) -> Result<HashMap<String, String>, ConnectorError> {
        if self.group_dns.is_none() {
            self.all_groups()?;
        }
        Ok(self
            .group_dns
            .iter()
            .flatten()
            .map(|(key, dn)| (normalise_dn(dn), key.clone()))
            .collect())
    }

    /// Memberships of our accounts in our groups, read from each user's `memberOf`, which AD
    /// returns whole, where a large group's `member` would come in ranges.
    pub(crate) fn all_memberships(&mut self) -> Result<Vec<Membership>, ConnectorError> {
        let index = self.group_index()?;
        let names = ["objectGUID", "memberOf"].map(str::to_owned);
        let mut out = Vec::new();
        for ou in [self.users_ou.clone(), self.disabled_ou.clone()] {
            for entry in dir::DIR.search(&ou, Scope::Subtree, USERS, &names)? {
                if let Some(account) =
                    first_bytes(&entry, "objectGUID").and_then(|b| guid::to_text(&b))
                {
                    out.extend(memberships_of(&entry, &account, &index));
                }
            }
        }
        Ok(out)
    }

    /// A group's DN by key; the catalogue is read again once when the key is unknown.
    fn group_dn(&mut self, key: &str, reload: bool) -> Result<String, ConnectorError> {
        if reload || self.group_dns.is_none() {
            self.all_groups()?;
        }
        if let Some(dn) = self.group_dns.as_ref().and_then(|m| m.get(key)) {
            return Ok(dn.clone());
        }
        if !reload {
            return self.group_dn(key, true);
        }
        Err(ConnectorError::NotFound(format!(
            "no group with objectGUID {key} under {}",
            self.groups_base
        )))
    }

    /// Adds or removes one membership. A stale DN (the group or account was renamed or moved
    /// during the run) is looked up again once.
    pub(crate) fn change_membership(
        &mut self,
        account: &str,
        entitlement: &EntitlementRef,
        add: bool,
    ) -> Result<(), ConnectorError> {
        if entitlement.kind != KIND {
            return Err(ConnectorError::invalid(
                "kind",
                format!("`{}` is not a kind this target offers", entitlement.kind),
            ));
        }
        guid::filter(&entitlement.key)?;
        let mut fresh = false;
        loop {
            let user = self.user_dn(account)?;
            let group = self.group_dn(&entitlement.key, fresh)?;
            match member_change(&group, &user, add) {
                Err(e) if !fresh && code(&e) == Some(codes::NO_SUCH_OBJECT) => {
                    fresh = true;
                    self.forget_user(account);
                }
                other => return other.map_err(ConnectorError::from),
            }
        }
    }
}

fn member_change(group: &str, user: &str, add: bool) -> Result<(), HostError> {
    let op = if add { ModifyOp::Add } else { ModifyOp::Delete };
    match dir::DIR.modify(group, &[change(op, "member", vec![user.to_owned()])]) {
        Err(e) if add && code(&e).is_some_and(|c| ALREADY_MEMBER.contains(&c)) => Ok(()),
        // 53 also covers refusals that have nothing to do with membership, so the answer
        // counts as "not a member" only when the group really does not list the account.
        Err(e) if !add && code(&e).is_some_and(|c| NOT_MEMBER.contains(&c)) => {
            if dir::DIR.compare(group, "member", user)? {
                Err(e)
            } else {
                Ok(())
            }
        }
        other => other,
    }
}

/// The memberships an entry's `memberOf` shows in the groups of `index`.
pub(crate) fn memberships_of<'a>(
    entry: &'a tessera_sdk::host::ldap::Entry,
    account: &'a str,
    index: &'a HashMap<String, String>,
) -> impl Iterator<Item = Membership> + 'a {
    dir::values(entry, "memberOf")
        .iter()
        .filter_map(|dn| index.get(&normalise_dn(dn)))
        .map(|key| Membership {
            account: account.to_owned(),
            entitlement: EntitlementRef {
                kind: KIND.to_owned(),
                key: key.clone(),
            },
        })
}
