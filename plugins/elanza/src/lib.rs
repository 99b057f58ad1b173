//! Elanza source: flexible workers planned in a window around now, each shift a contract.
//!
//! One run reads departments and skills once, plannedWorkers for `now − historical_days …
//! now + future_days`, and each product the contracts need once (Elanza has no product list).
//! The part before the detail window comes a week at a time and is only counted, so memory
//! holds one week of old shifts, not two months. The whole result is mapped on the first
//! `read` and handed out in pages.

mod api;
mod digest;
mod map;
#[cfg(test)]
#[path = "map/tests.rs"]
mod map_tests;
mod model;
mod settings;

use tessera_sdk::listing::Handout;
use tessera_sdk::types::{FeedInfo, Person, SourceChanges, SourceInfo, SourcePage, Warning};
use tessera_sdk::{ConnectorError, Source};

use crate::api::{Api, parse, segment};
use crate::digest::Digests;
use crate::map::{Catalogue, Earlier, Products};
use crate::model::{Departments, PlannedWorkers, Product, Skills};
use crate::settings::Settings;

/// Persons per page: well under the host's 50,000, few enough crossings to stay cheap.
const PAGE: usize = 5_000;

struct Elanza {
    settings: Settings,
    /// Persons mapped by the first read of this run, handed out a page at a time.
    out: Handout<Person>,
    /// The digests of this run's full read, for the feed it starts.
    read_digests: Option<Digests>,
}

impl Source for Elanza {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            settings: Settings::from_config()?,
            out: Handout::default(),
            read_digests: None,
        })
    }

    fn describe() -> SourceInfo {
        let fields = ["name", "email", "phone", "contracts"];
        SourceInfo {
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            // A digest per worker in the plugin state (see `digest`).
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
        let warnings = match cursor {
            None => {
                let (persons, warnings) = self.fetch()?;
                self.read_digests = Some(Digests::of(&persons, 0));
                self.out.fill(persons);
                warnings
            }
            Some(_) => Vec::new(),
        };
        self.out.source_page(cursor.as_deref(), PAGE, warnings)
    }

    /// The workers whose mapped record changed since `cursor`, by the digests in the state.
    fn read_changes(&mut self, cursor: Option<Vec<u8>>) -> Result<SourceChanges, ConnectorError> {
        let stored = Digests::load()?;
        let next = stored.as_ref().map_or(1, |d| d.generation + 1);
        let Some(cursor) = cursor else {
            // A new feed starts from this run's full read, or from a read of its own.
            let digests = match self.read_digests.take() {
                Some(read) => read,
                None => Digests::of(&self.fetch()?.0, 0),
            };
            let digests = Digests {
                generation: next,
                ..digests
            };
            digests.save()?;
            return Ok(SourceChanges {
                cursor: digests.cursor(),
                ..SourceChanges::default()
            });
        };
        let generation = Digests::generation_of(&cursor)?;
        let stored = stored
            .filter(|d| d.generation == generation)
            .ok_or_else(|| {
                ConnectorError::CursorInvalid(format!(
                    "the plugin state holds no digests of generation {generation}"
                ))
            })?;
        let (persons, warnings) = self.fetch()?;
        let now = Digests::of(&persons, next);
        let delta = stored.delta(persons, &now);
        now.save()?;
        Ok(SourceChanges {
            persons: delta.changed,
            removed: delta.removed,
            warnings,
            cursor: now.cursor(),
            more: false,
        })
    }
}

impl Elanza {
    /// Everything for one run. Any failure fails the whole read: a partial answer would look
    /// like workers who lost their shifts.
    fn fetch(&self) -> Result<(Vec<Person>, Vec<Warning>), ConnectorError> {
        let api = Api::new(&self.settings.base_url);
        let window = self.settings.window()?;
        let departments_body = api.get("departments")?;
        let departments: Departments<'_> = parse("departments", &departments_body)?;
        let skills_body = api.get("skills")?;
        let skills: Skills<'_> = parse("skills", &skills_body)?;
        let mut warnings = Vec::new();
        let mut earlier = Earlier::default();
        for slice in window.slices() {
            let body = api.get(&format!("plannedWorkers?{}", map::query(slice.0, slice.1)))?;
            let planned: PlannedWorkers<'_> = parse("plannedWorkers", &body)?;
            earlier.add(&planned, slice, &mut warnings);
        }
        let planned_body = api.get(&format!("plannedWorkers?{}", window.detail_query()))?;
        let planned: PlannedWorkers<'_> = parse("plannedWorkers", &planned_body)?;
        let (products, more) = products(&api, &planned, &window)?;
        warnings.extend(more);
        let catalogue = Catalogue::new(&departments.departments, &skills.skills, products);
        let (persons, more) = map::persons_with(&planned, &catalogue, &window, earlier);
        warnings.extend(more);
        Ok((persons, warnings))
    }
}

/// Each product once. A product that is gone (404) leaves its shifts without a title.
fn products(
    api: &Api,
    planned: &PlannedWorkers<'_>,
    window: &map::Window,
) -> Result<(Products, Vec<Warning>), ConnectorError> {
    let mut found = Products::new();
    let mut warnings = Vec::new();
    for uuid in map::products_needed(planned, window) {
        let product = match api.get_optional(&format!("product/{}", segment(uuid)))? {
            Some(body) => Some(parse::<Product>("product", &body)?),
            None => {
                warnings.push(Warning {
                    subject: Some(uuid.to_owned()),
                    message: "product not found (404); its shifts have no title".into(),
                });
                None
            }
        };
        found.insert(uuid.to_ascii_lowercase(), product);
    }
    Ok((found, warnings))
}

tessera_sdk::export_source!(Elanza);
