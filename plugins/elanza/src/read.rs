//! One run's read of Elanza: the answers fetched and parsed once, then mapped to persons either
//! all in one go (a change feed hands each to its sieve) or a page at a time (a full read).
//!
//! The detail window comes a week at a time into a compact [`Detail`]; a full read maps only
//! the workers each page needs. Holding every mapped person until the host had asked for them
//! all, or the whole detail answer with its parse, cost a hospital's 30,000 workers some 100
//! MB of plugin memory each, which a WebAssembly instance never gives back.

use tessera_sdk::ConnectorError;
use tessera_sdk::digest_feed::Each;
use tessera_sdk::listing::Handout;
use tessera_sdk::types::{Person, SourcePage, Warning};

use crate::api::{Api, parse, segment};
use crate::history::{self, Kept};
use crate::map::{self, Catalogue, Detail, Earlier, Mapper, Products};
use crate::model::{Departments, PlannedWorkers, Product, Skills};
use crate::settings::Settings;

/// Everything one run fetched, ready to map.
pub struct Fetched {
    detail: Detail,
    catalogue: Catalogue,
    /// The workers of the slices before the detail window, with their shift counts.
    earlier: Earlier,
    /// What fetching found: old shifts without a start, products gone.
    warnings: Vec<Warning>,
    /// The memory of the slices before the detail window, to put back once the run's digests
    /// are written.
    kept: Kept,
}

impl Fetched {
    /// Departments, skills, the slices before the detail window (only counted), those of the
    /// detail window and the products its shifts name. Any failure fails the whole read: a partial
    /// answer would look like workers who lost their shifts.
    pub fn fetch(settings: &Settings, kept: Kept) -> Result<Self, ConnectorError> {
        let api = Api::new(&settings.base_url);
        let window = settings.window()?;
        let departments_body = api.get("departments")?;
        let departments: Departments<'_> = parse("departments", &departments_body)?;
        let skills_body = api.get("skills")?;
        let skills: Skills<'_> = parse("skills", &skills_body)?;
        let mut warnings = Vec::new();
        let (earlier, kept) = history::earlier(&api, &window, kept, &mut warnings)?;
        let mut detail = Detail::default();
        for (slice, query) in window.detail_slices() {
            let body = api.get(&format!("plannedWorkers?{query}"))?;
            let planned: PlannedWorkers<'_> = parse("plannedWorkers", &body)?;
            detail.add(&planned, slice);
        }
        let products = products(&api, &detail, &mut warnings)?;
        Ok(Self {
            detail,
            catalogue: Catalogue::new(&departments.departments, &skills.skills, products),
            earlier,
            warnings,
            kept,
        })
    }

    /// Maps every person to `each`; returns the read's warnings and the memory to keep.
    pub fn map_all(self, each: Each<'_>) -> (Vec<Warning>, Kept) {
        let Self {
            detail,
            catalogue,
            earlier,
            mut warnings,
            kept,
        } = self;
        warnings.extend(map::persons_each(&detail, &catalogue, earlier, each));
        (warnings, kept)
    }
}

/// Each product once. A product that is gone (404) leaves its shifts without a title.
fn products(
    api: &Api,
    detail: &Detail,
    warnings: &mut Vec<Warning>,
) -> Result<Products, ConnectorError> {
    let mut found = Products::new();
    for uuid in detail.products_needed() {
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
    Ok(found)
}

/// A full read handed out page by page, mapped as the pages are asked for.
pub struct Paged {
    detail: Detail,
    catalogue: Catalogue,
    mapper: Mapper,
    /// The fetch's warnings and those of the workers only the earlier slices had, not handed
    /// out yet.
    warnings: Vec<Warning>,
    /// Workers of the detail answer mapped so far.
    next: usize,
    /// Whether the workers only the earlier slices had are mapped too.
    done: bool,
    /// The persons mapped and not handed out yet, and the cursor.
    out: Handout<Person>,
    /// The memory of the slices before the detail window, until the last page is out.
    kept: Kept,
}

impl Paged {
    pub fn new(fetched: Fetched) -> Self {
        Self {
            detail: fetched.detail,
            catalogue: fetched.catalogue,
            mapper: Mapper::new(fetched.earlier),
            warnings: fetched.warnings,
            next: 0,
            done: false,
            out: Handout::default(),
            kept: fetched.kept,
        }
    }

    /// The memory to put back, after the last page.
    pub fn kept(&mut self) -> Kept {
        std::mem::take(&mut self.kept)
    }

    /// Whether `cursor` asks for the page that follows the last one handed out.
    pub fn continues(&self, cursor: Option<&str>) -> bool {
        self.out.continues(cursor)
    }

    /// The page at `cursor` of at most `size` persons, with the warnings found while mapping
    /// it (the fetch's own with the first page).
    pub fn page(
        &mut self,
        cursor: Option<&str>,
        size: usize,
    ) -> Result<SourcePage, ConnectorError> {
        // More than a page ahead, so the handout runs empty only after the last worker.
        while self.out.pending() <= size && !self.done {
            self.map_step();
        }
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.extend(self.mapper.take_warnings());
        self.out.source_page(cursor, size, warnings)
    }

    /// Maps the next step of workers of the detail window (a step maps one person per worker
    /// and is small, so a page overshoots by little), or, after the last of them, those only
    /// the earlier slices had.
    fn map_step(&mut self) {
        let out = &mut self.out;
        let mut keep = |p| out.push(p);
        if self.next < self.detail.len() {
            let (detail, catalogue) = (&self.detail, &self.catalogue);
            self.next = self.mapper.step(detail, self.next, catalogue, &mut keep);
            return;
        }
        let more = self.mapper.finish(&mut keep);
        self.warnings.extend(more);
        self.done = true;
    }
}
