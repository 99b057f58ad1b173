//! `tessera:host/http`: outbound requests to granted origins only.
//!
//! Order of checks for every hop (the first request and each redirect): the allowlist, then
//! plain HTTP only for origins in `grants.http_insecure`, then the address guard (IP literals
//! here, names in the resolver, see `guard`). Credentials for the origin are added last, so
//! they never travel to an origin they were not configured for. Each request is logged with
//! method, origin, path, status and duration — never bodies, queries or headers.

mod auth;
mod client;
mod errors;
mod guard;
mod headers;
mod oauth;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tessera_manifest::{Origin, OriginPattern};
use url::Url;
use wasmtime::component::{HasSelf, Linker};

use super::{Caller, Capability, ConfigureContext};
use crate::bindings::host::errors::HostError;
use crate::bindings::host::http::{Header, Host, Method, Request, Response};
use crate::bindings::{WitVersion, v0_1, v0_2};
use crate::host_memory::HostMemory;
use crate::host_state::HostState;
use auth::{Added, Credentials};
use errors::transport_error;

/// Redirects followed per request; each is checked like a first request.
const MAX_REDIRECTS: usize = 5;

pub(crate) struct HttpCap {
    allowed: Vec<OriginPattern>,
    insecure: Vec<OriginPattern>,
    private: Arc<Vec<OriginPattern>>,
    credentials: Credentials,
    ca_files: Vec<PathBuf>,
    timeout: Duration,
    body_cap: usize,
    /// Built on first use; index 0 is the plain client, others carry a client certificate.
    clients: tokio::sync::Mutex<Vec<Option<reqwest::Client>>>,
}

impl Capability for HttpCap {
    const INTERFACE: &'static str = "http";

    fn configure(ctx: &ConfigureContext<'_>, warnings: &mut Vec<String>) -> Option<Self> {
        let requested = requested_origins(ctx);
        let grants = &ctx.spec.grants;
        let mut allowed = Vec::new();
        for grant in &grants.http {
            match requested
                .iter()
                .find(|r| grant.within(r) || r.within(grant))
            {
                // The narrower of the two is what both sides agree on.
                Some(r) if grant.within(r) => allowed.push(grant.clone()),
                Some(r) => allowed.push(r.clone()),
                None => warnings.push(format!(
                    "{}: `{grant}` is granted but the plugin never requested it",
                    ctx.caller.key("grants.http")
                )),
            }
        }
        let auths = ctx.spec.http_auth.len() + 1;
        (!allowed.is_empty()).then(|| Self {
            allowed,
            insecure: grants.http_insecure.clone(),
            private: Arc::new(grants.http_private.clone()),
            credentials: Credentials::new(ctx.spec.http_auth.clone()),
            ca_files: ctx.spec.http_ca_files.clone(),
            timeout: ctx.spec.limits.http_timeout(),
            body_cap: ctx.spec.limits.http_body_bytes(),
            clients: tokio::sync::Mutex::new(vec![None; auths]),
        })
    }

    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()> {
        match wit {
            WitVersion::V0_1 => v0_1::host::http::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
            WitVersion::V0_2 => v0_2::host::http::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
        }
    }

    fn effective(grant: Option<&Self>, out: &mut Map<String, Value>) {
        let allowed = grant.map(|h| h.allowed.iter().map(|p| p.to_string().into()).collect());
        out.insert("http".into(), Value::Array(allowed.unwrap_or_default()));
    }
}

impl HttpCap {
    pub(crate) fn allows(&self, origin: &Origin) -> bool {
        self.allowed.iter().any(|p| p.matches(origin))
    }

    /// The checks that run before anything touches a request to `url`.
    fn admit(&self, caller: &Caller, url: &Url, what: &str) -> Result<Origin, HostError> {
        let origin =
            Origin::of_url(url.as_str()).map_err(|e| HostError::Invalid(format!("url: {e}")))?;
        if !self.allows(&origin) {
            return Err(caller.deny(format!("{what} {origin}"), caller.key("grants.http")));
        }
        if origin.scheme == "http" && !self.insecure.iter().any(|p| p.matches(&origin)) {
            return Err(caller.deny(
                format!("{what} {origin} over plain HTTP"),
                caller.key("grants.http_insecure"),
            ));
        }
        let literal = url.host_str().map(|h| h.trim_matches(['[', ']']));
        if let Some(ip) = literal.and_then(|h| h.parse::<IpAddr>().ok())
            && let Err(why) = guard::check_address(ip, &origin.host, &self.private)
        {
            return Err(caller.deny(
                format!("{what} {origin}: {why}"),
                caller.key("grants.http_private"),
            ));
        }
        Ok(origin)
    }

    /// The client for an origin: with its client certificate when one is configured.
    async fn client(&self, caller: &Caller, origin: &Origin) -> Result<reqwest::Client, HostError> {
        let found = self.credentials.find(origin);
        let slot = match found {
            Some((i, a)) if a.client_cert.is_some() => i + 1,
            _ => 0,
        };
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(slot).and_then(Option::as_ref) {
            return Ok(c.clone());
        }
        let identity = match found.and_then(|(_, a)| a.client_cert.as_ref()) {
            Some(cc) if slot > 0 => {
                let key = caller.host_secret(
                    &cc.key_secret,
                    &format!("the client certificate for {origin}"),
                )?;
                Some(
                    client::Identity::from_pem(&cc.cert_file, key.as_str())
                        .map_err(HostError::Unavailable)?,
                )
            }
            _ => None,
        };
        let built = client::build(&self.ca_files, identity, self.private.clone())
            .map_err(HostError::Unavailable)?;
        if let Some(entry) = clients.get_mut(slot) {
            *entry = Some(built.clone());
        }
        Ok(built)
    }

    async fn send(
        &self,
        caller: &Caller,
        req: Request,
        memory: &HostMemory,
    ) -> Result<Response, HostError> {
        let mut url = Url::parse(&req.url)
            .map_err(|e| HostError::Invalid(format!("url `{}`: {e}", redact(&req.url))))?;
        let timeout = req.timeout_ms.map_or(self.timeout, |ms| {
            Duration::from_millis(ms.into()).min(self.timeout)
        });
        let deadline = Instant::now() + timeout;
        let mut hop = Hop {
            method: method(req.method),
            headers: req.headers,
            body: req.body,
        };
        for redirects in 0..=MAX_REDIRECTS {
            let what = if redirects == 0 {
                "HTTP request to"
            } else {
                "redirect to"
            };
            let origin = self.admit(caller, &url, what)?;
            let response = self
                .exchange_fresh(caller, &origin, &url, &hop, deadline)
                .await?;
            match redirect_target(&url, &response) {
                Some(next) => {
                    hop.follow(response.status(), origin_changed(&url, &next));
                    url = next;
                }
                None => {
                    self.note_refusal(caller, &origin, response.status().as_u16());
                    return self.finish(response, memory).await;
                }
            }
        }
        Err(HostError::Unavailable(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    /// One request and its response head.
    async fn exchange(
        &self,
        caller: &Caller,
        origin: &Origin,
        url: &Url,
        hop: &Hop,
        deadline: Instant,
    ) -> Result<reqwest::Response, HostError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HostError::Timeout(format!(
                "{} {}",
                hop.method,
                path_of(url)
            )));
        }
        let client = self.client(caller, origin).await?;
        let mut rb = client
            .request(hop.method.clone(), url.clone())
            .timeout(remaining);
        let reserved = self.credentials.reserved(origin);
        for (name, value) in headers::checked(&hop.headers, &reserved)? {
            rb = rb.header(name, value);
        }
        rb = self
            .authorise(caller, &client, origin, rb, deadline)
            .await?;
        if let Some(body) = &hop.body {
            rb = rb.body(body.clone());
        }
        let started = Instant::now();
        let result = rb.send().await;
        let status = result.as_ref().map_or(0, |r| r.status().as_u16());
        tracing::info!(
            target: "tessera::http",
            plugin = %caller.plugin, system = %caller.system,
            method = %hop.method, origin = %origin, path = %path_of(url),
            status, duration_ms = started.elapsed().as_millis() as u64,
            "http request"
        );
        result.map_err(|e| transport_error(caller, e))
    }

    async fn authorise(
        &self,
        caller: &Caller,
        client: &reqwest::Client,
        origin: &Origin,
        rb: reqwest::RequestBuilder,
        deadline: Instant,
    ) -> Result<reqwest::RequestBuilder, HostError> {
        let Some((index, auth)) = self.credentials.find(origin) else {
            return Ok(rb);
        };
        if let Some(o) = &auth.oauth2 {
            let token = oauth::token(self, caller, client, index, o, deadline).await?;
            return Ok(rb.header(
                reqwest::header::AUTHORIZATION,
                auth::sensitive(&format!("Bearer {}", token.as_str()))?,
            ));
        }
        Ok(match Credentials::static_header(auth, caller)? {
            Added::Nothing => rb,
            Added::Header(name, value) => rb.header(name, value),
            Added::Basic(user, password) => rb.basic_auth(user, Some(password.as_str())),
        })
    }

    /// A 401 or 403 to credentials the host injected is the operator's to fix, and the plugin
    /// cannot name them (it never sees them): the log says which vault secret and which
    /// `http_auth` entry to check.
    fn note_refusal(&self, caller: &Caller, origin: &Origin, status: u16) {
        if !matches!(status, 401 | 403) {
            return;
        }
        let Some((index, auth)) = self.credentials.find(origin) else {
            return;
        };
        let names = auth.secret_names();
        let first = names.first().copied().unwrap_or_default();
        let secrets = names.join("`, `");
        let entry = caller.key(&format!("http_auth[{index}]"));
        tracing::warn!(
            target: "tessera::http",
            plugin = %caller.plugin, system = %caller.system,
            "{origin} answered {status} to the credentials of {entry}: check vault secret \
             `{secrets}` (`tessera secret set {first}`) and what the service expects"
        );
    }

    /// The response, its body read up to the smaller of `limits.http_body_mib` and what the
    /// instance's host memory budget has left.
    async fn finish(
        &self,
        response: reqwest::Response,
        memory: &HostMemory,
    ) -> Result<Response, HostError> {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| {
                v.to_str().ok().map(|v| Header {
                    name: n.as_str().to_owned(),
                    value: v.to_owned(),
                })
            })
            .collect();
        let remaining = memory.remaining();
        let cap = self.body_cap.min(remaining);
        let body = client::read_capped(response, cap)
            .await
            .map_err(|e| match e {
                client::BodyError::TooLarge(n) if cap < self.body_cap => {
                    memory.refusal(usize::try_from(n).unwrap_or(usize::MAX), memory.held(), "the response body")
                }
                client::BodyError::TooLarge(n) => HostError::TooLarge(format!(
                    "response body of at least {n} bytes exceeds the limit of {} bytes (limits.http_body_mib)",
                    self.body_cap
                )),
                client::BodyError::Transport(e) if e.is_timeout() => HostError::Timeout("reading the response body".into()),
                client::BodyError::Transport(e) => HostError::Unavailable(format!("reading the response body: {e}")),
            })?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// The manifest's fixed patterns plus the origins of the `url` fields it names in
/// `http_config`, as the operator configured them.
fn requested_origins(ctx: &ConfigureContext<'_>) -> Vec<OriginPattern> {
    let caps = &ctx.manifest.capabilities;
    let mut out = caps.http.clone();
    for field in &caps.http_config {
        if let Some(tessera_manifest::ConfigValue::Text(url)) = ctx.config.get(field)
            && let Ok(origin) = Origin::of_url(url)
            && let Ok(pattern) = origin.to_string().parse()
        {
            out.push(pattern);
        }
    }
    out
}

/// Method, headers and body of the current hop; redirects change them.
struct Hop {
    method: reqwest::Method,
    headers: Vec<Header>,
    body: Option<Vec<u8>>,
}

impl Hop {
    fn follow(&mut self, status: reqwest::StatusCode, cross_origin: bool) {
        // 301/302/303 turn into a bodiless GET (what browsers do); 307/308 repeat as is.
        if !matches!(status.as_u16(), 307 | 308) {
            self.method = reqwest::Method::GET;
            self.body = None;
        }
        if cross_origin {
            self.headers.retain(|h| {
                !h.name.eq_ignore_ascii_case("authorization")
                    && !h.name.eq_ignore_ascii_case("cookie")
            });
        }
    }
}

fn redirect_target(url: &Url, response: &reqwest::Response) -> Option<Url> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    url.join(location).ok()
}

fn origin_changed(a: &Url, b: &Url) -> bool {
    a.origin() != b.origin()
}

fn method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
        Method::Options => reqwest::Method::OPTIONS,
    }
}

/// The path without query or fragment: queries may carry secrets.
fn path_of(url: &Url) -> &str {
    url.path()
}

/// A URL for an error message: no query, no user info.
fn redact(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_owned()
}

impl Host for HostState {
    async fn send(&mut self, req: Request) -> Result<Response, HostError> {
        let caps = self.caps.clone();
        let caller = &caps.caller;
        match &caps.http {
            Some(http) => http.send(caller, req, &self.memory).await,
            None => Err(caller.deny(
                format!("HTTP request to {}", redact(&req.url)),
                caller.key("grants.http"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_origin_of_urls() {
        let o = Origin::of_url("https://API.example.org/rest-api/v1/x?y=1").expect("origin");
        assert_eq!(o.to_string(), "https://api.example.org:443");
        assert_eq!(
            Origin::of_url("http://127.0.0.1:8080?q")
                .expect("origin")
                .port,
            8080
        );
        assert!(Origin::of_url("/relative").is_err());
    }

    #[test]
    fn redacts_queries() {
        assert_eq!(redact("https://x.org/a?key=secret#f"), "https://x.org/a");
    }
}
