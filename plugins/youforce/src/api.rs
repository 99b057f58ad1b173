//! Calls to the Youforce IAM API through the host's http capability; the host adds the bearer
//! token from its OAuth2 client credentials and keeps it across runs (Visma allows 400 token
//! calls a month).
//!
//! Youforce's spike arrest allows about one call every 0.6 s and answers 429 beyond, without
//! `Retry-After`. The plugin keeps its calls that far apart and, on a 429, waits and tries the
//! same page again, at most three times.

use std::time::{Duration, Instant};

use serde_json::Value;
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::{Method, Response};
use tessera_sdk::rest::{self, Kind, called};

/// Tries of one page that Youforce throttled.
const THROTTLED_TRIES: usize = 3;
/// The wait after a 429: just over the spike arrest's spacing.
const THROTTLED_WAIT: Duration = Duration::from_millis(601);
/// A bound on the pages of one list: 10,000 pages of 500.
const MAX_PAGES: usize = 10_000;

pub struct Api {
    /// `<base_url>`, without a trailing `/`.
    pub base: String,
    pub take: usize,
    pub interval: Duration,
    last: Option<Instant>,
}

impl Api {
    pub fn new(base: String, take: usize, interval: Duration) -> Self {
        Self {
            base,
            take,
            interval,
            last: None,
        }
    }

    /// Every record of `/iam/v1.0/<entity>`, following `nextLink`.
    pub fn all(&mut self, entity: &str) -> Result<Vec<Value>, ConnectorError> {
        let first = format!("{}/iam/v1.0/{entity}", self.base);
        let mut url = format!("{first}?take={}", self.take);
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.page(&url)?;
            if let Some(Value::Array(records)) = page.get("value") {
                out.extend(records.iter().cloned());
            }
            match page
                .get("nextLink")
                .and_then(Value::as_str)
                .filter(|l| !l.is_empty())
            {
                // Only the query of the link is used, on the same address: a link elsewhere
                // is never followed.
                Some(link) => {
                    url = format!("{first}{}", &link[link.find('?').unwrap_or(link.len())..])
                }
                None => return Ok(out),
            }
        }
        Err(ConnectorError::Other(format!(
            "{entity}: still a nextLink after {MAX_PAGES} pages; stopped"
        )))
    }

    fn page(&mut self, url: &str) -> Result<Value, ConnectorError> {
        let mut attempt = 1;
        loop {
            self.pace();
            let response = rest::send(Method::Get, url, &[], None, Kind::Read)?;
            if response.status != 429 || attempt == THROTTLED_TRIES {
                return parsed(url, &response);
            }
            attempt += 1;
            std::thread::sleep(THROTTLED_WAIT);
        }
    }

    /// Waits until `interval` has passed since the last call.
    fn pace(&mut self) {
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.interval {
                std::thread::sleep(self.interval - since);
            }
        }
        self.last = Some(Instant::now());
    }
}

/// A page's JSON, or the failure its status means.
fn parsed(url: &str, response: &Response) -> Result<Value, ConnectorError> {
    if !(200..300).contains(&response.status) {
        return Err(status_error(
            &called(Method::Get, url),
            response,
            Kind::Read,
        ));
    }
    rest::json(Method::Get, url, response, Kind::Read)
}

fn status_error(what: &str, response: &Response, kind: Kind) -> ConnectorError {
    let body = String::from_utf8_lossy(&response.body);
    let message = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let text = format!("{what} answered {}: {message}", response.status);
    match response.status {
        401 => ConnectorError::Denied(format!(
            "{text} (check the client id and secret in this system's http_auth oauth2, and that the app has the scope Youforce-IAM:Get_Basic)"
        )),
        403 => ConnectorError::Denied(format!(
            "{text} (the app's subscription does not cover this list)"
        )),
        _ => rest::status_error(text, response, kind),
    }
}
