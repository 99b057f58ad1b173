//! What the operator configures for one named connection, and the TLS setup derived from it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ldap3::LdapConnSettings;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

use crate::Error;

/// How the connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls {
    /// Plain LDAP (`ldap://`). The bind password travels in clear text.
    None,
    /// Plain LDAP upgraded with the StartTLS extended operation before binding.
    StartTls,
    /// TLS from the first byte (`ldaps://`).
    Ldaps,
}

/// One named LDAP connection as the operator configured it. Holds no secret: the bind
/// password is passed to [`crate::Pool::new`] separately.
#[derive(Clone, Debug)]
pub struct ConnectionSpec {
    /// The operator's name for the connection.
    pub name: String,
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    /// The DN to bind as; `None` binds anonymously.
    pub bind_dn: Option<String>,
    /// Every DN read or written must lie under this one.
    pub base_dn: String,
    /// Transport protection.
    pub tls: Tls,
    /// A PEM file of CA certificates to trust instead of the system's.
    pub ca_file: Option<PathBuf>,
    /// The limit for connecting and for each operation (for searches: between two replies).
    pub timeout: Duration,
    /// The most connections to open.
    pub pool_size: usize,
}

impl ConnectionSpec {
    /// Checks what can be checked without a server.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let scheme = self.url.split_once("://").map(|(scheme, _)| scheme);
        match (scheme, self.tls) {
            (Some("ldap"), Tls::None | Tls::StartTls) | (Some("ldaps"), Tls::Ldaps) => {}
            (Some("ldap"), Tls::Ldaps) => {
                return Err(self.config_error("tls = ldaps needs an ldaps:// URL"));
            }
            (Some("ldaps"), _) => {
                return Err(self.config_error("an ldaps:// URL needs tls = ldaps"));
            }
            _ => return Err(self.config_error("the URL must start with ldap:// or ldaps://")),
        }
        if self.pool_size == 0 {
            return Err(self.config_error("pool_size must be at least 1"));
        }
        if self.timeout.is_zero() {
            return Err(self.config_error("timeout must be positive"));
        }
        Ok(())
    }

    pub(crate) fn config_error(&self, message: &str) -> Error {
        Error::Config(format!("connection {:?}: {message}", self.name))
    }
}

/// ldap3 settings for each new connection; the TLS configuration is built once per pool.
pub(crate) fn settings(spec: &ConnectionSpec) -> Result<LdapConnSettings, Error> {
    let settings = LdapConnSettings::new().set_conn_timeout(spec.timeout);
    if spec.tls == Tls::None {
        return Ok(settings);
    }
    let config = client_config(spec)?;
    Ok(settings
        .set_config(config)
        .set_starttls(spec.tls == Tls::StartTls))
}

/// A rustls configuration with an explicit crypto provider, so that it does not depend on
/// which providers other crates in the process happen to enable.
fn client_config(spec: &ConnectionSpec) -> Result<Arc<ClientConfig>, Error> {
    let roots = match &spec.ca_file {
        Some(path) => roots_from_file(path).map_err(|e| spec.config_error(&e))?,
        None => system_roots(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn roots_from_file(path: &Path) -> Result<RootCertStore, String> {
    let shown = path.display();
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read CA file {shown}: {e}"))?;
    for cert in certs {
        let cert = cert.map_err(|e| format!("bad certificate in {shown}: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("unusable certificate in {shown}: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("no certificates in CA file {shown}"));
    }
    Ok(roots)
}

/// The operating system's trust store. Unreadable entries are skipped, as browsers do.
fn system_roots() -> RootCertStore {
    let found = rustls_native_certs::load_native_certs();
    for err in &found.errors {
        tracing::warn!(error = %err, "skipping part of the system trust store");
    }
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(added, ignored, "loaded system trust store");
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(url: &str, tls: Tls) -> ConnectionSpec {
        ConnectionSpec {
            name: "hr".into(),
            url: url.into(),
            bind_dn: None,
            base_dn: "dc=x".into(),
            tls,
            ca_file: None,
            timeout: Duration::from_secs(5),
            pool_size: 2,
        }
    }

    #[test]
    fn url_scheme_must_match_tls_mode() {
        assert!(spec("ldap://h", Tls::None).validate().is_ok());
        assert!(spec("ldap://h", Tls::StartTls).validate().is_ok());
        assert!(spec("ldaps://h", Tls::Ldaps).validate().is_ok());
        for (url, tls) in [
            ("ldap://h", Tls::Ldaps),
            ("ldaps://h", Tls::None),
            ("http://h", Tls::None),
        ] {
            assert!(
                matches!(spec(url, tls).validate(), Err(Error::Config(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn empty_or_missing_ca_file_is_a_config_error() {
        let mut with_ca = spec("ldaps://h", Tls::Ldaps);
        with_ca.ca_file = Some(PathBuf::from("/nonexistent/ca.pem"));
        let err = settings(&with_ca).err();
        assert!(matches!(err, Some(Error::Config(ref m)) if m.contains("/nonexistent/ca.pem")));
    }
}
