//! Calls to ONS's REST API through the host's http capability. The host presents the client
//! certificate the operator configured (`http_auth` `client_cert`); the plugin never sees it
//! or its key.

use serde::Deserialize;
use serde_json::Value;
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::{Method, Response};
use tessera_sdk::rest::{self, Kind};

pub struct Api<'a> {
    /// ONS's API address, without a trailing `/`.
    pub base: &'a str,
}

impl Api<'_> {
    pub fn get(&self, path: &str) -> Result<Value, ConnectorError> {
        let url = format!("{}/{path}", self.base);
        let response = rest::call(Method::Get, &url, None, Kind::Read, status_error)?;
        rest::json(Method::Get, &url, &response, Kind::Read)
    }

    pub fn get_optional(&self, path: &str) -> Result<Option<Value>, ConnectorError> {
        rest::found(self.get(path))
    }

    /// A write; ONS answers 200 with what it wrote.
    pub fn write(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ConnectorError> {
        let url = format!("{}/{path}", self.base);
        let bytes = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| ConnectorError::Other(e.to_string()))?;
        let response = rest::call(method, &url, bytes, Kind::Write, status_error)?;
        rest::json(method, &url, &response, Kind::Write)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Body {
    #[serde(default)]
    error_response_entries: Vec<Entry>,
}

#[derive(Deserialize, Default)]
struct Entry {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    message: String,
}

fn status_error(what: &str, response: &Response, kind: Kind) -> ConnectorError {
    let body: Body = serde_json::from_slice(&response.body).unwrap_or_default();
    let first = body.error_response_entries.first();
    let message: Vec<String> = body
        .error_response_entries
        .iter()
        .map(|e| {
            format!("{} {}", e.field.as_deref().unwrap_or_default(), e.message)
                .trim()
                .to_owned()
        })
        .collect();
    let text = format!(
        "{what} answered {}: {}",
        response.status,
        message.join("; ")
    );
    match response.status {
        400 => {
            let field = first
                .and_then(|e| e.field.clone())
                .filter(|f| !f.is_empty());
            ConnectorError::invalid(field.unwrap_or_else(|| "request".into()), text)
        }
        403 => ConnectorError::Denied(format!(
            "{text} (ONS refuses a client certificate issued for another environment; check base_url)"
        )),
        495 => ConnectorError::Denied(format!(
            "{text} (the client certificate is expired or not issued by Nedap)"
        )),
        _ => rest::status_error(text, response, kind),
    }
}
