//! Conversions between the WIT 0.1 records and the domain's. Data coming out of a plugin is
//! checked here (dates, page sizes), so bad plugin output is an `invalid` naming the field.

use tessera_domain as d;

use super::{R, page_size, stamp};
use crate::bindings::v0_1::types as w;

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

fn code(c: Option<w::CodeName>) -> Option<d::CodeName> {
    c.map(|c| d::CodeName {
        code: c.code,
        name: c.name,
    })
}

fn contract(c: w::Contract, at: &str) -> R<d::Contract> {
    let kind = match c.kind {
        w::ContractKind::Employment => d::ContractKind::Employment,
        w::ContractKind::Shift => d::ContractKind::Shift,
        w::ContractKind::Hire => d::ContractKind::Hire,
        w::ContractKind::Other => d::ContractKind::Other,
    };
    Ok(d::Contract {
        start: stamp(c.start, || format!("{at}.start"))?,
        end: stamp(c.end, || format!("{at}.end"))?,
        id: c.id,
        kind,
        department: code(c.department),
        title: code(c.title),
        location: code(c.location),
        cost_centre: code(c.cost_centre),
        employer: code(c.employer),
        fte: c.fte,
        hours_per_week: c.hours_per_week,
        sequence: c.sequence,
        attributes: attrs(c.attributes),
    })
}

fn person(p: w::Person, i: usize) -> R<d::Person> {
    let contracts = p
        .contracts
        .into_iter()
        .enumerate()
        .map(|(j, c)| contract(c, &format!("persons[{i}].contracts[{j}]")))
        .collect::<R<Vec<_>>>()?;
    Ok(d::Person {
        id: p.id,
        name: d::PersonName {
            given: p.name.given,
            family: p.name.family,
            prefix: p.name.prefix,
            initials: p.name.initials,
            convention: p.name.convention,
        },
        email: p.email,
        phone: p.phone,
        contracts,
        attributes: attrs(p.attributes),
    })
}

pub(crate) fn source_page(page: w::SourcePage) -> R<d::SourcePage> {
    page_size("persons", page.persons.len())?;
    Ok(d::SourcePage {
        persons: page
            .persons
            .into_iter()
            .enumerate()
            .map(|(i, p)| person(p, i))
            .collect::<R<_>>()?,
        warnings: page
            .warnings
            .into_iter()
            .map(|w| d::Warning {
                subject: w.subject,
                message: w.message,
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}

pub(crate) fn source_info(i: w::SourceInfo) -> d::SourceInfo {
    d::SourceInfo {
        fields: i.fields,
        feed: None,
    }
}

pub(crate) fn target_info(i: w::TargetInfo) -> d::TargetInfo {
    d::TargetInfo {
        entitlement_kinds: i.entitlement_kinds,
        serial_writes: i.serial_writes,
        supports_delete: i.supports_delete,
        correlation_attributes: i.correlation_attributes,
        feed: None,
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

pub(crate) fn account_page(p: w::AccountPage) -> R<d::AccountPage> {
    page_size("accounts", p.accounts.len())?;
    Ok(d::AccountPage {
        accounts: p.accounts.into_iter().map(account).collect(),
        next_cursor: p.next_cursor,
    })
}

fn entitlement_ref(e: w::EntitlementRef) -> d::EntitlementRef {
    d::EntitlementRef {
        kind: e.kind,
        key: e.key,
    }
}

pub(crate) fn entitlement_page(p: w::EntitlementPage) -> R<d::EntitlementPage> {
    page_size("entitlements", p.entitlements.len())?;
    let entitlements = p
        .entitlements
        .into_iter()
        .map(|e| d::Entitlement {
            kind: e.kind,
            key: e.key,
            display_name: e.display_name,
            attributes: attrs(e.attributes),
        })
        .collect();
    Ok(d::EntitlementPage {
        entitlements,
        next_cursor: p.next_cursor,
    })
}

pub(crate) fn membership_page(p: w::MembershipPage) -> R<d::MembershipPage> {
    page_size("memberships", p.memberships.len())?;
    let memberships = p
        .memberships
        .into_iter()
        .map(|m| d::Membership {
            account: m.account,
            entitlement: entitlement_ref(m.entitlement),
        })
        .collect();
    Ok(d::MembershipPage {
        memberships,
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

/// WIT 0.1 sets one value per attribute; a change to several values cannot reach such a plugin.
pub(crate) fn changes_to_wit(
    c: &[d::AttributeChange],
) -> Result<Vec<w::AttributeChange>, d::ConnectorError> {
    c.iter()
        .map(|c| match c.values.as_slice() {
            [] | [_] => Ok(w::AttributeChange {
                name: c.name.clone(),
                value: c.values.first().cloned(),
            }),
            _ => Err(d::ConnectorError::Invalid {
                field: c.name.clone(),
                message: "this plugin targets WIT 0.1, which sets one value per attribute".into(),
            }),
        })
        .collect()
}

pub(crate) fn ref_to_wit(e: &d::EntitlementRef) -> w::EntitlementRef {
    w::EntitlementRef {
        kind: e.kind.clone(),
        key: e.key.clone(),
    }
}
