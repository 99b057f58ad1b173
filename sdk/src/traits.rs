//! The traits a plugin implements: one per world, and [`Tickets`] for a target that also
//! opens tickets.

use crate::ConnectorError;
use crate::types::{
    Account, AccountPage, AccountSpec, AttributeChange, EntitlementPage, EntitlementRef,
    MembershipPage, SourceChanges, SourceInfo, SourcePage, TargetChanges, TargetInfo, Ticket,
    TicketSpec,
};

fn unsupported<T>(what: &str) -> Result<T, ConnectorError> {
    Err(ConnectorError::Unsupported(format!(
        "this plugin does not implement {what}"
    )))
}

/// A connector that reads persons and their contracts.
///
/// The host makes a fresh instance per run; [`Source::new`] is called on the first call of the
/// run, so fields can cache what one run needs (a product catalogue, a token).
pub trait Source: Sized + 'static {
    /// Builds the plugin from its configuration ([`crate::config`]).
    fn new() -> Result<Self, ConnectorError>;

    /// Which person and contract fields this source fills, and its change feed when it
    /// implements [`Source::read_changes`] (`feed: Some(..)`).
    fn describe() -> SourceInfo {
        SourceInfo::default()
    }

    /// Checks the far side answers and says something about it.
    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        unsupported("test-connection")
    }

    /// One page of persons; the first call gets `None`, later calls the page's `next_cursor`.
    fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError>;

    /// Persons changed or removed since `cursor` (WIT 0.2). With `None`, start a feed: return
    /// a cursor for now and no changes; the host asks for it after a full read. Set `more`
    /// when further changes wait. A cursor the source no longer honours is
    /// [`ConnectorError::CursorInvalid`]: the host then reads in full and starts anew.
    /// Declare the feed in [`Source::describe`].
    fn read_changes(&mut self, _cursor: Option<Vec<u8>>) -> Result<SourceChanges, ConnectorError> {
        unsupported("read-changes")
    }
}

/// A connector that keeps accounts and entitlements in a target system.
///
/// Only the listings and [`Target::describe`] are required; write operations a target lacks
/// default to `unsupported`, and `delete` must be declared in `describe` to be used.
pub trait Target: Sized + 'static {
    /// Builds the plugin from its configuration ([`crate::config`]).
    fn new() -> Result<Self, ConnectorError>;

    /// Entitlement kinds, whether writes to one account must be serial, whether delete
    /// exists, and the change feed when it implements [`Target::read_changes`].
    fn describe() -> TargetInfo;

    /// Checks the far side answers and says something about it.
    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        unsupported("test-connection")
    }

    /// One page of accounts.
    fn list_accounts(&mut self, cursor: Option<String>) -> Result<AccountPage, ConnectorError>;

    /// One page of the entitlement catalogue.
    fn list_entitlements(
        &mut self,
        cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError>;

    /// One page of memberships.
    fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError>;

    /// Accounts, memberships and catalogue entries changed since `cursor` (WIT 0.2). With
    /// `None`, start a feed: return a cursor for now and no changes; the host asks for it
    /// before it lists the target in full, so nothing changing during the listing is lost.
    /// Set `more` when further changes wait; a cursor no longer honoured is
    /// [`ConnectorError::CursorInvalid`]. Declare the feed in [`Target::describe`].
    fn read_changes(&mut self, _cursor: Option<Vec<u8>>) -> Result<TargetChanges, ConnectorError> {
        unsupported("read-changes")
    }

    /// One account by its key as the target holds it now; `None` when it does not exist
    /// (WIT 0.2). Without it the host lists instead.
    fn get_account(&mut self, _key: &str) -> Result<Option<Account>, ConnectorError> {
        unsupported("get-account")
    }

    /// Finds an account by a correlation attribute.
    fn correlate(
        &mut self,
        _attribute: &str,
        _value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        unsupported("correlate")
    }

    /// Creates an account.
    fn create(&mut self, _spec: AccountSpec) -> Result<Account, ConnectorError> {
        unsupported("create")
    }

    /// Changes attributes: each change gives every value the attribute has afterwards (none
    /// clears it).
    fn update(
        &mut self,
        _account: &str,
        _changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        unsupported("update")
    }

    /// Lets the account log in.
    fn enable(&mut self, _account: &str) -> Result<(), ConnectorError> {
        unsupported("enable")
    }

    /// Stops the account logging in.
    fn disable(&mut self, _account: &str) -> Result<(), ConnectorError> {
        unsupported("disable")
    }

    /// Removes the account.
    fn delete(&mut self, _account: &str) -> Result<(), ConnectorError> {
        unsupported("delete")
    }

    /// Adds a membership.
    fn grant(
        &mut self,
        _account: &str,
        _entitlement: EntitlementRef,
    ) -> Result<(), ConnectorError> {
        unsupported("grant")
    }

    /// Removes a membership.
    fn revoke(
        &mut self,
        _account: &str,
        _entitlement: EntitlementRef,
    ) -> Result<(), ConnectorError> {
        unsupported("revoke")
    }
}

/// A target that also opens tickets (WIT 0.2.2): follow-up work a grant asks of people, such
/// as the training a login group needs first. Export it with [`crate::export_ticketing_target!`]
/// instead of `export_target!`; the host then opens one ticket per grant that asks for one and,
/// for a grant that waits, asks after it every run until it is closed.
pub trait Tickets: Target {
    /// Opens a ticket; the answer's `key` is what the host asks after it by.
    fn open_ticket(&mut self, spec: TicketSpec) -> Result<Ticket, ConnectorError>;

    /// A ticket opened earlier; [`ConnectorError::NotFound`] when the desk no longer has it.
    fn get_ticket(&mut self, key: &str) -> Result<Ticket, ConnectorError>;
}
