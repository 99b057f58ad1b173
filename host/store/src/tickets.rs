//! Follow-up tickets: the ticket a grant's follow-up opened in a ticket system, kept so it is
//! opened once across runs and so a grant that waits for it knows when it is closed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;

/// A follow-up ticket as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpTicket {
    /// The system the grant is in.
    pub system: String,
    /// The grant's key across plans (`grant:P1:login-group/IC`).
    pub grant: String,
    /// The person the grant is for.
    pub person: Option<String>,
    /// The system the ticket is in.
    pub ticket_system: String,
    /// The ticket system's key for it.
    pub ticket: String,
    /// The number people quote.
    pub number: String,
    /// Its one-line subject.
    pub subject: String,
    /// Whether the grant waits until the ticket is closed.
    pub hold: bool,
    /// When Tessera opened it.
    pub opened_at: DateTime<Utc>,
    /// When Tessera saw it closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Follow-up tickets.
pub trait Tickets {
    /// Records a ticket just opened; a second one for the same grant is refused (the store's
    /// key), so a grant never has two.
    fn record_ticket(&self, ticket: &FollowUpTicket) -> Result<()>;

    /// The ticket of a grant, if one was opened.
    fn ticket_for(&self, system: &str, grant: &str) -> Result<Option<FollowUpTicket>>;

    /// Records that the ticket of a grant was seen closed.
    fn close_ticket(&self, system: &str, grant: &str, at: DateTime<Utc>) -> Result<()>;

    /// Tickets of one system's grants or all, open ones only or all, oldest first.
    fn tickets(&self, system: Option<&str>, open_only: bool) -> Result<Vec<FollowUpTicket>>;
}
