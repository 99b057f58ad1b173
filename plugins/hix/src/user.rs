//! A HiX user as the web service exchanges it: read from `<gebruiker>`, written back whole.

use std::collections::BTreeSet;

use tessera_sdk::ConnectorError;
use tessera_sdk::host::xml::Element;
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

fn child_text(e: &Element, name: &str) -> Result<String, ConnectorError> {
    Ok(e.select(name)?
        .first()
        .map(|c| c.text().trim().to_owned())
        .unwrap_or_default())
}

fn codes(e: &Element, path: &str) -> Result<BTreeSet<String>, ConnectorError> {
    Ok(e.select(path)?
        .iter()
        .map(|c| c.text().trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect())
}

/// Whether a `<gebruiker>` is a login group, which HiX stores as a special user.
pub fn is_login_group(e: &Element) -> Result<bool, ConnectorError> {
    Ok(child_text(e, "inloggroep")? == "true")
}

impl User {
    pub fn read(e: &Element) -> Result<Self, ConnectorError> {
        Ok(Self {
            code: child_text(e, "code")?,
            gebruikersnaam: child_text(e, "gebruikersnaam")?,
            ldap: child_text(e, "ldap")?,
            naam: child_text(e, "naam")?,
            title: child_text(e, "title")?,
            department: child_text(e, "department")?,
            usertype: child_text(e, "usertype")?,
            sso_login: child_text(e, "ssologin")?,
            key_user: child_text(e, "keyuser")? == "true",
            in_service: child_text(e, "datumindienst")?,
            marking: child_text(e, "markering")?,
            blocked: child_text(e, "geblokkeerd")? == "true",
            groups: codes(e, "groepen/code")?,
            login_groups: codes(e, "inloggroepen/code")?,
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
