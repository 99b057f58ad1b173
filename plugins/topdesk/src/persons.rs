//! Persons as accounts: the fields read and written, and the bodies of a create and an
//! update. The account key is the person's id; the user name is `networkLoginName`, the login
//! the self-service portal knows them by. An archived person is a disabled account.

use serde_json::{Map, Value, json};
use tessera_sdk::ConnectorError;
use tessera_sdk::types::{Account, Attribute, AttributeChange};

use crate::lookups::List;

/// Text fields kept as account attributes, each read and writable.
pub const TEXT: &[&str] = &[
    "firstName",
    "surName",
    "prefixes",
    "firstInitials",
    "email",
    "employeeNumber",
    "jobTitle",
    "mobileNumber",
    "phoneNumber",
];

/// Fields that refer to a TOPdesk list; the attribute's value is the entry's name.
pub const REFERENCES: &[(&str, List)] = &[
    ("branch", List::Branches),
    ("department", List::Departments),
    ("budgetHolder", List::BudgetHolders),
];

const GENDERS: &[&str] = &["MALE", "FEMALE", "UNDEFINED"];

/// The field that holds the user name.
pub const USERNAME: &str = "networkLoginName";

/// A person as TOPdesk answers it, as an account. Empty text fields (TOPdesk's "unset") and
/// absent references give no attribute.
pub fn account(person: &Value) -> Result<Account, ConnectorError> {
    let key = text(person, "id").ok_or_else(|| {
        ConnectorError::invalid("id", "a person without an id in TOPdesk's answer")
    })?;
    let mut attributes: Vec<Attribute> = TEXT
        .iter()
        .chain(std::iter::once(&"gender"))
        .filter_map(|name| text(person, name).map(|v| attribute(name, v)))
        .collect();
    for (field, _) in REFERENCES {
        if let Some(name) = person
            .get(*field)
            .and_then(|r| r.get("name"))
            .and_then(Value::as_str)
        {
            attributes.push(attribute(field, name));
        }
    }
    Ok(Account {
        key: key.to_owned(),
        username: text(person, USERNAME).map(str::to_owned),
        enabled: !is_archived(person),
        attributes,
    })
}

/// Whether TOPdesk shows the person as archived.
pub fn is_archived(person: &Value) -> bool {
    person.get("status").and_then(Value::as_str) == Some("personArchived")
}

/// A non-empty text field.
fn text<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    object
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn attribute(name: &str, value: &str) -> Attribute {
    Attribute {
        name: name.into(),
        value: value.into(),
    }
}

/// What a create or an update sets: text fields as TOPdesk takes them, and references by
/// the name of the entry, none to clear one.
#[derive(Default)]
pub struct Wanted {
    pub body: Map<String, Value>,
    pub references: Vec<(&'static str, List, Option<String>)>,
}

/// The changes as TOPdesk fields; unknown and multi-valued attributes are refused by name.
pub fn wanted(changes: &[AttributeChange]) -> Result<Wanted, ConnectorError> {
    let mut out = Wanted::default();
    for change in changes {
        let name = change.name.as_str();
        let value = match change.values.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            _ => {
                return Err(ConnectorError::invalid(
                    name,
                    "TOPdesk keeps one value here",
                ));
            }
        };
        if let Some((field, list)) = REFERENCES.iter().find(|(f, _)| *f == name) {
            out.references.push((field, *list, value));
        } else if name == "gender" {
            let gender = value.map_or("UNDEFINED".to_owned(), |g| g.to_uppercase());
            if !GENDERS.contains(&gender.as_str()) {
                return Err(ConnectorError::invalid(
                    "gender",
                    format!("`{gender}` is not MALE, FEMALE or UNDEFINED"),
                ));
            }
            out.body.insert("gender".into(), json!(gender));
        } else if TEXT.contains(&name) {
            out.body
                .insert(name.into(), json!(value.unwrap_or_default()));
        } else {
            return Err(ConnectorError::invalid(
                name,
                format!(
                    "not a TOPdesk person field this plugin writes; use one of {}, gender, branch, department, budgetHolder",
                    TEXT.join(", ")
                ),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_skip_empty_text_and_read_references_by_name() {
        let person = json!({"id": "p1", "status": "personArchived", "surName": "Berg", "firstName": "",
            "networkLoginName": "aberg", "gender": "FEMALE", "branch": {"id": "b1", "name": "Hoofdlocatie"},
            "department": null});
        let a = account(&person).expect("account");
        assert!(!a.enabled, "archived is disabled");
        assert_eq!(a.username.as_deref(), Some("aberg"));
        let names: Vec<&str> = a.attributes.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["surName", "gender", "branch"]);
    }

    #[test]
    fn changes_become_fields_and_references_and_odd_ones_are_refused() {
        let change = |name: &str, values: &[&str]| AttributeChange {
            name: name.into(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        let w = wanted(&[
            change("jobTitle", &[]),
            change("department", &["IC"]),
            change("gender", &["female"]),
        ])
        .expect("wanted");
        assert_eq!(
            w.body["jobTitle"],
            json!(""),
            "cleared as TOPdesk clears text"
        );
        assert_eq!(w.body["gender"], json!("FEMALE"));
        assert_eq!(w.references.len(), 1);
        assert!(
            matches!(wanted(&[change("ldap", &["x"])]), Err(ConnectorError::Invalid(f)) if f.field == "ldap")
        );
        assert!(
            matches!(wanted(&[change("email", &["a", "b"])]), Err(ConnectorError::Invalid(f)) if f.field == "email")
        );
        assert!(
            matches!(wanted(&[change("gender", &["x"])]), Err(ConnectorError::Invalid(f)) if f.field == "gender")
        );
    }
}
