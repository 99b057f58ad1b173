//! What the mock HiX holds and the rules its web service enforces, free of HTTP and XML so
//! each rule is easy to read next to the fact it comes from.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;

/// Longest user code HiX keeps (`ZISCON_USER`, e.g. `RKOOT`).
pub const CODE_MAX: usize = 8;
/// Longest function code (`title`).
pub const TITLE_MAX: usize = 5;
/// Longest department code.
pub const DEPARTMENT_MAX: usize = 6;
/// Employee type for staff without the HiX training (Geen Scholing); empty is regular.
pub const NOT_TRAINED: &str = "GS";
/// The marking of a user out of service.
pub const OUT_OF_SERVICE: &str = "U";

/// A HiX user as the web service exchanges it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// User code, the key, at most [`CODE_MAX`] characters.
    pub code: String,
    pub gebruikersnaam: String,
    /// The login name HelloID-style couplings look users up by.
    pub ldap: String,
    /// Display name.
    pub naam: String,
    /// Function code, at most [`TITLE_MAX`].
    pub title: String,
    /// Department code, at most [`DEPARTMENT_MAX`].
    pub department: String,
    /// Employee type: [`NOT_TRAINED`] or empty.
    pub usertype: String,
    /// SSO login name (an Entra UPN); HiX compares it case-sensitively.
    pub sso_login: String,
    pub key_user: bool,
    pub in_service: Option<NaiveDate>,
    /// [`OUT_OF_SERVICE`] or empty.
    pub marking: String,
    pub blocked: bool,
    pub groups: BTreeSet<String>,
    pub login_groups: BTreeSet<String>,
}

impl User {
    /// A regular, unblocked user without memberships.
    pub fn new(code: &str, ldap: &str, naam: &str) -> Self {
        Self {
            code: code.into(),
            gebruikersnaam: ldap.into(),
            ldap: ldap.into(),
            naam: naam.into(),
            ..Self::default()
        }
    }
}

/// The groups and login groups users may be put in, code → description.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub groups: BTreeMap<String, String>,
    /// In HiX a login group is itself a special user; the listing shows it as one.
    pub login_groups: BTreeMap<String, String>,
}

impl Catalogue {
    pub fn new(groups: &[(&str, &str)], login_groups: &[(&str, &str)]) -> Self {
        let map = |items: &[(&str, &str)]| {
            items
                .iter()
                .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
                .collect()
        };
        Self {
            groups: map(groups),
            login_groups: map(login_groups),
        }
    }
}

/// Why the service refused a request: answered as a SOAP fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `VELD` (a field is wrong), `ONBEKEND` (no such user), `BESTAAT` (already there),
    /// `CONTROLID` (missing or reused), `BERICHT` (malformed request).
    pub code: &'static str,
    /// The field concerned, for `VELD` and `BESTAAT`.
    pub field: Option<String>,
    pub message: String,
}

impl Fault {
    pub(super) fn field(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: "VELD",
            field: Some(field.to_owned()),
            message: format!("{field}: {}", message.into()),
        }
    }

    pub(super) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            field: None,
            message: message.into(),
        }
    }
}

/// The whole state behind the web service.
#[derive(Debug, Default)]
pub(super) struct Hix {
    pub(super) users: BTreeMap<String, User>,
    pub(super) catalogue: Catalogue,
    pub(super) control_ids: HashSet<String>,
}

impl Hix {
    /// Records a ControlId; a second use of the same one is refused, as HiX does.
    pub(super) fn claim(&mut self, control_id: &str) -> Result<(), Fault> {
        if control_id.is_empty() {
            return Err(Fault::new("CONTROLID", "ControlId is missing"));
        }
        if !self.control_ids.insert(control_id.to_owned()) {
            return Err(Fault::new(
                "CONTROLID",
                format!("ControlId {control_id} was already used"),
            ));
        }
        Ok(())
    }

    pub(super) fn create(&mut self, user: User) -> Result<User, Fault> {
        self.check(&user)?;
        if self.users.contains_key(&user.code)
            || self.catalogue.login_groups.contains_key(&user.code)
        {
            return Err(exists("code", &user.code));
        }
        if user.in_service.is_none() {
            return Err(Fault::field(
                "datumindienst",
                "a new user needs a date in service",
            ));
        }
        let user = User {
            blocked: false,
            ..user
        };
        self.users.insert(user.code.clone(), user.clone());
        Ok(user)
    }

    /// The full object replaces the stored one: what the request leaves out is gone. Two
    /// writers that read the same user each overwrite the other's change (last write wins).
    pub(super) fn modify(&mut self, mut user: User) -> Result<User, Fault> {
        self.check(&user)?;
        let old = self
            .users
            .get(&user.code)
            .ok_or_else(|| unknown(&user.code))?;
        if !old.usertype.is_empty() && user.usertype.is_empty() {
            // A documented limit of the web service.
            return Err(Fault::field(
                "usertype",
                "an employee type cannot be set back to empty through the web service",
            ));
        }
        if !old.sso_login.is_empty() && old.sso_login != user.sso_login {
            // HiX deletes and recreates the SSO user; the memberships do not survive it.
            user.groups.clear();
            user.login_groups.clear();
        }
        user.blocked = old.blocked;
        self.users.insert(user.code.clone(), user.clone());
        Ok(user)
    }

    pub(super) fn set_blocked(&mut self, code: &str, blocked: bool) -> Result<User, Fault> {
        let user = self.users.get_mut(code).ok_or_else(|| unknown(code))?;
        user.blocked = blocked;
        Ok(user.clone())
    }

    /// Users whose `ldap` (case-insensitive) or code matches; everyone without a filter.
    pub(super) fn find(&self, ldap: Option<&str>, code: Option<&str>) -> Vec<&User> {
        self.users
            .values()
            .filter(|u| ldap.is_none_or(|l| u.ldap.eq_ignore_ascii_case(l)))
            .filter(|u| code.is_none_or(|c| u.code == c))
            .collect()
    }

    fn check(&self, user: &User) -> Result<(), Fault> {
        for (field, value, max) in [
            ("code", &user.code, CODE_MAX),
            ("title", &user.title, TITLE_MAX),
            ("department", &user.department, DEPARTMENT_MAX),
        ] {
            let length = value.chars().count();
            if length > max {
                return Err(Fault::field(
                    field,
                    format!("`{value}` is {length} characters, at most {max} allowed"),
                ));
            }
        }
        if user.code.is_empty() {
            return Err(Fault::field("code", "a user code is required"));
        }
        if user.ldap.trim().is_empty() {
            return Err(Fault::field("ldap", "the ldap login name is required"));
        }
        self.check_codes(user)?;
        self.check_memberships(user)?;
        let ldap_taken = self
            .users
            .values()
            .any(|u| u.code != user.code && u.ldap.eq_ignore_ascii_case(&user.ldap));
        if ldap_taken {
            return Err(exists("ldap", &user.ldap));
        }
        Ok(())
    }

    fn check_codes(&self, user: &User) -> Result<(), Fault> {
        if !user.usertype.is_empty() && user.usertype != NOT_TRAINED {
            return Err(Fault::field(
                "usertype",
                format!(
                    "unknown employee type `{}`; use {NOT_TRAINED} or leave empty",
                    user.usertype
                ),
            ));
        }
        if !user.marking.is_empty() && user.marking != OUT_OF_SERVICE {
            return Err(Fault::field(
                "markering",
                format!(
                    "unknown marking `{}`; use {OUT_OF_SERVICE} or leave empty",
                    user.marking
                ),
            ));
        }
        Ok(())
    }

    fn check_memberships(&self, user: &User) -> Result<(), Fault> {
        if let Some(g) = user
            .groups
            .iter()
            .find(|g| !self.catalogue.groups.contains_key(*g))
        {
            return Err(Fault::field(
                "groepen",
                format!("group `{g}` does not exist"),
            ));
        }
        let missing = user
            .login_groups
            .iter()
            .find(|g| !self.catalogue.login_groups.contains_key(*g));
        if let Some(g) = missing {
            return Err(Fault::field(
                "inloggroepen",
                format!("login group `{g}` does not exist"),
            ));
        }
        Ok(())
    }
}

fn unknown(code: &str) -> Fault {
    Fault::new("ONBEKEND", format!("no user with code `{code}`"))
}

fn exists(field: &str, value: &str) -> Fault {
    Fault {
        code: "BESTAAT",
        field: Some(field.to_owned()),
        message: format!("{field}: `{value}` is already in use"),
    }
}
