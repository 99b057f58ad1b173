//! A mock of the Visma Raet Youforce IAM API (HR Core Beaufort) on 127.0.0.1, built from the
//! facts in `research/hr-sources.md` §2.
//!
//! - `POST /connect/token`: OAuth2 client credentials, `tenant_id` accepted but not needed (the
//!   newer Visma endpoint has none); a wrong client gets 401 `invalid_client`, a wrong tenant
//!   400. Tokens last an hour; every one issued is counted, as Visma allows 400 a month.
//! - `GET /iam/v1.0/{persons,employments,assignments,jobProfiles,organizationUnits}`: bearer
//!   token (401 without), `take` capped at 500, `nextLink` (absolute, an opaque `nextToken`)
//!   only while more follow, `{"value": […]}`. Properties without a value are left out, not
//!   null; an open end date is `9999-12-31`; deleted records are `{"id", "isDeleted": true}`.
//! - A spike arrest: past the configured number of calls in a window, 429 with a body saying
//!   "Too Many Requests" and no `Retry-After`. Fault knobs add 5xx, hangs and cut bodies.

mod data;
mod routes;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;

pub use data::Hr;

use crate::bearer::Tokens;
pub use crate::fault::Fault;
use crate::fault::{Calls, Window};
use crate::lock;

/// How to start the mock.
#[derive(Debug, Clone)]
pub struct YouforceOptions {
    pub client_id: String,
    pub client_secret: String,
    pub tenant_id: String,
    /// At most this many API calls in any window of this length; none for no limit.
    pub rate: Option<(usize, Duration)>,
}

/// What reached the mock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Token requests answered with a token.
    pub tokens_issued: usize,
    /// API calls (token requests not counted).
    pub requests: usize,
    /// Calls answered 429 by the spike arrest.
    pub throttled: usize,
    /// Calls answered 401.
    pub unauthorized: usize,
}

struct Shared {
    options: YouforceOptions,
    hr: Mutex<Hr>,
    tokens: Tokens,
    rate: Option<Window>,
    calls: Calls,
    stats: Mutex<Stats>,
    base: Mutex<String>,
}

/// A running mock; stops when dropped.
pub struct YouforceMock {
    served: crate::serve::Served,
    shared: Arc<Shared>,
}

impl YouforceMock {
    /// Starts on a free loopback port on the current tokio runtime with `hr`.
    pub async fn start(options: YouforceOptions, hr: Hr) -> Self {
        let rate = options.rate.map(|(most, length)| Window::new(most, length));
        let shared = Arc::new(Shared {
            rate,
            options,
            hr: Mutex::new(hr),
            tokens: Tokens::default(),
            calls: Calls::default(),
            stats: Mutex::default(),
            base: Mutex::default(),
        });
        let app = Router::new()
            .fallback(routes::route)
            .with_state(shared.clone());
        let served = crate::serve::Served::start(app, "mock Youforce").await;
        *lock(&shared.base) = served.url();
        Self { served, shared }
    }

    /// `http://127.0.0.1:PORT`: the origin to grant and the plugin's `base_url`.
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/connect/token", self.served.url())
    }

    /// Reads or changes the HR data (HR at work in Beaufort).
    pub fn hr<R>(&self, f: impl FnOnce(&mut Hr) -> R) -> R {
        f(&mut lock(&self.shared.hr))
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// `METHOD path?query` of every API call so far.
    pub fn seen(&self) -> Vec<String> {
        self.shared.calls.seen()
    }

    /// The next `times` calls whose `METHOD /path?query` starts with `prefix` misbehave.
    pub fn fault(&self, prefix: &str, fault: Fault, times: usize) {
        self.shared.calls.arm(prefix, fault, times);
    }
}
