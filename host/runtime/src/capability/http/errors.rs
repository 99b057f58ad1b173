//! What a failed exchange tells the plugin: a denial when the address guard refused it, a
//! timeout, or what went wrong, with a hint where a TLS handshake was refused.

use super::Caller;
use crate::bindings::host::errors::HostError;

/// Maps a reqwest failure; a refusal by the address guard becomes a denial.
pub(super) fn transport_error(caller: &Caller, e: reqwest::Error) -> HostError {
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(err) = source {
        let text = err.to_string();
        if text.contains("grant the origin in grants.http_private")
            || text.contains("cloud metadata address")
        {
            return caller.deny(text, caller.key("grants.http_private"));
        }
        source = err.source();
    }
    let url = e
        .url()
        .map(|u| format!("{}{}", u.origin().ascii_serialization(), u.path()));
    let at = url.unwrap_or_default();
    if e.is_timeout() {
        HostError::Timeout(format!("no answer in time from {at}"))
    } else if e.is_connect() {
        HostError::Unavailable(format!("cannot connect to {at}: {}", root_cause(&e)))
    } else {
        let cause = root_cause(&e);
        HostError::Unavailable(format!("{at}: {cause}{}", tls_hint(&cause)))
    }
}

/// What an operator should check when the server ended the TLS handshake: rustls names only
/// the alert (`CertificateRequired`, `DecryptError`, `BadCertificate`, `UnknownCA`).
fn tls_hint(cause: &str) -> &'static str {
    if cause.contains("received fatal alert") {
        " (the server refused the TLS handshake: check the client certificate in this system's \
         http_auth client_cert, and that the server trusts its issuer)"
    } else if cause.contains("invalid peer certificate") {
        " (the server's certificate is not trusted: add its CA to this system's http_ca_files)"
    } else {
        ""
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut last = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

#[cfg(test)]
mod tests {
    use super::tls_hint;

    #[test]
    fn a_refused_handshake_names_what_to_check() {
        assert!(tls_hint("received fatal alert: CertificateRequired").contains("client_cert"));
        assert!(tls_hint("received fatal alert: DecryptError").contains("client_cert"));
        let untrusted = "invalid peer certificate: UnknownIssuer";
        assert!(tls_hint(untrusted).contains("http_ca_files"));
        assert_eq!(tls_hint("connection refused"), "");
    }
}
