//! The deviations the console lists: those of each target's newest plan of every person (a
//! full run), with what reviewers and operators have decided since. A plan is read once and
//! kept until a newer one is stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use tessera_domain::EntitlementRef;
use tessera_engine::plan::{Deviation, newest_full_plan, stored_deviations};
use tessera_store::{DeviationReview, ReviewVerdict, Store};

use crate::error::Result;

/// One system's deviations as of its newest whole plan.
pub(crate) struct Found {
    pub plan: i64,
    pub at: DateTime<Utc>,
    pub deviations: Vec<Deviation>,
}

#[derive(Default)]
pub(crate) struct Cache {
    plans: Mutex<HashMap<String, Arc<Found>>>,
}

impl Cache {
    /// The deviations of `system`'s newest whole plan; `None` before its first full run.
    pub(crate) fn of(&self, store: &dyn Store, system: &str) -> Result<Option<Arc<Found>>> {
        let Some(newest) = newest_full_plan(store, system)? else {
            return Ok(None);
        };
        if let Some(found) = self.lock().get(system).filter(|f| f.plan == newest.id) {
            return Ok(Some(Arc::clone(found)));
        }
        let found = Arc::new(Found {
            plan: newest.id,
            at: newest.created_at,
            deviations: stored_deviations(store, newest.id)?,
        });
        self.lock().insert(system.to_owned(), Arc::clone(&found));
        Ok(Some(found))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Found>>> {
        self.plans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Where a deviation stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Nobody has decided; the system's policy applies.
    Open,
    /// A reviewer decided to revoke it; the next sync does.
    Revoking(String),
    /// Left alone until a day.
    Excluded(NaiveDate, String),
    /// Kept as a manual grant.
    Adopted(i64),
}

impl Standing {
    /// Whether it still asks for a decision.
    pub(crate) fn is_open(&self) -> bool {
        *self == Self::Open
    }

    /// In words, with who decided.
    pub(crate) fn words(&self) -> String {
        match self {
            Self::Open => "open".to_owned(),
            Self::Revoking(by) => format!("revoke decided by {by}; the next sync revokes it"),
            Self::Excluded(until, by) => format!("excluded until {until} by {by}"),
            Self::Adopted(id) => format!("adopted as manual grant #{id}"),
        }
    }
}

/// The decisions in force, indexed once per page: a page of a thousand deviations does not
/// scan every manual grant for each.
pub(crate) struct Decided {
    adopted: HashMap<(String, String, EntitlementRef), i64>,
    reviews: Vec<DeviationReview>,
    today: NaiveDate,
}

impl Decided {
    /// From the store's reviews and manual grants as of `today`.
    pub(crate) fn load(store: &dyn Store, today: NaiveDate) -> Result<Self> {
        let mut adopted = HashMap::new();
        // The first grant that keeps a right is the one shown, as grants come in id order.
        for g in store
            .grants(false)?
            .into_iter()
            .filter(|g| g.holds_on(today))
        {
            adopted
                .entry((g.system, g.person, g.entitlement))
                .or_insert(g.id);
        }
        Ok(Self {
            adopted,
            reviews: store.reviews(None)?,
            today,
        })
    }

    /// Where `d` stands.
    pub(crate) fn standing(&self, d: &Deviation) -> Standing {
        if let Some(person) = &d.person {
            let key = (d.system.clone(), person.clone(), d.entitlement.clone());
            if let Some(id) = self.adopted.get(&key) {
                return Standing::Adopted(*id);
            }
        }
        let key = (d.system.as_str(), d.account.as_str(), &d.entitlement);
        match DeviationReview::in_force(&self.reviews, key, self.today) {
            None => Standing::Open,
            Some(r) if r.verdict == ReviewVerdict::Revoke => Standing::Revoking(r.by.clone()),
            Some(r) => Standing::Excluded(r.until.unwrap_or(self.today), r.by.clone()),
        }
    }
}
