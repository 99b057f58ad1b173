//! What the mock TOPdesk holds: persons, the lookups they refer to, archiving reasons, and
//! the checks TOPdesk makes on writes.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

/// Text fields of a person, each an empty string when unset.
const TEXT: &[&str] = &[
    "firstName",
    "surName",
    "prefixes",
    "firstInitials",
    "email",
    "employeeNumber",
    "jobTitle",
    "networkLoginName",
    "tasLoginName",
    "mobileNumber",
    "phoneNumber",
];

/// Fields that refer to a lookup entry (or, for `manager`, a person) by `{"id": …}`.
const REFERENCES: &[&str] = &["branch", "department", "budgetHolder", "manager"];

/// A lookup entry: a branch, department, budget holder or archiving reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// A refusal: the status and TOPdesk's message.
#[derive(Debug)]
pub struct TdError {
    pub status: StatusCode,
    pub message: String,
}

impl TdError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: format!("No {what} found with id '{id}'."),
        }
    }
}

/// The whole of the mock's TOPdesk.
#[derive(Debug, Default)]
pub struct Data {
    /// Persons by id, stored with references as ids and `archived` as a flag.
    pub persons: BTreeMap<String, Map<String, Value>>,
    pub branches: Vec<Named>,
    pub departments: Vec<Named>,
    pub budget_holders: Vec<Named>,
    pub reasons: Vec<Named>,
    /// Incidents as the API shows them, in the order they were opened.
    pub incidents: Vec<Map<String, Value>>,
    /// Incidents opened so far, for their numbers.
    pub incident_count: u32,
    next: u64,
}

impl Data {
    /// A fresh TOPdesk id.
    pub fn new_id(&mut self) -> String {
        self.next += 1;
        format!("7d0e5c00-0000-4000-8000-{:012}", self.next)
    }

    fn named(&mut self, name: &str) -> Named {
        Named {
            id: self.new_id(),
            name: name.to_owned(),
        }
    }

    pub fn add_branch(&mut self, name: &str) -> String {
        let n = self.named(name);
        self.branches.push(n.clone());
        n.id
    }

    pub fn add_department(&mut self, name: &str) -> String {
        let n = self.named(name);
        self.departments.push(n.clone());
        n.id
    }

    pub fn add_budget_holder(&mut self, name: &str) -> String {
        let n = self.named(name);
        self.budget_holders.push(n.clone());
        n.id
    }

    pub fn add_reason(&mut self, name: &str) -> String {
        let n = self.named(name);
        self.reasons.push(n.clone());
        n.id
    }

    /// The person whose `field` (`id` or a text field) is `value`.
    pub fn find(&self, field: &str, value: &str) -> Option<&Map<String, Value>> {
        self.persons.values().find(|p| match field {
            "id" => p.get("id").and_then(Value::as_str) == Some(value),
            _ => p.get(field).and_then(Value::as_str) == Some(value),
        })
    }

    /// A person as the API shows it: every text field, references with their names, the
    /// status word and the dynamic name.
    pub fn shown(&self, p: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("id".into(), p.get("id").cloned().unwrap_or(Value::Null));
        for field in TEXT {
            let text = p.get(*field).and_then(Value::as_str).unwrap_or_default();
            out.insert((*field).into(), json!(text));
        }
        let archived = p.get("archived").and_then(Value::as_bool).unwrap_or(false);
        out.insert(
            "status".into(),
            json!(if archived { "personArchived" } else { "person" }),
        );
        out.insert("dynamicName".into(), json!(dynamic_name(p)));
        out.insert(
            "gender".into(),
            p.get("gender").cloned().unwrap_or(json!("UNDEFINED")),
        );
        out.insert(
            "isManager".into(),
            json!(p.get("isManager").and_then(Value::as_bool).unwrap_or(false)),
        );
        for field in REFERENCES {
            let id = p.get(*field).and_then(Value::as_str);
            out.insert(
                (*field).into(),
                id.and_then(|id| self.reference(field, id))
                    .unwrap_or(Value::Null),
            );
        }
        out
    }

    fn reference(&self, field: &str, id: &str) -> Option<Value> {
        let name = match field {
            "manager" => {
                return self
                    .persons
                    .get(id)
                    .map(|p| json!({ "id": id, "name": dynamic_name(p) }));
            }
            "branch" => lookup(&self.branches, id),
            "department" => lookup(&self.departments, id),
            _ => lookup(&self.budget_holders, id),
        }?;
        Some(json!({ "id": id, "name": name }))
    }

    /// `POST /persons`.
    pub fn create(&mut self, body: &Map<String, Value>) -> Result<String, TdError> {
        let mut person = Map::new();
        self.apply(&mut person, body)?;
        for mandatory in ["surName", "branch"] {
            if person
                .get(mandatory)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(TdError::bad_request(format!(
                    "Field '{mandatory}' is mandatory."
                )));
            }
        }
        let id = self.new_id();
        person.insert("id".into(), json!(id));
        self.persons.insert(id.clone(), person);
        Ok(id)
    }

    /// `PATCH /persons/id/{id}`: TOPdesk refuses to change an archived person.
    pub fn patch(&mut self, id: &str, body: &Map<String, Value>) -> Result<(), TdError> {
        let mut person = self
            .persons
            .get(id)
            .cloned()
            .ok_or_else(|| TdError::not_found("person", id))?;
        if person.get("archived").and_then(Value::as_bool) == Some(true) {
            return Err(TdError::bad_request(
                "Archived persons cannot be changed; unarchive the person first.",
            ));
        }
        self.apply(&mut person, body)?;
        if person
            .get("surName")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(TdError::bad_request("Field 'surName' is mandatory."));
        }
        self.persons.insert(id.to_owned(), person);
        Ok(())
    }

    /// `…/archive` with a reason's id, or `…/unarchive` (`reason` none).
    pub fn archive(&mut self, id: &str, reason: Option<&str>) -> Result<(), TdError> {
        if let Some(r) = reason
            && lookup(&self.reasons, r).is_none()
        {
            return Err(TdError::not_found("archiving reason", r));
        }
        let person = self
            .persons
            .get_mut(id)
            .ok_or_else(|| TdError::not_found("person", id))?;
        let archived = person
            .get("archived")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        match (reason, archived) {
            (Some(_), true) => Err(TdError::bad_request("The person is already archived.")),
            (None, false) => Err(TdError::bad_request("The person is not archived.")),
            (r, _) => {
                person.insert("archived".into(), json!(r.is_some()));
                person.insert(
                    "archivingReason".into(),
                    r.map_or(Value::Null, |r| json!(r)),
                );
                Ok(())
            }
        }
    }

    /// Copies the writable fields of `body` onto `person`, checking each.
    fn apply(
        &self,
        person: &mut Map<String, Value>,
        body: &Map<String, Value>,
    ) -> Result<(), TdError> {
        for (field, value) in body {
            let stored = match field.as_str() {
                f if TEXT.contains(&f) => match value {
                    Value::String(_) | Value::Null => value.clone(),
                    _ => return Err(TdError::bad_request(format!("Field '{f}' must be text."))),
                },
                "gender" => match value.as_str() {
                    Some("MALE" | "FEMALE" | "UNDEFINED") => value.clone(),
                    _ => {
                        return Err(TdError::bad_request(
                            "Field 'gender' must be MALE, FEMALE or UNDEFINED.",
                        ));
                    }
                },
                "isManager" => json!(value.as_bool().unwrap_or(false)),
                f if REFERENCES.contains(&f) => self.reference_id(f, value)?,
                f => return Err(TdError::bad_request(format!("Unknown field '{f}'."))),
            };
            person.insert(field.clone(), stored);
        }
        Ok(())
    }

    /// A reference as `{"id": …}` to an entry that exists; `null` clears it. A reference by
    /// name is refused, as TOPdesk wants ids.
    fn reference_id(&self, field: &str, value: &Value) -> Result<Value, TdError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let Some(id) = value.get("id").and_then(Value::as_str) else {
            return Err(TdError::bad_request(format!(
                "Field '{field}' must refer to an id."
            )));
        };
        if self.reference(field, id).is_none() {
            return Err(TdError::bad_request(format!(
                "Field '{field}': no entry with id '{id}'."
            )));
        }
        Ok(json!(id))
    }
}

fn lookup<'a>(entries: &'a [Named], id: &str) -> Option<&'a str> {
    entries.iter().find(|n| n.id == id).map(|n| n.name.as_str())
}

/// `First Prefixes Surname`, as TOPdesk composes it by default.
pub(super) fn dynamic_name(p: &Map<String, Value>) -> String {
    ["firstName", "prefixes", "surName"]
        .iter()
        .filter_map(|f| p.get(*f).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
