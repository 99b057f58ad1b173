//! Active Directory target connector.
//!
//! - Accounts are `user` objects under `users_ou`; disabled ones (`userAccountControl` 514)
//!   are moved to `disabled_ou` and back on enable (512). An account's key is its objectGUID,
//!   which survives those moves and renames.
//! - A new account gets a random password through `unicodePwd` in the same add, so it can be
//!   enabled at once; the connection must therefore be LDAPS or StartTLS.
//! - `sAMAccountName` is the engine's user name (at most 20 characters), the UPN is
//!   `<name>@<upn_suffix>`; AD itself keeps both unique.
//! - Groups under `groups_base` are the entitlements, keyed by objectGUID, so a renamed group
//!   keeps its memberships. Granting a held group or revoking one not held succeeds.
//! - Mapped attributes are written only when their value differs from the directory's.

mod accounts;
mod directory;
mod feed;
mod groups;
mod guid;
mod password;

use std::collections::HashMap;

use tessera_sdk::listing::page;
use tessera_sdk::types::{
    Account, AccountPage, AccountSpec, AttributeChange, EntitlementPage, EntitlementRef, FeedInfo,
    MembershipPage, TargetChanges, TargetInfo,
};
use tessera_sdk::{ConnectorError, Target, config};

/// Listings are returned in pages of this many records.
const PAGE: usize = 5000;

/// The configuration and what one run has learnt about the directory.
pub struct ActiveDirectory {
    users_ou: String,
    disabled_ou: String,
    groups_base: String,
    upn_suffix: String,
    attributes: Vec<String>,
    /// Account key → DN, filled by every read and write, so most writes need no lookup.
    user_dns: HashMap<String, String>,
    /// Member DN (normalised) → account key, for the feed's membership changes.
    member_keys: feed::MemberKeys,
    /// Group key → DN, read once per run and again when a group is not found.
    group_dns: Option<HashMap<String, String>>,
    /// The full listings of this run, handed out page by page.
    listed: Listings,
}

#[derive(Default)]
struct Listings {
    accounts: Option<Vec<Account>>,
    entitlements: Option<Vec<tessera_sdk::types::Entitlement>>,
    memberships: Option<Vec<tessera_sdk::types::Membership>>,
    /// Read with the last full account listing and not handed out yet.
    memberships_read: Option<Vec<tessera_sdk::types::Membership>>,
}

impl Target for ActiveDirectory {
    fn new() -> Result<Self, ConnectorError> {
        let users_ou = config::string("users_ou")?;
        let disabled_ou = config::string("disabled_ou")?;
        let (u, d) = (
            directory::normalise_dn(&users_ou),
            directory::normalise_dn(&disabled_ou),
        );
        if u == d || u.ends_with(&format!(",{d}")) || d.ends_with(&format!(",{u}")) {
            return Err(ConnectorError::invalid(
                "disabled_ou",
                "must be a different OU from users_ou, and neither may contain the other",
            ));
        }
        Ok(Self {
            users_ou,
            disabled_ou,
            groups_base: config::string("groups_base")?,
            upn_suffix: config::string("upn_suffix")?,
            attributes: config::list("attributes")?,
            user_dns: HashMap::new(),
            member_keys: HashMap::new(),
            group_dns: None,
            listed: Listings::default(),
        })
    }

    fn describe() -> TargetInfo {
        TargetInfo {
            entitlement_kinds: vec![groups::KIND.to_owned()],
            // Enable and disable read, change and move one entry; overlapping them could
            // leave an enabled account in the disabled OU.
            serial_writes: true,
            supports_delete: true,
            correlation_attributes: accounts::CORRELATION
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
        for ou in [&self.users_ou, &self.disabled_ou, &self.groups_base] {
            directory::DIR.search(
                ou,
                tessera_sdk::host::ldap::Scope::Base,
                "(objectClass=*)",
                &[],
            )?;
        }
        Ok(format!(
            "Active Directory: {} and {} reachable",
            self.users_ou, self.disabled_ou
        ))
    }

    fn list_accounts(&mut self, cursor: Option<String>) -> Result<AccountPage, ConnectorError> {
        if self.listed.accounts.is_none() || cursor.is_none() {
            let (accounts, memberships) = self.all_accounts()?;
            self.listed.accounts = Some(accounts);
            self.listed.memberships_read = Some(memberships);
        }
        let all = self.listed.accounts.as_deref().unwrap_or_default();
        let (accounts, next_cursor) = page(all, cursor.as_deref(), PAGE)?;
        Ok(AccountPage {
            accounts,
            next_cursor,
        })
    }

    fn list_entitlements(
        &mut self,
        cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        if self.listed.entitlements.is_none() || cursor.is_none() {
            self.listed.entitlements = Some(self.all_groups()?);
        }
        let all = self.listed.entitlements.as_deref().unwrap_or_default();
        let (entitlements, next_cursor) = page(all, cursor.as_deref(), PAGE)?;
        Ok(EntitlementPage {
            entitlements,
            next_cursor,
        })
    }

    fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        if self.listed.memberships.is_none() || cursor.is_none() {
            let read = self.listed.memberships_read.take();
            self.listed.memberships = Some(match read {
                Some(memberships) => memberships,
                None => self.all_memberships()?,
            });
        }
        let all = self.listed.memberships.as_deref().unwrap_or_default();
        let (memberships, next_cursor) = page(all, cursor.as_deref(), PAGE)?;
        Ok(MembershipPage {
            memberships,
            next_cursor,
        })
    }

    fn read_changes(&mut self, cursor: Option<Vec<u8>>) -> Result<TargetChanges, ConnectorError> {
        self.changes(cursor)
    }

    fn get_account(&mut self, key: &str) -> Result<Option<Account>, ConnectorError> {
        match self.entry(key) {
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
        self.correlate_account(attribute, value)
    }

    fn create(&mut self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        self.writing();
        self.create_account(spec)
    }

    fn update(
        &mut self,
        account: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        self.writing();
        self.update_account(account, changes)
    }

    fn enable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.writing();
        self.set_enabled(account, true)
    }

    fn disable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.writing();
        self.set_enabled(account, false)
    }

    fn delete(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.writing();
        self.delete_account(account)
    }

    fn grant(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        self.writing();
        self.change_membership(account, &entitlement, true)
    }

    fn revoke(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        self.writing();
        self.change_membership(account, &entitlement, false)
    }
}

impl ActiveDirectory {
    /// A write makes the memberships read with the last account listing stale: a later
    /// listing of memberships must search again.
    fn writing(&mut self) {
        self.listed.memberships_read = None;
    }
}

tessera_sdk::export_target!(ActiveDirectory);
