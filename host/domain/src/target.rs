use serde::{Deserialize, Serialize};

use crate::Attribute;

/// An entitlement addressed by kind and the target's stable key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntitlementRef {
    /// `group`, `login-group`, `role`, `commission`, …
    pub kind: String,
    /// The target's stable id.
    pub key: String,
}

/// An entitlement a target offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlement {
    /// Kind, as declared in [`TargetInfo::entitlement_kinds`].
    pub kind: String,
    /// Stable key.
    pub key: String,
    /// What people read.
    pub display_name: String,
    /// Further fields.
    pub attributes: Vec<Attribute>,
}

impl Entitlement {
    /// The reference to this entitlement.
    pub fn reference(&self) -> EntitlementRef {
        EntitlementRef {
            kind: self.kind.clone(),
            key: self.key.clone(),
        }
    }
}

/// An account as the target holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The target's stable reference.
    pub key: String,
    /// Login name.
    pub username: Option<String>,
    /// Whether the account can log in.
    pub enabled: bool,
    /// Further fields.
    pub attributes: Vec<Attribute>,
}

/// One account holding one entitlement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Membership {
    /// Account key.
    pub account: String,
    /// The entitlement held.
    pub entitlement: EntitlementRef,
}

/// A page of accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    /// Accounts on this page.
    pub accounts: Vec<Account>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// A page of entitlements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementPage {
    /// Entitlements on this page.
    pub entitlements: Vec<Entitlement>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// A page of memberships.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipPage {
    /// Memberships on this page.
    pub memberships: Vec<Membership>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// An account the engine wants created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSpec {
    /// Unique login name chosen by the engine.
    pub username: String,
    /// Created enabled or disabled.
    pub enabled: bool,
    /// Mapped attributes.
    pub attributes: Vec<Attribute>,
}

/// Set, replace or clear one attribute's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeChange {
    /// Attribute name.
    pub name: String,
    /// Every value the attribute has afterwards, in order; empty clears it.
    pub values: Vec<String>,
}

/// What a target says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// Entitlement kinds it offers.
    pub entitlement_kinds: Vec<String>,
    /// Writes to one account must not overlap.
    pub serial_writes: bool,
    /// Whether `delete` exists.
    pub supports_delete: bool,
    /// Attributes `correlate` accepts.
    pub correlation_attributes: Vec<String>,
    /// Its change feed, when it has one.
    pub feed: Option<crate::FeedInfo>,
}

/// The values of attribute `name` in a list where a multi-valued attribute appears once per
/// value, in order.
pub fn values_of<'a>(attributes: &'a [Attribute], name: &str) -> Vec<&'a str> {
    attributes
        .iter()
        .filter(|a| a.name == name)
        .map(|a| a.value.as_str())
        .collect()
}

/// Whether two lists of values hold the same values, in any order (directories keep
/// multi-valued attributes as sets).
pub fn same_values(a: &[&str], b: &[&str]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    a == b
}
