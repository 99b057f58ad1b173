//! Dispatch: the `Accept` header, the parallel-request limit, the fault knobs, then the
//! resource. The client certificate was checked in the TLS handshake.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::data::{Named, OnsError, OnsUser, Org};
use super::{Fault, Shared};
use crate::fault;
use crate::lock;
use crate::serve::Incoming;

/// ONS enforces at most this many requests at once per certificate.
const PARALLEL: usize = 4;

pub(super) async fn route(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (method, path, query, headers, body) = Incoming::read(request).await.into_parts();
    let request = format!("{method} {path}?{query}");
    shared.calls.record(&request);
    lock(&shared.stats).requests += 1;
    if path == "/ping" {
        return (StatusCode::OK, "pong").into_response();
    }
    if !accepts_json(&headers) {
        let e = OnsError::new(
            StatusCode::NOT_ACCEPTABLE,
            "Accept",
            "Only application/json is supported",
        );
        return error(e);
    }
    if shared.in_flight.fetch_add(1, Ordering::SeqCst) >= PARALLEL {
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        lock(&shared.stats).throttled += 1;
        return error(OnsError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "",
            "Too many parallel requests",
        ));
    }
    let response = answered(&shared, &method, &path, &request, &body).await;
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

async fn answered(
    shared: &Shared,
    method: &Method,
    path: &str,
    request: &str,
    body: &[u8],
) -> Response {
    let fault = shared.calls.take(request);
    match fault {
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return error(OnsError::new(status, "", "Internal server error"));
        }
        // ONS answers 429 without Retry-After.
        Some(Fault::Throttle(_)) => {
            return error(OnsError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "",
                "Too many requests",
            ));
        }
        Some(Fault::Hang) => fault::hang().await,
        _ => {}
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let response = {
        let mut org = lock(&shared.org);
        answer(&mut org, method, &segments, body).unwrap_or_else(error)
    };
    if *method != Method::GET && response.status().is_success() {
        lock(&shared.stats).writes += 1;
    }
    fault::after(fault, response).await
}

fn answer(
    o: &mut Org,
    method: &Method,
    segments: &[&str],
    body: &[u8],
) -> Result<Response, OnsError> {
    match (method.as_str(), segments) {
        (
            "GET",
            [
                "v0",
                "administration",
                "employees",
                "by_identification_no",
                no,
            ],
        ) => {
            let e = o
                .employees
                .iter()
                .find(|e| e.identification_no == *no)
                .ok_or_else(|| OnsError::not_found("Employee"))?;
            Ok(ok(json!(e)))
        }
        ("GET", ["v0", "xstream", "employees", "data"]) => {
            Ok(ok(json!({ "employees": o.employees })))
        }
        ("GET", ["v0", "xstream", "responsibilities", "data"]) => {
            let users: Vec<Value> = o.users.values().map(|u| o.shown(u)).collect();
            Ok(ok(json!({ "users": users })))
        }
        ("POST", ["v0", "administration", "users"]) => {
            let user = o.create_user(user_body(body)?)?;
            Ok(ok(o.shown(&user)))
        }
        ("GET", ["v0", "administration", "users", "by_uuid", uuid]) => {
            let u = o
                .users
                .values()
                .find(|u| u.uuid == *uuid)
                .ok_or_else(|| OnsError::not_found("User"))?;
            Ok(ok(o.shown(u)))
        }
        ("GET", ["v0", "administration", "users", "by_employee_id", id]) => {
            let id = number(id)?;
            let u = o
                .users
                .values()
                .find(|u| u.employee_object_id == id)
                .ok_or_else(|| OnsError::not_found("User"))?;
            Ok(ok(o.shown(u)))
        }
        ("GET", ["v0", "administration", "users", id]) => {
            let u = o
                .users
                .get(&number(id)?)
                .ok_or_else(|| OnsError::not_found("User"))?;
            Ok(ok(o.shown(u)))
        }
        ("PUT", ["v0", "administration", "users", id]) => {
            let user = o.replace_user(number(id)?, user_body(body)?)?;
            Ok(ok(o.shown(&user)))
        }
        ("DELETE", ["v0", "administration", "users", id]) => {
            let user = o
                .users
                .remove(&number(id)?)
                .ok_or_else(|| OnsError::not_found("User"))?;
            o.duties.retain(|(uuid, _), _| *uuid != user.uuid);
            Ok(ok(o.shown(&user)))
        }
        ("GET", ["v0", "authorization", "provisioning", "roles"]) => {
            let roles: Vec<Value> = o
                .roles
                .iter()
                .map(|r| json!({ "uuid": r.id, "name": r.name }))
                .collect();
            Ok(ok(json!({ "roles": roles })))
        }
        (
            "PUT",
            [
                "v0",
                "authorization",
                "provisioning",
                "users",
                uuid,
                "duties",
            ],
        ) => {
            let body: Value =
                serde_json::from_slice(body).map_err(|_| OnsError::invalid("body", "not JSON"))?;
            let source = body
                .get("source")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let duties = body
                .get("duties")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            o.set_duties(uuid, &source, duties)?;
            Ok(ok(body))
        }
        ("GET", ["v0", "administration", "teams"]) => Ok(ok(json!({ "teams": listed(&o.teams) }))),
        ("GET", ["v0", "administration", "locations"]) => {
            Ok(ok(json!({ "locations": listed(&o.locations) })))
        }
        _ => Err(OnsError::new(StatusCode::NOT_FOUND, "", "Not found")),
    }
}

fn listed(entries: &[Named]) -> Vec<Value> {
    entries
        .iter()
        .map(|n| json!({ "id": n.id.parse::<i64>().unwrap_or_default(), "identificationNo": n.identification_no, "name": n.name }))
        .collect()
}

fn user_body(body: &[u8]) -> Result<OnsUser, OnsError> {
    serde_json::from_slice(body).map_err(|e| OnsError::invalid("body", format!("not a user: {e}")))
}

fn number(text: &str) -> Result<i64, OnsError> {
    text.parse()
        .map_err(|_| OnsError::invalid("id", format!("{text} is not a number")))
}

fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json") || v.contains("*/*"))
}

fn ok(value: Value) -> Response {
    let mut response = (StatusCode::OK, Body::from(value.to_string())).into_response();
    let json = header::HeaderValue::from_static("application/json");
    response.headers_mut().insert(header::CONTENT_TYPE, json);
    response
}

/// ONS's error body.
fn error(e: OnsError) -> Response {
    let body = json!({ "errorResponseEntries": [{ "field": e.field, "value": null, "message": e.message }] });
    let mut response = ok(body);
    *response.status_mut() = e.status;
    response
}
