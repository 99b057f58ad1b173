//! The tenant's directory: users (and the soft-deleted ones), groups and their members, the
//! rules Graph checks on a write, and the change log the delta queries read.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::odata::GraphError;

/// A user as Graph holds it: property name to JSON value, `id` included.
pub type User = Map<String, Value>;

/// Properties a client may write on a user; anything else is refused by name.
const WRITABLE: &[&str] = &[
    "accountEnabled",
    "displayName",
    "givenName",
    "surname",
    "userPrincipalName",
    "mailNickname",
    "mail",
    "employeeId",
    "jobTitle",
    "department",
    "companyName",
    "usageLocation",
    "officeLocation",
    "mobilePhone",
    "businessPhones",
    "passwordProfile",
];

/// Maximum lengths Graph documents for user properties.
const LIMITS: &[(&str, usize)] = &[
    ("displayName", 256),
    ("givenName", 64),
    ("surname", 64),
    ("mailNickname", 64),
    ("employeeId", 16),
    ("jobTitle", 128),
    ("department", 64),
    ("companyName", 64),
    ("officeLocation", 128),
    ("usageLocation", 2),
];

/// What a create must carry.
const REQUIRED: &[&str] = &[
    "accountEnabled",
    "displayName",
    "mailNickname",
    "userPrincipalName",
    "passwordProfile",
];

/// A group: its properties and its members (user or group ids).
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub display_name: String,
    pub description: Option<String>,
    /// Synced from on-premises AD: Graph refuses to change its members.
    pub on_premises: bool,
    pub members: BTreeSet<String>,
    /// Member ids that are groups (nested), not users.
    pub nested: BTreeSet<String>,
}

/// One entry of the change log the delta queries read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    User(String),
    Group(String),
    Member {
        group: String,
        member: String,
        added: bool,
    },
}

#[derive(Debug, Default)]
pub struct Directory {
    pub users: BTreeMap<String, User>,
    /// Soft-deleted users (Graph keeps them 30 days, restorable).
    pub deleted: BTreeMap<String, User>,
    pub groups: BTreeMap<String, Group>,
    pub log: Vec<Change>,
    /// Verified domains; a user principal name must end in one.
    pub domains: Vec<String>,
    next_id: u64,
}

impl Directory {
    pub fn new(domains: Vec<String>) -> Self {
        Self {
            domains,
            ..Self::default()
        }
    }

    /// A fresh object id in Graph's GUID form.
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!(
            "6f1c{:04x}-0000-4000-8000-{:012x}",
            self.next_id >> 48,
            self.next_id
        )
    }

    pub fn add_group(&mut self, id: &str, group: Group) {
        self.groups.insert(id.to_owned(), group);
        self.log.push(Change::Group(id.to_owned()));
    }

    /// `POST /users`: checks the body as Graph does and stores the user.
    pub fn create_user(&mut self, body: &Map<String, Value>) -> Result<User, GraphError> {
        for name in REQUIRED {
            if body.get(*name).is_none_or(Value::is_null) {
                return Err(GraphError::invalid_value(name));
            }
        }
        self.check(body, None)?;
        let id = self.new_id();
        let mut user = User::new();
        user.insert("id".into(), json!(id));
        for (name, value) in body {
            if name != "passwordProfile" {
                user.insert(name.clone(), value.clone());
            }
        }
        self.users.insert(id.clone(), user.clone());
        self.log.push(Change::User(id));
        Ok(user)
    }

    /// `PATCH /users/{id}`.
    pub fn patch_user(&mut self, id: &str, body: &Map<String, Value>) -> Result<(), GraphError> {
        let id = self.resolve(id)?;
        self.check(body, Some(&id))?;
        let user = self
            .users
            .get_mut(&id)
            .ok_or_else(|| GraphError::not_found(&id))?;
        for (name, value) in body {
            match value {
                Value::Null => user.remove(name),
                _ if name == "passwordProfile" => None,
                _ => user.insert(name.clone(), value.clone()),
            };
        }
        self.log.push(Change::User(id));
        Ok(())
    }

    /// `DELETE /users/{id}`: a soft delete; the user leaves every group.
    pub fn delete_user(&mut self, id: &str) -> Result<(), GraphError> {
        let id = self.resolve(id)?;
        let user = self
            .users
            .remove(&id)
            .ok_or_else(|| GraphError::not_found(&id))?;
        self.deleted.insert(id.clone(), user);
        let groups: Vec<String> = self
            .groups
            .iter()
            .filter(|(_, g)| g.members.contains(&id))
            .map(|(g, _)| g.clone())
            .collect();
        for group in groups {
            self.set_member(&group, &id, false);
        }
        self.log.push(Change::User(id));
        Ok(())
    }

    /// Adds or removes a member as the API does, with its refusals.
    pub fn change_member(
        &mut self,
        group: &str,
        member: &str,
        add: bool,
    ) -> Result<(), GraphError> {
        let g = self
            .groups
            .get(group)
            .ok_or_else(|| GraphError::not_found(group))?;
        if g.on_premises {
            return Err(GraphError::bad_request(
                "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
            ));
        }
        match (add, g.members.contains(member)) {
            (true, true) => Err(GraphError::bad_request(
                "One or more added object references already exist for the following modified properties: 'members'.",
            )),
            (false, false) => Err(GraphError::not_found(member)),
            (true, false) if !self.users.contains_key(member) => Err(GraphError::not_found(member)),
            _ => {
                self.set_member(group, member, add);
                Ok(())
            }
        }
    }

    /// Changes a membership without the API's checks (a change made in the portal).
    pub fn set_member(&mut self, group: &str, member: &str, add: bool) {
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let changed = if add {
            g.members.insert(member.to_owned())
        } else {
            g.members.remove(member)
        };
        if changed {
            self.log.push(Change::Member {
                group: group.to_owned(),
                member: member.to_owned(),
                added: add,
            });
        }
    }

    /// A user's id from an id or a user principal name, as Graph's `/users/{id | upn}`.
    pub fn resolve(&self, key: &str) -> Result<String, GraphError> {
        if self.users.contains_key(key) {
            return Ok(key.to_owned());
        }
        self.users
            .iter()
            .find(|(_, u)| text(u, "userPrincipalName").eq_ignore_ascii_case(key))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| GraphError::not_found(key))
    }

    /// The property rules of a create or an update of `id`.
    fn check(&self, body: &Map<String, Value>, id: Option<&str>) -> Result<(), GraphError> {
        for (name, value) in body {
            if !WRITABLE.contains(&name.as_str()) {
                return Err(GraphError::bad_request(&format!(
                    "Property '{name}' does not exist as a declared property or extension property."
                )));
            }
            let too_long = LIMITS
                .iter()
                .find(|(n, _)| n == name)
                .is_some_and(|(_, max)| value.as_str().is_some_and(|s| s.chars().count() > *max));
            if too_long {
                return Err(GraphError::invalid_value(name));
            }
        }
        if let Some(upn) = body.get("userPrincipalName").and_then(Value::as_str) {
            self.check_upn(upn, id)?;
        }
        Ok(())
    }

    fn check_upn(&self, upn: &str, id: Option<&str>) -> Result<(), GraphError> {
        let domain = upn.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        if !self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
            return Err(GraphError::bad_request(
                "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
            ));
        }
        let taken = self.users.iter().any(|(other, u)| {
            Some(other.as_str()) != id && text(u, "userPrincipalName").eq_ignore_ascii_case(upn)
        });
        if taken {
            return Err(GraphError::conflict("userPrincipalName"));
        }
        Ok(())
    }
}

/// A string property, empty when absent.
pub fn text<'a>(object: &'a Map<String, Value>, name: &str) -> &'a str {
    object.get(name).and_then(Value::as_str).unwrap_or_default()
}
