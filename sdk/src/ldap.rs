//! Building LDAP filters and DNs from untrusted values.
//!
//! A value from a source system (a name such as `O'Brien, Jr. (IC)*`) must never be pasted
//! into a filter or DN as it is: `*` and `(` change what a filter matches, and `,` or `+`
//! change which entry a DN names. These helpers escape values so they stay values.
//!
//! ```
//! use tessera_sdk::ldap::{child_dn, eq_filter};
//! assert_eq!(eq_filter("cn", "a*"), r"(cn=a\2a)");
//! assert_eq!(child_dn("cn", "Doe, Jane", "ou=people,dc=example,dc=org"),
//!            r"cn=Doe\, Jane,ou=people,dc=example,dc=org");
//! ```

mod directory;

pub use directory::Directory;

use crate::host::errors::HostError;
use crate::host::ldap::{Entry, Modification, ModifyOp};

/// Escapes a value for an RFC 4515 filter: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`,
/// `\29`, `\5c` and `\00`. Everything else, including non-ASCII text, is kept.
pub fn escape_filter_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '*' => out.push_str(r"\2a"),
            '(' => out.push_str(r"\28"),
            ')' => out.push_str(r"\29"),
            '\\' => out.push_str(r"\5c"),
            '\0' => out.push_str(r"\00"),
            _ => out.push(c),
        }
    }
    out
}

/// An equality filter `(attribute=value)` with the value escaped.
pub fn eq_filter(attribute: &str, value: &str) -> String {
    format!("({attribute}={})", escape_filter_value(value))
}

/// Escapes a value for an RFC 4514 DN: `,` `+` `"` `\` `<` `>` `;` `=` get a backslash, as do
/// a leading `#` or space and a trailing space; NUL becomes `\00`.
pub fn escape_dn_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '\0' => out.push_str(r"\00"),
            '#' if i == 0 => out.push_str(r"\#"),
            ' ' if i == 0 || i == last => out.push_str(r"\ "),
            _ => out.push(c),
        }
    }
    out
}

/// A relative DN `attribute=value` with the value escaped.
pub fn rdn(attribute: &str, value: &str) -> String {
    format!("{attribute}={}", escape_dn_value(value))
}

/// The DN of a child of `parent` named by `rdn_attribute=value`. `parent` must already be a
/// valid DN; only `value` is escaped.
pub fn child_dn(rdn_attribute: &str, value: &str, parent: &str) -> String {
    let rdn = rdn(rdn_attribute, value);
    if parent.is_empty() {
        rdn
    } else {
        format!("{rdn},{parent}")
    }
}

/// RFC 4511 result codes connectors branch on, as [`result_code`] returns them.
pub mod code {
    /// The attribute or value to delete is not there.
    pub const NO_SUCH_ATTRIBUTE: u32 = 16;
    /// A value the entry must not hold twice, or a rule of the schema.
    pub const CONSTRAINT_VIOLATION: u32 = 19;
    /// The value to add is already there (a member already in the group).
    pub const ATTRIBUTE_OR_VALUE_EXISTS: u32 = 20;
    /// The entry (or the base of a search) does not exist.
    pub const NO_SUCH_OBJECT: u32 = 32;
    /// The bind account may not do this.
    pub const INSUFFICIENT_ACCESS_RIGHTS: u32 = 50;
    /// The server is busy; retry.
    pub const BUSY: u32 = 51;
    /// The server is unavailable; retry.
    pub const UNAVAILABLE: u32 = 52;
    /// The server will not do it (AD also says this for removing a member not there).
    pub const UNWILLING_TO_PERFORM: u32 = 53;
    /// The entry to add is already there.
    pub const ENTRY_ALREADY_EXISTS: u32 = 68;
}

/// What the LDAP server answered, when a host call failed because the server refused it:
/// result code, its name, the matched DN and the diagnostic message.
#[cfg(not(feature = "wit-0-1"))]
pub fn result(error: &HostError) -> Option<&crate::host::errors::LdapResult> {
    match error {
        HostError::Ldap(r) => Some(r),
        _ => None,
    }
}

/// The LDAP result code of a failed host call, when the server sent one ([`code`] names the
/// usual ones), so a connector can treat "already a member" as success.
#[cfg(not(feature = "wit-0-1"))]
pub fn result_code(error: &HostError) -> Option<u32> {
    result(error).map(|r| r.code)
}

/// The LDAP result code of a failed host call, when the server sent one ([`code`] names the
/// usual ones), so a connector can treat "already a member" as success.
///
/// WIT 0.1 has no case for it: `noSuchObject` (32) arrives as [`HostError::NotFound`], other
/// codes as [`HostError::Other`], both starting with `ldap CODE NAME:`, which this reads.
#[cfg(feature = "wit-0-1")]
pub fn result_code(error: &HostError) -> Option<u32> {
    let (HostError::NotFound(m) | HostError::Other(m)) = error else {
        return None;
    };
    m.strip_prefix("ldap ")?.split(' ').next()?.parse().ok()
}

/// A modification with text values.
pub fn change(op: ModifyOp, attribute: &str, values: Vec<String>) -> Modification {
    Modification {
        op,
        attribute: attribute.to_owned(),
        values,
        binary_values: Vec::new(),
    }
}

/// The text values of an attribute, matched without regard to case as LDAP does.
pub fn values<'e>(entry: &'e Entry, name: &str) -> &'e [String] {
    entry
        .attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .map_or(&[], |a| a.values.as_slice())
}

/// The first text value of an attribute.
pub fn first<'e>(entry: &'e Entry, name: &str) -> Option<&'e str> {
    values(entry, name).first().map(String::as_str)
}

/// The first value of an attribute as bytes: binary values arrive apart, but a value that
/// happens to be valid UTF-8 (a rare objectGUID) arrives as text.
pub fn first_bytes(entry: &Entry, name: &str) -> Option<Vec<u8>> {
    let binary = entry
        .binary_attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .and_then(|a| a.values.first().cloned());
    binary.or_else(|| first(entry, name).map(|s| s.as_bytes().to_vec()))
}

/// Splits a DN into its first RDN and the parent DN, honouring `\,` escapes.
pub fn split_dn(dn: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in dn.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            ',' if !escaped => return (&dn[..i], dn[i + 1..].trim_start()),
            _ => escaped = false,
        }
    }
    (dn, "")
}

/// A DN's RDNs, leaf first, honouring `\,` escapes.
pub fn rdns(dn: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = dn;
    while !rest.is_empty() {
        let (rdn, parent) = split_dn(rest);
        out.push(rdn);
        rest = parent;
    }
    out
}

/// A DN in a form fit for comparing: lower case, no spaces around separators.
pub fn normalise_dn(dn: &str) -> String {
    let lower = dn.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut rest = lower.as_str();
    while !rest.is_empty() {
        let (rdn, parent) = split_dn(rest);
        if !out.is_empty() {
            out.push(',');
        }
        let (attr, value) = rdn.split_once('=').unwrap_or((rdn, ""));
        out.push_str(attr.trim());
        out.push('=');
        out.push_str(value.trim());
        rest = parent;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_at_the_first_unescaped_comma() {
        assert_eq!(
            split_dn(r"CN=O'Brien\, Jr. (IC)*,OU=Staff,DC=x"),
            (r"CN=O'Brien\, Jr. (IC)*", "OU=Staff,DC=x")
        );
        assert_eq!(split_dn(r"CN=a\\,OU=b"), (r"CN=a\\", "OU=b"));
        assert_eq!(split_dn("DC=x"), ("DC=x", ""));
    }

    #[test]
    fn normalised_dns_compare_equal_across_case_and_spacing() {
        assert_eq!(
            normalise_dn("OU=Staff, DC=Tessera,DC=test"),
            normalise_dn("ou=staff,dc=tessera, dc = test")
        );
        assert_ne!(
            normalise_dn(r"CN=a\,b,DC=x"),
            normalise_dn("CN=a,CN=b,DC=x")
        );
    }

    #[cfg(feature = "wit-0-1")]
    #[test]
    fn reads_result_codes_from_the_text_of_wit_0_1() {
        let e = HostError::Other("ldap 68 entryAlreadyExists: cn=x".into());
        assert_eq!(result_code(&e), Some(68));
        assert_eq!(
            result_code(&HostError::NotFound("ldap 32 noSuchObject: x".into())),
            Some(32)
        );
        assert_eq!(result_code(&HostError::Other("boom".into())), None);
        assert_eq!(result_code(&HostError::Timeout("ldap 1 x".into())), None);
    }

    #[cfg(not(feature = "wit-0-1"))]
    fn refused(code: u32, name: &str) -> HostError {
        HostError::Ldap(crate::host::errors::LdapResult {
            code,
            name: name.into(),
            matched_dn: "ou=people,dc=x".into(),
            message: "no".into(),
        })
    }

    #[cfg(not(feature = "wit-0-1"))]
    #[test]
    fn result_codes_are_typed() {
        let e = refused(code::ENTRY_ALREADY_EXISTS, "entryAlreadyExists");
        assert_eq!(result_code(&e), Some(68));
        assert_eq!(
            result(&e).map(|r| r.matched_dn.as_str()),
            Some("ou=people,dc=x")
        );
        // Text that looks like a WIT 0.1 code is only text now.
        assert_eq!(result_code(&HostError::Other("ldap 68 x: y".into())), None);
    }

    #[cfg(not(feature = "wit-0-1"))]
    #[test]
    fn ldap_refusals_become_the_connector_error_they_mean() {
        use crate::ConnectorError as E;
        let into = |code, name| E::from(refused(code, name));
        assert!(
            matches!(into(32, "noSuchObject"), E::NotFound(m) if m == "ldap 32 noSuchObject: no")
        );
        assert!(matches!(
            into(68, "entryAlreadyExists"),
            E::AlreadyExists(_)
        ));
        assert!(matches!(into(50, "insufficientAccessRights"), E::Denied(_)));
        assert!(matches!(into(51, "busy"), E::Unavailable(_)));
        assert!(matches!(into(19, "constraintViolation"), E::Other(_)));
    }

    use super::*;

    #[test]
    fn filter_escapes_the_five_specials() {
        assert_eq!(
            escape_filter_value("a*b(c)d\\e\0f"),
            r"a\2ab\28c\29d\5ce\00f"
        );
        assert_eq!(
            escape_filter_value("Renée O'Brien, Jr."),
            "Renée O'Brien, Jr."
        );
    }

    #[test]
    fn eq_filter_cannot_be_widened_by_its_value() {
        assert_eq!(eq_filter("uid", "*"), r"(uid=\2a)");
        assert_eq!(eq_filter("uid", "x)(uid=*"), r"(uid=x\29\28uid=\2a)");
    }

    #[test]
    fn dn_escapes_specials_anywhere() {
        assert_eq!(
            escape_dn_value(r#"a,b+c"d\e<f>g;h=i"#),
            r#"a\,b\+c\"d\\e\<f\>g\;h\=i"#
        );
        assert_eq!(escape_dn_value("nul\0"), r"nul\00");
    }

    #[test]
    fn dn_escapes_hash_and_spaces_only_where_significant() {
        assert_eq!(escape_dn_value("#1 a#b "), r"\#1 a#b\ ");
        assert_eq!(escape_dn_value(" x"), r"\ x");
        assert_eq!(escape_dn_value(" "), r"\ ");
        assert_eq!(escape_dn_value(""), "");
    }

    #[test]
    fn dn_keeps_non_ascii_text() {
        assert_eq!(escape_dn_value("Åsa Ödman"), "Åsa Ödman");
    }

    #[test]
    fn rdn_and_child_dn() {
        assert_eq!(rdn("cn", "O'Brien, Jr. (IC)*"), r"cn=O'Brien\, Jr. (IC)*");
        assert_eq!(
            child_dn("cn", "O'Brien, Jr. (IC)*", "ou=people,dc=x"),
            r"cn=O'Brien\, Jr. (IC)*,ou=people,dc=x"
        );
        assert_eq!(child_dn("dc", "org", ""), "dc=org");
    }
}
