//! The SOLL stage: every person's desired state computed once, from persons streamed out of
//! the store one at a time, and kept for the plans: stored as the desired-state snapshot on a
//! real run, held in memory on a dry run (which writes nothing).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use tessera_domain::Person;
use tessera_store::{DesiredBasis, ManualGrant, Store};

use super::{AccountSoll, person_soll};
use crate::error::{Result, json};
use crate::model::RoleModel;

/// What the plans need to know of every person besides their desired state: who exists, and
/// the values accounts are correlated by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonIndex {
    /// Every person's id.
    pub known: BTreeSet<String>,
    /// Per system with a correlation rule: the person field's value (trimmed, lower case) →
    /// the ids of the persons that have it.
    pub correlation: HashMap<String, HashMap<String, Vec<String>>>,
}

impl PersonIndex {
    /// Adds one person.
    pub fn add(&mut self, model: &RoleModel, person: &Person) {
        self.known.insert(person.id.clone());
        for (system, rule) in &model.systems {
            let Some(c) = &rule.correlation else { continue };
            if let Some(value) = person_value(person, &c.person_field) {
                let values = self.correlation.entry(system.clone()).or_default();
                values.entry(value).or_default().push(person.id.clone());
            }
        }
    }

    /// The index of every stored person, read one person at a time.
    pub fn load(store: &dyn Store, model: &RoleModel) -> Result<Self> {
        let mut index = Self::default();
        store.for_each_person(&mut |p| {
            index.add(model, &p);
            Ok(())
        })?;
        Ok(index)
    }

    /// The index of the given persons.
    pub fn of(model: &RoleModel, persons: &[Person]) -> Self {
        let mut index = Self::default();
        for p in persons {
            index.add(model, p);
        }
        index
    }
}

/// A person field as correlation compares it: `id`, `email` or an attribute, trimmed and in
/// lower case; `None` when empty.
pub fn person_value(person: &Person, field: &str) -> Option<String> {
    let value = match field {
        "id" => Some(person.id.as_str()),
        "email" => person.email.as_deref(),
        name => person
            .attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str()),
    };
    value
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
}

/// Each system's desired state, by person id.
pub type DesiredStates = BTreeMap<String, BTreeMap<String, AccountSoll>>;

/// What the SOLL stage produced.
#[derive(Debug, Default)]
pub struct Computed {
    /// Who exists and the correlation values.
    pub index: PersonIndex,
    /// The desired states, on a dry run; on a real run they are in the store.
    pub desired: Option<DesiredStates>,
}

/// Computes every person's desired state as of `today`. With `store_it`, each row is written
/// to the snapshot (unchanged rows untouched, rows of persons or systems that no longer have
/// one removed) in one unit; without, the states are returned in memory and nothing is
/// written.
pub fn compute_desired(
    store: &dyn Store,
    model: &RoleModel,
    today: NaiveDate,
    now: DateTime<Utc>,
    store_it: bool,
) -> Result<Computed> {
    let grants = grants_by_person(store)?;
    let mut computed = Computed {
        desired: (!store_it).then(DesiredStates::new),
        ..Computed::default()
    };
    let mut written = HashSet::new();
    let mut walk = || -> Result<()> {
        store.for_each_person(&mut |person| {
            computed.index.add(model, &person);
            let theirs = grants.get(&person.id).map_or(&[][..], Vec::as_slice);
            for account in person_soll(model, &person, theirs, today).accounts {
                let system = account.system.clone();
                if let Some(desired) = computed.desired.as_mut() {
                    let states = desired.entry(system).or_default();
                    states.insert(person.id.clone(), account);
                    continue;
                }
                let data = serde_json::to_string(&account).map_err(|source| {
                    tessera_store::Error::Json {
                        table: "desired_state",
                        source,
                    }
                })?;
                store.put_desired(&system, &person.id, &data, now)?;
                written.insert((system, person.id.clone()));
            }
            Ok(())
        })?;
        if store_it {
            for key in store.desired_keys()? {
                if !written.contains(&key) {
                    store.remove_desired(&key.0, &key.1)?;
                }
            }
            store.set_basis(&basis(store, model, today)?)?;
        }
        Ok(())
    };
    if store_it {
        store.atomically(walk)?;
    } else {
        walk()?;
    }
    Ok(computed)
}

/// The manual grants by person: each person's desired state looks at their own only, so tens
/// of thousands of adopted rights do not make the stage quadratic.
fn grants_by_person(store: &dyn Store) -> Result<HashMap<String, Vec<ManualGrant>>> {
    let mut by_person: HashMap<String, Vec<ManualGrant>> = HashMap::new();
    for g in store.grants(false)? {
        by_person.entry(g.person.clone()).or_default().push(g);
    }
    Ok(by_person)
}

/// What the stored desired state is computed from today: the day, the role model and the
/// manual grants (withdrawn and expired ones too, since withdrawing changes what is wanted).
pub fn basis(store: &dyn Store, model: &RoleModel, today: NaiveDate) -> Result<DesiredBasis> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(model.digest.as_bytes());
    for g in store.grants(true)? {
        let line = format!(
            "{}|{}|{}|{}/{}|{:?}|{:?}|{:?}\n",
            g.id,
            g.person,
            g.system,
            g.entitlement.kind,
            g.entitlement.key,
            g.until,
            g.revoked_at,
            g.approved_by
        );
        hasher.update(line.as_bytes());
    }
    Ok(DesiredBasis {
        day: today,
        fingerprint: hex::encode(hasher.finalize()),
    })
}

/// Computes the desired state of some persons only (persons no longer known lose theirs),
/// stored in one unit, and returns their part of the index for a plan around them.
pub fn compute_desired_of(
    store: &dyn Store,
    model: &RoleModel,
    persons: &BTreeSet<String>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<PersonIndex> {
    let grants = grants_by_person(store)?;
    let mut index = PersonIndex::default();
    store.atomically(|| {
        for id in persons {
            let mut kept = BTreeSet::new();
            if let Some(person) = store.person(id)? {
                index.add(model, &person);
                let theirs = grants.get(id).map_or(&[][..], Vec::as_slice);
                for account in person_soll(model, &person, theirs, today).accounts {
                    let data = json("desired state", serde_json::to_string(&account))?;
                    store.put_desired(&account.system, id, &data, now)?;
                    kept.insert(account.system);
                }
            }
            for system in model.systems.keys().filter(|s| !kept.contains(*s)) {
                store.remove_desired(system, id)?;
            }
        }
        Ok::<_, crate::Error>(())
    })?;
    Ok(index)
}
