//! Visma Raet Youforce source (HR Core Beaufort) through the IAM API.
//!
//! A run reads the lists it needs (persons, employments, optionally assignments, organisation
//! units, job profiles), one list a call so no call runs long under the spike arrest's
//! spacing, then maps them and hands the persons out in pages. Any failed call fails the read:
//! a partial answer would look like employees who left. Youforce has a changed-records
//! filter, but deletions only show as `isDeleted` tombstones for 90 days, so every run reads
//! in full and lets the engine find who is gone.

mod api;
mod map;

use std::time::Duration;

use tessera_sdk::listing::Handout;
use tessera_sdk::types::{Person, SourceInfo, SourcePage};
use tessera_sdk::{ConnectorError, Source, config};

use crate::api::Api;
use crate::map::Lists;

/// Persons per page handed to the host.
const PAGE: usize = 5_000;
/// The lists in reading order; the cursor `load <i>` reads list `i`.
const LISTS: &[&str] = &[
    "organizationUnits",
    "jobProfiles",
    "persons",
    "employments",
    "assignments",
];

struct Youforce {
    api: Api,
    assignments: bool,
    lists: Lists,
    out: Handout<Person>,
}

impl Youforce {
    /// Reads list `i` into `self.lists`.
    fn load(&mut self, i: usize) -> Result<(), ConnectorError> {
        let name = LISTS[i];
        if name == "assignments" && !self.assignments {
            return Ok(());
        }
        let records = self.api.all(name)?;
        let l = &mut self.lists;
        *match name {
            "organizationUnits" => &mut l.units,
            "jobProfiles" => &mut l.jobs,
            "persons" => &mut l.persons,
            "employments" => &mut l.employments,
            _ => &mut l.assignments,
        } = records;
        Ok(())
    }
}

impl Source for Youforce {
    fn new() -> Result<Self, ConnectorError> {
        let base = config::http_url("base_url")?;
        let take = config::integer_in("take", 1..=1000, Some(500))?;
        let interval: u64 = config::integer_in("min_interval_ms", 0..=5000, Some(600))?;
        Ok(Self {
            api: Api::new(base, take, Duration::from_millis(interval)),
            assignments: config::boolean("include_assignments")?,
            lists: Lists::default(),
            out: Handout::default(),
        })
    }

    fn describe() -> SourceInfo {
        SourceInfo {
            fields: ["name", "email", "phone", "contracts"]
                .map(String::from)
                .to_vec(),
            feed: None,
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let units = self.api.all("organizationUnits")?.len();
        Ok(format!("Youforce answered: {units} organisation units"))
    }

    /// `None` and `load <i>` read a list and hand out nothing yet; after the last list the
    /// persons are mapped and handed out, the cursor then counting what went.
    fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError> {
        let loading = match cursor.as_deref() {
            None => Some(0),
            Some(c) => match c.strip_prefix("load ") {
                Some(i) => Some(
                    i.parse::<usize>()
                        .ok()
                        .filter(|i| *i < LISTS.len())
                        .ok_or_else(|| bad_cursor(c))?,
                ),
                None => None,
            },
        };
        let Some(i) = loading else {
            return self.out.source_page(cursor.as_deref(), PAGE, Vec::new());
        };
        self.load(i)?;
        if i + 1 < LISTS.len() {
            return Ok(SourcePage {
                next_cursor: Some(format!("load {}", i + 1)),
                ..SourcePage::default()
            });
        }
        let (persons, warnings) = map::persons(&std::mem::take(&mut self.lists), self.assignments);
        self.out.fill(persons);
        let (persons, next_cursor) = self.out.next(None, PAGE)?;
        Ok(SourcePage {
            persons,
            warnings,
            next_cursor,
        })
    }
}

fn bad_cursor(c: &str) -> ConnectorError {
    ConnectorError::invalid("cursor", format!("`{c}` is not this plugin's cursor"))
}

tessera_sdk::export_source!(Youforce);
