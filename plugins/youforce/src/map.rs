//! Youforce's lists as persons and contracts: persons by `personCode`, employments (or their
//! active assignments) as contracts, organisation units and job profiles by id as department
//! and title. Youforce leaves out properties without a value; missing and null are read alike.

use std::collections::BTreeMap;

use serde_json::Value;
use tessera_sdk::types::{
    Attribute, CodeName, Contract, ContractKind, Person, PersonName, Warning,
};

/// An open end date.
const OPEN: &str = "9999-12-31";

/// The lists one run reads.
#[derive(Default)]
pub struct Lists {
    pub persons: Vec<Value>,
    pub employments: Vec<Value>,
    pub assignments: Vec<Value>,
    pub units: Vec<Value>,
    pub jobs: Vec<Value>,
}

fn text(record: &Value, field: &str) -> Option<String> {
    record
        .get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn deleted(record: &Value) -> bool {
    record.get("isDeleted").and_then(Value::as_bool) == Some(true)
}

/// `shortName` and `fullName` of the entry with `id` in `list`.
fn code_name(list: &[Value], id: Option<String>) -> Option<CodeName> {
    let id = id?;
    let entry = list
        .iter()
        .find(|e| text(e, "id").as_deref() == Some(id.as_str()))?;
    Some(CodeName {
        code: text(entry, "shortName")?,
        name: text(entry, "fullName").unwrap_or_default(),
    })
}

/// The name a person goes by. `nameAssembleOrder`: `E` birth name, `B` partner + birth, `C`
/// (and `D`) birth + partner, `P` partner; the convention letters are HelloID's (B, PB, BP, P).
fn name(p: &Value) -> PersonName {
    let convention = match text(p, "nameAssembleOrder")
        .map(|o| o.to_uppercase())
        .as_deref()
    {
        Some("P") => "P",
        Some("B") => "PB",
        Some("C" | "D") => "BP",
        _ => "B",
    };
    let birth = (text(p, "lastNameAtBirthPrefix"), text(p, "lastNameAtBirth"));
    let partner = (text(p, "partnerNamePrefix"), text(p, "partnerName"));
    let leading = match (convention, &partner.1) {
        ("P" | "PB", Some(_)) => partner,
        _ => birth,
    };
    PersonName {
        given: text(p, "knownAs")
            .or_else(|| text(p, "firstNames"))
            .unwrap_or_default(),
        family: leading.1.unwrap_or_default(),
        prefix: leading.0,
        initials: text(p, "initials"),
        convention: Some(convention.to_owned()),
    }
}

/// The first entry of `list` (e-mail addresses, phone numbers) of one of `types`.
fn typed(p: &Value, list: &str, types: &[&str], field: &str) -> Option<String> {
    let entries = p.get(list)?.as_array()?;
    types.iter().find_map(|t| {
        entries
            .iter()
            .find(|e| text(e, "type").as_deref() == Some(*t))
            .and_then(|e| text(e, field))
    })
}

fn person(p: &Value, code: String) -> Person {
    let attributes = [
        ("given_names", "firstNames"),
        ("birth_prefix", "lastNameAtBirthPrefix"),
        ("birth_name", "lastNameAtBirth"),
        ("partner_prefix", "partnerNamePrefix"),
        ("partner_name", "partnerName"),
        ("gender", "gender"),
    ]
    .into_iter()
    .filter_map(|(name, field)| {
        text(p, field).map(|value| Attribute {
            name: name.to_owned(),
            value,
        })
    })
    .collect();
    Person {
        id: code,
        name: name(p),
        email: typed(p, "emailAddresses", &["Business"], "address"),
        phone: typed(p, "phoneNumbers", &["Business", "Mobile"], "number"),
        contracts: Vec::new(),
        attributes,
    }
}

/// A day as given, or none for the open end.
fn day(record: &Value, field: &str) -> Option<String> {
    text(record, field).filter(|d| d != OPEN)
}

/// A contract from an employment, or from one of its assignments (`of` the employment).
fn contract(record: &Value, of: &Value, (start, end): (&str, &str), lists: &Lists) -> Contract {
    let amount = |r: &Value| r.get("workingAmount").cloned().unwrap_or(Value::Null);
    let work = Some(amount(record))
        .filter(|w| !w.is_null())
        .unwrap_or_else(|| amount(of));
    let hours = (text(&work, "unitOfWork").as_deref() == Some("Hours")
        && text(&work, "periodOfWork").as_deref() == Some("Week"))
    .then(|| work.get("amountOfWork").and_then(Value::as_f64))
    .flatten()
    .filter(|h| *h > 0.0);
    let pick = |field: &str| text(record, field).or_else(|| text(of, field));
    Contract {
        id: text(record, "id").unwrap_or_default(),
        kind: ContractKind::Employment,
        start: day(record, start),
        end: day(record, end),
        department: code_name(&lists.units, pick("organizationUnit")),
        title: code_name(&lists.jobs, pick("jobProfile")),
        location: None,
        cost_centre: text(record, "costCenter").map(|c| CodeName {
            code: c.clone(),
            name: c,
        }),
        employer: text(of, "payrollClientCode").map(|c| CodeName {
            code: c.clone(),
            name: c,
        }),
        // Youforce gives a percentage; Tessera's FTE is a fraction, as AFAS gives it.
        fte: work
            .get("parttimePercentage")
            .and_then(Value::as_f64)
            .map(|p| (p / 100.0) as f32),
        hours_per_week: hours.map(|h| h as f32),
        sequence: text(of, "contractCode").and_then(|c| c.parse().ok()),
        attributes: [
            ("employment", "employmentCode"),
            ("employment_type", "employmentTypeName"),
        ]
        .into_iter()
        .filter_map(|(name, field)| {
            text(of, field).map(|value| Attribute {
                name: name.into(),
                value,
            })
        })
        .collect(),
    }
}

/// The contracts of one employment: its active assignments when asked for and it has any,
/// else the employment itself.
fn contracts_of(employment: &Value, lists: &Lists, assignments: bool) -> Vec<Contract> {
    let key = (
        text(employment, "personCode"),
        text(employment, "employmentCode"),
    );
    let active: Vec<&Value> = lists
        .assignments
        .iter()
        .filter(|a| {
            assignments && !deleted(a) && a.get("isActive").and_then(Value::as_bool) != Some(false)
        })
        .filter(|a| (text(a, "personCode"), text(a, "employmentCode")) == key)
        .collect();
    if active.is_empty() {
        return vec![contract(
            employment,
            employment,
            ("hireDate", "dischargeDate"),
            lists,
        )];
    }
    active
        .into_iter()
        .map(|a| contract(a, employment, ("startDate", "endDate"), lists))
        .collect()
}

/// Persons with their contracts. Deleted records are left out; odd ones are warnings that
/// name the record.
pub fn persons(lists: &Lists, assignments: bool) -> (Vec<Person>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut by_code: BTreeMap<String, Person> = BTreeMap::new();
    for p in lists.persons.iter().filter(|p| !deleted(p)) {
        let Some(code) = text(p, "personCode") else {
            warnings.push(Warning {
                subject: text(p, "id"),
                message: "a person without personCode; left out".into(),
            });
            continue;
        };
        by_code
            .entry(code.clone())
            .or_insert_with(|| person(p, code));
    }
    for e in lists.employments.iter().filter(|e| !deleted(e)) {
        let subject = text(e, "id");
        match text(e, "personCode").and_then(|c| by_code.get_mut(&c)) {
            Some(person) if text(e, "hireDate").is_some() => {
                person.contracts.extend(contracts_of(e, lists, assignments))
            }
            Some(_) => warnings.push(Warning {
                subject,
                message: "an employment without hireDate; left out".into(),
            }),
            None => warnings.push(Warning {
                subject,
                message: "an employment of a person Youforce did not list; left out".into(),
            }),
        }
    }
    (by_code.into_values().collect(), warnings)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn lists() -> Lists {
        Lists {
            persons: vec![
                json!({"id": "p1", "personCode": "1001", "knownAs": "Anna", "firstNames": "Anna Maria", "lastNameAtBirth": "Berg",
                       "partnerName": "Vries", "partnerNamePrefix": "de", "nameAssembleOrder": "B",
                       "emailAddresses": [{"type": "Private", "address": "a@home.nl"}, {"type": "Business", "address": "a.berg@zkh.nl"}]}),
                json!({"id": "p2", "isDeleted": true}),
                json!({"id": "p3", "knownAs": "Nobody"}),
            ],
            employments: vec![
                json!({"id": "e1", "personCode": "1001", "employmentCode": "1", "contractCode": "1", "hireDate": "2020-01-01",
                       "dischargeDate": "9999-12-31", "organizationUnit": "ou-IC", "jobProfile": "jp-VPK",
                       "workingAmount": {"amountOfWork": 32, "unitOfWork": "Hours", "periodOfWork": "Week", "parttimePercentage": 80}}),
                json!({"id": "e2", "personCode": "4040", "hireDate": "2020-01-01"}),
            ],
            assignments: vec![],
            units: vec![json!({"id": "ou-IC", "shortName": "IC", "fullName": "Intensive Care"})],
            jobs: vec![json!({"id": "jp-VPK", "shortName": "VPK", "fullName": "Verpleegkundige"})],
        }
    }

    #[test]
    fn persons_read_with_names_contracts_and_warnings() {
        let (persons, warnings) = persons(&lists(), false);
        assert_eq!(persons.len(), 1);
        let p = &persons[0];
        assert_eq!(
            (
                p.name.given.as_str(),
                p.name.family.as_str(),
                p.name.prefix.as_deref()
            ),
            ("Anna", "Vries", Some("de"))
        );
        assert_eq!(p.name.convention.as_deref(), Some("PB"));
        assert_eq!(p.email.as_deref(), Some("a.berg@zkh.nl"));
        let c = &p.contracts[0];
        assert_eq!(
            (c.end.as_ref(), c.fte, c.hours_per_week),
            (None, Some(0.8), Some(32.0)),
            "open end, fraction, hours"
        );
        assert_eq!(
            c.department.as_ref().map(|d| d.name.as_str()),
            Some("Intensive Care")
        );
        assert_eq!(c.title.as_ref().map(|t| t.code.as_str()), Some("VPK"));
        let subjects: Vec<_> = warnings
            .iter()
            .map(|w| w.subject.clone().unwrap_or_default())
            .collect();
        assert_eq!(subjects, ["p3", "e2"]);
    }

    #[test]
    fn active_assignments_become_the_contracts_of_their_employment() {
        let mut l = lists();
        l.assignments = vec![
            json!({"id": "a1", "personCode": "1001", "employmentCode": "1", "startDate": "2024-01-01", "organizationUnit": "ou-IC"}),
            json!({"id": "a2", "personCode": "1001", "employmentCode": "1", "startDate": "2023-01-01", "isActive": false}),
        ];
        let (persons, _) = persons(&l, true);
        let ids: Vec<&str> = persons[0].contracts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a1"]);
        assert_eq!(
            persons[0].contracts[0]
                .title
                .as_ref()
                .map(|t| t.code.as_str()),
            Some("VPK"),
            "the employment's job"
        );
        assert_eq!(persons[0].contracts[0].sequence, Some(1));
    }
}
