//! One module per command.

mod demo;
mod plugin;
mod run;

use anyhow::Result;

use crate::args::{Cli, Command};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Plugin { command } => plugin::run(&cli.config, command),
        Command::Run { system, json } => run::run(&cli.config, &system, json),
        Command::Demo => demo::run(),
    }
}

/// A tokio runtime for commands that call plugins.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(f))
}
