//! Profit's rows as Tessera persons: one person per employee (`Medewerker`), one employment
//! contract per organisational-unit-and-function row, in the Tools4ever GetConnectors' field
//! ids. Profit's quirks are handled here: dates end in `Z` but are Amsterdam local days (only
//! the day is kept), an empty end is open-ended, and empty fields come as explicit nulls or as
//! numbers where text was expected.

use std::collections::BTreeMap;

use serde_json::Value;
use tessera_sdk::types::{
    Attribute, CodeName, Contract, ContractKind, Person, PersonName, Warning,
};

use crate::api::Row;

/// A field as text: strings trimmed, numbers written out, null and empty as `None`.
fn text(row: &Row, field: &str) -> Option<String> {
    let value = match row.get(field)? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!value.is_empty()).then_some(value)
}

fn number(row: &Row, field: &str) -> Option<f32> {
    match row.get(field)? {
        Value::Number(n) => n.as_f64().map(|f| f as f32),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
}

/// The day of a Profit date-time: its `Z` is not true (the value is Amsterdam local time), so
/// the time and zone are dropped and the local day kept. `Err` names what was there.
fn day(row: &Row, field: &str) -> Result<Option<String>, String> {
    let Some(raw) = text(row, field) else {
        return Ok(None);
    };
    let date = raw.get(..10).unwrap_or_default();
    let valid = date.len() == 10
        && date.as_bytes()[4] == b'-'
        && date.as_bytes()[7] == b'-'
        && date.chars().filter(char::is_ascii_digit).count() == 8;
    if valid {
        Ok(Some(date.to_owned()))
    } else {
        Err(format!("{field} `{raw}` is not a date"))
    }
}

fn code_name(row: &Row, code: &str, name: &str) -> Option<CodeName> {
    let code = text(row, code)?;
    Some(CodeName {
        name: text(row, name).unwrap_or_else(|| code.clone()),
        code,
    })
}

/// The name a person goes by: `Naamgebruik_code` 0 (birth name) and 3 (birth + partner) lead
/// with the birth name, 1 (partner + birth) and 2 (partner) with the partner's. Both stay in
/// the attributes; the convention letter (B, PB, P, BP) travels with the name.
fn name(row: &Row) -> PersonName {
    let convention = match text(row, "Naamgebruik_code").as_deref() {
        Some("1") => "PB",
        Some("2") => "P",
        Some("3") => "BP",
        _ => "B",
    };
    let birth = (text(row, "Voorvoegsel"), text(row, "Geboortenaam"));
    let partner = (
        text(row, "Voorvoegsel_partner"),
        text(row, "Geboortenaam_partner"),
    );
    let leading = match (convention, &partner.1) {
        ("P" | "PB", Some(_)) => partner,
        _ => birth,
    };
    PersonName {
        given: text(row, "Roepnaam")
            .or_else(|| text(row, "Voornaam"))
            .unwrap_or_default(),
        family: leading.1.unwrap_or_default(),
        prefix: leading.0,
        initials: text(row, "Voorletters"),
        convention: Some(convention.to_owned()),
    }
}

fn person(row: &Row, number: String) -> Person {
    let attributes = [
        ("given_names", "Voornaam"),
        ("birth_prefix", "Voorvoegsel"),
        ("birth_name", "Geboortenaam"),
        ("partner_prefix", "Voorvoegsel_partner"),
        ("partner_name", "Geboortenaam_partner"),
        ("upn", "UPN"),
        ("person_number", "Persoonsnummer"),
        ("mobile", "Mobielnr_werk"),
    ]
    .into_iter()
    .filter_map(|(name, field)| {
        text(row, field).map(|value| Attribute {
            name: name.to_owned(),
            value,
        })
    })
    .collect();
    Person {
        id: number,
        name: name(row),
        email: text(row, "Email_werk"),
        phone: text(row, "Telefoonnr_werk").or_else(|| text(row, "Mobielnr_werk")),
        contracts: Vec::new(),
        attributes,
    }
}

fn contract(row: &Row, id: String) -> Result<Contract, String> {
    let start = day(row, "Begindatum_functie")?;
    let end = day(row, "Einddatum_functie")?;
    if start.is_none() {
        return Err("Begindatum_functie is empty".to_owned());
    }
    let attributes = [
        ("employee_kind", "Soort_medewerker_code"),
        ("contract_type", "Type_contract"),
        ("employment", "Dienstverband"),
        ("manager", "Medewerkernummer_leidinggevende"),
        ("contract_start", "Begindatum_contract"),
    ]
    .into_iter()
    .filter_map(|(name, field)| {
        text(row, field).map(|value| Attribute {
            name: name.to_owned(),
            value: if field.starts_with("Begindatum") {
                value.get(..10).unwrap_or(&value).to_owned()
            } else {
                value
            },
        })
    })
    .collect();
    Ok(Contract {
        id,
        kind: ContractKind::Employment,
        start,
        end,
        department: code_name(
            row,
            "Organisatorische_eenheid_code",
            "Organisatorische_eenheid_omschrijving",
        ),
        title: code_name(row, "Functie_code", "Functie_omschrijving"),
        location: None,
        cost_centre: code_name(row, "Kostenplaats_code", "Kostenplaats_omschrijving"),
        employer: code_name(row, "Werkgever_code", "Werkgever_omschrijving"),
        fte: number(row, "FTE"),
        hours_per_week: number(row, "Uren_per_week"),
        sequence: number(row, "Volgnummer_contract").map(|n| n as u32),
        attributes,
    })
}

/// Persons from the Users rows with their contracts from the Employments rows, built a page at
/// a time so a run never holds Profit's rows (JSON maps of every field, several times the size
/// of the persons made from them) beyond the page in hand. An employee without a usable
/// employment is left out with a warning (Profit's GetConnector lists only employees with a
/// contract in its window, so this is odd data); odd rows are warnings that name the row.
#[derive(Default)]
pub struct Persons {
    by_number: BTreeMap<String, Person>,
    warnings: Vec<Warning>,
}

impl Persons {
    fn warn(&mut self, subject: Option<String>, message: String) {
        self.warnings.push(Warning { subject, message });
    }

    /// One row of the Users GetConnector. All users come before any employment.
    pub fn add_user(&mut self, row: &Row) {
        let Some(number) = text(row, "Medewerker") else {
            let subject = text(row, "Persoonsnummer");
            return self.warn(subject, "a user row without Medewerker; left out".into());
        };
        if self.by_number.contains_key(&number) {
            let message = "Medewerker listed twice; the first row is used".into();
            return self.warn(Some(number), message);
        }
        self.by_number.insert(number.clone(), person(row, number));
    }

    /// One row of the Employments GetConnector, attached to its user.
    pub fn add_employment(&mut self, row: &Row) {
        let (Some(number), Some(id)) = (text(row, "Medewerker"), text(row, "ExternalID")) else {
            let message = "an employment row without Medewerker or ExternalID; left out".into();
            return self.warn(text(row, "ExternalID"), message);
        };
        let Some(person) = self.by_number.get_mut(&number) else {
            let message =
                format!("employment of Medewerker {number}, who is not in the users; left out");
            return self.warn(Some(id), message);
        };
        match contract(row, id.clone()) {
            Ok(c) => person.contracts.push(c),
            Err(why) => self.warn(Some(id), format!("{why}; employment left out")),
        }
    }

    /// The persons with at least one employment, in employee-number order, and the warnings.
    pub fn finish(mut self) -> (Vec<Person>, Vec<Warning>) {
        let mut persons = Vec::with_capacity(self.by_number.len());
        for (number, person) in std::mem::take(&mut self.by_number) {
            if person.contracts.is_empty() {
                self.warn(Some(number), "no employments found; left out".into());
            } else {
                persons.push(person);
            }
        }
        (persons, self.warnings)
    }
}

#[cfg(test)]
#[path = "map/tests.rs"]
mod tests;
