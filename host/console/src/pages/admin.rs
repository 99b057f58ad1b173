//! Plugins (versions, capabilities asked for and granted, signatures) and, for admins, the
//! console's users.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use chrono::Utc;

use super::{App, Done};
use crate::auth::User;
use crate::error::{Error, Result};
use crate::role::{Action, Role};
use crate::view::{Page, render, time};
use crate::{PluginView, users};

#[derive(Template)]
#[template(path = "plugins.html")]
struct PluginsPage<'a> {
    page: Page,
    plugins: &'a [PluginView],
}

pub(crate) async fn plugins(State(app): State<Arc<App>>, user: User) -> Result<Html<String>> {
    render(&PluginsPage {
        page: Page::new(&user, "/plugins", "Plugins", None),
        plugins: &app.plugins,
    })
}

struct UserRow {
    name: String,
    role: String,
    since: String,
    me: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    page: Page,
    users: Vec<UserRow>,
    roles: Vec<&'static str>,
}

pub(crate) async fn users(
    State(app): State<Arc<App>>,
    user: User,
    Query(done): Query<Done>,
) -> Result<Html<String>> {
    user.role.require(Action::ManageUsers)?;
    let listed = app.blocking(|store, _| Ok(store.users()?)).await?;
    render(&UsersPage {
        page: Page::new(&user, "/users", "Users", done.done.as_deref()),
        users: listed
            .into_iter()
            .map(|u| UserRow {
                me: u.name == user.name,
                name: u.name,
                role: u.role,
                since: time(u.created_at),
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
    })
}

pub(crate) async fn add_user(
    State(app): State<Arc<App>>,
    user: User,
    body: Bytes,
) -> Result<Redirect> {
    let fields = user.form(&body, Action::ManageUsers)?;
    let name = fields.require("name")?.to_owned();
    let role = fields.require("role")?;
    let role = Role::parse(role).ok_or_else(|| Error::BadRequest(format!("no role `{role}`")))?;
    let password = fields.require("password")?.to_owned();
    let by = user.name.clone();
    app.blocking(move |store, _| users::add_user(store, (&name, role, &password), &by, Utc::now()))
        .await?;
    Ok(Redirect::to("/users?done=user-added"))
}

pub(crate) async fn remove_user(
    State(app): State<Arc<App>>,
    user: User,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Redirect> {
    user.form(&body, Action::ManageUsers)?;
    let by = user.name.clone();
    app.blocking(move |store, _| users::remove_user(store, &name, &by, Utc::now()))
        .await?;
    Ok(Redirect::to("/users?done=user-removed"))
}
