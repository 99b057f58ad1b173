//! The SDK's types in the frozen WIT 0.1: the same records, minus what 0.1 cannot say (a
//! change feed, several values in one attribute change, `cursor-invalid`).

use super::{Cast, cast_enum, cast_record};
use crate::bindings::v0_1::source_world::tessera::connector::types as w;
use crate::types as t;

cast_record! {
    t::Attribute => w::Attribute { name, value }
    t::CodeName => w::CodeName { code, name }
    t::PersonName => w::PersonName { given, family, prefix, initials, convention }
    t::Contract => w::Contract {
        id, kind, start, end, department, title, location, cost_centre, employer, fte,
        hours_per_week, sequence, attributes
    }
    t::Person => w::Person { id, name, email, phone, contracts, attributes }
    t::Warning => w::Warning { subject, message }
    t::SourcePage => w::SourcePage { persons, warnings, next_cursor }
    t::EntitlementRef => w::EntitlementRef { kind, key }
    t::Entitlement => w::Entitlement { kind, key, display_name, attributes }
    t::Account => w::Account { key, username, enabled, attributes }
    t::Membership => w::Membership { account, entitlement }
    t::AccountPage => w::AccountPage { accounts, next_cursor }
    t::EntitlementPage => w::EntitlementPage { entitlements, next_cursor }
    t::MembershipPage => w::MembershipPage { memberships, next_cursor }
    t::AccountSpec => w::AccountSpec { username, enabled, attributes }
    t::InvalidField => w::InvalidField { field, message }
    t::UnavailableInfo => w::UnavailableInfo { message, retry_after_ms }
}

cast_enum! {
    t::ContractKind => w::ContractKind { Employment, Shift, Hire, Other }
}

/// A 0.1 host has no change feeds: a declared feed is not passed on.
impl Cast<w::SourceInfo> for t::SourceInfo {
    fn cast(self) -> w::SourceInfo {
        w::SourceInfo {
            fields: self.fields,
        }
    }
}

impl Cast<w::TargetInfo> for t::TargetInfo {
    fn cast(self) -> w::TargetInfo {
        w::TargetInfo {
            entitlement_kinds: self.entitlement_kinds,
            serial_writes: self.serial_writes,
            supports_delete: self.supports_delete,
            correlation_attributes: self.correlation_attributes,
        }
    }
}

/// A 0.1 change sets one value (`some`) or clears (`none`).
impl Cast<t::AttributeChange> for w::AttributeChange {
    fn cast(self) -> t::AttributeChange {
        t::AttributeChange {
            name: self.name,
            values: self.value.into_iter().collect(),
        }
    }
}

impl Cast<w::ConnectorError> for t::ConnectorError {
    fn cast(self) -> w::ConnectorError {
        use w::ConnectorError as W;
        match self {
            Self::NotFound(m) => W::NotFound(m),
            Self::AlreadyExists(m) => W::AlreadyExists(m),
            Self::Invalid(i) => W::Invalid(i.cast()),
            Self::Denied(m) => W::Denied(m),
            Self::Unavailable(u) => W::Unavailable(u.cast()),
            Self::OutcomeUnknown(m) => W::OutcomeUnknown(m),
            // Only `read_changes` has a reason to say it, and 0.1 never calls that.
            Self::CursorInvalid(m) => W::Other(format!("cursor invalid: {m}")),
            Self::Unsupported(m) => W::Unsupported(m),
            Self::Other(m) => W::Other(m),
        }
    }
}
