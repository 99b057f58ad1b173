//! Flat-file source: persons and their employments from two CSV files, as hospitals export
//! them from SAP HR or Beaufort, in the one directory the operator grants the system
//! (`grants.files`, read-only, WIT 0.2.1).
//!
//! Every run reads both files whole on its first `read` and hands the persons out in pages.
//! A file that is missing, unreadable, not in its configured encoding, or without a required
//! column fails the read: a partial file would look like people who left. Odd rows are
//! warnings naming file and line.

mod map;
mod settings;
mod table;

use tessera_sdk::host::files;
use tessera_sdk::listing::Handout;
use tessera_sdk::types::{Person, SourceInfo, SourcePage, Warning};
use tessera_sdk::{ConnectorError, Source};

use crate::settings::Settings;
use crate::table::Table;

/// Persons per page handed to the host.
const PAGE: usize = 5_000;

struct Flatfile {
    settings: Settings,
    /// Persons mapped by the first read of this run, handed out a page at a time.
    out: Handout<Person>,
}

impl Flatfile {
    fn table(&self, file: &str, warnings: &mut Vec<Warning>) -> Result<Table, ConnectorError> {
        let s = &self.settings;
        let bytes = files::read(file)?;
        let text = table::decode(file, &bytes, s.encoding)?;
        table::parse(file, &text, s.delimiter, warnings)
    }

    fn read_all(&mut self) -> Result<Vec<Warning>, ConnectorError> {
        let mut warnings = Vec::new();
        let people = self.table(&self.settings.persons_file, &mut warnings)?;
        let contracts = self.table(&self.settings.contracts_file, &mut warnings)?;
        let persons = map::persons(&people, &contracts, &self.settings, &mut warnings)?;
        self.out.fill(persons);
        Ok(warnings)
    }
}

impl Source for Flatfile {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            settings: Settings::from_config()?,
            out: Handout::default(),
        })
    }

    fn describe() -> SourceInfo {
        let fields = ["name", "email", "phone", "contracts"];
        SourceInfo {
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            // A file has no change query; every run reads it whole, which is cheap.
            feed: None,
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let listed = files::list_dir("")?;
        let mut found = Vec::new();
        let s = &self.settings;
        for (key, wanted) in [
            ("persons_file", &s.persons_file),
            ("contracts_file", &s.contracts_file),
        ] {
            let Some(file) = listed.iter().find(|f| &f.name == wanted) else {
                return Err(ConnectorError::invalid(
                    key,
                    format!("the granted directory has no file `{wanted}`"),
                ));
            };
            found.push(format!("{} ({} bytes)", file.name, file.size));
        }
        Ok(format!("found {}", found.join(" and ")))
    }

    fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError> {
        let warnings = match cursor {
            None => self.read_all()?,
            Some(_) => Vec::new(),
        };
        self.out.source_page(cursor.as_deref(), PAGE, warnings)
    }
}

tessera_sdk::export_source!(Flatfile);

#[cfg(test)]
mod tests;
