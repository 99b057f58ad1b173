//! The role model: business rules granting entitlements, and account rules per target system.
//!
//! The model is data an operator edits as TOML ([`RoleModel::parse`]); this module holds the
//! checked form and the questions the engine asks of it. Conditions look at every contract of
//! a person, never only the primary one.

mod against;
mod follow_up;
mod parse;
mod raw;
mod template;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use tessera_domain::{Contract, ContractKind, EntitlementRef, Zone};

use crate::contract::{in_window, window};
pub use against::grant_problems;
pub use follow_up::{FollowUp, FollowUpSoll};
pub use parse::{ModelError, ModelErrors};
pub use template::{Template, TemplateContext};
pub use tessera_config::Threshold;

/// The whole role model.
#[derive(Debug, Clone, Default)]
pub struct RoleModel {
    /// Target systems by name.
    pub systems: BTreeMap<String, SystemRule>,
    /// Business rules, in file order.
    pub rules: Vec<BusinessRule>,
    /// SHA-256 of the files it was parsed from (names and texts) and of the zone: when it
    /// changes, every person's desired state is computed again.
    pub digest: String,
    /// The zone whose days contracts and "today" are in (`timezone` in `tessera.toml`).
    pub zone: Zone,
}

impl RoleModel {
    /// The model with its days counted in `zone`. The zone is part of the digest: the same
    /// rules in another zone can give other dates, so a change recomputes the desired state.
    pub fn in_zone(mut self, zone: Zone) -> Self {
        use sha2::{Digest, Sha256};
        let mixed = Sha256::digest(format!("{}\0{zone}", self.digest));
        self.digest = hex::encode(mixed);
        self.zone = zone;
        self
    }

    /// `max_grant_days` of `system`, or the default for a system the model does not name.
    pub fn max_grant_days(&self, system: &str) -> i64 {
        self.systems
            .get(system)
            .map_or(DEFAULT_MAX_GRANT_DAYS, |s| s.max_grant_days)
    }

    /// `approval_days` of `system`, or the default for a system the model does not name.
    pub fn approval_days(&self, system: &str) -> i64 {
        self.systems
            .get(system)
            .map_or(DEFAULT_APPROVAL_DAYS, |s| s.approval_days)
    }
}

/// What the model says about one target system.
#[derive(Debug, Clone)]
pub struct SystemRule {
    /// The system's name.
    pub name: String,
    /// Who gets an account and when.
    pub account: AccountRule,
    /// What to do with held entitlements nobody granted.
    pub deviations: DeviationPolicy,
    /// How unowned accounts are matched to persons.
    pub correlation: Option<Correlation>,
    /// Target thresholds per action type.
    pub thresholds: BTreeMap<ActionType, Threshold>,
    /// The longest a manual grant (or an adopted deviation) holds, in days: one without an
    /// end of its own ends this long after it was made.
    pub max_grant_days: i64,
    /// How long an approval of a held-back action stands, in days: one the next plans have
    /// not carried out by then lapses, so an old "yes" never lets through a changed plan.
    pub approval_days: i64,
}

/// A week.
pub const DEFAULT_APPROVAL_DAYS: i64 = 7;

/// A year: a right given by hand is looked at again at least that often.
pub const DEFAULT_MAX_GRANT_DAYS: i64 = 365;

/// How an account is matched to a person: an account attribute equals a person field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// Account attribute name; `username` means the login name.
    pub account_attribute: String,
    /// Person field: `id`, `email`, or a person attribute name.
    pub person_field: String,
}

/// The account lifecycle for one system.
#[derive(Debug, Clone)]
pub struct AccountRule {
    /// Which contracts give an account; empty means every contract.
    pub conditions: Conditions,
    /// Create the (disabled) account this many days before the first start.
    pub create_days_before: i64,
    /// Keep the account enabled this many days after the last end.
    pub disable_after_days: i64,
    /// Delete after this many days without any contract; `None` never deletes.
    pub delete_after_days: Option<i64>,
    /// User name templates, tried in order.
    pub usernames: Vec<Template>,
    /// Longest user name the target accepts.
    pub username_max_length: usize,
    /// Mapped attributes.
    pub attributes: Vec<(String, Template)>,
}

/// What to do with an entitlement held but granted by neither a rule nor a manual grant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationPolicy {
    /// List it; touch nothing.
    #[default]
    Report,
    /// Revoke it.
    Revoke,
    /// Turn it into a manual grant.
    Adopt,
}

/// Kinds of target action, each with its own threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionType {
    /// Account creation.
    Create,
    /// Attribute updates.
    Update,
    /// Enabling accounts.
    Enable,
    /// Granting entitlements.
    Grant,
    /// Revoking entitlements.
    Revoke,
    /// Disabling accounts.
    Disable,
    /// Deleting accounts.
    Delete,
}

impl ActionType {
    /// The lower-case name used in files and keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Enable => "enable",
            Self::Grant => "grant",
            Self::Revoke => "revoke",
            Self::Disable => "disable",
            Self::Delete => "delete",
        }
    }
}

/// The person status a rule asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonStatus {
    /// A matching contract is active today, widened by the rule's days.
    #[default]
    Active,
    /// No contract is active today.
    Inactive,
    /// Dates do not matter.
    Any,
}

/// A business rule.
#[derive(Debug, Clone)]
pub struct BusinessRule {
    /// Its name, shown in previews and audit.
    pub name: String,
    /// Contract conditions.
    pub conditions: Conditions,
    /// Person status.
    pub status: PersonStatus,
    /// Widen the active window this many days before a contract starts.
    pub days_before_start: i64,
    /// Widen it this many days after a contract ends.
    pub days_after_end: i64,
    /// The entitlements the rule gives, by system (`grants` in the role-model file).
    pub entitlements: Vec<(String, EntitlementRef)>,
    /// Tickets some of those grants ask for (`follow_up` on a grant).
    pub follow_ups: Vec<FollowUp>,
    /// Where its `grants` are written, `roles.toml:27`: what a problem with one names.
    pub grants_at: String,
}

/// A contract field conditions can test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `employment`, `shift`, `hire`, `other`.
    Kind,
    /// Department code.
    Department,
    /// Title or function code.
    Title,
    /// Location code.
    Location,
    /// Cost centre code.
    CostCentre,
    /// Employer code.
    Employer,
    /// A free contract attribute.
    Attribute(String),
}

/// One way a field value can match.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// The whole value.
    Equals(String),
    /// The start of the value.
    Prefix(String),
    /// A regular expression.
    Regex(Regex),
}

impl Matcher {
    fn matches(&self, value: &str) -> bool {
        match self {
            Self::Equals(v) => value == v,
            Self::Prefix(p) => value.starts_with(p.as_str()),
            Self::Regex(r) => r.is_match(value),
        }
    }
}

/// Conditions: every field must match (AND), each field by any of its matchers (OR).
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// Field conditions.
    pub fields: Vec<(Field, Vec<Matcher>)>,
}

impl Conditions {
    /// Whether one contract satisfies every field condition.
    pub fn matches(&self, contract: &Contract) -> bool {
        self.fields.iter().all(|(field, matchers)| {
            field_value(contract, field).is_some_and(|v| matchers.iter().any(|m| m.matches(v)))
        })
    }
}

// Borrowed, not owned: this runs for every contract against every rule, and copying each
// value showed up as a large share of SOLL time.
fn field_value<'c>(c: &'c Contract, field: &Field) -> Option<&'c str> {
    let code = |v: &'c Option<tessera_domain::CodeName>| v.as_ref().map(|c| c.code.as_str());
    match field {
        Field::Kind => Some(kind_name(c.kind)),
        Field::Department => code(&c.department),
        Field::Title => code(&c.title),
        Field::Location => code(&c.location),
        Field::CostCentre => code(&c.cost_centre),
        Field::Employer => code(&c.employer),
        Field::Attribute(name) => c
            .attributes
            .iter()
            .find(|a| &a.name == name)
            .map(|a| a.value.as_str()),
    }
}

/// The name conditions use for a contract kind.
pub fn kind_name(kind: ContractKind) -> &'static str {
    match kind {
        ContractKind::Employment => "employment",
        ContractKind::Shift => "shift",
        ContractKind::Hire => "hire",
        ContractKind::Other => "other",
    }
}

impl BusinessRule {
    /// The contracts that put a person in this rule's conditions on a day (in its zone);
    /// `None` when the rule does not apply.
    pub fn in_conditions<'c>(
        &self,
        contracts: &'c [Contract],
        on: (NaiveDate, Zone),
    ) -> Option<Vec<&'c Contract>> {
        let matching = contracts.iter().filter(|c| self.conditions.matches(c));
        let active = window(on, self.days_before_start, self.days_after_end);
        let chosen: Vec<&Contract> = match self.status {
            // The date check first: it is cheap and, with many past and future shifts, rules
            // out most contracts before their fields are compared.
            PersonStatus::Active => contracts
                .iter()
                .filter(|c| active(c))
                .filter(|c| self.conditions.matches(c))
                .collect(),
            PersonStatus::Any => matching.collect(),
            PersonStatus::Inactive => {
                if contracts.iter().any(|c| in_window(c, on, 0, 0)) {
                    return None;
                }
                matching.collect()
            }
        };
        let unconditional =
            self.conditions.fields.is_empty() && self.status != PersonStatus::Active;
        (unconditional || !chosen.is_empty()).then_some(chosen)
    }
}

#[cfg(test)]
mod tests;
