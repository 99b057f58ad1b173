//! A source serving fixed persons in pages, with a change feed if asked for.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tessera_domain::{
    ConnectorError, FeedInfo, Person, SourceChanges, SourceConnector, SourceInfo, SourcePage,
};

use super::Meeting;
use super::feed::Snapshots;

/// Persons by id, as the feed compares them.
type Persons = BTreeMap<String, Person>;

/// A source serving fixed persons in pages.
#[derive(Debug, Clone)]
pub struct FakeSource {
    persons: Arc<Mutex<Vec<Person>>>,
    page_size: usize,
    /// Always hand out the same cursor.
    pub loop_cursor: bool,
    /// With a change feed: the persons as of each cursor handed out.
    feed: Option<Arc<Mutex<Snapshots<Persons>>>>,
    /// Where its next read (of a page or of changes) waits, when a test arms it.
    pub meeting: Meeting,
}

impl FakeSource {
    /// What it serves from now on, for this source and every clone of it.
    pub fn set(&self, persons: Vec<Person>) {
        *self.persons.lock().unwrap() = persons;
    }

    pub fn new(persons: Vec<Person>, page_size: usize) -> Self {
        Self {
            persons: Arc::new(Mutex::new(persons)),
            page_size,
            loop_cursor: false,
            feed: None,
            meeting: Meeting::default(),
        }
    }

    /// With a change feed that sees removals.
    pub fn with_feed(mut self) -> Self {
        self.feed = Some(Arc::default());
        self
    }

    /// Forgets every cursor its feed handed out.
    pub fn expire_cursors(&self) {
        if let Some(feed) = &self.feed {
            feed.lock().unwrap().expire();
        }
    }

    fn by_id(&self) -> Persons {
        let persons = self.persons.lock().unwrap();
        persons.iter().map(|p| (p.id.clone(), p.clone())).collect()
    }
}

#[async_trait]
impl SourceConnector for FakeSource {
    async fn describe(&mut self) -> Result<SourceInfo, ConnectorError> {
        Ok(SourceInfo {
            fields: vec![],
            feed: self.feed.as_ref().map(|_| FeedInfo {
                sees_deletes: true,
                partial_attributes: false,
            }),
        })
    }

    async fn read_changes(
        &mut self,
        cursor: Option<&[u8]>,
    ) -> Result<SourceChanges, ConnectorError> {
        self.meeting.attend().await;
        let Some(feed) = &self.feed else {
            return Err(ConnectorError::Unsupported("read-changes".into()));
        };
        let now = self.by_id();
        let mut feed = feed.lock().unwrap();
        let mut changes = SourceChanges::default();
        if let Some(cursor) = cursor {
            let then = feed.at(cursor)?;
            changes.persons = now
                .values()
                .filter(|p| then.get(&p.id) != Some(*p))
                .cloned()
                .collect();
            changes.removed = then
                .keys()
                .filter(|id| !now.contains_key(*id))
                .cloned()
                .collect();
        }
        changes.cursor = feed.take(&now);
        Ok(changes)
    }

    async fn test_connection(&mut self) -> Result<String, ConnectorError> {
        Ok("fake".into())
    }

    async fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError> {
        self.meeting.attend().await;
        let start: usize = cursor.as_deref().map_or(0, |c| c.parse().unwrap_or(0));
        let persons = self.persons.lock().unwrap();
        let end = (start + self.page_size).min(persons.len());
        let next = if self.loop_cursor {
            Some("0".into())
        } else {
            (end < persons.len()).then(|| end.to_string())
        };
        Ok(SourcePage {
            persons: persons[start.min(end)..end].to_vec(),
            warnings: vec![],
            next_cursor: next,
        })
    }
}
