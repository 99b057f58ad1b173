//! The source scenario.

use tessera_domain::{ConnectorError, Person, SourceConnector};

use crate::{MAX_PAGES, Outcome, broken, ended, ensure};

/// Every page of a read from the start.
async fn read_all(conn: &mut dyn SourceConnector, step: &'static str) -> Outcome<Vec<Person>> {
    let (mut persons, mut cursor) = (Vec::new(), None);
    for _ in 0..MAX_PAGES {
        let page = conn
            .read(cursor)
            .await
            .map_err(|e| broken(step, e.to_string()))?;
        persons.extend(page.persons);
        cursor = page.next_cursor;
        if cursor.is_none() {
            return Ok(persons);
        }
    }
    Err(broken(step, format!("more than {MAX_PAGES} pages")))
}

/// Ids that are empty or handed out twice, and persons whose contract ids repeat.
fn identity(persons: &[Person]) -> Outcome<Vec<&str>> {
    let mut ids: Vec<&str> = persons.iter().map(|p| p.id.as_str()).collect();
    ensure!(
        ids.iter().all(|id| !id.is_empty()),
        "read",
        "a person without an id"
    );
    ids.sort_unstable();
    let total = ids.len();
    ids.dedup();
    ensure!(
        ids.len() == total,
        "read",
        "{} persons handed out twice",
        total - ids.len()
    );
    for p in persons {
        let mut contracts: Vec<&str> = p.contracts.iter().map(|c| c.id.as_str()).collect();
        contracts.sort_unstable();
        contracts.dedup();
        let unique = contracts.len() == p.contracts.len();
        ensure!(unique, "read", "person {}: contract ids repeat", p.id);
    }
    Ok(ids)
}

/// The source contract: a read from the start ends, hands every person out once with a
/// non-empty id and contracts with ids of their own, and reads the same persons again; a
/// cursor the plugin did not make is refused as invalid; and a change feed, where there is
/// one, starts from a cursor for now and reports nothing while nothing changes. Answers the
/// persons of the first read.
pub async fn source(conn: &mut dyn SourceConnector) -> Outcome<Vec<Person>> {
    source_steps(conn).await.map(|(persons, _)| persons)
}

/// [`source`], answering the steps that passed too: `read`, `read again`, `foreign cursor`
/// and, where the source has a change feed, `feed`.
pub async fn source_steps(
    conn: &mut dyn SourceConnector,
) -> Outcome<(Vec<Person>, Vec<&'static str>)> {
    let mut ran = Vec::new();
    let run = source_run(conn, &mut ran).await;
    ended(run, ran)
}

async fn source_run(
    conn: &mut dyn SourceConnector,
    ran: &mut Vec<&'static str>,
) -> Outcome<Vec<Person>> {
    let persons = read_all(conn, "read").await?;
    let ids = identity(&persons)?;
    ran.push("read");
    let again = read_all(conn, "read again").await?;
    let mut again: Vec<&str> = again.iter().map(|p| p.id.as_str()).collect();
    again.sort_unstable();
    ensure!(
        again == ids,
        "read again",
        "{} persons, not the same {}",
        again.len(),
        ids.len()
    );
    ran.push("read again");
    let bogus = conn
        .read(Some("not a cursor of this plugin ∅".into()))
        .await;
    let refused = matches!(bogus, Err(ConnectorError::Invalid { .. }));
    ensure!(refused, "foreign cursor", "answered {bogus:?}, not invalid");
    ran.push("foreign cursor");
    let info = conn
        .describe()
        .await
        .map_err(|e| broken("describe", e.to_string()))?;
    if info.feed.is_some() {
        let start = conn
            .read_changes(None)
            .await
            .map_err(|e| broken("feed", e.to_string()))?;
        let empty = start.persons.is_empty() && start.removed.is_empty();
        ensure!(empty, "feed", "a new cursor carries changes");
        let quiet = conn
            .read_changes(Some(&start.cursor))
            .await
            .map_err(|e| broken("feed", e.to_string()))?;
        let empty = quiet.persons.is_empty() && quiet.removed.is_empty();
        ensure!(empty, "feed", "nothing changed, yet: {quiet:?}");
        ran.push("feed");
    }
    Ok(persons)
}
