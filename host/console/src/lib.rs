//! The console: server-rendered pages for the people who answer for provisioning.
//!
//! Operators see runs, approve held actions and give manual grants; reviewers decide
//! deviations (revoke, adopt, or exclude for a while); auditors read everything and search
//! and verify the audit trail; admins manage the console's users. Every decision goes
//! through the engine's `decisions` and lands in the audit trail with the logged-in user as
//! its actor; the next sync carries it out.
//!
//! The pages need no JavaScript and load nothing from elsewhere: one stylesheet, served from
//! the binary, under a Content-Security-Policy that allows only it. Sessions live in the
//! store as token hashes behind `HttpOnly; Secure; SameSite=Strict` cookies, every form
//! carries the session's CSRF token, and failed logins are rate-limited and audited.
//!
//! The console reads the store through its own connections (a small pool), so pages answer
//! while the daemon runs; it never calls a connector.

mod auth;
mod deviations;
mod error;
mod fields;
mod limiter;
mod pages;
mod pool;
mod role;
mod users;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tessera_engine::model::RoleModel;
use tessera_store::Store;

pub use error::{Error, Result};
pub use role::Role;
pub use users::{MIN_PASSWORD_CHARS, add_user, hash_password, remove_user, set_user};

/// Opens a store connection for the console's pool.
pub type Opener = Box<dyn Fn() -> tessera_store::Result<Box<dyn Store + Send>> + Send + Sync>;

/// How the console behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Four eyes: a manual grant made in the console holds only once another operator has
    /// approved it.
    pub four_eyes: bool,
    /// How long a login lasts.
    pub session: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            four_eyes: false,
            session: Duration::from_secs(8 * 3600),
        }
    }
}

/// A configured system, as the dashboard lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemView {
    /// Its name.
    pub name: String,
    /// `source` or `target`.
    pub kind: String,
    /// The plugin `id@version` it runs, or why it did not load.
    pub plugin: String,
    /// What a target's plugin described at start: the next-plan page plans with it.
    #[serde(skip)]
    pub info: Option<tessera_domain::TargetInfo>,
}

/// An installed plugin, as the plugins page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PluginView {
    /// `id@version`.
    pub plugin: String,
    /// The systems that run it.
    pub systems: Vec<String>,
    /// Its digest.
    pub digest: String,
    /// `signed by …`, `unsigned`, or why the signature fails.
    pub signature: String,
    /// Capabilities its manifest asks for.
    pub requested: Vec<String>,
    /// What the operator granted.
    pub granted: Vec<String>,
}

/// Everything the console shows besides the store.
pub struct Context {
    /// Opens store connections.
    pub open: Opener,
    /// The role model, for persons' explanations and grant limits.
    pub model: Arc<RoleModel>,
    /// The configured systems.
    pub systems: Vec<SystemView>,
    /// The installed plugins.
    pub plugins: Vec<PluginView>,
    /// Its settings.
    pub settings: Settings,
}

/// The console's routes, ready to serve.
pub fn router(context: Context) -> axum::Router {
    pages::router(Arc::new(pages::App::new(context)))
}

/// Serves the console on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, context: Context) -> Result<()> {
    let app = router(context).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).await.map_err(Error::Http)
}
