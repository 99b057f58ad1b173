//! The `tessera` binary end to end: one harness, a module per command group.
#![allow(clippy::unwrap_used, reason = "tests")]

mod engine;
mod init;
mod secret;
mod serve;
