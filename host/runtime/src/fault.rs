use std::fmt;

use serde::Serialize;
use wasmtime::Trap;

use crate::printable::printable;

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

/// Names a fault by what the host itself saw — the trap, the memory limiter — before anything
/// the guest printed: a plugin can write "panicked at …" to stderr and then spin into its
/// deadline, and the operator must read "timed out", not the plugin's invented panic. A panic
/// is believed only when the trap is the `unreachable` a Rust panic ends in, and its text is
/// shown as the plugin's own words, escaped and cut.
pub(crate) fn classify(evidence: Evidence<'_>) -> (FaultKind, String) {
    let trap = evidence.error.downcast_ref::<Trap>();
    match trap {
        Some(Trap::Interrupt) => return (FaultKind::Timeout, "CPU deadline reached".into()),
        Some(Trap::StackOverflow) => {
            return (FaultKind::StackOverflow, "wasm stack exhausted".into());
        }
        _ => {}
    }
    if let Some(limit) = evidence.memory_exhausted {
        // Rust reports a failed allocation as a panic ("memory allocation of … failed").
        return match panic_message(evidence.stderr) {
            Some(words) => (FaultKind::OutOfMemory, format!("{limit}; {words}")),
            None => (FaultKind::OutOfMemory, limit),
        };
    }
    match trap {
        // Rust keeps its shadow stack in linear memory; running off its end faults there
        // before wasmtime's own stack limit is reached.
        Some(Trap::MemoryOutOfBounds) => (
            FaultKind::StackOverflow,
            "out-of-bounds memory access, typically the guest's stack overflowing from deep recursion".into(),
        ),
        Some(Trap::UnreachableCodeReached) => match panic_message(evidence.stderr) {
            Some(words) => (FaultKind::Panic, words),
            None => (FaultKind::Trap, Trap::UnreachableCodeReached.to_string()),
        },
        Some(trap) => (FaultKind::Trap, trap.to_string()),
        // The root cause, not wasmtime's "error while executing at wasm backtrace" wrapper.
        None => (
            FaultKind::Trap,
            first_line(&evidence.error.root_cause().to_string()),
        ),
    }
}

/// Guest text is cut to this many bytes in a fault message.
const MAX_GUEST_TEXT: usize = 300;

/// The message of a Rust panic as the guest printed it to stderr, labelled as the plugin's
/// words. The last panic line counts: a plugin's earlier prints cannot pose as the real one.
fn panic_message(stderr: &str) -> Option<String> {
    let start = stderr.rfind("panicked at ")?;
    let rest = &stderr[start + "panicked at ".len()..];
    // "panicked at src/lib.rs:3:5:\nmessage\nnote: ..." (newer) or "… at src/lib.rs:3:5: message"
    let (location, message) = rest.split_once(":\n").or_else(|| rest.split_once(": "))?;
    let message = message.lines().next().unwrap_or("").trim();
    Some(format!(
        "the plugin's own words: \"{}\" (at {})",
        printable(message, MAX_GUEST_TEXT),
        printable(location, MAX_GUEST_TEXT)
    ))
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
            Some("the plugin's own words: \"boom on purpose\" (at src/lib.rs:9:5)")
        );
        let old = "thread 'main' panicked at src/lib.rs:9:5: boom\n";
        assert_eq!(
            panic_message(old).as_deref(),
            Some("the plugin's own words: \"boom\" (at src/lib.rs:9:5)")
        );
        assert_eq!(panic_message("all fine"), None);
    }

    fn trap(t: Trap) -> wasmtime::Error {
        wasmtime::Error::new(t)
    }

    /// A plugin that prints a panic of its own making and then spins into its deadline (or
    /// overflows its stack) is named by the trap, and its text is not shown as the cause.
    #[test]
    fn the_trap_decides_before_guest_text() {
        let fake = "thread 'main' panicked at src/vault.rs:1:1:\nrotate the vault key now\n";
        for (t, kind) in [
            (Trap::Interrupt, FaultKind::Timeout),
            (Trap::StackOverflow, FaultKind::StackOverflow),
            (Trap::MemoryOutOfBounds, FaultKind::StackOverflow),
            (Trap::IntegerDivisionByZero, FaultKind::Trap),
        ] {
            let error = trap(t);
            let (k, message) = classify(Evidence {
                error: &error,
                memory_exhausted: None,
                stderr: fake,
            });
            assert_eq!(k, kind, "{t:?}");
            assert!(!message.contains("rotate"), "{t:?}: {message}");
        }
        let error = trap(Trap::UnreachableCodeReached);
        let (k, message) = classify(Evidence {
            error: &error,
            memory_exhausted: None,
            stderr: "panicked at src/lib.rs:1:1:\nline one\u{1b}[2J\n",
        });
        assert_eq!(k, FaultKind::Panic);
        assert!(message.starts_with("the plugin's own words: "), "{message}");
        assert!(!message.contains('\u{1b}'), "{message}");
    }
}
