//! The change feed Elanza lacks: the plugin keeps a digest of every worker it handed out in
//! its state and returns only the workers whose digest changed, or who are gone.
//!
//! - The HTTP read stays whole (Elanza has no change query); what shrinks is what crosses to
//!   the host and what the engine imports.
//! - The state holds a generation and `id`, NUL, 8-byte digest per worker. The cursor is
//!   `elanza-digest:` and that generation, so a cursor and a state that disagree (the state
//!   lost or restored, the engine's store restored) are `cursor-invalid` and the engine reads
//!   in full. The state is written before the engine stores the new cursor; if the engine's
//!   import then fails, the next call's cursor is one generation behind and is refused too,
//!   so no change is lost.
//! - The digest is FNV-1a over the person as mapped, stable across runs of one plugin build;
//!   after an upgrade every worker may count as changed once.

use std::collections::HashMap;

use tessera_sdk::ConnectorError;
use tessera_sdk::host::errors::HostError;
use tessera_sdk::host::vault;
use tessera_sdk::types::{Cursor, Person};

const TAG: &[u8] = b"elanza-digest:";
const KEY: &str = "digests";

/// Digests by worker id, and the generation they were stored under.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Digests {
    pub(crate) generation: u64,
    pub(crate) by_id: HashMap<String, u64>,
}

/// What changed between the stored digests and a fresh read.
pub(crate) struct Delta {
    pub(crate) changed: Vec<Person>,
    pub(crate) removed: Vec<String>,
}

impl Digests {
    /// The digests of a read, under `generation`.
    pub(crate) fn of(persons: &[Person], generation: u64) -> Self {
        let by_id = persons.iter().map(|p| (p.id.clone(), digest(p))).collect();
        Self { generation, by_id }
    }

    /// The persons of `fresh` whose digest differs, and the ids no longer there.
    pub(crate) fn delta(&self, fresh: Vec<Person>, now: &Digests) -> Delta {
        let removed = self
            .by_id
            .keys()
            .filter(|id| !now.by_id.contains_key(*id))
            .cloned()
            .collect();
        let changed = fresh
            .into_iter()
            .filter(|p| self.by_id.get(&p.id) != now.by_id.get(&p.id))
            .collect();
        Delta { changed, removed }
    }

    pub(crate) fn cursor(&self) -> Cursor {
        [TAG, self.generation.to_string().as_bytes()].concat()
    }

    /// The generation a cursor names, or `cursor-invalid`.
    pub(crate) fn generation_of(cursor: &[u8]) -> Result<u64, ConnectorError> {
        cursor
            .strip_prefix(TAG)
            .and_then(|g| std::str::from_utf8(g).ok())
            .and_then(|g| g.parse().ok())
            .ok_or_else(|| ConnectorError::CursorInvalid("not a cursor of this plugin".into()))
    }

    /// The stored digests; `None` when there are none.
    pub(crate) fn load() -> Result<Option<Self>, ConnectorError> {
        let Some(bytes) = vault::state_get(KEY).map_err(state_error)? else {
            return Ok(None);
        };
        Self::decode(&bytes)
            .map(Some)
            .ok_or_else(|| ConnectorError::CursorInvalid("the stored digests are damaged".into()))
    }

    pub(crate) fn save(&self) -> Result<(), ConnectorError> {
        vault::state_set(KEY, &self.encode()).map_err(state_error)
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = self.generation.to_le_bytes().to_vec();
        let mut ids: Vec<_> = self.by_id.iter().collect();
        ids.sort();
        for (id, digest) in ids {
            out.extend(id.as_bytes());
            out.push(0);
            out.extend(digest.to_le_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let generation = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
        let mut by_id = HashMap::new();
        let mut rest = &bytes[8..];
        while !rest.is_empty() {
            let end = rest.iter().position(|b| *b == 0)?;
            let id = std::str::from_utf8(&rest[..end]).ok()?.to_owned();
            let digest = u64::from_le_bytes(rest.get(end + 1..end + 9)?.try_into().ok()?);
            by_id.insert(id, digest);
            rest = &rest[end + 9..];
        }
        Some(Self { generation, by_id })
    }
}

/// Without `grants.state` there is nowhere to keep digests: no feed, full reads.
fn state_error(e: HostError) -> ConnectorError {
    match e {
        HostError::Denied(_) => ConnectorError::Unsupported(
            "the digest feed keeps its digests in the plugin state; grant `state` to use it".into(),
        ),
        other => other.into(),
    }
}

/// FNV-1a (64 bit) over the person as mapped.
fn digest(person: &Person) -> u64 {
    let text = format!("{person:?}");
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, family: &str) -> Person {
        let mut p = Person {
            id: id.into(),
            ..Person::default()
        };
        p.name.family = family.into();
        p
    }

    #[test]
    fn only_changed_new_and_removed_workers_come_out() {
        let before = Digests::of(&[person("a", "A"), person("b", "B"), person("c", "C")], 1);
        let fresh = vec![person("a", "A"), person("b", "Changed"), person("d", "D")];
        let now = Digests::of(&fresh, 2);
        let delta = before.delta(fresh, &now);
        let ids: Vec<&str> = delta.changed.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["b", "d"]);
        assert_eq!(delta.removed, ["c"]);
    }

    #[test]
    fn digests_survive_the_state_and_cursors_name_their_generation() {
        let digests = Digests::of(&[person("a", "A"), person("ü-2", "B")], 7);
        assert_eq!(Digests::decode(&digests.encode()), Some(digests));
        assert_eq!(Digests::decode(&[1, 2, 3]), None);
        let cursor = Digests::of(&[], 42).cursor();
        assert_eq!(Digests::generation_of(&cursor).ok(), Some(42));
        assert!(Digests::generation_of(b"other:42").is_err());
    }
}
