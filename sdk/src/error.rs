//! Host errors turn into connector errors with `?`, keeping their meaning.

use crate::ConnectorError;
use crate::host::errors::HostError;
use crate::types::{InvalidField, UnavailableInfo};

impl From<HostError> for ConnectorError {
    fn from(e: HostError) -> Self {
        match e {
            HostError::Denied(d) => {
                Self::Denied(format!("{} (allow it with {})", d.what, d.config_key))
            }
            HostError::Unavailable(m) => Self::Unavailable(UnavailableInfo {
                message: m,
                retry_after_ms: None,
            }),
            HostError::Timeout(m) => Self::OutcomeUnknown(m),
            HostError::NotFound(m) => Self::NotFound(m),
            HostError::Invalid(m) => Self::Invalid(InvalidField {
                field: "request".into(),
                message: m,
            }),
            HostError::Malformed(p) => Self::Invalid(InvalidField {
                field: "response".into(),
                message: format!("{} at line {}, column {}", p.message, p.line, p.column),
            }),
            HostError::Unsupported(m) => Self::Unsupported(m),
            #[cfg(not(feature = "wit-0-1"))]
            HostError::Ldap(r) => ldap(r),
            HostError::TooLarge(m) | HostError::Other(m) => Self::Other(m),
        }
    }
}

/// An LDAP refusal by what its code means to the engine; the rest stays `other`, with the
/// code, its name and the server's words.
#[cfg(not(feature = "wit-0-1"))]
fn ldap(r: crate::host::errors::LdapResult) -> ConnectorError {
    use crate::ldap::code;
    let text = format!("ldap {} {}: {}", r.code, r.name, r.message);
    match r.code {
        code::NO_SUCH_OBJECT => ConnectorError::NotFound(text),
        code::ENTRY_ALREADY_EXISTS => ConnectorError::AlreadyExists(text),
        code::INSUFFICIENT_ACCESS_RIGHTS => ConnectorError::Denied(text),
        code::BUSY | code::UNAVAILABLE => ConnectorError::unavailable(text, None),
        _ => ConnectorError::Other(text),
    }
}

impl ConnectorError {
    /// A field the plugin or the far side refused.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(InvalidField {
            field: field.into(),
            message: message.into(),
        })
    }

    /// A failed read-only call (a GET, a search): a timeout changed nothing on the far side,
    /// so it is worth retrying rather than an unknown outcome; `what` names the call.
    pub fn of_read(what: &str, e: HostError) -> Self {
        match e {
            HostError::Timeout(m) => Self::unavailable(format!("{what}: {m}"), None),
            other => other.into(),
        }
    }

    /// A temporary failure worth retrying.
    pub fn unavailable(message: impl Into<String>, retry_after_ms: Option<u64>) -> Self {
        Self::Unavailable(UnavailableInfo {
            message: message.into(),
            retry_after_ms,
        })
    }
}
