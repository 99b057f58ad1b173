//! The HR data the mock Youforce serves, as Beaufort's IAM API shows it: every record a JSON
//! object without the properties that have no value.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

/// An open end date.
pub const OPEN: &str = "9999-12-31";

/// Records per entity, in the order the API lists them.
#[derive(Debug, Default, Clone)]
pub struct Hr {
    pub persons: Vec<Map<String, Value>>,
    pub employments: Vec<Map<String, Value>>,
    pub assignments: Vec<Map<String, Value>>,
    pub job_profiles: Vec<Map<String, Value>>,
    pub organization_units: Vec<Map<String, Value>>,
}

/// A JSON object without the `null` properties: Youforce leaves them out.
fn object(value: Value) -> Map<String, Value> {
    let mut map = value.as_object().cloned().unwrap_or_default();
    map.retain(|_, v| !v.is_null());
    map
}

impl Hr {
    /// The records of `entity`.
    pub fn list(&self, entity: &str) -> Option<&[Map<String, Value>]> {
        Some(match entity {
            "persons" => &self.persons,
            "employments" => &self.employments,
            "assignments" => &self.assignments,
            "jobProfiles" => &self.job_profiles,
            "organizationUnits" => &self.organization_units,
            _ => return None,
        })
    }

    /// An organisation unit; its id is `ou-<short name>`.
    pub fn unit(&mut self, short: &str, full: &str) -> String {
        let id = format!("ou-{short}");
        self.organization_units.push(object(
            json!({ "id": id, "shortName": short, "fullName": full }),
        ));
        id
    }

    /// A job profile; its id is `jp-<short name>`.
    pub fn job(&mut self, short: &str, full: &str) -> String {
        let id = format!("jp-{short}");
        self.job_profiles.push(object(
            json!({ "id": id, "shortName": short, "fullName": full }),
        ));
        id
    }

    /// A person known by `known_as`, born `last` (with `prefix`), named in `order` (`E` birth
    /// name, `B` partner + birth, `C` birth + partner, `P` partner).
    pub fn person(
        &mut self,
        code: &str,
        known_as: &str,
        (prefix, last): (Option<&str>, &str),
        order: Option<&str>,
    ) {
        let first_names = format!("{known_as} Maria");
        self.persons.push(object(json!({
            "id": format!("p-{code}"),
            "personCode": code,
            "initials": format!("{}.M.", known_as.chars().next().unwrap_or('X')),
            "firstNames": first_names,
            "knownAs": known_as,
            "lastNameAtBirth": last,
            "lastNameAtBirthPrefix": prefix,
            "nameAssembleOrder": order,
            "gender": "Female",
            "emailAddresses": [{ "type": "Business", "address": format!("{}.{}@zkh.nl", known_as.to_lowercase(), last.to_lowercase()) }],
        })));
    }

    /// Sets a person's partner name.
    pub fn partner(&mut self, code: &str, (prefix, name): (Option<&str>, &str)) {
        if let Some(p) = self
            .persons
            .iter_mut()
            .find(|p| p.get("personCode") == Some(&json!(code)))
        {
            p.insert("partnerName".into(), json!(name));
            if let Some(prefix) = prefix {
                p.insert("partnerNamePrefix".into(), json!(prefix));
            }
        }
    }

    /// An employment of `code`, number `seq`, in unit `ou` as job `job`, 32 hours at 80 %.
    pub fn employment(
        &mut self,
        code: &str,
        seq: u32,
        (ou, job): (&str, &str),
        hire: NaiveDate,
        discharge: Option<NaiveDate>,
    ) -> String {
        let id = format!("e-{code}-{seq}");
        let discharge = discharge.map_or(OPEN.to_owned(), |d| d.to_string());
        self.employments.push(object(json!({
            "id": id,
            "personCode": code,
            "employmentCode": seq.to_string(),
            "contractCode": seq.to_string(),
            "hireDate": hire.to_string(),
            "dischargeDate": discharge,
            "organizationUnit": ou,
            "jobProfile": job,
            "employmentType": "01",
            "employmentTypeName": "Vast",
            "payrollClientCode": "ZKH",
            "workingAmount": { "amountOfWork": 32, "unitOfWork": "Hours", "periodOfWork": "Week", "parttimePercentage": 80 },
        })));
        id
    }

    /// The record `id` of `entity` (persons, employments or assignments).
    fn record(&mut self, entity: &str, id: &str) -> Option<&mut Map<String, Value>> {
        let list = match entity {
            "persons" => &mut self.persons,
            "employments" => &mut self.employments,
            _ => &mut self.assignments,
        };
        list.iter_mut().find(|r| r.get("id") == Some(&json!(id)))
    }

    /// Marks the record `id` of `entity` deleted, as Youforce does: only the id and the flag.
    pub fn delete(&mut self, entity: &str, id: &str) {
        if let Some(record) = self.record(entity, id) {
            *record = object(json!({ "id": id, "isDeleted": true }));
        }
    }

    /// Changes one property of the record `id` of `entity`; `null` removes it.
    pub fn set(&mut self, entity: &str, id: &str, property: &str, value: Value) {
        if let Some(record) = self.record(entity, id) {
            if value.is_null() {
                record.remove(property);
            } else {
                record.insert(property.into(), value);
            }
        }
    }
}
