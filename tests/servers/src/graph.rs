//! A mock of Microsoft Graph v1.0 and the Entra ID token endpoint on 127.0.0.1, built from the
//! facts in `research/helloid-connectors.md` §2.4 and `turn2-anchors.md` §1.5 and §7.
//!
//! - `POST /{tenant}/oauth2/v2.0/token` (and the older `/oauth2/token`): client credentials
//!   with scope `https://graph.microsoft.com/.default`; AADSTS errors on a wrong tenant or
//!   secret. Every Graph call needs a bearer token the mock issued and has not expired or
//!   revoked; otherwise 401 `InvalidAuthenticationToken`.
//! - `/v1.0/users`: list (`$select`, `$filter`, `$top` ≤ 999, `@odata.nextLink`), get by id or
//!   user principal name, create (201), update (`PATCH`, 204), soft delete (204). Without
//!   `$select` only the default properties come back (no `accountEnabled`, no `employeeId`).
//!   Writes are checked as Graph does: required properties, lengths (`employeeId` ≤ 16),
//!   verified domains, a taken user principal name (`ObjectConflict`), unknown properties.
//! - `/v1.0/groups`, `/v1.0/groups/{id}/members` (users and nested groups), membership through
//!   `members/$ref` (both the documented form and `members/{id}/$ref`), "already exist" and
//!   `Request_ResourceNotFound` as Graph words them; on-premises synced groups refuse changes.
//! - `/v1.0/users/delta`, `/v1.0/groups/delta` (see [`delta`]).
//! - Writes can be held to a budget (Graph allows about 20 a second per app and tenant):
//!   beyond it, 429 with `Retry-After`. Fault knobs add 5xx, 429, hangs and truncated bodies.

mod delta;
mod directory;
mod odata;
mod routes;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;

pub use directory::{Directory, Group, User, text};

use crate::bearer::Tokens;
pub use crate::fault::Fault;
use crate::fault::{Calls, Window};
use crate::lock;

/// How to start the mock.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
    /// Verified domains.
    pub domains: Vec<String>,
    /// Entries per page of a delta round.
    pub delta_page: usize,
    /// At most this many writes in any window of this length; none for no limit.
    pub write_budget: Option<(usize, Duration)>,
    /// How long an issued access token is valid (`expires_in`).
    pub token_lifetime: Duration,
}

impl GraphOptions {
    /// A tenant with one verified domain, `zkh.nl`, no write budget, hour-long tokens.
    pub fn new(tenant: &str, client_id: &str, client_secret: &str) -> Self {
        Self {
            tenant: tenant.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            domains: vec!["zkh.nl".into()],
            delta_page: 100,
            write_budget: None,
            token_lifetime: Duration::from_secs(3599),
        }
    }
}

/// What reached the mock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Token requests answered with a token.
    pub tokens_issued: usize,
    /// Graph calls (token requests not counted).
    pub requests: usize,
    /// Writes done (POST, PATCH, DELETE that got past the budget).
    pub writes: usize,
    /// Calls answered 429 because of the write budget.
    pub throttled: usize,
    /// Calls answered 401.
    pub unauthorized: usize,
}

struct Shared {
    options: GraphOptions,
    directory: Mutex<Directory>,
    tokens: Tokens,
    calls: Calls,
    writes: Option<Window>,
    stats: Mutex<Stats>,
    /// `METHOD path?query` of every Graph call, in order.
    /// Delta tokens from an earlier epoch are gone (410).
    epoch: Mutex<u64>,
    replay: Mutex<bool>,
    partial: Mutex<bool>,
    base: Mutex<String>,
}

/// A running mock; stops when dropped.
pub struct GraphMock {
    served: crate::serve::Served,
    shared: Arc<Shared>,
}

impl GraphMock {
    /// Starts on a free loopback port on the current tokio runtime.
    pub async fn start(options: GraphOptions) -> Self {
        let writes = options
            .write_budget
            .map(|(most, length)| Window::new(most, length));
        let shared = Arc::new(Shared {
            writes,
            directory: Mutex::new(Directory::new(options.domains.clone())),
            options,
            tokens: Tokens::default(),
            calls: Calls::default(),
            stats: Mutex::default(),
            epoch: Mutex::default(),
            replay: Mutex::default(),
            partial: Mutex::default(),
            base: Mutex::default(),
        });
        let app = Router::new()
            .fallback(routes::route)
            .with_state(shared.clone());
        let served = crate::serve::Served::start(app, "mock Microsoft Graph").await;
        *lock(&shared.base) = format!("{}/v1.0", served.url());
        Self { served, shared }
    }

    /// `http://127.0.0.1:PORT`: the origin to grant, and the plugin's `graph_url`.
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// The v2.0 token endpoint of the tenant.
    pub fn token_url(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0/token",
            self.served.url(),
            self.shared.options.tenant
        )
    }

    /// Reads or changes the directory past the API (a change made in the portal). Changes
    /// to memberships should go through [`Directory::set_member`] so the delta sees them.
    pub fn directory<R>(&self, f: impl FnOnce(&mut Directory) -> R) -> R {
        f(&mut lock(&self.shared.directory))
    }

    /// A user by user principal name.
    pub fn user(&self, upn: &str) -> Option<User> {
        let d = lock(&self.shared.directory);
        d.resolve(upn).ok().and_then(|id| d.users.get(&id).cloned())
    }

    /// The user ids in a group.
    pub fn members(&self, group: &str) -> Vec<String> {
        let d = lock(&self.shared.directory);
        d.groups
            .get(group)
            .map(|g| g.members.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// `METHOD path?query` of every Graph call so far.
    pub fn seen(&self) -> Vec<String> {
        self.shared.calls.seen()
    }

    /// The next `times` calls whose `METHOD /v1.0/path?query` starts with `prefix` misbehave.
    pub fn fault(&self, prefix: &str, fault: Fault, times: usize) {
        self.shared.calls.arm(prefix, fault, times);
    }

    /// Every delta token handed out so far stops working (410 Gone).
    pub fn reset_feeds(&self) {
        *lock(&self.shared.epoch) += 1;
    }

    /// Delta pages of changes repeat their first entry, as Graph may replay.
    pub fn replay_changes(&self, on: bool) {
        *lock(&self.shared.replay) = on;
    }

    /// Changed users in delta pages carry only `id` and `displayName`, as Graph may send
    /// "at least the changed properties".
    pub fn partial_updates(&self, on: bool) {
        *lock(&self.shared.partial) = on;
    }

    /// Every access token issued so far stops working (expired early, or revoked).
    pub fn expire_tokens(&self) {
        self.shared.tokens.revoke_all();
    }
}
