//! Microsoft Entra ID target through Microsoft Graph v1.0.
//!
//! - Accounts are users, keyed by object id, named by user principal name. A create sends what
//!   Graph requires (a random password the person never needs, `usageLocation`), an update
//!   patches only the properties that changed, enable and disable set `accountEnabled`, and
//!   delete is Graph's soft delete (restorable for 30 days).
//! - Entitlements are groups (kind `group`, keyed by object id); memberships go through
//!   `members/$ref`. Already a member, or not a member any more, is done.
//! - The change feed is `users/delta` and `groups/delta` (see `delta`).
//! - The host adds the bearer token from the operator's OAuth2 client credentials; the plugin
//!   never sees it. Throttling (429) and outages (503) carry Graph's `Retry-After` to the
//!   engine, which waits as asked.

mod delta;
mod graph;
mod groups;
mod settings;
mod users;

use serde_json::{Value, json};
use tessera_sdk::host::http::Method;
use tessera_sdk::types::{
    Account, AccountPage, AccountSpec, AttributeChange, EntitlementPage, EntitlementRef, FeedInfo,
    MembershipPage, TargetChanges, TargetInfo,
};
use tessera_sdk::{ConnectorError, Target};

use crate::graph::{Graph, encode, literal};
use crate::settings::Settings;

struct EntraId {
    settings: Settings,
    /// The groups listed for memberships, fetched on the first memberships call of a run.
    groups: Option<Vec<String>>,
}

impl EntraId {
    fn graph(&self) -> Graph<'_> {
        Graph {
            base: &self.settings.base,
        }
    }

    fn user(&self, id: &str) -> Result<Option<Account>, ConnectorError> {
        let path = format!("users/{id}?$select={}", encode(&users::select()));
        self.graph()
            .get_optional(&path)?
            .as_ref()
            .map(|u| users::account(u, &self.settings.domain))
            .transpose()
    }

    fn set_enabled(&self, id: &str, enabled: bool) -> Result<(), ConnectorError> {
        let body = json!({ "accountEnabled": enabled });
        self.graph()
            .write(Method::Patch, &format!("users/{id}"), &body)
            .map(|_| ())
    }

    /// Every group id the listing offers, for the memberships.
    fn group_ids(&mut self) -> Result<Vec<String>, ConnectorError> {
        if let Some(ids) = &self.groups {
            return Ok(ids.clone());
        }
        let mut ids = Vec::new();
        let mut cursor = None;
        // A bound on the pages, not on the groups: 10,000 pages of 999.
        for _ in 0..10_000 {
            let page = self.list_entitlements(cursor)?;
            ids.extend(page.entitlements.into_iter().map(|e| e.key));
            cursor = page.next_cursor;
            if cursor.is_none() {
                self.groups = Some(ids.clone());
                return Ok(ids);
            }
        }
        Err(ConnectorError::Other(
            "group listing: still more pages after 10,000; stopped".into(),
        ))
    }
}

impl Target for EntraId {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            settings: Settings::from_config()?,
            groups: None,
        })
    }

    fn describe() -> TargetInfo {
        TargetInfo {
            entitlement_kinds: vec![groups::KIND.into()],
            serial_writes: false,
            supports_delete: true,
            correlation_attributes: ["employeeId", "userPrincipalName", "mail"]
                .map(String::from)
                .to_vec(),
            feed: Some(FeedInfo {
                sees_deletes: true,
                partial_attributes: false,
            }),
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let org = self.graph().get("organization?$select=id,displayName")?;
        let name = groups::values(&org)
            .first()
            .and_then(|o| {
                o.get("displayName")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        Ok(format!("Microsoft Graph answered for tenant {name}"))
    }

    fn list_accounts(&mut self, cursor: Option<String>) -> Result<AccountPage, ConnectorError> {
        let top = self.settings.page_size;
        let url = cursor
            .unwrap_or_else(|| format!("users?$select={}&$top={top}", encode(&users::select())));
        let page = self.graph().get(&url)?;
        let accounts = groups::values(&page)
            .iter()
            .map(|u| users::account(u, &self.settings.domain))
            .collect::<Result<_, _>>()?;
        Ok(AccountPage {
            accounts,
            next_cursor: groups::next_link(&page),
        })
    }

    fn list_entitlements(
        &mut self,
        cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        let s = &self.settings;
        let url =
            cursor.unwrap_or_else(|| groups::first_page(s.group_filter.as_deref(), s.page_size));
        let page = self.graph().get(&url)?;
        let entitlements = groups::values(&page)
            .iter()
            .filter_map(groups::entitlement)
            .collect();
        Ok(EntitlementPage {
            entitlements,
            next_cursor: groups::next_link(&page),
        })
    }

    fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        let ids = self.group_ids()?;
        groups::members_page(
            &self.graph(),
            &ids,
            cursor.as_deref(),
            self.settings.page_size,
        )
    }

    fn read_changes(&mut self, cursor: Option<Vec<u8>>) -> Result<TargetChanges, ConnectorError> {
        match cursor {
            None => delta::start(&self.graph()),
            Some(c) => delta::read(&self.graph(), &self.settings.domain, &c),
        }
    }

    fn get_account(&mut self, key: &str) -> Result<Option<Account>, ConnectorError> {
        self.user(key)
    }

    fn correlate(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        Self::describe().correlates_on(attribute, "Entra ID")?;
        let filter = encode(&format!("{attribute} eq {}", literal(value)));
        let page = self.graph().get(&format!(
            "users?$select={}&$filter={filter}&$top=2",
            encode(&users::select())
        ))?;
        match groups::values(&page).as_slice() {
            [] => Ok(None),
            [one] => users::account(one, &self.settings.domain).map(Some),
            _ => Err(ConnectorError::Other(format!(
                "more than one user has {attribute} {value}"
            ))),
        }
    }

    fn create(&mut self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        let s = &self.settings;
        let password = tessera_sdk::password::random()?;
        let body = users::create_body(&spec, &s.domain, &s.usage_location, &password)?;
        let created = self.graph().write(Method::Post, "users", &body)?;
        let id = created
            .as_ref()
            .and_then(|u| u.get("id").and_then(Value::as_str))
            .ok_or_else(|| {
                ConnectorError::OutcomeUnknown(
                    "POST users answered without the new user's id".into(),
                )
            })?;
        // The create's answer holds Graph's default properties only; read the account whole.
        self.user(id)?.ok_or_else(|| {
            ConnectorError::OutcomeUnknown(format!("user {id} was created but cannot be read back"))
        })
    }

    fn update(
        &mut self,
        account: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        let body = users::patch_body(&changes)?;
        self.graph()
            .write(Method::Patch, &format!("users/{account}"), &body)?;
        self.user(account)?
            .ok_or_else(|| ConnectorError::NotFound(format!("user {account}")))
    }

    fn enable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.set_enabled(account, true)
    }

    fn disable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.set_enabled(account, false)
    }

    fn delete(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.graph().delete(&format!("users/{account}"))
    }

    fn grant(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        groups::add(&self.graph(), account, &group_key(&entitlement)?)
    }

    fn revoke(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        groups::remove(&self.graph(), account, &group_key(&entitlement)?)
    }
}

fn group_key(e: &EntitlementRef) -> Result<String, ConnectorError> {
    if e.kind != groups::KIND {
        return Err(ConnectorError::invalid(
            "kind",
            format!("Entra ID offers groups, not `{}`", e.kind),
        ));
    }
    Ok(e.key.clone())
}

tessera_sdk::export_target!(EntraId);
