//! Initial passwords: random, long, and meeting AD's complexity rule (three of four character
//! classes), sent as `unicodePwd`, which AD accepts only over an encrypted connection.

use tessera_sdk::ConnectorError;

const LENGTH: usize = 24;
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#%+-.:=?@_";

/// A fresh random password with every character class present. Nobody learns it: the account
/// is meant to get its real password through the organisation's own reset process.
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

/// The `unicodePwd` value: the password in double quotes, as UTF-16LE.
pub fn unicode_pwd(password: &str) -> Vec<u8> {
    format!("\"{password}\"")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
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
    }

    #[test]
    fn unicode_pwd_is_quoted_utf16le() {
        assert_eq!(unicode_pwd("Ab1"), b"\"\0A\0b\x001\0\"\0".to_vec());
    }
}
