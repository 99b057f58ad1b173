//! User accounts: create with a password, update only what changed, enable and disable with a
//! move between the two OUs, delete, list and correlate.

use tessera_sdk::ConnectorError;
use tessera_sdk::host::ldap::{
    Attribute as LdapAttribute, BinaryAttribute, Entry, ModifyOp, Scope,
};
use tessera_sdk::ldap::{child_dn, eq_filter};
use tessera_sdk::types::{Account, AccountSpec, Attribute, AttributeChange, Membership};

use crate::directory::{self as dir, change, code, codes, first, first_bytes, values};
use crate::{ActiveDirectory, groups, guid, password};

/// Attributes `correlate` accepts.
pub const CORRELATION: [&str; 4] = ["sAMAccountName", "userPrincipalName", "mail", "employeeID"];

const USERS: &str = "(&(objectCategory=person)(objectClass=user))";
const NORMAL_ACCOUNT: u32 = 512;
const ACCOUNTDISABLE: u32 = 2;
/// Longest sAMAccountName AD accepts for a user.
const MAX_SAM: usize = 20;
/// Characters AD refuses in sAMAccountName.
const SAM_FORBIDDEN: &[char] = &[
    '"', '/', '\\', '[', ']', ':', ';', '|', '=', ',', '+', '*', '?', '<', '>', '@',
];

impl ActiveDirectory {
    pub(crate) fn user_attributes(&self) -> Vec<String> {
        let mut names: Vec<String> = ["objectGUID", "sAMAccountName", "userAccountControl"]
            .map(str::to_owned)
            .to_vec();
        names.extend(self.attributes.iter().cloned());
        names
    }

    /// Every account in both OUs, with the memberships their `memberOf` shows: one search
    /// serves both listings.
    pub(crate) fn all_accounts(
        &mut self,
    ) -> Result<(Vec<Account>, Vec<Membership>), ConnectorError> {
        let index = self.group_index()?;
        let mut names = self.user_attributes();
        names.push("memberOf".to_owned());
        let (mut accounts, mut memberships) = (Vec::new(), Vec::new());
        for ou in [self.users_ou.clone(), self.disabled_ou.clone()] {
            for entry in dir::DIR.search(&ou, Scope::Subtree, USERS, &names)? {
                if let Some(account) = self.account(&entry) {
                    memberships.extend(groups::memberships_of(&entry, &account.key, &index));
                    accounts.push(account);
                }
            }
        }
        Ok((accounts, memberships))
    }

    /// The account of an entry, remembering its DN; `None` without an objectGUID.
    pub(crate) fn account(&mut self, entry: &Entry) -> Option<Account> {
        let key = guid::to_text(&first_bytes(entry, "objectGUID")?)?;
        self.user_dns.insert(key.clone(), entry.dn.clone());
        // Every mapped attribute is listed, an absent one as empty text, which is how the
        // engine renders a mapping with nothing to fill it; otherwise it would plan an update
        // for it on every run.
        let attributes = self
            .attributes
            .iter()
            .map(|name| Attribute {
                name: name.clone(),
                value: first(entry, name).unwrap_or_default().to_owned(),
            })
            .collect();
        Some(Account {
            key,
            username: first(entry, "sAMAccountName").map(str::to_owned),
            enabled: uac(entry) & ACCOUNTDISABLE == 0,
            attributes,
        })
    }

    /// Reads one account's entry by key, trying the DN this run knows first.
    pub(crate) fn entry(&mut self, key: &str) -> Result<Entry, ConnectorError> {
        let filter = guid::filter(key)?;
        let names = self.user_attributes();
        if let Some(dn) = self.user_dns.get(key).cloned() {
            match dir::DIR.search(&dn, Scope::Base, &filter, &names) {
                Ok(found) => {
                    if let Some(entry) = found.into_iter().next() {
                        return Ok(entry);
                    }
                }
                // Moved or renamed since: look it up below.
                Err(e) if code(&e) == Some(codes::NO_SUCH_OBJECT) => {}
                Err(e) => return Err(e.into()),
            }
            self.user_dns.remove(key);
        }
        for ou in [self.users_ou.clone(), self.disabled_ou.clone()] {
            if let Some(entry) = dir::DIR.search_one(&ou, &filter, &names)? {
                self.user_dns.insert(key.to_owned(), entry.dn.clone());
                return Ok(entry);
            }
        }
        Err(ConnectorError::NotFound(format!(
            "no account with objectGUID {key}"
        )))
    }

    /// An account's DN, from this run's memory or a lookup.
    pub(crate) fn user_dn(&mut self, key: &str) -> Result<String, ConnectorError> {
        match self.user_dns.get(key) {
            Some(dn) => Ok(dn.clone()),
            None => Ok(self.entry(key)?.dn),
        }
    }

    pub(crate) fn forget_user(&mut self, key: &str) {
        self.user_dns.remove(key);
    }

    pub(crate) fn correlate_account(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        let known = CORRELATION
            .iter()
            .copied()
            .chain(self.attributes.iter().map(String::as_str));
        if !known.into_iter().any(|a| a.eq_ignore_ascii_case(attribute)) {
            return Err(ConnectorError::invalid(
                "attribute",
                format!("cannot correlate on `{attribute}`"),
            ));
        }
        let filter = format!("(&{USERS}{})", eq_filter(attribute, value));
        let names = self.user_attributes();
        for ou in [self.users_ou.clone(), self.disabled_ou.clone()] {
            if let Some(entry) = dir::DIR.search_one(&ou, &filter, &names)? {
                return Ok(self.account(&entry));
            }
        }
        Ok(None)
    }

    pub(crate) fn create_account(&mut self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        check_sam(&spec.username)?;
        for a in &spec.attributes {
            self.check_mapped(&a.name)?;
        }
        let parent = if spec.enabled {
            &self.users_ou
        } else {
            &self.disabled_ou
        }
        .clone();
        let display = spec
            .attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case("displayName") && !a.value.trim().is_empty())
            .map_or(spec.username.clone(), |a| a.value.clone());
        let secret = password::unicode_pwd(&tessera_sdk::password::random()?);
        let mut dn = child_dn("CN", &display, &parent);
        let mut result = dir::DIR.add(&dn, self.new_user(&spec), binary_password(&secret));
        if result.as_ref().err().and_then(code) == Some(codes::ENTRY_ALREADY_EXISTS)
            && !self.sam_taken(&spec.username)?
        {
            // The CN is taken in this OU by a namesake; the account name is free, so it goes
            // in the CN to tell them apart.
            dn = child_dn("CN", &format!("{display} ({})", spec.username), &parent);
            result = dir::DIR.add(&dn, self.new_user(&spec), binary_password(&secret));
        }
        match result {
            Ok(()) => {}
            Err(e) if code(&e) == Some(codes::ENTRY_ALREADY_EXISTS) => {
                return Err(ConnectorError::AlreadyExists(format!(
                    "sAMAccountName {}",
                    spec.username
                )));
            }
            Err(e) => return Err(e.into()),
        }
        let names = self.user_attributes();
        let entry = dir::DIR
            .search(&dn, Scope::Base, "(objectClass=user)", &names)?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ConnectorError::OutcomeUnknown(format!("{dn} was added but cannot be read"))
            })?;
        self.account(&entry)
            .ok_or_else(|| ConnectorError::Other(format!("{dn} has no objectGUID")))
    }

    fn new_user(&self, spec: &AccountSpec) -> Vec<LdapAttribute> {
        let uac = if spec.enabled {
            NORMAL_ACCOUNT
        } else {
            NORMAL_ACCOUNT | ACCOUNTDISABLE
        };
        let mut attrs = vec![
            text("objectClass", "user"),
            text("sAMAccountName", &spec.username),
            text(
                "userPrincipalName",
                &format!("{}@{}", spec.username, self.upn_suffix),
            ),
            text("userAccountControl", &uac.to_string()),
        ];
        let mapped = spec
            .attributes
            .iter()
            .filter(|a| !a.value.trim().is_empty());
        attrs.extend(mapped.map(|a| text(&a.name, &a.value)));
        attrs
    }

    fn sam_taken(&self, name: &str) -> Result<bool, ConnectorError> {
        let filter = eq_filter("sAMAccountName", name);
        for ou in [&self.users_ou, &self.disabled_ou] {
            if dir::DIR
                .search_one(ou, &filter, &["1.1".to_owned()])?
                .is_some()
            {
                return Ok(true);
            }
        }
        // Outside our OUs we cannot look (the grant may not reach there); AD will refuse.
        Ok(false)
    }

    fn check_mapped(&self, name: &str) -> Result<(), ConnectorError> {
        if self.attributes.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            Ok(())
        } else {
            Err(ConnectorError::invalid(
                name,
                "not in this system's `attributes` list",
            ))
        }
    }

    pub(crate) fn update_account(
        &mut self,
        key: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        for c in &changes {
            self.check_mapped(&c.name)?;
        }
        let mut entry = self.entry(key)?;
        let mods: Vec<_> = changes
            .iter()
            .filter_map(|c| modification(&entry, c))
            .collect();
        if !mods.is_empty() {
            dir::DIR.modify(&entry.dn, &mods)?;
        }
        // The directory took the values as written (these are plain string attributes), so
        // the entry is brought up to date here instead of read a second time: on a busy
        // domain controller that read costs as much as the write.
        for c in &changes {
            written(&mut entry, c);
        }
        self.account(&entry)
            .ok_or_else(|| ConnectorError::Other(format!("{} has no objectGUID", entry.dn)))
    }

    /// Sets the disable bit and puts the account in the matching OU. Disabling flips the bit
    /// before the move, enabling moves first, so a failure half-way never leaves an enabled
    /// account in the disabled OU.
    pub(crate) fn set_enabled(&mut self, key: &str, enabled: bool) -> Result<(), ConnectorError> {
        let entry = self.entry(key)?;
        let target = if enabled {
            self.users_ou.clone()
        } else {
            self.disabled_ou.clone()
        };
        let old = uac(&entry);
        let new = if enabled {
            old & !ACCOUNTDISABLE
        } else {
            old | ACCOUNTDISABLE
        };
        let flip = || {
            dir::DIR.modify(
                &entry.dn,
                &[change(
                    ModifyOp::Replace,
                    "userAccountControl",
                    vec![new.to_string()],
                )],
            )
        };
        if !enabled && new != old {
            flip()?;
        }
        let (_, parent) = dir::split_dn(&entry.dn);
        let mut dn = entry.dn.clone();
        if dir::normalise_dn(parent) != dir::normalise_dn(&target) {
            dn = dir::DIR.move_to(&entry.dn, &target)?;
            self.user_dns.insert(key.to_owned(), dn.clone());
        }
        if enabled && new != old {
            dir::DIR.modify(
                &dn,
                &[change(
                    ModifyOp::Replace,
                    "userAccountControl",
                    vec![new.to_string()],
                )],
            )?;
        }
        Ok(())
    }

    pub(crate) fn delete_account(&mut self, key: &str) -> Result<(), ConnectorError> {
        let dn = self.user_dn(key)?;
        dir::DIR.delete(&dn)?;
        self.forget_user(key);
        Ok(())
    }
}

/// The change to send for the wanted values (several for a multi-valued attribute, none to
/// clear it), or `None` when the directory already holds exactly those, in any order.
fn modification(
    entry: &Entry,
    c: &AttributeChange,
) -> Option<tessera_sdk::host::ldap::Modification> {
    let mut want = wanted(c);
    let mut have: Vec<&str> = values(entry, &c.name).iter().map(String::as_str).collect();
    if want.is_empty() {
        return (!have.is_empty()).then(|| change(ModifyOp::Delete, &c.name, Vec::new()));
    }
    let replace = want.iter().map(|v| (*v).to_owned()).collect();
    want.sort_unstable();
    have.sort_unstable();
    (want != have).then(|| change(ModifyOp::Replace, &c.name, replace))
}

/// The values a change asks for: trimmed, blanks left out.
fn wanted(c: &AttributeChange) -> Vec<&str> {
    c.values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Puts a change's values into `entry` as the directory now holds them, the attribute gone
/// when nothing is left.
fn written(entry: &mut Entry, c: &AttributeChange) {
    let values: Vec<String> = wanted(c).into_iter().map(str::to_owned).collect();
    entry
        .attributes
        .retain(|a| !a.name.eq_ignore_ascii_case(&c.name));
    if !values.is_empty() {
        entry.attributes.push(LdapAttribute {
            name: c.name.clone(),
            values,
        });
    }
}

fn check_sam(name: &str) -> Result<(), ConnectorError> {
    let problem = if name.is_empty() || name.chars().count() > MAX_SAM {
        Some(format!("must be 1 to {MAX_SAM} characters"))
    } else if name.contains(SAM_FORBIDDEN) || name.ends_with('.') {
        Some("contains a character AD refuses in sAMAccountName".to_owned())
    } else {
        None
    };
    problem.map_or(Ok(()), |m| {
        Err(ConnectorError::invalid("username", format!("`{name}` {m}")))
    })
}

fn uac(entry: &Entry) -> u32 {
    first(entry, "userAccountControl")
        // AD shows the flags as a signed 32-bit number.
        .and_then(|v| v.parse::<i64>().ok())
        .map_or(NORMAL_ACCOUNT | ACCOUNTDISABLE, |v| v as u32)
}

fn text(name: &str, value: &str) -> LdapAttribute {
    LdapAttribute {
        name: name.to_owned(),
        values: vec![value.to_owned()],
    }
}

fn binary_password(secret: &[u8]) -> Vec<BinaryAttribute> {
    vec![BinaryAttribute {
        name: "unicodePwd".to_owned(),
        values: vec![secret.to_vec()],
    }]
}
