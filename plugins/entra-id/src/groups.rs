//! Security groups as entitlements of kind `group`, keyed by object id, and their user
//! members. Members that are groups (nesting) or devices are not accounts and are skipped.

use serde_json::{Value, json};
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::Method;
use tessera_sdk::types::{Attribute, Entitlement, EntitlementRef, Membership, MembershipPage};

use crate::graph::{Graph, encode};

pub const KIND: &str = "group";

/// `$select` for groups, in listings and in the delta feed (`members` there tracks them).
pub const SELECT: &str = "id,displayName,description,onPremisesSyncEnabled";

/// A group as Graph answers it, as a catalogue entry. A group synced from on-premises AD says
/// so: Graph refuses to change its members, the AD system owns them.
pub fn entitlement(group: &Value) -> Option<Entitlement> {
    let key = group.get("id")?.as_str()?.to_owned();
    let mut attributes = Vec::new();
    if let Some(d) = group.get("description").and_then(Value::as_str) {
        attributes.push(Attribute {
            name: "description".into(),
            value: d.to_owned(),
        });
    }
    if group.get("onPremisesSyncEnabled").and_then(Value::as_bool) == Some(true) {
        attributes.push(Attribute {
            name: "onPremisesSyncEnabled".into(),
            value: "true".into(),
        });
    }
    Some(Entitlement {
        kind: KIND.into(),
        display_name: group
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or(&key)
            .to_owned(),
        key,
        attributes,
    })
}

pub fn membership(user: &str, group: &str) -> Membership {
    Membership {
        account: user.to_owned(),
        entitlement: EntitlementRef {
            kind: KIND.into(),
            key: group.to_owned(),
        },
    }
}

/// Whether a member entry (`{"@odata.type", "id"}`) is a user.
pub fn is_user(member: &Value) -> bool {
    member.get("@odata.type").and_then(Value::as_str) == Some("#microsoft.graph.user")
}

/// The first page of the group listing.
pub fn first_page(filter: Option<&str>, top: usize) -> String {
    let mut path = format!("groups?$select={}&$top={top}", encode(SELECT));
    if let Some(f) = filter {
        path.push_str(&format!("&$filter={}", encode(f)));
    }
    path
}

/// The memberships of one group's members page, and where to go on.
///
/// The listing's cursor is `<group index>` or `<group index> <next link>`: the run lists each
/// of `groups` in turn. Pages without users (empty groups, only nested groups) are skipped
/// within one call, up to `SKIP` of them; then an empty page hands the cursor back to the
/// engine, whose own bound on pages ends a listing that never does.
pub fn members_page(
    graph: &Graph<'_>,
    groups: &[String],
    cursor: Option<&str>,
    top: usize,
) -> Result<MembershipPage, ConnectorError> {
    const SKIP: usize = 100;
    let (mut index, mut link) = parse_cursor(cursor)?;
    for _ in 0..SKIP {
        let Some(group) = groups.get(index) else {
            return Ok(MembershipPage::default());
        };
        let url = link
            .take()
            .unwrap_or_else(|| format!("groups/{group}/members?$select=id&$top={top}"));
        let page = graph.get(&url)?;
        let memberships: Vec<Membership> = values(&page)
            .iter()
            .filter(|m| is_user(m))
            .filter_map(|m| m.get("id").and_then(Value::as_str))
            .map(|user| membership(user, group))
            .collect();
        match next_link(&page) {
            Some(l) => link = Some(l),
            None => index += 1,
        }
        let next_cursor = match &link {
            Some(l) => Some(format!("{index} {l}")),
            None => Some(index)
                .filter(|i| *i < groups.len())
                .map(|i| i.to_string()),
        };
        if !memberships.is_empty() || next_cursor.is_none() {
            return Ok(MembershipPage {
                memberships,
                next_cursor,
            });
        }
    }
    let next_cursor = Some(match link {
        Some(l) => format!("{index} {l}"),
        None => index.to_string(),
    });
    Ok(MembershipPage {
        memberships: Vec::new(),
        next_cursor,
    })
}

fn parse_cursor(cursor: Option<&str>) -> Result<(usize, Option<String>), ConnectorError> {
    let Some(c) = cursor else {
        return Ok((0, None));
    };
    let (index, link) = match c.split_once(' ') {
        Some((i, l)) => (i, Some(l.to_owned())),
        None => (c, None),
    };
    let index = index.parse().map_err(|_| {
        ConnectorError::invalid("cursor", format!("`{c}` is not a membership cursor"))
    })?;
    Ok((index, link))
}

/// Adds a user to a group through `members/$ref`; already a member is done.
pub fn add(graph: &Graph<'_>, user: &str, group: &str) -> Result<(), ConnectorError> {
    let reference = json!({ "@odata.id": format!("{}/directoryObjects/{user}", graph.base) });
    match graph.write(
        Method::Post,
        &format!("groups/{group}/members/$ref"),
        &reference,
    ) {
        Ok(_) | Err(ConnectorError::AlreadyExists(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes a user from a group; not a member (404) is done.
pub fn remove(graph: &Graph<'_>, user: &str, group: &str) -> Result<(), ConnectorError> {
    match graph.delete(&format!("groups/{group}/members/{user}/$ref")) {
        Ok(()) | Err(ConnectorError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// A collection answer's `value`.
pub fn values(page: &Value) -> Vec<Value> {
    page.get("value")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

pub fn next_link(page: &Value) -> Option<String> {
    page.get("@odata.nextLink")
        .and_then(Value::as_str)
        .map(str::to_owned)
}
