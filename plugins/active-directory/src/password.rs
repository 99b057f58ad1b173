//! The initial password's wire form: AD takes it as `unicodePwd`, and only over an encrypted
//! connection. The password itself comes from [`tessera_sdk::password::random`].

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
    fn unicode_pwd_is_quoted_utf16le() {
        assert_eq!(unicode_pwd("Ab1"), b"\"\0A\0b\x001\0\"\0".to_vec());
    }
}
