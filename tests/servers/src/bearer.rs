//! Bearer tokens as an OAuth2 client-credentials server issues and checks them, for the mocks
//! of Graph and Youforce: each one lives a set time, and the mock can revoke them all.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};

use crate::lock;

/// Why a request's bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Issued here, but its time is up.
    Expired,
    /// Never issued here, or revoked.
    Unknown,
}

/// The tokens issued and not revoked, with when each expires.
#[derive(Debug, Default)]
pub struct Tokens(Mutex<HashMap<String, Instant>>);

impl Tokens {
    /// Issues `token`, valid for `lifetime`.
    pub fn issue(&self, token: &str, lifetime: Duration) {
        lock(&self.0).insert(token.to_owned(), Instant::now() + lifetime);
    }

    /// Whether the request carries a token issued here that has not expired.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Refusal::Missing)?;
        match lock(&self.0).get(token) {
            Some(until) if Instant::now() < *until => Ok(()),
            Some(_) => Err(Refusal::Expired),
            None => Err(Refusal::Unknown),
        }
    }

    /// Revokes every token issued so far.
    pub fn revoke_all(&self) {
        lock(&self.0).clear();
    }
}
