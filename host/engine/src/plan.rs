//! The plan: typed operations that take a target from IST to SOLL, in a safe order, with the
//! target thresholds applied.
//!
//! A plan is a value: it can be printed, stored, approved and applied later, and the dry run
//! and the real run build it with the same code. Operations run in phases: links and creates
//! first, then updates and enables, grants, revokes, disables and deletes last, so an account
//! exists before it is granted anything and loses its rights before it is disabled or deleted.

mod desired;
mod diff;
mod save;
mod scope;
mod text;
mod thresholds;

pub use desired::Desired;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tessera_domain::{Attribute, AttributeChange, EntitlementRef, Membership, Person, TargetInfo};
use tessera_store::{DeviationReview, ManualGrant, PlanHeader, Shadow, Store};

use crate::error::{Error, Result, json};
use crate::follow_up::TicketLink;
use crate::ist::AccountSituation;
use crate::model::{ActionType, DeviationPolicy, FollowUpSoll, RoleModel};
use crate::soll::PersonIndex;

pub use save::{approved_keys, save_plan};
pub use scope::{Scope, plan_scope};

/// An account by its target key, or by the user name of an account this plan creates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountRef {
    /// An existing account.
    Key(String),
    /// The account created earlier in the same plan under this user name.
    New(String),
}

impl AccountRef {
    fn label(&self) -> &str {
        match self {
            Self::Key(k) | Self::New(k) => k,
        }
    }
}

/// One change to a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Operation {
    /// Record that an existing, correlated account belongs to the person.
    Link {
        /// The account key.
        account: String,
    },
    /// Create an account.
    Create {
        /// Unique login name.
        username: String,
        /// Created enabled (an active contract) or disabled (before the first start).
        enabled: bool,
        /// Mapped attributes.
        attributes: Vec<Attribute>,
        /// The next free user names, tried in order when the target already has `username`
        /// (made there after the last listing).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fallbacks: Vec<String>,
        /// The account attribute and the person's value for it that find the person's own
        /// account through the connector's `correlate`, asked first when the name is taken.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correlate: Option<Attribute>,
    },
    /// Change mapped attributes.
    Update {
        /// The account.
        account: String,
        /// The changes.
        changes: Vec<AttributeChange>,
    },
    /// Let the account log in.
    Enable {
        /// The account.
        account: String,
    },
    /// Add an entitlement.
    Grant {
        /// The account.
        account: AccountRef,
        /// The entitlement.
        entitlement: EntitlementRef,
    },
    /// Keep a deviation as a manual grant (the adopt policy).
    Adopt {
        /// The account.
        account: String,
        /// The entitlement.
        entitlement: EntitlementRef,
    },
    /// Remove an entitlement.
    Revoke {
        /// The account.
        account: String,
        /// The entitlement.
        entitlement: EntitlementRef,
    },
    /// Stop the account logging in.
    Disable {
        /// The account.
        account: String,
    },
    /// Remove the account.
    Delete {
        /// The account.
        account: String,
    },
}

impl Operation {
    /// The threshold this operation counts against; links and adoptions touch no target.
    pub fn action_type(&self) -> Option<ActionType> {
        Some(match self {
            Self::Link { .. } | Self::Adopt { .. } => return None,
            Self::Create { .. } => ActionType::Create,
            Self::Update { .. } => ActionType::Update,
            Self::Enable { .. } => ActionType::Enable,
            Self::Grant { .. } => ActionType::Grant,
            Self::Revoke { .. } => ActionType::Revoke,
            Self::Disable { .. } => ActionType::Disable,
            Self::Delete { .. } => ActionType::Delete,
        })
    }

    /// The phase the operation runs in; lower phases finish first.
    pub fn phase(&self) -> u8 {
        match self {
            Self::Link { .. } => 0,
            Self::Create { .. } => 1,
            Self::Update { .. } => 2,
            Self::Enable { .. } => 3,
            Self::Grant { .. } | Self::Adopt { .. } => 4,
            Self::Revoke { .. } => 5,
            Self::Disable { .. } => 6,
            Self::Delete { .. } => 7,
        }
    }

    /// The account the operation writes to, as a ref.
    pub fn account(&self) -> AccountRef {
        match self {
            Self::Create { username, .. } => AccountRef::New(username.clone()),
            Self::Grant { account, .. } => account.clone(),
            Self::Link { account }
            | Self::Update { account, .. }
            | Self::Enable { account }
            | Self::Adopt { account, .. }
            | Self::Revoke { account, .. }
            | Self::Disable { account }
            | Self::Delete { account } => AccountRef::Key(account.clone()),
        }
    }

    /// The operation's kind as plans and keys name it: `create`, `grant`, `link`, …
    pub fn name(&self) -> &'static str {
        self.action_type().map_or(
            if matches!(self, Self::Link { .. }) {
                "link"
            } else {
                "adopt"
            },
            ActionType::as_str,
        )
    }

    fn entitlement(&self) -> Option<&EntitlementRef> {
        match self {
            Self::Grant { entitlement, .. }
            | Self::Adopt { entitlement, .. }
            | Self::Revoke { entitlement, .. } => Some(entitlement),
            _ => None,
        }
    }
}

/// An operation with its owner and reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedOp {
    /// The operation.
    pub op: Operation,
    /// The person it is for.
    pub person: Option<String>,
    /// Why: the rule and contracts, the manual grant, or the lifecycle step.
    pub why: String,
    /// A key that names the same change across plans, for approvals.
    pub key: String,
    /// The entitlement's name in the target's catalogue (grant, revoke, adopt), when it
    /// lists one: what people read beside the key (an AD group's name beside its GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The ticket a grant's rule asks for (`follow_up`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUpSoll>,
    /// The ticket opened for it, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<TicketLink>,
}

impl PlannedOp {
    pub(crate) fn new(op: Operation, person: Option<&str>, why: String) -> Self {
        let account = op.account();
        let key = op_key(
            op.name(),
            person.unwrap_or(account.label()),
            op.entitlement(),
        );
        Self {
            op,
            person: person.map(str::to_owned),
            why,
            key,
            name: None,
            follow_up: None,
            ticket: None,
        }
    }

    /// [`Operation::summary`] with the entitlement's name: `grant acc-1 group/6f1c… (GG-IC)`.
    pub fn summary(&self) -> String {
        self.named(self.op.summary())
    }

    /// The key with the entitlement's name: `grant:P1:group/6f1c… (GG-IC)`.
    pub fn shown_key(&self) -> String {
        self.named(self.key.clone())
    }

    fn named(&self, text: String) -> String {
        match &self.name {
            Some(name) => format!("{text} ({name})"),
            None => text,
        }
    }
}

/// The key that names one change across plans: `grant:P1:group/6f1c…`.
pub(crate) fn op_key(name: &str, subject: &str, entitlement: Option<&EntitlementRef>) -> String {
    let detail = entitlement
        .map(|e| format!(":{}/{}", e.kind, e.key))
        .unwrap_or_default();
    format!("{name}:{subject}{detail}")
}

/// An operation a threshold held back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockedOp {
    /// The operation.
    pub planned: PlannedOp,
    /// Which threshold tripped.
    pub reason: String,
    /// The id operators approve it by, once the plan is saved.
    pub blocked_id: Option<i64>,
}

/// A held entitlement that neither a rule nor a manual grant gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// The system.
    pub system: String,
    /// The account key.
    pub account: String,
    /// Its login name.
    pub username: Option<String>,
    /// The owner, if known.
    pub person: Option<String>,
    /// The entitlement.
    pub entitlement: EntitlementRef,
    /// What the plan does about it.
    pub policy: DeviationPolicy,
    /// A reviewer's decision in force: revoke now, or leave alone until a day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<DeviationReview>,
    /// The entitlement's name in the target's catalogue (an AD group's name beside its
    /// objectGUID), when the catalogue has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Deviation {
    /// `kind/key`, with the catalogue's name when it differs from the key.
    pub fn shown(&self) -> String {
        let e = &self.entitlement;
        match self
            .name
            .as_deref()
            .filter(|n| !n.is_empty() && *n != e.key)
        {
            Some(name) => format!("{}/{} ({name})", e.kind, e.key),
            None => format!("{}/{}", e.kind, e.key),
        }
    }
}

/// Gives each deviation and each operation on an entitlement in `plan` the entitlement's name
/// from the system's catalogue.
pub(crate) fn name_entitlements(store: &dyn Store, plan: &mut Plan) -> Result<()> {
    let any_op = plan
        .operations
        .iter()
        .chain(plan.blocked.iter().map(|b| &b.planned))
        .any(|p| p.op.entitlement().is_some());
    if plan.deviations.is_empty() && !any_op {
        return Ok(());
    }
    // By kind, then key: looked up with borrowed strings, once per operation.
    let mut names: HashMap<String, HashMap<String, String>> = HashMap::new();
    for e in store.entitlements(&plan.system)? {
        names
            .entry(e.kind)
            .or_default()
            .insert(e.key, e.display_name);
    }
    let name_of = |e: &EntitlementRef| names.get(&e.kind)?.get(&e.key).cloned();
    for d in &mut plan.deviations {
        d.name = name_of(&d.entitlement);
    }
    let ops = plan
        .operations
        .iter_mut()
        .chain(plan.blocked.iter_mut().map(|b| &mut b.planned));
    for p in ops {
        p.name = p.op.entitlement().and_then(name_of);
    }
    Ok(())
}

/// Everything needed to plan one system.
#[derive(Clone, Copy)]
pub struct PlanInput<'a> {
    /// The role model.
    pub model: &'a RoleModel,
    /// The target system.
    pub system: &'a str,
    /// What the target said about itself.
    pub info: &'a TargetInfo,
    /// The desired state in this system.
    pub desired: Desired<'a>,
    /// Every person's id and the correlation values.
    pub index: &'a PersonIndex,
    /// The person an account is created for, to render its user name from.
    pub person: &'a dyn Fn(&str) -> Result<Option<Person>>,
    /// The system's shadows.
    pub shadows: &'a [Shadow],
    /// The system's memberships.
    pub memberships: &'a [Membership],
    /// Manual grants, withdrawn and expired ones included.
    pub grants: &'a [ManualGrant],
    /// Reviewers' decisions on this system's deviations.
    pub reviews: &'a [DeviationReview],
    /// Keys of approved blocked actions; they pass the thresholds.
    pub approved: &'a HashSet<String>,
    /// Every login name the system has (lower case), so a new one is unique.
    pub taken: &'a HashSet<String>,
    /// What threshold percentages are of: the system's live accounts and its memberships
    /// (all of them, also when the plan covers only some persons).
    pub bases: (usize, usize),
    /// The day to plan for.
    pub today: NaiveDate,
}

/// The plan for one system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The stored plan's id, once saved.
    pub id: Option<i64>,
    /// The system.
    pub system: String,
    /// The day it was planned for.
    pub today: NaiveDate,
    /// Writes to one account must not overlap.
    pub serial_writes: bool,
    /// Operations to run, in order.
    pub operations: Vec<PlannedOp>,
    /// Operations thresholds held back.
    pub blocked: Vec<BlockedOp>,
    /// Operations left out because they wait for a blocked one.
    pub deferred: Vec<PlannedOp>,
    /// Grants that wait until their follow-up ticket is closed (`hold_until_resolved`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiting: Vec<PlannedOp>,
    /// Every account's situation.
    pub situations: Vec<AccountSituation>,
    /// Entitlements held without a reason.
    pub deviations: Vec<Deviation>,
    /// The persons it covers, when it covers only some (an incremental run); `None` for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<String>>,
}

#[cfg(test)]
impl Plan {
    /// A plan of `operations` alone, for tests of what runs after planning.
    pub(crate) fn of(system: &str, today: NaiveDate, operations: Vec<PlannedOp>) -> Self {
        Plan {
            id: None,
            system: system.to_owned(),
            today,
            serial_writes: false,
            operations,
            blocked: Vec::new(),
            deferred: Vec::new(),
            waiting: Vec::new(),
            situations: Vec::new(),
            deviations: Vec::new(),
            scope: None,
        }
    }
}

/// Compares SOLL and IST for one system into a plan, thresholds applied.
pub fn build_plan(input: &PlanInput<'_>) -> Result<Plan> {
    let system = input
        .model
        .systems
        .get(input.system)
        .ok_or_else(|| Error::UnknownSystem(input.system.to_owned()))?;
    let mut out = diff::diff(input, system)?;
    out.operations.sort_by_key(|p| p.op.phase());
    let (operations, blocked, deferred) =
        thresholds::apply_thresholds(input, &system.thresholds, out.operations);
    Ok(Plan {
        id: None,
        system: input.system.to_owned(),
        today: input.today,
        serial_writes: input.info.serial_writes,
        operations,
        blocked,
        deferred,
        waiting: Vec::new(),
        situations: out.situations,
        deviations: out.deviations,
        scope: None,
    })
}

/// A system's deviations as its newest plan of every person (a full run) listed them.
#[derive(Debug, Clone)]
pub struct ListedDeviations {
    /// That plan's id.
    pub plan: i64,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// What it listed.
    pub deviations: Vec<Deviation>,
}

/// `system`'s newest plan of every person (a full run's); `None` before its first full run.
pub fn newest_full_plan(store: &dyn Store, system: &str) -> Result<Option<PlanHeader>> {
    Ok(store
        .recent_plans(Some(system), true, 1)?
        .into_iter()
        .next())
}

/// The deviations of `system`'s newest full plan; `None` before its first full run.
pub fn newest_deviations(store: &dyn Store, system: &str) -> Result<Option<ListedDeviations>> {
    let Some(newest) = newest_full_plan(store, system)? else {
        return Ok(None);
    };
    Ok(Some(ListedDeviations {
        plan: newest.id,
        at: newest.created_at,
        deviations: stored_deviations(store, newest.id)?,
    }))
}

/// The deviations a stored plan listed, read without building the rest of the plan.
pub fn stored_deviations(store: &dyn Store, id: i64) -> Result<Vec<Deviation>> {
    #[derive(Deserialize)]
    struct Only {
        deviations: Vec<Deviation>,
    }
    let only: Only = json("stored plan", serde_json::from_str(&store.plan(id)?))?;
    Ok(only.deviations)
}

/// Plans one system in full from what the store knows: its shadows and memberships, manual
/// grants and approvals, and the desired state the SOLL stage computed (`desired`, with
/// `index`; [`Desired::Stored`] reads it as the plan goes).
pub fn plan_system(
    store: &dyn Store,
    model: &RoleModel,
    system: &str,
    info: &TargetInfo,
    (desired, index): (Desired<'_>, &PersonIndex),
    today: NaiveDate,
) -> Result<Plan> {
    let shadows = store.shadows(system)?;
    let memberships = store.memberships(system)?;
    // Withdrawn and expired grants too: what they gave is revoked, not left as a deviation.
    let grants = store.grants(true)?;
    let reviews = store.reviews(Some(system))?;
    let approved = approved_keys(store, model, system, today)?;
    let taken = shadows
        .iter()
        .filter_map(|s| s.username.as_ref())
        .map(|u| u.to_lowercase())
        .collect();
    let live = shadows.iter().filter(|s| !s.dead).count();
    let person = |id: &str| -> Result<Option<Person>> { Ok(store.person(id)?) };
    let mut plan = build_plan(&PlanInput {
        model,
        system,
        info,
        desired,
        index,
        person: &person,
        shadows: &shadows,
        memberships: &memberships,
        grants: &grants,
        reviews: &reviews,
        approved: &approved,
        taken: &taken,
        bases: (live, memberships.len()),
        today,
    })?;
    name_entitlements(store, &mut plan)?;
    Ok(plan)
}

#[cfg(test)]
mod tests;
