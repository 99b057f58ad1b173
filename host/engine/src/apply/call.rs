//! One operation against a connector: the call, the typed-error decisions, retries with
//! exponential backoff, and re-reading the target when the outcome is unknown.

use std::time::Duration;

use tessera_domain::{
    Account, ConnectorError, EntitlementRef, TargetConnector, same_values, values_of,
};

use super::RetryPolicy;
use crate::paging::{MAX_PAGES, Pager};
use crate::plan::Operation;

/// What a successful operation left behind.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Effect {
    /// The account as it now is (create, update).
    Account(Account),
    /// A create whose user name was taken, resolved another way (see `clash`): the account
    /// it ended with, and how, for the audit trail.
    Resolved {
        /// The person's account.
        account: Account,
        /// What happened instead of the plain create.
        how: String,
    },
    /// The change is in place.
    Done,
}

/// Runs `op` on the resolved account key, deciding from the error type alone.
pub(super) async fn call_with_retry(
    conn: &mut dyn TargetConnector,
    op: &Operation,
    key: &str,
    retry: &RetryPolicy,
) -> Result<Effect, ConnectorError> {
    let mut attempt = 1;
    // Whether an earlier attempt may have done the work: only then can `already-exists` on a
    // create be our own account.
    let mut maybe_done = false;
    loop {
        let err = match call(conn, op, key).await {
            Ok(effect) => return Ok(effect),
            Err(e) => e,
        };
        if let Some(effect) = counts_as_done(conn, (op, key), &err, maybe_done).await? {
            return Ok(effect);
        }
        maybe_done |= err.is_outcome_unknown();
        if err.is_outcome_unknown()
            && let Some(effect) = check_effect(conn, op, key).await?
        {
            return Ok(effect);
        }
        let again = err.is_retryable() || err.is_outcome_unknown();
        if !again || attempt >= retry.attempts {
            return Err(err);
        }
        tokio::time::sleep(delay(retry, attempt, &err)).await;
        attempt += 1;
    }
}

/// Exponential backoff from `base_delay`, or the pause the far side asked for, capped.
fn delay(policy: &RetryPolicy, attempt: u32, err: &ConnectorError) -> Duration {
    let asked = match err {
        ConnectorError::Unavailable {
            retry_after_ms: Some(ms),
            ..
        } => Some(Duration::from_millis(*ms)),
        _ => None,
    };
    let exponential = policy
        .base_delay
        .saturating_mul(1 << attempt.saturating_sub(1).min(16));
    asked.unwrap_or(exponential).min(policy.max_delay)
}

async fn call(
    conn: &mut dyn TargetConnector,
    op: &Operation,
    key: &str,
) -> Result<Effect, ConnectorError> {
    Ok(match op {
        Operation::Create {
            username,
            enabled,
            attributes,
            ..
        } => {
            let spec = tessera_domain::AccountSpec {
                username: username.clone(),
                enabled: *enabled,
                attributes: attributes.clone(),
            };
            Effect::Account(conn.create(&spec).await?)
        }
        Operation::Update { changes, .. } => Effect::Account(conn.update(key, changes).await?),
        Operation::Enable { .. } => conn.enable(key).await.map(|()| Effect::Done)?,
        Operation::Disable { .. } => conn.disable(key).await.map(|()| Effect::Done)?,
        Operation::Delete { .. } => conn.delete(key).await.map(|()| Effect::Done)?,
        Operation::Grant { entitlement, .. } => {
            conn.grant(key, entitlement).await.map(|()| Effect::Done)?
        }
        Operation::Revoke { entitlement, .. } => {
            conn.revoke(key, entitlement).await.map(|()| Effect::Done)?
        }
        // Local operations never reach a connector.
        Operation::Link { .. } | Operation::Adopt { .. } => Effect::Done,
    })
}

/// Errors that mean the wanted state is already there: not-found when taking away,
/// already-exists when adding.
async fn counts_as_done(
    conn: &mut dyn TargetConnector,
    (op, key): (&Operation, &str),
    err: &ConnectorError,
    maybe_done: bool,
) -> Result<Option<Effect>, ConnectorError> {
    match (op, err) {
        (
            Operation::Disable { .. } | Operation::Delete { .. } | Operation::Revoke { .. },
            ConnectorError::NotFound(_),
        )
        | (Operation::Grant { .. }, ConnectorError::AlreadyExists(_)) => Ok(Some(Effect::Done)),
        // After an attempt whose outcome was unknown, an account with our user name is the
        // one that attempt made. On a first attempt it is somebody else's, or the person's
        // own made by hand since the last listing: `correlate` tells which, and otherwise
        // the next free user name is tried. Taking the account over by its name alone would
        // hand another person's account to this one.
        (Operation::Create { .. }, ConnectorError::AlreadyExists(_)) if maybe_done => {
            check_effect(conn, op, key).await
        }
        (Operation::Create { .. }, ConnectorError::AlreadyExists(_)) => {
            super::clash::resolve(conn, op).await
        }
        _ => Ok(None),
    }
}

/// Re-reads the target: `Some` when the operation's effect is in place.
pub(super) async fn check_effect(
    conn: &mut dyn TargetConnector,
    op: &Operation,
    key: &str,
) -> Result<Option<Effect>, ConnectorError> {
    let found = |accounts: Vec<Account>, pred: &dyn Fn(&Account) -> bool| {
        accounts.into_iter().find(|a| pred(a))
    };
    Ok(match op {
        Operation::Create { username, .. } => {
            let accounts = all_accounts(conn).await?;
            found(accounts, &|a| a.username.as_deref() == Some(username)).map(Effect::Account)
        }
        Operation::Update { changes, .. } => {
            let account = found(all_accounts(conn).await?, &|a| a.key == key);
            account
                .filter(|a| {
                    changes.iter().all(|c| {
                        let want: Vec<&str> = c.values.iter().map(String::as_str).collect();
                        same_values(&values_of(&a.attributes, &c.name), &want)
                    })
                })
                .map(Effect::Account)
        }
        Operation::Enable { .. } | Operation::Disable { .. } | Operation::Delete { .. } => {
            let account = found(all_accounts(conn).await?, &|a| a.key == key);
            let done = match (op, account) {
                (Operation::Enable { .. }, Some(a)) => a.enabled,
                (Operation::Enable { .. }, None) => false,
                (Operation::Disable { .. }, Some(a)) => !a.enabled,
                (Operation::Delete { .. }, Some(_)) => false,
                _ => true,
            };
            done.then_some(Effect::Done)
        }
        Operation::Grant { entitlement, .. } => has_membership(conn, key, entitlement)
            .await?
            .then_some(Effect::Done),
        Operation::Revoke { entitlement, .. } => {
            (!has_membership(conn, key, entitlement).await?).then_some(Effect::Done)
        }
        Operation::Link { .. } | Operation::Adopt { .. } => Some(Effect::Done),
    })
}

async fn all_accounts(conn: &mut dyn TargetConnector) -> Result<Vec<Account>, ConnectorError> {
    let mut out = Vec::new();
    let mut pager = Pager::new(MAX_PAGES);
    while let Some(cursor) = pager.next_page() {
        let page = conn.list_accounts(cursor).await?;
        out.extend(page.accounts);
        pager.turn(page.next_cursor).map_err(unfinished)?;
    }
    Ok(out)
}

async fn has_membership(
    conn: &mut dyn TargetConnector,
    key: &str,
    entitlement: &EntitlementRef,
) -> Result<bool, ConnectorError> {
    let mut pager = Pager::new(MAX_PAGES);
    while let Some(cursor) = pager.next_page() {
        let page = conn.list_memberships(cursor).await?;
        if page
            .memberships
            .iter()
            .any(|m| m.account == key && &m.entitlement == entitlement)
        {
            return Ok(true);
        }
        pager.turn(page.next_cursor).map_err(unfinished)?;
    }
    Ok(false)
}

/// A re-read that does not end cannot tell whether a write took effect.
fn unfinished(u: crate::paging::Unfinished) -> ConnectorError {
    ConnectorError::OutcomeUnknown(format!("re-reading the target: {u}"))
}

#[cfg(test)]
mod tests {
    use tessera_testkit::fakes::FakeTarget;

    use super::*;

    #[test]
    fn backoff_doubles_honours_retry_after_and_is_capped() {
        let policy = RetryPolicy {
            attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let busy = ConnectorError::Unavailable {
            message: "busy".into(),
            retry_after_ms: None,
        };
        let delays: Vec<u128> = (1..=5)
            .map(|a| delay(&policy, a, &busy).as_millis())
            .collect();
        assert_eq!(delays, vec![100, 200, 400, 800, 1000]);
        let asked = ConnectorError::Unavailable {
            message: "busy".into(),
            retry_after_ms: Some(250),
        };
        assert_eq!(delay(&policy, 4, &asked), Duration::from_millis(250));
        let long = ConnectorError::Unavailable {
            message: "busy".into(),
            retry_after_ms: Some(60_000),
        };
        assert_eq!(delay(&policy, 1, &long), Duration::from_secs(1));
        assert_eq!(
            delay(&policy, 40, &busy),
            Duration::from_secs(1),
            "no overflow on many attempts"
        );
    }

    fn create(username: &str) -> Operation {
        Operation::Create {
            username: username.into(),
            enabled: true,
            attributes: Vec::new(),
            fallbacks: Vec::new(),
            correlate: None,
        }
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    /// Somebody else's account with the wanted user name is never taken over as this
    /// person's: the create fails (before, it was linked to the new person).
    #[tokio::test]
    async fn a_taken_user_name_is_not_taken_over() {
        let target = FakeTarget::new(true);
        target.state().accounts.insert(
            "acc-99".into(),
            Account {
                key: "acc-99".into(),
                username: Some("aade".into()),
                enabled: true,
                attributes: Vec::new(),
            },
        );
        target.script(vec![(
            "create aade",
            ConnectorError::AlreadyExists("aade".into()),
        )]);
        let mut conn = target.clone();
        let result = call_with_retry(&mut conn, &create("aade"), "", &quick()).await;
        assert!(
            matches!(result, Err(ConnectorError::AlreadyExists(_))),
            "{result:?}"
        );
    }

    /// After an attempt whose outcome was unknown, the account with our user name is the one
    /// that attempt made, and counts as created.
    #[tokio::test]
    async fn after_an_unknown_outcome_the_created_account_is_found() {
        let target = FakeTarget::new(true);
        target.unknown_after_effect("create aade");
        let mut conn = target.clone();
        let result = call_with_retry(&mut conn, &create("aade"), "", &quick()).await;
        match result {
            Ok(Effect::Account(a)) => assert_eq!(a.username.as_deref(), Some("aade")),
            other => panic!("expected the created account, got {other:?}"),
        }
    }
}
