//! A mock of AFAS Profit's REST GetConnectors on 127.0.0.1, built from the recorded facts:
//! `GET {base}/connectors/{id}` under `/profitrestservices` (any case), the token in
//! `Authorization: AfasToken <base64 of the token XML>`, the `{"skip","take","rows"}` envelope
//! with explicit nulls and dates that end in a `Z` but are Amsterdam local time, `skip`/`take`
//! (0/100 by default, `-1`/`-1` for everything, a mixed `-1` refused), `orderbyfieldids` with
//! `-` for descending, the parallel filter lists (`,` and, `;` or, operator codes 1–14), a
//! query string over 2,049 characters answered 404, and errors as `externalMessage`,
//! `errorNumber`, `profitLogReference`. The Tools4ever Users and Employments GetConnectors
//! apply their fixed ±3-month window relative to the mock's day.

mod data;
mod query;

use std::sync::{Arc, Mutex};

use crate::lock;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::NaiveDate;
use serde_json::{Value, json};

pub use data::{AfasData, Employee, Employment};

/// The Users GetConnector of the Tools4ever export.
pub const USERS: &str = "T4E_HelloID_Users_v2";
/// The Employments GetConnector of the Tools4ever export.
pub const EMPLOYMENTS: &str = "T4E_HelloID_Employments_v2";
const BASE: &str = "/profitrestservices";
/// AFAS refuses query strings longer than this with a 404.
const MAX_QUERY: usize = 2049;

/// Ways to misbehave; all off by default.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Every connector call answers 503 with `retry_after` (seconds), as in maintenance.
    pub maintenance: Option<u64>,
    /// Calls to this connector answer 500 "An unexpected error has occurred.".
    pub status_500: Option<String>,
}

/// How to start the mock.
#[derive(Debug, Clone)]
pub struct AfasOptions {
    /// The token XML (`<token><version>1</version><data>…</data></token>`) accepted.
    pub token: String,
    pub data: AfasData,
    /// The mock's today, for the fixed ±3-month filters.
    pub today: NaiveDate,
}

struct Shared {
    token: String,
    data: Mutex<AfasData>,
    today: Mutex<NaiveDate>,
    faults: Mutex<Faults>,
    /// Every connector request's query, as received, and its `IntegrationId`.
    seen: Mutex<Vec<(String, Option<String>)>>,
    /// The two GetConnectors' rows as of a day, built once until the data or the day changes,
    /// so benchmarks measure the client, not the mock.
    built: Mutex<Option<Built>>,
}

struct Built {
    today: NaiveDate,
    users: Arc<Vec<Row>>,
    employments: Arc<Vec<Row>>,
}

type Row = serde_json::Map<String, Value>;

/// A running mock; stops when dropped.
pub struct AfasMock {
    served: crate::serve::Served,
    shared: Arc<Shared>,
}

impl AfasMock {
    /// Starts on a free loopback port on the current tokio runtime.
    pub async fn start(options: AfasOptions) -> Self {
        let shared = Arc::new(Shared {
            token: options.token,
            data: Mutex::new(options.data),
            today: Mutex::new(options.today),
            faults: Mutex::default(),
            seen: Mutex::default(),
            built: Mutex::default(),
        });
        let app = Router::new().fallback(route).with_state(shared.clone());
        let served = crate::serve::Served::start(app, "mock AFAS Profit").await;
        Self { served, shared }
    }

    /// The REST base the plugin is configured with, `http://127.0.0.1:PORT/profitrestservices`.
    pub fn base_url(&self) -> String {
        format!("{}{BASE}", self.served.url())
    }

    /// The origin to grant, `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        self.served.url()
    }

    /// Each connector request's query string and `IntegrationId` header, in order.
    pub fn seen(&self) -> Vec<(String, Option<String>)> {
        lock(&self.shared.seen).clone()
    }

    /// Changes the data between runs.
    pub fn update<R>(&self, change: impl FnOnce(&mut AfasData) -> R) -> R {
        let out = change(&mut lock(&self.shared.data));
        *lock(&self.shared.built) = None;
        out
    }

    /// Moves the mock's day (the fixed filters follow).
    pub fn set_today(&self, today: NaiveDate) {
        *lock(&self.shared.today) = today;
    }

    /// Replaces the fault knobs.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = faults;
    }
}

/// The error body Profit sends with a 5xx.
fn profit_error(status: StatusCode, message: &str, number: i64) -> Response {
    let body = json!({
        "externalMessage": message,
        "errorNumber": number,
        "profitLogReference": "5B1F3A2C-0000-4000-8000-00000000BEEF",
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn route(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    if query.len() > MAX_QUERY {
        return StatusCode::NOT_FOUND.into_response();
    }
    let lower = path.to_ascii_lowercase();
    let Some(id) = lower
        .strip_prefix(&format!("{BASE}/connectors/"))
        .map(|_| &path[BASE.len() + "/connectors/".len()..])
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let headers = request.headers();
    if !authorised(headers.get(header::AUTHORIZATION), &shared.token) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let integration = headers
        .get("IntegrationId")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    lock(&shared.seen).push((query.clone(), integration));
    let faults = lock(&shared.faults).clone();
    if let Some(seconds) = faults.maintenance {
        let body = json!({"error": {"message": "Profit is being updated"}, "retry_after": seconds});
        return (StatusCode::SERVICE_UNAVAILABLE, body.to_string()).into_response();
    }
    if faults.status_500.as_deref() == Some(id) {
        return profit_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An unexpected error has occurred.",
            -2_147_180_999,
        );
    }
    let (users, employments) = rows(&shared);
    let rows = match id {
        USERS => users,
        EMPLOYMENTS => employments,
        _ => {
            return profit_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "GetConnector not supported for this app or the user is not authorized",
                -2_147_209_211,
            );
        }
    };
    match query::answer(&rows, &query) {
        Ok(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
        Err(message) => profit_error(StatusCode::INTERNAL_SERVER_ERROR, &message, -2_147_180_999),
    }
}

/// Both GetConnectors' rows as of the mock's day, built when the data or the day changed.
fn rows(shared: &Shared) -> (Arc<Vec<Row>>, Arc<Vec<Row>>) {
    let today = *lock(&shared.today);
    let mut built = lock(&shared.built);
    if built.as_ref().is_none_or(|b| b.today != today) {
        let data = lock(&shared.data);
        *built = Some(Built {
            today,
            users: Arc::new(data.user_rows(today)),
            employments: Arc::new(data.employment_rows(today)),
        });
    }
    built
        .as_ref()
        .map(|b| (b.users.clone(), b.employments.clone()))
        .unwrap_or_default()
}

/// `AfasToken <base64 of the XML token>`; a plain-text token is refused as Profit 7 does.
fn authorised(value: Option<&header::HeaderValue>, token: &str) -> bool {
    let Some(given) = value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("AfasToken "))
    else {
        return false;
    };
    base64::engine::general_purpose::STANDARD
        .decode(given.trim())
        .is_ok_and(|decoded| decoded == token.as_bytes())
}

/// A row's value for `field`, as the JSON carries it.
pub(crate) fn field<'a>(row: &'a serde_json::Map<String, Value>, field: &str) -> &'a Value {
    row.get(field).unwrap_or(&Value::Null)
}
