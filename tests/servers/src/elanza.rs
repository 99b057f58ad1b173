//! A mock of Elanza's REST API on 127.0.0.1, built from the recorded facts: `GET` only under
//! `/rest-api/v1`, the API key in the `elanza-api-key-v1` header, list envelopes
//! (`{"departments": …}`, `{"skills": …}`, `{"workers": [{"worker", "shifts"}]}`), products
//! one by one, errors as `{"message": …}`. Fault knobs make it answer like a bad day in
//! production; every request is counted per path so tests can check caching.

mod data;
mod names;
mod render;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use crate::lock;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDateTime, Utc};
use render::Pieces;
use serde::Serialize;

pub use data::{
    Changes, Dataset, Department, Generate, PlannedWorker, Product, Shift, Skill, Worker, at,
};

/// The header the API key travels in.
pub const API_KEY_HEADER: &str = "elanza-api-key-v1";
const PREFIX: &str = "/rest-api/v1";

/// The endpoints a fault knob can aim at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Departments,
    Skills,
    PlannedWorkers,
    Product,
    Department,
}

impl Endpoint {
    fn of(path: &str) -> Option<Self> {
        let rest = path.strip_prefix(PREFIX)?;
        Some(match rest {
            "/departments" => Self::Departments,
            "/skills" => Self::Skills,
            "/plannedWorkers" => Self::PlannedWorkers,
            r if r.starts_with("/product/") => Self::Product,
            r if r.starts_with("/department/") => Self::Department,
            _ => return None,
        })
    }
}

/// Ways to misbehave; all off by default.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// This endpoint answers 500.
    pub status_500: Option<Endpoint>,
    /// This endpoint waits this long before answering (a long one is a hang).
    pub delay: Option<(Endpoint, Duration)>,
    /// This endpoint answers 200 with the JSON cut off halfway.
    pub truncate: Option<Endpoint>,
    /// The worker with this number is served without `workerNumber`.
    pub worker_without_number: Option<u64>,
    /// The shift with this uuid is served without `productUuid`.
    pub shift_without_product: Option<String>,
    /// The product with this uuid answers 404.
    pub product_not_found: Option<String>,
}

/// How to start the mock.
#[derive(Debug, Clone)]
pub struct ElanzaOptions {
    /// The only key accepted.
    pub api_key: String,
    pub data: Dataset,
    pub faults: Faults,
}

/// The data, and its plannedWorkers pieces, made again whenever the data changes.
struct Served {
    data: Dataset,
    pieces: Pieces,
}

impl Served {
    fn new(data: Dataset) -> Self {
        let pieces = Pieces::of(&data);
        Self { data, pieces }
    }
}

struct Shared {
    api_key: String,
    data: RwLock<Served>,
    faults: Mutex<Faults>,
    hits: Mutex<HashMap<String, usize>>,
    windows: Mutex<Vec<(String, String)>>,
}

/// A running mock; stops when dropped.
pub struct ElanzaMock {
    served: crate::serve::Served,
    shared: Arc<Shared>,
}

impl ElanzaMock {
    /// Starts on a free loopback port on the current tokio runtime.
    pub async fn start(options: ElanzaOptions) -> Self {
        let shared = Arc::new(Shared {
            api_key: options.api_key,
            data: RwLock::new(Served::new(options.data)),
            faults: Mutex::new(options.faults),
            hits: Mutex::default(),
            windows: Mutex::default(),
        });
        let api = Router::new()
            .route("/departments", get(departments))
            .route("/skills", get(skills))
            .route("/plannedWorkers", get(planned_workers))
            .route("/product/{uuid}", get(product))
            .route("/department/{uuid}", get(department));
        let app = Router::new()
            .nest(PREFIX, api)
            .fallback(|| async { message(StatusCode::NOT_FOUND, "Not found") })
            .layer(axum::middleware::from_fn_with_state(shared.clone(), guard))
            .with_state(shared.clone());
        let served = crate::serve::Served::start(app, "mock Elanza").await;
        Self { served, shared }
    }

    /// The base URL, `http://127.0.0.1:PORT` (also the origin to grant).
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// Requests to exactly this path (no query), e.g. `/rest-api/v1/skills`.
    pub fn hits(&self, path: &str) -> usize {
        lock(&self.shared.hits).get(path).copied().unwrap_or(0)
    }

    /// Requests to paths starting with `prefix`.
    pub fn hits_under(&self, prefix: &str) -> usize {
        let hits = lock(&self.shared.hits);
        hits.iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }

    /// Every path requested and how often.
    pub fn all_hits(&self) -> HashMap<String, usize> {
        lock(&self.shared.hits).clone()
    }

    /// The `from` and `to` of every valid plannedWorkers request, as received.
    pub fn windows(&self) -> Vec<(String, String)> {
        lock(&self.shared.windows).clone()
    }

    /// Replaces the fault knobs.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = faults;
    }

    /// Changes the data between runs.
    pub fn update<R>(&self, change: impl FnOnce(&mut Dataset) -> R) -> R {
        let mut data = self
            .shared
            .data
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let out = change(&mut data.data);
        // Made again at once, under the write lock: no answer joins old pieces to new data,
        // and the next client does not wait while the mock serialises the whole window.
        data.pieces = Pieces::of(&data.data);
        out
    }

    /// Reads the data.
    pub fn with_data<R>(&self, read: impl FnOnce(&Dataset) -> R) -> R {
        read(&read_served(&self.shared).data)
    }
}

fn message(status: StatusCode, text: &str) -> Response {
    json(status, &serde_json::json!({ "message": text }))
}

fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => message(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Counting, the API key, and the fault knobs, around every request.
async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    *lock(&shared.hits).entry(path.clone()).or_default() += 1;
    let key = request.headers().get(API_KEY_HEADER).map(|v| v.as_bytes());
    if key != Some(shared.api_key.as_bytes()) {
        // The real API says little; the body holds only a message.
        return message(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let endpoint = Endpoint::of(&path);
    let faults = lock(&shared.faults).clone();
    if let Some((target, wait)) = faults.delay
        && endpoint == Some(target)
    {
        tokio::time::sleep(wait).await;
    }
    if endpoint.is_some() && faults.status_500 == endpoint {
        return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
    }
    let response = next.run(request).await;
    if endpoint.is_some() && faults.truncate == endpoint {
        return truncated(response).await;
    }
    response
}

async fn truncated(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(half))
}

fn read_served(shared: &Shared) -> std::sync::RwLockReadGuard<'_, Served> {
    shared.data.read().unwrap_or_else(PoisonError::into_inner)
}

async fn departments(State(shared): State<Arc<Shared>>) -> Response {
    json(
        StatusCode::OK,
        &serde_json::json!({ "departments": read_served(&shared).data.departments }),
    )
}

async fn skills(State(shared): State<Arc<Shared>>) -> Response {
    json(
        StatusCode::OK,
        &serde_json::json!({ "skills": read_served(&shared).data.skills }),
    )
}

async fn product(State(shared): State<Arc<Shared>>, Path(uuid): Path<String>) -> Response {
    let missing = lock(&shared.faults).product_not_found.as_ref() == Some(&uuid);
    let served = read_served(&shared);
    let data = &served.data;
    // UUIDs are matched without case, as the API does; it may also answer in either case.
    let found = data
        .products
        .iter()
        .find(|p| p.uuid.eq_ignore_ascii_case(&uuid));
    match found.filter(|_| !missing) {
        Some(p) => json(StatusCode::OK, p),
        None => message(StatusCode::NOT_FOUND, "Product not found"),
    }
}

async fn department(State(shared): State<Arc<Shared>>, Path(uuid): Path<String>) -> Response {
    let served = read_served(&shared);
    match served
        .data
        .departments
        .iter()
        .find(|d| d.uuid.eq_ignore_ascii_case(&uuid))
    {
        Some(d) => json(StatusCode::OK, d),
        None => message(StatusCode::NOT_FOUND, "Department not found"),
    }
}

/// `yyyy-MM-ddTHH:mm:ssZ`, nothing else; the error is the 400's message.
fn instant(query: &HashMap<String, String>, name: &str) -> Result<DateTime<Utc>, String> {
    let text = query
        .get(name)
        .ok_or_else(|| format!("{name} is required"))?;
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ")
        .map(|t| t.and_utc())
        .map_err(|_| format!("{name} must be formatted yyyy-MM-ddTHH:mm:ssZ"))
}

async fn planned_workers(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (from, to) = match (instant(&query, "from"), instant(&query, "to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return message(StatusCode::BAD_REQUEST, &e),
    };
    if from > to {
        return message(StatusCode::BAD_REQUEST, "from must not be after to");
    }
    lock(&shared.windows).push((query["from"].clone(), query["to"].clone()));
    let faults = lock(&shared.faults).clone();
    let served = read_served(&shared);
    let body = Bytes::from(served.pieces.render(&served.data, &faults, (from, to)));
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests;
