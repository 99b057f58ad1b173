//! Deviations: rights targets hold that neither a rule nor a manual grant gives. A reviewer
//! revokes one, adopts it as a manual grant (with a reason and an end), or excludes it for
//! three, six or twelve months.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{Html, Redirect};
use chrono::{Months, NaiveDate, Utc};
use serde::Deserialize;
use tessera_domain::EntitlementRef;
use tessera_engine::plan::Deviation;
use tessera_engine::{decisions, soll};
use tessera_store::{NewReview, ReviewVerdict, Store};

use super::App;
use crate::auth::User;
use crate::deviations::{Decided, Standing};
use crate::error::{Error, Result};
use crate::role::Action;
use crate::view::{Page, render, time};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    system: Option<String>,
    entitlement: Option<String>,
    person: Option<String>,
    done: Option<String>,
}

struct Row {
    n: usize,
    system: String,
    account: String,
    shown_account: String,
    person: String,
    kind: String,
    key: String,
    /// The catalogue's name, when it says more than the key.
    name: String,
    policy: String,
    standing: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "deviations.html")]
struct DeviationsPage {
    page: Page,
    rows: Vec<Row>,
    systems: Vec<String>,
    system: String,
    entitlement: String,
    person: String,
    readings: Vec<String>,
    can_review: bool,
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    user: User,
    Query(filter): Query<Filter>,
) -> Result<Html<String>> {
    let page = Page::new(&user, "/deviations", "Deviations", filter.done.as_deref());
    let can_review = page.may(Action::ReviewDeviation);
    let systems: Vec<String> = app.targets().map(str::to_owned).collect();
    let wanted = |f: &Option<String>| f.clone().filter(|s| !s.trim().is_empty());
    let (system, entitlement, person) = (
        wanted(&filter.system),
        wanted(&filter.entitlement),
        wanted(&filter.person),
    );
    let query = (system.clone(), entitlement.clone(), person.clone());
    let (rows, readings) = app
        .blocking(move |store, app| rows(store, app, query))
        .await?;
    render(&DeviationsPage {
        page,
        rows,
        systems,
        system: system.unwrap_or_default(),
        entitlement: entitlement.unwrap_or_default(),
        person: person.unwrap_or_default(),
        readings,
        can_review,
    })
}

type Query3 = (Option<String>, Option<String>, Option<String>);

fn rows(
    store: &dyn Store,
    app: &App,
    (system, entitlement, person): Query3,
) -> Result<(Vec<Row>, Vec<String>)> {
    let decided = Decided::load(store, app.today())?;
    let contains = |text: &str, needle: &Option<String>| {
        needle
            .as_ref()
            .is_none_or(|n| text.to_lowercase().contains(&n.to_lowercase()))
    };
    let (mut rows, mut readings) = (Vec::new(), Vec::new());
    let mut names = Names::default();
    for name in app
        .targets()
        .filter(|s| system.as_deref().is_none_or(|w| w == *s))
    {
        let Some(found) = app.deviations.of(store, name)? else {
            readings.push(format!("{name}: no full run yet"));
            continue;
        };
        readings.push(format!(
            "{name}: as read by the full run of {}",
            time(found.at)
        ));
        for d in &found.deviations {
            let label = d.shown();
            let who = names.of(store, d.person.as_deref())?;
            if !contains(&label, &entitlement) || !contains(&who, &person) {
                continue;
            }
            let now = decided.standing(d);
            rows.push(row(rows.len(), d, who, &now));
        }
    }
    Ok((rows, readings))
}

/// Persons' names as `Given Family (id)`, each looked up once.
#[derive(Default)]
struct Names(HashMap<String, String>);

impl Names {
    fn of(&mut self, store: &dyn Store, id: Option<&str>) -> Result<String> {
        let Some(id) = id else {
            return Ok("nobody (unowned account)".to_owned());
        };
        if let Some(known) = self.0.get(id) {
            return Ok(known.clone());
        }
        let shown = match store.person(id)? {
            Some(p) => format!("{} ({id})", soll::display_name(&p)),
            None => format!("{id} (no longer in any source)"),
        };
        self.0.insert(id.to_owned(), shown.clone());
        Ok(shown)
    }
}

fn row(n: usize, d: &Deviation, person: String, standing: &Standing) -> Row {
    Row {
        n,
        system: d.system.clone(),
        account: d.account.clone(),
        shown_account: d.username.clone().unwrap_or_else(|| d.account.clone()),
        person,
        kind: d.entitlement.kind.clone(),
        key: d.entitlement.key.clone(),
        name: d
            .name
            .clone()
            .filter(|n| *n != d.entitlement.key)
            .unwrap_or_default(),
        policy: format!("{:?}", d.policy).to_lowercase(),
        standing: standing.words(),
        open: standing.is_open(),
    }
}

/// A reviewer's decision: `revoke`, `adopt` (until a day) or `exclude-3|6|12` (months).
pub(crate) async fn review(
    State(app): State<Arc<App>>,
    user: User,
    body: Bytes,
) -> Result<Redirect> {
    let fields = user.form(&body, Action::ReviewDeviation)?;
    let system = fields.require("system")?.to_owned();
    let account = fields.require("account")?.to_owned();
    let entitlement = EntitlementRef {
        kind: fields.require("kind")?.to_owned(),
        key: fields.require("key")?.to_owned(),
    };
    let verdict = fields.require("verdict")?.to_owned();
    let reason = fields.require("reason")?.to_owned();
    let until = fields.get("until").map(parse_day).transpose()?;
    let by = user.name.clone();
    let done = app
        .blocking(move |store, app| {
            let found = app
                .deviations
                .of(store, &system)?
                .ok_or_else(|| Error::NotFound(format!("{system} has had no full run yet")))?;
            let deviation = found
                .deviations
                .iter()
                .find(|d| d.account == account && d.entitlement == entitlement)
                .ok_or_else(|| {
                    Error::NotFound(format!(
                        "{system} listed no deviation {}/{} on {account} in its last full run",
                        entitlement.kind, entitlement.key
                    ))
                })?;
            decide(store, app, deviation, (&verdict, &reason, until), &by)
        })
        .await?;
    Ok(Redirect::to(&format!("/deviations?done={done}")))
}

fn parse_day(text: &str) -> Result<NaiveDate> {
    text.parse()
        .map_err(|_| Error::BadRequest(format!("`{text}` is not a day like 2026-12-31")))
}

fn decide(
    store: &dyn Store,
    app: &App,
    d: &Deviation,
    (verdict, reason, until): (&str, &str, Option<NaiveDate>),
    by: &str,
) -> Result<&'static str> {
    let now = Utc::now();
    let today = app.model.zone.day_of(now);
    if verdict == "adopt" {
        let max = app.model.max_grant_days(&d.system);
        let latest = tessera_engine::contract::shift(today, max);
        let until = until.unwrap_or(latest);
        if until > latest || until < today {
            return Err(Error::BadRequest(format!(
                "an adopted right holds at most {max} days on {} (until {latest})",
                d.system
            )));
        }
        decisions::adopt_deviation(store, d, reason, by, Some(until), now)?;
        return Ok("adopt");
    }
    let (verdict, until) = match verdict {
        "revoke" => (ReviewVerdict::Revoke, None),
        "exclude-3" | "exclude-6" | "exclude-12" => {
            let months = verdict.trim_start_matches("exclude-").parse().unwrap_or(3);
            let until = today
                .checked_add_months(Months::new(months))
                .unwrap_or(today);
            (ReviewVerdict::Exclude, Some(until))
        }
        other => return Err(Error::BadRequest(format!("`{other}` is not a decision"))),
    };
    let review = NewReview {
        system: d.system.clone(),
        account: d.account.clone(),
        entitlement: d.entitlement.clone(),
        verdict,
        reason: reason.to_owned(),
        by: by.to_owned(),
        until,
    };
    decisions::review_deviation(store, d, &review, now)?;
    Ok(verdict.as_str())
}
