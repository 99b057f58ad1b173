//! A source's change feed: the persons that changed since the stored cursor, compared and
//! committed like a full read's records, with the cursor in the same unit of writes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tessera_domain::{ConnectorError, Cursor, Person, SourceChanges, SourceConnector};
use tessera_store::Store;

use super::{
    Batch, Fresh, ImportOptions, ImportReport, Known, SourceRead, SourceSettings, add_records,
    commit,
};
use crate::error::{Error, Result};
use crate::paging::MAX_PAGES;

/// The feed a source's cursor is stored under.
pub const PERSONS: &str = "persons";

/// How reading a source's feed went.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceFeedRead {
    /// The changes were imported (or a threshold held them back).
    Changes(ImportReport),
    /// There is no feed to read: the source has none, or it was never started.
    NoFeed,
    /// The cursor is dead; the source must be read in full, which starts a new feed.
    Reset(String),
}

/// Starts a source's feed after a full read: a cursor for now, or `None` without a feed.
pub async fn start_feed(name: &str, source: &mut dyn SourceConnector) -> Result<Option<Cursor>> {
    match source.read_changes(None).await {
        Ok(changes) => Ok(Some(changes.cursor)),
        Err(ConnectorError::Unsupported(_)) => Ok(None),
        Err(e) => Err(connector(name, e)),
    }
}

/// Imports what changed in a source since its stored cursor.
pub async fn import_changes(
    store: &dyn Store,
    source: &mut dyn SourceConnector,
    name: &str,
    settings: &SourceSettings,
    options: ImportOptions,
    now: DateTime<Utc>,
) -> Result<SourceFeedRead> {
    let Some(cursor) = store.cursor(name, PERSONS)? else {
        return Ok(SourceFeedRead::NoFeed);
    };
    let changes = match read_all(source, name, cursor).await? {
        Ok(changes) => changes,
        Err(why) => return Ok(SourceFeedRead::Reset(why)),
    };
    let (mut fresh, mut own) = (Fresh::new(), Vec::new());
    // A feed's records are all written: none is known to be the same.
    let into = (&mut fresh, &mut own);
    add_records(name, settings, changes.persons, into, &Known::new())?;
    let mut warnings = changes.warnings;
    warnings.append(&mut own);
    let mut previous = Vec::new();
    for id in fresh.keys().chain(&changes.removed) {
        previous.extend(store.source_digest(name, id)?);
    }
    let batch = Batch {
        read: SourceRead {
            source: name.to_owned(),
            fresh,
            warnings,
            previous: Vec::new(),
        },
        previous,
        base: store.source_count(name)?,
        full: false,
        cursor: Some(changes.cursor),
    };
    let report = commit(store, batch, settings, options, now)?;
    Ok(SourceFeedRead::Changes(report))
}

/// Every page of changes, joined; `Err(why)` when the cursor is dead.
async fn read_all(
    source: &mut dyn SourceConnector,
    name: &str,
    mut cursor: Cursor,
) -> Result<std::result::Result<SourceChanges, String>> {
    // The last word on each person counts: changed, then removed, is removed.
    let mut last: BTreeMap<String, Option<Person>> = BTreeMap::new();
    let mut all = SourceChanges::default();
    for _ in 0..MAX_PAGES {
        let page = match source.read_changes(Some(&cursor)).await {
            Ok(page) => page,
            Err(ConnectorError::CursorInvalid(why)) => return Ok(Err(why)),
            Err(e) => return Err(connector(name, e)),
        };
        for p in page.persons {
            last.insert(p.id.clone(), Some(p));
        }
        for id in page.removed {
            last.insert(id, None);
        }
        all.warnings.extend(page.warnings);
        let stuck = page.cursor == cursor;
        all.cursor = page.cursor.clone();
        if !page.more {
            for (id, person) in last {
                match person {
                    Some(p) => all.persons.push(p),
                    None => all.removed.push(id),
                }
            }
            return Ok(Ok(all));
        }
        if stuck {
            break;
        }
        cursor = page.cursor;
    }
    Err(Error::Paging {
        system: name.to_owned(),
        what: "changes",
        pages: MAX_PAGES,
    })
}

fn connector(name: &str, source: ConnectorError) -> Error {
    Error::Connector {
        system: name.to_owned(),
        operation: "read-changes",
        source,
    }
}
