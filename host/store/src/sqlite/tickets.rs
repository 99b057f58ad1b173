//! Follow-up tickets in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use crate::error::{Result, SqlContext};
use crate::tickets::{FollowUpTicket, Tickets};
use crate::{fmt_time, parse_time};

const COLUMNS: &str = "system, grant_key, person, ticket_system, ticket, number, subject, hold, \
                       opened_at, closed_at";

fn ticket_from_row(row: &Row<'_>) -> rusqlite::Result<FollowUpTicket> {
    Ok(FollowUpTicket {
        system: row.get(0)?,
        grant: row.get(1)?,
        person: row.get(2)?,
        ticket_system: row.get(3)?,
        ticket: row.get(4)?,
        number: row.get(5)?,
        subject: row.get(6)?,
        hold: row.get(7)?,
        opened_at: parse_time(&row.get::<_, String>(8)?)?,
        closed_at: row
            .get::<_, Option<String>>(9)?
            .map(|t| parse_time(&t))
            .transpose()?,
    })
}

impl Tickets for SqliteStore {
    fn record_ticket(&self, t: &FollowUpTicket) -> Result<()> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO follow_up_tickets ({COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    t.system,
                    t.grant,
                    t.person,
                    t.ticket_system,
                    t.ticket,
                    t.number,
                    t.subject,
                    t.hold,
                    fmt_time(t.opened_at),
                    t.closed_at.map(fmt_time),
                ],
            )
            .ctx("recording a follow-up ticket")?;
        Ok(())
    }

    fn ticket_for(&self, system: &str, grant: &str) -> Result<Option<FollowUpTicket>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM follow_up_tickets WHERE system = ?1 AND grant_key = ?2"
            ))
            .ctx("reading a follow-up ticket")?
            .query_row(params![system, grant], ticket_from_row)
            .optional()
            .ctx("reading a follow-up ticket")
    }

    fn close_ticket(&self, system: &str, grant: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE follow_up_tickets SET closed_at = ?3 \
                 WHERE system = ?1 AND grant_key = ?2 AND closed_at IS NULL",
                params![system, grant, fmt_time(at)],
            )
            .ctx("closing a follow-up ticket")?;
        Ok(())
    }

    fn tickets(&self, system: Option<&str>, open_only: bool) -> Result<Vec<FollowUpTicket>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM follow_up_tickets WHERE (?1 IS NULL OR system = ?1) \
                 AND (?2 = 0 OR closed_at IS NULL) ORDER BY opened_at, rowid"
            ))
            .ctx("reading follow-up tickets")?;
        let rows = stmt.query_map(params![system, open_only], ticket_from_row);
        rows.ctx("reading follow-up tickets")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading follow-up tickets")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn ticket(grant: &str) -> FollowUpTicket {
        FollowUpTicket {
            system: "hix".into(),
            grant: grant.into(),
            person: Some("P1".into()),
            ticket_system: "topdesk".into(),
            ticket: "a1b2".into(),
            number: "I 2612 001".into(),
            subject: "HiX training for Anna de Vries: IC".into(),
            hold: true,
            opened_at: Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
            closed_at: None,
        }
    }

    #[test]
    fn a_grant_has_one_ticket_which_closes_once() {
        let store = SqliteStore::open_in_memory().unwrap();
        let grant = "grant:P1:login-group/IC";
        store.record_ticket(&ticket(grant)).unwrap();
        assert!(
            store.record_ticket(&ticket(grant)).is_err(),
            "a second ticket for the same grant"
        );
        assert_eq!(store.ticket_for("hix", grant).unwrap(), Some(ticket(grant)));
        assert_eq!(store.ticket_for("ad", grant).unwrap(), None);
        assert_eq!(store.tickets(None, true).unwrap().len(), 1);

        let first = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        store.close_ticket("hix", grant, first).unwrap();
        store
            .close_ticket("hix", grant, first + chrono::Duration::days(1))
            .unwrap();
        let closed = store.ticket_for("hix", grant).unwrap().unwrap();
        assert_eq!(closed.closed_at, Some(first), "the first close is kept");
        assert!(store.tickets(Some("hix"), true).unwrap().is_empty());
        assert_eq!(store.tickets(Some("hix"), false).unwrap(), vec![closed]);
    }
}
