//! ChipSoft HiX target connector.
//!
//! - HiX's user web service speaks SOAP 1.1: `nieuwegebruiker.gegevens` creates,
//!   `wijzigengebruiker.gegevens` replaces the whole user, `blokkerengebruiker.gegevens` /
//!   `deblokkerengebruiker.gegevens` block and unblock, `aanvraag.zisgebruikers` reads. Each
//!   request carries a fresh ControlId and the answer must echo it.
//! - An account's key is the HiX user code; its user name is `ldap`, the correlation key.
//! - Entitlements are groups (`group`) and login groups (`login-group`, special users in
//!   HiX). Every grant, revoke and update is a read-modify-write of the whole user, so writes
//!   to one account must be serial.
//! - HiX cannot delete users: a leaver is blocked and marked `U`.

mod accounts;
mod settings;
mod soap;
mod user;

use tessera_sdk::listing::page;
use tessera_sdk::types::{
    Account, AccountPage, AccountSpec, AttributeChange, Entitlement, EntitlementPage,
    EntitlementRef, Membership, MembershipPage, TargetInfo,
};
use tessera_sdk::{ConnectorError, Target};

use settings::Settings;
use user::{GROUP, LOGIN_GROUP, User};

/// Listings are returned in pages of this many records.
const PAGE: usize = 5000;

/// The configuration and what one run has read.
pub struct Hix {
    settings: Settings,
    /// Users and login groups of this run, read once so the three listings agree; any write
    /// drops it, so a re-read after a write (the engine's check of an uncertain
    /// outcome) sees the write.
    listed: Option<Listing>,
}

struct Listing {
    users: Vec<User>,
    login_groups: Vec<Entitlement>,
}

impl Hix {
    fn call(
        &self,
        message: &str,
        body: soap::Body<'_>,
    ) -> Result<tessera_sdk::host::xml::Document, ConnectorError> {
        soap::call(
            &self.settings.base_url,
            &self.settings.namespace,
            message,
            body,
        )
    }

    /// Reads every user once per run; a listing from the start (no cursor) reads again.
    fn listing(&mut self, fresh: bool) -> Result<(&Listing, &Settings), ConnectorError> {
        if fresh || self.listed.is_none() {
            let mut listing = Listing {
                users: Vec::new(),
                login_groups: Vec::new(),
            };
            self.read_users(None, |all, read| {
                if read.login_group {
                    let u = read.user;
                    let group = entitlement(LOGIN_GROUP, u.code, u.naam);
                    listing.login_groups.push(group);
                } else {
                    listing
                        .users
                        .reserve_exact(all.saturating_sub(listing.users.len()));
                    listing.users.push(read.user);
                }
            })?;
            self.listed = Some(listing);
        }
        let listing = self
            .listed
            .as_ref()
            .ok_or_else(|| ConnectorError::Other("the listing was not read".into()))?;
        Ok((listing, &self.settings))
    }

    fn groups(&self) -> Result<Vec<Entitlement>, ConnectorError> {
        let message = "aanvraag.groepen";
        let mut body = soap::Body::new(&self.settings.namespace);
        body.open(message);
        body.close();
        let doc = self.call(message, body)?;
        let mut out = Vec::new();
        for g in doc.select("/Envelope/Body/*/groepen/groep")? {
            let text = |name: &str| -> Result<String, ConnectorError> {
                Ok(g.select(name)?
                    .first()
                    .map(|e| e.text())
                    .unwrap_or_default())
            };
            out.push(entitlement(GROUP, text("code")?, text("omschrijving")?));
        }
        Ok(out)
    }
}

fn entitlement(kind: &str, key: String, display_name: String) -> Entitlement {
    Entitlement {
        kind: kind.to_owned(),
        key,
        display_name,
        attributes: Vec::new(),
    }
}

impl Target for Hix {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            settings: Settings::load()?,
            listed: None,
        })
    }

    fn describe() -> TargetInfo {
        TargetInfo {
            entitlement_kinds: vec![GROUP.to_owned(), LOGIN_GROUP.to_owned()],
            // Every write sends the whole user as read; overlapping writers lose updates.
            serial_writes: true,
            supports_delete: false,
            correlation_attributes: vec!["ldap".to_owned()],
            feed: None,
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let (listing, settings) = self.listing(true)?;
        Ok(format!(
            "HiX at {}: {} users, {} login groups",
            settings.base_url,
            listing.users.len(),
            listing.login_groups.len()
        ))
    }

    fn list_accounts(&mut self, cursor: Option<String>) -> Result<AccountPage, ConnectorError> {
        let fresh = cursor.is_none();
        let accounts: Vec<Account> = {
            let (listing, settings) = self.listing(fresh)?;
            listing.users.iter().map(|u| u.account(settings)).collect()
        };
        let (accounts, next_cursor) = page(&accounts, cursor.as_deref(), PAGE)?;
        Ok(AccountPage {
            accounts,
            next_cursor,
        })
    }

    fn list_entitlements(
        &mut self,
        cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        let mut all = self.groups()?;
        all.extend(self.listing(false)?.0.login_groups.iter().cloned());
        let (entitlements, next_cursor) = page(&all, cursor.as_deref(), PAGE)?;
        Ok(EntitlementPage {
            entitlements,
            next_cursor,
        })
    }

    fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        let all: Vec<Membership> = self
            .listing(false)?
            .0
            .users
            .iter()
            .flat_map(memberships)
            .collect();
        let (memberships, next_cursor) = page(&all, cursor.as_deref(), PAGE)?;
        Ok(MembershipPage {
            memberships,
            next_cursor,
        })
    }

    fn correlate(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        self.correlate_account(attribute, value)
    }

    fn create(&mut self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        self.listed = None;
        self.create_account(spec)
    }

    fn update(
        &mut self,
        account: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        self.listed = None;
        self.update_account(account, changes)
    }

    fn enable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.listed = None;
        self.set_in_service(account, true)
    }

    fn disable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.listed = None;
        self.set_in_service(account, false)
    }

    fn grant(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        self.listed = None;
        self.change_membership(account, &entitlement, true)
    }

    fn revoke(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        self.listed = None;
        self.change_membership(account, &entitlement, false)
    }
}

fn memberships(u: &User) -> impl Iterator<Item = Membership> + '_ {
    let kinds = [(GROUP, &u.groups), (LOGIN_GROUP, &u.login_groups)];
    kinds.into_iter().flat_map(move |(kind, keys)| {
        keys.iter().map(move |key| Membership {
            account: u.code.clone(),
            entitlement: EntitlementRef {
                kind: kind.to_owned(),
                key: key.clone(),
            },
        })
    })
}

tessera_sdk::export_target!(Hix);
