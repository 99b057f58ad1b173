//! Follow-ups: the tickets a plan's grants ask for, opened once in a ticket system, and the
//! grants that wait until theirs is closed (`hold_until_resolved`).
//!
//! [`settle`] runs between planning and applying. For each grant with a follow-up it opens
//! the ticket when the store has none for that grant (so a grant has one ticket across all
//! runs), records it and audits it; a grant that holds then leaves the plan's operations for
//! its `waiting` list until the ticket system reports the ticket closed. A ticket system that
//! cannot be reached holds nothing back that does not wait anyway: a grant without hold goes
//! ahead and its ticket is opened by a later run.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tessera_domain::{ConnectorError, TargetConnector, TicketSpec};
use tessera_store::{AuditRecord, FollowUpTicket, Store};

use crate::Result;
use crate::model::FollowUpSoll;
use crate::plan::{Operation, Plan, PlannedOp};

/// The systems a run may open tickets in, by name.
pub type Desks = BTreeMap<String, Box<dyn TargetConnector>>;

/// A grant's follow-up ticket, as plans and previews show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLink {
    /// The system it is in.
    pub system: String,
    /// The number people quote.
    pub number: String,
    /// Whether the desk has closed it.
    pub closed: bool,
}

impl TicketLink {
    pub(crate) fn of(t: &FollowUpTicket) -> Self {
        Self {
            system: t.ticket_system.clone(),
            number: t.number.clone(),
            closed: t.closed_at.is_some(),
        }
    }
}

impl fmt::Display for TicketLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.closed { "closed" } else { "open" };
        write!(f, "{} ticket {} ({state})", self.system, self.number)
    }
}

/// What [`settle`] did to one plan.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Settled {
    /// Tickets opened now.
    pub opened: Vec<TicketLink>,
    /// Tickets seen closed now.
    pub closed: usize,
    /// Grants waiting for their ticket.
    pub waiting: usize,
    /// Ticket systems that failed, in words; the run goes on.
    pub problems: Vec<String>,
}

/// Where one grant's follow-up stands.
#[derive(Clone, Copy)]
enum Standing {
    /// The grant may be applied.
    Go,
    /// The grant waits for its ticket.
    Wait,
}

/// Opens the tickets `plan`'s grants ask for and holds back the grants that wait for theirs.
/// A dry run opens nothing and asks nothing: grants without a ticket that would hold are
/// shown waiting.
pub async fn settle(
    store: &dyn Store,
    plan: &mut Plan,
    desks: &mut Desks,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<Settled> {
    let mut settled = Settled::default();
    let mut run = Run {
        store,
        system: &plan.system,
        desks,
        now,
        dry_run,
    };
    for mut planned in std::mem::take(&mut plan.operations) {
        let standing = match planned.follow_up.clone() {
            Some(f) if matches!(planned.op, Operation::Grant { .. }) => {
                run.one(&mut planned, &f, &mut settled).await?
            }
            _ => Standing::Go,
        };
        match standing {
            Standing::Go => plan.operations.push(planned),
            Standing::Wait => {
                settled.waiting += 1;
                plan.waiting.push(planned);
            }
        }
    }
    Ok(settled)
}

struct Run<'a> {
    store: &'a dyn Store,
    system: &'a str,
    desks: &'a mut Desks,
    now: DateTime<Utc>,
    dry_run: bool,
}

impl Run<'_> {
    async fn one(
        &mut self,
        planned: &mut PlannedOp,
        f: &FollowUpSoll,
        settled: &mut Settled,
    ) -> Result<Standing> {
        let hold = if f.hold { Standing::Wait } else { Standing::Go };
        let Some(mut ticket) = self.store.ticket_for(self.system, &planned.key)? else {
            if self.dry_run {
                return Ok(hold);
            }
            return match self.open(planned, f).await {
                Ok(t) => {
                    let link = TicketLink::of(&t);
                    link_to(planned, &link);
                    settled.opened.push(link);
                    Ok(hold)
                }
                Err(problem) => {
                    settled.problems.push(problem);
                    Ok(hold)
                }
            };
        };
        if ticket.closed_at.is_none() && f.hold && !self.dry_run {
            match self.closed(&ticket).await {
                Ok(true) => {
                    self.store
                        .close_ticket(self.system, &planned.key, self.now)?;
                    ticket.closed_at = Some(self.now);
                    self.audit("follow-up-closed", &ticket)?;
                    settled.closed += 1;
                }
                Ok(false) => {}
                Err(problem) => settled.problems.push(problem),
            }
        }
        link_to(planned, &TicketLink::of(&ticket));
        Ok(match ticket.closed_at {
            Some(_) => Standing::Go,
            None => hold,
        })
    }

    /// Opens and records the ticket; `Err` says why the ticket system could not.
    async fn open(
        &mut self,
        planned: &PlannedOp,
        f: &FollowUpSoll,
    ) -> Result<FollowUpTicket, String> {
        // The catalogue's name for the entitlement, else its key.
        let key = match &planned.op {
            Operation::Grant { entitlement, .. } => entitlement.key.as_str(),
            _ => "",
        };
        let name = planned.name.as_deref().unwrap_or(key);
        let subject = f.subject(name);
        let spec = TicketSpec {
            body: format!(
                "{subject}\n\nTessera grants {name} in {} because of {}. {}",
                self.system,
                planned.why,
                if f.hold {
                    "The grant waits until this ticket is closed."
                } else {
                    "The grant does not wait for this ticket."
                },
            ),
            subject,
            person: planned.person.clone(),
            caller: None,
        };
        let opened = self
            .desk(&f.system)?
            .open_ticket(&spec)
            .await
            .map_err(|e| problem(&f.system, "opening a ticket", &e))?;
        let ticket = FollowUpTicket {
            system: self.system.to_owned(),
            grant: planned.key.clone(),
            person: planned.person.clone(),
            ticket_system: f.system.clone(),
            ticket: opened.key,
            number: opened.number,
            subject: spec.subject,
            hold: f.hold,
            opened_at: self.now,
            closed_at: opened.closed.then_some(self.now),
        };
        let recorded = self.store.record_ticket(&ticket);
        let audited = recorded.and_then(|()| self.audit("follow-up-ticket", &ticket));
        audited.map_err(|e| format!("{}: ticket {} opened, but {e}", f.system, ticket.number))?;
        Ok(ticket)
    }

    /// Whether the ticket system reports the ticket closed.
    async fn closed(&mut self, t: &FollowUpTicket) -> Result<bool, String> {
        let found = self.desk(&t.ticket_system)?.ticket(&t.ticket).await;
        found.map(|found| found.closed).map_err(|e| {
            problem(
                &t.ticket_system,
                &format!("reading ticket {}", t.number),
                &e,
            )
        })
    }

    fn desk(&mut self, system: &str) -> Result<&mut Box<dyn TargetConnector>, String> {
        self.desks
            .get_mut(system)
            .ok_or_else(|| format!("{system}: not connected, so no ticket could be opened or read"))
    }

    fn audit(&self, action: &str, t: &FollowUpTicket) -> tessera_store::Result<()> {
        self.store.append_audit(&AuditRecord {
            at: self.now,
            action: action.to_owned(),
            system: Some(self.system.to_owned()),
            person: t.person.clone(),
            after: Some(serde_json::json!({
                "grant": t.grant,
                "ticket_system": t.ticket_system,
                "ticket": t.number,
                "hold": t.hold,
            })),
            why: Some(t.subject.clone()),
            actor: Some("engine".to_owned()),
            outcome: "ok".to_owned(),
            ..AuditRecord::default()
        })?;
        Ok(())
    }
}

/// The grant names its ticket, in the plan and in the audit record of the grant.
fn link_to(planned: &mut PlannedOp, link: &TicketLink) {
    planned.why = format!("{}; follow-up: {link}", planned.why);
    planned.ticket = Some(link.clone());
}

fn problem(system: &str, doing: &str, e: &ConnectorError) -> String {
    format!("{system}: {doing} failed: {e}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
