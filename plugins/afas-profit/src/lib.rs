//! AFAS Profit source: employees and their employments from two REST GetConnectors (the
//! Tools4ever `T4E_HelloID_Users_v2` and `T4E_HelloID_Employments_v2` by default).
//!
//! The first `read` of a run reads both GetConnectors a page at a time, sorted so pages neither
//! repeat nor skip rows, and maps each page into persons as it arrives (Profit's rows are
//! several times larger than the persons made from them); later reads hand the persons out in
//! pages. Which employees and rows are current (three months back to three months ahead) is
//! the GetConnectors' fixed filter in Profit, as in the export the field ids come from. Any
//! failed call fails the read: a partial answer would look like employees who left.

mod api;
mod map;
mod settings;

use tessera_sdk::listing::Handout;
use tessera_sdk::types::{Person, SourceInfo, SourcePage};
use tessera_sdk::{ConnectorError, Source};

use crate::api::Api;
use crate::map::Persons;
use crate::settings::Settings;

/// Persons per page handed to the host.
const PAGE: usize = 5_000;

struct AfasProfit {
    settings: Settings,
    /// Persons mapped by the first read of this run, handed out a page at a time.
    out: Handout<Person>,
}

impl AfasProfit {
    fn api(&self) -> Api<'_> {
        Api {
            base_url: &self.settings.base_url,
            integration_id: self.settings.integration_id.as_deref(),
        }
    }
}

impl Source for AfasProfit {
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
            // Profit has no change query; every run reads the GetConnectors whole.
            feed: None,
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let users = &self.settings.users;
        let path = format!("connectors/{users}?skip=0&take=1&orderbyfieldids=Medewerker");
        self.api().rows(&path)?;
        Ok(format!("AFAS Profit answered GetConnector {users}"))
    }

    fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError> {
        let warnings = match cursor {
            None => {
                let (s, api) = (&self.settings, self.api());
                let mut built = Persons::default();
                api.each_page(&s.users, "Medewerker", s.page_size, |rows| {
                    rows.iter().for_each(|r| built.add_user(r))
                })?;
                let order = "ExternalID,Medewerker,Begindatum_functie";
                api.each_page(&s.employments, order, s.page_size, |rows| {
                    rows.iter().for_each(|r| built.add_employment(r))
                })?;
                let (persons, warnings) = built.finish();
                self.out.fill(persons);
                warnings
            }
            Some(_) => Vec::new(),
        };
        self.out.source_page(cursor.as_deref(), PAGE, warnings)
    }
}

tessera_sdk::export_source!(AfasProfit);
