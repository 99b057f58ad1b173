//! Reading WIT 0.2's pages into the domain. A page is its text with a table of string ends,
//! and its records as columns (`wit/connector/pages.wit`). Everything a plugin could get
//! wrong is checked before a row is read: every column of a table has the table's length,
//! the counts of nested rows add up to the nested table, every string number names a string
//! of the page that lies on character boundaries, required texts are there, timestamps
//! parse. A failed check is an `invalid` naming the field the way WIT 0.1 did
//! (`persons[3].contracts[0].start`), or the column (`contracts.title-name`).

use tessera_domain as d;

use super::super::{R, page_size};
use crate::bindings::v0_2::{pages as w, types as wt};

fn invalid(field: impl Into<String>, message: impl Into<String>) -> d::ConnectorError {
    d::ConnectorError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Every column of table `table` has its `rows`.
fn same_length(table: &str, rows: usize, columns: &[(&str, usize)]) -> R<()> {
    match columns.iter().find(|(_, len)| *len != rows) {
        Some((column, len)) => Err(invalid(
            format!("{table}.{column}"),
            format!("{len} entries in a table of {rows}"),
        )),
        None => Ok(()),
    }
}

/// The counts in `column` share out all of `nested`'s `rows`, no more, no fewer.
fn counts(column: &str, counts: &[u32], nested: &str, rows: usize) -> R<()> {
    let total: u64 = counts.iter().map(|&n| u64::from(n)).sum();
    if total == rows as u64 {
        return Ok(());
    }
    Err(invalid(
        column,
        format!("the counts add up to {total}, the page has {rows} {nested}"),
    ))
}

/// A page's strings, read by number.
struct Strings<'a> {
    text: &'a str,
    ends: &'a [u32],
}

impl<'a> Strings<'a> {
    fn new(s: &'a w::Strings) -> Self {
        Self {
            text: &s.text,
            ends: &s.ends,
        }
    }

    /// String `n`, `None` for 0; `field` names the field for an error.
    fn opt(&self, n: u32, field: impl Fn() -> String) -> R<Option<String>> {
        if n == 0 {
            return Ok(None);
        }
        let n = n as usize;
        let range = self.ends.get(n - 1).zip(self.ends.get(n));
        let text = range.and_then(|(&a, &b)| self.text.get(a as usize..b as usize));
        match text {
            Some(text) => Ok(Some(text.to_owned())),
            None => Err(invalid(
                field(),
                format!(
                    "string {n} is not text of the page (a bad offset, or one inside a character)"
                ),
            )),
        }
    }

    fn req(&self, n: u32, field: impl Fn() -> String) -> R<String> {
        match self.opt(n, &field)? {
            Some(text) => Ok(text),
            None => Err(invalid(field(), "required, but missing")),
        }
    }

    fn stamp(&self, n: u32, field: impl Fn() -> String) -> R<Option<d::Timestamp>> {
        let Some(text) = self.opt(n, &field)? else {
            return Ok(None);
        };
        let stamp = text
            .parse()
            .map_err(|e: d::TimestampError| invalid(field(), e.to_string()));
        stamp.map(Some)
    }

    /// The attributes in `rows` of `a`; `owner` names their owner for an error.
    fn attributes(
        &self,
        a: &w::Attributes,
        rows: std::ops::Range<usize>,
        owner: &dyn Fn() -> String,
    ) -> R<Vec<d::Attribute>> {
        rows.enumerate()
            .map(|(k, j)| {
                let at = |part: &'static str| move || format!("{}.attributes[{k}].{part}", owner());
                Ok(d::Attribute {
                    name: self.req(a.name[j], at("name"))?,
                    value: self.req(a.value[j], at("value"))?,
                })
            })
            .collect()
    }
}

fn attributes_table(name: &str, a: &w::Attributes) -> R<()> {
    same_length(name, a.name.len(), &[("value", a.value.len())])
}

/// Hands out consecutive rows of a nested table to their owners, in order.
struct Rows(usize);

impl Rows {
    fn next(&mut self, count: u32) -> std::ops::Range<usize> {
        let start = self.0;
        self.0 += count as usize;
        start..self.0
    }
}

/// The person tables of a page, with their lengths checked.
struct People<'a> {
    persons: &'a w::Persons,
    contracts: &'a w::Contracts,
    person_attributes: &'a w::Attributes,
    contract_attributes: &'a w::Attributes,
}

impl People<'_> {
    fn check(&self) -> R<()> {
        let p = self.persons;
        page_size("persons", p.id.len())?;
        let columns = [
            ("given", p.given.len()),
            ("family", p.family.len()),
            ("prefix", p.prefix.len()),
            ("initials", p.initials.len()),
            ("convention", p.convention.len()),
            ("email", p.email.len()),
            ("phone", p.phone.len()),
            ("contracts", p.contracts.len()),
            ("attributes", p.attributes.len()),
        ];
        same_length("persons", p.id.len(), &columns)?;
        self.check_contracts()?;
        attributes_table("person-attributes", self.person_attributes)?;
        attributes_table("contract-attributes", self.contract_attributes)?;
        let c = self.contracts;
        counts("persons.contracts", &p.contracts, "contracts", c.id.len())?;
        let pa = self.person_attributes.name.len();
        counts("persons.attributes", &p.attributes, "person-attributes", pa)?;
        let ca = self.contract_attributes.name.len();
        counts(
            "contracts.attributes",
            &c.attributes,
            "contract-attributes",
            ca,
        )
    }

    fn check_contracts(&self) -> R<()> {
        let c = self.contracts;
        let columns = [
            ("kind", c.kind.len()),
            ("start", c.start.len()),
            ("end", c.end.len()),
            ("department-code", c.department_code.len()),
            ("department-name", c.department_name.len()),
            ("title-code", c.title_code.len()),
            ("title-name", c.title_name.len()),
            ("location-code", c.location_code.len()),
            ("location-name", c.location_name.len()),
            ("cost-centre-code", c.cost_centre_code.len()),
            ("cost-centre-name", c.cost_centre_name.len()),
            ("employer-code", c.employer_code.len()),
            ("employer-name", c.employer_name.len()),
            ("fte", c.fte.len()),
            ("hours-per-week", c.hours_per_week.len()),
            ("sequence", c.sequence.len()),
            ("attributes", c.attributes.len()),
        ];
        same_length("contracts", c.id.len(), &columns)
    }

    /// Reads every person; lengths and counts are checked, so indexing stays in bounds.
    fn read(&self, s: &Strings<'_>) -> R<Vec<d::Person>> {
        self.check()?;
        let (mut contracts, mut attributes, mut contract_attributes) = (Rows(0), Rows(0), Rows(0));
        let p = self.persons;
        (0..p.id.len())
            .map(|i| {
                let at = |field: &'static str| move || format!("persons[{i}].{field}");
                let owned = contracts.next(p.contracts[i]);
                let person_contracts = owned
                    .enumerate()
                    .map(|(k, j)| self.contract(s, j, (i, k), &mut contract_attributes))
                    .collect::<R<Vec<_>>>()?;
                Ok(d::Person {
                    id: s.req(p.id[i], at("id"))?,
                    name: d::PersonName {
                        given: s.req(p.given[i], at("name.given"))?,
                        family: s.req(p.family[i], at("name.family"))?,
                        prefix: s.opt(p.prefix[i], at("name.prefix"))?,
                        initials: s.opt(p.initials[i], at("name.initials"))?,
                        convention: s.opt(p.convention[i], at("name.convention"))?,
                    },
                    email: s.opt(p.email[i], at("email"))?,
                    phone: s.opt(p.phone[i], at("phone"))?,
                    contracts: person_contracts,
                    attributes: s.attributes(
                        self.person_attributes,
                        attributes.next(p.attributes[i]),
                        &|| format!("persons[{i}]"),
                    )?,
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
        let owner = move || format!("persons[{i}].contracts[{k}]");
        let at = |field: &'static str| move || format!("{}.{field}", owner());
        let code = |codes: &[u32], names: &[u32], fields: [&'static str; 2]| {
            let Some(code) = s.opt(codes[j], at(fields[0]))? else {
                return Ok(None);
            };
            let name = s.req(names[j], at(fields[1]))?;
            Ok::<_, d::ConnectorError>(Some(d::CodeName { code, name }))
        };
        Ok(d::Contract {
            id: s.req(c.id[j], at("id"))?,
            kind: kind(c.kind[j]),
            start: s.stamp(c.start[j], at("start"))?,
            end: s.stamp(c.end[j], at("end"))?,
            department: code(
                &c.department_code,
                &c.department_name,
                ["department.code", "department.name"],
            )?,
            title: code(&c.title_code, &c.title_name, ["title.code", "title.name"])?,
            location: code(
                &c.location_code,
                &c.location_name,
                ["location.code", "location.name"],
            )?,
            cost_centre: code(
                &c.cost_centre_code,
                &c.cost_centre_name,
                ["cost_centre.code", "cost_centre.name"],
            )?,
            employer: code(
                &c.employer_code,
                &c.employer_name,
                ["employer.code", "employer.name"],
            )?,
            fte: c.fte[j],
            hours_per_week: c.hours_per_week[j],
            sequence: c.sequence[j],
            attributes: s.attributes(
                self.contract_attributes,
                rows.next(c.attributes[j]),
                &owner,
            )?,
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
        persons: people.read(&Strings::new(&p.strings))?,
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
        persons: people.read(&Strings::new(&c.strings))?,
        removed: c.removed,
        warnings: warnings(c.warnings),
        cursor: c.cursor,
        more: c.more,
    })
}

fn accounts(s: &Strings<'_>, a: &w::Accounts, attrs: &w::Attributes) -> R<Vec<d::Account>> {
    page_size("accounts", a.key.len())?;
    let columns = [
        ("username", a.username.len()),
        ("enabled", a.enabled.len()),
        ("attributes", a.attributes.len()),
    ];
    same_length("accounts", a.key.len(), &columns)?;
    attributes_table("attributes", attrs)?;
    counts(
        "accounts.attributes",
        &a.attributes,
        "attributes",
        attrs.name.len(),
    )?;
    let mut rows = Rows(0);
    (0..a.key.len())
        .map(|i| {
            let at = |field: &'static str| move || format!("accounts[{i}].{field}");
            Ok(d::Account {
                key: s.req(a.key[i], at("key"))?,
                username: s.opt(a.username[i], at("username"))?,
                enabled: a.enabled[i],
                attributes: s.attributes(attrs, rows.next(a.attributes[i]), &|| {
                    format!("accounts[{i}]")
                })?,
            })
        })
        .collect()
}

pub(crate) fn account_page(p: w::AccountPage) -> R<d::AccountPage> {
    Ok(d::AccountPage {
        accounts: accounts(&Strings::new(&p.strings), &p.accounts, &p.attributes)?,
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
        accounts: accounts(&Strings::new(&c.strings), &c.accounts, &c.attributes)?,
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
