//! Reading WIT 0.2's pages into the domain. A page is its text with a table of string ends,
//! and its records as columns (`wit/connector/pages.wit`). Everything a plugin could get
//! wrong is checked, column by column, before a row is read: every column of a table has the
//! table's length, the counts of nested rows add up to the nested table, every string number
//! names a string of the page that lies on character boundaries, required texts are there.
//! Rows are then read by plain indexing; only timestamps can still fail, as they parse. A
//! failed check is an `invalid` naming the field the way WIT 0.1 did
//! (`persons[3].contracts[0].start`), or the column (`contracts.title-name`).
//!
//! The checks are `tessera_pages`', the same the SDK makes when it reads a page back.

mod check;

use tessera_domain as d;
use tessera_pages::{Rows, Strings, owner};

use super::super::{R, page_size};
use crate::bindings::v0_2::{pages as w, types as wt};
use check::{attribute_texts, attributes_table, counts, same_length, split, texts, within_text};

fn invalid(field: impl Into<String>, message: impl Into<String>) -> d::ConnectorError {
    d::ConnectorError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Text `n` of a checked column.
fn text(s: &Strings<'_>, n: u32) -> Option<String> {
    s.get(n).map(str::to_owned)
}

/// Text `n` of a checked required column.
fn req(s: &Strings<'_>, n: u32) -> String {
    s.get(n).unwrap_or_default().to_owned()
}

fn stamp(s: &Strings<'_>, n: u32, field: impl Fn() -> String) -> R<Option<d::Timestamp>> {
    let parse = |t: &str| {
        t.parse()
            .map_err(|e: d::TimestampError| invalid(field(), e.to_string()))
    };
    s.get(n).map(parse).transpose()
}

fn attribute_rows(
    s: &Strings<'_>,
    a: &w::Attributes,
    rows: std::ops::Range<usize>,
) -> Vec<d::Attribute> {
    rows.map(|j| d::Attribute {
        name: req(s, a.name[j]),
        value: req(s, a.value[j]),
    })
    .collect()
}

/// The person tables of a page.
struct People<'a> {
    persons: &'a w::Persons,
    contracts: &'a w::Contracts,
    person_attributes: &'a w::Attributes,
    contract_attributes: &'a w::Attributes,
}

impl People<'_> {
    /// Reads every person; the page is checked first, so indexing stays in bounds.
    fn read(&self, strings: &w::Strings) -> R<Vec<d::Person>> {
        self.check_shape()?;
        let s = split(strings, self.cells())?;
        within_text(self.check_texts(&s)?, strings)?;
        let (mut contracts, mut attributes, mut contract_attributes) =
            (Rows::default(), Rows::default(), Rows::default());
        let p = self.persons;
        (0..p.id.len())
            .map(|i| {
                let owned = contracts.next(p.contracts[i]);
                let person_contracts = owned
                    .enumerate()
                    .map(|(k, j)| self.contract(&s, j, (i, k), &mut contract_attributes))
                    .collect::<R<Vec<_>>>()?;
                Ok(d::Person {
                    id: req(&s, p.id[i]),
                    name: d::PersonName {
                        given: req(&s, p.given[i]),
                        family: req(&s, p.family[i]),
                        prefix: text(&s, p.prefix[i]),
                        initials: text(&s, p.initials[i]),
                        convention: text(&s, p.convention[i]),
                    },
                    email: text(&s, p.email[i]),
                    phone: text(&s, p.phone[i]),
                    contracts: person_contracts,
                    attributes: attribute_rows(
                        &s,
                        self.person_attributes,
                        attributes.next(p.attributes[i]),
                    ),
                })
            })
            .collect()
    }

    /// Contract `j` of the page, the `k`-th of person `i`.
    fn contract(
        &self,
        s: &Strings<'_>,
        j: usize,
        (i, k): (usize, usize),
        rows: &mut Rows,
    ) -> R<d::Contract> {
        let c = self.contracts;
        let at = |field: &'static str| move || format!("persons[{i}].contracts[{k}].{field}");
        let code = |codes: &[u32], names: &[u32]| {
            text(s, codes[j]).map(|code| d::CodeName {
                code,
                name: req(s, names[j]),
            })
        };
        Ok(d::Contract {
            id: req(s, c.id[j]),
            kind: kind(c.kind[j]),
            start: stamp(s, c.start[j], at("start"))?,
            end: stamp(s, c.end[j], at("end"))?,
            department: code(&c.department_code, &c.department_name),
            title: code(&c.title_code, &c.title_name),
            location: code(&c.location_code, &c.location_name),
            cost_centre: code(&c.cost_centre_code, &c.cost_centre_name),
            employer: code(&c.employer_code, &c.employer_name),
            fte: c.fte[j],
            hours_per_week: c.hours_per_week[j],
            sequence: c.sequence[j],
            attributes: attribute_rows(s, self.contract_attributes, rows.next(c.attributes[j])),
        })
    }
}
fn kind(k: wt::ContractKind) -> d::ContractKind {
    match k {
        wt::ContractKind::Employment => d::ContractKind::Employment,
        wt::ContractKind::Shift => d::ContractKind::Shift,
        wt::ContractKind::Hire => d::ContractKind::Hire,
        wt::ContractKind::Other => d::ContractKind::Other,
    }
}

fn warnings(list: Vec<wt::Warning>) -> Vec<d::Warning> {
    list.into_iter()
        .map(|w| d::Warning {
            subject: w.subject,
            message: w.message,
        })
        .collect()
}

pub(crate) fn source_page(p: w::SourcePage) -> R<d::SourcePage> {
    let people = People {
        persons: &p.persons,
        contracts: &p.contracts,
        person_attributes: &p.person_attributes,
        contract_attributes: &p.contract_attributes,
    };
    Ok(d::SourcePage {
        persons: people.read(&p.strings)?,
        warnings: warnings(p.warnings),
        next_cursor: p.next_cursor,
    })
}

pub(crate) fn source_changes(c: w::SourceChanges) -> R<d::SourceChanges> {
    let people = People {
        persons: &c.persons,
        contracts: &c.contracts,
        person_attributes: &c.person_attributes,
        contract_attributes: &c.contract_attributes,
    };
    page_size("removed", c.removed.len())?;
    Ok(d::SourceChanges {
        persons: people.read(&c.strings)?,
        removed: c.removed,
        warnings: warnings(c.warnings),
        cursor: c.cursor,
        more: c.more,
    })
}

fn accounts(strings: &w::Strings, a: &w::Accounts, attrs: &w::Attributes) -> R<Vec<d::Account>> {
    page_size("accounts", a.key.len())?;
    let columns = [
        ("username", a.username.len()),
        ("enabled", a.enabled.len()),
        ("attributes", a.attributes.len()),
    ];
    same_length("accounts", a.key.len(), &columns)?;
    let rows = attrs.name.len();
    counts("accounts.attributes", &a.attributes, "attributes", rows)?;
    attributes_table("attributes", attrs)?;
    let s = split(strings, 2 * (a.key.len() + rows))?;
    let account = |i: usize| format!("accounts[{i}]");
    let columns = [("key", &a.key[..], true), ("username", &a.username, false)];
    let used = texts(&s, &account, &columns)?;
    let of_account = |m: usize| {
        let (i, k) = owner(&a.attributes, m);
        format!("accounts[{i}].attributes[{k}]")
    };
    within_text(used + attribute_texts(&s, attrs, &of_account)?, strings)?;
    let mut rows = Rows::default();
    let read = |i: usize| d::Account {
        key: req(&s, a.key[i]),
        username: text(&s, a.username[i]),
        enabled: a.enabled[i],
        attributes: attribute_rows(&s, attrs, rows.next(a.attributes[i])),
    };
    Ok((0..a.key.len()).map(read).collect())
}

pub(crate) fn account_page(p: w::AccountPage) -> R<d::AccountPage> {
    Ok(d::AccountPage {
        accounts: accounts(&p.strings, &p.accounts, &p.attributes)?,
        next_cursor: p.next_cursor,
    })
}

pub(crate) fn target_changes(c: w::TargetChanges) -> R<d::TargetChanges> {
    for (list, len) in [
        ("removed", c.removed.len()),
        ("granted", c.granted.len()),
        ("revoked", c.revoked.len()),
        ("entitlements", c.entitlements.len()),
    ] {
        page_size(list, len)?;
    }
    let entitlements = c.entitlements.into_iter().map(super::entitlement).collect();
    Ok(d::TargetChanges {
        accounts: accounts(&c.strings, &c.accounts, &c.attributes)?,
        removed: c.removed,
        granted: c.granted.into_iter().map(super::membership).collect(),
        revoked: c.revoked.into_iter().map(super::membership).collect(),
        entitlements,
        cursor: c.cursor,
        more: c.more,
    })
}

#[cfg(test)]
mod tests;
