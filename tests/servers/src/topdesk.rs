//! A mock of TOPdesk's REST API (`/tas/api`) on 127.0.0.1 for persons and their lookups, built
//! from the facts in `research/helloid-connectors.md` §2.3 and what public TOPdesk clients
//! rely on.
//!
//! - HTTP Basic with an operator's login name and application password; anything else gets
//!   TOPdesk's 401, an HTML page rather than JSON.
//! - `GET /tas/api/persons` in the v1 form: `start` and `page_size` (default 10, at most 100),
//!   a FIQL `query` (`==`, `!=`, `;` for and). The status says whether more follow: 206
//!   Partial Content while they do, 200 on the last page, 204 with no body when nothing
//!   matches. Archived persons are listed only when the query asks for `archived==true`.
//! - `GET /tas/api/persons/id/{id}`, `POST /tas/api/persons` (`surName` and `branch` are
//!   mandatory; references are `{"id": …}`), `PATCH /tas/api/persons/id/{id}` (refused for an
//!   archived person), `PATCH|PUT …/archive` with an archiving reason's id and `…/unarchive`.
//!   Unset text fields come back as empty strings.
//! - `GET /tas/api/branches` (FIQL on `name`), `/departments`, `/budgetholders` and
//!   `/archiving-reasons`, whole lists without paging; `POST /departments` and
//!   `/budgetholders` with a name.
//! - `POST /tas/api/incidents` (a caller by `callerLookup` or `caller.dynamicName`, at most 80
//!   characters of `briefDescription`) answers 201 with the incident, numbered `I YYMM NNN`;
//!   `GET /tas/api/incidents/id/{id}` reads one back, `completed` and `closed` as an operator
//!   left them ([`TopdeskMock::finish_incident`]).
//! - Errors are a JSON array of `{"message": …}`. Fault knobs add 5xx, 429, hangs and
//!   truncated bodies.

mod data;
mod fiql;
mod incidents;
mod routes;

use std::sync::{Arc, Mutex};

use axum::Router;
use serde_json::{Map, Value};

pub use data::{Data, Named};

use crate::fault::Calls;
pub use crate::fault::Fault;
use crate::lock;

/// How to start the mock.
#[derive(Debug, Clone)]
pub struct TopdeskOptions {
    /// The operator's login name.
    pub login: String,
    /// Its application password.
    pub password: String,
}

/// What reached the mock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// API calls.
    pub requests: usize,
    /// Writes that changed something.
    pub writes: usize,
    /// Calls answered 401.
    pub unauthorized: usize,
}

struct Shared {
    options: TopdeskOptions,
    data: Mutex<Data>,
    calls: Calls,
    stats: Mutex<Stats>,
}

/// A running mock; stops when dropped.
pub struct TopdeskMock {
    served: crate::serve::Served,
    shared: Arc<Shared>,
}

impl TopdeskMock {
    /// Starts on a free loopback port on the current tokio runtime with `data`.
    pub async fn start(options: TopdeskOptions, data: Data) -> Self {
        let shared = Arc::new(Shared {
            options,
            data: Mutex::new(data),
            calls: Calls::default(),
            stats: Mutex::default(),
        });
        let app = Router::new()
            .fallback(routes::route)
            .with_state(shared.clone());
        let served = crate::serve::Served::start(app, "mock TOPdesk").await;
        Self { served, shared }
    }

    /// `http://127.0.0.1:PORT`: the origin to grant and the plugin's `base_url`.
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// Reads or changes the data past the API (an operator at work in TOPdesk).
    pub fn data<R>(&self, f: impl FnOnce(&mut Data) -> R) -> R {
        f(&mut lock(&self.shared.data))
    }

    /// The person whose `field` is `value`, as the API shows it.
    pub fn person(&self, field: &str, value: &str) -> Option<Map<String, Value>> {
        let d = lock(&self.shared.data);
        d.find(field, value).map(|p| d.shown(p))
    }

    /// Every incident opened, as the API shows it.
    pub fn incidents(&self) -> Vec<Map<String, Value>> {
        lock(&self.shared.data).incidents.clone()
    }

    /// An operator completes the incident numbered `number` (and closes it, with `close`);
    /// `false` when there is none.
    pub fn finish_incident(&self, number: &str, close: bool) -> bool {
        incidents::finish(&mut lock(&self.shared.data), number, close)
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// `METHOD path?query` of every API call so far.
    pub fn seen(&self) -> Vec<String> {
        self.shared.calls.seen()
    }

    /// The next `times` calls whose `METHOD /tas/api/path?query` starts with `prefix`
    /// misbehave.
    pub fn fault(&self, prefix: &str, fault: Fault, times: usize) {
        self.shared.calls.arm(prefix, fault, times);
    }
}
