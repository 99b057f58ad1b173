//! Tessera's integration tests: real plugins in the real runtime.
#![allow(clippy::unwrap_used, reason = "tests")]

/// Configuration, schema validation and the effective grant.
mod grants;
/// Hostile plugins are stopped with a named fault and the host carries on.
mod hostile;
/// Installing, locking, signing, upgrading and rolling back plugins.
mod store;
/// The frozen WIT release is never edited.
mod wit;
