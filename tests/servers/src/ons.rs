//! A mock of Nedap ONS's REST API on 127.0.0.1 over mutual TLS, built from the facts in
//! `research/helloid-connectors.md` §2.2 and Nedap's published OpenAPI description.
//!
//! - Only clients with a certificate from the mock's CA finish the TLS handshake (ONS wants a
//!   Nedap-issued client certificate); the others are counted and dropped. `GET /ping`
//!   answers when the certificate is right.
//! - Employees: `GET /v0/administration/employees/by_identification_no/{no}` and the bulk
//!   export `GET /v0/xstream/employees/data` (`{"employees": […]}`).
//! - Users: `POST /v0/administration/users` (200, not 201), `GET …/users/{id}`,
//!   `…/by_uuid/{uuid}`, `…/by_employee_id/{id}`, `PUT …/users/{id}` with the **whole** user
//!   (fields left out fall back to their defaults), `DELETE …/users/{id}` (answers the deleted
//!   user), and the bulk export `GET /v0/xstream/responsibilities/data` (`{"users": […]}`).
//!   A user needs an existing employee (`employeeObjectId`) and a unique `userName`.
//! - Authorisation: `GET /v0/authorization/provisioning/roles` (`{"roles": [{uuid, name}]}`,
//!   the roles whitelisted for integrations) and `PUT
//!   /v0/authorization/provisioning/users/{uuid}/duties`, which replaces every duty the
//!   calling source gave that user. There is no way to read duties back, as in ONS.
//! - `GET /v0/administration/teams` and `/locations`, whole lists.
//! - Errors are `{"errorResponseEntries": [{field, value, message}]}`; a request without
//!   `Accept: application/json` gets 406; more than four requests at once get 429 without
//!   `Retry-After`, as ONS limits parallel requests per certificate. Fault knobs add 5xx, 429,
//!   hangs and truncated bodies.

mod data;
mod routes;

use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use axum::Router;

pub use data::{Employee, Named, OnsUser, Org};

use crate::fault::Calls;
pub use crate::fault::Fault;
use crate::lock;
use crate::tls::{Refused, TlsFiles};

/// What reached the mock past the handshake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// API calls.
    pub requests: usize,
    /// Writes that changed something.
    pub writes: usize,
    /// Calls refused for too many at once.
    pub throttled: usize,
}

struct Shared {
    org: Mutex<Org>,
    calls: Calls,
    stats: Mutex<Stats>,
    in_flight: AtomicUsize,
}

/// A running mock; stops when dropped.
pub struct OnsMock {
    served: crate::serve::Served,
    shared: Arc<Shared>,
    refused: Arc<Refused>,
}

impl OnsMock {
    /// Starts on a free loopback port over TLS with the server certificate and key given,
    /// accepting only client certificates signed by `client_ca`.
    pub async fn start(org: Org, cert_file: &Path, key_file: &Path, client_ca: &Path) -> Self {
        let shared = Arc::new(Shared {
            org: Mutex::new(org),
            calls: Calls::default(),
            stats: Mutex::default(),
            in_flight: AtomicUsize::new(0),
        });
        let app = Router::new()
            .fallback(routes::route)
            .with_state(shared.clone());
        let files = TlsFiles {
            cert_file,
            key_file,
            client_ca: Some(client_ca),
        };
        let (served, refused) = crate::serve::Served::start_tls(app, "mock Nedap ONS", files).await;
        Self {
            served,
            shared,
            refused,
        }
    }

    /// `https://localhost:PORT`: the origin to grant and the plugin's `base_url`.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.served.addr().port())
    }

    /// Reads or changes the organisation past the API (an administrator at work in ONS).
    pub fn org<R>(&self, f: impl FnOnce(&mut Org) -> R) -> R {
        f(&mut lock(&self.shared.org))
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// TLS handshakes refused so far (no client certificate, or one from another CA).
    pub fn refused_handshakes(&self) -> usize {
        self.refused.count()
    }

    /// Whether the refused handshakes rise above `n` soon (the server counts a refusal just
    /// after the client hears of it).
    pub async fn refuses_more_than(&self, n: usize) -> bool {
        self.refused.rises_above(n).await
    }

    /// `METHOD path?query` of every API call so far.
    pub fn seen(&self) -> Vec<String> {
        self.shared.calls.seen()
    }

    /// The next `times` calls whose `METHOD /path?query` starts with `prefix` misbehave.
    pub fn fault(&self, prefix: &str, fault: Fault, times: usize) {
        self.shared.calls.arm(prefix, fault, times);
    }
}
