//! Graph's OData surface as the mock needs it: the error body, `$select`, the simple
//! `$filter` forms clients use (`eq`, `startswith`, joined by `and`), and opaque page tokens.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The properties `GET /users` returns without `$select`; `accountEnabled` and `employeeId`
/// are not among them, so a client that needs them must ask.
pub const DEFAULT_USER: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// An error answer in Graph's shape: `{"error": {"code", "message", "details"?, "innerError"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `details[0]` as `(code, target)`, as Graph adds for a conflict.
    pub detail: Option<(&'static str, String)>,
    pub retry_after: Option<u64>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: &str) -> Self {
        Self {
            status,
            code,
            message: message.to_owned(),
            detail: None,
            retry_after: None,
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &format!(
                "Resource '{what}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    pub fn bad_request(message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    pub fn invalid_value(property: &str) -> Self {
        Self::bad_request(&format!(
            "Invalid value specified for property '{property}' of resource 'User'."
        ))
    }

    pub fn conflict(property: &str) -> Self {
        let mut e = Self::bad_request(&format!(
            "Another object with the same value for property {property} already exists."
        ));
        e.detail = Some(("ObjectConflict", property.to_owned()));
        e
    }

    pub fn throttled(seconds: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests.",
        );
        e.retry_after = Some(seconds);
        e
    }

    pub fn unauthorized(message: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut error = json!({
            "code": self.code,
            "message": self.message,
            "innerError": {
                "date": "2026-12-04T09:00:00",
                "request-id": "0e5a7c2d-0000-4000-8000-00000000c0de",
                "client-request-id": "0e5a7c2d-0000-4000-8000-00000000c0de",
            },
        });
        if let Some((code, target)) = &self.detail {
            error["details"] = json!([{ "code": code, "message": self.message, "target": target }]);
        }
        let mut response = reply(self.status, &json!({ "error": error }));
        if let Some(seconds) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// The query options of one request, percent-decoded.
#[derive(Debug, Default)]
pub struct Query {
    pub select: Option<Vec<String>>,
    pub filter: Option<String>,
    pub top: Option<usize>,
    pub skiptoken: Option<String>,
    pub deltatoken: Option<String>,
}

impl Query {
    pub fn parse(raw: &str) -> Result<Self, GraphError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|e| GraphError::bad_request(&format!("Invalid query: {e}")))?;
        let mut q = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "$select" => {
                    q.select = Some(value.split(',').map(|s| s.trim().to_owned()).collect());
                }
                "$filter" => q.filter = Some(value),
                "$top" => {
                    let top = value.parse().ok().filter(|n| (1..=999).contains(n));
                    q.top = Some(top.ok_or_else(|| {
                        GraphError::bad_request("Invalid page size specified: '$top'. Must be between 1 and 999 inclusive.")
                    })?);
                }
                "$skiptoken" => q.skiptoken = Some(value),
                "$deltatoken" => q.deltatoken = Some(value),
                _ => {}
            }
        }
        Ok(q)
    }
}

/// `object` with only the properties `select` names (`id` always), or `default` without one.
pub fn project(object: &Map<String, Value>, select: Option<&[String]>, default: &[&str]) -> Value {
    let keep = |name: &str| match select {
        Some(names) => name == "id" || names.iter().any(|n| n == name),
        None => default.contains(&name),
    };
    let mut out = Map::new();
    // Items of a polymorphic collection (a group's members) always say what they are.
    if let Some(kind) = object.get("@odata.type") {
        out.insert("@odata.type".into(), kind.clone());
    }
    let names: Vec<String> = match select {
        Some(names) => names.to_vec(),
        None => default.iter().map(|s| (*s).to_owned()).collect(),
    };
    for name in names.iter().chain(std::iter::once(&"id".to_owned())) {
        if keep(name) {
            out.insert(
                name.clone(),
                object.get(name).cloned().unwrap_or(Value::Null),
            );
        }
    }
    Value::Object(out)
}

/// Whether `object` passes `filter`: clauses `prop eq 'text'`, `prop eq true|false` and
/// `startswith(prop,'text')`, joined by ` and `. Other forms are refused, as Graph refuses
/// what a property does not support.
pub fn matches(object: &Map<String, Value>, filter: &str) -> Result<bool, GraphError> {
    for clause in filter.split(" and ") {
        if !clause_matches(object, clause.trim())? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn clause_matches(object: &Map<String, Value>, clause: &str) -> Result<bool, GraphError> {
    let unsupported = || GraphError::bad_request(&format!("Unsupported query: {clause}"));
    if let Some(inner) = clause
        .strip_prefix("startswith(")
        .and_then(|c| c.strip_suffix(')'))
    {
        let (prop, value) = inner.split_once(',').ok_or_else(unsupported)?;
        let wanted = literal(value.trim()).ok_or_else(unsupported)?;
        let have = object
            .get(prop.trim())
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Ok(have.to_lowercase().starts_with(&wanted.to_lowercase()));
    }
    let (prop, value) = clause.split_once(" eq ").ok_or_else(unsupported)?;
    let have = object.get(prop.trim()).unwrap_or(&Value::Null);
    Ok(match value.trim() {
        "true" => have == &Value::Bool(true),
        "false" => have == &Value::Bool(false),
        "null" => have.is_null(),
        v => {
            let wanted = literal(v).ok_or_else(unsupported)?;
            have.as_str()
                .is_some_and(|h| h.eq_ignore_ascii_case(&wanted))
        }
    })
}

/// An OData string literal: quoted with `'`, a quote inside doubled.
fn literal(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// An opaque page or delta token.
pub fn token<T: Serialize>(state: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(state).unwrap_or_default())
}

/// A token back; a token the mock did not make is Graph's "bad token".
pub fn untoken<T: DeserializeOwned>(text: &str) -> Result<T, GraphError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| GraphError::bad_request("Invalid skip or delta token."))
}

/// A collection answer with its next link when more pages follow.
pub fn page(items: Vec<Value>, next_link: Option<String>, context: &str) -> Response {
    let mut body = json!({
        "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#{context}"),
        "value": items,
    });
    if let Some(link) = next_link {
        body["@odata.nextLink"] = json!(link);
    }
    reply(StatusCode::OK, &body)
}

/// A JSON answer.
pub fn reply(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
