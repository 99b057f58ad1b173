//! The `pages` records of WIT 0.2: a page's text as one string with a table of string ends,
//! its records as columns of string numbers and values (see `wit/connector/pages.wit`).
//!
//! Writing ([`source_page`], …) is what the export glue does with a plugin's answers. Reading
//! ([`read_source_page`], …) is for tests and the boundary benchmark; the host has its own
//! reader, which checks the same things.

mod read;

pub use read::{
    BadPage, read_account_page, read_source_changes, read_source_page, read_target_changes,
};

use crate::bindings::v0_2::source_world::tessera::connector::pages as w;
use crate::types as t;
use crate::wire::Cast;

/// A length or offset as WIT carries it. wasm32 memory is below 4 GiB, so this never
/// saturates in a plugin; if it ever did, the host would refuse the page, not misread it.
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A page's strings being written; every string put gets the next number.
struct Strings {
    text: String,
    ends: Vec<u32>,
}

/// Room for the text of a typical record, so a page's text is seldom copied as it grows.
const TEXT_PER_RECORD: usize = 128;
/// Room for the strings of a typical record.
const STRINGS_PER_RECORD: usize = 16;

impl Strings {
    /// Empty, with room for about `records` records.
    fn new(records: usize) -> Self {
        let mut ends = Vec::with_capacity(records * STRINGS_PER_RECORD + 1);
        ends.push(0);
        Self {
            text: String::with_capacity(records * TEXT_PER_RECORD),
            ends,
        }
    }

    fn put(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(offset(self.text.len()));
        offset(self.ends.len() - 1)
    }

    /// 0 for none.
    fn opt(&mut self, s: Option<&str>) -> u32 {
        s.map_or(0, |s| self.put(s))
    }

    fn finish(self) -> w::Strings {
        w::Strings {
            text: self.text,
            ends: self.ends,
        }
    }
}

fn attributes() -> w::Attributes {
    w::Attributes {
        name: Vec::new(),
        value: Vec::new(),
    }
}

/// Appends `list` to the attribute columns; returns how many.
fn put_attributes(s: &mut Strings, out: &mut w::Attributes, list: &[t::Attribute]) -> u32 {
    for a in list {
        out.name.push(s.put(&a.name));
        out.value.push(s.put(&a.value));
    }
    offset(list.len())
}

/// The person columns and everything nested in them, being written.
struct PersonColumns {
    persons: w::Persons,
    contracts: w::Contracts,
    person_attributes: w::Attributes,
    contract_attributes: w::Attributes,
}

impl PersonColumns {
    /// Empty columns with room for `persons` and their `contracts`.
    fn new(persons: usize, contracts: usize) -> Self {
        let (p, c) = (
            || Vec::with_capacity(persons),
            || Vec::with_capacity(contracts),
        );
        Self {
            persons: w::Persons {
                id: p(),
                given: p(),
                family: p(),
                prefix: p(),
                initials: p(),
                convention: p(),
                email: p(),
                phone: p(),
                contracts: p(),
                attributes: p(),
            },
            contracts: w::Contracts {
                id: c(),
                kind: Vec::with_capacity(contracts),
                start: c(),
                end: c(),
                department_code: c(),
                department_name: c(),
                title_code: c(),
                title_name: c(),
                location_code: c(),
                location_name: c(),
                cost_centre_code: c(),
                cost_centre_name: c(),
                employer_code: c(),
                employer_name: c(),
                fte: Vec::with_capacity(contracts),
                hours_per_week: Vec::with_capacity(contracts),
                sequence: Vec::with_capacity(contracts),
                attributes: c(),
            },
            person_attributes: attributes(),
            contract_attributes: attributes(),
        }
    }

    fn put(&mut self, s: &mut Strings, p: &t::Person) {
        let n = &p.name;
        let persons = &mut self.persons;
        persons.id.push(s.put(&p.id));
        persons.given.push(s.put(&n.given));
        persons.family.push(s.put(&n.family));
        persons.prefix.push(s.opt(n.prefix.as_deref()));
        persons.initials.push(s.opt(n.initials.as_deref()));
        persons.convention.push(s.opt(n.convention.as_deref()));
        persons.email.push(s.opt(p.email.as_deref()));
        persons.phone.push(s.opt(p.phone.as_deref()));
        persons.contracts.push(offset(p.contracts.len()));
        let attributes = put_attributes(s, &mut self.person_attributes, &p.attributes);
        self.persons.attributes.push(attributes);
        for c in &p.contracts {
            self.put_contract(s, c);
        }
    }

    fn put_contract(&mut self, s: &mut Strings, c: &t::Contract) {
        let mut code = |c: &Option<t::CodeName>| match c {
            Some(c) => (s.put(&c.code), s.put(&c.name)),
            None => (0, 0),
        };
        let cs = &mut self.contracts;
        let (department, title) = (code(&c.department), code(&c.title));
        let (location, cost_centre) = (code(&c.location), code(&c.cost_centre));
        let employer = code(&c.employer);
        for (codes, names, (code, name)) in [
            (&mut cs.department_code, &mut cs.department_name, department),
            (&mut cs.title_code, &mut cs.title_name, title),
            (&mut cs.location_code, &mut cs.location_name, location),
            (
                &mut cs.cost_centre_code,
                &mut cs.cost_centre_name,
                cost_centre,
            ),
            (&mut cs.employer_code, &mut cs.employer_name, employer),
        ] {
            codes.push(code);
            names.push(name);
        }
        cs.id.push(s.put(&c.id));
        cs.kind.push(c.kind.cast());
        cs.start.push(s.opt(c.start.as_deref()));
        cs.end.push(s.opt(c.end.as_deref()));
        cs.fte.push(c.fte);
        cs.hours_per_week.push(c.hours_per_week);
        cs.sequence.push(c.sequence);
        let attributes = put_attributes(s, &mut self.contract_attributes, &c.attributes);
        self.contracts.attributes.push(attributes);
    }
}

/// The persons of a page as columns, with the page's strings.
fn person_columns(persons: &[t::Person]) -> (Strings, PersonColumns) {
    let contracts = persons.iter().map(|p| p.contracts.len()).sum();
    let mut columns = PersonColumns::new(persons.len(), contracts);
    let mut s = Strings::new(persons.len());
    for p in persons {
        columns.put(&mut s, p);
    }
    (s, columns)
}

/// A source page in its page form.
pub fn source_page(p: t::SourcePage) -> w::SourcePage {
    let (s, c) = person_columns(&p.persons);
    w::SourcePage {
        strings: s.finish(),
        persons: c.persons,
        contracts: c.contracts,
        person_attributes: c.person_attributes,
        contract_attributes: c.contract_attributes,
        warnings: p.warnings.cast(),
        next_cursor: p.next_cursor,
    }
}

/// A source's changes in their page form.
pub fn source_changes(changes: t::SourceChanges) -> w::SourceChanges {
    let (s, c) = person_columns(&changes.persons);
    w::SourceChanges {
        strings: s.finish(),
        persons: c.persons,
        contracts: c.contracts,
        person_attributes: c.person_attributes,
        contract_attributes: c.contract_attributes,
        removed: changes.removed,
        warnings: changes.warnings.cast(),
        cursor: changes.cursor,
        more: changes.more,
    }
}

/// Accounts as columns, with the page's strings.
fn account_columns(list: &[t::Account]) -> (Strings, w::Accounts, w::Attributes) {
    let mut s = Strings::new(list.len());
    let mut accounts = w::Accounts {
        key: Vec::with_capacity(list.len()),
        username: Vec::with_capacity(list.len()),
        enabled: Vec::with_capacity(list.len()),
        attributes: Vec::with_capacity(list.len()),
    };
    let mut attrs = attributes();
    for a in list {
        accounts.key.push(s.put(&a.key));
        accounts.username.push(s.opt(a.username.as_deref()));
        accounts.enabled.push(a.enabled);
        accounts
            .attributes
            .push(put_attributes(&mut s, &mut attrs, &a.attributes));
    }
    (s, accounts, attrs)
}

/// A page of accounts in its page form.
pub fn account_page(p: t::AccountPage) -> w::AccountPage {
    let (s, accounts, attributes) = account_columns(&p.accounts);
    w::AccountPage {
        strings: s.finish(),
        accounts,
        attributes,
        next_cursor: p.next_cursor,
    }
}

/// A target's changes in their page form.
pub fn target_changes(c: t::TargetChanges) -> w::TargetChanges {
    let (s, accounts, attributes) = account_columns(&c.accounts);
    w::TargetChanges {
        strings: s.finish(),
        accounts,
        attributes,
        removed: c.removed,
        granted: c.granted.cast(),
        revoked: c.revoked.cast(),
        entitlements: c.entitlements.cast(),
        cursor: c.cursor,
        more: c.more,
    }
}

#[cfg(test)]
mod tests;
