//! The store behind the plugin runtime's secrets, state and audit trail.
//!
//! The runtime asks through [`HostServices`]; this answers from the SQLite store with its own
//! connection, so a plugin's host calls never wait on the engine's transactions in Rust (SQLite
//! still serialises the writes).

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::Utc;
use tessera_runtime::{AccessEvent, HostServices, ServiceError, StateScope};
use tessera_store::{AuditLog, AuditRecord, PluginState, Secrets, SqliteStore, VaultKey};
use zeroize::Zeroizing;

/// What to do about a missing key, for every message that reports one.
pub const KEY_HINT: &str = "set `key_file` under `[vault]` in the configuration, or the \
     TESSERA_VAULT_KEY environment variable, to the 64 hex characters of the vault key \
     (`tessera secret keygen FILE` makes one)";

/// Secrets, state and audit from the store.
#[derive(Debug)]
pub struct StoreServices {
    store: Mutex<SqliteStore>,
    key: Option<VaultKey>,
}

impl StoreServices {
    /// Serves from `store`; without a key every secret read fails as locked.
    pub fn new(store: SqliteStore, key: Option<VaultKey>) -> Self {
        Self {
            store: Mutex::new(store),
            key,
        }
    }

    fn store(&self) -> MutexGuard<'_, SqliteStore> {
        // Every store write is one transaction, rolled back if a panic interrupted it, so the
        // connection behind a poisoned lock is still consistent.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Store errors as the runtime reports them; none carries a secret value.
fn service_error(err: tessera_store::Error) -> ServiceError {
    use tessera_store::Error as E;
    match err {
        E::StateTooLarge { .. } => ServiceError::TooLarge(err.to_string()),
        E::WrongVaultKey { .. } => ServiceError::Locked(err.to_string()),
        _ => ServiceError::Backend(err.to_string()),
    }
}

/// Secret bytes as text, wiping them on the way whether or not they are UTF-8.
fn into_text(mut bytes: Zeroizing<Vec<u8>>, name: &str) -> Result<Zeroizing<String>, ServiceError> {
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(ServiceError::Backend(format!(
                "secret `{name}` is not UTF-8 text"
            )))
        }
    }
}

/// The vault name of a kept OAuth2 token: `tessera secret list` shows them by this name.
fn token_name(key: &str) -> String {
    format!("oauth2-token.{key}")
}

impl HostServices for StoreServices {
    fn secret(&self, name: &str) -> Result<Option<Zeroizing<String>>, ServiceError> {
        let Some(key) = &self.key else {
            return Err(ServiceError::Locked(format!("no vault key: {KEY_HINT}")));
        };
        let value = self.store().secret(key, name).map_err(service_error)?;
        value.map(|bytes| into_text(bytes, name)).transpose()
    }

    /// Kept in the vault, sealed like any secret, as `<unix seconds>\n<token>`.
    fn kept_token(
        &self,
        key: &str,
    ) -> Result<Option<(Zeroizing<String>, SystemTime)>, ServiceError> {
        if self.key.is_none() {
            return Ok(None);
        }
        let Some(text) = self.secret(&token_name(key))? else {
            return Ok(None);
        };
        let Some((secs, token)) = text.split_once('\n') else {
            return Ok(None);
        };
        let until = secs
            .parse()
            .ok()
            .map(|s| UNIX_EPOCH + Duration::from_secs(s));
        Ok(until.map(|u| (Zeroizing::new(token.to_owned()), u)))
    }

    fn keep_token(&self, key: &str, token: &str, until: SystemTime) -> Result<(), ServiceError> {
        let Some(vault) = &self.key else {
            return Ok(());
        };
        let name = token_name(key);
        if token.is_empty() {
            return self
                .store()
                .delete_secret(&name, Utc::now())
                .map(drop)
                .map_err(service_error);
        }
        let secs = until.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let value = Zeroizing::new(format!("{secs}\n{token}"));
        self.store()
            .set_secret(vault, &name, value.as_bytes(), Utc::now())
            .map_err(service_error)
    }

    fn state_get(&self, scope: &StateScope, key: &str) -> Result<Option<Vec<u8>>, ServiceError> {
        self.store()
            .state_get(&scope.plugin, &scope.system, key)
            .map_err(service_error)
    }

    fn state_set(
        &self,
        scope: &StateScope,
        key: &str,
        value: &[u8],
        limit: usize,
    ) -> Result<(), ServiceError> {
        self.store()
            .state_set(&scope.plugin, &scope.system, key, value, limit)
            .map_err(service_error)
    }

    fn state_delete(&self, scope: &StateScope, key: &str) -> Result<(), ServiceError> {
        self.store()
            .state_delete(&scope.plugin, &scope.system, key)
            .map(drop)
            .map_err(service_error)
    }

    fn audit(&self, event: AccessEvent) {
        let record = AuditRecord {
            at: Utc::now(),
            action: event.action,
            system: Some(event.system),
            plugin: Some(event.plugin),
            after: Some(serde_json::json!({ "what": event.what })),
            actor: Some("plugin".to_owned()),
            outcome: event.outcome,
            ..AuditRecord::default()
        };
        // The plugin's call already happened; losing its record must not undo or fail it.
        if let Err(e) = self.store().append_audit(&record) {
            tracing::warn!(
                action = %record.action,
                system = ?record.system,
                "could not record an access event in the audit log: {e}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_config::KEY_ENV;

    fn scope() -> StateScope {
        StateScope {
            plugin: "hr".to_owned(),
            system: "hr-prod".to_owned(),
        }
    }

    fn services(key: Option<VaultKey>) -> StoreServices {
        StoreServices::new(SqliteStore::open_in_memory().expect("store"), key)
    }

    #[test]
    fn without_a_key_secrets_are_locked_with_both_remedies() {
        let err = services(None).secret("token").expect_err("locked");
        let text = err.to_string();
        assert!(matches!(err, ServiceError::Locked(_)), "{err:?}");
        assert!(
            text.contains("key_file") && text.contains(KEY_ENV),
            "{text}"
        );
    }

    #[test]
    fn secrets_come_from_the_encrypted_store() {
        let key = VaultKey::generate().expect("key");
        let services = services(Some(key.clone()));
        services
            .store()
            .set_secret(&key, "token", b"s3cret", Utc::now())
            .expect("set");
        let value = services.secret("token").expect("read");
        assert_eq!(value.as_deref().map(String::as_str), Some("s3cret"));
        assert_eq!(services.secret("absent").expect("read"), None);
        let wrong = self::services(Some(VaultKey::generate().expect("key")));
        wrong
            .store()
            .set_secret(&key, "token", b"s3cret", Utc::now())
            .expect("set");
        let err = wrong.secret("token").expect_err("wrong key");
        assert!(matches!(err, ServiceError::Locked(_)), "{err:?}");
    }

    #[test]
    fn state_limits_surface_as_too_large() {
        let services = services(None);
        services.state_set(&scope(), "k", b"1234", 5).expect("fits");
        let err = services
            .state_set(&scope(), "k", b"12345", 5)
            .expect_err("over");
        assert!(matches!(err, ServiceError::TooLarge(_)), "{err:?}");
        assert_eq!(
            services.state_get(&scope(), "k").expect("get"),
            Some(b"1234".to_vec())
        );
        services.state_delete(&scope(), "k").expect("delete");
        services
            .state_delete(&scope(), "k")
            .expect("absent is fine");
    }

    #[test]
    fn access_events_are_audited() {
        let services = services(None);
        services.audit(AccessEvent {
            plugin: "hr@1.0.0".to_owned(),
            system: "hr-prod".to_owned(),
            action: "secret-read".to_owned(),
            what: "token".to_owned(),
            outcome: "ok".to_owned(),
        });
        let entries = services.store().audit_entries(None).expect("audit");
        let record = &entries.first().expect("one entry").record;
        assert_eq!(record.action, "secret-read");
        assert_eq!(record.plugin.as_deref(), Some("hr@1.0.0"));
        assert_eq!(record.after, Some(serde_json::json!({ "what": "token" })));
    }

    #[test]
    fn oauth2_tokens_are_kept_sealed_until_forgotten() {
        let key = VaultKey::generate().expect("key");
        let services = services(Some(key));
        let until = UNIX_EPOCH + Duration::from_secs(1_900_000_000);
        services
            .keep_token("entra.0a1b", "eyJ0eXAi.token", until)
            .expect("kept");
        let (token, kept_until) = services
            .kept_token("entra.0a1b")
            .expect("read")
            .expect("there");
        assert_eq!((token.as_str(), kept_until), ("eyJ0eXAi.token", until));
        let names = services.store().secret_names().expect("names");
        assert_eq!(names.len(), 1);
        assert_eq!(
            names[0].name, "oauth2-token.entra.0a1b",
            "listed by name, never by value"
        );
        services
            .keep_token("entra.0a1b", "", UNIX_EPOCH)
            .expect("forgotten");
        assert!(services.kept_token("entra.0a1b").expect("read").is_none());
        // Without a vault key nothing is kept, and nothing fails.
        let locked = self::services(None);
        locked.keep_token("entra.0a1b", "t", until).expect("no-op");
        assert!(locked.kept_token("entra.0a1b").expect("read").is_none());
    }
}
