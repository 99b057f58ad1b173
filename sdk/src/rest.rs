//! JSON over HTTP for plugins of REST APIs (Microsoft Graph, TOPdesk, …): one request through
//! the host's `http` capability, and what a failed one means to the engine.
//!
//! A plugin claims the statuses its API gives a meaning of its own (Graph's 400
//! `ObjectConflict`, a 410 on a delta link) and hands the rest to [`status_error`], which
//! types them the same way for every plugin: 401 and 403 `denied`, 404 `not-found`, 409
//! `already-exists`, 429 and 503 `unavailable` with `Retry-After`, and another 5xx
//! `unavailable` on a read but `outcome-unknown` after a write, which may have happened.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::ConnectorError;
use crate::host::http::{self, Header, Method, Request, Response};

/// Whether a call only reads. A read that failed changed nothing and may be retried; a write
/// that timed out or failed on the far side's end may have taken effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// GET and the like.
    Read,
    /// POST, PATCH, PUT, DELETE.
    Write,
}

/// Sends `body` (JSON, when some) to `url` with `Accept: application/json` and the extra
/// `headers`; answers the response whatever its status. Only a failure to get an answer is
/// an error here, typed by `kind`, and named by the method and the URL without its query.
pub fn send(
    method: Method,
    url: &str,
    headers: &[Header],
    body: Option<Vec<u8>>,
    kind: Kind,
) -> Result<Response, ConnectorError> {
    let mut all = vec![header("accept", "application/json")];
    if body.is_some() {
        all.push(header("content-type", "application/json; charset=utf-8"));
    }
    all.extend_from_slice(headers);
    let request = Request {
        method,
        url: url.to_owned(),
        headers: all,
        body,
        timeout_ms: None,
    };
    http::send(&request).map_err(|e| match kind {
        Kind::Read => ConnectorError::of_read(&called(method, url), e),
        Kind::Write => e.into(),
    })
}

/// [`send`], answering a status outside 2xx as the error `refused` makes of it: a plugin's
/// own meanings first, [`status_error`] for the rest. `refused` gets the call's name
/// ([`called`]), the response and the kind.
pub fn call(
    method: Method,
    url: &str,
    body: Option<Vec<u8>>,
    kind: Kind,
    refused: impl FnOnce(&str, &Response, Kind) -> ConnectorError,
) -> Result<Response, ConnectorError> {
    let response = send(method, url, &[], body, kind)?;
    if (200..300).contains(&response.status) {
        return Ok(response);
    }
    Err(refused(&called(method, url), &response, kind))
}

/// A read's answer, or none when the far side answered 404: the object is not there.
pub fn found<T>(read: Result<T, ConnectorError>) -> Result<Option<T>, ConnectorError> {
    match read {
        Ok(v) => Ok(Some(v)),
        Err(ConnectorError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `METHOD url-without-query`, for messages: queries hold tokens and filters that say
/// nothing to a reader and may be long.
pub fn called(method: Method, url: &str) -> String {
    format!("{} {}", method_name(method), without_query(url))
}

/// The generic meaning of a failed status; `text` says what was called and what came back.
pub fn status_error(text: String, response: &Response, kind: Kind) -> ConnectorError {
    match response.status {
        401 | 403 => ConnectorError::Denied(text),
        404 => ConnectorError::NotFound(text),
        409 => ConnectorError::AlreadyExists(text),
        429 | 503 => ConnectorError::unavailable(text, retry_after(&response.headers)),
        500..=599 if kind == Kind::Write => ConnectorError::OutcomeUnknown(text),
        500..=599 => ConnectorError::unavailable(text, retry_after(&response.headers)),
        _ => ConnectorError::Other(text),
    }
}

/// `Retry-After` in seconds, as milliseconds.
pub fn retry_after(headers: &[Header]) -> Option<u64> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("retry-after"))
        .and_then(|h| h.value.trim().parse::<u64>().ok())
        .map(|s| s.saturating_mul(1000))
}

/// A request header.
pub fn header(name: &str, value: &str) -> Header {
    Header {
        name: name.into(),
        value: value.into(),
    }
}

/// `GET`, `POST`, …
pub fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
        Method::Put => "PUT",
        Method::Head => "HEAD",
        Method::Options => "OPTIONS",
    }
}

/// `url` up to its `?`.
pub fn without_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// Percent-encodes a query value: everything but ASCII letters, digits and `-_.,` (so a
/// `$select` list stays readable).
pub fn encode(text: &str) -> String {
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b',');
    utf8_percent_encode(text, KEEP).to_string()
}

/// The JSON of an answer. An answer cut short or not JSON leaves a read to be tried again
/// (`unavailable`), and after a write only its outcome unread (`outcome-unknown`).
pub fn json(
    method: Method,
    url: &str,
    response: &Response,
    kind: Kind,
) -> Result<serde_json::Value, ConnectorError> {
    serde_json::from_slice(&response.body).map_err(|_| {
        let what = called(method, url);
        match kind {
            Kind::Read => ConnectorError::unavailable(
                format!("{what}: the answer ended early or is not JSON"),
                None,
            ),
            Kind::Write => {
                ConnectorError::OutcomeUnknown(format!("{what}: the answer ended early"))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded_byte_by_byte() {
        assert_eq!(
            encode("employeeId eq 'é 1'"),
            "employeeId%20eq%20%27%C3%A9%201%27"
        );
        assert_eq!(encode("id,displayName"), "id,displayName");
    }

    #[test]
    fn statuses_mean_the_same_for_every_plugin() {
        let response = |status: u16, retry: Option<&str>| Response {
            status,
            headers: retry
                .map(|r| vec![header("Retry-After", r)])
                .unwrap_or_default(),
            body: Vec::new(),
        };
        let unknown = status_error("x".into(), &response(502, None), Kind::Write);
        assert!(matches!(unknown, ConnectorError::OutcomeUnknown(_)));
        let read = status_error("x".into(), &response(502, None), Kind::Read);
        assert!(matches!(read, ConnectorError::Unavailable(_)));
        match status_error("x".into(), &response(429, Some("7")), Kind::Write) {
            ConnectorError::Unavailable(u) => assert_eq!(u.retry_after_ms, Some(7000)),
            other => panic!("{other:?}"),
        }
        let taken = status_error("x".into(), &response(409, None), Kind::Write);
        assert!(matches!(taken, ConnectorError::AlreadyExists(_)));
    }
}
