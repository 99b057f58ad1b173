//! The deviations the console lists: those of each target's newest plan of every person (a
//! full run), with what reviewers and operators have decided since. A plan is read once and
//! kept until a newer one is stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use tessera_engine::plan::{Deviation, stored_deviations};
use tessera_store::{DeviationReview, ManualGrant, ReviewVerdict, Store};

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
        let Some(newest) = store
            .recent_plans(Some(system), true, 1)?
            .into_iter()
            .next()
        else {
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

/// Where `d` stands given the decisions in force.
pub(crate) fn standing(
    d: &Deviation,
    reviews: &[DeviationReview],
    grants: &[ManualGrant],
    today: NaiveDate,
) -> Standing {
    let adopted = grants.iter().find(|g| {
        Some(&g.person) == d.person.as_ref()
            && g.system == d.system
            && g.entitlement == d.entitlement
            && g.holds_on(today)
    });
    if let Some(g) = adopted {
        return Standing::Adopted(g.id);
    }
    let review = reviews.iter().rev().find(|r| {
        r.system == d.system && r.concerns(&d.account, &d.entitlement) && r.holds_on(today)
    });
    match review {
        None => Standing::Open,
        Some(r) if r.verdict == ReviewVerdict::Revoke => Standing::Revoking(r.by.clone()),
        Some(r) => Standing::Excluded(r.until.unwrap_or(today), r.by.clone()),
    }
}
