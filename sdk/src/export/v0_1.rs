//! The WIT 0.1 exports: every record cast as it is; 0.1 has no change feeds and no `get-account`.

use super::{SourceExport, TargetExport, with};
use crate::bindings::v0_1::source_world::exports::tessera::connector::source_connector as source;
use crate::bindings::v0_1::source_world::tessera::connector::types as w;
use crate::bindings::v0_1::target_world::exports::tessera::connector::target_connector as target;
use crate::wire::Cast;
use crate::{Source, Target};

type Answer<T> = Result<T, w::ConnectorError>;

impl<T: Source> source::Guest for SourceExport<T> {
    fn describe() -> w::SourceInfo {
        T::describe().cast()
    }

    fn test_connection() -> Answer<String> {
        with(T::new, T::test_connection).cast()
    }

    fn read(cursor: Option<String>) -> Answer<w::SourcePage> {
        with(T::new, |p| p.read(cursor)).cast()
    }
}

impl<T: Target> target::Guest for TargetExport<T> {
    fn describe() -> w::TargetInfo {
        T::describe().cast()
    }

    fn test_connection() -> Answer<String> {
        with(T::new, T::test_connection).cast()
    }

    fn list_accounts(cursor: Option<String>) -> Answer<w::AccountPage> {
        with(T::new, |p| p.list_accounts(cursor)).cast()
    }

    fn list_entitlements(cursor: Option<String>) -> Answer<w::EntitlementPage> {
        with(T::new, |p| p.list_entitlements(cursor)).cast()
    }

    fn list_memberships(cursor: Option<String>) -> Answer<w::MembershipPage> {
        with(T::new, |p| p.list_memberships(cursor)).cast()
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
