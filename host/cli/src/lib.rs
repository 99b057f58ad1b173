//! The `tessera` command: parses arguments, calls the libraries (the sync library above all)
//! and prints. The binary is `main.rs`; the library lets the demo show the same output.
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

pub mod args;
pub mod commands;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// Parses `args` (the program name first) and runs the command; prints any error and
/// returns the exit code for it.
pub fn main_with<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with exit 0, and errors with exit 2.
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            if let Err(print) = e.print() {
                eprintln!("{print}");
            }
            return ExitCode::from(code);
        }
    };
    let serving = matches!(cli.command, args::Command::Serve { .. });
    init_logging(cli.log_format, serving);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(commands::report(&e)),
    }
}

/// Parses `args` (the program name first) and runs the command, returning its error instead
/// of printing it.
pub fn run_with<I, T>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    commands::run(args::Cli::try_parse_from(args)?)
}

/// Log lines go to stderr, in the chosen format, at the level `TESSERA_LOG` names (`warn`
/// by default; `serve` logs each run at `info`).
fn init_logging(format: args::LogFormat, serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TESSERA_LOG")
        .unwrap_or_else(|_| default.into());
    // Colour only for a person at a terminal: escape codes in a log file or a pipe are noise
    // (and NO_COLOR turns them off anywhere).
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    // A second call (the demo runs several commands in one process) keeps the first.
    let _ = match format {
        args::LogFormat::Text => builder.try_init(),
        args::LogFormat::Json => builder.json().try_init(),
    };
}
