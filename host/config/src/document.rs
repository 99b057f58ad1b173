//! Reads the file into the typed raw settings, listing every unknown key at once.
//!
//! serde stops at the first problem. For unknown keys (and typos) that would make an operator
//! fix a file one line per `tessera check`, so the reader removes each refused key from the
//! parsed document and reads again, collecting each message with its line. The document keeps
//! the spans of the original text, so later messages still point at the right lines. Any
//! other problem (a wrong type, a missing key) cannot be skipped safely and ends the list.

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer};

/// More refused keys than any real file has; it bounds the loop if removal ever failed.
const MOST_PROBLEMS: usize = 200;

/// `text` as `T` once every refused key is left out (`None` when another problem stops the
/// reading), and one line per problem found on the way.
pub(crate) fn read<T: DeserializeOwned>(text: &str, problems: &mut Vec<String>) -> Option<T> {
    let mut root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            problems.push(shown(e, text));
            return None;
        }
    };
    for _ in 0..MOST_PROBLEMS {
        let error = match T::deserialize(Deserializer::from(root.clone())) {
            Ok(value) => return Some(value),
            Err(error) => error,
        };
        let removed = error
            .span()
            .is_some_and(|span| remove_key(root.get_mut(), &span));
        problems.push(shown(error, text));
        if !removed {
            break;
        }
    }
    None
}

fn shown(mut error: toml::de::Error, text: &str) -> String {
    error.set_input(Some(text));
    error.to_string().trim_end().replace('\n', "\n  ")
}

/// Removes the key whose name sits at `span`, wherever it is; whether there was one.
fn remove_key(table: &mut DeTable<'_>, span: &std::ops::Range<usize>) -> bool {
    let found = table.keys().find(|key| key.span() == *span).cloned();
    if let Some(key) = found {
        return table.remove(&key).is_some();
    }
    table
        .iter_mut()
        .any(|(_, value)| remove_in(value.get_mut(), span))
}

fn remove_in(value: &mut DeValue<'_>, span: &std::ops::Range<usize>) -> bool {
    match value {
        DeValue::Table(table) => remove_key(table, span),
        DeValue::Array(items) => items
            .iter_mut()
            .any(|item: &mut Spanned<DeValue<'_>>| remove_in(item.get_mut(), span)),
        _ => false,
    }
}
