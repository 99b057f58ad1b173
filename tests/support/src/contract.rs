//! The contract every target plugin keeps, as ConnId's contract tests hold connectors to theirs:
//! create, list, get, update, grant, revoke, disable, enable and delete, each checked by
//! reading the target back and each repeated, which must either succeed or answer the typed
//! error that means "already so"; and the typed answers for an account that does not exist.
//! A plugin's own test builds a [`TargetCase`] for its mock and calls [`target`], and for a
//! target with a change feed [`feed`]: each write shows in the feed once. A source plugin's
//! test calls [`source`].

use tessera_domain::{
    Account, AccountSpec, AttributeChange, ConnectorError, EntitlementRef, Person, SourceConnector,
    TargetChanges, TargetConnector,
};

/// What to do to one target.
pub struct TargetCase {
    /// The account to create; its user name must be free.
    pub spec: AccountSpec,
    /// An update; afterwards the account holds exactly these values.
    pub change: Vec<AttributeChange>,
    /// An entitlement to grant and revoke, when the target has any.
    pub entitlement: Option<EntitlementRef>,
    /// A key no account has.
    pub missing: String,
}

impl TargetCase {
    /// Creates `username` with `attributes`, then sets `change.0` to `change.1`; no
    /// entitlement, and a key no target hands out as the missing one.
    pub fn new(username: &str, attributes: &[(&str, &str)], change: (&str, &str)) -> Self {
        let attributes = attributes
            .iter()
            .map(|(n, v)| crate::people::attribute(n, v))
            .collect();
        Self {
            spec: AccountSpec {
                username: username.into(),
                enabled: true,
                attributes,
            },
            change: vec![AttributeChange {
                name: change.0.into(),
                values: vec![change.1.into()],
            }],
            entitlement: None,
            missing: "00000000-0000-4000-8000-00000000dead".into(),
        }
    }

    /// Grants and revokes this entitlement too.
    pub fn entitlement(mut self, kind: &str, key: &str) -> Self {
        self.entitlement = Some(EntitlementRef {
            kind: kind.into(),
            key: key.into(),
        });
        self
    }

    /// A key of the target's own form that no account has.
    pub fn missing(mut self, key: &str) -> Self {
        self.missing = key.into();
        self
    }
}

/// Every step of the target contract, in the order [`target`] runs them.
pub const EVERY_STEP: [&str; 10] = [
    "create",
    "list",
    "get",
    "not-found",
    "update",
    "grant",
    "revoke",
    "disable",
    "enable",
    "delete",
];

/// The steps of the target contract but `left_out` (a target without entitlements or delete).
pub fn every_step_but(left_out: &[&str]) -> Vec<&'static str> {
    EVERY_STEP
        .into_iter()
        .filter(|s| !left_out.contains(s))
        .collect()
}

/// A bound on the pages of one listing.
const MAX_PAGES: usize = 1_000;

/// Runs the contract against `conn`; panics naming the step that broke it. Returns the steps
/// that ran (delete and the entitlement steps only where the target has them).
pub async fn target(conn: &mut dyn TargetConnector, case: &TargetCase) -> Vec<&'static str> {
    let info = conn.describe().await.expect("describe");
    if let Some(e) = &case.entitlement {
        assert!(
            info.entitlement_kinds.contains(&e.kind),
            "describe lists the kind `{}`",
            e.kind
        );
    }
    let mut ran = vec!["create"];
    let created = conn.create(&case.spec).await.expect("create");
    let username = created.username.clone().unwrap_or_default();
    assert!(
        username.eq_ignore_ascii_case(&case.spec.username),
        "create: user name {username}"
    );
    let key = created.key.clone();
    assert!(
        accounts(conn).await.iter().any(|a| a.key == key),
        "list: the new account"
    );
    ran.push("list");
    if read(conn, &key).await.is_some() {
        ran.push("get");
    }
    missing(conn, case).await;
    ran.push("not-found");
    update(conn, &key, &case.change).await;
    ran.push("update");
    if let Some(e) = &case.entitlement {
        memberships(conn, &key, e).await;
        ran.extend(["grant", "revoke"]);
    }
    switch(conn, &key).await;
    ran.extend(["disable", "enable"]);
    if info.supports_delete {
        delete(conn, &key).await;
        ran.push("delete");
    }
    ran
}

/// Every account, all pages.
async fn accounts(conn: &mut dyn TargetConnector) -> Vec<Account> {
    let (mut out, mut cursor) = (Vec::new(), None);
    for _ in 0..MAX_PAGES {
        let page = conn.list_accounts(cursor).await.expect("list accounts");
        out.extend(page.accounts);
        cursor = page.next_cursor;
        if cursor.is_none() {
            return out;
        }
    }
    panic!("list accounts: more than {MAX_PAGES} pages");
}

/// The account as the target holds it now: by `get_account`, or from the listing when the
/// target has no `get_account`.
async fn read(conn: &mut dyn TargetConnector, key: &str) -> Option<Account> {
    match conn.get_account(key).await {
        Ok(found) => found,
        Err(ConnectorError::Unsupported(_)) => {
            accounts(conn).await.into_iter().find(|a| a.key == key)
        }
        Err(e) => panic!("get account {key}: {e}"),
    }
}

/// An account that does not exist is none to read and not-found to change.
async fn missing(conn: &mut dyn TargetConnector, case: &TargetCase) {
    match conn.get_account(&case.missing).await {
        Ok(None) | Err(ConnectorError::Unsupported(_)) => {}
        other => panic!("get account of a missing key: {other:?}"),
    }
    let changed = conn.update(&case.missing, &case.change).await;
    assert!(
        matches!(changed, Err(ConnectorError::NotFound(_))),
        "update of a missing key: {changed:?}"
    );
}

async fn update(conn: &mut dyn TargetConnector, key: &str, change: &[AttributeChange]) {
    let answered = conn.update(key, change).await.expect("update");
    let now = read(conn, key).await.expect("the account after the update");
    for account in [&answered, &now] {
        for c in change {
            let mut held: Vec<&str> = account
                .attributes
                .iter()
                .filter(|a| a.name == c.name)
                .map(|a| a.value.as_str())
                .collect();
            let mut want: Vec<&str> = c.values.iter().map(String::as_str).collect();
            held.sort_unstable();
            want.sort_unstable();
            assert_eq!(held, want, "update: {}", c.name);
        }
    }
}

/// Whether `key` holds `e`, by the listing.
async fn holds(conn: &mut dyn TargetConnector, key: &str, e: &EntitlementRef) -> bool {
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = conn
            .list_memberships(cursor)
            .await
            .expect("list memberships");
        if page
            .memberships
            .iter()
            .any(|m| m.account == key && m.entitlement == *e)
        {
            return true;
        }
        cursor = page.next_cursor;
        if cursor.is_none() {
            return false;
        }
    }
    panic!("list memberships: more than {MAX_PAGES} pages");
}

async fn memberships(conn: &mut dyn TargetConnector, key: &str, e: &EntitlementRef) {
    conn.grant(key, e).await.expect("grant");
    assert!(holds(conn, key, e).await, "grant: listed");
    let again = conn.grant(key, e).await;
    assert!(
        matches!(again, Ok(()) | Err(ConnectorError::AlreadyExists(_))),
        "grant again: {again:?}"
    );
    conn.revoke(key, e).await.expect("revoke");
    assert!(!holds(conn, key, e).await, "revoke: gone");
    let again = conn.revoke(key, e).await;
    assert!(
        matches!(again, Ok(()) | Err(ConnectorError::NotFound(_))),
        "revoke again: {again:?}"
    );
}

async fn switch(conn: &mut dyn TargetConnector, key: &str) {
    for enabled in [false, true] {
        for _ in 0..2 {
            let done = if enabled {
                conn.enable(key).await
            } else {
                conn.disable(key).await
            };
            done.unwrap_or_else(|e| panic!("enabled = {enabled}: {e}"));
        }
        let now = read(conn, key)
            .await
            .expect("the account after enable or disable");
        assert_eq!(now.enabled, enabled, "enabled = {enabled}, twice");
    }
}

async fn delete(conn: &mut dyn TargetConnector, key: &str) {
    conn.delete(key).await.expect("delete");
    assert!(read(conn, key).await.is_none(), "delete: gone");
    let again = conn.delete(key).await;
    assert!(
        matches!(again, Ok(()) | Err(ConnectorError::NotFound(_))),
        "delete again: {again:?}"
    );
}

/// Every change since `cursor`, following `more` to the end, and the cursor after them.
async fn drain(conn: &mut dyn TargetConnector, mut cursor: Vec<u8>) -> (TargetChanges, Vec<u8>) {
    let mut all = TargetChanges::default();
    for _ in 0..MAX_PAGES {
        let page = conn
            .read_changes(Some(&cursor))
            .await
            .expect("read changes");
        all.accounts.extend(page.accounts);
        all.removed.extend(page.removed);
        all.granted.extend(page.granted);
        all.revoked.extend(page.revoked);
        cursor = page.cursor;
        if !page.more {
            return (all, cursor);
        }
    }
    panic!("read changes: more than {MAX_PAGES} rounds");
}

/// The change-feed contract: from a cursor taken before, each write shows in the feed once —
/// the new account, the granted and the revoked membership, the changed account with its new
/// values, and (where the feed sees deletes) the deleted account. Returns the steps that ran;
/// none for a target without a feed.
pub async fn feed(conn: &mut dyn TargetConnector, case: &TargetCase) -> Vec<&'static str> {
    let info = conn.describe().await.expect("describe");
    let Some(feed) = info.feed else {
        return Vec::new();
    };
    let start = conn
        .read_changes(None)
        .await
        .expect("a cursor for now")
        .cursor;
    let key = conn.create(&case.spec).await.expect("create").key;
    let (seen, cursor) = drain(conn, start).await;
    let once = |changes: &TargetChanges| changes.accounts.iter().filter(|a| a.key == key).count();
    assert_eq!(once(&seen), 1, "create: the account once in {seen:?}");
    let mut ran = vec!["create"];
    let mut cursor = cursor;
    if let Some(e) = &case.entitlement {
        let held = |m: &tessera_domain::Membership| m.account == key && m.entitlement == *e;
        conn.grant(&key, e).await.expect("grant");
        let (seen, next) = drain(conn, cursor).await;
        assert_eq!(
            seen.granted.iter().filter(|m| held(m)).count(),
            1,
            "grant once: {seen:?}"
        );
        conn.revoke(&key, e).await.expect("revoke");
        let (seen, next) = drain(conn, next).await;
        assert_eq!(
            seen.revoked.iter().filter(|m| held(m)).count(),
            1,
            "revoke once: {seen:?}"
        );
        cursor = next;
        ran.extend(["grant", "revoke"]);
    }
    conn.update(&key, &case.change).await.expect("update");
    let (seen, next) = drain(conn, cursor).await;
    assert_eq!(once(&seen), 1, "update: the account once in {seen:?}");
    ran.push("update");
    if info.supports_delete && feed.sees_deletes {
        conn.delete(&key).await.expect("delete");
        let (seen, _) = drain(conn, next).await;
        assert_eq!(
            seen.removed.iter().filter(|k| **k == key).count(),
            1,
            "delete once: {seen:?}"
        );
        ran.push("delete");
    }
    ran
}

/// Every page of a read from the start: the persons, the warnings, and how many pages.
async fn read_all(conn: &mut dyn SourceConnector) -> (Vec<Person>, usize, usize) {
    let (mut persons, mut warnings, mut cursor) = (Vec::new(), 0, None);
    for pages in 1..=MAX_PAGES {
        let page = conn.read(cursor).await.expect("read");
        persons.extend(page.persons);
        warnings += page.warnings.len();
        cursor = page.next_cursor;
        if cursor.is_none() {
            return (persons, warnings, pages);
        }
    }
    panic!("read: more than {MAX_PAGES} pages");
}

/// The source contract: a read from the start ends, hands every person out once with a
/// non-empty id and contracts with ids of their own, and reads the same persons again; a
/// cursor the plugin did not make is refused as invalid; and a change feed, where there is
/// one, starts from a cursor for now and reports nothing while nothing changes. Returns the
/// persons of the first read.
pub async fn source(conn: &mut dyn SourceConnector) -> Vec<Person> {
    let (persons, _, _) = read_all(conn).await;
    let mut ids: Vec<&str> = persons.iter().map(|p| p.id.as_str()).collect();
    assert!(
        ids.iter().all(|id| !id.is_empty()),
        "every person has an id"
    );
    ids.sort_unstable();
    let total = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), total, "each person once across the pages");
    for p in &persons {
        let mut contracts: Vec<&str> = p.contracts.iter().map(|c| c.id.as_str()).collect();
        contracts.sort_unstable();
        contracts.dedup();
        assert_eq!(
            contracts.len(),
            p.contracts.len(),
            "{}: contract ids are unique",
            p.id
        );
    }
    let (again, _, _) = read_all(conn).await;
    let mut again: Vec<&str> = again.iter().map(|p| p.id.as_str()).collect();
    again.sort_unstable();
    assert_eq!(again, ids, "a second read finds the same persons");
    let bogus = conn
        .read(Some("not a cursor of this plugin ∅".into()))
        .await;
    assert!(
        matches!(bogus, Err(ConnectorError::Invalid { .. })),
        "a foreign cursor: {bogus:?}"
    );
    if conn.describe().await.expect("describe").feed.is_some() {
        let start = conn.read_changes(None).await.expect("a cursor for now");
        assert!(
            start.persons.is_empty() && start.removed.is_empty(),
            "a new cursor carries no changes"
        );
        let quiet = conn
            .read_changes(Some(&start.cursor))
            .await
            .expect("read changes");
        assert!(
            quiet.persons.is_empty() && quiet.removed.is_empty(),
            "nothing changed: {quiet:?}"
        );
    }
    persons
}
