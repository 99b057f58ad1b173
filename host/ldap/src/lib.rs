//! The backend of the plugin host's `tessera:host/ldap` capability.
//!
//! One [`Pool`] per connection the operator named. It opens up to `pool_size` ldap3
//! connections on demand (plain, StartTLS or LDAPS with rustls), binds with the configured DN,
//! and refuses every DN that does not lie under the connection's base DN before anything
//! reaches the server. Reads are retried once on a fresh connection when the old one turns out
//! to be gone; writes never are, since the first attempt may have been applied.

mod changes;
mod dn;
mod error;
mod ops;
mod pool;
mod search;
mod spec;

pub use changes::{ChangeRequest, Changes, Feed, MAX_CHANGES, REFRESH_REQUIRED};
pub use dn::{AttributeValue, Ava, Dn, Rdn};
pub use error::{Error, result_code_name};
pub use ops::{Modification, ModifyOp};
pub use pool::Pool;
pub use search::{DEFAULT_PAGE_SIZE, Entry, MAX_PAGE_SIZE, Scope, SearchRequest, SearchStream};
pub use spec::{ConnectionSpec, Tls};
