//! Scripted HTTP: the far system's answers, given by the test, behind the host's checks.

use std::collections::VecDeque;

use super::store::Host;
use crate::host::errors::HostError;
use crate::host::http::{Header, Method, Request, Response};
use crate::rest::method_name;

/// One answer of the far system, or the host's error for a request that got none.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply(Result<Response, HostError>);

impl Reply {
    /// A status with no body.
    pub fn status(status: u16) -> Self {
        Self(Ok(Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }))
    }

    /// A JSON body (`content-type: application/json`).
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::status(status)
            .header("content-type", "application/json")
            .body(body.into())
    }

    /// An XML body (`content-type: text/xml; charset=utf-8`), as SOAP 1.1 services answer.
    pub fn xml(status: u16, body: impl Into<String>) -> Self {
        Self::status(status)
            .header("content-type", "text/xml; charset=utf-8")
            .body(body.into())
    }

    /// Adds a header (`Retry-After`, `ETag`, …).
    pub fn header(self, name: &str, value: &str) -> Self {
        self.map(|r| {
            r.headers.push(Header {
                name: name.to_owned(),
                value: value.to_owned(),
            })
        })
    }

    /// Sets the body.
    pub fn body(self, body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        self.map(|r| r.body = body)
    }

    /// No answer in time: the host's `timeout`.
    pub fn timeout() -> Self {
        Self(Err(HostError::Timeout(
            "the far system did not answer in time".into(),
        )))
    }

    /// No connection: the host's `unavailable`.
    pub fn unreachable() -> Self {
        Self(Err(HostError::Unavailable("connection refused".into())))
    }

    fn map(mut self, f: impl FnOnce(&mut Response)) -> Self {
        if let Ok(r) = &mut self.0 {
            f(r);
        }
        self
    }
}

#[derive(Debug)]
struct Route {
    method: Method,
    url: String,
    replies: VecDeque<Reply>,
}

impl Route {
    fn matches(&self, method: Method, url: &str) -> bool {
        self.method == method
            && match self.url.strip_suffix('*') {
                Some(prefix) => url.starts_with(prefix),
                None => self.url == url,
            }
    }

    /// The next reply; the last one stays for every later request.
    fn next(&mut self) -> Reply {
        match self.replies.len() {
            0 => Reply::unreachable(),
            1 => self.replies[0].clone(),
            _ => self.replies.pop_front().unwrap_or_else(Reply::unreachable),
        }
    }
}

/// The scripted answers, in the order the test gave them.
#[derive(Debug, Default)]
pub(crate) struct Routes(Vec<Route>);

impl Routes {
    pub(crate) fn add(&mut self, method: Method, url: &str, reply: Reply) {
        match self
            .0
            .iter_mut()
            .find(|r| r.method == method && r.url == url)
        {
            Some(route) => route.replies.push_back(reply),
            None => self.0.push(Route {
                method,
                url: url.to_owned(),
                replies: VecDeque::from([reply]),
            }),
        }
    }

    fn answer(&mut self, method: Method, url: &str) -> Option<Reply> {
        self.0
            .iter_mut()
            .find(|r| r.matches(method, url))
            .map(Route::next)
    }
}

impl Host {
    pub(crate) fn send(&mut self, req: &Request) -> Result<Response, HostError> {
        self.requests.push(req.clone());
        let what = format!("HTTP {}", method_name(req.method));
        if let Err(e) = self.grants.admit_http(&req.url, &what) {
            return Err(self.denied(e));
        }
        match self.routes.answer(req.method, &req.url) {
            Some(Reply(answer)) => answer,
            None => Err(HostError::Unavailable(format!(
                "mock host: nothing scripted for {} {}; add it with MockHost::answer",
                method_name(req.method),
                req.url
            ))),
        }
    }
}
