//! What the fakes' change feeds remember.

use std::collections::{BTreeMap, BTreeSet};

use tessera_domain::{Account, ConnectorError, EntitlementRef, Membership, TargetChanges};

fn invalid() -> ConnectorError {
    ConnectorError::CursorInvalid("no such cursor".into())
}

/// A source feed's memory: the state as of every cursor it handed out. A change is then
/// whatever differs between the state at the cursor and now, so every change is reported
/// exactly once, however it came about.
#[derive(Debug)]
pub struct Snapshots<T> {
    taken: BTreeMap<u64, T>,
    next: u64,
}

impl<T> Default for Snapshots<T> {
    fn default() -> Self {
        Self {
            taken: BTreeMap::new(),
            next: 1,
        }
    }
}

impl<T: Clone> Snapshots<T> {
    /// Remembers `now`; returns its cursor.
    pub(super) fn take(&mut self, now: &T) -> Vec<u8> {
        let n = self.next;
        self.next += 1;
        self.taken.insert(n, now.clone());
        n.to_be_bytes().to_vec()
    }

    /// The state a cursor was handed out for.
    pub(super) fn at(&self, cursor: &[u8]) -> Result<&T, ConnectorError> {
        let n = <[u8; 8]>::try_from(cursor).map(u64::from_be_bytes).ok();
        n.and_then(|n| self.taken.get(&n)).ok_or_else(invalid)
    }

    /// Forgets every cursor, as a system restored from a backup would.
    pub(super) fn expire(&mut self) {
        self.taken.clear();
    }
}

/// When each thing last changed. A read reports the current state of everything that changed
/// after the cursor, as directory feeds do: a membership added and taken away again since is
/// reported taken away, not lost.
#[derive(Debug)]
struct Journal<K> {
    touched: BTreeMap<K, u64>,
    seq: u64,
    /// The oldest cursor still valid.
    horizon: u64,
}

impl<K> Default for Journal<K> {
    fn default() -> Self {
        Self {
            touched: BTreeMap::new(),
            seq: 0,
            horizon: 0,
        }
    }
}

impl<K: Ord + Clone> Journal<K> {
    fn touch(&mut self, key: K) {
        self.seq += 1;
        self.touched.insert(key, self.seq);
    }

    fn cursor(&self) -> Vec<u8> {
        self.seq.to_be_bytes().to_vec()
    }

    fn since(&self, cursor: &[u8]) -> Result<Vec<K>, ConnectorError> {
        let at = <[u8; 8]>::try_from(cursor)
            .map(u64::from_be_bytes)
            .ok()
            .filter(|n| (self.horizon..=self.seq).contains(n))
            .ok_or_else(invalid)?;
        Ok(self
            .touched
            .iter()
            .filter(|(_, seq)| **seq > at)
            .map(|(k, _)| k.clone())
            .collect())
    }

    fn expire(&mut self) {
        self.seq += 1;
        self.horizon = self.seq;
    }
}

/// One thing a target holds that its feed reports on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Thing {
    Account(String),
    Membership(String, EntitlementRef),
}

/// Accounts by key, and memberships.
pub(super) type Holdings = (
    BTreeMap<String, Account>,
    BTreeSet<(String, EntitlementRef)>,
);

/// A fake target's feed. It compares what the target holds with what it held when last
/// looked at — before and after every write, and at every read of the feed — so a change
/// made straight to the state is seen as well as one made through the connector.
#[derive(Debug, Default)]
pub(super) struct TargetFeed {
    journal: Journal<Thing>,
    last: Holdings,
}

impl TargetFeed {
    /// Notes everything that differs from the last look.
    pub(super) fn observe(&mut self, now: &Holdings) {
        let (accounts, memberships) = now;
        let (was, held) = &self.last;
        let keys: BTreeSet<&String> = accounts.keys().chain(was.keys()).collect();
        let changed: Vec<Thing> = keys
            .into_iter()
            .filter(|k| accounts.get(*k) != was.get(*k))
            .map(|k| Thing::Account(k.clone()))
            .chain(
                memberships
                    .symmetric_difference(held)
                    .map(|(a, e)| Thing::Membership(a.clone(), e.clone())),
            )
            .collect();
        for thing in changed {
            self.journal.touch(thing);
        }
        self.last = now.clone();
    }

    /// The current state of everything that changed after `cursor`; nothing without one.
    pub(super) fn changes(
        &self,
        cursor: Option<&[u8]>,
        now: &Holdings,
    ) -> Result<TargetChanges, ConnectorError> {
        let mut changes = TargetChanges {
            cursor: self.journal.cursor(),
            ..TargetChanges::default()
        };
        let Some(cursor) = cursor else {
            return Ok(changes);
        };
        for thing in self.journal.since(cursor)? {
            match thing {
                Thing::Account(key) => match now.0.get(&key) {
                    Some(account) => changes.accounts.push(account.clone()),
                    None => changes.removed.push(key),
                },
                Thing::Membership(account, entitlement) => {
                    let held = now.1.contains(&(account.clone(), entitlement.clone()));
                    let m = Membership {
                        account,
                        entitlement,
                    };
                    if held {
                        changes.granted.push(m);
                    } else {
                        changes.revoked.push(m);
                    }
                }
            }
        }
        Ok(changes)
    }

    /// Forgets every cursor handed out so far.
    pub(super) fn expire(&mut self) {
        self.journal.expire();
    }
}
