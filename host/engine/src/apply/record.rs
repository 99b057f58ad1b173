//! Mirroring applied operations into the store, and auditing them.

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

    fn adopt(
        &self,
        planned: &PlannedOp,
        entitlement: &tessera_domain::EntitlementRef,
    ) -> Result<()> {
        let person = planned.person.clone().unwrap_or_default();
        let exists = self.store.grants(false)?.iter().any(|g| {
            g.person == person && g.system == self.plan.system && &g.entitlement == entitlement
        });
        if !exists {
            let grant = NewGrant {
                person,
                system: self.plan.system.clone(),
                entitlement: entitlement.clone(),
                reason: "adopted deviation (system policy `adopt`)".to_owned(),
                author: "engine".to_owned(),
                until: None,
                needs_approval: false,
            };
            self.store.add_grant(&grant, self.now)?;
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
