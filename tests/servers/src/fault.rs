//! Fault knobs the HTTP mocks share: a status with the mock's own error body, 429 with
//! `Retry-After`, a call that never answers (before or after doing its work), and a body cut
//! in half.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;

/// Ways to misbehave on requests whose `METHOD /path?query` starts with a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and the mock's error body for it.
    Status(u16),
    /// 429 with `Retry-After` in seconds.
    Throttle(u64),
    /// Never answer (the client's timeout ends the call).
    Hang,
    /// Do the work, then never answer: the client cannot know it happened.
    HangAfter,
    /// Answer half the body.
    Truncate,
}

/// The calls one mock saw, and the knobs armed against the next ones.
#[derive(Debug, Default)]
pub struct Calls {
    seen: Mutex<Vec<String>>,
    armed: Mutex<Vec<(String, Fault, usize)>>,
}

impl Calls {
    /// Notes a call as `METHOD /path?query`.
    pub fn record(&self, request: &str) {
        crate::lock(&self.seen).push(request.to_owned());
    }

    /// Every call noted so far, in order.
    pub fn seen(&self) -> Vec<String> {
        crate::lock(&self.seen).clone()
    }

    /// The next `times` requests starting with `prefix` get `fault`.
    pub fn arm(&self, prefix: &str, fault: Fault, times: usize) {
        crate::lock(&self.armed).push((prefix.to_owned(), fault, times));
    }

    /// The first knob aimed at `request` (`METHOD /path?query`), used up once.
    pub fn take(&self, request: &str) -> Option<Fault> {
        let mut armed = crate::lock(&self.armed);
        let i = armed
            .iter()
            .position(|(prefix, _, left)| *left > 0 && request.starts_with(prefix.as_str()))?;
        armed[i].2 -= 1;
        Some(armed[i].1.clone())
    }
}

/// Waits longer than any client does.
pub async fn hang() {
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

/// The response as the armed fault leaves it: never sent (the work was done), or cut short.
pub async fn after(fault: Option<Fault>, response: Response) -> Response {
    match fault {
        Some(Fault::HangAfter) => {
            hang().await;
            response
        }
        Some(Fault::Truncate) => truncated(response).await,
        _ => response,
    }
}

/// The first half of `response`'s body, without a `Content-Length` that would give it away.
pub async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}

/// A rate limit as APIs keep one: at most `most` calls in any window of `length`.
#[derive(Debug)]
pub struct Window {
    most: usize,
    length: Duration,
    calls: Mutex<VecDeque<Instant>>,
}

impl Window {
    pub fn new(most: usize, length: Duration) -> Self {
        Self {
            most,
            length,
            calls: Mutex::default(),
        }
    }

    /// Counts a call now, or answers how long until one is allowed.
    pub fn admit(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut calls = crate::lock(&self.calls);
        while calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.length)
        {
            calls.pop_front();
        }
        if calls.len() < self.most {
            calls.push_back(now);
            return Ok(());
        }
        let oldest = calls.front().map_or(now, |t| *t);
        Err(self.length.saturating_sub(now.duration_since(oldest)))
    }
}
