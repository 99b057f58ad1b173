//! The one error type of this crate, and how ldap3's errors map onto it.

use ldap3::LdapError;

/// Everything an LDAP call can fail with. No variant ever carries the bind password.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A DN that does not lie under the connection's base DN.
    #[error("{dn:?} is outside the granted base DN {base:?}")]
    OutsideBase {
        /// The DN as the caller gave it.
        dn: String,
        /// The connection's base DN.
        base: String,
    },
    /// A DN that is not a valid RFC 4514 string.
    #[error("invalid DN {dn:?}: {message}")]
    InvalidDn {
        /// The DN as the caller gave it.
        dn: String,
        /// What is wrong with it.
        message: String,
    },
    /// A search filter that is not a valid RFC 4515 string.
    #[error("invalid filter {filter:?}: {message}")]
    InvalidFilter {
        /// The filter as the caller gave it.
        filter: String,
        /// What is wrong with it.
        message: String,
    },
    /// A request the server would refuse anyway, such as an add with an attribute without values.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A result code from the server.
    #[error("LDAP error {code} ({name}): {message}")]
    Ldap {
        /// The RFC 4511 result code, e.g. 32.
        code: u32,
        /// Its RFC 4511 name, e.g. `noSuchObject`.
        name: String,
        /// The longest part of the DN the server found (`matchedDN`), possibly empty.
        matched: String,
        /// The server's diagnostic message, possibly empty.
        message: String,
    },
    /// The server cannot be reached or the connection was lost; safe to retry.
    #[error("LDAP server unavailable: {0}")]
    Unavailable(String),
    /// No answer in time; for writes the outcome is unknown.
    #[error("LDAP timeout: {0}")]
    Timeout(String),
    /// The TLS handshake or StartTLS failed.
    #[error("LDAP TLS error: {0}")]
    Tls(String),
    /// The connection's configuration is unusable.
    #[error("LDAP configuration error: {0}")]
    Config(String),
}

impl Error {
    /// Whether the connection that produced this error should be thrown away.
    pub(crate) fn poisons_connection(&self) -> bool {
        matches!(self, Error::Unavailable(_) | Error::Timeout(_))
    }

    /// A server result code as an error.
    pub(crate) fn from_code(code: u32, matched: String, message: String) -> Error {
        Error::Ldap {
            code,
            name: result_code_name(code).to_string(),
            matched,
            message,
        }
    }

    /// Maps an error of an operation on an established connection.
    pub(crate) fn from_ldap(err: LdapError) -> Error {
        match err {
            LdapError::LdapResult { result } => {
                Error::from_code(result.rc, result.matched, result.text)
            }
            LdapError::Timeout { .. } => Error::Timeout("no answer from the server in time".into()),
            LdapError::AddNoValues => {
                Error::InvalidRequest("an attribute to add has no values".into())
            }
            LdapError::Io { source } => match rustls_error(&source) {
                Some(tls) => Error::Tls(tls.to_string()),
                None => Error::Unavailable(format!("I/O error: {source}")),
            },
            LdapError::Rustls { source } => Error::Tls(source.to_string()),
            LdapError::DNSName { source } => Error::Tls(format!("server name: {source}")),
            LdapError::UrlParsing { source } => Error::Config(format!("URL: {source}")),
            LdapError::UnknownScheme(scheme) => Error::Config(format!("unknown scheme {scheme}")),
            // The remaining variants are channel failures inside ldap3: the connection's
            // driver task is gone, which only happens when the connection closed.
            other => Error::Unavailable(other.to_string()),
        }
    }

    /// Maps an error while opening a connection, where a refused StartTLS is a TLS problem.
    pub(crate) fn from_connect(err: LdapError, tls: bool) -> Error {
        match err {
            LdapError::LdapResult { result } if tls => Error::Tls(format!(
                "StartTLS refused: {} ({}) {}",
                result.rc,
                result_code_name(result.rc),
                result.text
            )),
            other => Error::from_ldap(other),
        }
    }
}

/// tokio-rustls reports handshake failures as I/O errors wrapping the rustls error.
fn rustls_error(err: &std::io::Error) -> Option<&rustls::Error> {
    err.get_ref()?.downcast_ref::<rustls::Error>()
}

/// The RFC 4511 (and RFC 3909, 4370, 4533, 6171) name of a result code.
pub fn result_code_name(code: u32) -> &'static str {
    match code {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        4 => "sizeLimitExceeded",
        5 => "compareFalse",
        6 => "compareTrue",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        10 => "referral",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        14 => "saslBindInProgress",
        16 => "noSuchAttribute",
        17 => "undefinedAttributeType",
        18 => "inappropriateMatching",
        19 => "constraintViolation",
        20 => "attributeOrValueExists",
        21 => "invalidAttributeSyntax",
        32 => "noSuchObject",
        33 => "aliasProblem",
        34 => "invalidDNSyntax",
        36 => "aliasDereferencingProblem",
        48 => "inappropriateAuthentication",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        54 => "loopDetect",
        64 => "namingViolation",
        65 => "objectClassViolation",
        66 => "notAllowedOnNonLeaf",
        67 => "notAllowedOnRDN",
        68 => "entryAlreadyExists",
        69 => "objectClassModsProhibited",
        71 => "affectsMultipleDSAs",
        80 => "other",
        118 => "canceled",
        119 => "noSuchOperation",
        120 => "tooLate",
        121 => "cannotCancel",
        122 => "assertionFailed",
        123 => "authorizationDenied",
        4096 => "syncRefreshRequired",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_codes_keep_their_rfc_names() {
        let err = Error::from_code(68, "ou=people".into(), "exists".into());
        assert!(
            matches!(err, Error::Ldap { code: 68, ref name, ref matched, .. }
                if name == "entryAlreadyExists" && matched == "ou=people")
        );
        assert_eq!(result_code_name(32), "noSuchObject");
        assert_eq!(result_code_name(9999), "unknown");
    }

    #[test]
    fn lost_connections_are_retryable_and_poison_the_connection() {
        let err = Error::from_ldap(LdapError::EndOfStream);
        assert!(matches!(err, Error::Unavailable(_)));
        assert!(err.poisons_connection());
        assert!(!Error::from_code(32, String::new(), String::new()).poisons_connection());
    }
}
