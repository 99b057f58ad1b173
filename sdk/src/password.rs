//! Initial passwords for new accounts: random, long, and meeting the complexity rule Active
//! Directory and Entra ID share (three of four character classes; every class is present).
//! Nobody learns them: the account gets its real password through the organisation's own
//! reset or onboarding process.

use crate::ConnectorError;

const LENGTH: usize = 24;
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#%+-.:=?@_";

/// A fresh random password with every character class present, from the operating system's
/// cryptographic source (on `wasm32-wasip2`, `wasi:random`).
pub fn random() -> Result<String, ConnectorError> {
    let mut bytes = [0u8; LENGTH];
    getrandom::fill(&mut bytes)
        .map_err(|e| ConnectorError::Other(format!("no random source for a password: {e}")))?;
    Ok(from_bytes(&bytes))
}

/// Maps random bytes to a password; the first four positions take one of each class.
fn from_bytes(bytes: &[u8]) -> String {
    let classes = [LOWER, UPPER, DIGITS, SYMBOLS];
    let all: Vec<u8> = classes.concat();
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let set: &[u8] = classes.get(i).copied().unwrap_or(&all);
            // The modulo bias (at most 256 / 11 parts in 256) costs well under a bit of the
            // roughly 140 bits in 24 characters.
            char::from(set[usize::from(*b) % set.len()])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_have_every_class_and_differ() {
        let a = from_bytes(&[7u8; LENGTH]);
        assert_eq!(a.len(), LENGTH);
        for class in [LOWER, UPPER, DIGITS, SYMBOLS] {
            assert!(a.bytes().any(|b| class.contains(&b)), "{a}");
        }
        assert_ne!(from_bytes(&[1u8; LENGTH]), from_bytes(&[2u8; LENGTH]));
        assert_ne!(random().expect("random"), random().expect("random"));
    }
}
