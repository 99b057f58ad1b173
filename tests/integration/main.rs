//! Tessera's integration tests: real plugins in the real runtime.
#![allow(clippy::unwrap_used, reason = "tests")]

/// The active-directory plugin on a real Samba AD DC, through the engine and directly.
mod ad;
/// The Elanza source plugin against the mock Elanza: window, contracts, caching, faults, changes.
mod elanza;
/// Configuration, schema validation and the effective grant.
mod grants;
/// The HiX plugin, the engine and the mock HiX web service: lifecycle, deviations, take-over.
mod hix;
/// Hostile plugins are stopped with a named fault and the host carries on.
mod hostile;
/// The hsa plugin on a real slapd with the HSA test schema, through the engine.
mod hsa;
/// The http capability against a local server: allowlist, SSRF guard, limits, credentials.
mod http;
/// The ldap capability against a real slapd: paging, writes, escaping, base-DN confinement.
mod ldap;
/// The cap-probe plugin that drives capabilities from tests.
mod probe;
/// Installing, locking, signing, upgrading and rolling back plugins.
mod store;
/// Secrets and state through the vault capability; no secret in logs or audit.
mod vault;
/// The frozen WIT release is never edited.
mod wit;
/// The xml capability: namespace-aware queries, SOAP building, hostile documents refused.
mod xml;
