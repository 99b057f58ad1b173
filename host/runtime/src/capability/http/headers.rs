//! Which request headers a plugin may set.
//!
//! The host owns everything that decides where a request goes and how it is framed: `Host`
//! (a plugin could otherwise reach another virtual host behind a granted address, carrying the
//! credential injected for the granted origin), the hop-by-hop headers (`Connection`, `TE`,
//! `Transfer-Encoding`, `Upgrade`, `Proxy-*`, …, the stuff of request smuggling), the framing
//! (`Content-Length`) and the credential headers. A plugin that sets one gets a typed error
//! naming the header; the request is not sent. Refusing, rather than quietly dropping, tells
//! the plugin's author at once.

use reqwest::header::{HeaderName, HeaderValue};

use crate::bindings::host::errors::HostError;
use crate::bindings::host::http::Header;

/// Owned by the host for every request, whatever the origin.
const HOST_OWNED: [&str; 8] = [
    "host",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
];

/// A refused name, or `None` when the plugin may set it. `credentials` are the header names
/// the host injects for the request's origin (`Authorization` and the `http_auth` header);
/// for an origin without injected credentials a plugin may send its own.
pub(crate) fn refused(name: &HeaderName, credentials: &[HeaderName]) -> Option<&'static str> {
    let lower = name.as_str();
    if lower.starts_with("proxy-") {
        return Some("a proxy header, which the host owns");
    }
    if credentials.contains(name) {
        return Some("a credential header the host injects (http_auth)");
    }
    match HOST_OWNED.iter().find(|h| **h == lower) {
        Some(&"host") => Some("the target host, which the host derives from the URL"),
        Some(&"content-length") => Some("message framing, which the host computes"),
        Some(_) => Some("a hop-by-hop header, which the host owns"),
        None => None,
    }
}

/// The plugin's headers, parsed and checked; the first refused or malformed one is the error.
pub(crate) fn checked(
    headers: &[Header],
    credentials: &[HeaderName],
) -> Result<Vec<(HeaderName, HeaderValue)>, HostError> {
    headers
        .iter()
        .map(|h| {
            let name = HeaderName::from_bytes(h.name.as_bytes())
                .map_err(|_| HostError::Invalid(format!("bad header name `{}`", h.name)))?;
            if let Some(why) = refused(&name, credentials) {
                return Err(HostError::Invalid(format!(
                    "header `{name}` may not be set by a plugin: it is {why}"
                )));
            }
            let value = HeaderValue::from_str(&h.value)
                .map_err(|_| HostError::Invalid(format!("bad value for header `{name}`")))?;
            Ok((name, value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str) -> Header {
        Header {
            name: name.into(),
            value: "x".into(),
        }
    }

    #[test]
    fn routing_framing_and_credential_headers_are_refused() {
        let creds = [
            HeaderName::from_static("x-api-key"),
            reqwest::header::AUTHORIZATION,
        ];
        for name in [
            "Host",
            "HOST",
            "Connection",
            "Keep-Alive",
            "Transfer-Encoding",
            "TE",
            "Trailer",
            "Upgrade",
            "Content-Length",
            "Proxy-Authorization",
            "proxy-connection",
            "Authorization",
            "X-Api-Key",
        ] {
            let err = checked(&[header("accept"), header(name)], &creds).expect_err(name);
            let err = format!("{err:?}");
            assert!(err.contains("may not be set by a plugin"), "{name}: {err}");
        }
    }

    #[test]
    fn ordinary_headers_pass_and_own_credentials_without_injected_ones() {
        let ok = checked(
            &[
                header("Accept"),
                header("Content-Type"),
                header("SOAPAction"),
                header("Authorization"),
            ],
            &[],
        )
        .expect("allowed");
        assert_eq!(ok.len(), 4);
    }
}
