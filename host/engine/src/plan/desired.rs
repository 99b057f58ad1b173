//! Where a plan takes the desired state from: held in memory, or read from the store person
//! by person as the plan goes.

use std::collections::{BTreeMap, BTreeSet};

use tessera_store::Store;

use crate::error::{Result, json};
use crate::soll::AccountSoll;

/// The desired state a plan compares with.
#[derive(Clone, Copy)]
pub enum Desired<'a> {
    /// In memory, by person: a dry run's, or the few persons of a narrow plan.
    Held(&'a BTreeMap<String, AccountSoll>),
    /// The store's snapshot, each person's read and parsed as the plan reaches them. A
    /// hospital's 40,000 persons hold some 100 MB of desired state per system; a plan that
    /// loaded it whole held that beside the target's shadows, three targets in a row.
    Stored(&'a dyn Store),
}

impl Desired<'_> {
    /// Calls `each` with every person of `known`, in order, and their desired state in
    /// `system`, if they have one.
    pub(crate) fn each(
        &self,
        system: &str,
        known: &BTreeSet<String>,
        each: &mut dyn FnMut(&str, Option<&AccountSoll>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Self::Held(all) => known.iter().try_for_each(|p| each(p, all.get(p))),
            Self::Stored(store) => stored(*store, system, known, each),
        }
    }
}

/// A merge of `known` with the store's rows, both ordered by person id (the store's by byte,
/// as `String`'s order is). A row of a person not in `known` is passed over, as a held map's is.
fn stored(
    store: &dyn Store,
    system: &str,
    known: &BTreeSet<String>,
    each: &mut dyn FnMut(&str, Option<&AccountSoll>) -> Result<()>,
) -> Result<()> {
    let mut known = known.iter().peekable();
    let mut failed = None;
    {
        let mut row = |person: String, data: String| -> Result<()> {
            while let Some(before) = known.next_if(|k| k.as_str() < person.as_str()) {
                each(before, None)?;
            }
            if let Some(this) = known.next_if(|k| **k == person) {
                let soll: AccountSoll = json("desired state", serde_json::from_str(&data))?;
                each(this, Some(&soll))?;
            }
            Ok(())
        };
        store.each_desired(system, &mut |person, data| match row(person, data) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        })?;
    }
    if let Some(e) = failed {
        return Err(e);
    }
    known.try_for_each(|rest| each(rest, None))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use tessera_store::{DesiredState, SqliteStore};

    use super::*;
    use crate::soll::{AccountDates, AccountState};

    fn soll(contract: &str) -> AccountSoll {
        AccountSoll {
            system: "ad".into(),
            state: AccountState::Enabled,
            contracts: vec![contract.into()],
            dates: AccountDates::default(),
            attributes: Vec::new(),
            entitlements: Vec::new(),
        }
    }

    /// Every known person once, in order, with the state the store has for them.
    fn seen(desired: Desired<'_>, known: &[&str]) -> Result<Vec<(String, Option<String>)>> {
        let known: BTreeSet<String> = known.iter().map(|k| (*k).to_owned()).collect();
        let mut out = Vec::new();
        desired.each("ad", &known, &mut |person, soll| {
            let contract = soll.map(|s| s.contracts[0].clone());
            out.push((person.to_owned(), contract));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn stored_and_held_desired_states_meet_every_known_person_in_order() {
        let store = SqliteStore::open_in_memory().expect("store");
        let mut held = BTreeMap::new();
        // "P10" sorts before "P2" by byte, in the store as in a BTreeSet; "gone" is no
        // longer a person, so neither kind hands it out.
        for (person, contract) in [("P10", "c10"), ("P2", "c2"), ("gone", "cg")] {
            let data = serde_json::to_string(&soll(contract)).expect("json");
            store
                .put_desired("ad", person, &data, Utc::now())
                .expect("put");
            store
                .put_desired("hix", person, "{}", Utc::now())
                .expect("put");
            held.insert(person.to_owned(), soll(contract));
        }
        let known = ["P1", "P10", "P2", "P3"];
        let want = vec![
            ("P1".to_owned(), None),
            ("P10".to_owned(), Some("c10".to_owned())),
            ("P2".to_owned(), Some("c2".to_owned())),
            ("P3".to_owned(), None),
        ];
        assert_eq!(seen(Desired::Stored(&store), &known).expect("stored"), want);
        assert_eq!(seen(Desired::Held(&held), &known).expect("held"), want);
    }

    #[test]
    fn a_damaged_stored_state_stops_the_plan_with_what_it_was() {
        let store = SqliteStore::open_in_memory().expect("store");
        store
            .put_desired("ad", "P1", "{\"system\":", Utc::now())
            .expect("put");
        let err = seen(Desired::Stored(&store), &["P1", "P2"]).expect_err("damaged");
        assert!(err.to_string().contains("desired state"), "{err}");
    }
}
