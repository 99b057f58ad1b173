//! Host capabilities, one module each, deny by default.
//!
//! Each capability is configured once per system from the plugin's manifest (what it requests)
//! and the operator's grants (what is allowed): the effective grant is the intersection. A
//! capability that ends up empty is not linked at all, so a plugin importing it cannot even be
//! instantiated; a call outside a linked capability's grant returns `denied` naming the
//! configuration key that would allow it, and is logged.

pub mod config;
pub mod http;
pub mod ldap;
pub mod log;
pub mod vault;
pub mod xml;

use std::sync::Arc;

use tessera_manifest::{Manifest, ResolvedConfig};
use wasmtime::component::{HasSelf, Linker};

use crate::bindings::host::errors::{Denial, HostError};
use crate::host_state::HostState;
use crate::{AccessEvent, HostServices, SystemSettings};

/// Who is calling, attached to every log line, denial and fault; and where their access events
/// are recorded.
#[derive(Clone)]
pub struct Caller {
    /// `id@version`.
    pub plugin: String,
    /// Configured system name.
    pub system: String,
    pub(crate) services: Arc<dyn HostServices>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("plugin", &self.plugin)
            .field("system", &self.system)
            .finish_non_exhaustive()
    }
}

impl Caller {
    /// A refused call: logged, audited, and returned to the guest as a typed error.
    pub(crate) fn deny(&self, what: String, config_key: String) -> HostError {
        tracing::warn!(
            target: "tessera::audit",
            plugin = %self.plugin,
            system = %self.system,
            what = %what,
            allow_with = %config_key,
            outcome = "denied",
            "plugin call denied"
        );
        self.record("denied", &what, format!("denied: allow with {config_key}"));
        HostError::Denied(Denial { what, config_key })
    }

    /// Sends an access event to the audit trail.
    pub(crate) fn record(&self, action: &str, what: &str, outcome: String) {
        self.services.audit(AccessEvent {
            plugin: self.plugin.clone(),
            system: self.system.clone(),
            action: action.to_owned(),
            what: what.to_owned(),
            outcome,
        });
    }

    /// Reads a vault secret for the host's own use (credentials, binds), audited.
    pub(crate) fn host_secret(
        &self,
        name: &str,
        purpose: &str,
    ) -> Result<zeroize::Zeroizing<String>, HostError> {
        let what = format!("secret `{name}` for {purpose}");
        match self.read_secret("credential-read", name, &what) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(HostError::Unavailable(format!(
                "the vault has no secret `{name}` (needed for {purpose}); set it with `tessera secret set {name}`"
            ))),
            Err(e) => Err(HostError::Unavailable(format!("{what}: {e}"))),
        }
    }

    /// Reads a secret and audits the read under `action`, whatever its outcome.
    pub(crate) fn read_secret(
        &self,
        action: &str,
        name: &str,
        what: &str,
    ) -> Result<Option<zeroize::Zeroizing<String>>, crate::ServiceError> {
        let result = self.services.secret(name);
        let outcome = match &result {
            Ok(Some(_)) => "ok".to_owned(),
            Ok(None) => "failed: no such secret".to_owned(),
            Err(e) => format!("failed: {e}"),
        };
        self.record(action, what, outcome);
        result
    }

    /// The plugin id without its version: state survives upgrades.
    pub(crate) fn plugin_id(&self) -> &str {
        self.plugin.split('@').next().unwrap_or(&self.plugin)
    }

    /// The configuration key under this system.
    pub(crate) fn key(&self, rest: &str) -> String {
        format!("systems.{}.{rest}", self.system)
    }
}

/// What each capability needs to configure itself.
pub(crate) struct ConfigureContext<'a> {
    pub manifest: &'a Manifest,
    pub spec: &'a SystemSettings,
    pub config: &'a ResolvedConfig,
    pub caller: &'a Caller,
    pub env: &'a crate::HostEnv,
}

/// The capabilities prepared for one system; shared by every run of it.
pub struct Capabilities {
    /// Who is calling.
    pub caller: Caller,
    pub(crate) config: config::ConfigCap,
    pub(crate) http: Option<http::HttpCap>,
    pub(crate) ldap: Option<ldap::LdapCap>,
    pub(crate) xml: Option<xml::XmlCap>,
    pub(crate) vault: Option<vault::VaultCap>,
}

impl Capabilities {
    /// Configures every capability; returns them with warnings about grants nobody asked for.
    pub(crate) fn configure(ctx: &ConfigureContext<'_>) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let caps = Self {
            caller: ctx.caller.clone(),
            config: config::ConfigCap::configure(ctx),
            http: http::HttpCap::configure(ctx, &mut warnings),
            ldap: ldap::LdapCap::configure(ctx, &mut warnings),
            xml: xml::XmlCap::configure(ctx, &mut warnings),
            vault: vault::VaultCap::configure(ctx, &mut warnings),
        };
        (caps, warnings)
    }

    /// Whether an imported `tessera:host` interface is granted; `Err` names the key to set.
    pub(crate) fn granted(&self, interface: &str) -> Result<(), String> {
        let (ok, key) = match interface {
            "log" | "config" | "errors" => (true, ""),
            "http" => (self.http.is_some(), "grants.http"),
            "ldap" => (self.ldap.is_some(), "grants.ldap"),
            "xml" => (self.xml.is_some(), "grants.xml"),
            "vault" => (self.vault.is_some(), "grants.secrets or grants.state"),
            _ => (false, "(no such interface)"),
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "the plugin imports tessera:host/{interface} but nothing of it is granted; set {}",
                self.caller.key(key)
            ))
        }
    }

    /// Links WASI (inert) and the granted host interfaces, nothing else.
    pub(crate) fn link(&self, linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
        use crate::bindings::host as h;
        wasmtime_wasi::p2::add_to_linker_async(linker)?;
        h::errors::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
        h::log::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
        h::config::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
        if self.http.is_some() {
            h::http::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
        }
        if self.ldap.is_some() {
            h::ldap::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
        }
        if self.xml.is_some() {
            h::xml::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
        }
        if self.vault.is_some() {
            h::vault::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
        }
        Ok(())
    }

    /// A JSON view of the effective grant, for security review.
    pub fn effective(&self) -> serde_json::Value {
        serde_json::json!({
            "http": self.http.as_ref().map(|h| h.allowed.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap_or_default(),
            "ldap": self.ldap.as_ref().map(|l| l.connections.clone()).unwrap_or_default(),
            "secrets": self.vault.as_ref().map(|v| v.secrets.iter().cloned().collect::<Vec<_>>()).unwrap_or_default(),
            "state": self.vault.as_ref().is_some_and(|v| v.state),
            "xml": self.xml.is_some(),
        })
    }
}

impl crate::bindings::host::errors::Host for HostState {}

/// Names in `granted` the plugin also requested; warns about the rest.
pub(crate) fn intersect_names(
    requested: &[String],
    granted: &[String],
    key: String,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for name in granted {
        if requested.contains(name) {
            out.push(name.clone());
        } else {
            warnings.push(format!(
                "{key}: `{name}` is granted but the plugin never requested it"
            ));
        }
    }
    out
}
