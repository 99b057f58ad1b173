//! Elanza source: flexible workers planned in a window around now, each shift a contract.
//!
//! One run reads departments and skills once, plannedWorkers for `now − historical_days …
//! now + future_days`, and each product the contracts need once (Elanza has no product list).
//! The part before the detail window comes a week at a time and is only counted, so memory
//! holds one week of old shifts, not two months. The whole result is mapped on the first
//! `read` and handed out in pages.

mod api;
mod map;
mod model;
mod settings;

use std::collections::VecDeque;

use tessera_sdk::types::{Person, SourceInfo, SourcePage, Warning};
use tessera_sdk::{ConnectorError, Source};

use crate::api::{Api, parse, segment};
use crate::map::{Catalogue, Earlier, Products};
use crate::model::{Departments, PlannedWorkers, Product, Skills};
use crate::settings::Settings;

/// Persons per page: well under the host's 50,000, few enough crossings to stay cheap.
const PAGE: usize = 5_000;

struct Elanza {
    settings: Settings,
    /// Persons mapped by the first read of this run, not yet handed out.
    pending: VecDeque<Person>,
    /// How many were handed out; the cursor must match it.
    served: usize,
}

impl Source for Elanza {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            settings: Settings::from_config()?,
            pending: VecDeque::new(),
            served: 0,
        })
    }

    fn describe() -> SourceInfo {
        let fields = ["name", "email", "phone", "contracts"];
        SourceInfo {
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            feed: None,
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
                self.pending = persons.into();
                self.served = 0;
                warnings
            }
            Some(c) if c.parse() == Ok(self.served) && self.served > 0 => Vec::new(),
            Some(_) => {
                return Err(ConnectorError::invalid(
                    "cursor",
                    "not from this run; read again from the start",
                ));
            }
        };
        let n = PAGE.min(self.pending.len());
        let persons: Vec<Person> = self.pending.drain(..n).collect();
        self.served += n;
        Ok(SourcePage {
            persons,
            warnings,
            next_cursor: (!self.pending.is_empty()).then(|| self.served.to_string()),
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
        found.insert(uuid.to_owned(), product);
    }
    Ok((found, warnings))
}

tessera_sdk::export_source!(Elanza);
