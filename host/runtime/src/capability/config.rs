//! `tessera:host/config`: the system's configuration, already checked against the schema.
//! Secret fields carry the vault name only. Always linked.

use tessera_manifest::{ConfigValue, ResolvedConfig};

use super::ConfigureContext;
use crate::bindings::host::config::{Entry, Host, Value};
use crate::host_state::HostState;

pub(crate) struct ConfigCap {
    values: ResolvedConfig,
}

impl ConfigCap {
    pub(crate) fn configure(ctx: &ConfigureContext<'_>) -> Self {
        Self {
            values: ctx.config.clone(),
        }
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
        self.caps.config.values.get(&key).map(to_wit)
    }

    async fn all(&mut self) -> Vec<Entry> {
        self.caps
            .config
            .values
            .0
            .iter()
            .map(|(key, value)| Entry {
                key: key.clone(),
                value: to_wit(value),
            })
            .collect()
    }
}
