//! What the mock ONS holds: employees, users, the roles open to integrations, teams,
//! locations, and the duties each source gave each user; and the checks ONS makes.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// An employee; one per employment, numbered `<employee number>-<sequence>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Employee {
    pub id: i64,
    pub uuid: String,
    pub identification_no: String,
    pub first_name: String,
    pub last_name: String,
}

/// A user (an account) as ONS writes and answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OnsUser {
    pub id: i64,
    pub uuid: String,
    pub user_name: String,
    pub employee_object_id: i64,
    pub password_change: bool,
    pub sso_enabled: bool,
    pub sso_id: String,
    pub contract_required_at_login: bool,
}

impl Default for OnsUser {
    fn default() -> Self {
        Self {
            id: 0,
            uuid: String::new(),
            user_name: String::new(),
            employee_object_id: 0,
            password_change: true,
            sso_enabled: false,
            sso_id: String::new(),
            contract_required_at_login: false,
        }
    }
}

/// A role, team or location: its id (numeric ids as text) and name; teams and locations also
/// have an identification number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub identification_no: String,
    pub name: String,
}

/// A refusal: the status, the field and ONS's message.
#[derive(Debug)]
pub struct OnsError {
    pub status: StatusCode,
    pub field: String,
    pub message: String,
}

impl OnsError {
    pub fn new(status: StatusCode, field: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, field, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "", format!("{what} not found"))
    }
}

/// The care organisation in the mock.
#[derive(Debug, Default)]
pub struct Org {
    pub employees: Vec<Employee>,
    pub users: BTreeMap<i64, OnsUser>,
    pub roles: Vec<Named>,
    pub teams: Vec<Named>,
    pub locations: Vec<Named>,
    /// Duties by user uuid and source, as the last `PUT …/duties` of that source left them.
    pub duties: BTreeMap<(String, String), Vec<Value>>,
    next: i64,
}

impl Org {
    fn next_id(&mut self) -> i64 {
        self.next += 1;
        self.next
    }

    fn uuid(&mut self) -> String {
        let n = self.next_id();
        format!("0e5d0000-0000-4000-8000-{n:012}")
    }

    /// Adds an employee; returns its object id.
    pub fn add_employee(
        &mut self,
        identification_no: &str,
        first_name: &str,
        last_name: &str,
    ) -> i64 {
        let id = self.next_id();
        let uuid = self.uuid();
        self.employees.push(Employee {
            id,
            uuid,
            identification_no: identification_no.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
        });
        id
    }

    /// Adds a role open to integrations; returns its uuid.
    pub fn add_role(&mut self, name: &str) -> String {
        let uuid = self.uuid();
        self.roles.push(Named {
            id: uuid.clone(),
            identification_no: String::new(),
            name: name.into(),
        });
        uuid
    }

    /// Adds a team; returns its id.
    pub fn add_team(&mut self, identification_no: &str, name: &str) -> String {
        let id = self.next_id().to_string();
        self.teams.push(Named {
            id: id.clone(),
            identification_no: identification_no.into(),
            name: name.into(),
        });
        id
    }

    /// Adds a location; returns its id.
    pub fn add_location(&mut self, identification_no: &str, name: &str) -> String {
        let id = self.next_id().to_string();
        self.locations.push(Named {
            id: id.clone(),
            identification_no: identification_no.into(),
            name: name.into(),
        });
        id
    }

    /// The user by user name.
    pub fn user_named(&self, name: &str) -> Option<&OnsUser> {
        self.users.values().find(|u| u.user_name == name)
    }

    /// The duties `source` gave the user with `uuid`.
    pub fn duties_of(&self, uuid: &str, source: &str) -> Vec<Value> {
        self.duties
            .get(&(uuid.to_owned(), source.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    /// `POST /users`: a new user for an existing employee with a free user name.
    pub fn create_user(&mut self, mut user: OnsUser) -> Result<OnsUser, OnsError> {
        self.check_user(&user, None)?;
        user.id = self.next_id();
        user.uuid = self.uuid();
        self.users.insert(user.id, user.clone());
        Ok(user)
    }

    /// `PUT /users/{id}`: the whole user replaced; id and uuid stay.
    pub fn replace_user(&mut self, id: i64, mut user: OnsUser) -> Result<OnsUser, OnsError> {
        let old = self
            .users
            .get(&id)
            .ok_or_else(|| OnsError::not_found("User"))?;
        user.id = id;
        user.uuid = old.uuid.clone();
        self.check_user(&user, Some(id))?;
        self.users.insert(id, user.clone());
        Ok(user)
    }

    fn check_user(&self, user: &OnsUser, id: Option<i64>) -> Result<(), OnsError> {
        if user.user_name.trim().is_empty() {
            return Err(OnsError::invalid("userName", "may not be empty"));
        }
        if !self
            .employees
            .iter()
            .any(|e| e.id == user.employee_object_id)
        {
            return Err(OnsError::invalid(
                "employeeObjectId",
                format!("Employee {} not found", user.employee_object_id),
            ));
        }
        let taken = self
            .users
            .values()
            .any(|u| Some(u.id) != id && u.user_name.eq_ignore_ascii_case(&user.user_name));
        if taken {
            return Err(OnsError::new(
                StatusCode::CONFLICT,
                "userName",
                format!("User name {} is already in use", user.user_name),
            ));
        }
        Ok(())
    }

    /// `PUT …/users/{uuid}/duties`: every duty must name a whitelisted role and known teams
    /// and locations; the source's earlier duties for the user are replaced.
    pub fn set_duties(
        &mut self,
        uuid: &str,
        source: &str,
        duties: Vec<Value>,
    ) -> Result<(), OnsError> {
        if !self.users.values().any(|u| u.uuid == uuid) {
            return Err(OnsError::not_found("User"));
        }
        if source.trim().is_empty() {
            return Err(OnsError::invalid("source", "may not be empty"));
        }
        for duty in &duties {
            let role = duty
                .get("roleUuid")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !self.roles.iter().any(|r| r.id == role) {
                return Err(OnsError::invalid(
                    "roleUuid",
                    format!("Role {role} is not available for provisioning"),
                ));
            }
            check_ids(duty, "teamIds", &self.teams)?;
            check_ids(duty, "locationIds", &self.locations)?;
        }
        self.duties
            .insert((uuid.to_owned(), source.to_owned()), duties);
        Ok(())
    }

    /// A user as JSON, with the employee's name as ONS adds it.
    pub fn shown(&self, user: &OnsUser) -> Value {
        let mut value = json!(user);
        if let Some(e) = self
            .employees
            .iter()
            .find(|e| e.id == user.employee_object_id)
        {
            value["employeeName"] = json!(format!("{} {}", e.first_name, e.last_name));
        }
        value
    }
}

fn check_ids(duty: &Value, field: &str, known: &[Named]) -> Result<(), OnsError> {
    let ids = duty
        .get(field)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for id in ids {
        let text = id.as_i64().map(|n| n.to_string()).unwrap_or_default();
        if !known.iter().any(|k| k.id == text) {
            return Err(OnsError::invalid(field, format!("{id} not found")));
        }
    }
    Ok(())
}
