//! Logins, sessions and the checks every request passes: a session cookie found in the
//! store, a role that allows the action, and a form that carries the session's CSRF token.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tessera_store::AuditRecord;

use crate::error::{Error, Result};
use crate::fields::Fields;
use crate::pages::App;
use crate::role::{Action, Role};
use crate::users::{decoy_hash, verify_password};

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "tessera_session";
/// The login form's own CSRF cookie, before there is a session.
pub(crate) const LOGIN_COOKIE: &str = "tessera_login";

/// The logged-in user of a request.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub name: String,
    pub role: Role,
    pub csrf: String,
    token_hash: String,
}

impl User {
    /// A posted form this user may send for `action`: it carries the session's CSRF token
    /// and the user's role allows the action.
    pub(crate) fn form(&self, body: &[u8], action: Action) -> Result<Fields> {
        let fields = Fields::parse(body);
        self.check_csrf(&fields)?;
        self.role.require(action)?;
        Ok(fields)
    }

    /// Refuses a form without this session's CSRF token.
    pub(crate) fn check_csrf(&self, fields: &Fields) -> Result<()> {
        match fields.get("csrf") {
            Some(sent) if same(sent, &self.csrf) => Ok(()),
            _ => Err(Error::Csrf),
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A fresh random token, as hex.
pub(crate) fn token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// What the store keeps of a session token.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A cookie's value from the request.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: never readable by scripts, never sent cross-site, HTTPS only
/// (browsers treat loopback as secure, so a console on 127.0.0.1 works too).
pub(crate) fn set_cookie(name: &str, value: &str, max_age_secs: u64) -> HeaderValue {
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age_secs}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

impl FromRequestParts<Arc<App>> for User {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let to_login = || Redirect::to("/login").into_response();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let hash = token_hash(token);
        let wanted = hash.clone();
        let found = app
            .blocking(move |store, _| Ok(store.session(&wanted, Utc::now())?))
            .await
            .map_err(IntoResponse::into_response)?;
        let Some(session) = found else {
            return Err(to_login());
        };
        let Some(role) = Role::parse(&session.role) else {
            return Err(to_login());
        };
        Ok(User {
            name: session.user,
            role,
            csrf: session.csrf,
            token_hash: hash,
        })
    }
}

/// The client's address, for login rate limits; unknown when served without it.
pub(crate) fn client(parts: &axum::http::Extensions) -> IpAddr {
    parts
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// What a login attempt came to.
pub(crate) enum Login {
    /// The session's token, to set as the cookie.
    In(String),
    /// Wrong name or password.
    Failed,
}

/// Checks a login, opens a session on success, and audits the attempt either way.
pub(crate) async fn log_in(
    app: &Arc<App>,
    addr: IpAddr,
    name: &str,
    password: &str,
) -> Result<Login> {
    let now = Instant::now();
    if !app.limiter.allows(addr, name, now) {
        let name = name.to_owned();
        app.blocking(move |store, _| {
            store.append_audit(&login_audit(&name, addr, "refused: too many failed logins"))?;
            Ok(())
        })
        .await?;
        return Err(Error::TooMany {
            minutes: crate::limiter::WINDOW.as_secs() / 60,
        });
    }
    let (who, password) = (name.to_owned(), password.to_owned());
    let login = app
        .blocking(move |store, app| {
            let user = store.user(&who)?;
            let hash = user
                .as_ref()
                .map_or(decoy_hash(), |u| u.password_hash.as_str());
            if !(verify_password(&password, hash) && user.is_some()) {
                let failed = login_audit(&who, addr, "failed: wrong user name or password");
                store.append_audit(&failed)?;
                return Ok(Login::Failed);
            }
            let token = token()?;
            let at = Utc::now();
            let ends = at + chrono::Duration::from_std(app.settings.session).unwrap_or_default();
            store.open_session(&token_hash(&token), &who, &self::token()?, at, ends)?;
            store.append_audit(&login_audit(&who, addr, "ok"))?;
            Ok(Login::In(token))
        })
        .await?;
    match &login {
        Login::Failed => app.limiter.failed(addr, name, now),
        Login::In(_) => app.limiter.succeeded(name),
    }
    Ok(login)
}

/// Ends the session, audited.
pub(crate) async fn log_out(app: &Arc<App>, user: &User) -> Result<()> {
    let (hash, name) = (user.token_hash.clone(), user.name.clone());
    app.blocking(move |store, _| {
        store.close_session(&hash, Utc::now())?;
        store.append_audit(&AuditRecord {
            at: Utc::now(),
            action: "console-logout".to_owned(),
            actor: Some(name),
            outcome: "ok".to_owned(),
            ..AuditRecord::default()
        })?;
        Ok(())
    })
    .await
}

/// A login attempt for the audit trail. The name typed is kept (cut short and without
/// control characters), the password never.
fn login_audit(name: &str, addr: IpAddr, outcome: &str) -> AuditRecord {
    let name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
    AuditRecord {
        at: Utc::now(),
        action: "console-login".to_owned(),
        after: Some(serde_json::json!({"from": addr.to_string()})),
        actor: Some(name),
        outcome: outcome.to_owned(),
        ..AuditRecord::default()
    }
}
