use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// A free name/value pair a connector passes along.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// Attribute value.
    pub value: String,
}

/// A coded value with its display text: department `IC` / `Intensive Care`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodeName {
    /// The code rules match on.
    pub code: String,
    /// The text people read.
    pub name: String,
}

/// A person's name parts as HR systems keep them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// Given name.
    pub given: String,
    /// Family name without prefix.
    pub family: String,
    /// Dutch family-name prefix, `van der`.
    pub prefix: Option<String>,
    /// Initials.
    pub initials: Option<String>,
    /// Naming convention code.
    pub convention: Option<String>,
}

/// The nature of a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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

/// A period of work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    /// The source's id for the contract.
    pub id: String,
    /// What kind of contract.
    pub kind: ContractKind,
    /// First moment of the contract.
    pub start: Option<Timestamp>,
    /// Last moment; `None` is open-ended.
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
    /// Order among the person's contracts.
    pub sequence: Option<u32>,
    /// Further fields.
    pub attributes: Vec<Attribute>,
}

/// A person as one source sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// The source's stable id.
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

/// Odd source data that did not stop the read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The record concerned.
    pub subject: Option<String>,
    /// What was odd.
    pub message: String,
}

/// One page of a source read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourcePage {
    /// Persons on this page.
    pub persons: Vec<Person>,
    /// Skipped or repaired records.
    pub warnings: Vec<Warning>,
    /// Cursor for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// What a source says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Person and contract fields it fills.
    pub fields: Vec<String>,
    /// Its change feed, when it has one.
    pub feed: Option<crate::FeedInfo>,
}
