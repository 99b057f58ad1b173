//! A create whose user name the target already has.
//!
//! The plan picked a name no listed account had, so somebody made one with that name since
//! the last listing. It may be the person's own account, made by hand: the connector's
//! `correlate`, asked with the person's correlation value, finds it, and it is linked. Or it is
//! somebody else's: then the next free names the plan carried are tried in turn. Either way the
//! run goes on instead of failing on every run until a full listing notices the name.

use tessera_domain::{AccountSpec, ConnectorError, TargetConnector};

use super::call::Effect;
use crate::plan::Operation;

/// `Some` when the clash was resolved: the person's own account found, or the account made
/// under a fallback name. `None` leaves the original `already-exists` to be reported.
pub(super) async fn resolve(
    conn: &mut dyn TargetConnector,
    op: &Operation,
) -> Result<Option<Effect>, ConnectorError> {
    let Operation::Create {
        username,
        enabled,
        attributes,
        fallbacks,
        correlate,
    } = op
    else {
        return Ok(None);
    };
    if let Some(c) = correlate {
        match conn.correlate(&c.name, &c.value).await {
            Ok(Some(account)) => {
                let how = format!(
                    "user name {username} was taken by the person's own account ({} = {}); linked",
                    c.name, c.value
                );
                return Ok(Some(Effect::Resolved { account, how }));
            }
            // A connector without correlation cannot tell; the fallbacks still can.
            Ok(None) | Err(ConnectorError::Unsupported(_)) => {}
            Err(e) => return Err(e),
        }
    }
    for name in fallbacks {
        let spec = AccountSpec {
            username: name.clone(),
            enabled: *enabled,
            attributes: attributes.clone(),
        };
        match conn.create(&spec).await {
            Ok(account) => {
                let how = format!("user name {username} was taken; created as {name}");
                return Ok(Some(Effect::Resolved { account, how }));
            }
            Err(ConnectorError::AlreadyExists(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use tessera_domain::{Account, Attribute};
    use tessera_testkit::fakes::FakeTarget;

    use super::*;
    use crate::apply::RetryPolicy;
    use crate::apply::call::call_with_retry;

    fn attr(name: &str, value: &str) -> Attribute {
        Attribute {
            name: name.into(),
            value: value.into(),
        }
    }

    /// A target that already has `ajansen`, with `employeeId` = `owner`.
    fn target_with_ajansen(owner: &str) -> FakeTarget {
        let target = FakeTarget::new(true);
        target.state().accounts.insert(
            "acc-99".into(),
            Account {
                key: "acc-99".into(),
                username: Some("AJansen".into()),
                enabled: true,
                attributes: vec![attr("employeeId", owner)],
            },
        );
        target
    }

    fn create(fallbacks: &[&str]) -> Operation {
        Operation::Create {
            username: "ajansen".into(),
            enabled: true,
            attributes: vec![attr("employeeId", "E1")],
            fallbacks: fallbacks.iter().map(|f| (*f).to_owned()).collect(),
            correlate: Some(attr("employeeId", "e1")),
        }
    }

    async fn apply(target: &FakeTarget, op: &Operation) -> Result<Effect, ConnectorError> {
        let retry = RetryPolicy {
            attempts: 3,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        };
        call_with_retry(&mut target.clone(), op, "", &retry).await
    }

    #[tokio::test]
    async fn the_persons_own_account_is_found_by_correlation_and_linked() {
        let target = target_with_ajansen("E1");
        match apply(&target, &create(&["ada.jansen1"])).await {
            Ok(Effect::Resolved { account, how }) => {
                assert_eq!(account.key, "acc-99");
                assert!(how.contains("own account (employeeId = e1)"), "{how}");
            }
            other => panic!("expected the linked account, got {other:?}"),
        }
        assert_eq!(target.state().accounts.len(), 1, "nothing was created");
    }

    #[tokio::test]
    async fn somebody_elses_name_gives_the_next_free_name() {
        let target = target_with_ajansen("E2");
        target.state().accounts.insert(
            "acc-98".into(),
            Account {
                key: "acc-98".into(),
                username: Some("ada.jansen1".into()),
                enabled: true,
                attributes: vec![attr("employeeId", "E3")],
            },
        );
        match apply(&target, &create(&["ada.jansen1", "ada.jansen2"])).await {
            Ok(Effect::Resolved { account, how }) => {
                assert_eq!(account.username.as_deref(), Some("ada.jansen2"));
                assert_eq!(how, "user name ajansen was taken; created as ada.jansen2");
            }
            other => panic!("expected a create under a fallback name, got {other:?}"),
        }
        let state = target.state();
        assert_eq!(
            state.accounts["acc-99"].attributes[0].value, "E2",
            "untouched"
        );
        assert_eq!(state.accounts.len(), 3);
    }

    #[tokio::test]
    async fn when_every_name_is_taken_the_create_fails_as_already_exists() {
        let target = target_with_ajansen("E2");
        let result = apply(&target, &create(&[])).await;
        assert!(
            matches!(result, Err(ConnectorError::AlreadyExists(ref n)) if n == "ajansen"),
            "{result:?}"
        );
        assert_eq!(target.state().accounts.len(), 1);
    }
}
