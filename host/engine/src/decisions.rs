//! Operator decisions: manual grants, their withdrawal, adopting deviations and approving
//! blocked actions. Each one is audited with its author and reason.

use chrono::{DateTime, NaiveDate, Utc};
use tessera_store::{
    AuditRecord, BlockedAction, BlockedStatus, ManualGrant, NewGrant, NewReview, Store,
};

use crate::error::{Error, Result};
use crate::plan::Deviation;

/// Records a manual grant; refuses one without a reason.
pub fn add_grant(store: &dyn Store, grant: &NewGrant, now: DateTime<Utc>) -> Result<i64> {
    if grant.reason.trim().is_empty() {
        store.append_audit(&grant_audit(
            grant,
            now,
            "manual-grant",
            "refused: no reason",
        ))?;
        return Err(Error::MissingReason);
    }
    let id = store.add_grant(grant, now)?;
    let outcome = match grant.needs_approval {
        true => "requested: waits for a second person's approval",
        false => "ok",
    };
    store.append_audit(&grant_audit(grant, now, "manual-grant", outcome))?;
    Ok(id)
}

/// A second person approves a manual grant that waits for one (four eyes); its author cannot.
pub fn approve_grant(
    store: &dyn Store,
    id: i64,
    by: &str,
    now: DateTime<Utc>,
) -> Result<ManualGrant> {
    let g = store.grant(id)?;
    if g.author == by {
        store.append_audit(&AuditRecord {
            outcome: "refused: the author cannot approve their own grant".to_owned(),
            ..grant_approval_audit(&g, by, now)
        })?;
        return Err(Error::OwnApproval {
            id,
            author: g.author,
        });
    }
    let g = store.approve_grant(id, by, now)?;
    store.append_audit(&grant_approval_audit(&g, by, now))?;
    Ok(g)
}

fn grant_approval_audit(g: &ManualGrant, by: &str, now: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        at: now,
        action: "manual-grant-approve".to_owned(),
        system: Some(g.system.clone()),
        person: Some(g.person.clone()),
        after: serde_json::to_value(&g.entitlement).ok(),
        why: Some(format!("grant #{} by {}: {}", g.id, g.author, g.reason)),
        actor: Some(by.to_owned()),
        outcome: "ok".to_owned(),
        ..AuditRecord::default()
    }
}

/// Records a reviewer's decision on a deviation: revoke it at the next plan, or leave it
/// alone until a day. Audited with the reviewer, the reason and the person concerned.
pub fn review_deviation(
    store: &dyn Store,
    deviation: &Deviation,
    review: &NewReview,
    now: DateTime<Utc>,
) -> Result<i64> {
    if review.reason.trim().is_empty() {
        return Err(Error::MissingReason);
    }
    let id = store.add_review(review, now)?;
    let until = review
        .until
        .map(|d| format!(" until {d}"))
        .unwrap_or_default();
    store.append_audit(&AuditRecord {
        at: now,
        action: format!("deviation-{}", review.verdict.as_str()),
        system: Some(review.system.clone()),
        person: deviation.person.clone(),
        before: serde_json::to_value(&review.entitlement).ok(),
        why: Some(format!(
            "review #{id} of {}{until}: {}",
            deviation.username.as_deref().unwrap_or(&deviation.account),
            review.reason
        )),
        actor: Some(review.by.clone()),
        outcome: "ok".to_owned(),
        ..AuditRecord::default()
    })?;
    Ok(id)
}

/// Withdraws a manual grant; the next plan revokes what it alone gave.
pub fn revoke_grant(
    store: &dyn Store,
    id: i64,
    by: &str,
    now: DateTime<Utc>,
) -> Result<ManualGrant> {
    let g = store.revoke_grant(id, by, now)?;
    store.append_audit(&AuditRecord {
        at: now,
        action: "manual-grant-revoke".to_owned(),
        system: Some(g.system.clone()),
        person: Some(g.person.clone()),
        before: serde_json::to_value(&g.entitlement).ok(),
        why: Some(format!("grant #{id}: {}", g.reason)),
        actor: Some(by.to_owned()),
        outcome: "ok".to_owned(),
        ..AuditRecord::default()
    })?;
    Ok(g)
}

/// Keeps a deviation by turning it into a manual grant with the operator's reason.
pub fn adopt_deviation(
    store: &dyn Store,
    deviation: &Deviation,
    reason: &str,
    author: &str,
    until: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let person = deviation.person.clone().ok_or_else(|| Error::Unowned {
        system: deviation.system.clone(),
        account: deviation.account.clone(),
    })?;
    let grant = NewGrant {
        person,
        system: deviation.system.clone(),
        entitlement: deviation.entitlement.clone(),
        reason: reason.to_owned(),
        author: author.to_owned(),
        until,
        needs_approval: false,
    };
    add_grant(store, &grant, now)
}

/// Approves one blocked action; the next plan of its system lets it through. Only actions
/// still waiting can be approved: a cancelled one was superseded by a later plan.
pub fn approve(store: &dyn Store, id: i64, by: &str, now: DateTime<Utc>) -> Result<BlockedAction> {
    decide(store, id, Verdict::Approve, by, None, now)
}

/// An operator's word on a blocked action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Let it through in the next plan.
    Approve,
    /// Keep it back; a later plan that still trips the threshold asks again.
    Reject,
}

/// Approves or rejects one waiting action, with the operator's reason in the audit trail.
pub fn decide(
    store: &dyn Store,
    id: i64,
    verdict: Verdict,
    by: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<BlockedAction> {
    let action = store.blocked_action(id)?;
    if action.status != BlockedStatus::Blocked {
        return Err(Error::NotPending {
            id,
            status: action.status,
        });
    }
    let (status, word, done) = match verdict {
        Verdict::Approve => (BlockedStatus::Approved, "approve", "approved"),
        Verdict::Reject => (BlockedStatus::Rejected, "reject", "rejected"),
    };
    store.decide_blocked(id, status, Some(by), now)?;
    let why = match reason {
        Some(r) => format!("{} — {done} because: {r}", action.reason),
        None => action.reason.clone(),
    };
    store.append_audit(&AuditRecord {
        at: now,
        action: word.to_owned(),
        system: Some(action.system.clone()),
        after: serde_json::from_str(&action.op).ok(),
        why: Some(why),
        actor: Some(by.to_owned()),
        run: action.plan_id.map(|p| format!("plan-{p}")),
        outcome: "ok".to_owned(),
        ..AuditRecord::default()
    })?;
    Ok(action)
}

fn grant_audit(grant: &NewGrant, now: DateTime<Utc>, action: &str, outcome: &str) -> AuditRecord {
    AuditRecord {
        at: now,
        action: action.to_owned(),
        system: Some(grant.system.clone()),
        person: Some(grant.person.clone()),
        after: serde_json::to_value(&grant.entitlement).ok(),
        why: Some(grant.reason.clone()),
        actor: Some(grant.author.clone()),
        outcome: outcome.to_owned(),
        ..AuditRecord::default()
    }
}
