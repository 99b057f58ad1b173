//! Tickets: follow-up work a grant asks of people, opened in a service-desk system (a TOPdesk
//! incident for the HiX training an entitlement needs first).

use serde::{Deserialize, Serialize};

/// What the engine asks a ticket system to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSpec {
    /// One line people read in the desk's queue; the system may shorten it to its limit.
    pub subject: String,
    /// The longer text: who, what and why.
    pub body: String,
    /// The person it is about (the source's id), for a desk that links a caller.
    pub person: Option<String>,
    /// The person's account in the ticket system, when Tessera keeps one there: the desk's
    /// caller.
    pub caller: Option<String>,
}

/// A ticket as the ticket system knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The system's stable reference, what `ticket_state` takes.
    pub key: String,
    /// The number people quote (`I 2612 001`); the key when the system has none.
    pub number: String,
    /// Whether the desk has finished it.
    pub closed: bool,
}
