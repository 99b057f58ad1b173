//! `tessera:host/vault`: secrets by granted name and per-system state. Secret names come from
//! the grant intersected with the request, plus the names the operator put into secret config
//! fields. Values come from [`crate::HostServices`] (the encrypted store in the CLI); every
//! read and every refusal is audited.

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use wasmtime::component::{HasSelf, Linker};

use super::{Capability, ConfigureContext, intersect_names};
use crate::bindings::host::errors::HostError;
use crate::bindings::host::vault::Host;
use crate::bindings::{WitVersion, v0_1, v0_2};
use crate::host_state::HostState;
use crate::{ServiceError, StateScope};

pub(crate) struct VaultCap {
    secrets: BTreeSet<String>,
    state: bool,
    state_limit: usize,
}

impl Capability for VaultCap {
    const INTERFACE: &'static str = "vault";

    fn configure(ctx: &ConfigureContext<'_>, warnings: &mut Vec<String>) -> Option<Self> {
        let caps = &ctx.manifest.capabilities;
        let mut secrets: BTreeSet<String> = intersect_names(
            &caps.secrets,
            &ctx.spec.grants.secrets,
            ctx.caller.key("grants.secrets"),
            warnings,
        )
        .into_iter()
        .collect();
        secrets.extend(ctx.config.secret_names().map(str::to_owned));
        if ctx.spec.grants.state && !caps.state {
            warnings.push(format!(
                "{}: granted but the plugin never requested it",
                ctx.caller.key("grants.state")
            ));
        }
        let state = caps.state && ctx.spec.grants.state;
        let state_limit = ctx.spec.limits.state_bytes();
        (state || !secrets.is_empty()).then_some(Self {
            secrets,
            state,
            state_limit,
        })
    }

    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()> {
        match wit {
            WitVersion::V0_1 => v0_1::host::vault::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
            WitVersion::V0_2 => v0_2::host::vault::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
        }
    }

    fn effective(grant: Option<&Self>, out: &mut Map<String, Value>) {
        let secrets = grant.map(|v| v.secrets.iter().map(|s| s.as_str().into()).collect());
        out.insert("secrets".into(), Value::Array(secrets.unwrap_or_default()));
        out.insert("state".into(), Value::Bool(grant.is_some_and(|v| v.state)));
    }
}

impl HostState {
    fn state_scope(&self, key: &str) -> Result<(StateScope, usize), HostError> {
        let caller = &self.caps.caller;
        match &self.caps.vault {
            Some(v) if v.state => Ok((
                StateScope {
                    plugin: caller.plugin_id().to_owned(),
                    system: caller.system.clone(),
                },
                v.state_limit,
            )),
            _ => Err(caller.deny(format!("state key `{key}`"), caller.key("grants.state"))),
        }
    }
}

fn backend(e: ServiceError) -> HostError {
    match e {
        ServiceError::TooLarge(m) => HostError::TooLarge(m),
        other => HostError::Unavailable(other.to_string()),
    }
}

impl Host for HostState {
    async fn secret(&mut self, name: String) -> Result<String, HostError> {
        let caller = &self.caps.caller;
        let granted = self
            .caps
            .vault
            .as_ref()
            .is_some_and(|v| v.secrets.contains(&name));
        if !granted {
            return Err(caller.deny(format!("secret `{name}`"), caller.key("grants.secrets")));
        }
        match caller.read_secret("secret-read", &name, &format!("secret `{name}`")) {
            // The guest gets its own copy; ours is zeroised when `v` drops. The log masks it
            // from now on, so the plugin cannot echo it into the operator's log.
            Ok(Some(v)) => {
                self.log.mask(v.as_str());
                Ok(v.as_str().to_owned())
            }
            Ok(None) => Err(HostError::NotFound(format!(
                "the vault has no secret `{name}`; set it with `tessera secret set {name}`"
            ))),
            Err(e) => Err(backend(e)),
        }
    }

    async fn state_get(&mut self, key: String) -> Result<Option<Vec<u8>>, HostError> {
        let (scope, _) = self.state_scope(&key)?;
        self.caps
            .caller
            .services
            .state_get(&scope, &key)
            .map_err(backend)
    }

    async fn state_set(&mut self, key: String, value: Vec<u8>) -> Result<(), HostError> {
        let (scope, limit) = self.state_scope(&key)?;
        self.caps
            .caller
            .services
            .state_set(&scope, &key, &value, limit)
            .map_err(backend)
    }

    async fn state_delete(&mut self, key: String) -> Result<(), HostError> {
        let (scope, _) = self.state_scope(&key)?;
        self.caps
            .caller
            .services
            .state_delete(&scope, &key)
            .map_err(backend)
    }
}
