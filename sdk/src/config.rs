//! Typed access to the system's configuration. The host has already checked every value
//! against the schema in `tessera.toml`, so a missing or mistyped key here means the schema and
//! the code disagree; it is reported as `invalid` naming the key.

use std::ops::RangeInclusive;

use crate::ConnectorError;
use crate::host::config::{Value, get};

fn value(key: &str) -> Result<Value, ConnectorError> {
    get(key).ok_or_else(|| ConnectorError::invalid(key, "not set in the system's configuration"))
}

fn mistyped(key: &str, want: &str) -> ConnectorError {
    ConnectorError::invalid(key, format!("expected {want}"))
}

/// A `string` or `url` field.
pub fn string(key: &str) -> Result<String, ConnectorError> {
    match value(key)? {
        Value::Text(s) => Ok(s),
        _ => Err(mistyped(key, "text")),
    }
}

/// An optional `string` or `url` field.
pub fn optional_string(key: &str) -> Result<Option<String>, ConnectorError> {
    match get(key) {
        None => Ok(None),
        Some(Value::Text(s)) => Ok(Some(s)),
        Some(_) => Err(mistyped(key, "text")),
    }
}

/// A `url` field that must be `http://` or `https://`, without its trailing `/`.
pub fn http_url(key: &str) -> Result<String, ConnectorError> {
    let url = string(key)?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ConnectorError::invalid(key, "must be an http(s) URL"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// An `integer` field.
pub fn integer(key: &str) -> Result<i64, ConnectorError> {
    match value(key)? {
        Value::Integer(i) => Ok(i),
        _ => Err(mistyped(key, "an integer")),
    }
}

/// An `integer` field within `range`, as the type the plugin needs; `default` when it is not
/// set (an error naming the key when there is none).
pub fn integer_in<T: TryFrom<i64>>(
    key: &str,
    range: RangeInclusive<i64>,
    default: Option<i64>,
) -> Result<T, ConnectorError> {
    let n = match (get(key), default) {
        (None, Some(d)) => d,
        _ => integer(key)?,
    };
    if !range.contains(&n) {
        let (low, high) = range.into_inner();
        return Err(ConnectorError::invalid(
            key,
            format!("must be {low}..={high}, got {n}"),
        ));
    }
    T::try_from(n).map_err(|_| ConnectorError::invalid(key, "out of range"))
}

/// A `boolean` field.
pub fn boolean(key: &str) -> Result<bool, ConnectorError> {
    match value(key)? {
        Value::Boolean(b) => Ok(b),
        _ => Err(mistyped(key, "true or false")),
    }
}

/// A `list` field.
pub fn list(key: &str) -> Result<Vec<String>, ConnectorError> {
    match value(key)? {
        Value::TextList(items) => Ok(items),
        _ => Err(mistyped(key, "a list")),
    }
}

/// The value of a `secret` field, read from the vault. Keep it no longer than needed.
pub fn secret(key: &str) -> Result<String, ConnectorError> {
    match value(key)? {
        Value::SecretRef(name) => Ok(crate::host::vault::secret(&name)?),
        _ => Err(mistyped(key, "a secret reference")),
    }
}
