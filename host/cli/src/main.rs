//! The `tessera` binary: parses arguments and calls the libraries.
//!
//! Exit codes (also under `--help`):
//!
//! - 0: success.
//! - 1: errors: operations that failed in a target, a source or plugin that failed, or a
//!   command that could not do its work (an unknown grant id, a broken audit chain).
//! - 2: usage or configuration error: bad arguments (from clap), a configuration file or role
//!   model with problems, a manual grant without a reason.
//! - 3: something was blocked by a threshold (a source import or target actions waiting for
//!   `tessera approve`) and nothing else failed.

mod args;
mod commands;
mod services;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TESSERA_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => std::process::ExitCode::from(commands::report(&e)),
    }
}
