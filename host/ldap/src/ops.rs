//! The write operations and compare. Every DN is parsed, checked against the base DN, and sent
//! to the server in its re-serialised form, so the server acts on exactly the DN checked.

use std::collections::HashSet;

use ldap3::{LdapResult, Mod};

use crate::Error;
use crate::dn::Rdn;
use crate::pool::Pool;

/// What a [`Modification`] does with its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModifyOp {
    /// Adds the values; the attribute is created if missing.
    Add,
    /// Replaces all values; no values removes the attribute.
    Replace,
    /// Deletes the values; no values deletes the whole attribute.
    Delete,
}

/// One change of a modify request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modification {
    /// What to do.
    pub op: ModifyOp,
    /// The attribute's name.
    pub attribute: String,
    /// The values, as bytes (UTF-8 for text attributes).
    pub values: Vec<Vec<u8>>,
}

type Values = HashSet<Vec<u8>>;

impl Pool {
    /// Adds an entry. Each attribute needs at least one value.
    pub async fn add(
        &self,
        dn: &str,
        attributes: Vec<(String, Vec<Vec<u8>>)>,
    ) -> Result<(), Error> {
        let target = self.check_dn(dn)?.to_string();
        if let Some((name, _)) = attributes.iter().find(|(_, values)| values.is_empty()) {
            return Err(Error::InvalidRequest(format!(
                "attribute {name:?} has no values"
            )));
        }
        let attributes: Vec<(Vec<u8>, Values)> = attributes
            .into_iter()
            .map(|(name, values)| (name.into_bytes(), values.into_iter().collect()))
            .collect();
        let timeout = self.spec.timeout;
        self.write(|mut ldap| async move {
            check(ldap.with_timeout(timeout).add(&target, attributes).await)
        })
        .await
    }

    /// Applies `changes` to one entry, atomically.
    pub async fn modify(&self, dn: &str, changes: Vec<Modification>) -> Result<(), Error> {
        let target = self.check_dn(dn)?.to_string();
        if changes.is_empty() {
            return Err(Error::InvalidRequest(
                "a modify needs at least one change".into(),
            ));
        }
        let mods: Vec<Mod<Vec<u8>>> = changes.into_iter().map(to_mod).collect();
        let timeout = self.spec.timeout;
        self.write(|mut ldap| async move {
            check(ldap.with_timeout(timeout).modify(&target, mods).await)
        })
        .await
    }

    /// Deletes a leaf entry.
    pub async fn delete(&self, dn: &str) -> Result<(), Error> {
        let target = self.check_dn(dn)?.to_string();
        let timeout = self.spec.timeout;
        self.write(
            |mut ldap| async move { check(ldap.with_timeout(timeout).delete(&target).await) },
        )
        .await
    }

    /// Renames an entry (`new_rdn`) and optionally moves it (`new_superior`). The source, the
    /// new superior and the resulting DN must all lie under the base DN.
    pub async fn modify_dn(
        &self,
        dn: &str,
        new_rdn: &str,
        delete_old_rdn: bool,
        new_superior: Option<&str>,
    ) -> Result<(), Error> {
        let source = self.check_dn(dn)?;
        let rdn = Rdn::parse(new_rdn)?;
        let superior = new_superior.map(|sup| self.check_dn(sup)).transpose()?;
        let parent = match &superior {
            Some(sup) => sup.clone(),
            None => source.parent().ok_or_else(|| Error::InvalidDn {
                dn: dn.to_string(),
                message: "the root DN cannot be renamed".into(),
            })?,
        };
        let result = parent.child(rdn.clone());
        self.check_within(&result.to_string(), &result)?;
        let (source, rdn) = (source.to_string(), rdn.to_string());
        let superior = superior.map(|sup| sup.to_string());
        let timeout = self.spec.timeout;
        self.write(|mut ldap| async move {
            let sent = ldap.with_timeout(timeout);
            check(
                sent.modifydn(&source, &rdn, delete_old_rdn, superior.as_deref())
                    .await,
            )
        })
        .await
    }

    /// Whether the entry's `attribute` has `value`, by the attribute's equality rule.
    pub async fn compare(&self, dn: &str, attribute: &str, value: &[u8]) -> Result<bool, Error> {
        let target = self.check_dn(dn)?.to_string();
        let timeout = self.spec.timeout;
        self.read(|mut ldap| {
            let target = target.clone();
            async move {
                let result = ldap
                    .with_timeout(timeout)
                    .compare(&target, attribute, value)
                    .await;
                result.and_then(|r| r.equal()).map_err(Error::from_ldap)
            }
        })
        .await
    }
}

fn to_mod(change: Modification) -> Mod<Vec<u8>> {
    let name = change.attribute.into_bytes();
    let values: Values = change.values.into_iter().collect();
    match change.op {
        ModifyOp::Add => Mod::Add(name, values),
        ModifyOp::Replace => Mod::Replace(name, values),
        ModifyOp::Delete => Mod::Delete(name, values),
    }
}

fn check(result: ldap3::result::Result<LdapResult>) -> Result<(), Error> {
    result
        .and_then(LdapResult::success)
        .map(|_| ())
        .map_err(Error::from_ldap)
}
