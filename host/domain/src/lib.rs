//! Tessera's domain: persons and their contracts as sources deliver them, accounts,
//! entitlements and memberships as targets hold them, the typed connector error, and the two
//! connector traits.
//!
//! The engine is written against [`SourceConnector`] and [`TargetConnector`] only. The wasm
//! runtime implements them for plugins; tests implement them with in-memory fakes. Nothing in
//! this crate performs I/O or knows about WebAssembly.
#![deny(missing_docs)]

mod connector;
mod error;
mod feed;
mod person;
mod target;
mod ticket;
mod time;
mod zone;

pub use connector::{SourceConnector, TargetConnector};
pub use error::ConnectorError;
pub use feed::{Cursor, FeedInfo, SourceChanges, TargetChanges};
pub use person::{
    Attribute, CodeName, Contract, ContractKind, Person, PersonName, SourceInfo, SourcePage,
    Warning,
};
pub use target::{
    Account, AccountPage, AccountSpec, AttributeChange, Entitlement, EntitlementPage,
    EntitlementRef, Membership, MembershipPage, TargetInfo, same_values, values_of,
};
pub use ticket::{Ticket, TicketSpec};
pub use time::{Timestamp, TimestampError};
pub use zone::{Zone, ZoneError};
