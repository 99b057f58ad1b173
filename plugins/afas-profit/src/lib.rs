//! AFAS Profit source: employees and their employments from two REST GetConnectors (the
//! Tools4ever `T4E_HelloID_Users_v2` and `T4E_HelloID_Employments_v2` by default).
//!
//! The first `read` of a run reads both GetConnectors a page at a time, sorted so pages neither
//! repeat nor skip rows, and maps each page into persons as it arrives (Profit's rows are
//! several times larger than the persons made from them); later reads hand the persons out in
//! pages. Which employees and rows are current (three months back to three months ahead) is
//! the GetConnectors' fixed filter in Profit, as in the export the field ids come from. Any
//! failed call fails the read: a partial answer would look like employees who left.
//!
//! Profit has no change query, so the change feed is the SDK's digest feed: every feed read
//! reads the GetConnectors whole and hands the host only the employees whose mapped record
//! changed, and the ids that are gone. It needs `grants.state`; without it the engine reads
//! in full every run.

mod api;
mod map;
mod settings;

use tessera_sdk::digest_feed::DigestFeed;
use tessera_sdk::listing::Handout;
use tessera_sdk::types::{FeedInfo, Person, SourceChanges, SourceInfo, SourcePage, Warning};
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
    /// Its change feed: digests of the employees handed out, kept in the plugin state.
    feed: DigestFeed,
}

/// The API as `settings` configure it.
fn api(settings: &Settings) -> Api<'_> {
    Api {
        base_url: &settings.base_url,
        integration_id: settings.integration_id.as_deref(),
    }
}

impl Source for AfasProfit {
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
            // Profit has no change query: the GetConnectors are read whole, and a digest per
            // employee in the plugin state (the SDK's `digest_feed`) sends only the changes.
            feed: Some(FeedInfo {
                sees_deletes: true,
                partial_attributes: false,
            }),
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let users = &self.settings.users;
        let path = format!("connectors/{users}?skip=0&take=1&orderbyfieldids=Medewerker");
        api(&self.settings).rows(&path)?;
        Ok(format!("AFAS Profit answered GetConnector {users}"))
    }

    fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError> {
        let warnings = match cursor {
            None => {
                let (persons, warnings) = fetch(&self.settings)?;
                self.feed.after_read(&persons);
                self.out.fill(persons);
                warnings
            }
            Some(_) => Vec::new(),
        };
        self.out.source_page(cursor.as_deref(), PAGE, warnings)
    }

    /// The employees whose mapped record changed since `cursor`, by the digests in the state.
    fn read_changes(&mut self, cursor: Option<Vec<u8>>) -> Result<SourceChanges, ConnectorError> {
        let settings = &self.settings;
        self.feed.read_changes(cursor, &mut |each| {
            let (persons, warnings) = fetch(settings)?;
            persons.into_iter().for_each(each);
            Ok(warnings)
        })
    }
}

/// Both GetConnectors, page by page, mapped into persons.
fn fetch(settings: &Settings) -> Result<(Vec<Person>, Vec<Warning>), ConnectorError> {
    let api = api(settings);
    let mut built = Persons::default();
    api.each_page(&settings.users, "Medewerker", settings.page_size, |rows| {
        rows.iter().for_each(|r| built.add_user(r))
    })?;
    let order = "ExternalID,Medewerker,Begindatum_functie";
    api.each_page(&settings.employments, order, settings.page_size, |rows| {
        rows.iter().for_each(|r| built.add_employment(r))
    })?;
    Ok(built.finish())
}

tessera_sdk::export_source!(AfasProfit);
