//! tessera-ldap against a real slapd started by `tessera-test-servers`. One binary, so the
//! crates link once.

mod changes;
mod common;
mod confinement;
mod recovery;
mod search;
mod tls;
mod writes;
