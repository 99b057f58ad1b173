//! Persons: a search, and one person's page with the explanation of every right they
//! should have (rule and contracts, or manual grant), their accounts per system and their
//! change history.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use serde::Deserialize;
use tessera_domain::Person;
use tessera_engine::soll::{GrantSource, display_name, person_soll};
use tessera_store::Store;

use super::App;
use crate::auth::User;
use crate::error::{Error, Result};
use crate::view::{Page, render};

/// At most this many persons are listed for a search.
const MAX_LISTED: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Search {
    q: Option<String>,
}

struct Found {
    id: String,
    name: String,
    email: String,
    contracts: usize,
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    page: Page,
    q: String,
    found: Vec<Found>,
    more: bool,
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    user: User,
    Query(search): Query<Search>,
) -> Result<Html<String>> {
    let page = Page::new(&user, "/persons", "Persons", None);
    let q = search.q.unwrap_or_default().trim().to_owned();
    let needle = q.to_lowercase();
    let (found, more) = app
        .blocking(move |store, _| {
            let mut found = Vec::new();
            let mut more = false;
            if needle.is_empty() {
                return Ok((found, more));
            }
            store.for_each_person(&mut |p| {
                if matches(&p, &needle) {
                    match found.len() < MAX_LISTED {
                        true => found.push(summary(&p)),
                        false => more = true,
                    }
                }
                Ok(())
            })?;
            Ok((found, more))
        })
        .await?;
    render(&PersonsPage {
        page,
        q,
        found,
        more,
    })
}

fn matches(p: &Person, needle: &str) -> bool {
    let name = display_name(p);
    [p.id.as_str(), &name, p.email.as_deref().unwrap_or_default()]
        .iter()
        .any(|t| t.to_lowercase().contains(needle))
}

fn summary(p: &Person) -> Found {
    Found {
        id: p.id.clone(),
        name: display_name(p),
        email: p.email.clone().unwrap_or_default(),
        contracts: p.contracts.len(),
    }
}

struct Right {
    system: String,
    state: String,
    entitlement: String,
    why: String,
    period: String,
}

struct Account {
    system: String,
    username: String,
    enabled: &'static str,
    entitlements: String,
}

struct Change {
    run: i64,
    change: String,
}

struct ContractRow {
    id: String,
    department: String,
    function: String,
    period: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    page: Page,
    id: String,
    email: String,
    contracts: Vec<ContractRow>,
    rights: Vec<Right>,
    accounts: Vec<Account>,
    history: Vec<Change>,
}

pub(crate) async fn show(
    State(app): State<Arc<App>>,
    user: User,
    Path(id): Path<String>,
) -> Result<Html<String>> {
    let shown = app
        .blocking(move |store, app| details(store, app, &id))
        .await?;
    let (person, rights, accounts, history) = shown;
    let page = Page::new(&user, "/persons", display_name(&person), None);
    render(&PersonPage {
        page,
        email: person.email.clone().unwrap_or_default(),
        contracts: person
            .contracts
            .iter()
            .map(|c| contract(c, app.model.zone))
            .collect(),
        id: person.id,
        rights,
        accounts,
        history,
    })
}

type Details = (Person, Vec<Right>, Vec<Account>, Vec<Change>);

fn details(store: &dyn Store, app: &App, id: &str) -> Result<Details> {
    let person = store
        .person(id)?
        .ok_or_else(|| Error::NotFound(format!("no person `{id}`")))?;
    let grants = store.grants(false)?;
    let soll = person_soll(&app.model, &person, &grants, app.today());
    let rights = soll.accounts.iter().flat_map(|a| {
        let state = format!("{:?}", a.state).to_lowercase();
        a.entitlements.iter().map(move |e| Right {
            system: a.system.clone(),
            state: state.clone(),
            entitlement: format!("{}/{}", e.entitlement.kind, e.entitlement.key),
            why: match &e.source {
                GrantSource::Rule { .. } => {
                    format!(
                        "{} through contracts {}",
                        e.source.words(),
                        e.contracts.join(", ")
                    )
                }
                GrantSource::Manual { .. } => e.source.words(),
            },
            period: format!(
                "{} – {}",
                e.from.map(|d| d.to_string()).unwrap_or_default(),
                e.until.map_or("open".to_owned(), |d| d.to_string())
            ),
        })
    });
    let rights = rights.collect();
    let mut accounts = Vec::new();
    for system in &app.systems {
        for s in store.shadows_of(&system.name, id)? {
            let held: Vec<String> = store
                .memberships_of(&system.name, &s.key)?
                .iter()
                .map(|m| format!("{}/{}", m.entitlement.kind, m.entitlement.key))
                .collect();
            accounts.push(Account {
                system: system.name.clone(),
                username: s.username.clone().unwrap_or(s.key.clone()),
                enabled: if s.enabled { "enabled" } else { "disabled" },
                entitlements: held.join(", "),
            });
        }
    }
    let history = store
        .person_history(id)?
        .into_iter()
        .map(|(run, h)| Change {
            run,
            change: format!("{:?}", h.change).to_lowercase(),
        })
        .collect();
    Ok((person, rights, accounts, history))
}

fn contract(c: &tessera_domain::Contract, zone: tessera_domain::Zone) -> ContractRow {
    let name = |n: &Option<tessera_domain::CodeName>| n.as_ref().map(|n| n.name.clone());
    let day = |t: &Option<tessera_domain::Timestamp>| t.as_ref().map(|t| t.day(zone).to_string());
    ContractRow {
        id: format!("{} ({})", c.id, format!("{:?}", c.kind).to_lowercase()),
        department: name(&c.department).unwrap_or_default(),
        function: name(&c.title).unwrap_or_default(),
        period: format!(
            "{} – {}",
            day(&c.start).unwrap_or_default(),
            day(&c.end).unwrap_or_else(|| "open".to_owned())
        ),
    }
}
