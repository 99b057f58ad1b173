//! Calls to TOPdesk's REST API through the host's http capability. The host adds the Basic
//! credentials (an operator's login name and application password); this code never sees
//! them.
//!
//! TOPdesk answers a failure with a JSON list of messages, or for a refused login with an
//! HTML page; both become typed errors here. A list answers 206 while more pages follow, 200
//! for the last and 204 with no body when nothing matched.

use serde::Deserialize;
use serde_json::Value;
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::{Method, Response};
use tessera_sdk::rest::{self, Kind, called};

pub struct Api<'a> {
    /// `<base_url>/tas/api`.
    pub base: &'a str,
}

/// One page of a list and whether TOPdesk said more follow.
pub struct Page {
    pub items: Vec<Value>,
    pub more: bool,
}

impl Api<'_> {
    /// A `GET` whose answer is one JSON value.
    pub fn get(&self, path: &str) -> Result<Value, ConnectorError> {
        let url = format!("{}/{path}", self.base);
        let response = rest::call(Method::Get, &url, None, Kind::Read, status_error)?;
        rest::json(Method::Get, &url, &response, Kind::Read)
    }

    /// A `GET` that answers none on 404.
    pub fn get_optional(&self, path: &str) -> Result<Option<Value>, ConnectorError> {
        rest::found(self.get(path))
    }

    /// One page of a paged list.
    pub fn page(&self, path: &str) -> Result<Page, ConnectorError> {
        let url = format!("{}/{path}", self.base);
        let response = rest::call(Method::Get, &url, None, Kind::Read, status_error)?;
        if response.status == 204 {
            return Ok(Page {
                items: Vec::new(),
                more: false,
            });
        }
        match rest::json(Method::Get, &url, &response, Kind::Read)? {
            Value::Array(items) => Ok(Page {
                items,
                more: response.status == 206,
            }),
            _ => Err(ConnectorError::unavailable(
                format!("{}: the answer is not a list", called(Method::Get, &url)),
                None,
            )),
        }
    }

    /// A write; TOPdesk answers with the object written.
    pub fn write(&self, method: Method, path: &str, body: &Value) -> Result<Value, ConnectorError> {
        let url = format!("{}/{path}", self.base);
        let bytes = serde_json::to_vec(body).map_err(|e| ConnectorError::Other(e.to_string()))?;
        let response = rest::call(method, &url, Some(bytes), Kind::Write, status_error)?;
        rest::json(method, &url, &response, Kind::Write)
    }
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    message: String,
}

fn status_error(what: &str, response: &Response, kind: Kind) -> ConnectorError {
    let messages: Vec<String> = serde_json::from_slice::<Vec<Message>>(&response.body)
        .map(|list| list.into_iter().map(|m| m.message).collect())
        .unwrap_or_default();
    let message = messages.join("; ");
    let text = format!("{what} answered {}: {message}", response.status);
    match response.status {
        400 => ConnectorError::invalid(field_named(&message).unwrap_or("request"), text),
        401 => ConnectorError::Denied(format!(
            "{what} answered 401 (check the operator's login name and application password in this system's http_auth basic)"
        )),
        403 => ConnectorError::Denied(format!(
            "{text} (the API account needs read and write rights on persons and supporting files)"
        )),
        _ => rest::status_error(text, response, kind),
    }
}

/// The field a TOPdesk message names in quotes: "Field 'surName' is mandatory."
fn field_named(message: &str) -> Option<&str> {
    let quoted = message.split('\'').nth(1)?;
    let plain = !quoted.is_empty() && quoted.chars().all(|c| c.is_ascii_alphanumeric());
    plain.then_some(quoted)
}

/// A FIQL string value: in single quotes, with `\` and `'` escaped.
pub fn fiql(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_they_refuse() {
        assert_eq!(
            field_named("Field 'surName' is mandatory."),
            Some("surName")
        );
        assert_eq!(
            field_named("No archiving reason found with id 'x-1'."),
            None
        );
        assert_eq!(field_named("Something went wrong."), None);
    }

    #[test]
    fn fiql_values_are_quoted_and_escaped() {
        assert_eq!(fiql("van 't Hof"), "'van \\'t Hof'");
    }
}
