//! A change feed for a source whose system has none: the plugin keeps a digest of every
//! person it handed out in its state and returns only the persons whose digest changed, or
//! who are gone. Elanza (no change query) and AFAS Profit (no modification date on its
//! GetConnectors) use it.
//!
//! - The system is still read whole; what shrinks is what crosses to the host and what the
//!   engine imports, and a feed read holds only the changed persons, never all of them.
//! - The state holds a generation and `id`, NUL, 8-byte digest per person. The cursor is
//!   `digest-feed:` and that generation, so a cursor and a state that disagree (the state
//!   lost or restored, the engine's store restored) are `cursor-invalid` and the engine reads
//!   in full. The state is written before the engine stores the new cursor; if the engine's
//!   import then fails, the next call's cursor is one generation behind and is refused too,
//!   so no change is lost.
//! - The digest is FNV-1a over the person as mapped, fed through `Hash`; stable across runs
//!   of one plugin build, so after an upgrade every person may count as changed once.
//! - Without `grants.state` there is nowhere to keep digests: `read-changes` answers
//!   `unsupported` and the engine reads in full.

use std::collections::HashMap;

use crate::ConnectorError;
use crate::host::errors::HostError;
use crate::host::vault;
use crate::types::{Cursor, Person, SourceChanges, Warning};

const TAG: &[u8] = b"digest-feed:";
const KEY: &str = "digests";

/// What a source's mapping hands each person to, one at a time.
pub type Each<'a> = &'a mut dyn FnMut(Person);

/// A source's digest feed for one run.
#[derive(Debug, Default)]
pub struct DigestFeed {
    /// The digests of this run's full read, for a feed started right after it.
    read: Option<Digests>,
    /// The digests of a full read handed out page by page, until its last page.
    reading: Option<Digests>,
}

impl DigestFeed {
    /// Notes the persons of this run's full read, so a feed started after it (the engine
    /// asks for a first cursor after a full read) needs no read of its own.
    pub fn after_read(&mut self, persons: &[Person]) {
        self.begin_read();
        self.note_page(persons, true);
    }

    /// A full read starts; its pages follow through [`DigestFeed::note_page`].
    pub fn begin_read(&mut self) {
        self.read = None;
        self.reading = Some(Digests::default());
    }

    /// Notes one page of the full read begun last; `last` on the page that ends it. Only a
    /// read that reached its last page stands for the source: after one that stopped half
    /// way, a feed start reads for itself.
    pub fn note_page(&mut self, persons: &[Person], last: bool) {
        let Some(reading) = &mut self.reading else {
            return;
        };
        reading
            .by_id
            .extend(persons.iter().map(|p| (p.id.clone(), digest(p))));
        if last {
            self.read = self.reading.take();
        }
    }

    /// `read-changes`: with no cursor, starts the feed (from this run's full read, or from a
    /// read of its own) and returns no persons; with a cursor, reads whole through `fetch`
    /// and returns the persons whose digest changed and the ids no longer there. `fetch`
    /// hands every person to the closure it is given and returns the read's warnings.
    pub fn read_changes(
        &mut self,
        cursor: Option<Vec<u8>>,
        fetch: &mut dyn FnMut(Each<'_>) -> Result<Vec<Warning>, ConnectorError>,
    ) -> Result<SourceChanges, ConnectorError> {
        let stored = Digests::load()?;
        let next = stored.as_ref().map_or(1, |d| d.generation + 1);
        let Some(cursor) = cursor else {
            let digests = match self.read.take() {
                Some(read) => read,
                None => Digests::from_fetch(fetch)?,
            };
            let digests = Digests {
                generation: next,
                ..digests
            };
            digests.save()?;
            return Ok(SourceChanges {
                cursor: digests.cursor(),
                ..SourceChanges::default()
            });
        };
        let generation = Digests::generation_of(&cursor)?;
        let stored = stored
            .filter(|d| d.generation == generation)
            .ok_or_else(|| {
                ConnectorError::CursorInvalid(format!(
                    "the plugin state holds no digests of generation {generation}"
                ))
            })?;
        let mut sieve = stored.sieve(next);
        let warnings = fetch(&mut |p| sieve.offer(p))?;
        let (now, delta) = sieve.finish();
        now.save()?;
        Ok(SourceChanges {
            persons: delta.changed,
            removed: delta.removed,
            warnings,
            cursor: now.cursor(),
            more: false,
        })
    }
}

/// Digests by worker id, and the generation they were stored under.
#[derive(Debug, Default, PartialEq, Eq)]
struct Digests {
    generation: u64,
    by_id: HashMap<String, u64>,
}

/// What changed between the stored digests and a fresh read.
struct Delta {
    changed: Vec<Person>,
    removed: Vec<String>,
}

/// A fresh read passing through, person by person: an unchanged person is hashed and
/// dropped, so a feed read never holds the 30,000 persons it compares.
struct Sieve<'s> {
    stored: &'s Digests,
    now: Digests,
    changed: Vec<Person>,
}

impl Sieve<'_> {
    fn offer(&mut self, person: Person) {
        let digest = digest(&person);
        let changed = self.stored.by_id.get(&person.id) != Some(&digest);
        self.now.by_id.insert(person.id.clone(), digest);
        if changed {
            self.changed.push(person);
        }
    }

    /// The fresh digests, and the changed persons with the ids no longer there.
    fn finish(self) -> (Digests, Delta) {
        let removed = self
            .stored
            .by_id
            .keys()
            .filter(|id| !self.now.by_id.contains_key(*id))
            .cloned()
            .collect();
        let delta = Delta {
            changed: self.changed,
            removed,
        };
        (self.now, delta)
    }
}

impl Digests {
    /// The digests of a read of its own, person by person.
    fn from_fetch(
        fetch: &mut dyn FnMut(Each<'_>) -> Result<Vec<Warning>, ConnectorError>,
    ) -> Result<Self, ConnectorError> {
        let mut by_id = HashMap::new();
        fetch(&mut |p| {
            by_id.insert(p.id.clone(), digest(&p));
        })?;
        Ok(Self {
            generation: 0,
            by_id,
        })
    }

    /// The digests of a read, under `generation`.
    #[cfg(test)]
    fn of(persons: &[Person], generation: u64) -> Self {
        let by_id = persons.iter().map(|p| (p.id.clone(), digest(p))).collect();
        Self { generation, by_id }
    }

    /// Sorts persons of a fresh read as they are mapped: their digests go under
    /// `generation`, and only those whose digest differs from these are kept.
    fn sieve(&self, generation: u64) -> Sieve<'_> {
        Sieve {
            stored: self,
            now: Digests {
                generation,
                by_id: HashMap::with_capacity(self.by_id.len()),
            },
            changed: Vec::new(),
        }
    }

    fn cursor(&self) -> Cursor {
        [TAG, self.generation.to_string().as_bytes()].concat()
    }

    /// The generation a cursor names, or `cursor-invalid`.
    fn generation_of(cursor: &[u8]) -> Result<u64, ConnectorError> {
        cursor
            .strip_prefix(TAG)
            .and_then(|g| std::str::from_utf8(g).ok())
            .and_then(|g| g.parse().ok())
            .ok_or_else(|| ConnectorError::CursorInvalid("not a cursor of this plugin".into()))
    }

    /// The stored digests; `None` when there are none.
    fn load() -> Result<Option<Self>, ConnectorError> {
        let Some(bytes) = vault::state_get(KEY).map_err(state_error)? else {
            return Ok(None);
        };
        Self::decode(&bytes)
            .map(Some)
            .ok_or_else(|| ConnectorError::CursorInvalid("the stored digests are damaged".into()))
    }

    fn save(&self) -> Result<(), ConnectorError> {
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

/// FNV-1a (64 bit) over the person as mapped, fed field by field through `Hash`.
fn digest(person: &Person) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    person.hash(&mut hash);
    hash.finish()
}

struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
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
        let mut sieve = before.sieve(2);
        for p in fresh.clone() {
            sieve.offer(p);
        }
        let (now, delta) = sieve.finish();
        assert_eq!(now, Digests::of(&fresh, 2));
        let ids: Vec<&str> = delta.changed.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["b", "d"]);
        assert_eq!(delta.removed, ["c"]);
    }

    #[test]
    fn a_paged_read_stands_for_the_source_only_after_its_last_page() {
        let mut feed = DigestFeed::default();
        feed.begin_read();
        feed.note_page(&[person("a", "A")], false);
        assert_eq!(feed.read, None);
        feed.note_page(&[person("b", "B")], true);
        let whole = Digests::of(&[person("a", "A"), person("b", "B")], 0);
        assert_eq!(feed.read, Some(whole));
        // A new read forgets the last one until it ends in turn.
        feed.begin_read();
        feed.note_page(&[person("a", "A")], false);
        assert_eq!(feed.read, None);
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
