//! `tessera:host/http`: outbound requests to granted origins only.
//!
//! This release decides *whether* a request may go (the allowlist runs before anything else
//! touches it); sending it — reqwest with the SSRF guard, credential injection and size caps —
//! is the capabilities release. Until then an allowed request answers `unsupported`.

use tessera_manifest::{Origin, OriginPattern};

use super::ConfigureContext;
use crate::bindings::host::errors::HostError;
use crate::bindings::host::http::{Host, Request, Response};
use crate::host_state::HostState;

pub(crate) struct HttpCap {
    pub allowed: Vec<OriginPattern>,
}

impl HttpCap {
    pub(crate) fn configure(
        ctx: &ConfigureContext<'_>,
        warnings: &mut Vec<String>,
    ) -> Option<Self> {
        let requested = &ctx.manifest.capabilities.http;
        let mut allowed = Vec::new();
        for grant in &ctx.spec.grants.http {
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
        (!allowed.is_empty()).then_some(Self { allowed })
    }

    pub(crate) fn allows(&self, origin: &Origin) -> bool {
        self.allowed.iter().any(|p| p.matches(origin))
    }
}

/// The origin of an absolute URL.
pub(crate) fn origin_of(url: &str) -> Result<Origin, String> {
    let after_scheme = url
        .find("://")
        .map(|i| i + 3)
        .ok_or("not an absolute URL")?;
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    url[..end].parse()
}

impl Host for HostState {
    async fn send(&mut self, req: Request) -> Result<Response, HostError> {
        let caller = &self.caps.caller;
        let origin = origin_of(&req.url).map_err(|e| HostError::Invalid(format!("url: {e}")))?;
        let granted = self.caps.http.as_ref().is_some_and(|h| h.allows(&origin));
        if !granted {
            return Err(caller.deny(
                format!("HTTP request to {origin}"),
                caller.key("grants.http"),
            ));
        }
        Err(HostError::Unsupported(
            "this host version checks HTTP grants but does not send requests yet".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_origin_of_urls() {
        let o = origin_of("https://API.example.org/rest-api/v1/x?y=1").expect("origin");
        assert_eq!(o.to_string(), "https://api.example.org:443");
        assert_eq!(
            origin_of("http://127.0.0.1:8080?q").expect("origin").port,
            8080
        );
        assert!(origin_of("/relative").is_err());
    }
}
