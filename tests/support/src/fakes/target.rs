//! A target in memory, with a change feed if asked for, that can be told to fail or hang.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use tessera_domain::{
    Account, AccountPage, AccountSpec, AttributeChange, ConnectorError, Entitlement,
    EntitlementPage, EntitlementRef, FeedInfo, Membership, MembershipPage, TargetChanges,
    TargetConnector, TargetInfo, Ticket, TicketSpec,
};

use tessera_sync::Stop;

use super::Meeting;
use super::feed::{Holdings, TargetFeed};

/// What a fake target holds and what was done to it.
#[derive(Debug, Default)]
pub struct TargetState {
    pub accounts: BTreeMap<String, Account>,
    pub memberships: BTreeSet<(String, EntitlementRef)>,
    /// What `list-entitlements` offers (one page).
    pub catalogue: Vec<Entitlement>,
    /// Every write that took effect.
    pub log: Vec<String>,
    /// Every write attempted.
    pub attempts: Vec<String>,
    /// Tickets opened here, with what was asked; close one by setting `closed`.
    pub tickets: Vec<(TicketSpec, Ticket)>,
    next_key: u32,
    writes: usize,
    script: Vec<(String, ConnectorError)>,
    unknown_after: Option<String>,
    hang: Option<Hang>,
    feed: Option<TargetFeed>,
    /// Asks this stop after the write call counted here takes effect.
    stop_after: Option<(usize, Stop)>,
    /// Unreachable: every call fails.
    down: bool,
}

impl TargetState {
    fn holdings(&self) -> Holdings {
        (self.accounts.clone(), self.memberships.clone())
    }

    /// Lets the feed see what changed since it last looked.
    fn observe(&mut self) {
        if self.feed.is_some() {
            let now = self.holdings();
            if let Some(feed) = self.feed.as_mut() {
                feed.observe(&now);
            }
        }
    }
}

/// Where a fake target stops answering, to simulate a crash.
#[derive(Debug, Clone, Copy)]
pub struct Hang {
    /// The write call (counted from 1) that never returns.
    pub at_call: usize,
    /// Whether the call takes effect before hanging.
    pub after_effect: bool,
}

/// A target in memory. Clones share state.
#[derive(Debug, Clone)]
pub struct FakeTarget {
    state: Arc<Mutex<TargetState>>,
    supports_delete: bool,
    page_size: usize,
    /// Where its next read of changes waits, when a test arms it.
    pub meeting: Meeting,
}

impl FakeTarget {
    pub fn new(supports_delete: bool) -> Self {
        Self {
            state: Arc::default(),
            supports_delete,
            // Small pages, so the tests cross page boundaries.
            page_size: 2,
            meeting: Meeting::default(),
        }
    }

    /// Lists this many accounts per page.
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    pub fn state(&self) -> MutexGuard<'_, TargetState> {
        self.state.lock().unwrap()
    }

    /// Errors to return, once each, for the first write whose label starts with the prefix.
    pub fn script(&self, errors: Vec<(&str, ConnectorError)>) {
        self.state().script = errors.into_iter().map(|(p, e)| (p.to_owned(), e)).collect();
    }

    /// The next write with this label prefix takes effect but reports an unknown outcome.
    pub fn unknown_after_effect(&self, prefix: &str) {
        self.state().unknown_after = Some(prefix.to_owned());
    }

    /// With a change feed that sees removals (for every clone).
    pub fn with_feed(self) -> Self {
        let mut state = self.state();
        state.feed = Some(TargetFeed::default());
        state.observe();
        drop(state);
        self
    }

    /// Forgets every cursor its feed handed out.
    pub fn expire_cursors(&self) {
        if let Some(feed) = self.state().feed.as_mut() {
            feed.expire();
        }
    }

    /// Hangs at a write from now on (for every clone), or no more with `None`; the count of
    /// writes starts again.
    /// Makes every call fail as an unreachable system's would, or work again.
    pub fn down(&self, down: bool) {
        self.state().down = down;
    }

    fn up(&self) -> Result<(), ConnectorError> {
        match self.state().down {
            true => Err(ConnectorError::Unavailable {
                message: "connection refused".into(),
                retry_after_ms: None,
            }),
            false => Ok(()),
        }
    }

    /// Asks `stop` (as SIGTERM would) once the `writes`th write from now has taken effect.
    pub fn stop_after(&self, writes: usize, stop: Stop) {
        let mut state = self.state();
        state.writes = 0;
        state.stop_after = Some((writes, stop));
    }

    pub fn hang(&self, hang: Option<Hang>) {
        let mut state = self.state();
        state.hang = hang;
        state.writes = 0;
    }

    async fn write<T>(
        &self,
        label: String,
        effect: impl FnOnce(&mut TargetState) -> Result<T, ConnectorError>,
    ) -> Result<T, ConnectorError> {
        let (n, scripted, hang) = {
            let mut s = self.state();
            s.attempts.push(label.clone());
            s.writes += 1;
            let found = s
                .script
                .iter()
                .position(|(p, _)| label.starts_with(p.as_str()));
            let hang = s.hang;
            (s.writes, found.map(|i| s.script.remove(i).1), hang)
        };
        if let Some(err) = scripted {
            return Err(err);
        }
        let hang = hang.filter(|h| h.at_call == n);
        if hang.is_some_and(|h| !h.after_effect) {
            std::future::pending::<()>().await;
        }
        let result = {
            let mut s = self.state();
            // What changed behind the connector's back first, then what this write does.
            s.observe();
            let r = effect(&mut s);
            s.observe();
            if r.is_ok() {
                s.log.push(label.clone());
            }
            if let Some((_, stop)) = s.stop_after.as_ref().filter(|(at, _)| *at == n) {
                stop.request();
            }
            r
        };
        if hang.is_some() {
            std::future::pending::<()>().await;
        }
        let unknown = {
            let mut s = self.state();
            let hit = s
                .unknown_after
                .as_ref()
                .is_some_and(|p| label.starts_with(p.as_str()));
            if hit {
                s.unknown_after = None;
            }
            hit
        };
        if unknown {
            return Err(ConnectorError::OutcomeUnknown("connection reset".into()));
        }
        result
    }
}

fn missing(key: &str) -> ConnectorError {
    ConnectorError::NotFound(key.to_owned())
}

#[async_trait]
impl TargetConnector for FakeTarget {
    async fn describe(&mut self) -> Result<TargetInfo, ConnectorError> {
        self.up()?;
        Ok(TargetInfo {
            entitlement_kinds: vec!["group".into()],
            serial_writes: true,
            supports_delete: self.supports_delete,
            correlation_attributes: vec![],
            feed: self.state().feed.as_ref().map(|_| FeedInfo {
                sees_deletes: true,
                partial_attributes: false,
            }),
        })
    }

    async fn read_changes(
        &mut self,
        cursor: Option<&[u8]>,
    ) -> Result<TargetChanges, ConnectorError> {
        self.meeting.attend().await;
        let mut state = self.state();
        state.observe();
        let now = state.holdings();
        let feed = state
            .feed
            .as_ref()
            .ok_or_else(|| ConnectorError::Unsupported("read-changes".into()))?;
        feed.changes(cursor, &now)
    }

    async fn get_account(&mut self, key: &str) -> Result<Option<Account>, ConnectorError> {
        Ok(self.state().accounts.get(key).cloned())
    }

    async fn test_connection(&mut self) -> Result<String, ConnectorError> {
        Ok("fake".into())
    }

    async fn list_accounts(
        &mut self,
        cursor: Option<String>,
    ) -> Result<AccountPage, ConnectorError> {
        let start: usize = cursor.as_deref().map_or(0, |c| c.parse().unwrap_or(0));
        let state = self.state();
        let accounts: Vec<Account> = state
            .accounts
            .values()
            .skip(start)
            .take(self.page_size)
            .cloned()
            .collect();
        let end = start + accounts.len();
        Ok(AccountPage {
            accounts,
            next_cursor: (end < state.accounts.len()).then(|| end.to_string()),
        })
    }

    async fn list_entitlements(
        &mut self,
        _cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        Ok(EntitlementPage {
            entitlements: self.state().catalogue.clone(),
            next_cursor: None,
        })
    }

    async fn list_memberships(
        &mut self,
        _cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        let memberships = self
            .state()
            .memberships
            .iter()
            .map(|(a, e)| Membership {
                account: a.clone(),
                entitlement: e.clone(),
            })
            .collect();
        Ok(MembershipPage {
            memberships,
            next_cursor: None,
        })
    }

    /// The account whose `attribute` (or user name, for `username`) is `value`, compared
    /// case-insensitively as directories do.
    async fn correlate(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        let state = self.state();
        let found = state.accounts.values().find(|a| {
            let held = if attribute == "username" {
                a.username.as_deref()
            } else {
                a.attributes
                    .iter()
                    .find(|x| x.name == attribute)
                    .map(|x| x.value.as_str())
            };
            held.is_some_and(|h| h.eq_ignore_ascii_case(value))
        });
        Ok(found.cloned())
    }

    async fn create(&mut self, spec: &AccountSpec) -> Result<Account, ConnectorError> {
        let spec = spec.clone();
        self.write(format!("create {}", spec.username), move |s| {
            // Like a directory: a user name is unique, whatever its case.
            let taken = s.accounts.values().any(|a| {
                a.username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(&spec.username))
            });
            if taken {
                return Err(ConnectorError::AlreadyExists(spec.username));
            }
            s.next_key += 1;
            let account = Account {
                key: format!("acc-{}", s.next_key),
                username: Some(spec.username),
                enabled: spec.enabled,
                attributes: spec.attributes,
            };
            s.accounts.insert(account.key.clone(), account.clone());
            Ok(account)
        })
        .await
    }

    async fn update(
        &mut self,
        account: &str,
        changes: &[AttributeChange],
    ) -> Result<Account, ConnectorError> {
        let (key, changes) = (account.to_owned(), changes.to_vec());
        self.write(format!("update {account}"), move |s| {
            let a = s.accounts.get_mut(&key).ok_or_else(|| missing(&key))?;
            for c in changes {
                a.attributes.retain(|x| x.name != c.name);
                for value in c.values {
                    a.attributes.push(tessera_domain::Attribute {
                        name: c.name.clone(),
                        value,
                    });
                }
            }
            Ok(a.clone())
        })
        .await
    }

    async fn enable(&mut self, account: &str) -> Result<(), ConnectorError> {
        let key = account.to_owned();
        self.write(format!("enable {account}"), move |s| {
            s.accounts
                .get_mut(&key)
                .ok_or_else(|| missing(&key))?
                .enabled = true;
            Ok(())
        })
        .await
    }

    async fn disable(&mut self, account: &str) -> Result<(), ConnectorError> {
        let key = account.to_owned();
        self.write(format!("disable {account}"), move |s| {
            s.accounts
                .get_mut(&key)
                .ok_or_else(|| missing(&key))?
                .enabled = false;
            Ok(())
        })
        .await
    }

    async fn delete(&mut self, account: &str) -> Result<(), ConnectorError> {
        let key = account.to_owned();
        self.write(format!("delete {account}"), move |s| {
            s.accounts.remove(&key).ok_or_else(|| missing(&key))?;
            s.memberships.retain(|(a, _)| a != &key);
            Ok(())
        })
        .await
    }

    async fn grant(
        &mut self,
        account: &str,
        entitlement: &EntitlementRef,
    ) -> Result<(), ConnectorError> {
        let (key, e) = (account.to_owned(), entitlement.clone());
        self.write(format!("grant {account} {}", entitlement.key), move |s| {
            s.memberships.insert((key, e));
            Ok(())
        })
        .await
    }

    async fn revoke(
        &mut self,
        account: &str,
        entitlement: &EntitlementRef,
    ) -> Result<(), ConnectorError> {
        let (key, e) = (account.to_owned(), entitlement.clone());
        self.write(format!("revoke {account} {}", entitlement.key), move |s| {
            s.memberships.remove(&(key, e));
            Ok(())
        })
        .await
    }

    async fn open_ticket(&mut self, spec: &TicketSpec) -> Result<Ticket, ConnectorError> {
        self.up()?;
        let mut state = self.state();
        let n = state.tickets.len() + 1;
        let ticket = Ticket {
            key: format!("t-{n}"),
            number: format!("I 2612 {n:03}"),
            closed: false,
        };
        state.tickets.push((spec.clone(), ticket.clone()));
        Ok(ticket)
    }

    async fn ticket(&mut self, key: &str) -> Result<Ticket, ConnectorError> {
        self.up()?;
        let state = self.state();
        let found = state.tickets.iter().find(|(_, t)| t.key == key);
        found.map(|(_, t)| t.clone()).ok_or_else(|| missing(key))
    }
}
