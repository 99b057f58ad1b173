//! The console's routes and what they share.

mod admin;
mod approvals;
mod audit;
mod dashboard;
mod deviations;
mod grants;
mod login;
mod next;
mod persons;
mod runs;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tessera_engine::model::RoleModel;
use tessera_store::Store;

use crate::error::{Error, Result};
use crate::limiter::Limiter;
use crate::pool::Pool;
use crate::{Context, PluginView, Settings, SystemView};

/// What every handler shares.
pub(crate) struct App {
    pool: Pool,
    pub model: Arc<RoleModel>,
    pub systems: Vec<SystemView>,
    pub plugins: Vec<PluginView>,
    pub settings: Settings,
    pub limiter: Limiter,
    pub deviations: crate::deviations::Cache,
}

impl App {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            pool: Pool::new(context.open),
            model: context.model,
            systems: context.systems,
            plugins: context.plugins,
            settings: context.settings,
            limiter: Limiter::default(),
            deviations: crate::deviations::Cache::default(),
        }
    }

    /// Runs store work off the async threads, with a pooled connection.
    pub(crate) async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&dyn Store, &App) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || app.pool.with(|store| f(store, &app)))
            .await
            .map_err(|e| Error::Join(e.to_string()))?
    }

    /// Today in the configured zone.
    pub(crate) fn today(&self) -> chrono::NaiveDate {
        self.model.zone.day_of(chrono::Utc::now())
    }

    /// The target systems' names.
    pub(crate) fn targets(&self) -> impl Iterator<Item = &str> {
        self.systems
            .iter()
            .filter(|s| s.kind == "target")
            .map(|s| s.name.as_str())
    }
}

/// The `?done=` a page shows a notice for.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    pub done: Option<String>,
}

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/runs", get(runs::list))
        .route("/runs/{id}", get(runs::show))
        .route("/plan", get(next::show))
        .route("/deviations", get(deviations::list))
        .route("/deviations/review", post(deviations::review))
        .route("/approvals", get(approvals::list))
        .route("/approvals/decide", post(approvals::decide))
        .route("/grants", get(grants::list).post(grants::create))
        .route("/grants/{id}/revoke", post(grants::withdraw))
        .route("/grants/{id}/approve", post(grants::approve))
        .route("/persons", get(persons::list))
        .route("/persons/{id}", get(persons::show))
        .route("/audit", get(audit::search))
        .route("/audit/verify", get(audit::verify))
        .route("/audit/export", get(audit::export))
        .route("/plugins", get(admin::plugins))
        .route("/users", get(admin::users).post(admin::add_user))
        .route("/users/{name}/remove", post(admin::remove_user))
        .route("/static/console.css", get(stylesheet))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(app)
}

async fn stylesheet() -> Response {
    let css = include_str!("../static/console.css");
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css).into_response()
}

/// Nothing but the console's own stylesheet and forms: no scripts, no frames, no other
/// origin; pages are not cached, since they show who may have what.
async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
