use std::fmt;

use serde::Serialize;
use wasmtime::Trap;

/// How a plugin call ended badly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// The guest panicked; the message is the panic message.
    Panic,
    /// The CPU deadline (epoch) or the outer call timeout passed.
    Timeout,
    /// The guest tried to grow memory past its cap.
    OutOfMemory,
    /// The guest overflowed its stack (deep recursion).
    StackOverflow,
    /// Any other trap.
    Trap,
    /// The guest returned something the host refuses (too large, malformed).
    BadResult,
}

/// A plugin that failed as a program, not as a connector: the run is over, the host and every
/// other system carry on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct PluginFault {
    /// `id@version`.
    pub plugin: String,
    /// The configured system.
    pub system: String,
    /// The exported function that was running.
    pub call: String,
    /// What happened.
    pub kind: FaultKind,
    /// The panic message, limit or trap text.
    pub message: String,
}

impl fmt::Display for PluginFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            FaultKind::Panic => "panicked",
            FaultKind::Timeout => "timed out",
            FaultKind::OutOfMemory => "ran out of memory",
            FaultKind::StackOverflow => "overflowed its stack",
            FaultKind::Trap => "trapped",
            FaultKind::BadResult => "returned an unacceptable result",
        };
        write!(
            f,
            "system `{}` (plugin {}) {what} in `{}`: {}",
            self.system, self.plugin, self.call, self.message
        )
    }
}

/// What the host saw while the call ran, used to name the fault.
pub(crate) struct Evidence<'a> {
    pub error: &'a wasmtime::Error,
    pub memory_exhausted: Option<String>,
    pub stderr: &'a str,
}

pub(crate) fn classify(evidence: Evidence<'_>) -> (FaultKind, String) {
    if let Some(panic) = panic_message(evidence.stderr) {
        if let Some(limit) = evidence.memory_exhausted {
            return (
                FaultKind::OutOfMemory,
                format!("{limit}; guest said: {panic}"),
            );
        }
        return (FaultKind::Panic, panic);
    }
    if let Some(limit) = evidence.memory_exhausted {
        return (FaultKind::OutOfMemory, limit);
    }
    match evidence.error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => (FaultKind::Timeout, "CPU deadline reached".into()),
        Some(Trap::StackOverflow) => (FaultKind::StackOverflow, "wasm stack exhausted".into()),
        // Rust keeps its shadow stack in linear memory; running off its end faults there
        // before wasmtime's own stack limit is reached.
        Some(Trap::MemoryOutOfBounds) => (
            FaultKind::StackOverflow,
            "out-of-bounds memory access, typically the guest's stack overflowing from deep recursion".into(),
        ),
        Some(trap) => (FaultKind::Trap, trap.to_string()),
        None => (FaultKind::Trap, first_line(&evidence.error.to_string())),
    }
}

/// The message of a Rust panic as the guest printed it to stderr.
fn panic_message(stderr: &str) -> Option<String> {
    let start = stderr.find("panicked at ")?;
    let rest = &stderr[start + "panicked at ".len()..];
    // "panicked at src/lib.rs:3:5:\nmessage\nnote: ..." (newer) or "… at src/lib.rs:3:5: message"
    let (location, message) = rest.split_once(":\n").or_else(|| rest.split_once(": "))?;
    let message = message.lines().next().unwrap_or("").trim();
    Some(format!("{message} (at {location})"))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_panic_formats() {
        let new = "thread '<unnamed>' panicked at src/lib.rs:9:5:\nboom on purpose\nnote: run with";
        assert_eq!(
            panic_message(new).as_deref(),
            Some("boom on purpose (at src/lib.rs:9:5)")
        );
        let old = "thread 'main' panicked at src/lib.rs:9:5: boom\n";
        assert_eq!(
            panic_message(old).as_deref(),
            Some("boom (at src/lib.rs:9:5)")
        );
        assert_eq!(panic_message("all fine"), None);
    }
}
