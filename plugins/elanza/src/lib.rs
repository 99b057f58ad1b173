//! Elanza source: flexible workers planned in a window around now, each shift a contract.
//!
//! One run reads departments and skills once, plannedWorkers for `now − historical_days …
//! now + future_days`, and each product the contracts need once (Elanza has no product list).
//! The part before the detail window comes a week at a time and is only counted, so memory
//! holds one week of old shifts, not two months. The whole result is mapped on the first
//! `read` and handed out in pages.

mod api;
mod map;
#[cfg(test)]
#[path = "map/tests.rs"]
mod map_tests;
mod model;
mod settings;

use tessera_sdk::digest_feed::{DigestFeed, Each};
use tessera_sdk::listing::Handout;
use tessera_sdk::types::{FeedInfo, Person, SourceChanges, SourceInfo, SourcePage, Warning};
use tessera_sdk::{ConnectorError, Source};

use crate::api::{Api, parse, segment};
use crate::map::{Catalogue, Earlier, Products};
use crate::model::{Departments, PlannedWorkers, Product, Skills, SliceWorkers};
use crate::settings::Settings;

/// Persons per page: well under the host's 50,000, few enough crossings to stay cheap.
const PAGE: usize = 5_000;

struct Elanza {
    settings: Settings,
    /// Persons mapped by the first read of this run, handed out a page at a time.
    out: Handout<Person>,
    /// Its change feed: digests of the workers handed out, kept in the plugin state.
    feed: DigestFeed,
}

impl Source for Elanza {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            settings: Settings::from_config()?,
            out: Handout::default(),
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
        let warnings = match cursor {
            None => {
                let mut persons = Vec::new();
                let warnings = fetch(&self.settings, &mut |p| persons.push(p))?;
                self.feed.after_read(&persons);
                self.out.fill(persons);
                warnings
            }
            Some(_) => Vec::new(),
        };
        self.out.source_page(cursor.as_deref(), PAGE, warnings)
    }

    /// The workers whose mapped record changed since `cursor`, by the digests in the state.
    fn read_changes(&mut self, cursor: Option<Vec<u8>>) -> Result<SourceChanges, ConnectorError> {
        let settings = &self.settings;
        self.feed
            .read_changes(cursor, &mut |each| fetch(settings, each))
    }
}

/// Every person of one run, each handed to `each` as it is mapped. Any failure fails the
/// whole read: a partial answer would look like workers who lost their shifts.
fn fetch(settings: &Settings, each: Each<'_>) -> Result<Vec<Warning>, ConnectorError> {
    let api = Api::new(&settings.base_url);
    let window = settings.window()?;
    let departments_body = api.get("departments")?;
    let departments: Departments<'_> = parse("departments", &departments_body)?;
    let skills_body = api.get("skills")?;
    let skills: Skills<'_> = parse("skills", &skills_body)?;
    let mut warnings = Vec::new();
    let mut earlier = Earlier::default();
    for slice in window.slices() {
        let body = api.get(&format!("plannedWorkers?{}", map::query(slice.0, slice.1)))?;
        let planned: SliceWorkers<'_> = parse("plannedWorkers", &body)?;
        earlier.add(&planned, slice, &mut warnings);
    }
    let planned_body = api.get(&format!("plannedWorkers?{}", window.detail_query()))?;
    let planned: PlannedWorkers<'_> = parse("plannedWorkers", &planned_body)?;
    let (products, more) = products(&api, &planned, &window)?;
    warnings.extend(more);
    let catalogue = Catalogue::new(&departments.departments, &skills.skills, products);
    let more = map::persons_each(&planned, &catalogue, &window, earlier, each);
    warnings.extend(more);
    Ok(warnings)
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
