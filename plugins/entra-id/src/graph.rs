//! Calls to Microsoft Graph through the host's http capability. The host adds the bearer token
//! from its OAuth2 client-credentials grant; this code never sees the token or the secret.
//!
//! Graph's answers become typed errors here, from the status and the error body's `code`:
//! a taken user principal name (`ObjectConflict`) is `already-exists`, a refused property is
//! `invalid` naming it, 429 and 503 carry `Retry-After` to the engine, 410 on a delta link is
//! `cursor-invalid`.

use serde::Deserialize;
use serde_json::Value;
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::{Method, Response};
use tessera_sdk::rest::{self, Kind};

pub use tessera_sdk::rest::encode;

pub struct Graph<'a> {
    /// `<graph_url>/v1.0`.
    pub base: &'a str,
}

impl Graph<'_> {
    /// `GET` of a path under `/v1.0` or of a link Graph gave (`@odata.nextLink`,
    /// `@odata.deltaLink`), which must point back into the same Graph.
    pub fn get(&self, path_or_link: &str) -> Result<Value, ConnectorError> {
        let url = self.url(path_or_link)?;
        let response = rest::call(Method::Get, &url, None, Kind::Read, status_error)?;
        rest::json(Method::Get, &url, &response, Kind::Read)
    }

    /// `GET` that answers none on 404.
    pub fn get_optional(&self, path: &str) -> Result<Option<Value>, ConnectorError> {
        rest::found(self.get(path))
    }

    /// A write; the answer's JSON when it has a body (a create's 201), else none (204).
    pub fn write(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Option<Value>, ConnectorError> {
        let url = self.url(path)?;
        let bytes = serde_json::to_vec(body).map_err(|e| ConnectorError::Other(e.to_string()))?;
        let response = rest::call(method, &url, Some(bytes), Kind::Write, status_error)?;
        if response.body.is_empty() {
            return Ok(None);
        }
        rest::json(method, &url, &response, Kind::Write).map(Some)
    }

    /// `DELETE`.
    pub fn delete(&self, path: &str) -> Result<(), ConnectorError> {
        let url = self.url(path)?;
        rest::call(Method::Delete, &url, None, Kind::Write, status_error).map(|_| ())
    }

    fn url(&self, path_or_link: &str) -> Result<String, ConnectorError> {
        if path_or_link.starts_with("http://") || path_or_link.starts_with("https://") {
            if !path_or_link.starts_with(&format!("{}/", self.base)) {
                return Err(ConnectorError::Other(format!(
                    "Graph handed a link outside {}; not followed",
                    self.base
                )));
            }
            return Ok(path_or_link.to_owned());
        }
        Ok(format!("{}/{path_or_link}", self.base))
    }
}

#[derive(Deserialize, Default)]
struct Body {
    error: Option<Detail>,
}

#[derive(Deserialize, Default)]
struct Detail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Vec<Detail>,
    #[serde(default)]
    target: Option<String>,
}

fn status_error(what: &str, response: &Response, kind: Kind) -> ConnectorError {
    let e = serde_json::from_slice::<Body>(&response.body)
        .ok()
        .and_then(|b| b.error)
        .unwrap_or_default();
    let text = format!(
        "{what} answered {}: {} {}",
        response.status, e.code, e.message
    );
    match response.status {
        400 => bad_request(text, &e),
        401 => ConnectorError::Denied(format!(
            "{text} (check the app registration's client secret in this system's http_auth oauth2)"
        )),
        403 => ConnectorError::Denied(format!(
            "{text} (the app registration needs the application permissions User.ReadWrite.All and GroupMember.ReadWrite.All, with admin consent)"
        )),
        // A delta link Graph no longer honours: read in full and start a new feed.
        410 => ConnectorError::CursorInvalid(text),
        _ => rest::status_error(text, response, kind),
    }
}

/// Graph's 400s: a taken name, an existing membership, a refused property.
fn bad_request(text: String, e: &Detail) -> ConnectorError {
    if let Some(conflict) = e.details.iter().find(|d| d.code == "ObjectConflict") {
        let field = conflict
            .target
            .clone()
            .unwrap_or_else(|| "userPrincipalName".into());
        return ConnectorError::AlreadyExists(format!("{field}: {text}"));
    }
    if e.message.contains("added object references already exist") {
        return ConnectorError::AlreadyExists(text);
    }
    if e.message.contains("userPrincipalName") {
        return ConnectorError::invalid("userPrincipalName", text);
    }
    if e.code == "syncStateNotFound" || e.code == "resyncRequired" {
        return ConnectorError::CursorInvalid(text);
    }
    // "Invalid value specified for property 'employeeId' …", "Property 'x' does not exist …"
    match e.message.split('\'').nth(1) {
        Some(property) if e.message.contains("roperty '") => {
            ConnectorError::invalid(property, text)
        }
        _ => ConnectorError::invalid("request", text),
    }
}

/// An OData string literal: `'` doubled inside quotes.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
