//! The `tessera` binary end to end: one harness, a module per command group.
#![allow(clippy::unwrap_used, reason = "tests")]

mod audit;
mod contract;
mod engine;
mod fixtures;
mod init;
mod operator;
mod plugin;
mod registry;
mod run;
mod secret;
mod serve;
mod takeover;
