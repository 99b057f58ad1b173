//! The records a connector returns and receives.
//!
//! These are the SDK's own Rust types, the same whatever WIT version a plugin is built for:
//! the export glue turns them into that version's records (for WIT 0.2, pages whose text
//! crosses as one string), so plugin code never depends on how the boundary is shaped.

/// ISO 8601 date or date-time text: `2026-11-22` or `2026-11-22T07:00:00Z`.
pub type Timestamp = String;

/// An opaque position in a change feed: the connector's own bytes.
pub type Cursor = Vec<u8>;

/// One value of an attribute. A multi-valued attribute appears once per value, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// One value.
    pub value: String,
}

/// A coded value with its display text: department `IC` / `Intensive Care`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct CodeName {
    /// The code rules match on.
    pub code: String,
    /// The text people read.
    pub name: String,
}

/// A person's name parts as HR systems keep them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct PersonName {
    /// Given name.
    pub given: String,
    /// Family name without prefix.
    pub family: String,
    /// Dutch family-name prefix: `van der`.
    pub prefix: Option<String>,
    /// Initials.
    pub initials: Option<String>,
    /// Naming convention code (B, BP, P, PB as in Dutch HR systems).
    pub convention: Option<String>,
}

/// The nature of a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContractKind {
    /// A permanent or temporary employment.
    Employment,
    /// One planned shift of flexible staff.
    Shift,
    /// Agency or hired staff.
    Hire,
    /// Anything else.
    Other,
}

/// A period of work. An Elanza shift is a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// The source's id for the contract.
    pub id: String,
    /// What kind of contract.
    pub kind: ContractKind,
    /// First moment of the contract.
    pub start: Option<Timestamp>,
    /// Last moment; `None` for an open-ended contract.
    pub end: Option<Timestamp>,
    /// Department.
    pub department: Option<CodeName>,
    /// Title or function.
    pub title: Option<CodeName>,
    /// Location.
    pub location: Option<CodeName>,
    /// Cost centre.
    pub cost_centre: Option<CodeName>,
    /// Employer.
    pub employer: Option<CodeName>,
    /// Full-time equivalent.
    pub fte: Option<f32>,
    /// Contract hours per week.
    pub hours_per_week: Option<f32>,
    /// Order among a person's contracts, used to pick the primary one.
    pub sequence: Option<u32>,
    /// Further fields.
    pub attributes: Vec<Attribute>,
}

/// By value, the numbers by their bits, so a source can keep digests of what it handed out.
impl std::hash::Hash for Contract {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
        self.kind.hash(state);
        (&self.start, &self.end).hash(state);
        (&self.department, &self.title, &self.location).hash(state);
        (&self.cost_centre, &self.employer).hash(state);
        self.fte.map(f32::to_bits).hash(state);
        self.hours_per_week.map(f32::to_bits).hash(state);
        (self.sequence, &self.attributes).hash(state);
    }
}

/// A person as this source sees them.
#[derive(Debug, Clone, PartialEq, Default, Hash)]
pub struct Person {
    /// The source's stable id for this person.
    pub id: String,
    /// Name parts.
    pub name: PersonName,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Contracts, shifts included.
    pub contracts: Vec<Contract>,
    /// Further fields.
    pub attributes: Vec<Attribute>,
}

/// Something odd in the source data that did not stop the read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Warning {
    /// The source record concerned, when there is one.
    pub subject: Option<String>,
    /// What was odd.
    pub message: String,
}

/// One page of a source's persons.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourcePage {
    /// Persons on this page.
    pub persons: Vec<Person>,
    /// Skipped or repaired records.
    pub warnings: Vec<Warning>,
    /// Passed back to `read` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// What a change feed can tell (WIT 0.2 and later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedInfo {
    /// Removed persons or accounts are reported. Without this, only a full read finds them.
    pub sees_deletes: bool,
    /// Changed accounts may carry only the attributes that changed.
    pub partial_attributes: bool,
}

/// What a source says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceInfo {
    /// Person and contract fields this source fills, for the operator's mapping checks.
    pub fields: Vec<String>,
    /// Its change feed, when it implements `read_changes`.
    pub feed: Option<FeedInfo>,
}

/// A source's changes since a cursor (see [`crate::Source::read_changes`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceChanges {
    /// Persons new or changed since the cursor, each whole.
    pub persons: Vec<Person>,
    /// Source ids of persons gone since the cursor.
    pub removed: Vec<String>,
    /// Skipped or repaired records.
    pub warnings: Vec<Warning>,
    /// Where the next call continues.
    pub cursor: Cursor,
    /// More changes wait: the host calls again with `cursor`.
    pub more: bool,
}

/// An entitlement addressed by kind and the target's stable key (an objectGUID, a HiX group
/// code), never a display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EntitlementRef {
    /// `group`, `login-group`, `role`, `commission` or another kind the target declares.
    pub kind: String,
    /// The target's stable id.
    pub key: String,
}

/// An entitlement the target offers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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

/// An account as the target holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Account {
    /// The target's stable reference for the account.
    pub key: String,
    /// Login name.
    pub username: Option<String>,
    /// Whether the account can log in.
    pub enabled: bool,
    /// Further fields; a multi-valued attribute appears once per value.
    pub attributes: Vec<Attribute>,
}

/// One account holding one entitlement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Membership {
    /// Account key.
    pub account: String,
    /// The entitlement held.
    pub entitlement: EntitlementRef,
}

/// A page of accounts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountPage {
    /// Accounts on this page.
    pub accounts: Vec<Account>,
    /// Cursor for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// A page of the entitlement catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntitlementPage {
    /// Entitlements on this page.
    pub entitlements: Vec<Entitlement>,
    /// Cursor for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// A page of memberships.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MembershipPage {
    /// Memberships on this page.
    pub memberships: Vec<Membership>,
    /// Cursor for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// A target's changes since a cursor (see [`crate::Target::read_changes`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetChanges {
    /// Accounts new or changed since the cursor; whole, unless the feed says
    /// [`FeedInfo::partial_attributes`].
    pub accounts: Vec<Account>,
    /// Keys of accounts gone since the cursor.
    pub removed: Vec<String>,
    /// Memberships added since the cursor.
    pub granted: Vec<Membership>,
    /// Memberships removed since the cursor.
    pub revoked: Vec<Membership>,
    /// Catalogue entries new or changed since the cursor.
    pub entitlements: Vec<Entitlement>,
    /// Where the next call continues.
    pub cursor: Cursor,
    /// More changes wait: the host calls again with `cursor`.
    pub more: bool,
}

/// An account the engine wants created.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountSpec {
    /// Unique login name chosen by the engine.
    pub username: String,
    /// Created enabled or disabled.
    pub enabled: bool,
    /// Mapped attributes; a multi-valued attribute appears once per value.
    pub attributes: Vec<Attribute>,
}

impl AccountSpec {
    /// The attributes as changes: all values of one name together, in first-seen order.
    pub fn changes(&self) -> Vec<AttributeChange> {
        let mut out: Vec<AttributeChange> = Vec::new();
        for a in &self.attributes {
            match out.iter_mut().find(|c| c.name == a.name) {
                Some(c) => c.values.push(a.value.clone()),
                None => out.push(AttributeChange {
                    name: a.name.clone(),
                    values: vec![a.value.clone()],
                }),
            }
        }
        out
    }
}

/// Set, replace or clear one attribute.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttributeChange {
    /// Attribute name.
    pub name: String,
    /// Every value the attribute has afterwards, in order; several make it multi-valued,
    /// none clears it. (A host on WIT 0.1 sends at most one.)
    pub values: Vec<String>,
}

/// What a target says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetInfo {
    /// Entitlement kinds it offers.
    pub entitlement_kinds: Vec<String>,
    /// Writes to one account must not overlap (the target loses concurrent updates).
    pub serial_writes: bool,
    /// Whether `delete` exists.
    pub supports_delete: bool,
    /// Attributes `correlate` accepts.
    pub correlation_attributes: Vec<String>,
    /// Its change feed, when it implements `read_changes`.
    pub feed: Option<FeedInfo>,
}

impl TargetInfo {
    /// `Ok` when `correlate` accepts `attribute`; else `invalid` naming it and what `system`
    /// correlates on.
    pub fn correlates_on(&self, attribute: &str, system: &str) -> Result<(), ConnectorError> {
        if self.correlation_attributes.iter().any(|a| a == attribute) {
            return Ok(());
        }
        let names = self.correlation_attributes.join(", ");
        Err(ConnectorError::invalid(
            attribute,
            format!("{system} correlates on one of: {names}"),
        ))
    }
}

/// A ticket the host asks a desk to open (a grant's follow-up; see [`crate::Tickets`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TicketSpec {
    /// One line for the desk's queue; shorten it to the desk's limit.
    pub subject: String,
    /// The longer text: who, what and why.
    pub body: String,
    /// The source's id of the person it is about.
    pub person: Option<String>,
    /// The person's account key in this system, when Tessera keeps one here.
    pub caller: Option<String>,
}

/// A ticket as the desk holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ticket {
    /// The desk's stable reference, what [`crate::Tickets::get_ticket`] takes.
    pub key: String,
    /// The number people quote.
    pub number: String,
    /// Whether the desk has finished it.
    pub closed: bool,
}

/// A field the plugin or the far side refused.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvalidField {
    /// The offending field.
    pub field: String,
    /// Why.
    pub message: String,
}

/// A temporary failure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnavailableInfo {
    /// What was unavailable.
    pub message: String,
    /// When the far side asked for a pause, in milliseconds.
    pub retry_after_ms: Option<u64>,
}

/// What a connector call fails with. Typed so the engine decides retry, re-read or report from
/// the case, never from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectorError {
    /// The account, entitlement or record does not exist.
    NotFound(String),
    /// The thing to create is already there.
    AlreadyExists(String),
    /// A field was refused.
    Invalid(InvalidField),
    /// The target or the host's grants refused the call.
    Denied(String),
    /// Temporary; the engine retries, after `retry_after_ms` when given.
    Unavailable(UnavailableInfo),
    /// Timed out or lost mid-call: the write may or may not have happened; the engine
    /// re-reads first.
    OutcomeUnknown(String),
    /// A change-feed cursor the far side no longer honours; the engine reads in full and
    /// starts a new feed. (A host on WIT 0.1 sees it as `Other`.)
    CursorInvalid(String),
    /// The plugin does not implement the operation.
    Unsupported(String),
    /// Anything else.
    Other(String),
}

impl std::fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound(m) => write!(f, "not found: {m}"),
            Self::AlreadyExists(m) => write!(f, "already exists: {m}"),
            Self::Invalid(i) => write!(f, "invalid {}: {}", i.field, i.message),
            Self::Denied(m) => write!(f, "denied: {m}"),
            Self::Unavailable(u) => write!(f, "unavailable: {}", u.message),
            Self::OutcomeUnknown(m) => write!(f, "outcome unknown: {m}"),
            Self::CursorInvalid(m) => write!(f, "cursor invalid: {m}"),
            Self::Unsupported(m) => write!(f, "unsupported: {m}"),
            Self::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ConnectorError {}
