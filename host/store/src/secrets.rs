//! The secret vault and per-plugin state.
//!
//! Secrets are encrypted with XChaCha20-Poly1305 under the operator's [`VaultKey`], which never
//! enters the database. Every write draws a fresh random 24-byte nonce (too large for random
//! nonces to collide), and the secret's name is the associated data, so a ciphertext copied to
//! another name fails to decrypt instead of handing one system another system's password.
//!
//! `vault_meta` holds the encryption of a fixed text, written with the first secret. A key that
//! cannot decrypt it is reported as the wrong key for the whole vault, rather than as every
//! secret being damaged. Once written, it binds the vault to that key for good.
//!
//! Values are never logged, put in errors or audited; only names are.

mod key;
mod state;

use chacha20poly1305::aead::{Aead, Generate, Payload};
use chacha20poly1305::{AeadInOut, XNonce};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{Error, Result, SqlContext};
use crate::{AuditRecord, Store, fmt_time, parse_time};

pub use key::VaultKey;

/// What `vault_meta` encrypts; its content does not matter, only that it decrypts.
const KEY_CHECK_TEXT: &[u8] = b"tessera vault key check";
/// `:` cannot occur in a secret name, so no secret's ciphertext can stand in for the check.
const KEY_CHECK_AAD: &[u8] = b"vault_meta:key-check";
/// Longest secret name.
const MAX_NAME: usize = 128;

/// A stored secret's name and when it last changed; never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretInfo {
    /// The name systems are granted.
    pub name: String,
    /// When it was last set.
    pub changed_at: DateTime<Utc>,
}

impl Store {
    /// Encrypts and stores `value` under `name`, replacing any earlier value, and audits the
    /// change (by name only).
    pub fn set_secret(
        &self,
        key: &VaultKey,
        name: &str,
        value: &[u8],
        at: DateTime<Utc>,
    ) -> Result<()> {
        check_name(name)?;
        // Immediate, so two first writers cannot both create a key check.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .ctx("starting a secret write")?;
        if !self.key_opens_vault(&tx, key)? {
            let (nonce, check) = seal(key, KEY_CHECK_AAD, KEY_CHECK_TEXT, "key check")?;
            tx.execute(
                "INSERT INTO vault_meta (id, nonce, key_check) VALUES (1, ?1, ?2)",
                params![nonce.as_slice(), check],
            )
            .ctx("writing the vault key check")?;
        }
        let (nonce, ciphertext) = seal(key, name.as_bytes(), value, name)?;
        tx.execute(
            "INSERT INTO secrets (name, nonce, ciphertext, changed_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, \
             ciphertext = excluded.ciphertext, changed_at = excluded.changed_at",
            params![name, nonce.as_slice(), ciphertext, fmt_time(at)],
        )
        .ctx("writing a secret")?;
        tx.commit().ctx("writing a secret")?;
        // The audit chain runs its own transaction, so it follows the commit.
        self.append_audit(&secret_record("secret-set", name, at))?;
        Ok(())
    }

    /// The decrypted value of `name`, or `None` when there is no such secret.
    pub fn secret(&self, key: &VaultKey, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        check_name(name)?;
        if !self.key_opens_vault(&self.conn, key)? {
            // No key check means no secret was ever written.
            return Ok(None);
        }
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT nonce, ciphertext FROM secrets WHERE name = ?1",
                [name],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .ctx("reading a secret")?;
        let Some((nonce, ciphertext)) = row else {
            return Ok(None);
        };
        open(key, name.as_bytes(), &nonce, &ciphertext)
            .map(Some)
            .ok_or_else(|| Error::SecretUnreadable {
                name: name.to_owned(),
            })
    }

    /// Every secret's name and last change, by name.
    pub fn secret_names(&self) -> Result<Vec<SecretInfo>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, changed_at FROM secrets ORDER BY name")
            .ctx("listing secrets")?;
        let rows = stmt.query_map([], |row| {
            Ok(SecretInfo {
                name: row.get(0)?,
                changed_at: parse_time(&row.get::<_, String>(1)?)?,
            })
        });
        rows.ctx("listing secrets")?
            .collect::<rusqlite::Result<_>>()
            .ctx("listing secrets")
    }

    /// Removes a secret; `false` when there was none. A removal is audited.
    pub fn delete_secret(&self, name: &str, at: DateTime<Utc>) -> Result<bool> {
        check_name(name)?;
        let n = self
            .conn
            .execute("DELETE FROM secrets WHERE name = ?1", [name])
            .ctx("deleting a secret")?;
        if n > 0 {
            self.append_audit(&secret_record("secret-delete", name, at))?;
        }
        Ok(n > 0)
    }

    /// `true` when the vault has a key check and `key` opens it, `false` when it has none yet.
    fn key_opens_vault(&self, conn: &Connection, key: &VaultKey) -> Result<bool> {
        let row: Option<(Vec<u8>, Vec<u8>)> = conn
            .query_row(
                "SELECT nonce, key_check FROM vault_meta WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .ctx("reading the vault key check")?;
        let Some((nonce, check)) = row else {
            return Ok(false);
        };
        match open(key, KEY_CHECK_AAD, &nonce, &check) {
            Some(_) => Ok(true),
            None => Err(Error::WrongVaultKey {
                path: self.path.clone(),
            }),
        }
    }
}

/// Checks a secret name: 1 to 128 characters of `A-Z a-z 0-9 . _ -`.
pub(crate) fn check_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > MAX_NAME || !name.chars().all(allowed) {
        return Err(Error::InvalidSecretName(name.to_owned()));
    }
    Ok(())
}

/// Encrypts under a fresh nonce; `name` only labels the error.
fn seal(key: &VaultKey, aad: &[u8], msg: &[u8], name: &str) -> Result<(XNonce, Vec<u8>)> {
    let nonce = XNonce::try_generate().map_err(|e| Error::Random(e.to_string()))?;
    let ciphertext = key
        .cipher()
        .encrypt(&nonce, Payload { msg, aad })
        .map_err(|_| Error::Encryption {
            name: name.to_owned(),
        })?;
    Ok((nonce, ciphertext))
}

/// Decrypts in a buffer that is wiped on drop; `None` when authentication fails.
fn open(key: &VaultKey, aad: &[u8], nonce: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let nonce = XNonce::try_from(nonce).ok()?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    key.cipher()
        .decrypt_in_place(&nonce, aad, &mut *buffer)
        .ok()?;
    Some(buffer)
}

fn secret_record(action: &str, name: &str, at: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        at,
        action: action.to_owned(),
        after: Some(serde_json::json!({ "secret": name })),
        outcome: "ok".to_owned(),
        ..AuditRecord::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &[u8] = b"correct-horse-battery-staple-7731";

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    fn store_with_secret() -> (Store, VaultKey) {
        let store = Store::open_in_memory().expect("open");
        let key = VaultKey::generate().expect("key");
        store
            .set_secret(&key, "hr.api-token", VALUE, now())
            .expect("set");
        (store, key)
    }

    #[test]
    fn round_trip_and_overwrite() {
        let (store, key) = store_with_secret();
        let value = store.secret(&key, "hr.api-token").expect("get");
        assert_eq!(value.as_deref().map(Vec::as_slice), Some(VALUE));
        store
            .set_secret(&key, "hr.api-token", b"new", now())
            .expect("set");
        let value = store.secret(&key, "hr.api-token").expect("get");
        assert_eq!(value.as_deref().map(Vec::as_slice), Some(&b"new"[..]));
        assert_eq!(store.secret(&key, "absent").expect("get"), None);
    }

    #[test]
    fn a_wrong_key_is_reported_as_such() {
        let (store, _) = store_with_secret();
        let wrong = VaultKey::generate().expect("key");
        for err in [
            store.secret(&wrong, "hr.api-token").expect_err("read"),
            store.secret(&wrong, "absent").expect_err("read absent"),
            store
                .set_secret(&wrong, "other", b"x", now())
                .expect_err("write"),
        ] {
            assert!(matches!(err, Error::WrongVaultKey { .. }), "{err:?}");
            assert!(
                err.to_string()
                    .contains("this key does not open this vault")
            );
        }
        assert_eq!(store.secret_names().expect("names").len(), 1);
    }

    #[test]
    fn tampered_ciphertext_is_refused() {
        let (store, key) = store_with_secret();
        let mut ct: Vec<u8> = store
            .conn
            .query_row("SELECT ciphertext FROM secrets", [], |r| r.get(0))
            .expect("read");
        ct[3] ^= 0x01;
        store
            .conn
            .execute("UPDATE secrets SET ciphertext = ?1", [ct])
            .expect("tamper");
        let err = store.secret(&key, "hr.api-token").expect_err("tampered");
        assert!(matches!(err, Error::SecretUnreadable { ref name } if name == "hr.api-token"));
    }

    #[test]
    fn a_ciphertext_moved_to_another_name_is_refused() {
        let (store, key) = store_with_secret();
        store
            .execute_raw(
                "INSERT INTO secrets SELECT 'ad.password', nonce, ciphertext, changed_at \
                 FROM secrets WHERE name = 'hr.api-token'",
            )
            .expect("copy");
        let err = store.secret(&key, "ad.password").expect_err("moved");
        assert!(matches!(err, Error::SecretUnreadable { .. }), "{err:?}");
        assert!(!err.to_string().contains("correct-horse"), "{err}");
    }

    #[test]
    fn the_database_file_holds_no_plaintext() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let store = Store::open(&path).expect("open");
        let key = VaultKey::generate().expect("key");
        store
            .set_secret(&key, "hr.api-token", VALUE, now())
            .expect("set");
        let audit = store
            .export_audit(crate::ExportFormat::Json, None)
            .expect("audit");
        assert!(audit.contains("hr.api-token") && audit.contains("secret-set"));
        drop(store);
        for entry in std::fs::read_dir(dir.path()).expect("list") {
            let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
            assert!(!bytes.windows(VALUE.len()).any(|w| w == VALUE));
            let hex_key = key.to_hex();
            assert!(!bytes.windows(64).any(|w| w == hex_key.as_bytes()));
        }
        let store = Store::open(&path).expect("reopen");
        let value = store.secret(&key, "hr.api-token").expect("get");
        assert_eq!(value.as_deref().map(Vec::as_slice), Some(VALUE));
    }

    #[test]
    fn names_list_and_delete_never_show_values() {
        let (store, key) = store_with_secret();
        store
            .set_secret(&key, "ad.bind", b"pw", now())
            .expect("set");
        let names: Vec<String> = store
            .secret_names()
            .expect("names")
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["ad.bind", "hr.api-token"]);
        assert!(store.delete_secret("ad.bind", now()).expect("delete"));
        assert!(!store.delete_secret("ad.bind", now()).expect("delete again"));
        assert_eq!(store.secret(&key, "ad.bind").expect("get"), None);
        let actions: Vec<String> = store
            .audit_entries(None)
            .expect("audit")
            .into_iter()
            .map(|e| e.record.action)
            .collect();
        assert_eq!(actions, ["secret-set", "secret-set", "secret-delete"]);
    }

    #[test]
    fn names_are_checked() {
        for name in ["ok", "A.b_c-9", &"x".repeat(128)] {
            assert!(check_name(name).is_ok(), "{name}");
        }
        for name in ["", "a b", "a/b", "a:b", "é", &"x".repeat(129)] {
            assert!(check_name(name).is_err(), "{name}");
        }
        let store = Store::open_in_memory().expect("open");
        let key = VaultKey::generate().expect("key");
        let err = store
            .set_secret(&key, "no way", b"x", now())
            .expect_err("name");
        assert!(matches!(err, Error::InvalidSecretName(_)));
    }
}
