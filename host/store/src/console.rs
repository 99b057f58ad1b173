//! The console's users and their sessions. The store keeps hashes only: a password's argon2
//! hash, made by the console, and the SHA-256 of a session token, so a copy of the file
//! lets nobody log in.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Result;

/// A console user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsoleUser {
    /// The login name.
    pub name: String,
    /// `admin`, `operator`, `reviewer` or `auditor`.
    pub role: String,
    /// The password's hash in PHC string format; never shown.
    #[serde(skip)]
    pub password_hash: String,
    /// When the user was added.
    pub created_at: DateTime<Utc>,
}

/// A logged-in session, found by its token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// Who.
    pub user: String,
    /// Their role now (a changed role takes effect at once).
    pub role: String,
    /// The token every form of this session carries.
    pub csrf: String,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

/// The console's users and sessions.
pub trait ConsoleUsers {
    /// Adds a user; `Ok(false)` when the name is taken.
    fn add_user(&self, user: &ConsoleUser) -> Result<bool>;

    /// Changes a user's role and password hash; `Ok(false)` when there is no such user.
    /// Their sessions end.
    fn update_user(&self, name: &str, role: &str, password_hash: &str) -> Result<bool>;

    /// Removes a user and their sessions; `Ok(false)` when there was none.
    fn remove_user(&self, name: &str) -> Result<bool>;

    /// Every user, by name.
    fn users(&self) -> Result<Vec<ConsoleUser>>;

    /// One user.
    fn user(&self, name: &str) -> Result<Option<ConsoleUser>>;

    /// Stores a new session.
    fn open_session(
        &self,
        token_hash: &str,
        user: &str,
        csrf: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;

    /// The session with this token hash, if it has not ended by `now`.
    fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<ConsoleSession>>;

    /// Ends a session (log out), and every session that ended before `now`.
    fn close_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()>;
}
