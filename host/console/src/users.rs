//! Console users: added by `tessera user add` or by an admin in the console, each with one
//! role and an argon2id password hash. Every change is audited.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use tessera_store::{AuditRecord, ConsoleUser, Store};

use crate::error::{Error, Result};
use crate::role::Role;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A password's argon2id hash (the crate's recommended parameters) with a fresh salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Password(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Password(e.to_string()))
}

/// Whether `password` matches a stored hash; an unreadable hash matches nothing.
pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to check against when the user does not exist, so a wrong name takes as long as
/// a wrong password and names cannot be told apart by timing.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

fn check(name: &str, password: &str) -> Result<()> {
    let valid_name = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if !valid_name {
        return Err(Error::BadRequest(format!(
            "user name `{}`: use 1 to 64 letters, digits, `.`, `_`, `-` or `@`",
            name.chars().take(64).collect::<String>()
        )));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::BadRequest(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// Adds a user; refuses a taken name, a bad name or a short password. `by` is who added them.
pub fn add_user(
    store: &dyn Store,
    (name, role, password): (&str, Role, &str),
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    check(name, password)?;
    let user = ConsoleUser {
        name: name.to_owned(),
        role: role.as_str().to_owned(),
        password_hash: hash_password(password)?,
        created_at: now,
    };
    if !store.add_user(&user)? {
        return Err(Error::BadRequest(format!("user `{name}` exists already")));
    }
    audit(store, "console-user-add", name, Some(role), by, now)
}

/// Gives an existing user a new role and password; their sessions end.
pub fn set_user(
    store: &dyn Store,
    (name, role, password): (&str, Role, &str),
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    check(name, password)?;
    if !store.update_user(name, role.as_str(), &hash_password(password)?)? {
        return Err(Error::NotFound(format!("no console user `{name}`")));
    }
    audit(store, "console-user-change", name, Some(role), by, now)
}

/// Removes a user and ends their sessions.
pub fn remove_user(store: &dyn Store, name: &str, by: &str, now: DateTime<Utc>) -> Result<()> {
    if name == by {
        return Err(Error::BadRequest(
            "you cannot remove yourself; another admin can".to_owned(),
        ));
    }
    if !store.remove_user(name)? {
        return Err(Error::NotFound(format!("no console user `{name}`")));
    }
    audit(store, "console-user-remove", name, None, by, now)
}

fn audit(
    store: &dyn Store,
    action: &str,
    name: &str,
    role: Option<Role>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    store.append_audit(&AuditRecord {
        at: now,
        action: action.to_owned(),
        after: Some(serde_json::json!({"user": name, "role": role.map(Role::as_str)})),
        actor: Some(by.to_owned()),
        outcome: "ok".to_owned(),
        ..AuditRecord::default()
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_store::AuditLog;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(hash, hash_password("correct horse battery").expect("again"));
    }

    #[test]
    fn bad_names_and_short_passwords_are_refused_and_adds_are_audited() {
        let store = tessera_store::SqliteStore::open_in_memory().expect("store");
        let now = Utc::now();
        let short = add_user(&store, ("rita", Role::Reviewer, "short"), "cli", now);
        assert!(matches!(short, Err(Error::BadRequest(m)) if m.contains("12")));
        let odd = add_user(
            &store,
            ("ri ta", Role::Reviewer, "long enough pass"),
            "cli",
            now,
        );
        assert!(matches!(odd, Err(Error::BadRequest(m)) if m.contains("user name")));
        add_user(
            &store,
            ("rita", Role::Reviewer, "long enough pass"),
            "cli",
            now,
        )
        .expect("add");
        let again = add_user(
            &store,
            ("rita", Role::Auditor, "long enough pass"),
            "cli",
            now,
        );
        assert!(matches!(again, Err(Error::BadRequest(m)) if m.contains("exists")));
        let entries = store.audit_entries(None).expect("audit");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].record.action, "console-user-add");
        let text = serde_json::to_string(&entries[0].record).expect("json");
        assert!(
            !text.contains("argon2") && !text.contains("long enough"),
            "{text}"
        );
    }
}
