//! `GET /users/delta` and `GET /groups/delta`: a round of pages joined by `@odata.nextLink`
//! and closed by an `@odata.deltaLink` whose token later returns what changed since. New and
//! changed users come whole (as `$select` asked), removed ones as `{id, "@removed"}`
//! (`changed` when soft-deleted); a group carries `members@delta` with `@removed` on members
//! that left. `$deltatoken=latest` starts from now. A token from before the feed was reset
//! is answered 410 Gone, as Graph does when a full resync is needed.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::directory::{Change, Directory, Group};
use super::odata::{self, GraphError, Query};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Users,
    Groups,
}

#[derive(Serialize, Deserialize)]
struct State {
    kind: Kind,
    epoch: u64,
    select: Option<Vec<String>>,
    round: Round,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
enum Round {
    /// Everything as of log entry `at`, from `offset`.
    Initial { at: usize, offset: usize },
    /// Changes in log entries `from..to`, from `offset`.
    Changes {
        from: usize,
        to: usize,
        offset: usize,
    },
    /// Caught up at `at` (the delta link).
    Done { at: usize },
}

/// What the mock's feeds are doing now.
pub struct Feed<'a> {
    pub directory: &'a Directory,
    /// Tokens from an earlier epoch are gone.
    pub epoch: u64,
    pub page_size: usize,
    /// Repeat the first entry of each page of changes, as Graph may replay.
    pub replay: bool,
    /// Changed users carry only `id` and `displayName`.
    pub partial: bool,
    /// `http://127.0.0.1:PORT/v1.0`.
    pub base: String,
}

impl Feed<'_> {
    pub fn answer(&self, kind: Kind, q: &Query) -> Result<Response, GraphError> {
        let at = self.directory.log.len();
        let state = match (q.skiptoken.as_deref(), q.deltatoken.as_deref()) {
            (None, Some("latest")) => {
                return Ok(self.page(kind, q.select.clone(), vec![], Round::Done { at }));
            }
            (Some(t), _) | (None, Some(t)) => odata::untoken::<State>(t)?,
            (None, None) => State {
                kind,
                epoch: self.epoch,
                select: q.select.clone(),
                round: Round::Initial { at, offset: 0 },
            },
        };
        if state.kind != kind {
            return Err(GraphError::bad_request("Invalid skip or delta token."));
        }
        if state.epoch != self.epoch {
            return Ok(self.gone(kind, state.select.as_deref()));
        }
        let round = match state.round {
            Round::Done { at: from } => Round::Changes {
                from,
                to: at,
                offset: 0,
            },
            r => r,
        };
        let select = state.select.as_deref();
        let (entries, offset) = match round {
            Round::Initial { offset, .. } => (self.everything(kind, select), offset),
            Round::Changes { from, to, offset } => (self.changes(kind, select, from, to), offset),
            Round::Done { .. } => (Vec::new(), 0),
        };
        let end = (offset + self.page_size).min(entries.len());
        let mut items: Vec<Value> = entries
            .get(offset..end)
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        if self.replay
            && matches!(round, Round::Changes { .. })
            && let Some(first) = items.first().cloned()
        {
            items.push(first);
        }
        let more = end < entries.len();
        let following = match round {
            Round::Initial { at, .. } if more => Round::Initial { at, offset: end },
            Round::Changes { from, to, .. } if more => Round::Changes {
                from,
                to,
                offset: end,
            },
            Round::Initial { at, .. } | Round::Done { at } => Round::Done { at },
            Round::Changes { to, .. } => Round::Done { at: to },
        };
        Ok(self.page(kind, state.select, items, following))
    }

    fn page(
        &self,
        kind: Kind,
        select: Option<Vec<String>>,
        items: Vec<Value>,
        round: Round,
    ) -> Response {
        let done = matches!(round, Round::Done { .. });
        let token = odata::token(&State {
            kind,
            epoch: self.epoch,
            select,
            round,
        });
        let (key, param) = if done {
            ("@odata.deltaLink", "$deltatoken")
        } else {
            ("@odata.nextLink", "$skiptoken")
        };
        let body = json!({
            "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#{}", path(kind)),
            "value": items,
            key: format!("{}/{}/delta?{param}={token}", self.base, path(kind)),
        });
        odata::reply(StatusCode::OK, &body)
    }

    fn gone(&self, kind: Kind, select: Option<&[String]>) -> Response {
        let mut fresh = format!("{}/{}/delta", self.base, path(kind));
        if let Some(s) = select {
            fresh.push_str(&format!("?$select={}", s.join(",")));
        }
        let error = GraphError::new(
            StatusCode::GONE,
            "resyncRequired",
            "Resync required. Replace any local cached data with a full delta sync from scratch.",
        );
        let mut response = error.into_response();
        if let Ok(v) = HeaderValue::from_str(&fresh) {
            response.headers_mut().insert(header::LOCATION, v);
        }
        response
    }

    fn everything(&self, kind: Kind, select: Option<&[String]>) -> Vec<Value> {
        match kind {
            Kind::Users => self
                .directory
                .users
                .values()
                .map(|u| odata::project(u, select, odata::DEFAULT_USER))
                .collect(),
            Kind::Groups => self
                .directory
                .groups
                .iter()
                .map(|(id, g)| {
                    group_entry(
                        id,
                        g,
                        g.members.iter().map(|m| (m.as_str(), true)).collect(),
                    )
                })
                .collect(),
        }
    }

    /// One entry per object changed in `from..to`, as it is now.
    fn changes(&self, kind: Kind, select: Option<&[String]>, from: usize, to: usize) -> Vec<Value> {
        let log = self.directory.log.get(from..to).unwrap_or_default();
        match kind {
            Kind::Users => {
                let mut seen: Vec<&str> = Vec::new();
                for change in log {
                    if let Change::User(id) = change
                        && !seen.contains(&id.as_str())
                    {
                        seen.push(id);
                    }
                }
                seen.into_iter()
                    .map(|id| self.user_entry(id, select))
                    .collect()
            }
            Kind::Groups => self.group_changes(log),
        }
    }

    fn user_entry(&self, id: &str, select: Option<&[String]>) -> Value {
        let d = self.directory;
        match (d.users.get(id), d.deleted.contains_key(id)) {
            (Some(user), _) if self.partial => {
                json!({ "id": id, "displayName": user.get("displayName") })
            }
            (Some(user), _) => odata::project(user, select, odata::DEFAULT_USER),
            (None, true) => json!({ "id": id, "@removed": { "reason": "changed" } }),
            (None, false) => json!({ "id": id, "@removed": { "reason": "deleted" } }),
        }
    }

    fn group_changes(&self, log: &[Change]) -> Vec<Value> {
        // Per group, each member's last change in the window.
        let mut groups: BTreeMap<&str, BTreeMap<&str, bool>> = BTreeMap::new();
        for change in log {
            match change {
                Change::Group(id) => {
                    groups.entry(id).or_default();
                }
                Change::Member {
                    group,
                    member,
                    added,
                } => {
                    groups.entry(group).or_default().insert(member, *added);
                }
                Change::User(_) => {}
            }
        }
        groups
            .into_iter()
            .map(|(id, members)| match self.directory.groups.get(id) {
                Some(g) => group_entry(id, g, members.into_iter().collect()),
                None => json!({ "id": id, "@removed": { "reason": "deleted" } }),
            })
            .collect()
    }
}

fn group_entry(id: &str, g: &Group, members: Vec<(&str, bool)>) -> Value {
    let delta: Vec<Value> = members
        .into_iter()
        .map(|(member, present)| {
            let kind = if g.nested.contains(member) {
                "#microsoft.graph.group"
            } else {
                "#microsoft.graph.user"
            };
            let mut m = json!({ "@odata.type": kind, "id": member });
            if !present {
                m["@removed"] = json!({});
            }
            m
        })
        .collect();
    json!({ "id": id, "displayName": g.display_name, "members@delta": delta })
}

fn path(kind: Kind) -> &'static str {
    match kind {
        Kind::Users => "users",
        Kind::Groups => "groups",
    }
}
