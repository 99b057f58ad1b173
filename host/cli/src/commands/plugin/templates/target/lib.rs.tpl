//! {{name}}: a Tessera target plugin. It keeps accounts and their groups in a system with a
//! REST API: `<base_url>/accounts` (paged), `<base_url>/groups`, and
//! `<base_url>/accounts/{id}/groups/{group}` for memberships. Mapping lives in `map.rs`,
//! tested against `mock.json`, a page as the system answers it.

mod map;

use serde_json::{Value, json};
use tessera_sdk::host::http::Method;
use tessera_sdk::rest::{self, Kind};
use tessera_sdk::types::{
    Account, AccountPage, AccountSpec, AttributeChange, Entitlement, EntitlementPage,
    EntitlementRef, MembershipPage, TargetInfo,
};
use tessera_sdk::{ConnectorError, Target, config};

const GROUP: &str = "group";

struct Plugin {
    base_url: String,
}

impl Plugin {
    /// One call; a status outside 2xx becomes the typed error it means.
    fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ConnectorError> {
        let url = format!("{}/{path}", self.base_url);
        let kind = if method == Method::Get {
            Kind::Read
        } else {
            Kind::Write
        };
        let bytes = body.map(|b| b.to_string().into_bytes());
        let response = rest::call(method, &url, bytes, kind, |what, r, kind| {
            rest::status_error(format!("{what} answered {}", r.status), r, kind)
        })?;
        if response.body.is_empty() {
            return Ok(Value::Null);
        }
        rest::json(method, &url, &response, kind)
    }

    fn accounts(
        &self,
        cursor: Option<String>,
    ) -> Result<(Vec<Value>, Option<String>), ConnectorError> {
        let page = cursor.unwrap_or_else(|| "1".into());
        let answer = self.call(Method::Get, &format!("accounts?page={page}"), None)?;
        let accounts = answer
            .get("accounts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let next = answer
            .get("next")
            .and_then(Value::as_u64)
            .map(|n| n.to_string());
        Ok((accounts, next))
    }

    fn set_active(&self, account: &str, active: bool) -> Result<(), ConnectorError> {
        self.call(
            Method::Patch,
            &format!("accounts/{account}"),
            Some(json!({ "active": active })),
        )?;
        Ok(())
    }
}

fn group(entitlement: &EntitlementRef) -> Result<&str, ConnectorError> {
    if entitlement.kind != GROUP {
        return Err(ConnectorError::invalid(
            "kind",
            format!("`{}` is not an entitlement kind here", entitlement.kind),
        ));
    }
    Ok(&entitlement.key)
}

impl Target for Plugin {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            base_url: config::http_url("base_url")?,
        })
    }

    fn describe() -> TargetInfo {
        TargetInfo {
            entitlement_kinds: vec![GROUP.into()],
            serial_writes: false,
            supports_delete: true,
            correlation_attributes: Vec::new(),
            feed: None,
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        self.call(Method::Get, "groups", None)?;
        Ok("the system answered".into())
    }

    fn list_accounts(&mut self, cursor: Option<String>) -> Result<AccountPage, ConnectorError> {
        let (accounts, next_cursor) = self.accounts(cursor)?;
        let accounts = accounts
            .iter()
            .map(map::account)
            .collect::<Result<_, _>>()?;
        Ok(AccountPage {
            accounts,
            next_cursor,
        })
    }

    fn list_entitlements(
        &mut self,
        _cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        let answer = self.call(Method::Get, "groups", None)?;
        let groups = answer
            .get("groups")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let entitlements = groups
            .iter()
            .filter_map(|g| {
                let key = g.get("id")?.as_str()?.to_owned();
                let name = g
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or(&key)
                    .to_owned();
                Some(Entitlement {
                    kind: GROUP.into(),
                    key,
                    display_name: name,
                    attributes: Vec::new(),
                })
            })
            .collect();
        Ok(EntitlementPage {
            entitlements,
            next_cursor: None,
        })
    }

    fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        let (accounts, next_cursor) = self.accounts(cursor)?;
        let memberships = accounts
            .iter()
            .flat_map(|a| map::memberships(a, GROUP))
            .collect();
        Ok(MembershipPage {
            memberships,
            next_cursor,
        })
    }

    fn create(&mut self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        let body = json!({ "username": spec.username, "active": spec.enabled, "attributes": map::attributes(&spec.changes()) });
        map::account(&self.call(Method::Post, "accounts", Some(body))?)
    }

    fn update(
        &mut self,
        account: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        let body = json!({ "attributes": map::attributes(&changes) });
        map::account(&self.call(Method::Patch, &format!("accounts/{account}"), Some(body))?)
    }

    fn enable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.set_active(account, true)
    }

    fn disable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.set_active(account, false)
    }

    fn delete(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.call(Method::Delete, &format!("accounts/{account}"), None)
            .map(drop)
    }

    fn grant(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        let path = format!("accounts/{account}/groups/{}", group(&entitlement)?);
        self.call(Method::Put, &path, None).map(drop)
    }

    fn revoke(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        let path = format!("accounts/{account}/groups/{}", group(&entitlement)?);
        self.call(Method::Delete, &path, None).map(drop)
    }
}

tessera_sdk::export_target!(Plugin);

/// The plugin as a host runs it, against the SDK's mock host: `mock.json` is what the system
/// answers for the first page of accounts. `cargo test` runs these natively.
#[cfg(test)]
mod tests {
    use tessera_sdk::host::http::Method;
    use tessera_sdk::mock::{MockHost, Reply};
    use tessera_sdk::types::EntitlementRef;
    use tessera_sdk::{ConnectorError, Target};

    use super::{GROUP, Plugin};

    const BASE: &str = "https://idm.example.org/api";

    fn host() -> MockHost {
        tessera_sdk::mock_host!().config("base_url", BASE)
    }

    fn group(key: &str) -> EntitlementRef {
        EntitlementRef {
            kind: GROUP.into(),
            key: key.into(),
        }
    }

    #[test]
    fn accounts_and_memberships_are_listed_from_one_page() {
        let accounts = Reply::json(200, include_str!("../mock.json"));
        let _host = host()
            .answer(Method::Get, &format!("{BASE}/accounts?page=1"), accounts)
            .install();
        let mut plugin = Plugin::new().expect("configured");
        let page = plugin.list_accounts(None).expect("accounts");
        assert_eq!(page.accounts.len(), 2);
        assert!(page.next_cursor.is_none());
        let memberships = plugin.list_memberships(None).expect("memberships");
        assert_eq!(memberships.memberships.len(), 2);
    }

    #[test]
    fn a_grant_is_one_put_and_a_missing_account_is_not_found() {
        let grant = format!("{BASE}/accounts/a-17/groups/g-ic");
        let host = host()
            .answer(Method::Put, &grant, Reply::status(204))
            .answer(Method::Delete, &format!("{BASE}/accounts/a-99"), Reply::status(404))
            .install();
        let mut plugin = Plugin::new().expect("configured");
        plugin.grant("a-17", group("g-ic")).expect("granted");
        assert_eq!(host.requests()[0].url, grant);
        let missing = plugin.delete("a-99");
        assert!(matches!(missing, Err(ConnectorError::NotFound(_))), "{missing:?}");
    }
}
