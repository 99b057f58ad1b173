//! The WIT 0.2 exports: plain records cast, pages built with one string of text each.

use super::{SourceExport, TargetExport, with};
use crate::bindings::v0_2::source_world::exports::tessera::connector::source_connector as source;
use crate::bindings::v0_2::source_world::tessera::connector::{pages as wp, types as w};
use crate::bindings::v0_2::target_world::exports::tessera::connector::target_connector as target;
#[cfg(not(feature = "wit-0-2-0"))]
use crate::bindings::v0_2::ticketing_world::exports::tessera::connector as ticketing;
use crate::wire::Cast;
use crate::wire::v0_2::pages;
use crate::{Source, Target};

type Answer<T> = Result<T, w::ConnectorError>;

impl<T: Source> source::Guest for SourceExport<T> {
    fn describe() -> w::SourceInfo {
        T::describe().cast()
    }

    fn test_connection() -> Answer<String> {
        with(T::new, T::test_connection).cast()
    }

    fn read(cursor: Option<String>) -> Answer<wp::SourcePage> {
        let page = with(T::new, |p| p.read(cursor));
        page.map(pages::source_page).map_err(Cast::cast)
    }

    fn read_changes(cursor: Option<Vec<u8>>) -> Answer<wp::SourceChanges> {
        let changes = with(T::new, |p| p.read_changes(cursor));
        changes.map(pages::source_changes).map_err(Cast::cast)
    }
}

impl<T: Target> target::Guest for TargetExport<T> {
    fn describe() -> w::TargetInfo {
        T::describe().cast()
    }

    fn test_connection() -> Answer<String> {
        with(T::new, T::test_connection).cast()
    }

    fn list_accounts(cursor: Option<String>) -> Answer<wp::AccountPage> {
        let page = with(T::new, |p| p.list_accounts(cursor));
        page.map(pages::account_page).map_err(Cast::cast)
    }

    fn list_entitlements(cursor: Option<String>) -> Answer<w::EntitlementPage> {
        with(T::new, |p| p.list_entitlements(cursor)).cast()
    }

    fn list_memberships(cursor: Option<String>) -> Answer<w::MembershipPage> {
        with(T::new, |p| p.list_memberships(cursor)).cast()
    }

    fn read_changes(cursor: Option<Vec<u8>>) -> Answer<wp::TargetChanges> {
        let changes = with(T::new, |p| p.read_changes(cursor));
        changes.map(pages::target_changes).map_err(Cast::cast)
    }

    fn get_account(key: String) -> Answer<Option<w::Account>> {
        with(T::new, |p| p.get_account(&key)).cast()
    }

    fn correlate(attribute: String, value: String) -> Answer<Option<w::Account>> {
        with(T::new, |p| p.correlate(&attribute, &value)).cast()
    }

    fn create(spec: w::AccountSpec) -> Answer<w::Account> {
        with(T::new, |p| p.create(spec.cast())).cast()
    }

    fn update(account: String, changes: Vec<w::AttributeChange>) -> Answer<w::Account> {
        with(T::new, |p| p.update(&account, changes.cast())).cast()
    }

    fn enable(account: String) -> Answer<()> {
        with(T::new, |p| p.enable(&account)).cast()
    }

    fn disable(account: String) -> Answer<()> {
        with(T::new, |p| p.disable(&account)).cast()
    }

    fn delete(account: String) -> Answer<()> {
        with(T::new, |p| p.delete(&account)).cast()
    }

    fn grant(account: String, entitlement: w::EntitlementRef) -> Answer<()> {
        with(T::new, |p| p.grant(&account, entitlement.cast())).cast()
    }

    fn revoke(account: String, entitlement: w::EntitlementRef) -> Answer<()> {
        with(T::new, |p| p.revoke(&account, entitlement.cast())).cast()
    }
}

#[cfg(not(feature = "wit-0-2-0"))]
impl<T: crate::Tickets> ticketing::tickets::Guest for TargetExport<T> {
    fn open_ticket(spec: ticketing::tickets::TicketSpec) -> Answer<ticketing::tickets::Ticket> {
        let spec = crate::types::TicketSpec {
            subject: spec.subject,
            body: spec.body,
            person: spec.person,
            caller: spec.caller,
        };
        with(T::new, |p| p.open_ticket(spec))
            .map(ticket)
            .map_err(Cast::cast)
    }

    fn get_ticket(key: String) -> Answer<ticketing::tickets::Ticket> {
        with(T::new, |p| p.get_ticket(&key))
            .map(ticket)
            .map_err(Cast::cast)
    }
}

#[cfg(not(feature = "wit-0-2-0"))]
fn ticket(t: crate::types::Ticket) -> ticketing::tickets::Ticket {
    ticketing::tickets::Ticket {
        key: t.key,
        number: t.number,
        closed: t.closed,
    }
}
