//! minisign signatures over the component bytes, checked against the operator's trusted keys.

use minisign_verify::{PublicKey, Signature};
use serde::{Deserialize, Serialize};

/// What is known about a plugin's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// Installed without a signature.
    Unsigned,
    /// Verified with a trusted key.
    Verified {
        /// The trusted key that verified it (its base64 form).
        key: String,
        /// The signature's trusted comment.
        comment: String,
    },
}

/// Verifies `sig` when given; refuses a missing one when signatures are required.
pub(crate) fn check(
    bytes: &[u8],
    sig: Option<&str>,
    trusted: &[String],
    required: bool,
) -> Result<SignatureStatus, String> {
    let Some(sig) = sig else {
        return if required {
            Err("no signature given, and plugins.require_signatures = true".into())
        } else {
            Ok(SignatureStatus::Unsigned)
        };
    };
    let signature = Signature::decode(sig).map_err(|e| format!("not a minisign signature: {e}"))?;
    if trusted.is_empty() {
        return Err("a signature was given but plugins.trusted_keys is empty".into());
    }
    for key in trusted {
        let Ok(public) = PublicKey::from_base64(key) else {
            continue;
        };
        if public.verify(bytes, &signature, false).is_ok() {
            return Ok(SignatureStatus::Verified {
                key: key.clone(),
                comment: signature.trusted_comment().to_owned(),
            });
        }
    }
    Err("does not verify with any key in plugins.trusted_keys (wrong key, or the file was changed after signing)".into())
}
