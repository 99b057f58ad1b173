//! Reading pages back into the SDK's types, for tests and the boundary benchmark. A page is
//! checked whole first, with the host's own rules (`tessera_pages`), and then read by plain
//! indexing: a bad page is refused before anything of it is read.

use std::ops::Range;

use tessera_pages::{Fault, Rows, Strings};

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

/// Every column (name, length) of a table has the table's `rows`.
fn lengths(rows: usize, columns: &[(&str, usize)]) -> R<()> {
    match tessera_pages::mismatched(rows, columns) {
        Some((name, len)) if len < rows => Err(bad(
            format!("{name}[{len}]"),
            "the column is shorter than its table",
        )),
        Some((name, _)) => Err(bad(
            format!("{name}[{rows}]"),
            "the column is longer than its table",
        )),
        None => Ok(()),
    }
}

/// The counts in column `name` share out exactly the `rows` of table `nested`.
fn counts(name: &str, counts: &[u32], nested: &str, rows: usize) -> R<()> {
    match tessera_pages::miscounted(counts, nested, rows) {
        Some(message) => Err(bad(name, message)),
        None => Ok(()),
    }
}

fn fault(name: &str, fault: Fault) -> BadPage {
    let at = format!("{name}[{}]", fault.row());
    match fault {
        Fault::NotText { string, .. } => bad(at, format!("string {string} is not on the page")),
        Fault::Missing { .. } => bad(at, "a required text is missing"),
    }
}

/// Every text column (name, numbers, required) names text of the page; the bytes of text
/// their cells use.
fn texts(s: &Strings<'_>, columns: &[(&str, &[u32], bool)]) -> R<u64> {
    let mut used = 0;
    for &(name, column, required) in columns {
        used += s.check(column, required).map_err(|f| fault(name, f))?;
    }
    Ok(used)
}

/// Every code-name column pair (names' name, codes, names) has a name wherever a code is;
/// the bytes of text the names use.
fn pairs(s: &Strings<'_>, columns: &[(&str, &[u32], &[u32])]) -> R<u64> {
    let mut used = 0;
    for &(name, codes, names) in columns {
        used += s.check_pairs(codes, names).map_err(|f| fault(name, f))?;
    }
    Ok(used)
}

/// The page's `strings`, whose `cells` text cells used `used` bytes of them: no more strings
/// than cells, no more text copied than carried.
fn fits(strings: &w::Strings, cells: usize, used: u64) -> R<()> {
    let count = strings.ends.len().saturating_sub(1);
    if let Some(message) = tessera_pages::too_many_strings(count, cells) {
        return Err(bad("strings.ends", message));
    }
    match tessera_pages::overused(used, strings.text.len()) {
        Some(message) => Err(bad("strings.text", message)),
        None => Ok(()),
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

/// Rows `rows` of an attribute table.
fn attribute_rows(s: &Strings<'_>, a: &w::Attributes, rows: Range<usize>) -> Vec<t::Attribute> {
    rows.map(|j| t::Attribute {
        name: req(s, a.name[j]),
        value: req(s, a.value[j]),
    })
    .collect()
}

fn attribute_table(s: &Strings<'_>, a: &w::Attributes, [name, value]: [&str; 2]) -> R<u64> {
    lengths(a.name.len(), &[(value, a.value.len())])?;
    texts(s, &[(name, &a.name, true), (value, &a.value, true)])
}

/// The person tables of a page.
struct People<'a> {
    persons: &'a w::Persons,
    contracts: &'a w::Contracts,
    person_attributes: &'a w::Attributes,
    contract_attributes: &'a w::Attributes,
}

impl People<'_> {
    /// Every text cell of the page.
    fn cells(&self) -> usize {
        let attributes = self.person_attributes.name.len() + self.contract_attributes.name.len();
        tessera_pages::person_page_cells(self.persons.id.len(), self.contracts.id.len(), attributes)
    }

    /// The whole page; the bytes of text its cells use.
    fn check(&self, s: &Strings<'_>) -> R<u64> {
        let p = self.persons;
        lengths(
            p.id.len(),
            &[
                ("persons.given", p.given.len()),
                ("persons.family", p.family.len()),
                ("persons.prefix", p.prefix.len()),
                ("persons.initials", p.initials.len()),
                ("persons.convention", p.convention.len()),
                ("persons.email", p.email.len()),
                ("persons.phone", p.phone.len()),
                ("persons.contracts", p.contracts.len()),
                ("persons.attributes", p.attributes.len()),
            ],
        )?;
        let columns: [_; tessera_pages::PERSON_TEXTS] = [
            ("persons.id", &p.id[..], true),
            ("persons.given", &p.given, true),
            ("persons.family", &p.family, true),
            ("persons.prefix", &p.prefix, false),
            ("persons.initials", &p.initials, false),
            ("persons.convention", &p.convention, false),
            ("persons.email", &p.email, false),
            ("persons.phone", &p.phone, false),
        ];
        let mut used = texts(s, &columns)?;
        used += self.check_contracts(s)?;
        let (pa, ca) = (self.person_attributes, self.contract_attributes);
        let names = ["person-attributes.name", "person-attributes.value"];
        used += attribute_table(s, pa, names)?;
        let names = ["contract-attributes.name", "contract-attributes.value"];
        used += attribute_table(s, ca, names)?;
        let c = self.contracts;
        counts("persons.contracts", &p.contracts, "contracts", c.id.len())?;
        let rows = pa.name.len();
        counts(
            "persons.attributes",
            &p.attributes,
            "person-attributes",
            rows,
        )?;
        let rows = ca.name.len();
        counts(
            "contracts.attributes",
            &c.attributes,
            "contract-attributes",
            rows,
        )?;
        Ok(used)
    }

    fn check_contracts(&self, s: &Strings<'_>) -> R<u64> {
        let c = self.contracts;
        lengths(
            c.id.len(),
            &[
                ("contracts.kind", c.kind.len()),
                ("contracts.start", c.start.len()),
                ("contracts.end", c.end.len()),
                ("contracts.department-code", c.department_code.len()),
                ("contracts.department-name", c.department_name.len()),
                ("contracts.title-code", c.title_code.len()),
                ("contracts.title-name", c.title_name.len()),
                ("contracts.location-code", c.location_code.len()),
                ("contracts.location-name", c.location_name.len()),
                ("contracts.cost-centre-code", c.cost_centre_code.len()),
                ("contracts.cost-centre-name", c.cost_centre_name.len()),
                ("contracts.employer-code", c.employer_code.len()),
                ("contracts.employer-name", c.employer_name.len()),
                ("contracts.fte", c.fte.len()),
                ("contracts.hours-per-week", c.hours_per_week.len()),
                ("contracts.sequence", c.sequence.len()),
                ("contracts.attributes", c.attributes.len()),
            ],
        )?;
        let used = texts(
            s,
            &[
                ("contracts.id", &c.id, true),
                ("contracts.start", &c.start, false),
                ("contracts.end", &c.end, false),
                ("contracts.department-code", &c.department_code, false),
                ("contracts.title-code", &c.title_code, false),
                ("contracts.location-code", &c.location_code, false),
                ("contracts.cost-centre-code", &c.cost_centre_code, false),
                ("contracts.employer-code", &c.employer_code, false),
            ],
        )?;
        let named = pairs(
            s,
            &[
                (
                    "contracts.department-name",
                    &c.department_code,
                    &c.department_name,
                ),
                ("contracts.title-name", &c.title_code, &c.title_name),
                (
                    "contracts.location-name",
                    &c.location_code,
                    &c.location_name,
                ),
                (
                    "contracts.cost-centre-name",
                    &c.cost_centre_code,
                    &c.cost_centre_name,
                ),
                (
                    "contracts.employer-name",
                    &c.employer_code,
                    &c.employer_name,
                ),
            ],
        )?;
        Ok(used + named)
    }

    /// Reads every person of a checked page.
    fn read(&self, s: &Strings<'_>) -> Vec<t::Person> {
        let p = self.persons;
        let (mut contracts, mut attributes, mut contract_attributes) =
            (Rows::default(), Rows::default(), Rows::default());
        (0..p.id.len())
            .map(|i| t::Person {
                id: req(s, p.id[i]),
                name: t::PersonName {
                    given: req(s, p.given[i]),
                    family: req(s, p.family[i]),
                    prefix: text(s, p.prefix[i]),
                    initials: text(s, p.initials[i]),
                    convention: text(s, p.convention[i]),
                },
                email: text(s, p.email[i]),
                phone: text(s, p.phone[i]),
                contracts: contracts
                    .next(p.contracts[i])
                    .map(|j| self.contract(s, j, &mut contract_attributes))
                    .collect(),
                attributes: attribute_rows(
                    s,
                    self.person_attributes,
                    attributes.next(p.attributes[i]),
                ),
            })
            .collect()
    }

    /// Contract `j` of a checked page.
    fn contract(&self, s: &Strings<'_>, j: usize, rows: &mut Rows) -> t::Contract {
        let c = self.contracts;
        let code = |codes: &[u32], names: &[u32]| {
            text(s, codes[j]).map(|code| t::CodeName {
                code,
                name: req(s, names[j]),
            })
        };
        t::Contract {
            id: req(s, c.id[j]),
            kind: c.kind[j].cast(),
            start: text(s, c.start[j]),
            end: text(s, c.end[j]),
            department: code(&c.department_code, &c.department_name),
            title: code(&c.title_code, &c.title_name),
            location: code(&c.location_code, &c.location_name),
            cost_centre: code(&c.cost_centre_code, &c.cost_centre_name),
            employer: code(&c.employer_code, &c.employer_name),
            fte: c.fte[j],
            hours_per_week: c.hours_per_week[j],
            sequence: c.sequence[j],
            attributes: attribute_rows(s, self.contract_attributes, rows.next(c.attributes[j])),
        }
    }
}

fn people_of(strings: &w::Strings, people: &People<'_>) -> R<Vec<t::Person>> {
    let s = Strings::split(&strings.text, &strings.ends);
    fits(strings, people.cells(), people.check(&s)?)?;
    Ok(people.read(&s))
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
        persons: people_of(&p.strings, &people)?,
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
        persons: people_of(&c.strings, &people)?,
        removed: c.removed,
        warnings: c.warnings.cast(),
        cursor: c.cursor,
        more: c.more,
    })
}

fn accounts(strings: &w::Strings, a: &w::Accounts, attrs: &w::Attributes) -> R<Vec<t::Account>> {
    let s = Strings::split(&strings.text, &strings.ends);
    lengths(
        a.key.len(),
        &[
            ("accounts.username", a.username.len()),
            ("accounts.enabled", a.enabled.len()),
            ("accounts.attributes", a.attributes.len()),
        ],
    )?;
    let columns = [
        ("accounts.key", &a.key[..], true),
        ("accounts.username", &a.username, false),
    ];
    let used = texts(&s, &columns)?;
    let used = used + attribute_table(&s, attrs, ["attributes.name", "attributes.value"])?;
    let rows = attrs.name.len();
    counts("accounts.attributes", &a.attributes, "attributes", rows)?;
    fits(strings, 2 * (a.key.len() + rows), used)?;
    let mut rows = Rows::default();
    let account = |i: usize| t::Account {
        key: req(&s, a.key[i]),
        username: text(&s, a.username[i]),
        enabled: a.enabled[i],
        attributes: attribute_rows(&s, attrs, rows.next(a.attributes[i])),
    };
    Ok((0..a.key.len()).map(account).collect())
}

/// A page of accounts read back from its page form.
pub fn read_account_page(p: w::AccountPage) -> R<t::AccountPage> {
    Ok(t::AccountPage {
        accounts: accounts(&p.strings, &p.accounts, &p.attributes)?,
        next_cursor: p.next_cursor,
    })
}

/// A target's changes read back from their page form.
pub fn read_target_changes(c: w::TargetChanges) -> R<t::TargetChanges> {
    Ok(t::TargetChanges {
        accounts: accounts(&c.strings, &c.accounts, &c.attributes)?,
        removed: c.removed,
        granted: c.granted.cast(),
        revoked: c.revoked.cast(),
        entitlements: c.entitlements.cast(),
        cursor: c.cursor,
        more: c.more,
    })
}
