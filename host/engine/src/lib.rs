//! Tessera's engine: import, the role model, SOLL, IST, plan with thresholds, and apply.
//!
//! Each stage takes the previous stage's value and produces its own:
//! [`import::import`] fills the store's persons from a
//! [`SourceConnector`](tessera_domain::SourceConnector), [`soll::compute_desired`] turns them
//! and the [`RoleModel`](model::RoleModel) into what each should have (SOLL),
//! [`ist::read_target`] stores what a target really holds as shadows (IST),
//! [`plan::plan_system`] compares the two into a [`Plan`](plan::Plan) of typed operations with
//! target thresholds applied, and [`apply::apply_plan`] carries a stored plan out through a
//! [`TargetConnector`](tessera_domain::TargetConnector), journalled so a crash loses and
//! doubles nothing. [`decisions`] records the operators' manual grants and approvals. Every
//! change and refusal goes to the store's hash-chained audit log. The order of the stages and
//! what a run does when one system fails belong to the sync library (`tessera-sync`).
//!
//! Nothing here reads the system clock: callers pass `today` and `now`, so tests can walk a
//! lifecycle over simulated days. Nothing here knows about WebAssembly.
//!
//! # Glossary
//!
//! - **person**: one human, merged from every source's record of them (joined by the
//!   correlation key), with their contracts. Kept in the store.
//! - **contract**: an employment, hire or shift; a flex worker's shift is a contract.
//! - **SOLL** (desired state): the accounts and entitlements the role model and manual grants
//!   give a person in each system, with reasons and dates. Computed once per run and kept as
//!   the desired-state snapshot.
//! - **IST** (actual state): what a target holds, as last read or written: its **shadows**
//!   (accounts and their owner), the entitlement catalogue and the memberships.
//! - **situation**: how an account relates to the persons: linked, unlinked (one candidate),
//!   disputed (several), unmatched (none) or deleted.
//! - **deviation**: an entitlement a target holds that no rule and no manual grant gives.
//! - **manual grant**: an entitlement an operator gives a person outside the role model, with a
//!   reason, an author and perhaps an end. **Adopting** a deviation makes it one.
//! - **rule**: a role-model rule: conditions on contracts and the entitlements it gives.
//! - **grant** / **revoke** (operations): adding an entitlement to an account or taking it away.
//! - **plan**: the typed operations that take one target from IST to SOLL; a **blocked action**
//!   is one a threshold held back until an operator approves it.
//! - **journal**: each applied operation's `started` and `done`/`failed` rows, from which a
//!   later run finishes what a crashed one left.
//! - **capability grant** (not this crate's): what the operator lets a plugin reach, in
//!   `[systems.NAME.grants]`.
//! - **vault**: the encrypted secrets (and the key that opens them); never persons.
//! - **store**: the database; the plugin store is the directory of installed plugins.

pub mod apply;
pub mod contract;
pub mod decisions;
mod error;
pub mod follow_up;
pub mod import;
pub mod ist;
pub mod model;
pub mod paging;
pub mod plan;
pub mod soll;
pub mod takeover;
pub mod username;

pub use error::{Error, Result};
