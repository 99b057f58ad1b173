//! `tessera sync`: every stage of the sync library, with a progress bar per stage, then a
//! summary per system.

mod progress;
mod summary;

use super::Day;
use std::path::Path;

use anyhow::Result;
use tessera_sync::{Installation, Mode, SyncOptions};

use crate::args::SyncArgs;
pub use progress::Bars;
pub use summary::{render, report};

pub fn run(config: &Path, day: Day, args: &SyncArgs) -> Result<()> {
    let mut installation = Installation::open(config)?;
    let clock = day.clock(&installation.settings);
    let systems = installation.systems(None)?;
    super::print_warnings(&systems);
    let options = SyncOptions {
        dry_run: args.dry_run,
        force: args.force,
        mode: if args.full {
            Mode::Full
        } else {
            Mode::Incremental
        },
        ..SyncOptions::default()
    };
    let bars = Bars::new(args.json);
    let outcome = super::block_on(installation.sync(&systems, options, clock, &bars))??;
    report(&outcome, args.json)
}
