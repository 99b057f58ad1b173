//! Tessera's engine: import, role model, SOLL, reconcile, plan, thresholds and apply.
//!
//! Each stage takes the previous stage's value and produces its own:
//! [`import::import`] fills the vault from a [`SourceConnector`](tessera_domain::SourceConnector),
//! [`soll::person_soll`] turns persons and the [`RoleModel`](model::RoleModel) into what they
//! should have, [`reconcile::read_target`] stores what a target really holds as shadows,
//! [`plan::build_plan`] compares the two into a [`Plan`](plan::Plan) of typed operations with
//! target thresholds applied, and [`apply::apply_plan`] carries a stored plan out through a
//! [`TargetConnector`](tessera_domain::TargetConnector), journalled so a crash loses and
//! doubles nothing. [`grants`] handles manual grants and approvals; every change and refusal
//! goes to the store's hash-chained audit log.
//!
//! Nothing here reads the system clock: callers pass `today` and `now`, so tests can walk a
//! lifecycle over simulated days. Nothing here knows about WebAssembly.

pub mod apply;
pub mod contract;
mod error;
pub mod grants;
pub mod import;
pub mod model;
pub mod paging;
pub mod plan;
pub mod reconcile;
pub mod soll;
pub mod username;

pub use error::{Error, Result};
