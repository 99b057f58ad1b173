//! Dispatch: the token endpoint; for API calls the bearer token, the spike arrest and the
//! fault knobs, then one page of an entity.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::{Fault, Shared};
use crate::fault;
use crate::lock;
use crate::serve::Incoming;

/// The most records one page holds, whatever `take` asks.
const PAGE_CAP: usize = 500;
/// What a token lasts.
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

pub(super) async fn route(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (method, path, query, headers, body) = Incoming::read(request).await.into_parts();
    if method == axum::http::Method::POST && path == "/connect/token" {
        return token(&shared, &body);
    }
    let request = format!("{method} {path}?{query}");
    shared.calls.record(&request);
    lock(&shared.stats).requests += 1;
    if !authorised(&shared, &headers) {
        lock(&shared.stats).unauthorized += 1;
        return reply(
            StatusCode::UNAUTHORIZED,
            &json!({ "message": "Unauthorized" }),
        );
    }
    if !admit(&shared) {
        lock(&shared.stats).throttled += 1;
        return reply(
            StatusCode::TOO_MANY_REQUESTS,
            &json!({ "message": "Too Many Requests" }),
        );
    }
    let fault = shared.calls.take(&request);
    match fault {
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return reply(status, &json!({ "message": "Internal Server Error" }));
        }
        Some(Fault::Throttle(_)) => {
            return reply(
                StatusCode::TOO_MANY_REQUESTS,
                &json!({ "message": "Too Many Requests" }),
            );
        }
        Some(Fault::Hang) => fault::hang().await,
        _ => {}
    }
    let response = page(&shared, &path, &query);
    fault::after(fault, response).await
}

/// One page of `/iam/v1.0/<entity>`.
fn page(shared: &Shared, path: &str, query: &str) -> Response {
    let Some(entity) = path.strip_prefix("/iam/v1.0/") else {
        return reply(
            StatusCode::NOT_FOUND,
            &json!({ "message": "Resource not found" }),
        );
    };
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let take = param("take")
        .and_then(|t| t.parse().ok())
        .unwrap_or(PAGE_CAP)
        .clamp(1, PAGE_CAP);
    let offset = match param("nextToken").map(|t| untoken(&t)) {
        None => 0,
        Some(Some(n)) => n,
        Some(None) => {
            return reply(
                StatusCode::BAD_REQUEST,
                &json!({ "message": "Invalid nextToken" }),
            );
        }
    };
    let hr = lock(&shared.hr);
    let Some(records) = hr.list(entity) else {
        return reply(
            StatusCode::NOT_FOUND,
            &json!({ "message": "Resource not found" }),
        );
    };
    let end = (offset + take).min(records.len());
    let value: Vec<&serde_json::Map<String, Value>> = records
        .get(offset..end)
        .unwrap_or_default()
        .iter()
        .collect();
    let mut body = json!({ "value": value });
    if end < records.len() {
        let base = lock(&shared.base).clone();
        body["nextLink"] = json!(format!(
            "{base}{path}?take={take}&nextToken={}",
            token_for(end)
        ));
    }
    reply(StatusCode::OK, &body)
}

/// The bookmark of a page start: opaque to clients, as Visma's is.
fn token_for(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("bookmark:{offset}"))
}

fn untoken(token: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("bookmark:")?
        .parse()
        .ok()
}

/// The spike arrest: at most the configured calls in any window.
fn admit(shared: &Shared) -> bool {
    shared.rate.as_ref().is_none_or(|w| w.admit().is_ok())
}

/// `POST /connect/token` with a client-credentials form.
fn token(shared: &Shared, body: &[u8]) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let o = &shared.options;
    if field("grant_type") != Some("client_credentials") {
        return reply(
            StatusCode::BAD_REQUEST,
            &json!({ "error": "unsupported_grant_type" }),
        );
    }
    if field("client_id") != Some(o.client_id.as_str())
        || field("client_secret") != Some(o.client_secret.as_str())
    {
        return reply(
            StatusCode::UNAUTHORIZED,
            &json!({ "error": "invalid_client" }),
        );
    }
    if field("tenant_id").is_some_and(|t| t != o.tenant_id) {
        return reply(
            StatusCode::BAD_REQUEST,
            &json!({ "error": "invalid_request", "error_description": "unknown tenant" }),
        );
    }
    let n = {
        let mut stats = lock(&shared.stats);
        stats.tokens_issued += 1;
        stats.tokens_issued
    };
    let token = format!("yf-token-{n}-{}", fastrand::u64(..));
    shared.tokens.issue(&token, TOKEN_LIFETIME);
    let answer = json!({
        "access_token": token, "expires_in": TOKEN_LIFETIME.as_secs(), "token_type": "Bearer",
        "scope": "Youforce-IAM:Get_Basic Youforce-Extensions:files:Get_Basic",
    });
    reply(StatusCode::OK, &answer)
}

fn authorised(shared: &Shared, headers: &HeaderMap) -> bool {
    shared.tokens.check(headers).is_ok()
}

fn reply(status: StatusCode, value: &Value) -> Response {
    let mut response = (status, Body::from(value.to_string())).into_response();
    let json = header::HeaderValue::from_static("application/json");
    response.headers_mut().insert(header::CONTENT_TYPE, json);
    response
}
