//! Host capabilities, one module each, deny by default.
//!
//! Each capability is configured once per system from the plugin's manifest (what it requests)
//! and the operator's grants (what is allowed): the effective grant is the intersection. A
//! capability that ends up empty is not linked at all, so a plugin importing it cannot even be
//! instantiated; a call outside a linked capability's grant returns `denied` naming the
//! configuration key that would allow it, and is logged.
//!
//! Each module implements `Capability` for one row of [`tessera_manifest::HOST_INTERFACES`];
//! the `registry!` list below names them once, and [`Capabilities`] (configure, grant check,
//! linking, effective grant) is generated from that list. Adding an interface is its module,
//! its row in the manifest's table and its line in the registry.

pub mod config;
pub mod errors;
pub mod files;
pub mod http;
pub mod ldap;
pub mod log;
pub mod vault;
pub mod xml;

use std::sync::Arc;

use serde_json::{Map, Value};
use tessera_manifest::{Manifest, ResolvedConfig};
use wasmtime::component::Linker;

use crate::bindings::WitVersion;
use crate::bindings::host::errors::{Denial, HostError};
use crate::host_state::HostState;
use crate::{AccessEvent, HostServices, SystemSettings};

/// One `tessera:host` interface on the host side: its policy, its host functions, its linking.
///
/// Once per configured system, [`configure`](Self::configure) computes the effective grant;
/// when there is one, [`add_to_linker`](Self::add_to_linker) links the interface in the
/// bindings of the plugin's WIT version, and every run of the system shares the configured
/// value through [`Capabilities`].
///
/// There is no per-instance hook: per-instance resources (LDAP searches, XML documents) live in
/// the instance's one resource table. A capability needing more would add a `prepare` step here
/// and a field to `HostState`.
pub(crate) trait Capability: Sized {
    /// Its interface: `NAME` in `tessera:host/NAME@VERSION`, a row of the manifest's table.
    const INTERFACE: &'static str;

    /// The effective grant: what the manifest requests intersected with what the operator
    /// grants. `None` is deny by default: the interface is not linked. Grants nobody requested
    /// go to `warnings`. Always-linked interfaces (no grant key in the table) return `Some`.
    fn configure(ctx: &ConfigureContext<'_>, warnings: &mut Vec<String>) -> Option<Self>;

    /// Adds the interface's host functions, in the bindings of `wit`, to the linker.
    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()>;

    /// Writes the effective grant under its own keys for security review; `None` when not
    /// granted. Always-linked interfaces grant nothing to review.
    fn effective(_grant: Option<&Self>, _out: &mut Map<String, Value>) {}
}

/// A host call that may trap: `Err` is a host bug (a resource handle the table lost), `Ok(Err)`
/// the guest's typed error.
pub(crate) type Trappable<T> = wasmtime::Result<Result<T, HostError>>;

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

/// Generates [`Capabilities`] from the one list of capabilities below.
macro_rules! registry {
    ($($field:ident: $cap:ty,)*) => {
        /// The capabilities prepared for one system; shared by every run of it. A field is
        /// `None` when its interface is not granted, and then it is not linked.
        pub struct Capabilities {
            /// Who is calling.
            pub caller: Caller,
            $(pub(crate) $field: Option<$cap>,)*
        }

        impl Capabilities {
            /// The interface of every capability, in registry order.
            #[cfg(test)]
            pub(crate) const INTERFACES: &[&str] = &[$(<$cap as Capability>::INTERFACE,)*];

            /// Configures every capability; returns them with warnings about grants nobody
            /// asked for.
            pub(crate) fn configure(ctx: &ConfigureContext<'_>) -> (Self, Vec<String>) {
                let mut warnings = Vec::new();
                let caps = Self {
                    caller: ctx.caller.clone(),
                    $($field: <$cap>::configure(ctx, &mut warnings),)*
                };
                (caps, warnings)
            }

            /// Whether the capability serving `interface` is configured, hence linked.
            fn is_linked(&self, interface: &str) -> bool {
                $(if interface == <$cap>::INTERFACE {
                    return self.$field.is_some();
                })*
                false
            }

            /// Links WASI (inert) and the configured host interfaces, nothing else.
            pub(crate) fn link(
                &self,
                linker: &mut Linker<HostState>,
                wit: WitVersion,
            ) -> wasmtime::Result<()> {
                wasmtime_wasi::p2::add_to_linker_async(linker)?;
                $(if self.$field.is_some() {
                    <$cap>::add_to_linker(linker, wit)?;
                })*
                Ok(())
            }

            /// A JSON view of the effective grant, for security review.
            pub fn effective(&self) -> Value {
                let mut out = Map::new();
                $(<$cap>::effective(self.$field.as_ref(), &mut out);)*
                Value::Object(out)
            }
        }
    };
}

registry! {
    // Always linked: they reach nothing outside the host.
    errors: errors::ErrorsCap,
    log: log::LogCap,
    config: config::ConfigCap,
    // Deny by default: linked when both requested and granted.
    http: http::HttpCap,
    ldap: ldap::LdapCap,
    xml: xml::XmlCap,
    vault: vault::VaultCap,
    files: files::FilesCap,
}

impl Capabilities {
    /// Whether an imported `tessera:host` interface is linked; `Err` names the keys to set.
    pub(crate) fn granted(&self, interface: &str) -> Result<(), String> {
        if self.is_linked(interface) {
            return Ok(());
        }
        Err(match tessera_manifest::host_interface(interface) {
            Some(row) => format!(
                "the plugin imports tessera:host/{interface} but nothing of it is granted; set {}",
                row.grant_hint(&self.caller.system)
            ),
            None => format!("the plugin imports tessera:host/{interface}, which this host lacks"),
        })
    }
}

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

#[cfg(test)]
mod tests;
