//! What every Tessera test shares, in one place:
//!
//! - [`paths`]: the test plugins and first-party plugins, built for wasm32-wasip2 by build.rs;
//! - [`people`]: persons and contracts, and the simulated calendar ([`day`], [`noon`]);
//! - [`fakes`]: in-memory and file-backed connectors, and [`fakes::Fixed`] to give them to a
//!   run as systems;
//! - [`install`]: a throw-away installation directory;
//! - [`command`]: one way to run a Tessera binary and check what it did;
//! - [`contract`]: the contract every target plugin keeps, run against its mock;
//! - [`lifecycle`]: a real plugin driven by the sync library over simulated days.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support fails loudly"
)]

pub mod command;
pub mod contract;
pub mod fakes;
pub mod install;
pub mod lifecycle;
pub mod measure;
pub mod paths;
pub mod people;

pub use command::Tessera;
pub use install::{TestInstall, runtime};
pub use lifecycle::Lifecycle;
pub use paths::{fixture, fixture_bytes, plugin};
pub use people::{
    ContractExt, PersonExt, date, day, employment, forced_import, noon, person, shift,
};

/// The actions of every audit record so far, in chain order: `grant`, `follow-up-ticket`, …
pub fn audit_actions(store: &dyn tessera_store::Store) -> Vec<String> {
    let entries = store.audit_entries(None).expect("the audit log reads");
    entries.into_iter().map(|e| e.record.action).collect()
}

/// Role models tests share.
pub mod models {
    /// A fake AD (`system.ad`): accounts five days before a shift, disabled a day after,
    /// deleted thirty days after; the IC nurses' group for department IC.
    pub const IC_NURSES: &str = r#"
[system.ad]
deviations = "report"

[system.ad.account]
create_days_before = 5
disable_after_days = 1
delete_after_days = 30
username = ["{given:1}{prefix}{family}", "{given}.{family}{n}"]
attributes = { displayName = "{given} {prefix} {family}" }

[[rule]]
name = "IC nurses"
when = { department = "IC" }
grants = [{ system = "ad", kind = "group", key = "ic" }]
"#;
}
