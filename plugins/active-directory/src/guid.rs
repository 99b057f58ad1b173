//! objectGUID: the 16 bytes AD stores, the text form operators know, and a search filter.
//!
//! The text form is Microsoft's: the first three fields are little-endian in the bytes, so
//! bytes `2e c7 13 34 ee 3a 5e 49 …` read `3413c72e-3aee-495e-…`, as AD tools show it.

use std::fmt::Write as _;

use tessera_sdk::ConnectorError;

/// Byte order of the text form's 32 hex digits, as indexes into the stored bytes.
const ORDER: [usize; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

/// The text form of a stored GUID; `None` unless it is 16 bytes.
pub fn to_text(bytes: &[u8]) -> Option<String> {
    if bytes.len() != 16 {
        return None;
    }
    let mut out = String::with_capacity(36);
    for (i, &index) in ORDER.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{:02x}", bytes[index]);
    }
    Some(out)
}

/// The stored bytes of a GUID in text form.
pub fn to_bytes(text: &str) -> Option<[u8; 16]> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || text.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, &index) in ORDER.iter().enumerate() {
        out[index] = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// `(objectGUID=\xx…)` for a key, or `invalid` naming the key when it is no GUID.
pub fn filter(key: &str) -> Result<String, ConnectorError> {
    let bytes = to_bytes(key).ok_or_else(|| {
        ConnectorError::invalid("key", format!("`{key}` is not an objectGUID in text form"))
    })?;
    let mut out = String::from("(objectGUID=");
    for b in bytes {
        let _ = write!(out, "\\{b:02x}");
    }
    out.push(')');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORED: [u8; 16] = [
        0x2e, 0xc7, 0x13, 0x34, 0xee, 0x3a, 0x5e, 0x49, 0xa1, 0xbb, 0x45, 0xc0, 0x90, 0xb5, 0x80,
        0x92,
    ];

    #[test]
    fn text_form_matches_what_samba_prints() {
        let text = to_text(&STORED).unwrap();
        assert_eq!(text, "3413c72e-3aee-495e-a1bb-45c090b58092");
        assert_eq!(to_bytes(&text), Some(STORED));
    }

    #[test]
    fn refuses_what_is_not_a_guid() {
        assert_eq!(to_text(&STORED[..15]), None);
        for bad in [
            "",
            "3413c72e",
            "3413c72e-3aee-495e-a1bb-45c090b5809z",
            "x".repeat(36).as_str(),
        ] {
            assert_eq!(to_bytes(bad), None, "{bad}");
            assert!(filter(bad).is_err());
        }
    }

    #[test]
    fn filter_escapes_every_byte() {
        let f = filter("3413c72e-3aee-495e-a1bb-45c090b58092").unwrap();
        assert_eq!(
            f,
            r"(objectGUID=\2e\c7\13\34\ee\3a\5e\49\a1\bb\45\c0\90\b5\80\92)"
        );
    }
}
