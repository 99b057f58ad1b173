//! Elanza source: flexible workers planned in a window around now, each shift a contract.
//!
//! One run reads departments and skills once, plannedWorkers for `now − historical_days …
//! now + future_days`, and each product the contracts need once (Elanza has no product list).
//! The part before the detail window comes a week at a time and is only counted, so memory
//! holds one week of old shifts, not two months; a week that answers as last time is not
//! parsed again but recalled from the plugin state (`history.rs`). The detail window comes a
//! week at a time too, each week's shifts kept compact (`map/detail.rs`) on the first `read`,
//! and is mapped a page at a time as the host asks (`read.rs`).

mod api;
mod history;
mod map;
#[cfg(test)]
#[path = "map/tests.rs"]
mod map_tests;
mod model;
mod read;
mod settings;

use tessera_sdk::digest_feed::DigestFeed;
use tessera_sdk::types::{FeedInfo, SourceChanges, SourceInfo, SourcePage};
use tessera_sdk::{ConnectorError, Source};

use crate::api::{Api, parse};
use crate::model::Departments;
use crate::read::{Fetched, Paged};
use crate::settings::Settings;

/// Persons per page: few enough crossings to stay cheap (15 for a hospital's 30,000), small
/// enough that a page in the plugin and its copy on the host stay small beside the rest of the
/// read (5,000 a page cost a hospital's read 40 MiB more at its peak).
const PAGE: usize = 2_000;

struct Elanza {
    settings: Settings,
    /// The full read under way, mapped a page at a time as the host asks.
    out: Option<Paged>,
    /// Its change feed: digests of the workers handed out, kept in the plugin state.
    feed: DigestFeed,
}

impl Source for Elanza {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            settings: Settings::from_config()?,
            out: None,
            feed: DigestFeed::default(),
        })
    }

    fn describe() -> SourceInfo {
        let fields = ["name", "email", "phone", "contracts"];
        SourceInfo {
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            // A digest per worker in the plugin state (the SDK's `digest_feed`).
            feed: Some(FeedInfo {
                sees_deletes: true,
                partial_attributes: false,
            }),
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let body = Api::new(&self.settings.base_url).get("departments")?;
        let departments: Departments<'_> = parse("departments", &body)?;
        Ok(format!(
            "Elanza answered with {} departments",
            departments.departments.len()
        ))
    }

    fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError> {
        if cursor.is_none() {
            // A new run: whatever an earlier one left goes before this one fetches.
            self.out = None;
            self.feed.begin_read();
            // A full read (the engine's full reconciliation) always asks for every week.
            let kept = history::take_out(None);
            self.out = Some(Paged::new(Fetched::fetch(&self.settings, kept)?));
        }
        let paged = self
            .out
            .as_mut()
            .filter(|p| p.continues(cursor.as_deref()))
            .ok_or_else(|| {
                ConnectorError::invalid("cursor", "not from this run; read again from the start")
            })?;
        let page = paged.page(cursor.as_deref(), PAGE)?;
        let last = page.next_cursor.is_none();
        self.feed.note_page(&page.persons, last);
        if last {
            // A full read writes no digests; `read_changes` takes the memory out again first.
            paged.kept().put_back();
            self.out = None;
        }
        Ok(page)
    }

    /// The workers whose mapped record changed since `cursor`, by the digests in the state.
    /// The memory of the weeks before the detail window is out of the state while the digests
    /// are written, so it never takes their room (history.rs).
    fn read_changes(&mut self, cursor: Option<Vec<u8>>) -> Result<SourceChanges, ConnectorError> {
        let settings = &self.settings;
        let mut out = Some(history::take_out(Some(settings.history_recheck)));
        let mut back = None;
        let changes = self.feed.read_changes(cursor, &mut |each| {
            let fetched = Fetched::fetch(settings, out.take().unwrap_or_default())?;
            let (warnings, kept) = fetched.map_all(each);
            back = Some(kept);
            Ok(warnings)
        });
        if let Some(kept) = back.or(out) {
            kept.put_back();
        }
        changes
    }
}

tessera_sdk::export_source!(Elanza);
