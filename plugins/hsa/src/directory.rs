//! The operator's `hsa` connection, and the SDK's LDAP entry and DN helpers.

use tessera_sdk::ldap::Directory;

/// The connection name the manifest requests; the operator defines `[ldap.hsa]`.
pub const CONNECTION: &str = "hsa";

/// Entries per page; directories commonly cap pages near this.
pub const DIR: Directory = Directory::new(CONNECTION, 500);

pub use tessera_sdk::ldap::{
    change, code as codes, first, normalise_dn, result_code as code, split_dn, values,
};
