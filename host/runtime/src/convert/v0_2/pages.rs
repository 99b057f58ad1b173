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

use tessera_domain as d;
use tessera_pages::{Fault, Rows, Strings, owner};

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
    match tessera_pages::mismatched(rows, columns) {
        Some((column, len)) => Err(invalid(
            format!("{table}.{column}"),
            format!("{len} entries in a table of {rows}"),
        )),
        None => Ok(()),
    }
}

/// The counts in `column` share out all of `nested`'s `rows`, no more, no fewer.
fn counts(column: &str, counts: &[u32], nested: &str, rows: usize) -> R<()> {
    match tessera_pages::miscounted(counts, nested, rows) {
        Some(message) => Err(invalid(column, message)),
        None => Ok(()),
    }
}

/// Names the record in row `row` of a table, as WIT 0.1 named it: `persons[1].contracts[0]`.
type Owner<'a> = &'a dyn Fn(usize) -> String;

/// Every text column (field, numbers, required) of a table names text of the page; the
/// bytes of text its cells use.
fn texts(s: &Strings<'_>, owner: Owner<'_>, columns: &[(&str, &[u32], bool)]) -> R<usize> {
    let mut used = 0;
    for &(field, column, required) in columns {
        used += s
            .check(column, required)
            .map_err(|f| fault(owner, field, f))?;
    }
    Ok(used)
}

/// Every code-name pair (field, codes, names) of a table: a code's name is there; the bytes
/// of text their cells use.
fn pairs(s: &Strings<'_>, owner: Owner<'_>, pairs: &[(&str, &[u32], &[u32])]) -> R<usize> {
    let mut used = 0;
    for &(field, codes, names) in pairs {
        used += s
            .check(codes, false)
            .map_err(|f| fault(owner, &format!("{field}.code"), f))?;
        used += s
            .check_pairs(codes, names)
            .map_err(|f| fault(owner, &format!("{field}.name"), f))?;
    }
    Ok(used)
}

/// The page's strings, once its `cells` text cells are known to fit their tables: no more
/// strings than cells.
fn split<'a>(strings: &'a w::Strings, cells: usize) -> R<Strings<'a>> {
    let count = strings.ends.len().saturating_sub(1);
    match tessera_pages::too_many_strings(count, cells) {
        Some(message) => Err(invalid("strings.ends", message)),
        None => Ok(Strings::split(&strings.text, &strings.ends)),
    }
}

/// The cells of a checked page copy no more text than the page carries.
fn within_text(copied: usize, strings: &w::Strings) -> R<()> {
    match tessera_pages::overused(copied, strings.text.len()) {
        Some(message) => Err(invalid("strings.text", message)),
        None => Ok(()),
    }
}

fn fault(owner: Owner<'_>, field: &str, fault: Fault) -> d::ConnectorError {
    let field = format!("{}.{field}", owner(fault.row()));
    match fault {
        Fault::NotText { string, .. } => invalid(
            field,
            format!(
                "string {string} is not text of the page (a bad offset, or one inside a character)"
            ),
        ),
        Fault::Missing { .. } => invalid(field, "required, but missing"),
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

/// An attribute table's lengths.
fn attributes_table(name: &str, a: &w::Attributes) -> R<()> {
    same_length(name, a.name.len(), &[("value", a.value.len())])
}

/// That every name and value of an attribute table is text; the bytes they use.
fn attribute_texts(s: &Strings<'_>, a: &w::Attributes, owner: Owner<'_>) -> R<usize> {
    let columns = [("name", &a.name[..], true), ("value", &a.value, true)];
    texts(s, owner, &columns)
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
    /// The shape of the tables: lengths, then counts, so that every nested row has an owner.
    fn check_shape(&self) -> R<()> {
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
        self.check_contract_lengths()?;
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

    fn check_contract_lengths(&self) -> R<()> {
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

    /// Every text cell of the page: what [`People::check_texts`] goes through.
    fn cells(&self) -> usize {
        let (p, c) = (self.persons, self.contracts);
        let attributes = self.person_attributes.name.len() + self.contract_attributes.name.len();
        p.id.len() * 8 + c.id.len() * 13 + attributes * 2
    }

    /// Every string number of every table, once the shape holds; the bytes of text they use.
    fn check_texts(&self, s: &Strings<'_>) -> R<usize> {
        let (p, c) = (self.persons, self.contracts);
        let person = |i: usize| format!("persons[{i}]");
        let columns = [
            ("id", &p.id[..], true),
            ("name.given", &p.given, true),
            ("name.family", &p.family, true),
            ("name.prefix", &p.prefix, false),
            ("name.initials", &p.initials, false),
            ("name.convention", &p.convention, false),
            ("email", &p.email, false),
            ("phone", &p.phone, false),
        ];
        let mut used = texts(s, &person, &columns)?;
        let contract = |j: usize| {
            let (i, k) = owner(&p.contracts, j);
            format!("persons[{i}].contracts[{k}]")
        };
        let columns = [
            ("id", &c.id[..], true),
            ("start", &c.start, false),
            ("end", &c.end, false),
        ];
        used += texts(s, &contract, &columns)?;
        let codes: [(&str, &[u32], &[u32]); 5] = [
            ("department", &c.department_code, &c.department_name),
            ("title", &c.title_code, &c.title_name),
            ("location", &c.location_code, &c.location_name),
            ("cost_centre", &c.cost_centre_code, &c.cost_centre_name),
            ("employer", &c.employer_code, &c.employer_name),
        ];
        used += pairs(s, &contract, &codes)?;
        let of_person = |m: usize| {
            let (i, k) = owner(&p.attributes, m);
            format!("persons[{i}].attributes[{k}]")
        };
        used += attribute_texts(s, self.person_attributes, &of_person)?;
        let of_contract = |m: usize| {
            let (j, k) = owner(&c.attributes, m);
            format!("{}.attributes[{k}]", contract(j))
        };
        Ok(used + attribute_texts(s, self.contract_attributes, &of_contract)?)
    }

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
