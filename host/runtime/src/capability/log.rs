//! `tessera:host/log`: structured events tagged with plugin and system. Always linked.
//!
//! A plugin's words reach the operator's log, so they are treated as hostile text: control
//! characters are escaped (a `\n` could otherwise forge a whole host line, an audit denial
//! say), message, keys and values are cut to a size, one instance may write only so much in a
//! run, and the values of the secrets the host handed to this instance are masked.

use wasmtime::component::{HasSelf, Linker};
use zeroize::Zeroizing;

use super::{Capability, ConfigureContext};
use crate::bindings::host::log::{Field, Host, Level};
use crate::bindings::{WitVersion, v0_1, v0_2};
use crate::host_state::HostState;
use crate::printable::printable;

/// Bytes kept of a message, a field key and a field value; the rest is cut.
const MAX_MESSAGE: usize = 2048;
const MAX_KEY: usize = 64;
const MAX_FIELD: usize = 1024;
/// Fields kept per line.
const MAX_FIELDS: usize = 32;
/// What one instance may write in a run; past it, lines are dropped and the operator told once.
const MAX_LINES: u32 = 10_000;
const MAX_BYTES: usize = 4 << 20;
/// Secrets shorter than this are not masked: masking `ab` would garble every line.
const MIN_MASKED: usize = 4;

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

/// Per-instance log state: the volume written and the secret values to mask.
#[derive(Default)]
pub(crate) struct LogBudget {
    lines: u32,
    bytes: usize,
    dropped: bool,
    secrets: Vec<Zeroizing<String>>,
}

impl LogBudget {
    /// Remembers a secret value handed to the plugin, so its log lines never show it.
    pub(crate) fn mask(&mut self, value: &str) {
        if value.len() >= MIN_MASKED && !self.secrets.iter().any(|s| s.as_str() == value) {
            self.secrets.push(Zeroizing::new(value.to_owned()));
        }
    }

    /// `text` made safe for one log line: secrets masked, cut to `max` bytes, control
    /// characters escaped.
    fn clean(&self, text: &str, max: usize) -> String {
        let mut masked = std::borrow::Cow::Borrowed(text);
        for s in &self.secrets {
            if masked.contains(s.as_str()) {
                masked = masked.replace(s.as_str(), "[secret]").into();
            }
        }
        printable(&masked, max)
    }

    /// Field keys become identifiers, so `a=b c` cannot pose as two fields.
    fn key(&self, key: &str) -> String {
        self.clean(key, MAX_KEY)
            .chars()
            .map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' | '.' => c,
                _ => '_',
            })
            .collect()
    }

    /// Counts a line against the budget; false when it is to be dropped.
    fn admit(&mut self, bytes: usize) -> Admit {
        if self.dropped {
            return Admit::Drop;
        }
        self.lines += 1;
        self.bytes += bytes;
        if self.lines > MAX_LINES || self.bytes > MAX_BYTES {
            self.dropped = true;
            return Admit::DropFirst;
        }
        Admit::Write
    }
}

enum Admit {
    Write,
    DropFirst,
    Drop,
}

impl Host for HostState {
    async fn log(&mut self, level: Level, message: String, fields: Vec<Field>) {
        let budget = &mut self.log;
        let message = budget.clean(&message, MAX_MESSAGE);
        let fields: Vec<String> = fields
            .iter()
            .take(MAX_FIELDS)
            .map(|f| {
                format!(
                    "{}={}",
                    budget.key(&f.key),
                    budget.clean(&f.value, MAX_FIELD)
                )
            })
            .collect();
        let fields = fields.join(" ");
        let caller = &self.caps.caller;
        let (plugin, system) = (&caller.plugin, &caller.system);
        match budget.admit(message.len() + fields.len()) {
            Admit::Write => {}
            Admit::Drop => return,
            Admit::DropFirst => {
                tracing::warn!(
                    target: "tessera::plugin", %plugin, %system,
                    "the plugin's log volume passed {MAX_LINES} lines or {} MiB in this run; its further lines are dropped",
                    MAX_BYTES >> 20
                );
                return;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_text_cut() {
        let b = LogBudget::default();
        let forged = "ok\n2026-12-03T10:00:00Z WARN tessera::audit: denied\r\x1b[31m";
        let clean = b.clean(forged, MAX_MESSAGE);
        assert!(!clean.chars().any(char::is_control), "{clean}");
        assert!(clean.starts_with("ok\\n2026"), "{clean}");
        let long = "é".repeat(MAX_MESSAGE);
        let cut = b.clean(&long, MAX_MESSAGE);
        assert!(cut.len() <= MAX_MESSAGE + "…[cut]".len(), "{}", cut.len());
        assert!(cut.ends_with("…[cut]"));
        assert_eq!(b.key("a=b c\nd"), "a_b_c_nd");
        let key = b.key(&"k".repeat(500));
        assert!(key.len() < MAX_KEY + 8 && key.ends_with("_cut_"), "{key}");
    }

    #[test]
    fn handed_secrets_are_masked_but_tiny_ones_are_not() {
        let mut b = LogBudget::default();
        b.mask("s3cret-Value");
        b.mask("ab");
        assert_eq!(b.clean("token s3cret-Value, ab", 100), "token [secret], ab");
    }

    #[test]
    fn the_volume_is_bounded_per_instance() {
        let mut b = LogBudget::default();
        let written = (0..MAX_LINES + 50)
            .filter(|_| matches!(b.admit(10), Admit::Write))
            .count();
        assert_eq!(written, MAX_LINES as usize);
        let mut b = LogBudget::default();
        assert!(matches!(b.admit(MAX_BYTES), Admit::Write));
        assert!(matches!(b.admit(1), Admit::DropFirst));
        assert!(matches!(b.admit(1), Admit::Drop));
    }
}
