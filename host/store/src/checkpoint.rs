//! Signed checkpoints of the audit chain.
//!
//! The hash chain shows any edit *inside* the log, but whoever can write the database can also
//! delete its newest records, or rewrite the whole chain with fresh hashes, and the chain still
//! walks. A checkpoint is the chain head (`seq`, `hash`) signed with Ed25519 under a key derived
//! from the vault key, which never enters the database: a rewritten chain no longer matches the
//! signed hashes, and a truncated one lacks the records the checkpoints name. Exported
//! checkpoints (kept where the database cannot reach) catch a truncation that also deleted the
//! stored checkpoints. A *cut* is a checkpoint that marks where retention removed older
//! records: the chain then starts from its signed hash instead of the genesis hash.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::VaultKey;
use crate::error::{Error, Result};
use crate::fmt_time;

/// What a checkpoint marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckpointKind {
    /// The chain's head when it was signed.
    Head,
    /// The last record retention removed; the chain goes on from its hash.
    Cut,
}

impl CheckpointKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Cut => "cut",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "head" => Some(Self::Head),
            "cut" => Some(Self::Cut),
            _ => None,
        }
    }
}

/// A signed statement: "record `seq` of this chain had hash `hash` at `at`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Head or cut.
    pub kind: CheckpointKind,
    /// The record it names.
    pub seq: i64,
    /// That record's hash.
    pub hash: String,
    /// When it was signed.
    pub at: DateTime<Utc>,
    /// The Ed25519 signature over [`Checkpoint::message`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// The signed bytes; versioned, so a later format cannot be confused with this one.
    fn message(kind: CheckpointKind, seq: i64, hash: &str, at: DateTime<Utc>) -> String {
        format!(
            "tessera-audit-checkpoint-v1\n{}\n{seq}\n{hash}\n{}",
            kind.as_str(),
            fmt_time(at)
        )
    }

    /// Whether `key` signed exactly this checkpoint.
    pub fn verifies(&self, key: &CheckpointVerifier) -> bool {
        let Ok(bytes) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&bytes) else {
            return false;
        };
        let message = Self::message(self.kind, self.seq, &self.hash, self.at);
        key.0.verify(message.as_bytes(), &signature).is_ok()
    }
}

/// The signing key, derived from the vault key.
pub struct CheckpointKey(SigningKey);

/// The public half, which an auditor can hold without any secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointVerifier(VerifyingKey);

const PURPOSE: &str = "tessera audit checkpoint signing key v1";

impl CheckpointKey {
    /// The installation's checkpoint key: the same vault key always gives the same key.
    pub fn from_vault_key(key: &VaultKey) -> Self {
        Self(SigningKey::from_bytes(&key.derive(PURPOSE)))
    }

    /// Signs the record `seq` with `hash`.
    pub fn sign(
        &self,
        kind: CheckpointKind,
        seq: i64,
        hash: &str,
        at: DateTime<Utc>,
    ) -> Checkpoint {
        let message = Checkpoint::message(kind, seq, hash, at);
        Checkpoint {
            kind,
            seq,
            hash: hash.to_owned(),
            at,
            signature: hex::encode(self.0.sign(message.as_bytes()).to_bytes()),
        }
    }

    /// The public key.
    pub fn verifier(&self) -> CheckpointVerifier {
        CheckpointVerifier(self.0.verifying_key())
    }
}

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointKey(public {})", self.verifier().to_hex())
    }
}

impl CheckpointVerifier {
    /// Parses the 64 hex characters [`CheckpointVerifier::to_hex`] prints.
    pub fn from_hex(text: &str) -> Result<Self> {
        let bad = || Error::InvalidVaultKey {
            problem: "not an audit checkpoint public key (64 hex characters)",
        };
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(bad)?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| bad())
    }

    /// The key as hex, for an auditor's records and for `audit verify --public-key`.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_only_unchanged_and_under_its_key() {
        let vault = VaultKey::generate().expect("key");
        let key = CheckpointKey::from_vault_key(&vault);
        let again = CheckpointKey::from_vault_key(&vault);
        assert_eq!(key.verifier(), again.verifier(), "derived, not random");
        let at = "2026-12-03T10:00:00Z".parse().expect("time");
        let cp = key.sign(CheckpointKind::Head, 7, "ab12", at);
        let verifier = key.verifier();
        assert!(cp.verifies(&verifier));
        let parsed = CheckpointVerifier::from_hex(&verifier.to_hex()).expect("hex");
        assert!(cp.verifies(&parsed));
        for changed in [
            Checkpoint {
                seq: 6,
                ..cp.clone()
            },
            Checkpoint {
                hash: "ab13".into(),
                ..cp.clone()
            },
            Checkpoint {
                kind: CheckpointKind::Cut,
                ..cp.clone()
            },
            Checkpoint {
                signature: "00".into(),
                ..cp.clone()
            },
        ] {
            assert!(!changed.verifies(&verifier), "{changed:?}");
        }
        let other = CheckpointKey::from_vault_key(&VaultKey::generate().expect("key"));
        assert!(!cp.verifies(&other.verifier()));
    }
}
