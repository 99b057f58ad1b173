//! TOPdesk target through its REST API (`/tas/api`).
//!
//! - Accounts are persons, keyed by id, named by `networkLoginName`. Branch, department and
//!   budget holder are attributes by name; the plugin looks up their ids once a run.
//! - Disable archives the person with the configured archiving reason, enable unarchives.
//!   TOPdesk refuses to change an archived person, so an update of one unarchives it, writes
//!   and archives it again. There is no delete: TOPdesk's API cannot remove a person, and
//!   anonymising old persons is TOPdesk's own process.
//! - Persons have no entitlements here; TOPdesk has no change feed for them, so every run
//!   lists them (the engine reconciles in full).
//! - Follow-up tickets are incidents (see `incidents`): a rule's grant elsewhere (a HiX
//!   login group) can ask for one, such as the training it needs first.
//! - The host adds the Basic credentials; the plugin never sees the application password.

mod api;
mod incidents;
mod lookups;
mod persons;
mod settings;

use serde_json::{Value, json};
use tessera_sdk::host::http::Method;
use tessera_sdk::types::{
    Account, AccountPage, AccountSpec, AttributeChange, EntitlementPage, MembershipPage,
    TargetInfo, Ticket, TicketSpec,
};
use tessera_sdk::{ConnectorError, Target, Tickets};

use crate::api::{Api, fiql};
use crate::lookups::{List, Lookups};
use crate::persons::Wanted;
use crate::settings::Settings;

/// Persons not anonymised: TOPdesk's anonymising replaces the employee number with `*****`.
const NOT_ANONYMISED: &str = "employeeNumber!='*****'";

struct Topdesk {
    settings: Settings,
    lookups: Lookups,
}

impl Topdesk {
    fn api(&self) -> Api<'_> {
        Api {
            base: &self.settings.base,
        }
    }

    fn person(&self, id: &str) -> Result<Option<Value>, ConnectorError> {
        self.api().get_optional(&format!("persons/id/{id}"))
    }

    fn existing(&self, id: &str) -> Result<Value, ConnectorError> {
        self.person(id)?
            .ok_or_else(|| ConnectorError::NotFound(format!("TOPdesk has no person {id}")))
    }

    /// The body of a write: text fields, and references turned from names into ids.
    fn body(&mut self, wanted: Wanted) -> Result<Value, ConnectorError> {
        let Wanted {
            mut body,
            references,
        } = wanted;
        let create = self.settings.create_lookups;
        for (field, list, name) in references {
            let value = match name {
                Some(n) => {
                    json!({ "id": self.lookups.id(&Api { base: &self.settings.base }, list, &n, create)? })
                }
                None if list == List::Branches => {
                    return Err(ConnectorError::invalid(
                        "branch",
                        "TOPdesk needs a branch on every person",
                    ));
                }
                None => Value::Null,
            };
            body.insert(field.into(), value);
        }
        Ok(Value::Object(body))
    }

    fn reason(&mut self) -> Result<String, ConnectorError> {
        let name = self.settings.archiving_reason.clone();
        self.lookups.id(
            &Api {
                base: &self.settings.base,
            },
            List::Reasons,
            &name,
            false,
        )
    }

    fn archive(&mut self, id: &str) -> Result<(), ConnectorError> {
        let reason = self.reason()?;
        self.api().write(
            Method::Patch,
            &format!("persons/id/{id}/archive"),
            &json!({ "id": reason }),
        )?;
        Ok(())
    }

    fn unarchive(&self, id: &str) -> Result<(), ConnectorError> {
        self.api().write(
            Method::Patch,
            &format!("persons/id/{id}/unarchive"),
            &json!({}),
        )?;
        Ok(())
    }

    /// Patches a person, unarchiving and archiving again around it when it is archived.
    fn patch(&mut self, id: &str, body: &Value) -> Result<Value, ConnectorError> {
        let archived = persons::is_archived(&self.existing(id)?);
        if archived {
            self.unarchive(id)?;
        }
        let written = self
            .api()
            .write(Method::Patch, &format!("persons/id/{id}"), body);
        if archived {
            // Archive again even when the patch failed: the person must not stay active.
            self.archive(id)?;
        }
        written?;
        self.existing(id)
    }

    /// One FIQL-filtered page of persons, active (`archived==false`) or archived.
    fn persons_page(
        &self,
        archived: bool,
        filter: &str,
        start: usize,
        size: usize,
    ) -> Result<api::Page, ConnectorError> {
        let query = tessera_sdk::rest::encode(&format!("archived=={archived};{filter}"));
        self.api().page(&format!(
            "persons?start={start}&page_size={size}&query={query}"
        ))
    }
}

impl Target for Topdesk {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            settings: Settings::from_config()?,
            lookups: Lookups::default(),
        })
    }

    fn describe() -> TargetInfo {
        TargetInfo {
            entitlement_kinds: Vec::new(),
            // An update of an archived person is unarchive, patch, archive: one at a time.
            serial_writes: true,
            supports_delete: false,
            correlation_attributes: ["employeeNumber", "email", persons::USERNAME]
                .map(String::from)
                .to_vec(),
            feed: None,
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        self.reason()?;
        Ok(format!(
            "TOPdesk answered; archiving reason `{}` exists",
            self.settings.archiving_reason
        ))
    }

    /// Active persons first, then archived ones; the cursor is `a <start>` or `r <start>`.
    fn list_accounts(&mut self, cursor: Option<String>) -> Result<AccountPage, ConnectorError> {
        let (archived, start) = parse_cursor(cursor.as_deref())?;
        let size = self.settings.page_size;
        let page = self.persons_page(archived, NOT_ANONYMISED, start, size)?;
        let accounts = page
            .items
            .iter()
            .map(persons::account)
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = match (page.more, archived) {
            (true, _) => Some(format!(
                "{} {}",
                if archived { "r" } else { "a" },
                start + page.items.len()
            )),
            (false, false) => Some("r 0".to_owned()),
            (false, true) => None,
        };
        Ok(AccountPage {
            accounts,
            next_cursor,
        })
    }

    fn list_entitlements(
        &mut self,
        _cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        Ok(EntitlementPage::default())
    }

    fn list_memberships(
        &mut self,
        _cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        Ok(MembershipPage::default())
    }

    fn get_account(&mut self, key: &str) -> Result<Option<Account>, ConnectorError> {
        self.person(key)?.as_ref().map(persons::account).transpose()
    }

    fn correlate(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        Self::describe().correlates_on(attribute, "TOPdesk")?;
        let filter = format!("{attribute}=={}", fiql(value));
        let mut found = self.persons_page(false, &filter, 0, 2)?.items;
        found.extend(self.persons_page(true, &filter, 0, 2)?.items);
        match found.as_slice() {
            [] => Ok(None),
            [one] => persons::account(one).map(Some),
            _ => Err(ConnectorError::Other(format!(
                "more than one TOPdesk person has {attribute} {value}"
            ))),
        }
    }

    fn create(&mut self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        let mut body = self.body(persons::wanted(&spec.changes())?)?;
        body[persons::USERNAME] = json!(spec.username);
        let created = self.api().write(Method::Post, "persons", &body)?;
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ConnectorError::OutcomeUnknown(
                    "POST persons answered without the new person's id".into(),
                )
            })?
            .to_owned();
        if !spec.enabled {
            self.archive(&id)?;
            return persons::account(&self.existing(&id)?);
        }
        persons::account(&created)
    }

    fn update(
        &mut self,
        account: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        let body = self.body(persons::wanted(&changes)?)?;
        persons::account(&self.patch(account, &body)?)
    }

    fn enable(&mut self, account: &str) -> Result<(), ConnectorError> {
        if persons::is_archived(&self.existing(account)?) {
            self.unarchive(account)?;
        }
        Ok(())
    }

    fn disable(&mut self, account: &str) -> Result<(), ConnectorError> {
        if !persons::is_archived(&self.existing(account)?) {
            self.archive(account)?;
        }
        Ok(())
    }
}

impl Tickets for Topdesk {
    fn open_ticket(&mut self, spec: TicketSpec) -> Result<Ticket, ConnectorError> {
        let caller = incidents::caller(&self.api(), &spec)?;
        let body = self.settings.incidents.body(&spec, caller.as_deref());
        incidents::open(&self.api(), &body)
    }

    fn get_ticket(&mut self, key: &str) -> Result<Ticket, ConnectorError> {
        incidents::get(&self.api(), key)
    }
}

fn parse_cursor(cursor: Option<&str>) -> Result<(bool, usize), ConnectorError> {
    let Some(c) = cursor else {
        return Ok((false, 0));
    };
    let invalid = || ConnectorError::invalid("cursor", format!("`{c}` is not a person cursor"));
    let (pass, start) = c.split_once(' ').ok_or_else(invalid)?;
    let archived = match pass {
        "a" => false,
        "r" => true,
        _ => return Err(invalid()),
    };
    Ok((archived, start.parse().map_err(|_| invalid())?))
}

tessera_sdk::export_ticketing_target!(Topdesk);
