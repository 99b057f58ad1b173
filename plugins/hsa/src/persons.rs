//! Person entries keyed by HSA-id: create, update, move between units and the inactive OU.

use tessera_sdk::ConnectorError;
use tessera_sdk::host::ldap::{Attribute as LdapAttribute, Entry, ModifyOp, Scope};
use tessera_sdk::ldap::{child_dn, eq_filter};
use tessera_sdk::types::{Account, AccountSpec, Attribute, AttributeChange};

use crate::directory::{self as dir, change, code, first, normalise_dn, split_dn};
use crate::{Hsa, hsaid, policy, time};

/// Attributes `correlate` accepts.
pub const CORRELATION: [&str; 3] = ["hsaIdentity", "mail", "employeeNumber"];

const PERSONS: &str = "(&(objectClass=inetOrgPerson)(objectClass=HSAPersonExtension))";
const DATES: [&str; 2] = ["hsaStartDate", "hsaEndDate"];

impl Hsa {
    pub(crate) fn read_names(&self) -> Vec<String> {
        let mut names = ["hsaIdentity", "uid", "entryUUID"]
            .map(str::to_owned)
            .to_vec();
        names.extend(self.attributes.iter().cloned());
        names
    }

    pub(crate) fn all_persons(&self) -> Result<Vec<Account>, ConnectorError> {
        let entries = dir::DIR.search(&self.base, Scope::Subtree, PERSONS, &self.read_names())?;
        Ok(entries.iter().filter_map(|e| self.account(e)).collect())
    }

    /// The account of an entry; dates read back as the ISO dates the engine maps.
    pub(crate) fn account(&self, entry: &Entry) -> Option<Account> {
        let key = first(entry, "hsaIdentity")?.to_owned();
        // Every mapped attribute is listed, an absent one as empty text, which is how the
        // engine renders a mapping with nothing to fill it; otherwise it would plan an update
        // for it on every run.
        let attributes = self
            .attributes
            .iter()
            .map(|name| {
                let value = first(entry, name).unwrap_or_default();
                let value = match DATES.iter().any(|d| d.eq_ignore_ascii_case(name)) {
                    true => time::iso(value),
                    false => value.to_owned(),
                };
                Attribute {
                    name: name.clone(),
                    value,
                }
            })
            .collect();
        Some(Account {
            key,
            username: first(entry, "uid").map(str::to_owned),
            enabled: !self.inactive(&entry.dn),
            attributes,
        })
    }

    fn inactive(&self, dn: &str) -> bool {
        normalise_dn(split_dn(dn).1) == normalise_dn(&self.inactive_ou)
    }

    /// The entry of a person by HSA-id, wherever it is below the base.
    pub(crate) fn person(&self, key: &str) -> Result<Entry, ConnectorError> {
        let filter = format!("(&{PERSONS}{})", eq_filter("hsaIdentity", key));
        dir::DIR
            .search_one(&self.base, &filter, &self.read_names())?
            .ok_or_else(|| ConnectorError::NotFound(format!("no person with HSA-id {key}")))
    }

    pub(crate) fn correlate_person(
        &self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        if !CORRELATION
            .iter()
            .any(|a| a.eq_ignore_ascii_case(attribute))
        {
            return Err(ConnectorError::invalid(
                "attribute",
                format!("cannot correlate on `{attribute}`"),
            ));
        }
        let filter = format!("(&{PERSONS}{})", eq_filter(attribute, value));
        let found = dir::DIR.search_one(&self.base, &filter, &self.read_names())?;
        Ok(found.as_ref().and_then(|e| self.account(e)))
    }

    /// Mapped values as they will be stored: allowed names only, dates in generalized time.
    fn stored(&self, name: &str, value: &str) -> Result<(String, String), ConnectorError> {
        let Some(known) = self
            .attributes
            .iter()
            .find(|a| a.eq_ignore_ascii_case(name))
        else {
            return Err(ConnectorError::invalid(
                name,
                "not in this system's `attributes` list",
            ));
        };
        let value = value.trim();
        let value = match DATES.iter().any(|d| d.eq_ignore_ascii_case(name)) {
            // A value that is no date stays as it is, for the policy check to name.
            true => time::generalized(value).unwrap_or_else(|| value.to_owned()),
            false => value.to_owned(),
        };
        Ok((known.clone(), value))
    }

    fn check(&self, who: &str, id: &str, attrs: &[(String, String)]) -> Result<(), ConnectorError> {
        let unit_code = attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("departmentNumber"));
        let care = unit_code.is_some_and(|(_, c)| self.care_units.contains(c));
        let problems = policy::person(id, attrs, care);
        if problems.is_empty() {
            return Ok(());
        }
        Err(ConnectorError::invalid(
            who,
            format!("HSA policy: {}", problems.join("; ")),
        ))
    }

    pub(crate) fn create_person(&self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        let mut attrs = Vec::new();
        for a in spec
            .attributes
            .iter()
            .filter(|a| !a.value.trim().is_empty())
        {
            attrs.push(self.stored(&a.name, &a.value)?);
        }
        let given_id = attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("hsaIdentity"));
        let id = given_id.map_or_else(
            || hsaid::generate(&self.organisation_number, &spec.username),
            |(_, v)| v.clone(),
        );
        attrs.retain(|(k, _)| !k.eq_ignore_ascii_case("hsaIdentity"));
        self.check(&format!("{} ({id})", spec.username), &id, &attrs)?;
        if self.person(&id).is_ok() {
            return Err(ConnectorError::AlreadyExists(format!("HSA-id {id}")));
        }
        let parent = if spec.enabled {
            self.ensure_unit(&attrs)?
        } else {
            self.inactive_ou.clone()
        };
        let cn = common_name(&attrs, &spec.username);
        let mut entry = vec![
            text("objectClass", &["inetOrgPerson", "HSAPersonExtension"]),
            text("hsaIdentity", &[&id]),
            text("uid", &[&spec.username]),
        ];
        entry.extend(attrs.iter().map(|(k, v)| text(k, &[v])));
        let mut dn = child_dn("cn", &cn, &parent);
        if !attrs.iter().any(|(k, _)| k.eq_ignore_ascii_case("cn")) {
            entry.push(text("cn", &[&cn]));
        }
        if let Err(e) = dir::DIR.add(&dn, entry.clone(), Vec::new()) {
            if code(&e) != Some(dir::codes::ENTRY_ALREADY_EXISTS) {
                return Err(e.into());
            }
            // A namesake in the same unit: the HSA-id tells them apart in the RDN.
            dn = child_dn("cn", &format!("{cn} {id}"), &parent);
            dir::DIR.add(&dn, entry, Vec::new())?;
        }
        let created = self.person(&id)?;
        self.account(&created)
            .ok_or_else(|| ConnectorError::Other(format!("{dn} has no HSA-id")))
    }

    pub(crate) fn update_person(
        &self,
        key: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        let entry = self.person(key)?;
        let mut merged: Vec<(String, String)> = self
            .attributes
            .iter()
            .filter_map(|n| first(&entry, n).map(|v| (n.clone(), v.to_owned())))
            .collect();
        let mut mods = Vec::new();
        for c in &changes {
            let want = match wanted(c)? {
                Some(v) => Some(self.stored(&c.name, v)?),
                None => None,
            };
            let have = merged
                .iter()
                .position(|(k, _)| k.eq_ignore_ascii_case(&c.name));
            match (want, have) {
                (Some((k, v)), Some(i)) if merged[i].1 != v => {
                    mods.push(change(ModifyOp::Replace, &k, vec![v.clone()]));
                    merged[i].1 = v;
                }
                (Some((k, v)), None) => {
                    mods.push(change(ModifyOp::Replace, &k, vec![v.clone()]));
                    merged.push((k, v));
                }
                (None, Some(i)) => {
                    mods.push(change(ModifyOp::Delete, &merged[i].0, Vec::new()));
                    merged.remove(i);
                }
                _ => {}
            }
        }
        self.check(key, key, &merged)?;
        let mut dn = entry.dn.clone();
        if !mods.is_empty() {
            dir::DIR.modify(&dn, &mods)?;
        }
        if !self.inactive(&dn) {
            let unit = self.ensure_unit(&merged)?;
            if normalise_dn(split_dn(&dn).1) != normalise_dn(&unit) {
                dn = dir::DIR.move_to(&dn, &unit)?;
            }
        }
        let updated = self.person(key)?;
        self.account(&updated)
            .ok_or_else(|| ConnectorError::Other(format!("{dn} has no HSA-id")))
    }

    /// Enabled persons live in their unit, disabled ones in the inactive OU.
    pub(crate) fn set_active(&self, key: &str, active: bool) -> Result<(), ConnectorError> {
        let entry = self.person(key)?;
        if self.inactive(&entry.dn) != active {
            return Ok(());
        }
        let target = if active {
            let attrs: Vec<(String, String)> = ["ou", "departmentNumber"]
                .iter()
                .filter_map(|n| first(&entry, n).map(|v| ((*n).to_owned(), v.to_owned())))
                .collect();
            self.ensure_unit(&attrs)?
        } else {
            self.ensure_ou(&self.inactive_ou, Vec::new())?;
            self.inactive_ou.clone()
        };
        dir::DIR.move_to(&entry.dn, &target)?;
        Ok(())
    }
}

fn common_name(attrs: &[(String, String)], username: &str) -> String {
    let get = |n: &str| {
        attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    };
    if let Some(name) = get("cn").or(get("displayName")) {
        return name.to_owned();
    }
    match (get("givenName"), get("sn")) {
        (Some(g), Some(s)) => format!("{g} {s}"),
        (None, Some(s)) => s.to_owned(),
        _ => username.to_owned(),
    }
}

pub(crate) fn text(name: &str, values: &[&str]) -> LdapAttribute {
    LdapAttribute {
        name: name.to_owned(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

/// The one value a change sets, `None` to clear: the person attributes this target keeps are
/// single-valued, so several values are refused rather than cut to one.
fn wanted(c: &AttributeChange) -> Result<Option<&str>, ConnectorError> {
    let mut values = c
        .values
        .iter()
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty());
    match (values.next(), values.next()) {
        (one, None) => Ok(one),
        (Some(_), Some(_)) => Err(ConnectorError::invalid(
            &c.name,
            "HSA keeps one value of this attribute; several were given",
        )),
        (None, Some(_)) => Ok(None),
    }
}
