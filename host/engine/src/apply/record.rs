//! Mirroring applied operations into the store, and auditing them.

use tessera_domain::EntitlementRef;
use tessera_store::{AuditRecord, NewGrant, Shadow};

use super::Run;
use super::call::Effect;
use crate::error::Result;
use crate::plan::{Operation, PlannedOp};

impl Run<'_> {
    /// Mirrors a successful operation into the shadows; returns a created account's key.
    pub(super) fn record_effect(
        &self,
        planned: &PlannedOp,
        effect: &Effect,
    ) -> Result<Option<String>> {
        let (store, system) = (self.store, self.plan.system.as_str());
        let key = self.resolve(&planned.op).unwrap_or_default();
        match (&planned.op, effect) {
            (
                Operation::Create { username, .. },
                Effect::Account(account) | Effect::Resolved { account, .. },
            ) => {
                store.put_shadow(&Shadow::seen(
                    system,
                    account,
                    planned.person.clone(),
                    self.now,
                ))?;
                self.created
                    .borrow_mut()
                    .insert(username.clone(), account.key.clone());
                return Ok(Some(account.key.clone()));
            }
            (Operation::Update { .. }, Effect::Account(account)) => {
                store.put_shadow(&Shadow::seen(
                    system,
                    account,
                    planned.person.clone(),
                    self.now,
                ))?;
            }
            (Operation::Link { account }, _) => {
                store.link_shadow(
                    system,
                    account,
                    planned.person.as_deref().unwrap_or_default(),
                )?;
            }
            (Operation::Enable { account }, _) => {
                store.set_shadow_enabled(system, account, true)?
            }
            (Operation::Disable { account }, _) => {
                store.set_shadow_enabled(system, account, false)?
            }
            (Operation::Delete { account }, _) => store.bury_shadow(system, account)?,
            (Operation::Grant { entitlement, .. }, _) => {
                store.add_membership(system, &membership(&key, entitlement))?
            }
            (Operation::Revoke { entitlement, .. }, _) => {
                store.remove_membership(system, &membership(&key, entitlement))?
            }
            (Operation::Adopt { entitlement, .. }, _) => self.adopt(planned, entitlement)?,
            _ => {}
        }
        Ok(None)
    }

    fn adopt(&self, planned: &PlannedOp, entitlement: &EntitlementRef) -> Result<()> {
        let person = planned.person.clone().unwrap_or_default();
        let mut held = self.held.borrow_mut();
        let held = match &mut *held {
            Some(held) => held,
            None => held.insert(
                self.store
                    .grants(false)?
                    .into_iter()
                    .filter(|g| g.system == self.plan.system)
                    .map(|g| (g.person, g.entitlement))
                    .collect(),
            ),
        };
        let key = (person, entitlement.clone());
        if !held.contains(&key) {
            let grant = NewGrant {
                person: key.0.clone(),
                system: self.plan.system.clone(),
                entitlement: entitlement.clone(),
                reason: "adopted deviation (system policy `adopt`)".to_owned(),
                author: "engine".to_owned(),
                until: None,
                needs_approval: false,
            };
            self.store.add_grant(&grant, self.now)?;
            held.insert(key);
        }
        Ok(())
    }

    /// The account an operation works on as its shadow holds it now, before the operation's
    /// effect is recorded: read per operation, so a take-over of 100,000 accounts does not
    /// hold them all for its audit records. `None` for a create.
    pub(super) fn before_state(&self, planned: &PlannedOp) -> Result<Option<serde_json::Value>> {
        if matches!(planned.op, Operation::Create { .. }) {
            return Ok(None);
        }
        let Some(key) = self.resolve(&planned.op) else {
            return Ok(None);
        };
        let shadow = self.store.shadow(&self.plan.system, &key)?;
        Ok(shadow.filter(|s| !s.dead).as_ref().map(before))
    }

    pub(super) fn audit(
        &self,
        planned: &PlannedOp,
        before: Option<serde_json::Value>,
        outcome: String,
    ) -> Result<()> {
        self.store.append_audit(&AuditRecord {
            at: self.now,
            action: planned.key.split(':').next().unwrap_or_default().to_owned(),
            system: Some(self.plan.system.clone()),
            person: planned.person.clone(),
            before,
            after: after(planned),
            why: Some(planned.why.clone()),
            actor: Some("engine".to_owned()),
            run: Some(format!("plan-{}", self.plan_id)),
            plugin: self.plugin.map(str::to_owned),
            outcome,
        })?;
        Ok(())
    }
}

/// An account as Tessera knew it before an operation, as the audit record's `before`.
fn before(shadow: &Shadow) -> serde_json::Value {
    serde_json::json!({
        "username": shadow.username,
        "enabled": shadow.enabled,
        "attributes": shadow.attributes,
    })
}

/// The operation as the audit record's `after`, with the entitlement's catalogue name beside
/// its key so an auditor reads "GG-IC" and not only a GUID.
fn after(planned: &PlannedOp) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(&planned.op).ok()?;
    if let (Some(name), Some(object)) = (&planned.name, value.as_object_mut()) {
        object.insert("entitlement_name".to_owned(), name.clone().into());
    }
    Some(value)
}

fn membership(
    key: &str,
    entitlement: &tessera_domain::EntitlementRef,
) -> tessera_domain::Membership {
    tessera_domain::Membership {
        account: key.to_owned(),
        entitlement: entitlement.clone(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};
    use tessera_domain::TargetConnector;
    use tessera_store::{ManualGrants, SqliteStore};
    use tessera_testkit::fakes::FakeTarget;

    use super::*;
    use crate::apply::{Applier, Stop, apply_saved};
    use crate::plan::{Plan, save_plan};

    fn right() -> EntitlementRef {
        EntitlementRef {
            kind: "login-group".into(),
            key: "LG-ADM".into(),
        }
    }

    fn grant(store: &SqliteStore, person: &str, system: &str) {
        let new = NewGrant {
            person: person.into(),
            system: system.into(),
            entitlement: right(),
            reason: "kept by hand".into(),
            author: "ops".into(),
            until: None,
            needs_approval: false,
        };
        store.add_grant(&new, Utc::now()).expect("grant");
    }

    fn adopt(person: &str, account: &str) -> PlannedOp {
        let op = Operation::Adopt {
            account: account.into(),
            entitlement: right(),
        };
        PlannedOp::new(op, Some(person), "held at take-over".into())
    }

    /// Adopting is idempotent per person and right on this system: a grant someone already
    /// keeps here is not made twice, and one on another system does not count.
    #[tokio::test]
    async fn adopting_adds_a_grant_only_where_this_system_has_none() {
        let store = SqliteStore::open_in_memory().expect("store");
        grant(&store, "p2", "hix");
        grant(&store, "p1", "ad");
        let ops = vec![adopt("p1", "a1"), adopt("p2", "a2"), adopt("p3", "a3")];
        let mut plan = Plan::of("hix", NaiveDate::default(), ops);
        let id = save_plan(&store, &mut plan, Utc::now()).expect("saved");
        let mut pool: Vec<Box<dyn TargetConnector>> = vec![Box::new(FakeTarget::new(true))];
        let settings = Default::default();
        let stop = Stop::default();
        let applier = Applier {
            settings: &settings,
            plugin: None,
            stop: &stop,
        };
        apply_saved(&store, id, &plan, &mut pool, applier, Utc::now())
            .await
            .expect("applied");
        let mut held: Vec<(String, String)> = store
            .grants(false)
            .expect("grants")
            .into_iter()
            .map(|g| (g.system, g.person))
            .collect();
        held.sort();
        let want = [("ad", "p1"), ("hix", "p1"), ("hix", "p2"), ("hix", "p3")];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(s, p)| ((*s).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(held, want);
    }
}
