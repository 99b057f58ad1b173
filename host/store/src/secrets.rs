//! Secrets: credentials by name, encrypted at rest under the vault key.
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

use chacha20poly1305::aead::{Aead, Generate, Payload};
use chacha20poly1305::{AeadInOut, XNonce};
use chrono::{DateTime, Utc};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::AuditRecord;
use crate::error::{Error, Result};

pub use key::VaultKey;

/// What `vault_meta` encrypts; its content does not matter, only that it decrypts.
pub(crate) const KEY_CHECK_TEXT: &[u8] = b"tessera vault key check";
/// `:` cannot occur in a secret name, so no secret's ciphertext can stand in for the check.
pub(crate) const KEY_CHECK_AAD: &[u8] = b"vault_meta:key-check";
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

/// Encrypted secrets. Every backend seals values with [`seal`] under the secret's name and
/// keeps a key check sealed under [`KEY_CHECK_AAD`].
pub trait Secrets {
    /// Encrypts and stores `value` under `name`, replacing any earlier value, and audits the
    /// change (by name only).
    fn set_secret(&self, key: &VaultKey, name: &str, value: &[u8], at: DateTime<Utc>)
    -> Result<()>;

    /// The decrypted value of `name`, or `None` when there is no such secret.
    fn secret(&self, key: &VaultKey, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>>;

    /// Every secret's name and last change, by name.
    fn secret_names(&self) -> Result<Vec<SecretInfo>>;

    /// Removes a secret; `false` when there was none. A removal is audited.
    fn delete_secret(&self, name: &str, at: DateTime<Utc>) -> Result<bool>;
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
pub(crate) fn seal(
    key: &VaultKey,
    aad: &[u8],
    msg: &[u8],
    name: &str,
) -> Result<(XNonce, Vec<u8>)> {
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
pub(crate) fn open(
    key: &VaultKey,
    aad: &[u8],
    nonce: &[u8],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let nonce = XNonce::try_from(nonce).ok()?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    key.cipher()
        .decrypt_in_place(&nonce, aad, &mut *buffer)
        .ok()?;
    Some(buffer)
}

pub(crate) fn secret_record(action: &str, name: &str, at: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        at,
        action: action.to_owned(),
        after: Some(serde_json::json!({ "secret": name })),
        outcome: "ok".to_owned(),
        ..AuditRecord::default()
    }
}
