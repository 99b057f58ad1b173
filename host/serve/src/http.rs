//! `/healthz`, `/readyz` and `/metrics`, answered while runs go on: they read the metrics'
//! atomics and the store through their own connection, never waiting for a run.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use tessera_store::RunHistory;

use crate::metrics::Metrics;

/// What readiness is judged by.
pub struct Health {
    /// The store, through a connection of its own.
    pub history: Mutex<Box<dyn RunHistory + Send>>,
    /// How old each system's last good run may be.
    pub bounds: BTreeMap<String, Duration>,
    /// Systems whose plugin did not load, with why: never ready.
    pub unloaded: Vec<(String, String)>,
}

/// What every handler shares.
pub struct Shared {
    /// The daemon's metrics.
    pub metrics: Arc<Metrics>,
    /// Readiness.
    pub health: Health,
}

/// The router.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(shared)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    let judged = tokio::task::spawn_blocking(move || shared.health.judge(Utc::now())).await;
    let (ready, lines) = match judged {
        Ok(Ok(lines)) => (true, lines),
        Ok(Err(lines)) => (false, lines),
        Err(e) => (false, vec![format!("readiness check failed: {e}")]),
    };
    let status = match ready {
        true => StatusCode::OK,
        false => StatusCode::SERVICE_UNAVAILABLE,
    };
    let verdict = if ready { "ready" } else { "not ready" };
    let body = format!("{verdict}\n{}\n", lines.join("\n"));
    (status, body).into_response()
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    (
        [(header::CONTENT_TYPE, content_type)],
        shared.metrics.encode(),
    )
        .into_response()
}

impl Health {
    /// One line per system; `Err` when any system (or the store) is not ready.
    pub fn judge(&self, now: DateTime<Utc>) -> Result<Vec<String>, Vec<String>> {
        let history = match self.history.lock() {
            Ok(history) => history,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut lines = Vec::new();
        let mut ready = true;
        for (system, why) in &self.unloaded {
            ready = false;
            lines.push(format!("{system}: not loaded: {why}"));
        }
        for (system, bound) in &self.bounds {
            let last = match history.last_success(system, None) {
                Ok(last) => last,
                Err(e) => return Err(vec![format!("store: {e}")]),
            };
            let age = last.map(|at| (now - at).to_std().unwrap_or(Duration::ZERO));
            let line = match age {
                None => format!("{system}: no good run yet"),
                Some(age) => format!(
                    "{system}: last good run {} s ago (bound {} s)",
                    age.as_secs(),
                    bound.as_secs()
                ),
            };
            ready &= age.is_some_and(|age| age <= *bound);
            lines.push(line);
        }
        match ready {
            true => Ok(lines),
            false => Err(lines),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use tessera_store::{RunRecord, SqliteStore};

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn health(store: SqliteStore, unloaded: Vec<(String, String)>) -> Health {
        Health {
            history: Mutex::new(Box::new(store)),
            bounds: [("ad".to_owned(), Duration::from_secs(600))].into(),
            unloaded,
        }
    }

    fn run(status: &str, end: &str) -> RunRecord {
        RunRecord {
            system: "ad".into(),
            mode: "incremental".into(),
            started_at: at(end),
            finished_at: at(end),
            status: status.into(),
            notes: vec![],
        }
    }

    #[test]
    fn ready_while_every_system_s_last_good_run_is_young_enough() {
        let store = SqliteStore::open_in_memory().unwrap();
        store
            .record_run(&run("ok", "2026-12-03T10:00:00Z"))
            .unwrap();
        store
            .record_run(&run("failed", "2026-12-03T10:05:00Z"))
            .unwrap();
        let health = health(store, vec![]);
        let lines = health.judge(at("2026-12-03T10:09:00Z")).unwrap();
        assert_eq!(lines, ["ad: last good run 540 s ago (bound 600 s)"]);
        let late = health.judge(at("2026-12-03T10:10:01Z")).unwrap_err();
        assert_eq!(late, ["ad: last good run 601 s ago (bound 600 s)"]);
    }

    #[test]
    fn not_ready_before_a_first_good_run_or_with_a_system_that_did_not_load() {
        let store = SqliteStore::open_in_memory().unwrap();
        let health = health(store, vec![("hix".into(), "plugin missing".into())]);
        let lines = health.judge(at("2026-12-03T10:00:00Z")).unwrap_err();
        assert_eq!(
            lines,
            ["hix: not loaded: plugin missing", "ad: no good run yet"]
        );
    }
}
