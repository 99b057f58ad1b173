//! The take-over of a system Tessera did not build (SmartAIM's route into an existing HiX):
//! first the rights accounts already hold are adopted as manual grants, so nothing is lost
//! while the role model is written; then, once a rule gives a right too, the grant that kept
//! it is withdrawn and the rule alone answers for it. Only grants a rule gives today count as
//! covered, so withdrawing them takes nobody's access away.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tessera_store::{AuditRecord, ManualGrant, Store};

use crate::Result;
use crate::model::RoleModel;
use crate::soll::{EntitlementSoll, GrantSource, person_soll};

/// A manual grant that a rule now also gives.
#[derive(Debug, Clone, Serialize)]
pub struct Covered {
    /// The grant.
    pub grant: ManualGrant,
    /// The rules that give the same right today.
    pub rules: Vec<String>,
    /// The last day the rules give it; `None` while they give it with no end.
    pub rules_until: Option<NaiveDate>,
}

/// The grants on `system` holding `today` that a rule gives too, by person. Each person's
/// desired state is computed once, whatever the number of their grants, so a take-over of
/// tens of thousands of adopted rights stays linear.
pub fn covered(
    store: &dyn Store,
    model: &RoleModel,
    system: &str,
    today: NaiveDate,
) -> Result<Vec<Covered>> {
    let mut by_person: BTreeMap<String, Vec<ManualGrant>> = BTreeMap::new();
    for g in store.grants(false)? {
        if g.system == system && g.holds_on(today) {
            by_person.entry(g.person.clone()).or_default().push(g);
        }
    }
    let mut found = Vec::new();
    for (id, grants) in by_person {
        let Some(person) = store.person(&id)? else {
            continue;
        };
        let soll = person_soll(model, &person, &[], today);
        let given: Vec<&EntitlementSoll> = soll
            .accounts
            .iter()
            .filter(|a| a.system == system)
            .flat_map(|a| &a.entitlements)
            .filter(|e| gives_today(e, today))
            .collect();
        for grant in grants {
            let same: Vec<&&EntitlementSoll> = given
                .iter()
                .filter(|e| e.entitlement == grant.entitlement)
                .collect();
            if let Some(c) = covered_by(grant, &same) {
                found.push(c);
            }
        }
    }
    Ok(found)
}

fn gives_today(e: &EntitlementSoll, today: NaiveDate) -> bool {
    matches!(e.source, GrantSource::Rule { .. })
        && e.from.is_none_or(|from| from <= today)
        && e.until.is_none_or(|until| today <= until)
}

fn covered_by(grant: ManualGrant, rules: &[&&EntitlementSoll]) -> Option<Covered> {
    if rules.is_empty() {
        return None;
    }
    let names = rules
        .iter()
        .filter_map(|e| match &e.source {
            GrantSource::Rule { name } => Some(name.clone()),
            GrantSource::Manual { .. } => None,
        })
        .collect();
    // Open-ended if any rule is; otherwise the latest end.
    let until = match rules.iter().any(|e| e.until.is_none()) {
        true => None,
        false => rules.iter().filter_map(|e| e.until).max(),
    };
    Some(Covered {
        grant,
        rules: names,
        rules_until: until,
    })
}

/// Withdraws every covered grant on `system` in one unit, each audited with `reason` and the
/// rules that keep the right; the next sync plans from the rules alone (and its thresholds
/// and approvals apply to whatever that changes).
pub fn withdraw(
    store: &dyn Store,
    model: &RoleModel,
    system: &str,
    (reason, by): (&str, &str),
    now: DateTime<Utc>,
) -> Result<Vec<Covered>> {
    let found = covered(store, model, system, now.date_naive())?;
    store.atomically(|| {
        for c in &found {
            store.revoke_grant(c.grant.id, by, now)?;
            store.append_audit(&AuditRecord {
                at: now,
                action: "takeover-withdraw".to_owned(),
                system: Some(c.grant.system.clone()),
                person: Some(c.grant.person.clone()),
                before: serde_json::to_value(&c.grant.entitlement).ok(),
                why: Some(format!(
                    "grant #{} now given by rule {}: {reason}",
                    c.grant.id,
                    c.rules.join(", ")
                )),
                actor: Some(by.to_owned()),
                outcome: "ok".to_owned(),
                ..AuditRecord::default()
            })?;
        }
        Ok::<_, crate::Error>(())
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests;
