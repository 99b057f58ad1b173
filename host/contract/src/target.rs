//! The target scenario and the target change-feed scenario.

use tessera_domain::{
    Account, AttributeChange, ConnectorError, EntitlementRef, Membership, TargetChanges,
    TargetConnector,
};

use crate::{MAX_PAGES, Outcome, TargetCase, broken, ended, ensure};

type Conn<'a> = &'a mut dyn TargetConnector;
/// The steps that passed so far.
type Steps = Vec<&'static str>;

/// Runs the target contract against `conn`. Answers the steps that ran (delete and the
/// entitlement steps only where the target has them), or the step that broke.
pub async fn target(conn: Conn<'_>, case: &TargetCase) -> Outcome {
    let mut ran = Vec::new();
    let run = target_steps(conn, case, &mut ran).await;
    ended(run, ran).map(|((), ran)| ran)
}

async fn target_steps(conn: Conn<'_>, case: &TargetCase, ran: &mut Steps) -> Outcome<()> {
    let info = conn
        .describe()
        .await
        .map_err(|e| broken("describe", e.to_string()))?;
    if let Some(e) = &case.entitlement {
        let listed = info.entitlement_kinds.contains(&e.kind);
        ensure!(
            listed,
            "describe",
            "entitlement kind `{}` is not listed",
            e.kind
        );
    }
    let created = conn
        .create(&case.spec)
        .await
        .map_err(|e| broken("create", e.to_string()))?;
    let username = created.username.clone().unwrap_or_default();
    let same = username.eq_ignore_ascii_case(&case.spec.username);
    ensure!(same, "create", "answered user name `{username}`");
    ran.push("create");
    let key = created.key.clone();
    let listed = accounts(conn).await?.iter().any(|a| a.key == key);
    ensure!(
        listed,
        "list",
        "the new account {key} is not in the listing"
    );
    ran.push("list");
    if read(conn, &key).await?.is_some() {
        ran.push("get");
    }
    missing(conn, case).await?;
    ran.push("not-found");
    update(conn, &key, &case.change).await?;
    ran.push("update");
    if let Some(e) = &case.entitlement {
        memberships(conn, &key, e, ran).await?;
    }
    switch(conn, &key, ran).await?;
    if info.supports_delete {
        delete(conn, &key).await?;
        ran.push("delete");
    }
    Ok(())
}

/// Every account, all pages.
async fn accounts(conn: Conn<'_>) -> Outcome<Vec<Account>> {
    let (mut out, mut cursor) = (Vec::new(), None);
    for _ in 0..MAX_PAGES {
        let page = conn
            .list_accounts(cursor)
            .await
            .map_err(|e| broken("list", e.to_string()))?;
        out.extend(page.accounts);
        cursor = page.next_cursor;
        if cursor.is_none() {
            return Ok(out);
        }
    }
    Err(broken("list", format!("more than {MAX_PAGES} pages")))
}

/// The account as the target holds it now: by `get_account`, or from the listing when the
/// target has no `get_account`.
async fn read(conn: Conn<'_>, key: &str) -> Outcome<Option<Account>> {
    match conn.get_account(key).await {
        Ok(found) => Ok(found),
        Err(ConnectorError::Unsupported(_)) => {
            Ok(accounts(conn).await?.into_iter().find(|a| a.key == key))
        }
        Err(e) => Err(broken("get", format!("account {key}: {e}"))),
    }
}

/// An account that does not exist is none to read and not-found to change.
async fn missing(conn: Conn<'_>, case: &TargetCase) -> Outcome<()> {
    let read = conn.get_account(&case.missing).await;
    let none = matches!(read, Ok(None) | Err(ConnectorError::Unsupported(_)));
    ensure!(
        none,
        "not-found",
        "get-account of a missing key answered {read:?}"
    );
    let changed = conn.update(&case.missing, &case.change).await;
    let typed = matches!(changed, Err(ConnectorError::NotFound(_)));
    ensure!(
        typed,
        "not-found",
        "update of a missing key answered {changed:?}"
    );
    Ok(())
}

async fn update(conn: Conn<'_>, key: &str, change: &[AttributeChange]) -> Outcome<()> {
    let answered = conn
        .update(key, change)
        .await
        .map_err(|e| broken("update", e.to_string()))?;
    let now = read(conn, key).await?;
    let now = now.ok_or_else(|| broken("update", "the account is gone after the update"))?;
    for (account, said) in [(&answered, "the answer"), (&now, "a read back")] {
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
            ensure!(
                held == want,
                "update",
                "{said} holds {} = {held:?}, not {want:?}",
                c.name
            );
        }
    }
    Ok(())
}

/// Whether `key` holds `e`, by the listing.
async fn holds(conn: Conn<'_>, key: &str, e: &EntitlementRef, step: &'static str) -> Outcome<bool> {
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = conn
            .list_memberships(cursor)
            .await
            .map_err(|e| broken(step, format!("list memberships: {e}")))?;
        if page
            .memberships
            .iter()
            .any(|m| m.account == key && m.entitlement == *e)
        {
            return Ok(true);
        }
        cursor = page.next_cursor;
        if cursor.is_none() {
            return Ok(false);
        }
    }
    Err(broken(
        step,
        format!("list memberships: more than {MAX_PAGES} pages"),
    ))
}

async fn memberships(
    conn: Conn<'_>,
    key: &str,
    e: &EntitlementRef,
    ran: &mut Steps,
) -> Outcome<()> {
    conn.grant(key, e)
        .await
        .map_err(|err| broken("grant", err.to_string()))?;
    ensure!(
        holds(conn, key, e, "grant").await?,
        "grant",
        "not listed after the grant"
    );
    let again = conn.grant(key, e).await;
    let fine = matches!(again, Ok(()) | Err(ConnectorError::AlreadyExists(_)));
    ensure!(fine, "grant", "granting again answered {again:?}");
    ran.push("grant");
    conn.revoke(key, e)
        .await
        .map_err(|err| broken("revoke", err.to_string()))?;
    ensure!(
        !holds(conn, key, e, "revoke").await?,
        "revoke",
        "still listed after the revoke"
    );
    let again = conn.revoke(key, e).await;
    let fine = matches!(again, Ok(()) | Err(ConnectorError::NotFound(_)));
    ensure!(fine, "revoke", "revoking again answered {again:?}");
    ran.push("revoke");
    Ok(())
}

async fn switch(conn: Conn<'_>, key: &str, ran: &mut Steps) -> Outcome<()> {
    for (enabled, step) in [(false, "disable"), (true, "enable")] {
        for _ in 0..2 {
            let done = if enabled {
                conn.enable(key).await
            } else {
                conn.disable(key).await
            };
            done.map_err(|e| broken(step, e.to_string()))?;
        }
        let now = read(conn, key).await?;
        let now = now.ok_or_else(|| broken(step, "the account is gone"))?;
        ensure!(
            now.enabled == enabled,
            step,
            "twice, and the account reads enabled = {}",
            now.enabled
        );
        ran.push(step);
    }
    Ok(())
}

async fn delete(conn: Conn<'_>, key: &str) -> Outcome<()> {
    conn.delete(key)
        .await
        .map_err(|e| broken("delete", e.to_string()))?;
    ensure!(
        read(conn, key).await?.is_none(),
        "delete",
        "the account still reads back"
    );
    let again = conn.delete(key).await;
    let fine = matches!(again, Ok(()) | Err(ConnectorError::NotFound(_)));
    ensure!(fine, "delete", "deleting again answered {again:?}");
    Ok(())
}

/// Every change since `cursor`, following `more` to the end, and the cursor after them.
async fn drain(
    conn: Conn<'_>,
    mut cursor: Vec<u8>,
    step: &'static str,
) -> Outcome<(TargetChanges, Vec<u8>)> {
    let mut all = TargetChanges::default();
    for _ in 0..MAX_PAGES {
        let page = conn
            .read_changes(Some(&cursor))
            .await
            .map_err(|e| broken(step, format!("read changes: {e}")))?;
        all.accounts.extend(page.accounts);
        all.removed.extend(page.removed);
        all.granted.extend(page.granted);
        all.revoked.extend(page.revoked);
        cursor = page.cursor;
        if !page.more {
            return Ok((all, cursor));
        }
    }
    Err(broken(
        step,
        format!("read changes: more than {MAX_PAGES} rounds"),
    ))
}

/// The change-feed contract: from a cursor taken before, each write shows in the feed once —
/// the new account, the granted and the revoked membership, the changed account, and (where
/// the feed sees deletes) the deleted account. Answers the steps that ran; none for a target
/// without a feed.
pub async fn feed(conn: Conn<'_>, case: &TargetCase) -> Outcome {
    let mut ran = Vec::new();
    let run = feed_steps(conn, case, &mut ran).await;
    ended(run, ran).map(|((), ran)| ran)
}

async fn feed_steps(conn: Conn<'_>, case: &TargetCase, ran: &mut Steps) -> Outcome<()> {
    let info = conn
        .describe()
        .await
        .map_err(|e| broken("describe", e.to_string()))?;
    let Some(feed) = info.feed else {
        return Ok(());
    };
    let start = conn
        .read_changes(None)
        .await
        .map_err(|e| broken("cursor", e.to_string()))?;
    let key = conn
        .create(&case.spec)
        .await
        .map_err(|e| broken("create", e.to_string()))?
        .key;
    let once = |changes: &TargetChanges| changes.accounts.iter().filter(|a| a.key == key).count();
    let (seen, mut cursor) = drain(conn, start.cursor, "create").await?;
    ensure!(
        once(&seen) == 1,
        "create",
        "the account {} times in {seen:?}",
        once(&seen)
    );
    ran.push("create");
    if let Some(e) = &case.entitlement {
        let held = |m: &Membership| m.account == key && m.entitlement == *e;
        conn.grant(&key, e)
            .await
            .map_err(|err| broken("grant", err.to_string()))?;
        let (seen, next) = drain(conn, cursor, "grant").await?;
        let n = seen.granted.iter().filter(|m| held(m)).count();
        ensure!(n == 1, "grant", "granted {n} times in {seen:?}");
        ran.push("grant");
        conn.revoke(&key, e)
            .await
            .map_err(|err| broken("revoke", err.to_string()))?;
        let (seen, next) = drain(conn, next, "revoke").await?;
        let n = seen.revoked.iter().filter(|m| held(m)).count();
        ensure!(n == 1, "revoke", "revoked {n} times in {seen:?}");
        cursor = next;
        ran.push("revoke");
    }
    conn.update(&key, &case.change)
        .await
        .map_err(|e| broken("update", e.to_string()))?;
    let (seen, next) = drain(conn, cursor, "update").await?;
    ensure!(
        once(&seen) == 1,
        "update",
        "the account {} times in {seen:?}",
        once(&seen)
    );
    ran.push("update");
    if info.supports_delete && feed.sees_deletes {
        conn.delete(&key)
            .await
            .map_err(|e| broken("delete", e.to_string()))?;
        let (seen, _) = drain(conn, next, "delete").await?;
        let n = seen.removed.iter().filter(|k| **k == key).count();
        ensure!(n == 1, "delete", "removed {n} times in {seen:?}");
        ran.push("delete");
    }
    Ok(())
}
