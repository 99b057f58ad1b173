//! The HR system's employees as persons. An employee without a number cannot be told apart
//! from the next run's, so it is left out with a warning naming it.

use serde_json::Value;
use tessera_sdk::types::{CodeName, Contract, ContractKind, Person, PersonName, Warning};

fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn code_name(v: &Value, field: &str) -> Option<CodeName> {
    let o = v.get(field)?;
    Some(CodeName {
        code: text(o, "code")?,
        name: text(o, "name").unwrap_or_default(),
    })
}

fn person(e: &Value) -> Result<Person, String> {
    let number = text(e, "number").ok_or("an employee without a number; left out")?;
    let contract = Contract {
        id: format!("{number}-1"),
        kind: ContractKind::Employment,
        start: text(e, "start"),
        end: text(e, "end"),
        department: code_name(e, "department"),
        title: code_name(e, "job"),
        location: None,
        cost_centre: None,
        employer: None,
        fte: None,
        hours_per_week: None,
        sequence: None,
        attributes: Vec::new(),
    };
    Ok(Person {
        id: number,
        name: PersonName {
            given: text(e, "first_name").unwrap_or_default(),
            family: text(e, "last_name").unwrap_or_default(),
            ..PersonName::default()
        },
        email: text(e, "email"),
        phone: None,
        contracts: vec![contract],
        attributes: Vec::new(),
    })
}

/// The persons of one page, and warnings for the employees left out.
pub fn page(answer: &Value) -> (Vec<Person>, Vec<Warning>) {
    let mut persons = Vec::new();
    let mut warnings = Vec::new();
    let employees = answer.get("employees").and_then(Value::as_array);
    for e in employees.into_iter().flatten() {
        match person(e) {
            Ok(p) => persons.push(p),
            Err(message) => warnings.push(Warning {
                subject: text(e, "last_name"),
                message,
            }),
        }
    }
    (persons, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page as the HR system answers it.
    const MOCK: &str = include_str!("../mock.json");

    #[test]
    fn a_page_of_employees_becomes_persons_and_warnings() {
        let answer: Value = serde_json::from_str(MOCK).expect("mock.json is JSON");
        let (persons, warnings) = page(&answer);
        assert_eq!(persons.len(), 1);
        let anna = &persons[0];
        assert_eq!(
            (anna.id.as_str(), anna.name.given.as_str()),
            ("1001", "Anna")
        );
        let contract = &anna.contracts[0];
        assert_eq!(
            contract.department.as_ref().map(|d| d.code.as_str()),
            Some("IC")
        );
        assert_eq!(
            (contract.start.as_deref(), contract.end.as_deref()),
            (Some("2024-02-01"), None)
        );
        assert_eq!(warnings.len(), 1, "the employee without a number");
    }
}
