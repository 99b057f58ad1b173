//! The FIQL `query` forms TOPdesk clients use on persons and branches: `field==value` and
//! `field!=value`, joined by `;` (and). Values are quoted with `'` (a `\'` inside) or bare
//! (`true`, `false`). Other forms are refused, as TOPdesk refuses what it cannot parse.

use serde_json::{Map, Value};

use super::data::TdError;

/// One parsed clause.
struct Clause {
    field: String,
    equal: bool,
    value: String,
}

/// The clauses of `query`.
pub struct Query(Vec<Clause>);

impl Query {
    pub fn parse(query: &str) -> Result<Self, TdError> {
        let refused = || TdError::bad_request(format!("The query '{query}' is not valid FIQL."));
        let mut clauses = Vec::new();
        for clause in split(query) {
            let (field, equal, value) = if let Some((f, v)) = clause.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = clause.split_once("==") {
                (f, true, v)
            } else {
                return Err(refused());
            };
            let field = field.trim();
            if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                return Err(refused());
            }
            let value = unquote(value.trim()).ok_or_else(refused)?;
            clauses.push(Clause {
                field: field.to_owned(),
                equal,
                value,
            });
        }
        Ok(Self(clauses))
    }

    /// Whether the clauses name `field`.
    pub fn mentions(&self, field: &str) -> bool {
        self.0.iter().any(|c| c.field == field)
    }

    /// Whether `object` passes every clause; a `.name` or `.id` path looks into a reference,
    /// and a boolean compares as `true` / `false`.
    pub fn matches(&self, object: &Map<String, Value>) -> bool {
        self.0.iter().all(|c| {
            let mut parts = c.field.split('.');
            let first = parts.next().and_then(|f| object.get(f));
            let value = parts.fold(first, |v, p| v.and_then(|v| v.get(p)));
            let text = match value {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                _ => String::new(),
            };
            (text == c.value) == c.equal
        })
    }
}

/// Splits on `;` outside quotes.
fn split(query: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, ch) in query.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '\'' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&query[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&query[start..]);
    out
}

fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) else {
        let bare = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric());
        return bare.then(|| value.to_owned());
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '\'' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}
