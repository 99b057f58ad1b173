//! Connection settings the host uses on a plugin's behalf: credentials per HTTP origin and
//! named LDAP connections. Secrets are referenced by vault name only.

use std::path::PathBuf;

use serde::Deserialize;
use tessera_manifest::OriginPattern;

/// `[[systems.NAME.http_auth]]`: credentials the host adds to requests for one origin. The
/// plugin never sees them. Exactly one of the methods is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpAuth {
    /// The origin (or `*.` pattern) the credentials are for.
    pub origin: OriginPattern,
    /// A header whose value is a vault secret (Elanza's `elanza-api-key-v1`).
    pub header: Option<HeaderAuth>,
    /// HTTP Basic with the password from the vault (TOPdesk).
    pub basic: Option<BasicAuth>,
    /// OAuth2 client credentials (Entra ID); the token is cached until it expires.
    pub oauth2: Option<OAuth2Auth>,
    /// A TLS client certificate (Nedap ONS mutual TLS).
    pub client_cert: Option<ClientCertAuth>,
}

/// An API-key header: the secret as it is (Elanza), or after a scheme word and base64-encoded
/// (AFAS Profit's `Authorization: AfasToken <base64 of the token XML>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderAuth {
    /// Header name.
    pub name: String,
    /// Vault secret holding the value.
    pub secret: String,
    /// A word put before the value, with a space: `AfasToken`, `Bearer`.
    #[serde(default)]
    pub scheme: Option<String>,
    /// Send the secret base64-encoded (standard alphabet, padded).
    #[serde(default)]
    pub base64: bool,
}

impl HeaderAuth {
    /// The header value for `secret`, as this entry says to send it.
    pub fn value(&self, secret: &str) -> String {
        use base64::Engine;
        let encoded = if self.base64 {
            base64::engine::general_purpose::STANDARD.encode(secret)
        } else {
            secret.to_owned()
        };
        match &self.scheme {
            Some(scheme) => format!("{scheme} {encoded}"),
            None => encoded,
        }
    }
}

/// HTTP Basic.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// User name (not secret).
    pub username: String,
    /// Vault secret holding the password.
    pub secret: String,
}

/// OAuth2 client-credentials grant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Auth {
    /// Token endpoint; its origin must be granted to the system as well.
    pub token_url: String,
    /// Client id (not secret).
    pub client_id: String,
    /// Vault secret holding the client secret.
    pub secret: String,
    /// Requested scope, e.g. `https://graph.microsoft.com/.default`.
    pub scope: Option<String>,
    /// Further form fields of the token request, none secret: Youforce's `tenant_id`.
    #[serde(default)]
    pub params: std::collections::BTreeMap<String, String>,
}

/// A client certificate: the chain from a file, the private key from the vault.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCertAuth {
    /// PEM certificate chain; relative to the configuration file.
    pub cert_file: PathBuf,
    /// Vault secret holding the PEM private key.
    pub key_secret: String,
}

impl HttpAuth {
    /// Vault secrets this entry reads.
    pub fn secret_names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        out.extend(self.header.as_ref().map(|h| h.secret.as_str()));
        out.extend(self.basic.as_ref().map(|b| b.secret.as_str()));
        out.extend(self.oauth2.as_ref().map(|o| o.secret.as_str()));
        out.extend(self.client_cert.as_ref().map(|c| c.key_secret.as_str()));
        out
    }

    pub(crate) fn problems(&self, key: &str, granted: &[OriginPattern]) -> Vec<String> {
        let mut out = Vec::new();
        let methods = [
            self.header.is_some(),
            self.basic.is_some(),
            self.oauth2.is_some(),
            self.client_cert.is_some(),
        ];
        if methods.iter().filter(|m| **m).count() != 1 {
            out.push(format!(
                "{key}: set exactly one of header, basic, oauth2, client_cert for `{}`",
                self.origin
            ));
        }
        if !granted.iter().any(|g| self.origin.within(g)) {
            out.push(format!(
                "{key}: `{}` has credentials but is not granted in grants.http",
                self.origin
            ));
        }
        let reserved = ["grant_type", "client_id", "client_secret", "scope"];
        let params = self.oauth2.iter().flat_map(|o| o.params.keys());
        for name in params.filter(|n| reserved.contains(&n.as_str())) {
            out.push(format!(
                "{key}: oauth2.params.{name} is set by the host itself; use the key of that name"
            ));
        }
        out
    }
}

/// How an LDAP connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LdapTls {
    /// StartTLS on an `ldap://` URL (the default).
    #[default]
    Starttls,
    /// TLS from the first byte on an `ldaps://` URL.
    Ldaps,
    /// Plain LDAP: only for loopback test directories.
    None,
}

/// `[ldap.NAME]`: a directory connection systems can be granted by name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapConnection {
    /// `ldap://host:port` or `ldaps://host:port`.
    pub url: String,
    /// Simple-bind DN; anonymous when absent.
    pub bind_dn: Option<String>,
    /// Vault secret holding the bind password.
    pub bind_secret: Option<String>,
    /// Every DN a plugin reads or writes must lie under this one.
    pub base_dn: String,
    /// Transport security.
    #[serde(default)]
    pub tls: LdapTls,
    /// CA certificate (PEM) to trust for this directory; relative to the configuration file.
    pub ca_file: Option<PathBuf>,
    /// Per-operation timeout.
    #[serde(default = "default_ldap_timeout")]
    pub timeout_seconds: f64,
    /// Connections kept open.
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
}

fn default_ldap_timeout() -> f64 {
    30.0
}

fn default_pool_size() -> usize {
    4
}

impl LdapConnection {
    pub(crate) fn problems(&self, name: &str) -> Vec<String> {
        let key = format!("ldap.{name}");
        let mut out = Vec::new();
        let scheme_ok = match self.tls {
            LdapTls::Ldaps => self.url.starts_with("ldaps://"),
            LdapTls::Starttls | LdapTls::None => self.url.starts_with("ldap://"),
        };
        if !scheme_ok {
            out.push(format!(
                "{key}.url: `{}` does not fit tls = {:?} (ldaps needs ldaps://, the others ldap://)",
                self.url, self.tls
            ));
        }
        if self.bind_dn.is_some() != self.bind_secret.is_some() {
            out.push(format!("{key}: set bind_dn and bind_secret together"));
        }
        if !(self.timeout_seconds > 0.0 && self.timeout_seconds <= 3600.0) {
            out.push(format!("{key}.timeout_seconds: must be in (0, 3600]"));
        }
        if !(1..=64).contains(&self.pool_size) {
            out.push(format!("{key}.pool_size: must be 1..=64"));
        }
        out
    }
}
