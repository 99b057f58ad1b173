//! Real-server harnesses and mock servers shared by Tessera's tests and benchmarks. Each
//! module starts one kind of server in a temporary directory and stops it on drop.

pub mod afas;
pub mod certs;
pub mod elanza;
pub mod graph;
pub mod hix;
pub mod hospital;
pub mod hsa;
mod ldap_tools;
pub mod samba;
pub mod serve;
pub mod slapd;
pub mod web;
