//! ONS users as accounts. The key is the user's uuid (what duties are given to); the user name
//! is `userName`. The employee the user belongs to is the attribute `employee`, by the
//! employee's identification number (`<employee number>-<employment sequence>`); ONS keeps its
//! numeric object id.

use serde_json::{Map, Value, json};
use tessera_sdk::ConnectorError;
use tessera_sdk::types::{Account, Attribute, AttributeChange};

/// The attribute naming the employee.
pub const EMPLOYEE: &str = "employee";

/// Writable user fields besides the employee: text, then yes/no.
const TEXT: &[&str] = &["ssoId"];
const FLAGS: &[&str] = &["ssoEnabled", "contractRequiredAtLogin", "passwordChange"];

/// A user as ONS answers it, as an account; `employee_no` gives the identification number
/// of an employee object id, and `enabled` comes from the plugin's record.
pub fn account(
    user: &Value,
    employee_no: impl Fn(i64) -> Option<String>,
    enabled: bool,
) -> Result<Account, ConnectorError> {
    let key = uuid(user)?;
    let mut attributes = Vec::new();
    if let Some(no) = user
        .get("employeeObjectId")
        .and_then(Value::as_i64)
        .and_then(employee_no)
    {
        attributes.push(attribute(EMPLOYEE, &no));
    }
    for name in TEXT {
        if let Some(v) = user
            .get(*name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        {
            attributes.push(attribute(name, v));
        }
    }
    for name in FLAGS {
        if let Some(b) = user.get(*name).and_then(Value::as_bool) {
            attributes.push(attribute(name, if b { "true" } else { "false" }));
        }
    }
    Ok(Account {
        key: key.to_owned(),
        username: user
            .get("userName")
            .and_then(Value::as_str)
            .map(str::to_owned),
        enabled,
        attributes,
    })
}

/// The uuid of a user in ONS's answer.
pub fn uuid(user: &Value) -> Result<&str, ConnectorError> {
    user.get("uuid")
        .and_then(Value::as_str)
        .ok_or_else(|| ConnectorError::invalid("uuid", "a user without a uuid in ONS's answer"))
}

/// The numeric id a `PUT` and `DELETE` take.
pub fn id(user: &Value) -> Result<i64, ConnectorError> {
    user.get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ConnectorError::invalid("id", "a user without an id in ONS's answer"))
}

fn attribute(name: &str, value: &str) -> Attribute {
    Attribute {
        name: name.into(),
        value: value.into(),
    }
}

/// Applies `changes` to the whole user (ONS's `PUT` replaces every field, so the body starts
/// from the user as read). The employee change is left to the caller, which must look the
/// identification number up; it is returned.
pub fn apply(
    user: &mut Map<String, Value>,
    changes: &[AttributeChange],
) -> Result<Option<String>, ConnectorError> {
    let mut employee = None;
    for change in changes {
        let name = change.name.as_str();
        let value = match change.values.as_slice() {
            [] => None,
            [one] => Some(one.as_str()),
            _ => return Err(ConnectorError::invalid(name, "ONS keeps one value here")),
        };
        if name == EMPLOYEE {
            employee = Some(
                value
                    .ok_or_else(|| {
                        ConnectorError::invalid(
                            EMPLOYEE,
                            "an ONS user always belongs to an employee",
                        )
                    })?
                    .to_owned(),
            );
        } else if TEXT.contains(&name) {
            user.insert(name.into(), json!(value.unwrap_or_default()));
        } else if FLAGS.contains(&name) {
            let flag = match value.map(str::to_ascii_lowercase).as_deref() {
                Some("true" | "yes" | "1") => true,
                None | Some("false" | "no" | "0" | "") => false,
                Some(other) => {
                    return Err(ConnectorError::invalid(
                        name,
                        format!("`{other}` is not true or false"),
                    ));
                }
            };
            user.insert(name.into(), json!(flag));
        } else {
            return Err(ConnectorError::invalid(
                name,
                "not an ONS user field this plugin writes; use employee, ssoId, ssoEnabled, contractRequiredAtLogin or passwordChange",
            ));
        }
    }
    Ok(employee)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_read_with_the_employee_number_and_flags_as_words() {
        let user = json!({"id": 4, "uuid": "u-4", "userName": "aberg", "employeeObjectId": 9, "ssoId": "", "ssoEnabled": true});
        let a =
            account(&user, |id| (id == 9).then(|| "1001-1".to_owned()), false).expect("account");
        assert_eq!(
            (a.key.as_str(), a.username.as_deref(), a.enabled),
            ("u-4", Some("aberg"), false)
        );
        let pairs: Vec<(&str, &str)> = a
            .attributes
            .iter()
            .map(|x| (x.name.as_str(), x.value.as_str()))
            .collect();
        assert_eq!(pairs, [("employee", "1001-1"), ("ssoEnabled", "true")]);
    }

    #[test]
    fn changes_apply_to_the_whole_user_and_odd_ones_are_refused() {
        let change = |name: &str, values: &[&str]| AttributeChange {
            name: name.into(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        let mut user = Map::new();
        user.insert("userName".into(), json!("aberg"));
        let employee = apply(
            &mut user,
            &[
                change("ssoId", &["a.berg@zkh.nl"]),
                change("ssoEnabled", &["True"]),
                change("employee", &["1001-2"]),
            ],
        )
        .expect("applied");
        assert_eq!(employee.as_deref(), Some("1001-2"));
        assert_eq!(
            (
                user["ssoId"].clone(),
                user["ssoEnabled"].clone(),
                user["userName"].clone()
            ),
            (json!("a.berg@zkh.nl"), json!(true), json!("aberg"))
        );
        assert!(
            matches!(apply(&mut user, &[change("ssoEnabled", &["maybe"])]), Err(ConnectorError::Invalid(f)) if f.field == "ssoEnabled")
        );
        assert!(
            matches!(apply(&mut user, &[change("employee", &[])]), Err(ConnectorError::Invalid(f)) if f.field == "employee")
        );
        assert!(
            matches!(apply(&mut user, &[change("title", &["x"])]), Err(ConnectorError::Invalid(f)) if f.field == "title")
        );
    }
}
