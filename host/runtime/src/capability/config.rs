//! `tessera:host/config`: the system's configuration, already checked against the schema.
//! Secret fields carry the vault name only. Always linked.

use tessera_manifest::{ConfigValue, ResolvedConfig};
use wasmtime::component::{HasSelf, Linker};

use super::{Capability, ConfigureContext};
use crate::bindings::host::config::{Entry, Host, Value};
use crate::bindings::{WitVersion, v0_1, v0_2};
use crate::host_state::HostState;

pub(crate) struct ConfigCap {
    values: ResolvedConfig,
}

impl Capability for ConfigCap {
    const INTERFACE: &'static str = "config";

    fn configure(ctx: &ConfigureContext<'_>, _: &mut Vec<String>) -> Option<Self> {
        Some(Self {
            values: ctx.config.clone(),
        })
    }

    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()> {
        match wit {
            WitVersion::V0_1 => v0_1::host::config::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
            WitVersion::V0_2 => v0_2::host::config::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
        }
    }
}

impl HostState {
    /// The system's configuration; `None` cannot happen, since `configure` above never
    /// declines, and would read as an empty configuration.
    fn config_values(&self) -> Option<&ResolvedConfig> {
        self.caps.config.as_ref().map(|c| &c.values)
    }
}

fn to_wit(value: &ConfigValue) -> Value {
    match value {
        ConfigValue::Text(s) => Value::Text(s.clone()),
        ConfigValue::Integer(i) => Value::Integer(*i),
        ConfigValue::Float(f) => Value::Number(*f),
        ConfigValue::Boolean(b) => Value::Boolean(*b),
        ConfigValue::List(items) => Value::TextList(items.clone()),
        ConfigValue::SecretRef { secret } => Value::SecretRef(secret.clone()),
    }
}

impl Host for HostState {
    async fn get(&mut self, key: String) -> Option<Value> {
        self.config_values()?.get(&key).map(to_wit)
    }

    async fn all(&mut self) -> Vec<Entry> {
        let entries = self.config_values().into_iter().flat_map(|c| c.0.iter());
        entries
            .map(|(key, value)| Entry {
                key: key.clone(),
                value: to_wit(value),
            })
            .collect()
    }
}
