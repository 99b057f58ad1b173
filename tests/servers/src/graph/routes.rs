//! Dispatch: the token endpoint, then for Graph calls the bearer token, the fault knobs and
//! the write budget, then the resource.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::delta::{Feed, Kind};
use super::odata::{self, GraphError, Query};
use super::{Fault, Shared};
use crate::bearer::Refusal;
use crate::fault;
use crate::lock;
use crate::serve::Incoming;

pub(super) async fn route(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (method, path, query, headers, body) = Incoming::read(request).await.into_parts();
    if path.ends_with("/oauth2/v2.0/token") || path.ends_with("/oauth2/token") {
        return token(&shared, &path, &body);
    }
    let Some(rest) = path.strip_prefix("/v1.0/") else {
        return GraphError::bad_request("Invalid version.").into_response();
    };
    let request = format!("{method} {path}?{query}");
    shared.calls.record(&request);
    lock(&shared.stats).requests += 1;
    if let Err(e) = authorised(&shared, &headers) {
        lock(&shared.stats).unauthorized += 1;
        return e.into_response();
    }
    let fault = shared.calls.take(&request);
    match fault {
        Some(Fault::Status(code)) => return status(code),
        Some(Fault::Throttle(seconds)) => return GraphError::throttled(seconds).into_response(),
        Some(Fault::Hang) => fault::hang().await,
        _ => {}
    }
    let write = method != Method::GET;
    if write && let Err(e) = admit_write(&shared) {
        return e.into_response();
    }
    let segments: Vec<&str> = rest.split('/').collect();
    let response = match answer(&shared, &method, &segments, &query, &body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    if write && response.status().is_success() {
        lock(&shared.stats).writes += 1;
    }
    fault::after(fault, response).await
}

fn answer(
    shared: &Shared,
    method: &Method,
    segments: &[&str],
    raw: &str,
    body: &[u8],
) -> Result<Response, GraphError> {
    let q = Query::parse(raw)?;
    let mut d = lock(&shared.directory);
    let base = lock(&shared.base).clone();
    match (method.as_str(), segments) {
        ("GET", ["organization"]) => Ok(odata::reply(
            StatusCode::OK,
            &json!({ "value": [{
                "id": shared.options.tenant, "displayName": "Ziekenhuis Tessera (mock)",
                "verifiedDomains": shared.options.domains.iter().map(|d| json!({"name": d})).collect::<Vec<_>>(),
            }]}),
        )),
        ("GET", ["users"]) => {
            let users: Vec<&Map<String, Value>> = d.users.values().collect();
            list(
                &users,
                &q,
                &format!("{base}/users"),
                "users",
                odata::DEFAULT_USER,
            )
        }
        ("POST", ["users"]) => {
            let user = d.create_user(&object(body)?)?;
            let shown = odata::project(&user, None, odata::DEFAULT_USER);
            Ok(odata::reply(StatusCode::CREATED, &shown))
        }
        ("GET", ["users" | "groups", "delta"]) => {
            let kind = if segments[0] == "users" {
                Kind::Users
            } else {
                Kind::Groups
            };
            let feed = Feed {
                directory: &d,
                epoch: *lock(&shared.epoch),
                page_size: shared.options.delta_page,
                replay: *lock(&shared.replay),
                partial: *lock(&shared.partial),
                base,
            };
            feed.answer(kind, &q)
        }
        ("GET", ["users", id]) => {
            let id = d.resolve(id)?;
            let user = d.users.get(&id).ok_or_else(|| GraphError::not_found(&id))?;
            Ok(odata::reply(
                StatusCode::OK,
                &odata::project(user, q.select.as_deref(), odata::DEFAULT_USER),
            ))
        }
        ("PATCH", ["users", id]) => d.patch_user(id, &object(body)?).map(|()| no_content()),
        ("DELETE", ["users", id]) => d.delete_user(id).map(|()| no_content()),
        ("GET", ["groups"]) => {
            let groups: Vec<Map<String, Value>> =
                d.groups.iter().map(|(id, g)| group_object(id, g)).collect();
            let refs: Vec<&Map<String, Value>> = groups.iter().collect();
            list(
                &refs,
                &q,
                &format!("{base}/groups"),
                "groups",
                &["id", "displayName", "description"],
            )
        }
        ("GET", ["groups", id, "members"]) => {
            let g = d.groups.get(*id).ok_or_else(|| GraphError::not_found(id))?;
            let members: Vec<Map<String, Value>> = g
                .members
                .iter()
                .map(|m| member_object(m, g.nested.contains(m)))
                .collect();
            let refs: Vec<&Map<String, Value>> = members.iter().collect();
            list(
                &refs,
                &q,
                &format!("{base}/groups/{id}/members"),
                "directoryObjects",
                &["id"],
            )
        }
        ("POST", ["groups", id, "members", "$ref"]) => {
            let member = referenced(&object(body)?)?;
            d.change_member(id, &member, true).map(|()| no_content())
        }
        ("POST", ["groups", id, "members", member, "$ref"]) => {
            d.change_member(id, member, true).map(|()| no_content())
        }
        ("DELETE", ["groups", id, "members", member, "$ref"]) => {
            d.change_member(id, member, false).map(|()| no_content())
        }
        _ => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!(
                "Resource not found for the segment '{}'.",
                segments.join("/")
            ),
        )),
    }
}

/// One page of `objects` matching the query's filter, `$top` at a time; the state of the
/// listing travels in the next link's `$skiptoken`.
fn list(
    objects: &[&Map<String, Value>],
    q: &Query,
    link: &str,
    context: &str,
    default: &[&str],
) -> Result<Response, GraphError> {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Listing {
        offset: usize,
        top: usize,
        select: Option<Vec<String>>,
        filter: Option<String>,
    }
    let state = match &q.skiptoken {
        Some(t) => odata::untoken::<Listing>(t)?,
        None => Listing {
            offset: 0,
            top: q.top.unwrap_or(100),
            select: q.select.clone(),
            filter: q.filter.clone(),
        },
    };
    let mut matching = Vec::new();
    for o in objects {
        if state
            .filter
            .as_deref()
            .map_or(Ok(true), |f| odata::matches(o, f))?
        {
            matching.push(*o);
        }
    }
    let end = (state.offset + state.top).min(matching.len());
    let items = matching
        .get(state.offset..end)
        .unwrap_or_default()
        .iter()
        .map(|o| odata::project(o, state.select.as_deref(), default))
        .collect();
    let next = (end < matching.len()).then(|| {
        let token = odata::token(&Listing {
            offset: end,
            ..state
        });
        format!("{link}?$skiptoken={token}")
    });
    Ok(odata::page(items, next, context))
}

fn group_object(id: &str, g: &super::Group) -> Map<String, Value> {
    let value = json!({
        "id": id, "displayName": g.display_name, "description": g.description,
        "securityEnabled": true, "mailEnabled": false, "groupTypes": [],
        "onPremisesSyncEnabled": if g.on_premises { Value::Bool(true) } else { Value::Null },
    });
    value.as_object().cloned().unwrap_or_default()
}

fn member_object(id: &str, nested: bool) -> Map<String, Value> {
    let kind = if nested {
        "#microsoft.graph.group"
    } else {
        "#microsoft.graph.user"
    };
    let value = json!({ "@odata.type": kind, "id": id });
    value.as_object().cloned().unwrap_or_default()
}

/// The object id at the end of a `{"@odata.id": ".../directoryObjects/{id}"}` reference.
fn referenced(body: &Map<String, Value>) -> Result<String, GraphError> {
    body.get("@odata.id")
        .and_then(Value::as_str)
        .and_then(|url| url.rsplit('/').next())
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| GraphError::bad_request("Invalid URL format specified in @odata.id."))
}

fn object(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    serde_json::from_slice(body).map_err(|_| {
        GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
    })
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn status(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (name, message) = match code {
        503 => (
            "serviceNotAvailable",
            "The service is temporarily unavailable.",
        ),
        504 => (
            "gatewayTimeout",
            "The gateway did not receive a timely response.",
        ),
        _ => ("generalException", "An unspecified error has occurred."),
    };
    GraphError::new(status, name, message).into_response()
}

/// The bearer token must be one the mock issued and has not expired.
fn authorised(shared: &Shared, headers: &HeaderMap) -> Result<(), GraphError> {
    shared.tokens.check(headers).map_err(|refusal| {
        GraphError::unauthorized(match refusal {
            Refusal::Missing => "Access token is empty.",
            Refusal::Expired => "Lifetime validation failed, the token is expired.",
            Refusal::Unknown => "IDX14100: JWT is not well formed.",
        })
    })
}

/// Counts a write against the budget, or answers 429 with the seconds until one is free.
fn admit_write(shared: &Shared) -> Result<(), GraphError> {
    let Some(window) = &shared.writes else {
        return Ok(());
    };
    window.admit().map_err(|free| {
        lock(&shared.stats).throttled += 1;
        GraphError::throttled(free.as_secs_f64().ceil().max(1.0) as u64)
    })
}

/// `POST /{tenant}/oauth2/v2.0/token` with a client-credentials form.
fn token(shared: &Shared, path: &str, body: &[u8]) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let o = &shared.options;
    let refuse = |status: StatusCode, error: &str, description: &str| {
        odata::reply(
            status,
            &json!({ "error": error, "error_description": description, "error_codes": [] }),
        )
    };
    if !path.starts_with(&format!("/{}/", o.tenant)) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "AADSTS90002: Tenant not found.",
        );
    }
    if field("grant_type") != Some("client_credentials") {
        return refuse(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "AADSTS70003: The app requested an unsupported grant type.",
        );
    }
    if path.contains("/v2.0/") && field("scope") != Some("https://graph.microsoft.com/.default") {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
        );
    }
    if field("client_id") != Some(o.client_id.as_str())
        || field("client_secret") != Some(o.client_secret.as_str())
    {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
        );
    }
    let mut stats = lock(&shared.stats);
    stats.tokens_issued += 1;
    let token = format!(
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.mock.{}",
        stats.tokens_issued
    );
    shared.tokens.issue(&token, o.token_lifetime);
    let body = json!({
        "token_type": "Bearer", "expires_in": o.token_lifetime.as_secs(),
        "ext_expires_in": o.token_lifetime.as_secs(), "access_token": token,
    });
    odata::reply(StatusCode::OK, &body)
}
