//! Units and commissions (*medarbetaruppdrag*): units are created from the mapped department,
//! commissions from the configuration, and members are added and removed by HSA-id.

use tessera_sdk::ConnectorError;
use tessera_sdk::host::ldap::{Attribute as LdapAttribute, Entry, ModifyOp, Scope};
use tessera_sdk::ldap::{child_dn, eq_filter};
use tessera_sdk::types::{Attribute, Entitlement, EntitlementRef, Membership};

use crate::directory::{self as dir, change, code, codes, first, values};
use crate::persons::text;
use crate::{Hsa, hsaid, policy};

/// The entitlement kind.
pub const KIND: &str = "commission";

const COMMISSIONS: &str = "(objectClass=hsaCommission)";

/// A commission as the operator configured it.
pub struct Commission {
    /// Its HSA-id, the entitlement key.
    pub id: String,
    unit: String,
    name: String,
    purpose: String,
    rights: Vec<String>,
}

impl Commission {
    /// Reads `ID | unit | name | purpose | right, right`, checking it against the policy.
    pub fn parse(line: &str, organisation_number: &str) -> Result<Self, ConnectorError> {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [local, unit, name, purpose, rights] = parts.as_slice() else {
            return Err(ConnectorError::invalid(
                "commissions",
                format!("`{line}` is not `ID | unit | name | purpose | rights`"),
            ));
        };
        let commission = Self {
            id: hsaid::generate(organisation_number, local),
            unit: (*unit).to_owned(),
            name: (*name).to_owned(),
            purpose: (*purpose).to_owned(),
            rights: rights
                .split(',')
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
        };
        let mut problems = policy::commission(&commission.id, name, purpose, &commission.rights);
        if local.chars().any(|c| !c.is_ascii_alphanumeric()) {
            problems.push(format!("ID `{local}` may hold only letters and digits"));
        }
        if problems.is_empty() {
            Ok(commission)
        } else {
            Err(ConnectorError::invalid(
                "commissions",
                format!("`{line}`: {}", problems.join("; ")),
            ))
        }
    }
}

impl Hsa {
    /// The DN of `ou=<name>` below the base, created (with its markers) when missing.
    pub(crate) fn ensure_unit(&self, attrs: &[(String, String)]) -> Result<String, ConnectorError> {
        let get = |n: &str| {
            attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
        };
        let name =
            get("ou").ok_or_else(|| ConnectorError::invalid("ou", "a person needs a unit"))?;
        let dn = child_dn("ou", name, &self.base);
        let mut extra = Vec::new();
        if let Some(code) =
            get("departmentNumber").filter(|c| self.care_units.iter().any(|u| u == c))
        {
            let id = hsaid::generate(&self.organisation_number, &format!("E{code}"));
            extra.push(text("objectClass", &["hsaHealthCareUnit"]));
            extra.push(text("hsaIdentity", &[&id]));
            extra.push(text("businessCategory", &[code]));
        }
        self.ensure_ou(&dn, extra)?;
        Ok(dn)
    }

    /// Adds an `organizationalUnit` entry unless it exists.
    pub(crate) fn ensure_ou(
        &self,
        dn: &str,
        extra: Vec<LdapAttribute>,
    ) -> Result<(), ConnectorError> {
        let (rdn, _) = dir::split_dn(dn);
        let value = rdn.split_once('=').map_or(rdn, |(_, v)| v);
        let mut attrs = vec![
            text("objectClass", &["organizationalUnit"]),
            text("ou", &[&unescape(value)]),
        ];
        attrs.extend(extra);
        match dir::DIR.add(dn, merge(attrs), Vec::new()) {
            Err(e) if code(&e) == Some(codes::ENTRY_ALREADY_EXISTS) => Ok(()),
            other => Ok(other?),
        }
    }

    pub(crate) fn all_commissions(&self) -> Result<Vec<Entitlement>, ConnectorError> {
        let names = [
            "hsaIdentity",
            "cn",
            "hsaCommissionPurpose",
            "hsaCommissionRight",
        ]
        .map(str::to_owned);
        let entries = dir::DIR.search(&self.base, Scope::Subtree, COMMISSIONS, &names)?;
        Ok(entries.iter().filter_map(entitlement).collect())
    }

    pub(crate) fn all_memberships(&self) -> Result<Vec<Membership>, ConnectorError> {
        let names = ["hsaIdentity", "hsaCommissionMember"].map(str::to_owned);
        let mut out = Vec::new();
        for entry in dir::DIR.search(&self.base, Scope::Subtree, COMMISSIONS, &names)? {
            let Some(key) = first(&entry, "hsaIdentity") else {
                continue;
            };
            out.extend(
                values(&entry, "hsaCommissionMember")
                    .iter()
                    .map(|member| Membership {
                        account: member.clone(),
                        entitlement: EntitlementRef {
                            kind: KIND.to_owned(),
                            key: key.to_owned(),
                        },
                    }),
            );
        }
        Ok(out)
    }

    /// The commission's DN; the first time in a run its entry is created or corrected from
    /// the configuration.
    fn commission_dn(&self, key: &str) -> Result<String, ConnectorError> {
        if let Some(dn) = self.commission_dns.borrow().get(key) {
            return Ok(dn.clone());
        }
        let dn = self.checked_commission(key)?;
        self.commission_dns
            .borrow_mut()
            .insert(key.to_owned(), dn.clone());
        Ok(dn)
    }

    fn checked_commission(&self, key: &str) -> Result<String, ConnectorError> {
        let Some(c) = self.commissions.iter().find(|c| c.id == key) else {
            return Err(ConnectorError::NotFound(format!(
                "commission {key} is not in this system's `commissions`"
            )));
        };
        let names = ["hsaCommissionPurpose", "hsaCommissionRight"].map(str::to_owned);
        let filter = format!("(&{COMMISSIONS}{})", eq_filter("hsaIdentity", key));
        if let Some(entry) = dir::DIR.search_one(&self.base, &filter, &names)? {
            correct(&entry, c)?;
            return Ok(entry.dn);
        }
        let unit = child_dn("ou", &c.unit, &self.base);
        self.ensure_ou(&unit, Vec::new())?;
        let dn = child_dn("cn", &c.name, &unit);
        let rights: Vec<&str> = c.rights.iter().map(String::as_str).collect();
        let mut attrs = vec![
            text("objectClass", &["hsaCommission"]),
            text("cn", &[&c.name]),
            text("hsaIdentity", &[&c.id]),
            text("hsaCommissionPurpose", &[&c.purpose]),
        ];
        if !rights.is_empty() {
            attrs.push(text("hsaCommissionRight", &rights));
        }
        match dir::DIR.add(&dn, attrs, Vec::new()) {
            // Another instance of this run created it a moment ago.
            Err(e) if code(&e) == Some(codes::ENTRY_ALREADY_EXISTS) => Ok(dn),
            other => other.map(|()| dn).map_err(ConnectorError::from),
        }
    }

    /// Adds or removes a person, by HSA-id, as a member of a commission.
    pub(crate) fn change_member(
        &self,
        account: &str,
        e: &EntitlementRef,
        add: bool,
    ) -> Result<(), ConnectorError> {
        if e.kind != KIND {
            return Err(ConnectorError::invalid(
                "kind",
                format!("`{}` is not a kind this target offers", e.kind),
            ));
        }
        if add {
            self.person(account)?;
        }
        let op = if add { ModifyOp::Add } else { ModifyOp::Delete };
        let member = [change(op, "hsaCommissionMember", vec![account.to_owned()])];
        // Already a member, or not a member: both are what was asked for.
        let answered_done = if add {
            codes::ATTRIBUTE_OR_VALUE_EXISTS
        } else {
            codes::NO_SUCH_ATTRIBUTE
        };
        let mut fresh = false;
        loop {
            let dn = self.commission_dn(&e.key)?;
            match dir::DIR.modify(&dn, &member) {
                Err(err) if code(&err) == Some(answered_done) => return Ok(()),
                // The commission went during the run; check it again from the config.
                Err(err) if code(&err) == Some(codes::NO_SUCH_OBJECT) && !fresh => {
                    self.commission_dns.borrow_mut().remove(&e.key);
                    fresh = true;
                }
                other => return Ok(other?),
            }
        }
    }
}

/// Purpose and rights as configured; written only when they differ.
fn correct(entry: &Entry, c: &Commission) -> Result<(), ConnectorError> {
    let mut mods = Vec::new();
    if first(entry, "hsaCommissionPurpose") != Some(c.purpose.as_str()) {
        mods.push(change(
            ModifyOp::Replace,
            "hsaCommissionPurpose",
            vec![c.purpose.clone()],
        ));
    }
    let mut have = values(entry, "hsaCommissionRight").to_vec();
    let mut want = c.rights.clone();
    have.sort();
    want.sort();
    if have != want {
        mods.push(change(
            ModifyOp::Replace,
            "hsaCommissionRight",
            c.rights.clone(),
        ));
    }
    if !mods.is_empty() {
        dir::DIR.modify(&entry.dn, &mods)?;
    }
    Ok(())
}

pub(crate) fn entitlement(entry: &Entry) -> Option<Entitlement> {
    let key = first(entry, "hsaIdentity")?.to_owned();
    let mut attributes = vec![Attribute {
        name: "dn".into(),
        value: entry.dn.clone(),
    }];
    if let Some(p) = first(entry, "hsaCommissionPurpose") {
        attributes.push(Attribute {
            name: "hsaCommissionPurpose".into(),
            value: p.to_owned(),
        });
    }
    for r in values(entry, "hsaCommissionRight") {
        attributes.push(Attribute {
            name: "hsaCommissionRight".into(),
            value: r.clone(),
        });
    }
    Some(Entitlement {
        kind: KIND.to_owned(),
        key,
        display_name: first(entry, "cn").unwrap_or(&entry.dn).to_owned(),
        attributes,
    })
}

/// Joins repeated attribute names (`objectClass` twice) into one attribute.
fn merge(attrs: Vec<LdapAttribute>) -> Vec<LdapAttribute> {
    let mut out: Vec<LdapAttribute> = Vec::new();
    for a in attrs {
        match out
            .iter_mut()
            .find(|o| o.name.eq_ignore_ascii_case(&a.name))
        {
            Some(o) => o.values.extend(a.values),
            None => out.push(a),
        }
    }
    out
}

/// The value of an RFC 4514 RDN without its backslash escapes.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    out
}
