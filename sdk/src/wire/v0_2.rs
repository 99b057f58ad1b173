//! The SDK's types in WIT 0.2: plain records cast field by field, and the four pages
//! (`source-page`, `source-changes`, `account-page`, `target-changes`) through [`pages`].

pub mod pages;

use super::{Cast, cast_enum, cast_record};
use crate::bindings::v0_2::source_world::tessera::connector::types as w;
use crate::types as t;

cast_record! {
    t::Attribute => w::Attribute { name, value }
    t::Warning => w::Warning { subject, message }
    t::EntitlementRef => w::EntitlementRef { kind, key }
    t::Entitlement => w::Entitlement { kind, key, display_name, attributes }
    t::Account => w::Account { key, username, enabled, attributes }
    t::Membership => w::Membership { account, entitlement }
    t::EntitlementPage => w::EntitlementPage { entitlements, next_cursor }
    t::MembershipPage => w::MembershipPage { memberships, next_cursor }
    t::AccountSpec => w::AccountSpec { username, enabled, attributes }
    t::AttributeChange => w::AttributeChange { name, values }
    t::FeedInfo => w::FeedInfo { sees_deletes, partial_attributes }
    t::SourceInfo => w::SourceInfo { fields, feed }
    t::TargetInfo => w::TargetInfo {
        entitlement_kinds, serial_writes, supports_delete, correlation_attributes, feed
    }
    t::InvalidField => w::InvalidField { field, message }
    t::UnavailableInfo => w::UnavailableInfo { message, retry_after_ms }
}

cast_enum! {
    t::ContractKind => w::ContractKind { Employment, Shift, Hire, Other }
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
            Self::CursorInvalid(m) => W::CursorInvalid(m),
            Self::Unsupported(m) => W::Unsupported(m),
            Self::Other(m) => W::Other(m),
        }
    }
}
