//! Tessera's integration tests: real plugins in the real runtime.
#![allow(clippy::unwrap_used, reason = "tests")]

/// The active-directory plugin on a real Samba AD DC, through the sync library and directly.
mod ad;
/// The AFAS Profit source plugin against the mock Profit, and joiner, mover and leaver through
/// the engine.
mod afas;
/// Configuration, schema validation and the effective capability grant.
mod capability_grants;
/// The Elanza source plugin against the mock Elanza: window, contracts, caching, faults, changes.
mod elanza;
/// The entra-id plugin against the mock Microsoft Graph: lifecycle, delta feeds, faults.
mod entra;
/// The flatfile source plugin on CSV files in a granted directory: joiner, mover and leaver
/// through the engine, encodings, and the read-only file capability's limits.
mod flatfile;
/// Follow-up tickets: a grant in one system waits for a TOPdesk incident through the real
/// topdesk plugin and the mock TOPdesk.
mod follow_ups;
/// The HiX plugin through the sync library against the mock HiX: lifecycle, deviations, take-over.
mod hix;
/// Hostile plugins are stopped with a named fault and the host carries on.
mod hostile;
/// The hsa plugin on a real slapd with the HSA test schema, through the sync library.
mod hsa;
/// The http capability against a local server: allowlist, SSRF guard, limits, credentials.
mod http;
/// The ldap capability against a real slapd: paging, writes, escaping, base-DN confinement.
mod ldap;
/// The nedap-ons plugin against the mock ONS over mutual TLS: client certificates, duties, faults.
mod ons;
/// The plugin store: installing, locking, signing, upgrading and rolling back plugins.
mod plugin_store;
/// The cap-probe plugin that drives capabilities from tests.
mod probe;
/// Secrets and state through the vault capability; no secret in logs or audit.
mod secrets;
/// The topdesk plugin against the mock TOPdesk: lifecycle, archiving, lookups, paging, faults.
mod topdesk;
/// The frozen WIT releases are never edited: each is pinned by a digest.
mod wit;
/// A plugin built against the frozen WIT 0.1.0 beside 0.2.0 plugins in one runtime; the 0.2
/// calls (change feeds, get-account, multi-valued changes) through a real plugin.
mod wit_versions;
/// The xml capability: namespace-aware queries, SOAP building, hostile documents refused.
mod xml;
/// The youforce source against the mock Youforce: through the engine, paging, spike arrest, faults.
mod youforce;
