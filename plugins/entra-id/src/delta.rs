//! The change feed: Graph's `users/delta` and `groups/delta`, one round of each at a time.
//!
//! The cursor holds both links Graph gave (a next link while a round is under way, the delta
//! link after it) and which rounds have pages left. A call reads one page of each round that
//! has pages left, or, when both are caught up, starts the next round of both. A user Graph
//! reports with only some properties is read whole; a removed user (soft-deleted too) is
//! gone; a group's `members@delta` become granted and revoked memberships of users.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tessera_sdk::ConnectorError;
use tessera_sdk::types::TargetChanges;

use crate::graph::{Graph, encode};
use crate::{groups, users};

#[derive(Serialize, Deserialize)]
struct Cursor {
    users: String,
    groups: String,
    users_more: bool,
    groups_more: bool,
}

/// A cursor for now: both feeds from `$deltatoken=latest`.
pub fn start(graph: &Graph<'_>) -> Result<TargetChanges, ConnectorError> {
    let users = link(&graph.get(&format!(
        "users/delta?$select={}&$deltatoken=latest",
        encode(&users::select())
    ))?)?;
    let groups = link(&graph.get(&format!(
        "groups/delta?$select={}&$deltatoken=latest",
        encode(&format!("{},members", groups::SELECT))
    ))?)?;
    let cursor = Cursor {
        users,
        groups,
        users_more: false,
        groups_more: false,
    };
    Ok(TargetChanges {
        cursor: encode_cursor(&cursor)?,
        ..TargetChanges::default()
    })
}

/// What changed since `cursor`.
pub fn read(
    graph: &Graph<'_>,
    domain: &str,
    cursor: &[u8],
) -> Result<TargetChanges, ConnectorError> {
    let mut c: Cursor = serde_json::from_slice(cursor)
        .map_err(|_| ConnectorError::CursorInvalid("not a cursor this plugin wrote".into()))?;
    let fresh = !c.users_more && !c.groups_more;
    let mut out = TargetChanges::default();
    if fresh || c.users_more {
        let page = graph.get(&c.users)?;
        users_page(graph, domain, &page, &mut out)?;
        c.users_more = groups::next_link(&page).is_some();
        c.users = link(&page)?;
    }
    if fresh || c.groups_more {
        let page = graph.get(&c.groups)?;
        groups_page(&page, &mut out);
        c.groups_more = groups::next_link(&page).is_some();
        c.groups = link(&page)?;
    }
    out.more = c.users_more || c.groups_more;
    out.cursor = encode_cursor(&c)?;
    Ok(out)
}

fn users_page(
    graph: &Graph<'_>,
    domain: &str,
    page: &Value,
    out: &mut TargetChanges,
) -> Result<(), ConnectorError> {
    for entry in groups::values(page) {
        let Some(id) = entry.get("id").and_then(Value::as_str) else {
            continue;
        };
        if entry.get("@removed").is_some() {
            out.removed.push(id.to_owned());
            continue;
        }
        let whole = if users::is_whole(&entry) {
            Some(entry.clone())
        } else {
            graph.get_optional(&format!("users/{id}?$select={}", encode(&users::select())))?
        };
        match whole {
            Some(user) => out.accounts.push(users::account(&user, domain)?),
            // Gone between the feed and the read.
            None => out.removed.push(id.to_owned()),
        }
    }
    Ok(())
}

fn groups_page(page: &Value, out: &mut TargetChanges) {
    for entry in groups::values(page) {
        let Some(group) = entry.get("id").and_then(Value::as_str) else {
            continue;
        };
        if entry.get("@removed").is_some() {
            // The memberships go with the accounts' and the catalogue's next full read.
            continue;
        }
        if entry.get("displayName").is_some()
            && let Some(e) = groups::entitlement(&entry)
        {
            out.entitlements.push(e);
        }
        let members = entry
            .get("members@delta")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for m in members.iter().filter(|m| groups::is_user(m)) {
            let Some(user) = m.get("id").and_then(Value::as_str) else {
                continue;
            };
            let change = groups::membership(user, group);
            if m.get("@removed").is_some() {
                out.revoked.push(change);
            } else {
                out.granted.push(change);
            }
        }
    }
}

/// The page's next link, or its delta link when the round is done.
fn link(page: &Value) -> Result<String, ConnectorError> {
    ["@odata.nextLink", "@odata.deltaLink"]
        .iter()
        .find_map(|k| page.get(*k).and_then(Value::as_str))
        .map(str::to_owned)
        .ok_or_else(|| {
            ConnectorError::invalid(
                "delta",
                "a delta page with neither a next link nor a delta link",
            )
        })
}

fn encode_cursor(c: &Cursor) -> Result<Vec<u8>, ConnectorError> {
    serde_json::to_vec(c).map_err(|e| ConnectorError::Other(e.to_string()))
}
