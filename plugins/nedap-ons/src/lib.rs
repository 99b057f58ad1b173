//! Nedap ONS target through its REST API, over mutual TLS.
//!
//! - Accounts are ONS users, keyed by uuid and named by `userName`. Each belongs to an
//!   employee (the attribute `employee`, by identification number), which must exist: ONS
//!   creates employees from HR, not from here.
//! - Entitlements are duties (kind `duty`): a role with its scope, named in the configuration.
//!   ONS sets a user's duties per source in one `PUT` and cannot read them back, so the
//!   plugin keeps what it gave in its state and sends the whole set on every change.
//! - ONS has no disabled user: disable withdraws the user's duties in ONS (the record keeps
//!   them) and enable gives them back. Delete removes the user.
//! - ONS has no change feed for users; every run reads the bulk export.

mod api;
mod duties;
mod record;
mod users;

use serde_json::{Value, json};
use tessera_sdk::host::http::Method;
use tessera_sdk::types::{
    Account, AccountPage, AccountSpec, Attribute, AttributeChange, Entitlement, EntitlementPage,
    EntitlementRef, Membership, MembershipPage, TargetInfo,
};
use tessera_sdk::{ConnectorError, Target, config};

use crate::api::Api;
use crate::duties::{Catalogue, Duty};
use crate::record::Record;

const KIND: &str = "duty";

struct Ons {
    base: String,
    source: String,
    duties: Vec<Duty>,
    /// Employee object ids to identification numbers, read once a run.
    employees: Option<Vec<(i64, String)>>,
    /// Roles, teams and locations, read once a run.
    catalogue: Option<Catalogue>,
    /// Every user, from the bulk export, read once a run for accounts and memberships; a
    /// create, update or delete drops it.
    users: Option<Vec<Value>>,
}

impl Ons {
    fn api(&self) -> Api<'_> {
        Api { base: &self.base }
    }

    fn employees(&mut self) -> Result<&[(i64, String)], ConnectorError> {
        if self.employees.is_none() {
            let all = self.api().get("v0/xstream/employees/data")?;
            let list = all
                .get("employees")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let pairs = list
                .iter()
                .filter_map(|e| {
                    Some((
                        e.get("id")?.as_i64()?,
                        e.get("identificationNo")?.as_str()?.to_owned(),
                    ))
                })
                .collect();
            self.employees = Some(pairs);
        }
        Ok(self.employees.as_deref().unwrap_or_default())
    }

    fn account(&mut self, user: &Value) -> Result<Account, ConnectorError> {
        let enabled = !record::read(users::uuid(user)?)?.disabled;
        let employees = self.employees()?;
        users::account(
            user,
            |id| {
                employees
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, no)| no.clone())
            },
            enabled,
        )
    }

    fn user(&self, uuid: &str) -> Result<Option<Value>, ConnectorError> {
        self.api()
            .get_optional(&format!("v0/administration/users/by_uuid/{uuid}"))
    }

    fn existing(&self, uuid: &str) -> Result<Value, ConnectorError> {
        self.user(uuid)?
            .ok_or_else(|| ConnectorError::NotFound(format!("ONS has no user {uuid}")))
    }

    /// The object id of the employee with `identification_no`.
    fn employee_id(&self, identification_no: &str) -> Result<i64, ConnectorError> {
        let path = format!(
            "v0/administration/employees/by_identification_no/{}",
            tessera_sdk::rest::encode(identification_no)
        );
        self.api()
            .get_optional(&path)?
            .and_then(|e| e.get("id").and_then(Value::as_i64))
            .ok_or_else(|| {
                ConnectorError::invalid(
                    users::EMPLOYEE,
                    format!("ONS has no employee {identification_no}; HR must create it first"),
                )
            })
    }

    fn catalogue(&mut self) -> Result<&Catalogue, ConnectorError> {
        if self.catalogue.is_none() {
            self.catalogue = Some(Catalogue::read(&self.api())?);
        }
        Ok(self.catalogue.get_or_insert_with(Catalogue::default))
    }

    /// Sends the user's whole set of this source's duties: none while disabled.
    fn send_duties(&mut self, uuid: &str, record: &Record) -> Result<(), ConnectorError> {
        let wanted: Vec<Duty> = if record.disabled {
            Vec::new()
        } else {
            record
                .duties
                .iter()
                .filter_map(|n| self.duties.iter().find(|d| d.name == *n).cloned())
                .collect()
        };
        let catalogue = self.catalogue()?;
        let duties = wanted
            .iter()
            .map(|d| d.to_ons(catalogue))
            .collect::<Result<Vec<_>, _>>()?;
        let body = json!({ "userUuid": uuid, "source": self.source, "duties": duties });
        self.api().write(
            Method::Put,
            &format!("v0/authorization/provisioning/users/{uuid}/duties"),
            Some(&body),
        )?;
        Ok(())
    }

    /// Changes the record, sends the duties it implies, then stores it: a failed send leaves
    /// the record as ONS still has it.
    fn change(&mut self, uuid: &str, edit: impl FnOnce(&mut Record)) -> Result<(), ConnectorError> {
        let mut record = record::read(uuid)?;
        edit(&mut record);
        self.send_duties(uuid, &record)?;
        record::write(uuid, &record)
    }

    fn duty(&self, entitlement: &EntitlementRef) -> Result<String, ConnectorError> {
        if entitlement.kind != KIND || !self.duties.iter().any(|d| d.name == entitlement.key) {
            return Err(ConnectorError::invalid(
                "entitlement",
                format!(
                    "`{}/{}` is not a configured duty",
                    entitlement.kind, entitlement.key
                ),
            ));
        }
        Ok(entitlement.key.clone())
    }

    /// Every user in ONS, from the bulk export.
    fn all_users(&mut self) -> Result<Vec<Value>, ConnectorError> {
        if let Some(users) = &self.users {
            return Ok(users.clone());
        }
        let all = self.api().get("v0/xstream/responsibilities/data")?;
        let users: Vec<Value> = all
            .get("users")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        self.users = Some(users.clone());
        Ok(users)
    }
}

impl Target for Ons {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            base: config::http_url("base_url")?,
            source: config::string("source")?,
            duties: duties::parse(&config::list("duties")?)?,
            employees: None,
            catalogue: None,
            users: None,
        })
    }

    fn describe() -> TargetInfo {
        TargetInfo {
            entitlement_kinds: vec![KIND.into()],
            // A user's duties go in one PUT built from the record: one writer per user.
            serial_writes: true,
            supports_delete: true,
            correlation_attributes: vec![users::EMPLOYEE.into(), "userName".into()],
            feed: None,
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        let roles = self.catalogue()?.roles.len();
        let duties: Vec<Duty> = self.duties.clone();
        let catalogue = self.catalogue()?;
        for duty in &duties {
            duty.to_ons(catalogue)?;
        }
        Ok(format!(
            "ONS answered with the client certificate; {roles} roles open to integrations, every configured duty resolves"
        ))
    }

    fn list_accounts(&mut self, _cursor: Option<String>) -> Result<AccountPage, ConnectorError> {
        let accounts = self
            .all_users()?
            .iter()
            .map(|u| self.account(u))
            .collect::<Result<_, _>>()?;
        Ok(AccountPage {
            accounts,
            next_cursor: None,
        })
    }

    fn list_entitlements(
        &mut self,
        _cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        let entitlements = self
            .duties
            .iter()
            .map(|d| Entitlement {
                kind: KIND.into(),
                key: d.name.clone(),
                display_name: d.name.clone(),
                attributes: vec![
                    Attribute {
                        name: "role".into(),
                        value: d.role.clone(),
                    },
                    Attribute {
                        name: "scope".into(),
                        value: d.scope(),
                    },
                ],
            })
            .collect();
        Ok(EntitlementPage {
            entitlements,
            next_cursor: None,
        })
    }

    /// The duties Tessera gave, from its records: ONS cannot list them.
    fn list_memberships(
        &mut self,
        _cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        let mut memberships = Vec::new();
        for user in self.all_users()? {
            let uuid = users::uuid(&user)?;
            for duty in record::read(uuid)?.duties {
                memberships.push(Membership {
                    account: uuid.to_owned(),
                    entitlement: EntitlementRef {
                        kind: KIND.into(),
                        key: duty,
                    },
                });
            }
        }
        Ok(MembershipPage {
            memberships,
            next_cursor: None,
        })
    }

    fn get_account(&mut self, key: &str) -> Result<Option<Account>, ConnectorError> {
        match self.user(key)? {
            Some(user) => self.account(&user).map(Some),
            None => Ok(None),
        }
    }

    fn correlate(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        Self::describe().correlates_on(attribute, "ONS")?;
        let user = if attribute == users::EMPLOYEE {
            let Ok(id) = self.employee_id(value) else {
                return Ok(None);
            };
            self.api()
                .get_optional(&format!("v0/administration/users/by_employee_id/{id}"))?
        } else {
            self.all_users()?
                .into_iter()
                .find(|u| u.get("userName").and_then(Value::as_str) == Some(value))
        };
        user.map(|u| self.account(&u)).transpose()
    }

    fn create(&mut self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        self.users = None;
        let mut user = serde_json::Map::new();
        user.insert("userName".into(), json!(spec.username));
        user.insert("passwordChange".into(), json!(true));
        let employee = users::apply(&mut user, &spec.changes())?.ok_or_else(|| {
            ConnectorError::invalid(
                users::EMPLOYEE,
                "map `employee` to the employee's identification number",
            )
        })?;
        user.insert(
            "employeeObjectId".into(),
            json!(self.employee_id(&employee)?),
        );
        let created = self.api().write(
            Method::Post,
            "v0/administration/users",
            Some(&Value::Object(user)),
        )?;
        if !spec.enabled {
            let uuid = users::uuid(&created)?.to_owned();
            self.change(&uuid, |r| r.disabled = true)?;
        }
        self.account(&created)
    }

    fn update(
        &mut self,
        account: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        self.users = None;
        let current = self.existing(account)?;
        let id = users::id(&current)?;
        let Value::Object(mut user) = current else {
            return Err(ConnectorError::invalid(
                "user",
                "ONS answered a user that is not an object",
            ));
        };
        if let Some(employee) = users::apply(&mut user, &changes)? {
            user.insert(
                "employeeObjectId".into(),
                json!(self.employee_id(&employee)?),
            );
        }
        let written = self.api().write(
            Method::Put,
            &format!("v0/administration/users/{id}"),
            Some(&Value::Object(user)),
        )?;
        self.account(&written)
    }

    fn enable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.existing(account)?;
        self.change(account, |r| r.disabled = false)
    }

    fn disable(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.existing(account)?;
        self.change(account, |r| r.disabled = true)
    }

    fn delete(&mut self, account: &str) -> Result<(), ConnectorError> {
        self.users = None;
        let id = users::id(&self.existing(account)?)?;
        self.api().write(
            Method::Delete,
            &format!("v0/administration/users/{id}"),
            None,
        )?;
        record::forget(account)
    }

    fn grant(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        let duty = self.duty(&entitlement)?;
        self.change(account, |r| {
            if !r.duties.contains(&duty) {
                r.duties.push(duty);
            }
        })
    }

    fn revoke(&mut self, account: &str, entitlement: EntitlementRef) -> Result<(), ConnectorError> {
        let duty = self.duty(&entitlement)?;
        self.change(account, |r| r.duties.retain(|d| *d != duty))
    }
}

tessera_sdk::export_target!(Ons);
