//! Dispatch: Basic authentication, the fault knobs, then the resource.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Map, Value, json};

use super::data::{Data, Named, TdError};
use super::fiql::Query;
use super::incidents;
use super::{Fault, Shared};
use crate::fault;
use crate::lock;
use crate::serve::Incoming;

/// Persons per page when the client names none, and the most it may ask for.
const DEFAULT_PAGE: usize = 10;
const MAX_PAGE: usize = 100;

pub(super) async fn route(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (method, path, query, headers, body) = Incoming::read(request).await.into_parts();
    let Some(rest) = path.strip_prefix("/tas/api/") else {
        return error(TdError {
            status: StatusCode::NOT_FOUND,
            message: "Not found.".into(),
        });
    };
    let request = format!("{method} {path}?{query}");
    shared.calls.record(&request);
    lock(&shared.stats).requests += 1;
    if !authorised(&shared, &headers) {
        lock(&shared.stats).unauthorized += 1;
        return unauthorised();
    }
    let fault = shared.calls.take(&request);
    match fault {
        Some(Fault::Status(code)) => return status(code),
        Some(Fault::Throttle(seconds)) => return throttled(seconds),
        Some(Fault::Hang) => fault::hang().await,
        _ => {}
    }
    let segments: Vec<&str> = rest.split('/').collect();
    let response = {
        let mut data = lock(&shared.data);
        answer(&mut data, &method, &segments, &query, &body).unwrap_or_else(error)
    };
    if method != Method::GET && response.status().is_success() {
        lock(&shared.stats).writes += 1;
    }
    fault::after(fault, response).await
}

fn answer(
    d: &mut Data,
    method: &Method,
    segments: &[&str],
    query: &str,
    body: &[u8],
) -> Result<Response, TdError> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    match (method.as_str(), segments) {
        ("GET", ["persons"]) => persons(d, param("start"), param("page_size"), param("query")),
        ("GET", ["persons", "id", id]) => {
            let p = d
                .find("id", id)
                .ok_or_else(|| TdError::not_found("person", id))?;
            Ok(ok(json!(d.shown(p))))
        }
        ("POST", ["persons"]) => {
            let id = d.create(&object(body)?)?;
            Ok(person(d, &id, StatusCode::CREATED))
        }
        ("PATCH", ["persons", "id", id]) => {
            d.patch(id, &object(body)?)?;
            Ok(person(d, id, StatusCode::OK))
        }
        ("PATCH" | "PUT", ["persons", "id", id, "archive"]) => {
            let body = object(body)?;
            let reason = body.get("id").and_then(Value::as_str);
            let reason = reason
                .ok_or_else(|| TdError::bad_request("An archiving reason id is mandatory."))?;
            d.archive(id, Some(reason))?;
            Ok(person(d, id, StatusCode::OK))
        }
        ("PATCH" | "PUT", ["persons", "id", id, "unarchive"]) => {
            d.archive(id, None)?;
            Ok(person(d, id, StatusCode::OK))
        }
        ("POST", ["incidents"]) => {
            let incident = incidents::create(d, &object(body)?)?;
            Ok(reply(StatusCode::CREATED, &Value::Object(incident)))
        }
        ("GET", ["incidents", "id", id]) => Ok(ok(Value::Object(incidents::get(d, id)?))),
        ("GET", ["branches"]) => listed(&d.branches, param("query")),
        ("GET", ["departments"]) => listed(&d.departments, None),
        ("GET", ["budgetholders"]) => listed(&d.budget_holders, None),
        ("GET", ["archiving-reasons"]) => listed(&d.reasons, None),
        ("POST", ["departments" | "budgetholders"]) => {
            let name = object(body)?
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if name.trim().is_empty() {
                return Err(TdError::bad_request("Field 'name' is mandatory."));
            }
            let id = if segments[0] == "departments" {
                d.add_department(&name)
            } else {
                d.add_budget_holder(&name)
            };
            Ok(reply(
                StatusCode::CREATED,
                &json!({ "id": id, "name": name, "externalLinks": [] }),
            ))
        }
        _ => Err(TdError {
            status: StatusCode::NOT_FOUND,
            message: "Not found.".into(),
        }),
    }
}

/// One v1 page: 206 while more follow, 200 for the last, 204 when nothing matches.
fn persons(
    d: &Data,
    start: Option<&str>,
    size: Option<&str>,
    query: Option<&str>,
) -> Result<Response, TdError> {
    let start: usize = start
        .map_or(Ok(0), str::parse)
        .map_err(|_| TdError::bad_request("Parameter 'start' must be a number."))?;
    let size: usize = size
        .map_or(Ok(DEFAULT_PAGE), str::parse)
        .map_err(|_| TdError::bad_request("Parameter 'page_size' must be a number."))?;
    if !(1..=MAX_PAGE).contains(&size) {
        return Err(TdError::bad_request(format!(
            "Parameter 'page_size' must be between 1 and {MAX_PAGE}."
        )));
    }
    let query = query.map(Query::parse).transpose()?;
    let archived_asked = query.as_ref().is_some_and(|q| q.mentions("archived"));
    let matching: Vec<Map<String, Value>> = d
        .persons
        .values()
        .map(|p| {
            let mut shown = d.shown(p);
            shown.insert(
                "archived".into(),
                json!(p.get("archived").and_then(Value::as_bool).unwrap_or(false)),
            );
            shown
        })
        .filter(|p| archived_asked || p.get("archived") == Some(&json!(false)))
        .filter(|p| query.as_ref().is_none_or(|q| q.matches(p)))
        .map(|mut p| {
            p.remove("archived");
            p
        })
        .collect();
    if matching.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let page: Vec<&Map<String, Value>> = matching.iter().skip(start).take(size).collect();
    let code = if start + size < matching.len() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    Ok(reply(code, &json!(page)))
}

fn listed(entries: &[Named], query: Option<&str>) -> Result<Response, TdError> {
    let query = query.map(Query::parse).transpose()?;
    let shown: Vec<Value> = entries
        .iter()
        .map(|n| json!({ "id": n.id, "name": n.name, "externalLinks": [] }))
        .filter(|v| {
            query
                .as_ref()
                .is_none_or(|q| v.as_object().is_some_and(|o| q.matches(o)))
        })
        .collect();
    Ok(ok(json!(shown)))
}

fn person(d: &Data, id: &str, code: StatusCode) -> Response {
    let shown = d
        .find("id", id)
        .map(|p| json!(d.shown(p)))
        .unwrap_or(Value::Null);
    reply(code, &shown)
}

fn object(body: &[u8]) -> Result<Map<String, Value>, TdError> {
    serde_json::from_slice(body)
        .map_err(|_| TdError::bad_request("The request body is not a JSON object."))
}

fn ok(value: Value) -> Response {
    reply(StatusCode::OK, &value)
}

fn reply(code: StatusCode, value: &Value) -> Response {
    let mut response = (code, Body::from(value.to_string())).into_response();
    let json = header::HeaderValue::from_static("application/json;charset=utf-8");
    response.headers_mut().insert(header::CONTENT_TYPE, json);
    response
}

/// TOPdesk's error body: an array of messages.
fn error(e: TdError) -> Response {
    reply(e.status, &json!([{ "message": e.message }]))
}

fn status(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = match code {
        503 => "The service is temporarily unavailable.",
        _ => "An internal error occurred.",
    };
    error(TdError {
        status,
        message: message.into(),
    })
}

fn throttled(seconds: u64) -> Response {
    let mut response = error(TdError {
        status: StatusCode::TOO_MANY_REQUESTS,
        message: "Too many requests.".into(),
    });
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, seconds.into());
    response
}

/// `Authorization: Basic` with the operator's login name and application password.
fn authorised(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap_or_default();
    let o = &shared.options;
    decoded == format!("{}:{}", o.login, o.password).as_bytes()
}

/// TOPdesk's 401 is an HTML page, not its JSON error list.
fn unauthorised() -> Response {
    let page = "<html><head><title>401 Unauthorized</title></head><body><h1>Unauthorized</h1>\
                <p>The request has not been applied because it lacks valid authentication credentials.</p></body></html>";
    let mut response = (StatusCode::UNAUTHORIZED, Body::from(page)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html"),
    );
    response
}
