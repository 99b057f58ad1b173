//! A small HTTP server on 127.0.0.1 for the http and xml capability tests: it records what
//! reached it (so tests can see injected credentials the plugin never saw) and offers the
//! awkward answers a capability must survive — redirects, huge bodies, a server that never
//! answers, an OAuth2 token endpoint and a large SOAP response.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::lock;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Every header, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Seen {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    seen: Mutex<Vec<Seen>>,
    client_secret: Mutex<String>,
    tokens_issued: Mutex<usize>,
}

/// A running server; stops when dropped.
pub struct WebServer {
    served: crate::serve::Served,
    shared: Arc<Shared>,
}

impl WebServer {
    /// Starts on a free loopback port on the current tokio runtime. `client_secret` is what
    /// the OAuth2 token endpoint accepts for client id `tessera`.
    pub async fn start(client_secret: &str) -> Self {
        let shared = Arc::new(Shared::default());
        *lock(&shared.client_secret) = client_secret.to_owned();
        let app = Router::new()
            .route("/hello", get(hello))
            .route("/redirect", get(redirect))
            .route("/big", get(big))
            .route("/hang", get(hang))
            .route("/token", post(token))
            .route("/soap", get(soap))
            .route("/unauthorized", get(unauthorized))
            .fallback(any(not_found))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), record))
            .with_state(shared.clone());
        let served = crate::serve::Served::start(app, "test server").await;
        Self { served, shared }
    }

    /// `http://127.0.0.1:PORT` — the origin.
    pub fn origin(&self) -> String {
        self.served.url()
    }

    /// An absolute URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    /// Requests seen so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.shared.seen).clone()
    }

    /// Access tokens the token endpoint has handed out.
    pub fn tokens_issued(&self) -> usize {
        *lock(&self.shared.tokens_issued)
    }
}

async fn record(
    State(shared): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    lock(&shared.seen).push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: bytes.to_vec(),
    });
    let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    next.run(request).await
}

async fn hello() -> impl IntoResponse {
    ([("x-probe", "yes")], "hello")
}

async fn redirect(Query(q): Query<HashMap<String, String>>) -> Response {
    let to = q.get("to").cloned().unwrap_or_default();
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn big(Query(q): Query<HashMap<String, String>>) -> Vec<u8> {
    let n = q.get("bytes").and_then(|b| b.parse().ok()).unwrap_or(0);
    vec![b'a'; n]
}

/// Never answers: a client must give up on its own deadline.
async fn hang() -> &'static str {
    std::future::pending::<()>().await;
    "unreachable"
}

async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url_form(&body);
    let expected = lock(&shared.client_secret).clone();
    let good = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id").map(String::as_str) == Some("tessera")
        && form.get("client_secret") == Some(&expected);
    if !good {
        let body = r#"{"error":"invalid_client"}"#;
        return (StatusCode::UNAUTHORIZED, body).into_response();
    }
    let n = {
        let mut issued = lock(&shared.tokens_issued);
        *issued += 1;
        *issued
    };
    let body = format!(r#"{{"access_token":"tok-{n}","token_type":"Bearer","expires_in":3600}}"#);
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn url_form(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

async fn soap(Query(q): Query<HashMap<String, String>>) -> Response {
    let n = q.get("records").and_then(|b| b.parse().ok()).unwrap_or(10);
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        soap_users(n),
    )
        .into_response()
}

/// Refuses whatever credentials came, as a service does when a key was revoked.
async fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "ApiKey")],
        "invalid api key",
    )
        .into_response()
}

async fn not_found(method: Method, uri: Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("no route for {method} {uri}"),
    )
        .into_response()
}

/// A SOAP 1.1 response with `n` user records of ten fields, about 260 bytes each.
pub fn soap_users(n: usize) -> String {
    let mut out = String::with_capacity(n * 280 + 400);
    out.push_str(concat!(
        r#"<?xml version="1.0" encoding="utf-8"?>"#,
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>"#,
        r#"<antwoord xmlns="urn:hix:gebruikers"><gebruikers>"#
    ));
    for i in 0..n {
        out.push_str(&format!(
            "<gebruiker code=\"U{i:05}\"><ldap>user{i}</ldap><naam>Jansen &amp; Zn {i}</naam>\
             <functie>VPK</functie><afdeling>IC</afdeling><type></type><status>A</status>\
             <sleutel>N</sleutel><indienst>2026-01-01</indienst>\
             <groepen><groep>G{}</groep></groepen></gebruiker>",
            i % 40
        ));
    }
    out.push_str("</gebruikers></antwoord></s:Body></s:Envelope>");
    out
}
