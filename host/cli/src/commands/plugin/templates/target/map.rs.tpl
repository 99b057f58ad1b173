//! The system's accounts as Tessera accounts and memberships, and attribute changes as the
//! body the system takes. An unset attribute is `null`.

use serde_json::{Map, Value};
use tessera_sdk::ConnectorError;
use tessera_sdk::types::{Account, Attribute, AttributeChange, EntitlementRef, Membership};

/// An account as the system answers it.
pub fn account(a: &Value) -> Result<Account, ConnectorError> {
    let key = a
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| ConnectorError::invalid("id", "an account without an id"))?;
    let attributes = a
        .get("attributes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| {
            Some(Attribute {
                name: name.clone(),
                value: value.as_str()?.to_owned(),
            })
        })
        .collect();
    Ok(Account {
        key: key.to_owned(),
        username: a.get("username").and_then(Value::as_str).map(str::to_owned),
        enabled: a.get("active").and_then(Value::as_bool).unwrap_or(false),
        attributes,
    })
}

/// The groups an account is in, as memberships of `kind`.
pub fn memberships(a: &Value, kind: &str) -> Vec<Membership> {
    let Some(key) = a.get("id").and_then(Value::as_str) else {
        return Vec::new();
    };
    let groups = a.get("groups").and_then(Value::as_array);
    groups
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|g| Membership {
            account: key.to_owned(),
            entitlement: EntitlementRef {
                kind: kind.to_owned(),
                key: g.to_owned(),
            },
        })
        .collect()
}

/// Attribute changes as the `attributes` object of a write: one value each, none is `null`.
pub fn attributes(changes: &[AttributeChange]) -> Value {
    let mut out = Map::new();
    for c in changes {
        let value = c
            .values
            .first()
            .map_or(Value::Null, |v| Value::String(v.clone()));
        out.insert(c.name.clone(), value);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page as the system answers it.
    const MOCK: &str = include_str!("../mock.json");

    #[test]
    fn accounts_and_memberships_read_as_the_system_answers() {
        let answer: Value = serde_json::from_str(MOCK).expect("mock.json is JSON");
        let accounts = answer["accounts"].as_array().expect("accounts");
        let anna = account(&accounts[0]).expect("account");
        assert_eq!(
            (anna.key.as_str(), anna.username.as_deref(), anna.enabled),
            ("a-17", Some("aberg"), true)
        );
        assert_eq!(anna.attributes.len(), 2);
        assert!(!account(&accounts[1]).expect("account").enabled);
        let groups: Vec<String> = memberships(&accounts[0], "group")
            .into_iter()
            .map(|m| m.entitlement.key)
            .collect();
        assert_eq!(groups, ["g-ic", "g-all"]);
    }

    #[test]
    fn a_cleared_attribute_is_written_as_null() {
        let change = |name: &str, values: &[&str]| AttributeChange {
            name: name.into(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        let body = attributes(&[change("department", &["SEH"]), change("title", &[])]);
        assert_eq!(body["department"], "SEH");
        assert!(body["title"].is_null());
    }
}
