//! A HiX user as the web service exchanges it: read from `<gebruiker>`, written back whole.

use std::collections::BTreeSet;

use tessera_sdk::ConnectorError;
use tessera_sdk::host::xml::{Document, Element};
use tessera_sdk::types::{Account, Attribute};

use crate::settings::Settings;
use crate::soap::Body;

pub const GROUP: &str = "group";
pub const LOGIN_GROUP: &str = "login-group";
/// The marking HiX shows behind the name of someone out of service.
pub const OUT_OF_SERVICE: &str = "U";

/// Every field of a user; a modify must send all of them or HiX empties what is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    pub code: String,
    pub gebruikersnaam: String,
    pub ldap: String,
    pub naam: String,
    pub title: String,
    pub department: String,
    pub usertype: String,
    pub sso_login: String,
    pub key_user: bool,
    pub in_service: String,
    pub marking: String,
    pub blocked: bool,
    pub groups: BTreeSet<String>,
    pub login_groups: BTreeSet<String>,
}

/// The single fields of a `<gebruiker>`, read as one row of a table; the last says whether it
/// is a login group, which HiX stores as a special user.
const FIELDS: [&str; 13] = [
    "code",
    "gebruikersnaam",
    "ldap",
    "naam",
    "title",
    "department",
    "usertype",
    "ssologin",
    "keyuser",
    "datumindienst",
    "markering",
    "geblokkeerd",
    "inloggroep",
];

fn fields() -> Vec<String> {
    FIELDS.iter().map(|f| (*f).to_owned()).collect()
}

/// The codes below `e` at `path`, trimmed, without empty ones: one host call for the list.
fn codes(e: &Element, path: &str) -> Result<BTreeSet<String>, ConnectorError> {
    let rows = e.select_texts(path, &[".".to_owned()])?;
    Ok(rows
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect())
}

/// A user as read, and whether it is a login group.
pub struct Read {
    pub user: User,
    pub login_group: bool,
}

impl User {
    /// Every `<gebruiker>` at `path`, three host calls each: its single fields as one row, and
    /// its two code lists. Field by field it was some 45. One row at a time, not the table of
    /// all users at once: 35,000 users' cells as strings would not fit a plugin's memory.
    /// `each` gets how many there are, so a listing of 35,000 sizes its vector once instead of
    /// holding a doubled one beside the users it holds (a plugin has 64 MiB by default).
    pub fn read_each(
        doc: &Document,
        path: &str,
        mut each: impl FnMut(usize, Read),
    ) -> Result<(), ConnectorError> {
        let fields = fields();
        let elements = doc.select(path)?;
        for e in &elements {
            each(elements.len(), Self::read_with(e, &fields)?);
        }
        Ok(())
    }

    pub fn read(e: &Element) -> Result<Self, ConnectorError> {
        Ok(Self::read_with(e, &fields())?.user)
    }

    fn read_with(e: &Element, fields: &[String]) -> Result<Read, ConnectorError> {
        let rows = e.select_texts(".", fields)?;
        match rows.first() {
            Some(row) => Self::from_row(row, e),
            None => Err(ConnectorError::Other("a user without its fields".into())),
        }
    }

    fn from_row(row: &[Option<String>], e: &Element) -> Result<Read, ConnectorError> {
        let text = |i: usize| -> String {
            let cell = row.get(i).and_then(Option::as_deref);
            cell.map(|t| t.trim().to_owned()).unwrap_or_default()
        };
        let user = Self {
            code: text(0),
            gebruikersnaam: text(1),
            ldap: text(2),
            naam: text(3),
            title: text(4),
            department: text(5),
            usertype: text(6),
            sso_login: text(7),
            key_user: text(8) == "true",
            in_service: text(9),
            marking: text(10),
            blocked: text(11) == "true",
            groups: codes(e, "groepen/code")?,
            login_groups: codes(e, "inloggroepen/code")?,
        };
        Ok(Read {
            user,
            login_group: text(12) == "true",
        })
    }

    /// Writes the whole object as `<gebruiker>`; the block state travels in its own messages.
    pub fn write(&self, body: &mut Body<'_>) {
        body.open("gebruiker");
        for (name, value) in [
            ("code", self.code.as_str()),
            ("gebruikersnaam", &self.gebruikersnaam),
            ("ldap", &self.ldap),
            ("naam", &self.naam),
            ("title", &self.title),
            ("department", &self.department),
            ("usertype", &self.usertype),
            ("ssologin", &self.sso_login),
            ("keyuser", if self.key_user { "true" } else { "false" }),
            ("datumindienst", &self.in_service),
            ("markering", &self.marking),
        ] {
            body.field(name, value);
        }
        for (list, items) in [
            ("groepen", &self.groups),
            ("inloggroepen", &self.login_groups),
        ] {
            body.open(list);
            for code in items {
                body.field("code", code);
            }
            body.close();
        }
        body.close();
    }

    /// The memberships set of one entitlement kind.
    pub fn set_of(&mut self, kind: &str) -> Result<&mut BTreeSet<String>, ConnectorError> {
        match kind {
            GROUP => Ok(&mut self.groups),
            LOGIN_GROUP => Ok(&mut self.login_groups),
            other => Err(ConnectorError::invalid(
                "kind",
                format!("HiX has `{GROUP}` and `{LOGIN_GROUP}` entitlements, not `{other}`"),
            )),
        }
    }

    /// The account the engine sees. Labels are given back where the mapping tables tell them
    /// apart, so the engine compares like with like.
    pub fn account(&self, settings: &Settings) -> Account {
        let mut attributes = Vec::new();
        let mut add = |name: &str, value: &str| {
            attributes.push(Attribute {
                name: name.to_owned(),
                value: value.to_owned(),
            });
        };
        add("code", &self.code);
        add("ldap", &self.ldap);
        add("gebruikersnaam", &self.gebruikersnaam);
        add("name", &self.naam);
        add("title", &self.title);
        if let Some(label) = settings.functions.label(&self.title) {
            add("function", label);
        }
        add("department", &self.department);
        if let Some(label) = settings.employee_types.label(&self.usertype) {
            add("employee_type", label);
        }
        add("sso_login", &self.sso_login);
        add("key_user", if self.key_user { "true" } else { "false" });
        add("in_service", &self.in_service);
        add("marking", &self.marking);
        Account {
            key: self.code.clone(),
            username: Some(self.ldap.clone()),
            enabled: !self.blocked,
            attributes,
        }
    }
}
