//! Branches, departments, budget holders and archiving reasons by name. TOPdesk wants ids;
//! the role model gives names. Each list is fetched once a run, on first use.

use serde_json::{Value, json};
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::Method;

use crate::api::Api;

/// A list TOPdesk keeps: its path under `/tas/api` and the person field that refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Branches,
    Departments,
    BudgetHolders,
    Reasons,
}

impl List {
    fn path(self) -> &'static str {
        match self {
            Self::Branches => "branches",
            Self::Departments => "departments",
            Self::BudgetHolders => "budgetholders",
            Self::Reasons => "archiving-reasons",
        }
    }

    /// The person field (or, for reasons, the configuration key) an unknown name is blamed on.
    fn field(self) -> &'static str {
        match self {
            Self::Branches => "branch",
            Self::Departments => "department",
            Self::BudgetHolders => "budgetHolder",
            Self::Reasons => "archiving_reason",
        }
    }

    /// Whether the plugin may add a missing entry (with `create_lookups`).
    fn creatable(self) -> bool {
        matches!(self, Self::Departments | Self::BudgetHolders)
    }
}

/// The lists fetched so far this run: `(id, name)` pairs.
#[derive(Default)]
pub struct Lookups {
    lists: Vec<(List, Vec<(String, String)>)>,
}

impl Lookups {
    /// The id of the entry named `name` (exactly, else ignoring case). A missing department
    /// or budget holder is created when `create` allows; otherwise the name is refused.
    pub fn id(
        &mut self,
        api: &Api<'_>,
        list: List,
        name: &str,
        create: bool,
    ) -> Result<String, ConnectorError> {
        if let Some(id) = find(self.entries(api, list)?, name) {
            return Ok(id);
        }
        if create && list.creatable() {
            // Another writer of this run (each has its own instance) may have added it since
            // this one read the list: read it again before adding, so it is added once.
            self.lists.retain(|(l, _)| *l != list);
            if let Some(id) = find(self.entries(api, list)?, name) {
                return Ok(id);
            }
            return self.add(api, list, name);
        }
        Err(ConnectorError::invalid(
            list.field(),
            format!(
                "TOPdesk has no {} named `{name}` (or a filter on the API account hides it)",
                list.field()
            ),
        ))
    }

    fn entries(
        &mut self,
        api: &Api<'_>,
        list: List,
    ) -> Result<&[(String, String)], ConnectorError> {
        let at = match self.lists.iter().position(|(l, _)| *l == list) {
            Some(at) => at,
            None => {
                let fetched = pairs(&api.get(list.path())?);
                self.lists.push((list, fetched));
                self.lists.len() - 1
            }
        };
        Ok(&self.lists[at].1)
    }

    fn add(&mut self, api: &Api<'_>, list: List, name: &str) -> Result<String, ConnectorError> {
        let created = api.write(Method::Post, list.path(), &json!({ "name": name }))?;
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ConnectorError::OutcomeUnknown(format!(
                    "the new {} `{name}` came back without an id",
                    list.field()
                ))
            })?
            .to_owned();
        if let Some((_, entries)) = self.lists.iter_mut().find(|(l, _)| *l == list) {
            entries.push((id.clone(), name.to_owned()));
        }
        Ok(id)
    }
}

/// The id of the entry named `name`: exactly, else ignoring case.
fn find(entries: &[(String, String)], name: &str) -> Option<String> {
    entries
        .iter()
        .find(|(_, n)| n == name)
        .or_else(|| entries.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)))
        .map(|(id, _)| id.clone())
}

/// `[{"id": …, "name": …}, …]` as pairs; entries without either are skipped.
fn pairs(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e.get("id")?.as_str()?.to_owned(),
                e.get("name")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}
