//! A submitted form's fields. Forms repeat names (the approvals page's check boxes), which
//! a plain struct cannot take, so the body is read as pairs.

use crate::error::{Error, Result};

/// The fields of one `application/x-www-form-urlencoded` body.
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    /// Parses a body.
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value of `name`, or a refusal that names the field.
    pub(crate) fn require(&self, name: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| Error::BadRequest(format!("the form needs `{name}`")))
    }

    /// Every value of `name`.
    pub(crate) fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_and_blank_values() {
        let f = Fields::parse(b"id=1&id=2&reason=+&csrf=a%2Bb");
        assert_eq!(f.all("id").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(f.get("reason"), None);
        assert_eq!(f.get("csrf"), Some("a+b"));
        assert!(matches!(f.require("reason"), Err(Error::BadRequest(m)) if m.contains("reason")));
    }
}
