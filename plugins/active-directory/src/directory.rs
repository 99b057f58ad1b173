//! The operator's `ad` connection, and the SDK's LDAP entry and DN helpers.

use tessera_sdk::ldap::Directory;

/// The connection name the manifest requests; the operator defines `[ldap.ad]`.
pub const CONNECTION: &str = "ad";

/// AD answers at most 1,000 entries per page by default (MaxPageSize).
pub const DIR: Directory = Directory::new(CONNECTION, 1000);

pub use tessera_sdk::ldap::{
    change, code as codes, first, first_bytes, normalise_dn, rdns, result_code as code, split_dn,
    values,
};
