use async_trait::async_trait;

use crate::{
    Account, AccountPage, AccountSpec, AttributeChange, ConnectorError, EntitlementPage,
    EntitlementRef, MembershipPage, SourceChanges, SourceInfo, SourcePage, TargetChanges,
    TargetInfo, Ticket, TicketSpec,
};

/// A system persons and contracts are read from.
#[async_trait]
pub trait SourceConnector: Send {
    /// What the source fills.
    async fn describe(&mut self) -> Result<SourceInfo, ConnectorError>;
    /// Checks the far side answers; returns a line about it.
    async fn test_connection(&mut self) -> Result<String, ConnectorError>;
    /// One page of persons; start with `None`.
    async fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError>;
    /// Persons changed or removed since `cursor`; with `None`, a cursor for now and no
    /// changes. See [`crate::SourceChanges`]; a source without a feed answers `Unsupported`.
    async fn read_changes(
        &mut self,
        cursor: Option<&[u8]>,
    ) -> Result<SourceChanges, ConnectorError> {
        let _ = cursor;
        Err(ConnectorError::Unsupported("read-changes".into()))
    }
}

/// A system whose accounts and entitlements Tessera keeps.
#[async_trait]
pub trait TargetConnector: Send {
    /// Entitlement kinds, write ordering and delete support.
    async fn describe(&mut self) -> Result<TargetInfo, ConnectorError>;
    /// Checks the far side answers; returns a line about it.
    async fn test_connection(&mut self) -> Result<String, ConnectorError>;
    /// One page of accounts.
    async fn list_accounts(
        &mut self,
        cursor: Option<String>,
    ) -> Result<AccountPage, ConnectorError>;
    /// One page of the entitlement catalogue.
    async fn list_entitlements(
        &mut self,
        cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError>;
    /// One page of memberships.
    async fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError>;
    /// Accounts, memberships and catalogue entries changed since `cursor`; with `None`, a
    /// cursor for now and no changes. See [`crate::TargetChanges`]; a target without a feed
    /// answers `Unsupported`.
    async fn read_changes(
        &mut self,
        cursor: Option<&[u8]>,
    ) -> Result<TargetChanges, ConnectorError> {
        let _ = cursor;
        Err(ConnectorError::Unsupported("read-changes".into()))
    }
    /// One account by its key, as the target holds it now; `None` when it does not exist. A
    /// target without it answers `Unsupported`, and the engine lists instead.
    async fn get_account(&mut self, key: &str) -> Result<Option<Account>, ConnectorError> {
        let _ = key;
        Err(ConnectorError::Unsupported("get-account".into()))
    }
    /// Finds an existing account by a correlation attribute.
    async fn correlate(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError>;
    /// Creates an account.
    async fn create(&mut self, spec: &AccountSpec) -> Result<Account, ConnectorError>;
    /// Changes attributes of an account.
    async fn update(
        &mut self,
        account: &str,
        changes: &[AttributeChange],
    ) -> Result<Account, ConnectorError>;
    /// Lets the account log in.
    async fn enable(&mut self, account: &str) -> Result<(), ConnectorError>;
    /// Stops the account logging in.
    async fn disable(&mut self, account: &str) -> Result<(), ConnectorError>;
    /// Removes the account.
    async fn delete(&mut self, account: &str) -> Result<(), ConnectorError>;
    /// Adds a membership.
    async fn grant(
        &mut self,
        account: &str,
        entitlement: &EntitlementRef,
    ) -> Result<(), ConnectorError>;
    /// Removes a membership.
    async fn revoke(
        &mut self,
        account: &str,
        entitlement: &EntitlementRef,
    ) -> Result<(), ConnectorError>;
    /// Opens a ticket (a follow-up a grant asks for). A target that offers no tickets answers
    /// `Unsupported`.
    async fn open_ticket(&mut self, spec: &TicketSpec) -> Result<Ticket, ConnectorError> {
        let _ = spec;
        Err(ConnectorError::Unsupported("tickets".into()))
    }
    /// A ticket opened earlier, as the system holds it now; `NotFound` when it is gone.
    async fn ticket(&mut self, key: &str) -> Result<Ticket, ConnectorError> {
        let _ = key;
        Err(ConnectorError::Unsupported("tickets".into()))
    }
}
