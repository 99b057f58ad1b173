//! Real-server harnesses and mock servers shared by Tessera's tests and benchmarks. Each
//! module starts one kind of server in a temporary directory and stops it on drop.

pub mod afas;
pub mod bearer;
pub mod certs;
pub mod elanza;
pub mod fault;
pub mod graph;
pub mod hix;
pub mod hospital;
pub mod hsa;
mod ldap_tools;
pub mod ons;
mod port;
pub mod registry;
pub mod samba;
pub mod serve;
pub mod slapd;
pub mod tls;
pub mod topdesk;
pub mod web;
pub mod youforce;

/// A lock that a panicked holder did not poison: a mock goes on serving after a test failed.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
