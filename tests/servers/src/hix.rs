//! A mock of ChipSoft HiX's user web service on 127.0.0.1, built from the documented facts
//! (the HelloID HiX README, SmartAIM's description of its coupling); the WSDL itself is not
//! public, so element names follow the documented field names.
//!
//! - SOAP 1.1 over HTTP: `POST /<message>` for `nieuwegebruiker.gegevens`,
//!   `wijzigengebruiker.gegevens`, `blokkerengebruiker.gegevens`,
//!   `deblokkerengebruiker.gegevens` and `aanvraag.zisgebruikers`. Our assumption, not a
//!   documented message: `aanvraag.groepen` lists the group catalogue; login groups come with
//!   `aanvraag.zisgebruikers` as special users, as HiX stores them.
//! - Every request carries a ControlId in the SOAP header; the answer echoes it and a reused
//!   one is refused.
//! - User code ≤ 8, `title` ≤ 5, `department` ≤ 6 characters; employee type `GS` or empty
//!   (and, as documented, never back to empty); marking `U` or empty; groups and login groups
//!   must be in the catalogue. Refusals are SOAP faults whose detail names the field.
//! - No delete, only block. A modify replaces the whole object, so two writers that read the
//!   same user lose one update (last write wins). A changed SSO login name drops the user's
//!   memberships, as HiX deletes and recreates the SSO user.

mod store;
#[cfg(test)]
mod tests;
mod wire;
mod xml;

use std::sync::{Arc, Mutex};

use crate::lock;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

pub use store::{
    CODE_MAX, Catalogue, DEPARTMENT_MAX, Fault, NOT_TRAINED, OUT_OF_SERVICE, TITLE_MAX, User,
};
pub use wire::MESSAGES;

/// One request as the mock answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The message, e.g. `wijzigengebruiker.gegevens`.
    pub message: String,
    /// The ControlId sent, empty when there was none.
    pub control_id: String,
    /// The fault code when it was refused.
    pub fault: Option<String>,
    /// The request as posted (the envelope), for benchmarks that send the same requests again.
    pub body: String,
}

struct Shared {
    hix: Mutex<store::Hix>,
    log: Mutex<Vec<Logged>>,
}

/// A running mock; stops when dropped.
pub struct HixMock {
    served: crate::serve::Served,
    shared: Arc<Shared>,
}

impl HixMock {
    /// Starts on a free loopback port on the current tokio runtime with a catalogue and
    /// users already there (a HiX the coupling takes over).
    pub async fn start(catalogue: Catalogue, users: Vec<User>) -> Self {
        let hix = store::Hix {
            users: users.into_iter().map(|u| (u.code.clone(), u)).collect(),
            catalogue,
            ..store::Hix::default()
        };
        let shared = Arc::new(Shared {
            hix: Mutex::new(hix),
            log: Mutex::default(),
        });
        let app = Router::new()
            .route("/{message}", post(handle))
            .with_state(shared.clone());
        let served = crate::serve::Served::start(app, "mock HiX").await;
        Self { served, shared }
    }

    /// The base URL, `http://127.0.0.1:PORT` (also the origin to grant).
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// The user with this code.
    pub fn user(&self, code: &str) -> Option<User> {
        lock(&self.shared.hix).users.get(code).cloned()
    }

    /// The user with this `ldap` name (case-insensitive).
    pub fn by_ldap(&self, ldap: &str) -> Option<User> {
        let hix = lock(&self.shared.hix);
        hix.find(Some(ldap), None).first().map(|u| (*u).clone())
    }

    /// Every user, by code.
    pub fn users(&self) -> Vec<User> {
        lock(&self.shared.hix).users.values().cloned().collect()
    }

    /// A change made by hand in HiX, past the web service and its checks.
    pub fn edit<R>(&self, code: &str, change: impl FnOnce(&mut User) -> R) -> Option<R> {
        lock(&self.shared.hix).users.get_mut(code).map(change)
    }

    /// Every request so far, in order.
    pub fn log(&self) -> Vec<Logged> {
        lock(&self.shared.log).clone()
    }

    /// Answers one request body for `message` as the HTTP handler does: status and XML.
    pub fn answer(&self, message: &str, body: &str) -> (StatusCode, String) {
        answer(&self.shared, message, body)
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path(message): Path<String>,
    body: String,
) -> Response {
    let (status, text) = answer(&shared, &message, &body);
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        text,
    )
        .into_response()
}

fn answer(shared: &Shared, message: &str, text: &str) -> (StatusCode, String) {
    let (control_id, outcome) = match wire::request(text, message) {
        Err((control_id, fault)) => (control_id.unwrap_or_default(), Err(fault)),
        Ok(req) => {
            let mut hix = lock(&shared.hix);
            let outcome = hix
                .claim(&req.control_id)
                .and_then(|()| wire::dispatch(&mut hix, message, &req.body));
            (req.control_id, outcome)
        }
    };
    lock(&shared.log).push(Logged {
        message: message.to_owned(),
        control_id: control_id.clone(),
        fault: outcome.as_ref().err().map(|f| f.code.to_owned()),
        body: text.to_owned(),
    });
    let echo = Some(control_id.as_str()).filter(|c| !c.is_empty());
    match outcome {
        Ok(body) => (StatusCode::OK, xml::envelope(echo, &body)),
        // SOAP 1.1 answers faults with 500.
        Err(f) => (StatusCode::INTERNAL_SERVER_ERROR, wire::fault(echo, &f)),
    }
}
