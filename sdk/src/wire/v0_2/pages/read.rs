//! Reading pages back into the SDK's types, for tests and the boundary benchmark.

use super::w;
use crate::types as t;
use crate::wire::Cast;

/// What is wrong with a page, and where: `persons.family[3]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPage {
    /// The column and row, or the list.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for BadPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

type R<T> = Result<T, BadPage>;

fn bad(at: impl Into<String>, message: impl Into<String>) -> BadPage {
    BadPage {
        at: at.into(),
        message: message.into(),
    }
}

/// Row `i` of a column.
fn cell<T: Copy>(column: &[T], name: &str, i: usize) -> R<T> {
    column.get(i).copied().ok_or_else(|| {
        bad(
            format!("{name}[{i}]"),
            "the column is shorter than its table",
        )
    })
}

/// A page's strings, read by number.
struct Strings<'a>(&'a w::Strings);

impl Strings<'_> {
    /// String `n`; `None` for 0.
    fn opt(&self, column: &[u32], name: &str, i: usize) -> R<Option<String>> {
        let n = cell(column, name, i)? as usize;
        if n == 0 {
            return Ok(None);
        }
        let (ends, text) = (&self.0.ends, &self.0.text);
        let range = ends.get(n - 1).zip(ends.get(n));
        range
            .and_then(|(a, b)| text.get(*a as usize..*b as usize))
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| {
                bad(
                    format!("{name}[{i}]"),
                    format!("string {n} is not on the page"),
                )
            })
    }

    fn req(&self, column: &[u32], name: &str, i: usize) -> R<String> {
        self.opt(column, name, i)?
            .ok_or_else(|| bad(format!("{name}[{i}]"), "a required text is missing"))
    }
}

/// Reads `count` rows of a nested table from `*next` on.
fn take<T>(count: u32, next: &mut usize, mut row: impl FnMut(usize) -> R<T>) -> R<Vec<T>> {
    let rows = (*next..*next + count as usize).map(&mut row).collect();
    *next += count as usize;
    rows
}

/// Attribute `i` of a table; `names` are its columns' names for an error.
fn attribute(s: &Strings<'_>, a: &w::Attributes, names: [&str; 2], i: usize) -> R<t::Attribute> {
    Ok(t::Attribute {
        name: s.req(&a.name, names[0], i)?,
        value: s.req(&a.value, names[1], i)?,
    })
}

/// The code-name in row `i` of its two columns; none where the code is 0.
fn code(
    s: &Strings<'_>,
    [codes, names]: [&[u32]; 2],
    columns: [&str; 2],
    i: usize,
) -> R<Option<t::CodeName>> {
    let Some(code) = s.opt(codes, columns[0], i)? else {
        return Ok(None);
    };
    let name = s.req(names, columns[1], i)?;
    Ok(Some(t::CodeName { code, name }))
}

const CONTRACT_ATTRIBUTES: [&str; 2] = ["contract-attributes.name", "contract-attributes.value"];

fn contract(s: &Strings<'_>, page: &People<'_>, i: usize, next: &mut usize) -> R<t::Contract> {
    let c = page.contracts;
    let count = cell(&c.attributes, "contracts.attributes", i)?;
    Ok(t::Contract {
        id: s.req(&c.id, "contracts.id", i)?,
        kind: cell(&c.kind, "contracts.kind", i)?.cast(),
        start: s.opt(&c.start, "contracts.start", i)?,
        end: s.opt(&c.end, "contracts.end", i)?,
        department: code(
            s,
            [&c.department_code, &c.department_name],
            ["contracts.department-code", "contracts.department-name"],
            i,
        )?,
        title: code(
            s,
            [&c.title_code, &c.title_name],
            ["contracts.title-code", "contracts.title-name"],
            i,
        )?,
        location: code(
            s,
            [&c.location_code, &c.location_name],
            ["contracts.location-code", "contracts.location-name"],
            i,
        )?,
        cost_centre: code(
            s,
            [&c.cost_centre_code, &c.cost_centre_name],
            ["contracts.cost-centre-code", "contracts.cost-centre-name"],
            i,
        )?,
        employer: code(
            s,
            [&c.employer_code, &c.employer_name],
            ["contracts.employer-code", "contracts.employer-name"],
            i,
        )?,
        fte: cell(&c.fte, "contracts.fte", i)?,
        hours_per_week: cell(&c.hours_per_week, "contracts.hours-per-week", i)?,
        sequence: cell(&c.sequence, "contracts.sequence", i)?,
        attributes: take(count, next, |j| {
            attribute(s, page.contract_attributes, CONTRACT_ATTRIBUTES, j)
        })?,
    })
}

/// The person tables of a page.
struct People<'a> {
    persons: &'a w::Persons,
    contracts: &'a w::Contracts,
    person_attributes: &'a w::Attributes,
    contract_attributes: &'a w::Attributes,
}

fn persons(s: &Strings<'_>, page: &People<'_>) -> R<Vec<t::Person>> {
    let p = page.persons;
    let (mut contracts, mut attributes, mut contract_attributes) = (0, 0, 0);
    (0..p.id.len())
        .map(|i| {
            let count = cell(&p.contracts, "persons.contracts", i)?;
            let attribute_count = cell(&p.attributes, "persons.attributes", i)?;
            Ok(t::Person {
                id: s.req(&p.id, "persons.id", i)?,
                name: t::PersonName {
                    given: s.req(&p.given, "persons.given", i)?,
                    family: s.req(&p.family, "persons.family", i)?,
                    prefix: s.opt(&p.prefix, "persons.prefix", i)?,
                    initials: s.opt(&p.initials, "persons.initials", i)?,
                    convention: s.opt(&p.convention, "persons.convention", i)?,
                },
                email: s.opt(&p.email, "persons.email", i)?,
                phone: s.opt(&p.phone, "persons.phone", i)?,
                contracts: take(count, &mut contracts, |j| {
                    contract(s, page, j, &mut contract_attributes)
                })?,
                attributes: take(attribute_count, &mut attributes, |j| {
                    let names = ["person-attributes.name", "person-attributes.value"];
                    attribute(s, page.person_attributes, names, j)
                })?,
            })
        })
        .collect()
}

/// A source page read back from its page form.
pub fn read_source_page(p: w::SourcePage) -> R<t::SourcePage> {
    let people = People {
        persons: &p.persons,
        contracts: &p.contracts,
        person_attributes: &p.person_attributes,
        contract_attributes: &p.contract_attributes,
    };
    Ok(t::SourcePage {
        persons: persons(&Strings(&p.strings), &people)?,
        warnings: p.warnings.cast(),
        next_cursor: p.next_cursor,
    })
}

/// A source's changes read back from their page form.
pub fn read_source_changes(c: w::SourceChanges) -> R<t::SourceChanges> {
    let people = People {
        persons: &c.persons,
        contracts: &c.contracts,
        person_attributes: &c.person_attributes,
        contract_attributes: &c.contract_attributes,
    };
    Ok(t::SourceChanges {
        persons: persons(&Strings(&c.strings), &people)?,
        removed: c.removed,
        warnings: c.warnings.cast(),
        cursor: c.cursor,
        more: c.more,
    })
}

fn accounts(s: &Strings<'_>, a: &w::Accounts, attrs: &w::Attributes) -> R<Vec<t::Account>> {
    let mut next = 0;
    (0..a.key.len())
        .map(|i| {
            let count = cell(&a.attributes, "accounts.attributes", i)?;
            Ok(t::Account {
                key: s.req(&a.key, "accounts.key", i)?,
                username: s.opt(&a.username, "accounts.username", i)?,
                enabled: cell(&a.enabled, "accounts.enabled", i)?,
                attributes: take(count, &mut next, |j| {
                    attribute(s, attrs, ["attributes.name", "attributes.value"], j)
                })?,
            })
        })
        .collect()
}

/// A page of accounts read back from its page form.
pub fn read_account_page(p: w::AccountPage) -> R<t::AccountPage> {
    Ok(t::AccountPage {
        accounts: accounts(&Strings(&p.strings), &p.accounts, &p.attributes)?,
        next_cursor: p.next_cursor,
    })
}

/// A target's changes read back from their page form.
pub fn read_target_changes(c: w::TargetChanges) -> R<t::TargetChanges> {
    Ok(t::TargetChanges {
        accounts: accounts(&Strings(&c.strings), &c.accounts, &c.attributes)?,
        removed: c.removed,
        granted: c.granted.cast(),
        revoked: c.revoked.cast(),
        entitlements: c.entitlements.cast(),
        cursor: c.cursor,
        more: c.more,
    })
}
