//! The two tables as Tessera persons: one person per persons row, one employment contract per
//! contracts row joined on `person`. Odd rows are warnings naming file and line, and the rest
//! of the read goes on; a contract whose dates cannot be read is left out rather than guessed,
//! since an end read as open would keep access forever.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use tessera_sdk::ConnectorError;
use tessera_sdk::types::{
    Attribute, CodeName, Contract, ContractKind, Person, PersonName, Warning,
};

use crate::settings::{CONTRACT_FIELDS, PERSON_FIELDS, Settings, is_convention};
use crate::table::{Layout, Row, Table};

/// Reads rows of one table and collects warnings that name file and line.
struct Reader<'a> {
    table: &'a Table,
    layout: Layout,
    warnings: &'a mut Vec<Warning>,
}

impl Reader<'_> {
    fn warn(&mut self, row: &Row, message: String) {
        self.warnings.push(Warning {
            subject: Some(format!("{} line {}", self.table.file, row.line)),
            message,
        });
    }

    fn text(&self, row: &Row, field: &str) -> Option<String> {
        self.layout.get(row, field).map(str::to_owned)
    }
}

/// A day in the operator's format as ISO text; `Ok(None)` for empty or the year 9999 (open).
fn day(value: Option<&str>, format: &str) -> Result<Option<String>, String> {
    let Some(value) = value else {
        return Ok(None);
    };
    match NaiveDate::parse_from_str(value, format) {
        Ok(d) if d.year() == 9999 => Ok(None),
        Ok(d) => Ok(Some(d.format("%Y-%m-%d").to_string())),
        Err(_) => Err(format!("`{value}` is not a date in the format `{format}`")),
    }
}

/// Decimal numbers as Dutch exports write them too: `0,8`.
fn number(value: Option<&str>) -> Option<f32> {
    value?.replace(',', ".").parse().ok()
}

fn code_name(r: &Reader<'_>, row: &Row, code: &str, name: &str) -> Option<CodeName> {
    let code = r.text(row, code)?;
    Some(CodeName {
        name: r.text(row, name).unwrap_or_else(|| code.clone()),
        code,
    })
}

/// The name a person goes by: P and PB lead with the partner's family name when there is one;
/// both names stay in the attributes.
fn name(r: &mut Reader<'_>, row: &Row, settings: &Settings) -> PersonName {
    let convention = r.text(row, "convention").map(|code| {
        let upper = code.to_ascii_uppercase();
        match settings.conventions.get(&code) {
            Some(letters) => letters.clone(),
            None if is_convention(&upper) => upper,
            None => {
                r.warn(
                    row,
                    format!("name convention `{code}` is not known; B is used"),
                );
                "B".to_owned()
            }
        }
    });
    let partner = r.text(row, "partner_family");
    let leads_with_partner = matches!(convention.as_deref(), Some("P" | "PB")) && partner.is_some();
    let (prefix, family) = if leads_with_partner {
        (r.text(row, "partner_prefix"), partner)
    } else {
        (r.text(row, "prefix"), r.text(row, "family"))
    };
    PersonName {
        given: r.text(row, "given").unwrap_or_default(),
        family: family.unwrap_or_default(),
        prefix,
        initials: r.text(row, "initials"),
        convention,
    }
}

fn person(r: &mut Reader<'_>, row: &Row, id: String, settings: &Settings) -> Person {
    let mut attributes: Vec<Attribute> = [
        ("birth_prefix", "prefix"),
        ("birth_name", "family"),
        ("partner_prefix", "partner_prefix"),
        ("partner_name", "partner_family"),
    ]
    .into_iter()
    .filter_map(|(name, field)| {
        r.text(row, field).map(|value| Attribute {
            name: name.to_owned(),
            value,
        })
    })
    .collect();
    for header in &settings.extra_columns {
        let value = r.table.column(header).and_then(|i| row.values.get(i));
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            attributes.push(Attribute {
                name: header.clone(),
                value: value.clone(),
            });
        }
    }
    Person {
        id,
        name: name(r, row, settings),
        email: r.text(row, "email"),
        phone: r.text(row, "phone"),
        contracts: Vec::new(),
        attributes,
    }
}

fn contract(r: &Reader<'_>, row: &Row, person: &str, format: &str) -> Result<Contract, String> {
    let start = day(r.layout.get(row, "start"), format)?.ok_or("the start date is empty")?;
    let end = day(r.layout.get(row, "end"), format)?;
    let sequence = r.text(row, "sequence");
    let id = match (r.text(row, "id"), &sequence) {
        (Some(id), _) => id,
        (None, Some(seq)) => format!("{person}_{seq}"),
        (None, None) => return Err("neither an id nor a sequence to name the contract".into()),
    };
    Ok(Contract {
        id,
        kind: ContractKind::Employment,
        start: Some(start),
        end,
        department: code_name(r, row, "department", "department_name"),
        title: code_name(r, row, "title", "title_name"),
        location: code_name(r, row, "location", "location_name"),
        cost_centre: code_name(r, row, "cost_centre", "cost_centre_name"),
        employer: code_name(r, row, "employer", "employer_name"),
        fte: number(r.layout.get(row, "fte")),
        hours_per_week: number(r.layout.get(row, "hours")),
        sequence: sequence.and_then(|s| s.parse().ok()),
        attributes: Vec::new(),
    })
}

/// Persons from the persons table, each with its contracts from the contracts table.
pub fn persons(
    people: &Table,
    contracts: &Table,
    settings: &Settings,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Person>, ConnectorError> {
    let mut by_id = read_persons(people, settings, warnings)?;
    let layout = contracts.layout(
        "contract_columns",
        CONTRACT_FIELDS,
        &settings.contracts,
        &["person", "start"],
    )?;
    let mut r = Reader {
        table: contracts,
        layout,
        warnings,
    };
    for row in &contracts.rows {
        let Some(number) = r.text(row, "person") else {
            r.warn(row, "a contract without a person; left out".into());
            continue;
        };
        let Some(person) = by_id.get_mut(&number) else {
            r.warn(
                row,
                format!(
                    "a contract of person {number}, who is not in {}; left out",
                    people.file
                ),
            );
            continue;
        };
        match contract(&r, row, &number, &settings.date_format) {
            Ok(c) if person.contracts.iter().any(|p| p.id == c.id) => {
                r.warn(
                    row,
                    format!("contract {} listed twice; the first row is used", c.id),
                );
            }
            Ok(c) => person.contracts.push(c),
            Err(why) => r.warn(row, format!("{why}; contract left out")),
        }
    }
    Ok(by_id.into_values().collect())
}

fn read_persons(
    people: &Table,
    settings: &Settings,
    warnings: &mut Vec<Warning>,
) -> Result<BTreeMap<String, Person>, ConnectorError> {
    let layout = people.layout(
        "person_columns",
        PERSON_FIELDS,
        &settings.persons,
        &["id", "family"],
    )?;
    let mut r = Reader {
        table: people,
        layout,
        warnings,
    };
    let mut by_id = BTreeMap::new();
    for row in &people.rows {
        let Some(id) = r.text(row, "id") else {
            r.warn(row, "a person without an id; left out".into());
            continue;
        };
        if by_id.contains_key(&id) {
            r.warn(
                row,
                format!("person {id} listed twice; the first row is used"),
            );
            continue;
        }
        let person = person(&mut r, row, id.clone(), settings);
        by_id.insert(id, person);
    }
    Ok(by_id)
}

#[cfg(test)]
#[path = "map/tests.rs"]
mod tests;
