//! One module per command.

mod approve;
mod audit;
mod check;
mod context;
mod demo;
mod exit;
mod grant;
mod init;
mod plan;
mod plugin;
mod preview;
mod run;
mod secret;
mod sync;
mod table;

use anyhow::Result;

use crate::args::{Cli, Command};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Plugin { command } => plugin::run(&cli.config, command),
        Command::Run { system, json } => run::run(&cli.config, &system, json),
        Command::Demo => demo::run(),
        Command::Sync(args) => sync::run(&cli.config, clock(cli.today), &args),
        Command::Preview { person, json } => {
            preview::run(&cli.config, clock(cli.today), &person, json)
        }
        Command::Plan(args) => plan::run(&cli.config, clock(cli.today), &args),
        Command::Deviations(args) => plan::deviations(&cli.config, clock(cli.today), &args),
        Command::Grant(args) => grant::run(&cli.config, clock(cli.today), args),
        Command::Grants { all, json } => grant::list(&cli.config, clock(cli.today), all, json),
        Command::Approve(args) => approve::run(&cli.config, clock(cli.today), &args),
        Command::Audit { command } => audit::run(&cli.config, command),
        Command::Secret { command } => secret::run(&cli.config, command),
        Command::Init => init::run(&cli.config),
        Command::Check { json } => check::run(&cli.config, json),
    }
}

pub use exit::report;

fn clock(today: Option<chrono::NaiveDate>) -> context::Clock {
    context::Clock::new(today)
}

/// A tokio runtime for commands that call plugins.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(f))
}
