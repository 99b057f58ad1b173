//! Manual grants: rights given outside the role model, each with a reason and an end. With
//! four eyes on, a grant holds once a second operator has approved it.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use chrono::Utc;
use tessera_domain::EntitlementRef;
use tessera_engine::decisions;
use tessera_store::{ManualGrant, NewGrant};

use super::{App, Done};
use crate::auth::User;
use crate::error::{Error, Result};
use crate::role::Action;
use crate::view::{Page, render, time};

struct Row {
    id: i64,
    person: String,
    system: String,
    entitlement: String,
    reason: String,
    author: String,
    until: String,
    standing: String,
    waiting: bool,
    mine: bool,
}

#[derive(Template)]
#[template(path = "grants.html")]
struct GrantsPage {
    page: Page,
    rows: Vec<Row>,
    systems: Vec<String>,
    can_manage: bool,
    four_eyes: bool,
}

fn row(g: ManualGrant, me: &str) -> Row {
    let standing = match &g.approved_by {
        None => "waits for a second operator's approval".to_owned(),
        Some(by) if *by == g.author => format!("holds since {}", time(g.created_at)),
        Some(by) => format!("holds; approved by {by}"),
    };
    Row {
        id: g.id,
        waiting: g.awaits_approval(),
        mine: g.author == me,
        person: g.person,
        system: g.system,
        entitlement: format!("{}/{}", g.entitlement.kind, g.entitlement.key),
        reason: g.reason,
        author: g.author,
        until: g.until.map(|d| d.to_string()).unwrap_or_default(),
        standing,
    }
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    user: User,
    Query(done): Query<Done>,
) -> Result<Html<String>> {
    let page = Page::new(&user, "/grants", "Manual grants", done.done.as_deref());
    let can_manage = page.may(Action::ManageGrants);
    let grants = app.blocking(|store, _| Ok(store.grants(false)?)).await?;
    render(&GrantsPage {
        page,
        rows: grants.into_iter().map(|g| row(g, &user.name)).collect(),
        systems: app.targets().map(str::to_owned).collect(),
        can_manage,
        four_eyes: app.settings.four_eyes,
    })
}

pub(crate) async fn create(
    State(app): State<Arc<App>>,
    user: User,
    body: Bytes,
) -> Result<Redirect> {
    let fields = user.form(&body, Action::ManageGrants)?;
    let system = fields.require("system")?.to_owned();
    if !app.targets().any(|t| t == system) {
        return Err(Error::BadRequest(format!(
            "`{system}` is not a target system"
        )));
    }
    let today = app.today();
    let max = app.model.max_grant_days(&system);
    let latest = tessera_engine::contract::shift(today, max);
    let until = match fields.get("until") {
        Some(text) => text
            .parse()
            .map_err(|_| Error::BadRequest(format!("`{text}` is not a day like 2026-12-31")))?,
        None => latest,
    };
    if until > latest || until < today {
        return Err(Error::BadRequest(format!(
            "a manual grant on {system} holds at most {max} days (until {latest})"
        )));
    }
    let grant = NewGrant {
        person: fields.require("person")?.to_owned(),
        system,
        entitlement: EntitlementRef {
            kind: fields.require("kind")?.to_owned(),
            key: fields.require("key")?.to_owned(),
        },
        reason: fields.require("reason")?.to_owned(),
        author: user.name.clone(),
        until: Some(until),
        needs_approval: app.settings.four_eyes,
    };
    app.blocking(move |store, _| {
        if store.person(&grant.person)?.is_none() {
            return Err(Error::BadRequest(format!("no person `{}`", grant.person)));
        }
        decisions::add_grant(store, &grant, Utc::now())?;
        Ok(())
    })
    .await?;
    let done = if app.settings.four_eyes {
        "requested"
    } else {
        "granted"
    };
    Ok(Redirect::to(&format!("/grants?done={done}")))
}

pub(crate) async fn withdraw(
    State(app): State<Arc<App>>,
    user: User,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Redirect> {
    user.form(&body, Action::ManageGrants)?;
    let by = user.name.clone();
    app.blocking(move |store, _| Ok(decisions::revoke_grant(store, id, &by, Utc::now())?))
        .await?;
    Ok(Redirect::to("/grants?done=withdrawn"))
}

pub(crate) async fn approve(
    State(app): State<Arc<App>>,
    user: User,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Redirect> {
    user.form(&body, Action::ManageGrants)?;
    let by = user.name.clone();
    app.blocking(move |store, _| Ok(decisions::approve_grant(store, id, &by, Utc::now())?))
        .await?;
    Ok(Redirect::to("/grants?done=grant-approved"))
}
