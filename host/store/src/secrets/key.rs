//! The vault key: 32 random bytes that never enter the database.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use chacha20poly1305::aead::Generate;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Key length in bytes.
const KEY_LEN: usize = 32;

/// A key file is 64 hex characters and some whitespace; anything much longer is not one, and
/// reading it whole would only copy more of someone's file into memory.
const MAX_KEY_FILE: u64 = 1024;

/// The key that encrypts every secret in a vault. Wiped from memory when dropped; its `Debug`
/// output never shows the bytes.
#[derive(Clone)]
pub struct VaultKey(Zeroizing<[u8; KEY_LEN]>);

impl VaultKey {
    /// Parses 64 hexadecimal characters; surrounding whitespace is ignored.
    pub fn from_hex(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.len() != 2 * KEY_LEN {
            return Err(Error::InvalidVaultKey {
                problem: "expected 64 hexadecimal characters",
            });
        }
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        // The hex error names the offending character, which is part of the key: drop it.
        hex::decode_to_slice(text, &mut *bytes).map_err(|_| Error::InvalidVaultKey {
            problem: "expected only hexadecimal characters (0-9, a-f)",
        })?;
        Ok(Self(bytes))
    }

    /// Reads a key file written by [`VaultKey::to_hex`] (64 hex characters, whitespace around
    /// them ignored).
    ///
    /// On unix a file that group or others may read or write is refused, as ssh refuses such
    /// private keys: anyone who can read it can read every secret, and anyone who can write it
    /// can lock the operator out.
    pub fn from_file(path: &Path) -> Result<Self> {
        let key_file = |problem: String| Error::KeyFile {
            path: path.to_owned(),
            problem,
        };
        let file = File::open(path).map_err(|e| key_file(format!("cannot open it: {e}")))?;
        check_private(&file).map_err(key_file)?;
        let mut text = Zeroizing::new(String::with_capacity(MAX_KEY_FILE as usize + 1));
        file.take(MAX_KEY_FILE + 1)
            .read_to_string(&mut text)
            .map_err(|e| key_file(format!("cannot read it as text: {e}")))?;
        if text.len() as u64 > MAX_KEY_FILE {
            return Err(key_file("is too long to be a vault key".to_owned()));
        }
        Self::from_hex(&text).map_err(|e| key_file(e.to_string()))
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Self> {
        let bytes = <[u8; KEY_LEN]>::try_generate().map_err(|e| Error::Random(e.to_string()))?;
        Ok(Self(Zeroizing::new(bytes)))
    }

    /// The key as 64 lowercase hex characters, for a key file or an environment variable.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.0))
    }

    /// The key that authenticates compiled plugins cached on disk (see the runtime's
    /// `CompiledCache`).
    pub fn compiled_cache_key(&self) -> Zeroizing<[u8; KEY_LEN]> {
        self.derive("tessera compiled plugin cache v1")
    }

    /// A key for another purpose, derived so that neither reveals the other: SHA-256 over a
    /// purpose label and this key.
    pub(crate) fn derive(&self, purpose: &str) -> Zeroizing<[u8; KEY_LEN]> {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(purpose.as_bytes());
        hasher.update([0u8]);
        hasher.update(*self.0);
        Zeroizing::new(hasher.finalize().into())
    }

    /// The cipher this key drives.
    pub(crate) fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.0).into())
    }
}

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey(<redacted>)")
    }
}

#[cfg(unix)]
fn check_private(file: &File) -> std::result::Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read its permissions: {e}"))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "group or others may access it (mode {mode:03o}); restrict it with `chmod 600`"
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_file: &File) -> std::result::Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn hex_round_trip_ignores_whitespace() {
        let key = VaultKey::from_hex(&format!("  {HEX}\n")).expect("parse");
        assert_eq!(key.to_hex().as_str(), HEX);
        let other = VaultKey::generate().expect("generate");
        assert_ne!(other.to_hex().as_str(), HEX);
    }

    #[test]
    fn bad_hex_is_refused_without_echoing_it() {
        let short = VaultKey::from_hex("abcd").expect_err("short");
        assert!(short.to_string().contains("64 hexadecimal"), "{short}");
        let bad = format!("{}zz", &HEX[..62]);
        let err = VaultKey::from_hex(&bad).expect_err("not hex");
        assert!(!err.to_string().contains("zz"), "{err}");
    }

    #[test]
    fn debug_hides_the_bytes() {
        let key = VaultKey::from_hex(HEX).expect("parse");
        let text = format!("{key:?}");
        assert!(!text.contains("0a0b") && !text.contains("10"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn key_files_must_be_private_and_well_formed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vault.key");
        std::fs::write(&path, format!("{HEX}\n")).expect("write");
        let perms = |mode| std::fs::Permissions::from_mode(mode);
        std::fs::set_permissions(&path, perms(0o644)).expect("chmod");
        let err = VaultKey::from_file(&path).expect_err("exposed");
        assert!(err.to_string().contains("vault.key"), "{err}");
        assert!(err.to_string().contains("chmod 600"), "{err}");
        std::fs::set_permissions(&path, perms(0o600)).expect("chmod");
        let key = VaultKey::from_file(&path).expect("private");
        assert_eq!(key.to_hex().as_str(), HEX);
        std::fs::write(&path, "nope").expect("write");
        let err = VaultKey::from_file(&path).expect_err("malformed");
        assert!(err.to_string().contains("vault.key"), "{err}");
        let missing = VaultKey::from_file(&dir.path().join("absent.key")).expect_err("missing");
        assert!(missing.to_string().contains("absent.key"), "{missing}");
    }
}
