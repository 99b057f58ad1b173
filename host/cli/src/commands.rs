//! One module per command: parse arguments, call the libraries, print.

pub mod approve;
pub mod audit;
pub mod check;
mod console;
pub mod entitlements;
mod exit;
pub mod grant;
pub mod init;
mod loaders;
pub mod persons;
pub mod plan;
pub mod plugin;
pub mod preview;
pub mod run;
pub mod secret;
pub mod serve;
pub mod sync;
mod table;
pub mod takeover;
pub mod user;

use anyhow::Result;
use tessera_sync::{Clock, Systems};

use crate::args::{Cli, Command, TakeoverCommand};
use tessera_engine::decisions::Verdict;

pub use exit::{ConfigError, Finished, report};

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<()> {
    let clock = Day(cli.today);
    let config = &cli.config;
    match cli.command {
        Command::Plugin { command } => plugin::run(config, command),
        Command::Run { system, json } => run::run(config, &system, json),
        Command::Sync(args) => sync::run(config, clock, &args),
        Command::Serve { listen } => serve::run(config, cli.today, listen),
        Command::Preview { person, json } => preview::run(config, clock, &person, json),
        Command::Plan(args) => plan::run(config, clock, &args),
        Command::Deviations(args) => plan::deviations(config, clock, &args),
        Command::Entitlements { system, json } => entitlements::run(config, &system, json),
        Command::Persons { search, json } => persons::list(config, search.as_deref(), json),
        Command::Person { command } => persons::show(config, command),
        Command::Grant(args) => grant::run(config, clock, args),
        Command::Grants { all, json } => grant::list(config, clock, all, json),
        Command::Adopt(args) => takeover::adopt(config, clock, args),
        Command::Takeover { command } => match command {
            TakeoverCommand::Report { system, json } => {
                takeover::report(config, clock, &system, json)
            }
            TakeoverCommand::Withdraw { system, reason, by } => {
                takeover::withdraw(config, clock, &system, &reason, by.as_deref())
            }
        },
        Command::Approve(args) => approve::run(config, clock, &args, Verdict::Approve),
        Command::Reject(args) => approve::run(config, clock, &args, Verdict::Reject),
        Command::Audit { command } => audit::run(config, command),
        Command::Secret { command } => secret::run(config, command),
        Command::User { command } => user::run(config, command),
        Command::Init { template } => init::run(config, template),
        Command::Check { json } => check::run(config, json),
    }
}

/// The day a command acts on: `--today`, or the real day in the configured `timezone`, which
/// is known only once the command has read the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Day(Option<chrono::NaiveDate>);

impl Day {
    /// The clock for this day in the configuration's zone.
    pub fn clock(self, settings: &tessera_config::Settings) -> Clock {
        Clock::new(self.0, settings.timezone)
    }
}

/// A tokio runtime for commands that call plugins.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(f))
}

/// Grants a system's plugin never asked for, on stderr.
pub(crate) fn print_warnings(systems: &Systems) {
    for (system, warning) in &systems.warnings {
        eprintln!("warning: {system}: {warning}");
    }
}
