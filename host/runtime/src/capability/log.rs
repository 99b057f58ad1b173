//! `tessera:host/log`: structured events tagged with plugin and system. Always linked.

use wasmtime::component::{HasSelf, Linker};

use super::{Capability, ConfigureContext};
use crate::bindings::host::log::{Field, Host, Level};
use crate::bindings::{WitVersion, v0_1, v0_2};
use crate::host_state::HostState;

/// Field values longer than this are cut, so a plugin cannot flood the log.
const MAX_FIELD: usize = 1024;

pub(crate) struct LogCap;

impl Capability for LogCap {
    const INTERFACE: &'static str = "log";

    fn configure(_: &ConfigureContext<'_>, _: &mut Vec<String>) -> Option<Self> {
        Some(Self)
    }

    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()> {
        match wit {
            WitVersion::V0_1 => v0_1::host::log::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
            WitVersion::V0_2 => v0_2::host::log::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
        }
    }
}

impl Host for HostState {
    async fn log(&mut self, level: Level, message: String, fields: Vec<Field>) {
        let caller = &self.caps.caller;
        let fields: Vec<String> = fields
            .into_iter()
            .take(32)
            .map(|f| {
                let mut value = f.value;
                if value.len() > MAX_FIELD {
                    let cut = (0..=MAX_FIELD)
                        .rev()
                        .find(|i| value.is_char_boundary(*i))
                        .unwrap_or(0);
                    value.truncate(cut);
                }
                format!("{}={value}", f.key)
            })
            .collect();
        let fields = fields.join(" ");
        let (plugin, system) = (&caller.plugin, &caller.system);
        match level {
            Level::Trace => {
                tracing::trace!(target: "tessera::plugin", %plugin, %system, %fields, "{message}")
            }
            Level::Debug => {
                tracing::debug!(target: "tessera::plugin", %plugin, %system, %fields, "{message}")
            }
            Level::Info => {
                tracing::info!(target: "tessera::plugin", %plugin, %system, %fields, "{message}")
            }
            Level::Warn => {
                tracing::warn!(target: "tessera::plugin", %plugin, %system, %fields, "{message}")
            }
            Level::Error => {
                tracing::error!(target: "tessera::plugin", %plugin, %system, %fields, "{message}")
            }
        }
    }
}
