//! What the mock operator granted: the manifest's requests, less what a test revoked; the
//! config keys denials name are the host's.

use std::collections::BTreeSet;
use std::net::IpAddr;

use tessera_manifest::{ConfigValue, Manifest, Origin, OriginPattern, ResolvedConfig};

use crate::host::errors::{Denial, HostError};

/// A capability a test can take back with [`super::MockHost::revoke`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grant {
    /// Every HTTP origin.
    Http,
    /// Every LDAP connection.
    Ldap,
    /// The secrets the manifest names (secrets the configuration names stay readable).
    Secrets,
    /// The XML parser and builder.
    Xml,
    /// Key/value state.
    State,
    /// The files directory.
    Files,
}

/// The effective grant of one system.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    pub(crate) system: String,
    pub(crate) revoked: BTreeSet<Grant>,
    pub(crate) http: Vec<OriginPattern>,
    pub(crate) http_insecure: Vec<OriginPattern>,
    pub(crate) http_private: Vec<OriginPattern>,
    pub(crate) ldap: Vec<String>,
    pub(crate) secrets: BTreeSet<String>,
    pub(crate) xml: bool,
    pub(crate) state: bool,
    pub(crate) files: bool,
}

impl Grants {
    /// Requested ∩ granted, as the host computes it when it prepares a system.
    pub(crate) fn configure(
        &mut self,
        manifest: &Manifest,
        config: &ResolvedConfig,
        narrowed_http: Option<Vec<OriginPattern>>,
    ) {
        let caps = &manifest.capabilities;
        let on = |g: Grant| !self.revoked.contains(&g);
        let mut requested = caps.http.clone();
        requested.extend(
            caps.http_config
                .iter()
                .filter_map(|field| match config.get(field) {
                    Some(ConfigValue::Text(url)) => {
                        Origin::of_url(url).ok()?.to_string().parse().ok()
                    }
                    _ => None,
                }),
        );
        self.http = match narrowed_http {
            Some(granted) => granted
                .into_iter()
                .filter(|g| requested.iter().any(|r| g.within(r)))
                .collect(),
            None => requested,
        };
        if !on(Grant::Http) {
            self.http.clear();
        }
        self.ldap = if on(Grant::Ldap) {
            caps.ldap.clone()
        } else {
            Vec::new()
        };
        if on(Grant::Secrets) {
            self.secrets.extend(caps.secrets.iter().cloned());
        }
        self.secrets
            .extend(config.secret_names().map(str::to_owned));
        self.xml = caps.xml && on(Grant::Xml);
        self.state = caps.state && on(Grant::State);
        self.files = caps.files && on(Grant::Files);
    }

    /// The grant key a denial names: `systems.NAME.grants.http`.
    pub(crate) fn key(&self, rest: &str) -> String {
        format!("systems.{}.{rest}", self.system)
    }

    /// A refusal, as the host words it.
    pub(crate) fn deny(&self, what: String, rest: &str) -> HostError {
        HostError::Denied(Denial {
            what,
            config_key: self.key(rest),
        })
    }

    /// The HTTP checks the host makes before a request leaves: granted origin, TLS unless
    /// granted plain, no private address unless granted.
    pub(crate) fn admit_http(&self, url: &str, what: &str) -> Result<(), HostError> {
        let origin = Origin::of_url(url).map_err(|e| HostError::Invalid(format!("url: {e}")))?;
        if !self.http.iter().any(|p| p.matches(&origin)) {
            return Err(self.deny(format!("{what} {origin}"), "grants.http"));
        }
        if origin.scheme == "http" && !self.http_insecure.iter().any(|p| p.matches(&origin)) {
            return Err(self.deny(
                format!("{what} {origin} over plain HTTP"),
                "grants.http_insecure",
            ));
        }
        let host = origin.host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>()
            && is_private(ip)
            && !self.http_private.iter().any(|p| p.matches(&origin))
        {
            return Err(self.deny(
                format!("{what} {origin}: a private or loopback address"),
                "grants.http_private",
            ));
        }
        Ok(())
    }
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
        }
    }
}
