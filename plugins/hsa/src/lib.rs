//! HSA target connector: a local directory laid out for HSA's full connection
//! (*fullständig anslutning*), which Inera then synchronises.
//!
//! - Persons are `inetOrgPerson` + `HSAPersonExtension` entries keyed by `hsaIdentity`, never
//!   by DN: a person moves between units (and to `inactive_ou` when disabled) and keeps the key.
//! - HSA-ids are `SE<organisation number>-<user name's letters and digits>`, or the mapped
//!   `hsaIdentity`, and are validated before use.
//! - Units are `ou` entries below `base`, created from the mapped department; those in
//!   `care_units` are marked `hsaHealthCareUnit`.
//! - Commissions (`hsaCommission`) come from the configuration, with purpose and rights; the
//!   role model grants them by HSA-id and members are added and removed by HSA-id.
//! - Every entry passes [`policy`] before it is written; a violation is an `invalid` error
//!   naming the entry and every reason.

mod commissions;
mod directory;
mod feed;
mod hsaid;
mod persons;
mod policy;
mod time;

use std::cell::RefCell;
use std::collections::HashMap;

use tessera_sdk::types::{
    Account, AccountPage, AccountSpec, AttributeChange, EntitlementPage, EntitlementRef, FeedInfo,
    MembershipPage, TargetChanges, TargetInfo,
};
use tessera_sdk::{ConnectorError, Target, config};

use commissions::Commission;

/// The configuration.
pub struct Hsa {
    organisation_number: String,
    base: String,
    inactive_ou: String,
    care_units: Vec<String>,
    commissions: Vec<Commission>,
    attributes: Vec<String>,
    /// Commission HSA-id → DN, once checked against the configuration in this run.
    commission_dns: RefCell<HashMap<String, String>>,
}

impl Target for Hsa {
    fn new() -> Result<Self, ConnectorError> {
        let organisation_number = config::string("organisation_number")?;
        if let Some(problem) = hsaid::organisation_problem(&organisation_number) {
            return Err(ConnectorError::invalid("organisation_number", problem));
        }
        let commissions = config::list("commissions")?
            .iter()
            .map(|line| Commission::parse(line, &organisation_number))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            base: config::string("base")?,
            inactive_ou: config::string("inactive_ou")?,
            care_units: config::list("care_units")?,
            attributes: config::list("attributes")?,
            organisation_number,
            commissions,
            commission_dns: RefCell::default(),
        })
    }

    fn describe() -> TargetInfo {
        TargetInfo {
            entitlement_kinds: vec![commissions::KIND.to_owned()],
            serial_writes: true,
            supports_delete: true,
            correlation_attributes: persons::CORRELATION
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            feed: Some(FeedInfo {
                sees_deletes: true,
                partial_attributes: false,
            }),
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let scope = tessera_sdk::host::ldap::Scope::Base;
        directory::DIR.search(&self.base, scope, "(objectClass=*)", &[])?;
        Ok(format!("HSA directory: {} reachable", self.base))
    }

    fn list_accounts(&mut self, cursor: Option<String>) -> Result<AccountPage, ConnectorError> {
        no_cursor(cursor)?;
        Ok(AccountPage {
            accounts: self.all_persons()?,
            next_cursor: None,
        })
    }

    fn list_entitlements(
        &mut self,
        cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        no_cursor(cursor)?;
        Ok(EntitlementPage {
            entitlements: self.all_commissions()?,
            next_cursor: None,
        })
    }

    fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        no_cursor(cursor)?;
        Ok(MembershipPage {
            memberships: self.all_memberships()?,
            next_cursor: None,
        })
    }

    fn read_changes(&mut self, cursor: Option<Vec<u8>>) -> Result<TargetChanges, ConnectorError> {
        self.changes(cursor)
    }

    fn get_account(&mut self, key: &str) -> Result<Option<Account>, ConnectorError> {
        match self.person(key) {
            Ok(entry) => Ok(self.account(&entry)),
            Err(ConnectorError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn correlate(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        self.correlate_person(attribute, value)
    }

    fn create(&mut self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        self.create_person(spec)
    }

    fn update(
        &mut self,
        account: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        self.update_person(account, changes)
    }

    fn enable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.set_active(account, true)
    }

    fn disable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.set_active(account, false)
    }

    fn delete(&mut self, account: &str) -> Result<(), ConnectorError> {
        let entry = self.person(account)?;
        directory::DIR.delete(&entry.dn)?;
        if let Some(uuid) = directory::first(&entry, "entryUUID") {
            feed::note_delete(uuid, account);
        }
        Ok(())
    }

    fn grant(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        self.change_member(account, &entitlement, true)
    }

    fn revoke(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        self.change_member(account, &entitlement, false)
    }
}

/// Listings come in one page (HSA organisations hold thousands, not millions, of persons).
fn no_cursor(cursor: Option<String>) -> Result<(), ConnectorError> {
    match cursor {
        None => Ok(()),
        Some(c) => Err(ConnectorError::invalid(
            "cursor",
            format!("`{c}`: this plugin lists in one page"),
        )),
    }
}

tessera_sdk::export_target!(Hsa);

#[cfg(test)]
mod tests;
