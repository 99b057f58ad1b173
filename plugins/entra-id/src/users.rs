//! Users as accounts: which properties are read and written, and the bodies of a create and an
//! update. The account key is the user's object id; the user name is the user principal name.

use serde_json::{Map, Value, json};
use tessera_sdk::ConnectorError;
use tessera_sdk::types::{Account, AccountSpec, Attribute, AttributeChange};

/// Properties kept as account attributes, each read and writable.
pub const ATTRIBUTES: &[&str] = &[
    "employeeId",
    "givenName",
    "surname",
    "displayName",
    "mail",
    "mailNickname",
    "jobTitle",
    "department",
    "companyName",
    "usageLocation",
    "officeLocation",
    "mobilePhone",
    "businessPhones",
];

/// The one multi-valued property among them.
const MULTI: &str = "businessPhones";

/// `$select` for every read of a user: without it Graph leaves out `accountEnabled` and
/// `employeeId`.
pub fn select() -> String {
    let mut names = vec!["id", "userPrincipalName", "accountEnabled"];
    names.extend_from_slice(ATTRIBUTES);
    names.join(",")
}

/// A user as Graph answers it, as an account. Absent and null properties give no attribute.
/// The user name is the user principal name, without `@<domain>` when it is in the
/// configured domain: the name the role model's templates make and a create is given.
pub fn account(user: &Value, domain: &str) -> Result<Account, ConnectorError> {
    let key = user
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| ConnectorError::invalid("id", "a user without an id in Graph's answer"))?;
    let mut attributes = Vec::new();
    for name in ATTRIBUTES {
        match user.get(*name) {
            Some(Value::String(s)) => attributes.push(attribute(name, s)),
            Some(Value::Array(values)) => attributes.extend(
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|v| attribute(name, v)),
            ),
            _ => {}
        }
    }
    Ok(Account {
        key: key.to_owned(),
        username: user
            .get("userPrincipalName")
            .and_then(Value::as_str)
            .map(|upn| username(upn, domain)),
        enabled: user
            .get("accountEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        attributes,
    })
}

/// `name@domain` as `name`; a principal name in another domain as it is.
fn username(upn: &str, domain: &str) -> String {
    match upn.rsplit_once('@') {
        Some((name, d)) if d.eq_ignore_ascii_case(domain) => name.to_owned(),
        _ => upn.to_owned(),
    }
}

/// Whether a delta entry carries every selected property, or only some (Graph sends "at least
/// the changed properties" of an updated user).
pub fn is_whole(user: &Value) -> bool {
    ["userPrincipalName", "accountEnabled"]
        .iter()
        .chain(ATTRIBUTES)
        .all(|name| user.get(*name).is_some())
}

/// The body of `POST /users`. The password is random and never kept: the person gets theirs
/// through the organisation's onboarding or self-service reset.
pub fn create_body(
    spec: &AccountSpec,
    domain: &str,
    usage_location: &str,
    password: &str,
) -> Result<Value, ConnectorError> {
    let upn = principal_name(&spec.username, domain);
    let nickname = upn.split('@').next().unwrap_or_default().to_owned();
    let mut body = Map::new();
    for change in spec.changes() {
        body.insert(change.name.clone(), value(&change)?);
    }
    let mut set_default = |name: &str, value: Value| {
        body.entry(name.to_owned()).or_insert(value);
    };
    set_default("displayName", json!(upn));
    set_default("mailNickname", json!(nickname));
    set_default("usageLocation", json!(usage_location));
    body.insert("userPrincipalName".into(), json!(upn));
    body.insert("accountEnabled".into(), json!(spec.enabled));
    body.insert(
        "passwordProfile".into(),
        json!({ "password": password, "forceChangePasswordNextSignIn": true }),
    );
    Ok(Value::Object(body))
}

/// The body of `PATCH /users/{id}`: each change sets its property, none clears it.
pub fn patch_body(changes: &[AttributeChange]) -> Result<Value, ConnectorError> {
    let mut body = Map::new();
    for change in changes {
        body.insert(change.name.clone(), value(change)?);
    }
    Ok(Value::Object(body))
}

/// `name@domain` unless the name already has a domain.
pub fn principal_name(username: &str, domain: &str) -> String {
    if username.contains('@') {
        username.to_owned()
    } else {
        format!("{username}@{domain}")
    }
}

fn value(change: &AttributeChange) -> Result<Value, ConnectorError> {
    if !ATTRIBUTES.contains(&change.name.as_str()) {
        return Err(ConnectorError::invalid(
            &change.name,
            format!(
                "not a user property this plugin writes; use one of {}",
                ATTRIBUTES.join(", ")
            ),
        ));
    }
    Ok(match (change.name.as_str(), change.values.as_slice()) {
        (MULTI, values) => json!(values),
        (_, []) => Value::Null,
        (_, [one]) => json!(one),
        (name, _) => {
            return Err(ConnectorError::invalid(
                name,
                "has one value in Entra ID, several given",
            ));
        }
    })
}

fn attribute(name: &str, value: &str) -> Attribute {
    Attribute {
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(attributes: &[(&str, &str)]) -> AccountSpec {
        AccountSpec {
            username: "a.berg".into(),
            enabled: false,
            attributes: attributes.iter().map(|(n, v)| attribute(n, v)).collect(),
        }
    }

    #[test]
    fn a_create_has_what_graph_requires() {
        let body = create_body(
            &spec(&[
                ("businessPhones", "+31 20 1"),
                ("businessPhones", "+31 20 2"),
            ]),
            "zkh.nl",
            "NL",
            "pw",
        )
        .expect("body");
        assert_eq!(body["userPrincipalName"], "a.berg@zkh.nl");
        assert_eq!(body["mailNickname"], "a.berg");
        assert_eq!(body["accountEnabled"], false);
        assert_eq!(body["usageLocation"], "NL");
        assert_eq!(
            body["passwordProfile"]["forceChangePasswordNextSignIn"],
            true
        );
        assert_eq!(body["businessPhones"], json!(["+31 20 1", "+31 20 2"]));
    }

    #[test]
    fn unknown_and_multi_valued_properties_are_refused_by_name() {
        let unknown = patch_body(&[AttributeChange {
            name: "ldap".into(),
            values: vec!["x".into()],
        }]);
        assert!(matches!(unknown, Err(ConnectorError::Invalid(f)) if f.field == "ldap"));
        let two = patch_body(&[AttributeChange {
            name: "jobTitle".into(),
            values: vec!["a".into(), "b".into()],
        }]);
        assert!(matches!(two, Err(ConnectorError::Invalid(f)) if f.field == "jobTitle"));
        let cleared = patch_body(&[AttributeChange {
            name: "jobTitle".into(),
            values: vec![],
        }])
        .expect("body");
        assert_eq!(cleared["jobTitle"], Value::Null);
    }

    #[test]
    fn accounts_read_every_value_and_skip_nulls() {
        let user = json!({"id": "u1", "userPrincipalName": "a@zkh.nl", "accountEnabled": true,
            "jobTitle": null, "businessPhones": ["1", "2"], "employeeId": "1001"});
        let a = account(&user, "zkh.nl").expect("account");
        assert!(a.enabled);
        assert_eq!(
            a.username.as_deref(),
            Some("a"),
            "the configured domain left off"
        );
        let elsewhere = json!({"id": "u2", "userPrincipalName": "b@Other.example"});
        assert_eq!(
            account(&elsewhere, "zkh.nl")
                .expect("account")
                .username
                .as_deref(),
            Some("b@Other.example")
        );
        let upper = json!({"id": "u3", "userPrincipalName": "c@ZKH.nl"});
        assert_eq!(
            account(&upper, "zkh.nl")
                .expect("account")
                .username
                .as_deref(),
            Some("c")
        );
        let names: Vec<&str> = a.attributes.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["employeeId", "businessPhones", "businessPhones"]);
        assert!(!is_whole(&user));
    }
}
