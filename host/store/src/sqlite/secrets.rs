//! Secrets in SQLite: nonce and ciphertext per name, and the key check in `vault_meta`.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use zeroize::Zeroizing;

use super::{SqliteStore, fmt_time, parse_time};
use crate::audit::AuditLog;
use crate::error::{Error, Result, SqlContext};
use crate::secrets::{
    KEY_CHECK_AAD, KEY_CHECK_TEXT, SecretInfo, Secrets, VaultKey, check_name, open, seal,
    secret_record,
};

impl Secrets for SqliteStore {
    fn set_secret(
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

    fn secret(&self, key: &VaultKey, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
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

    fn secret_names(&self) -> Result<Vec<SecretInfo>> {
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

    fn delete_secret(&self, name: &str, at: DateTime<Utc>) -> Result<bool> {
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
}

impl SqliteStore {
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

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &[u8] = b"correct-horse-battery-staple-7731";

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    fn store_with_secret() -> (SqliteStore, VaultKey) {
        let store = SqliteStore::open_in_memory().expect("open");
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
        let store = SqliteStore::open(&path).expect("open");
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
        let store = SqliteStore::open(&path).expect("reopen");
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
        let store = SqliteStore::open_in_memory().expect("open");
        let key = VaultKey::generate().expect("key");
        let err = store
            .set_secret(&key, "no way", b"x", now())
            .expect_err("name");
        assert!(matches!(err, Error::InvalidSecretName(_)));
    }
}
