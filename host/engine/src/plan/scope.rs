//! A plan of some persons only: what an incremental run plans, from the shadows (the last
//! known IST) around the persons whose desired state or accounts changed, instead of from a
//! fresh listing of everything.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use tessera_domain::{Membership, Person, TargetInfo};
use tessera_store::{BlockedStatus, Shadow, Store};

use super::{Desired, Plan, PlanInput, approved_keys, build_plan};
use crate::error::{Result, json};
use crate::ist::account_value;
use crate::model::RoleModel;
use crate::soll::{AccountSoll, PersonIndex};

/// What an incremental plan is about: persons whose desired state was computed again, and
/// accounts a change feed touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Persons.
    pub persons: BTreeSet<String>,
    /// Account keys.
    pub accounts: BTreeSet<String>,
}

/// Plans one system for a scope. Besides the scope's own persons it covers the owners of the
/// accounts in scope, persons whose operations failed last time, persons with held-back
/// actions (approved since, or still waiting: a full plan would hold them back again, and an
/// incremental one must report the same), and persons an unowned account in scope
/// correlates with.
pub fn plan_scope(
    store: &dyn Store,
    model: &RoleModel,
    system: &str,
    info: &TargetInfo,
    scope: &Scope,
    today: NaiveDate,
) -> Result<Plan> {
    let field = model
        .systems
        .get(system)
        .and_then(|s| s.correlation.as_ref())
        .map(|c| (c.account_attribute.clone(), c.person_field.clone()));
    let mut persons = scope.persons.clone();
    persons.extend(store.failed_persons(system)?);
    for status in [BlockedStatus::Approved, BlockedStatus::Blocked] {
        let held = store.blocked_actions(Some(system), status)?;
        persons.extend(held.into_iter().filter_map(|b| b.person));
    }
    let mut shadows = ShadowSet::default();
    for key in &scope.accounts {
        if let Some(s) = store.shadow(system, key)? {
            match (&s.person, &field) {
                (Some(owner), _) => drop(persons.insert(owner.clone())),
                (None, Some((attribute, person_field))) => {
                    if let Some(value) = account_value(&s, attribute) {
                        persons.extend(store.correlate(person_field, &value)?);
                    }
                }
                (None, None) => {}
            }
            shadows.add(s);
        }
    }
    let loaded = Loaded::of(store, model, system, &persons, field.as_ref())?;
    for p in &persons {
        for s in store.shadows_of(system, p)? {
            shadows.add(s);
        }
    }
    // An account nobody owns may be the one a person in scope should be linked to.
    for s in store.unowned_shadows(system)? {
        let value = field.as_ref().and_then(|(a, _)| account_value(&s, a));
        let matched = value.is_some_and(|v| loaded.values.contains(&v));
        if matched {
            shadows.add(s);
        }
    }
    let mut plan = plan_loaded(store, model, system, info, (&loaded, shadows.list), today)?;
    plan.scope = Some(persons.into_iter().collect());
    Ok(plan)
}

/// Shadows without repeats.
#[derive(Default)]
struct ShadowSet {
    keys: HashSet<String>,
    list: Vec<Shadow>,
}

impl ShadowSet {
    fn add(&mut self, s: Shadow) {
        if self.keys.insert(s.key.clone()) {
            self.list.push(s);
        }
    }
}

/// The persons in scope as the plan needs them.
struct Loaded {
    desired: BTreeMap<String, AccountSoll>,
    index: PersonIndex,
    persons: BTreeMap<String, Person>,
    /// Their correlation values in this system.
    values: HashSet<String>,
}

impl Loaded {
    fn of(
        store: &dyn Store,
        model: &RoleModel,
        system: &str,
        persons: &BTreeSet<String>,
        field: Option<&(String, String)>,
    ) -> Result<Self> {
        let mut loaded = Loaded {
            desired: BTreeMap::new(),
            index: PersonIndex::default(),
            persons: BTreeMap::new(),
            values: HashSet::new(),
        };
        for id in persons {
            let Some(person) = store.person(id)? else {
                continue;
            };
            loaded.index.add(model, &person);
            if let Some(v) = field.and_then(|(_, f)| crate::soll::person_value(&person, f)) {
                loaded.values.insert(v);
            }
            if let Some(data) = store.desired_of(system, id)? {
                let state = json("desired state", serde_json::from_str(&data))?;
                loaded.desired.insert(id.clone(), state);
            }
            loaded.persons.insert(id.clone(), person);
        }
        Ok(loaded)
    }
}

fn plan_loaded(
    store: &dyn Store,
    model: &RoleModel,
    system: &str,
    info: &TargetInfo,
    (loaded, shadows): (&Loaded, Vec<Shadow>),
    today: NaiveDate,
) -> Result<Plan> {
    let mut memberships: Vec<Membership> = Vec::new();
    for s in shadows.iter().filter(|s| !s.dead) {
        memberships.extend(store.memberships_of(system, &s.key)?);
    }
    let grants = store.grants(true)?;
    let reviews = store.reviews(Some(system))?;
    let approved = approved_keys(store, model, system, today)?;
    let taken = store.usernames(system)?.into_iter().collect();
    let bases = store.shadow_counts(system)?;
    let person = |id: &str| -> Result<Option<Person>> { Ok(loaded.persons.get(id).cloned()) };
    let mut plan = build_plan(&PlanInput {
        model,
        system,
        info,
        desired: Desired::Held(&loaded.desired),
        index: &loaded.index,
        person: &person,
        shadows: &shadows,
        memberships: &memberships,
        grants: &grants,
        reviews: &reviews,
        approved: &approved,
        taken: &taken,
        bases,
        today,
    })?;
    super::name_entitlements(store, &mut plan)?;
    Ok(plan)
}
