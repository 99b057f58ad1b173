//! Conversions between the WIT 0.2 records and the domain's: plain records here, the four
//! pages (text in one string, records in columns) in [`pages`]. Data coming out of a plugin is checked (page
//! sizes, spans, dates), so bad plugin output is an `invalid` naming the field.

mod pages;

use tessera_domain as d;

pub(crate) use pages::{account_page, source_changes, source_page, target_changes};

use super::{R, page_size};
use crate::bindings::v0_2::tickets;
use crate::bindings::v0_2::types as w;

pub(crate) fn error(e: w::ConnectorError) -> d::ConnectorError {
    use w::ConnectorError as E;
    match e {
        E::NotFound(m) => d::ConnectorError::NotFound(m),
        E::AlreadyExists(m) => d::ConnectorError::AlreadyExists(m),
        E::Invalid(f) => d::ConnectorError::Invalid {
            field: f.field,
            message: f.message,
        },
        E::Denied(m) => d::ConnectorError::Denied(m),
        E::Unavailable(u) => d::ConnectorError::Unavailable {
            message: u.message,
            retry_after_ms: u.retry_after_ms,
        },
        E::OutcomeUnknown(m) => d::ConnectorError::OutcomeUnknown(m),
        E::CursorInvalid(m) => d::ConnectorError::CursorInvalid(m),
        E::Unsupported(m) => d::ConnectorError::Unsupported(m),
        E::Other(m) => d::ConnectorError::Other(m),
    }
}

fn attrs(a: Vec<w::Attribute>) -> Vec<d::Attribute> {
    a.into_iter()
        .map(|a| d::Attribute {
            name: a.name,
            value: a.value,
        })
        .collect()
}

fn feed(f: Option<w::FeedInfo>) -> Option<d::FeedInfo> {
    f.map(|f| d::FeedInfo {
        sees_deletes: f.sees_deletes,
        partial_attributes: f.partial_attributes,
    })
}

pub(crate) fn source_info(i: w::SourceInfo) -> d::SourceInfo {
    d::SourceInfo {
        fields: i.fields,
        feed: feed(i.feed),
    }
}

pub(crate) fn target_info(i: w::TargetInfo) -> d::TargetInfo {
    d::TargetInfo {
        entitlement_kinds: i.entitlement_kinds,
        serial_writes: i.serial_writes,
        supports_delete: i.supports_delete,
        correlation_attributes: i.correlation_attributes,
        feed: feed(i.feed),
    }
}

pub(crate) fn account(a: w::Account) -> d::Account {
    d::Account {
        key: a.key,
        username: a.username,
        enabled: a.enabled,
        attributes: attrs(a.attributes),
    }
}

fn entitlement(e: w::Entitlement) -> d::Entitlement {
    d::Entitlement {
        kind: e.kind,
        key: e.key,
        display_name: e.display_name,
        attributes: attrs(e.attributes),
    }
}

fn membership(m: w::Membership) -> d::Membership {
    d::Membership {
        account: m.account,
        entitlement: d::EntitlementRef {
            kind: m.entitlement.kind,
            key: m.entitlement.key,
        },
    }
}

pub(crate) fn entitlement_page(p: w::EntitlementPage) -> R<d::EntitlementPage> {
    page_size("entitlements", p.entitlements.len())?;
    Ok(d::EntitlementPage {
        entitlements: p.entitlements.into_iter().map(entitlement).collect(),
        next_cursor: p.next_cursor,
    })
}

pub(crate) fn membership_page(p: w::MembershipPage) -> R<d::MembershipPage> {
    page_size("memberships", p.memberships.len())?;
    Ok(d::MembershipPage {
        memberships: p.memberships.into_iter().map(membership).collect(),
        next_cursor: p.next_cursor,
    })
}

fn attrs_to_wit(a: &[d::Attribute]) -> Vec<w::Attribute> {
    a.iter()
        .map(|a| w::Attribute {
            name: a.name.clone(),
            value: a.value.clone(),
        })
        .collect()
}

pub(crate) fn spec_to_wit(s: &d::AccountSpec) -> w::AccountSpec {
    w::AccountSpec {
        username: s.username.clone(),
        enabled: s.enabled,
        attributes: attrs_to_wit(&s.attributes),
    }
}

/// WIT 0.2 carries every value of a change; nothing is refused. (Fallible like the other
/// versions' conversion, which the shared exports call.)
pub(crate) fn changes_to_wit(
    c: &[d::AttributeChange],
) -> Result<Vec<w::AttributeChange>, d::ConnectorError> {
    Ok(c.iter()
        .map(|c| w::AttributeChange {
            name: c.name.clone(),
            values: c.values.clone(),
        })
        .collect())
}

pub(crate) fn ref_to_wit(e: &d::EntitlementRef) -> w::EntitlementRef {
    w::EntitlementRef {
        kind: e.kind.clone(),
        key: e.key.clone(),
    }
}

pub(crate) fn ticket_spec(s: &d::TicketSpec) -> tickets::TicketSpec {
    tickets::TicketSpec {
        subject: s.subject.clone(),
        body: s.body.clone(),
        person: s.person.clone(),
        caller: s.caller.clone(),
    }
}

/// A ticket from the plugin: without a key the engine could never ask after it again.
pub(crate) fn ticket(t: tickets::Ticket) -> R<d::Ticket> {
    if t.key.trim().is_empty() {
        return Err(d::ConnectorError::Invalid {
            field: "ticket.key".into(),
            message: "a ticket needs the key it is read back by".into(),
        });
    }
    let number = if t.number.trim().is_empty() {
        t.key.clone()
    } else {
        t.number
    };
    Ok(d::Ticket {
        key: t.key,
        number,
        closed: t.closed,
    })
}
