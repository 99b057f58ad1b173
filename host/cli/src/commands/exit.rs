//! Exit codes: what went wrong decides the number (documented in main.rs and `--help`).

use std::fmt;

/// Failed operations or a failed command.
const FAILED: u8 = 1;
/// Bad arguments or configuration.
const USAGE: u8 = 2;
/// A threshold blocked something and nothing else failed.
const BLOCKED: u8 = 3;

/// The configuration or role model is wrong; the operator must fix a file.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A command that ran to its end but must not exit with success; it has printed its results.
#[derive(Debug)]
pub enum Finished {
    /// Something failed; the text says what.
    Failed(String),
    /// Something was blocked by a threshold and nothing failed.
    Blocked(String),
}

impl fmt::Display for Finished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(m) | Self::Blocked(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Finished {}

/// Prints the error to stderr and returns the exit code for it.
pub fn report(err: &anyhow::Error) -> u8 {
    match err.downcast_ref::<Finished>() {
        Some(Finished::Blocked(m)) => {
            eprintln!("blocked: {m}");
            BLOCKED
        }
        Some(Finished::Failed(m)) => {
            eprintln!("error: {m}");
            FAILED
        }
        None => {
            eprintln!("error: {err:#}");
            if is_usage(err) { USAGE } else { FAILED }
        }
    }
}

/// Whether the error is the operator's input rather than something that went wrong.
fn is_usage(err: &anyhow::Error) -> bool {
    use tessera_engine::Error as E;
    err.chain().any(|cause| {
        cause.is::<ConfigError>()
            || cause.is::<tessera_config::Error>()
            || cause
                .downcast_ref::<tessera_sync::Error>()
                .is_some_and(tessera_sync::Error::is_configuration)
            || matches!(
                cause.downcast_ref::<tessera_runtime::Error>(),
                Some(tessera_runtime::Error::Config { .. })
            )
            || matches!(
                cause.downcast_ref::<E>(),
                Some(E::Model(_) | E::UnknownSystem(_) | E::MissingReason)
            )
    })
}

/// Sums up a run: failures win over blocks, blocks over success.
pub fn finish(failures: &[String], blocks: &[String]) -> anyhow::Result<()> {
    if !failures.is_empty() {
        return Err(Finished::Failed(failures.join("; ")).into());
    }
    if !blocks.is_empty() {
        return Err(Finished::Blocked(blocks.join("; ")).into());
    }
    Ok(())
}
