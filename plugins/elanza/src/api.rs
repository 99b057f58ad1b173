//! GET requests to Elanza through the host's http capability. The host adds the
//! `elanza-api-key-v1` header from the vault; this code never sees the key.

use serde::Deserialize;
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::{self, Header, Method, Request};

pub struct Api {
    /// `{base_url}/rest-api/v1`.
    root: String,
}

impl Api {
    pub fn new(base_url: &str) -> Self {
        Self {
            root: format!("{base_url}/rest-api/v1"),
        }
    }

    /// The body of a 200 answer to `GET {root}/{path}`; every other answer is an error.
    pub fn get(&self, path: &str) -> Result<Vec<u8>, ConnectorError> {
        self.get_optional(path)?
            .ok_or_else(|| ConnectorError::NotFound(format!("Elanza has no {path} (404)")))
    }

    /// As [`Api::get`], but a 404 is `None`.
    pub fn get_optional(&self, path: &str) -> Result<Option<Vec<u8>>, ConnectorError> {
        let request = Request {
            method: Method::Get,
            url: format!("{}/{path}", self.root),
            headers: vec![Header {
                name: "accept".into(),
                value: "application/json".into(),
            }],
            body: None,
            timeout_ms: None,
        };
        let response =
            http::send(&request).map_err(|e| ConnectorError::of_read(&format!("GET {path}"), e))?;
        match response.status {
            200 => Ok(Some(response.body)),
            404 => Ok(None),
            status => Err(status_error(path, status, &response.body)),
        }
    }
}

fn status_error(path: &str, status: u16, body: &[u8]) -> ConnectorError {
    #[derive(Deserialize)]
    struct Message {
        message: Option<String>,
    }
    // Elanza says little on errors; its `message` is all there is.
    let said = serde_json::from_slice::<Message>(body)
        .ok()
        .and_then(|m| m.message)
        .unwrap_or_default();
    let what = format!("GET {path} answered {status}: {said}");
    match status {
        401 | 403 => ConnectorError::Denied(format!(
            "{what} (check the API key secret named in this system's http_auth)"
        )),
        400 => ConnectorError::invalid("request", what),
        408 | 429 | 500..=599 => ConnectorError::unavailable(what, None),
        _ => ConnectorError::Other(what),
    }
}

/// Parses a body; a cut-off or foreign answer is a typed error naming the endpoint.
pub fn parse<'a, T: Deserialize<'a>>(what: &str, body: &'a [u8]) -> Result<T, ConnectorError> {
    serde_json::from_slice(body).map_err(|e| {
        ConnectorError::invalid(
            format!("response of {what}"),
            format!("not the JSON Elanza sends: {e}"),
        )
    })
}

/// Percent-encodes a path segment, so an odd uuid cannot change the path.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
