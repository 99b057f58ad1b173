//! `tessera:host/vault`: secrets by granted name and per-system state. Secret names come from
//! the grant intersected with the request, plus the names the operator put into secret config
//! fields. The encrypted store behind it is the capabilities release.

use std::collections::BTreeSet;

use super::{ConfigureContext, intersect_names};
use crate::bindings::host::errors::HostError;
use crate::bindings::host::vault::Host;
use crate::host_state::HostState;

pub(crate) struct VaultCap {
    pub secrets: BTreeSet<String>,
    pub state: bool,
}

impl VaultCap {
    pub(crate) fn configure(
        ctx: &ConfigureContext<'_>,
        warnings: &mut Vec<String>,
    ) -> Option<Self> {
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
        (state || !secrets.is_empty()).then_some(Self { secrets, state })
    }
}

fn no_backend<T>() -> Result<T, HostError> {
    Err(HostError::Unsupported(
        "this host version has no vault backend yet".into(),
    ))
}

impl HostState {
    fn state_check(&self, key: &str) -> Result<(), HostError> {
        let caller = &self.caps.caller;
        if self.caps.vault.as_ref().is_some_and(|v| v.state) {
            no_backend()
        } else {
            Err(caller.deny(format!("state key `{key}`"), caller.key("grants.state")))
        }
    }
}

impl Host for HostState {
    async fn secret(&mut self, name: String) -> Result<String, HostError> {
        let caller = &self.caps.caller;
        if self
            .caps
            .vault
            .as_ref()
            .is_some_and(|v| v.secrets.contains(&name))
        {
            no_backend()
        } else {
            Err(caller.deny(format!("secret `{name}`"), caller.key("grants.secrets")))
        }
    }

    async fn state_get(&mut self, key: String) -> Result<Option<Vec<u8>>, HostError> {
        self.state_check(&key).map(|()| None)
    }

    async fn state_set(&mut self, key: String, _value: Vec<u8>) -> Result<(), HostError> {
        self.state_check(&key)
    }

    async fn state_delete(&mut self, key: String) -> Result<(), HostError> {
        self.state_check(&key)
    }
}
