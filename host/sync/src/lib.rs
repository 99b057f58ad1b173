//! One sync, as a library: the `tessera` commands, the daemon, the demo, the benchmarks and
//! the tests all run the same stages in the same order, and print (if they print) what they
//! get back.
//!
//! 1. **load** ([`Installation::open`]): the configuration, parsed once into typed
//!    [`Settings`](tessera_config::Settings); the role model; the store; the vault key; the
//!    installed plugins. [`Installation::systems`] then compiles and links each system's
//!    plugin ([`System`]); a system that cannot load is reported and left out.
//! 2. **recover** (a real run): plans a crashed run left unfinished are finished from their
//!    journal before anything else reads or writes.
//! 3. **import**: every source, its thresholds checked before anything is committed.
//! 4. **SOLL**: every person's desired state, computed once and stored as the snapshot the
//!    plans read back (held in memory on a dry run, which writes nothing).
//! 5. **read**: every target listed at once into its shadows. An incremental run, which
//!    holds only changes, reads its targets' feeds while its sources import (all of them at
//!    once), before SOLL; a full run keeps to this order, to keep its peak memory down.
//! 6. **plan**, with the target thresholds, and **apply**, every target at once, journalled.
//! 7. the [`SyncOutcome`]: what each system did and how long each stage took. Nothing here
//!    prints.
//!
//! A system that fails is marked failed and left out of the later stages; the others go on.
//! A run holds the store's run lock from start to end, so two runs never interleave.

mod check;
mod clock;
mod error;
mod load;
mod outcome;
mod probe;
mod progress;
mod services;
mod stages;
mod systems;

pub use check::{CheckReport, Finding, check};
pub use clock::Clock;
pub use error::{Error, Result};
pub use load::{Installation, PluginHost, checkpoint_key, load_model, open_store, vault_key};
pub use outcome::{
    FeedSummary, IstCounts, PlanCounts, StageSeconds, Status, SyncOutcome, SystemSummary,
};
pub use probe::{Probe, probe};
pub use progress::{NoProgress, Progress, StageProgress};
pub use services::{KEY_HINT, StoreServices};
pub use stages::{Mode, Reading, SyncOptions, sync};
pub use systems::{Connect, ConnectError, Kind, System, Systems};
pub use tessera_engine::apply::Stop;
