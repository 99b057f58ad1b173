//! Reads and writes of users. Every change is a read-modify-write of the whole object, which
//! is why the plugin declares serial writes: two overlapping writers would each send the
//! object they read and one change would be lost.

use std::time::{SystemTime, UNIX_EPOCH};

use tessera_sdk::ConnectorError;
use tessera_sdk::types::{Account, AccountSpec, AttributeChange, EntitlementRef};

use crate::Hix;
use crate::soap::Body;
use crate::user::{OUT_OF_SERVICE, Read, User};

const CREATE: &str = "nieuwegebruiker.gegevens";
const MODIFY: &str = "wijzigengebruiker.gegevens";
const READ: &str = "aanvraag.zisgebruikers";

impl Hix {
    /// Users matching `filter` (`ldap` or `code`), or every user and login group without one,
    /// handed to `each` with how many there are.
    pub(crate) fn read_users(
        &self,
        filter: Option<(&str, &str)>,
        each: impl FnMut(usize, Read),
    ) -> Result<(), ConnectorError> {
        let mut body = Body::new(&self.settings.namespace);
        body.open(READ);
        if let Some((name, value)) = filter {
            body.field(name, value);
        }
        body.close();
        let doc = self.call(READ, body)?;
        User::read_each(&doc, "/Envelope/Body/*/zisgebruikers/gebruiker", each)
    }

    /// The first user matching `filter`.
    fn read_user(&self, filter: (&str, &str)) -> Result<Option<Read>, ConnectorError> {
        let mut first = None;
        self.read_users(Some(filter), |_, read| {
            first.get_or_insert(read);
        })?;
        Ok(first)
    }

    /// The user with this code, freshly read.
    fn fetch(&self, code: &str) -> Result<User, ConnectorError> {
        match self.read_user(("code", code))? {
            Some(read) if !read.login_group => Ok(read.user),
            _ => Err(ConnectorError::NotFound(format!(
                "no HiX user with code `{code}`"
            ))),
        }
    }

    /// Sends a whole user with `message` and returns what HiX kept.
    fn send_user(&self, message: &str, user: &User) -> Result<User, ConnectorError> {
        let mut body = Body::new(&self.settings.namespace);
        body.open(message);
        user.write(&mut body);
        body.close();
        let doc = self.call(message, body)?;
        match doc.select("/Envelope/Body/*/gebruiker")?.first() {
            Some(e) => User::read(e),
            None => Err(ConnectorError::Other(format!(
                "HiX answered {message} without the user"
            ))),
        }
    }

    fn set_blocked(&self, code: &str, blocked: bool) -> Result<(), ConnectorError> {
        let message = if blocked {
            "blokkerengebruiker.gegevens"
        } else {
            "deblokkerengebruiker.gegevens"
        };
        let mut body = Body::new(&self.settings.namespace);
        body.open(message);
        body.field("code", code);
        body.close();
        self.call(message, body).map(drop)
    }

    pub(crate) fn correlate_account(
        &self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        if !matches!(attribute, "ldap" | "username") {
            return Err(ConnectorError::invalid(
                "attribute",
                format!("HiX users are looked up by `ldap`, not `{attribute}`"),
            ));
        }
        let found = self.read_user(("ldap", value))?;
        Ok(found.map(|read| read.user.account(&self.settings)))
    }

    /// Creates the user with its date in service; one that should not log in yet is blocked
    /// straight away.
    pub(crate) fn create_account(&self, spec: AccountSpec) -> Result<Account, ConnectorError> {
        let mut user = User {
            gebruikersnaam: spec.username.clone(),
            ldap: spec.username.clone(),
            code: spec.username.to_uppercase(),
            ..User::default()
        };
        for a in &spec.attributes {
            self.apply_change(&mut user, &a.name, Some(&a.value))?;
        }
        if user.in_service.is_empty() {
            user.in_service = today();
        }
        let mut created = self.send_user(CREATE, &user)?;
        if !spec.enabled {
            self.set_blocked(&created.code, true)?;
            created.blocked = true;
        }
        Ok(created.account(&self.settings))
    }

    pub(crate) fn update_account(
        &self,
        code: &str,
        changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        let old = self.fetch(code)?;
        let mut user = old.clone();
        for c in &changes {
            self.apply_change(&mut user, &c.name, single(c)?)?;
        }
        if user.code != old.code {
            return Err(ConnectorError::invalid(
                "code",
                "a HiX user code cannot change",
            ));
        }
        self.write(&old, user).map(|u| u.account(&self.settings))
    }

    /// Writes `user` over `old` when they differ. A new SSO login name makes HiX drop every
    /// membership, so it is refused unless allowed, and then the memberships are written back.
    fn write(&self, old: &User, user: User) -> Result<User, ConnectorError> {
        if &user == old {
            return Ok(user);
        }
        let renamed = !old.sso_login.is_empty() && old.sso_login != user.sso_login;
        if renamed && !self.settings.allow_sso_rename {
            return Err(ConnectorError::invalid(
                "sso_login",
                format!(
                    "changing the SSO login name from `{}` to `{}` makes HiX recreate the SSO \
                     user and drop all of its groups and login groups; set allow_sso_rename = \
                     true in the system's config to allow it",
                    old.sso_login, user.sso_login
                ),
            ));
        }
        let kept = self.send_user(MODIFY, &user)?;
        if renamed && (kept.groups != user.groups || kept.login_groups != user.login_groups) {
            return self.send_user(MODIFY, &user);
        }
        Ok(kept)
    }

    /// Blocks and marks the user `U`, or unblocks and clears the marking.
    pub(crate) fn set_in_service(
        &self,
        code: &str,
        in_service: bool,
    ) -> Result<(), ConnectorError> {
        self.set_blocked(code, !in_service)?;
        let old = self.fetch(code)?;
        let marking = if in_service { "" } else { OUT_OF_SERVICE };
        let user = User {
            marking: marking.to_owned(),
            ..old.clone()
        };
        self.write(&old, user).map(drop)
    }

    pub(crate) fn change_membership(
        &self,
        code: &str,
        entitlement: &EntitlementRef,
        member: bool,
    ) -> Result<(), ConnectorError> {
        let old = self.fetch(code)?;
        let mut user = old.clone();
        let set = user.set_of(&entitlement.kind)?;
        if member {
            set.insert(entitlement.key.clone());
        } else {
            set.remove(&entitlement.key);
        }
        self.write(&old, user).map(drop)
    }

    /// Sets one attribute the role model maps; labels go through the mapping tables.
    fn apply_change(
        &self,
        user: &mut User,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), ConnectorError> {
        let value = value.unwrap_or_default().trim();
        let s = &self.settings;
        match name {
            "code" => user.code = value.to_owned(),
            "gebruikersnaam" => user.gebruikersnaam = value.to_owned(),
            "name" => user.naam = value.to_owned(),
            "function" => user.title = s.functions.code(value).to_owned(),
            "title" => user.title = value.to_owned(),
            "department" => user.department = value.to_owned(),
            "employee_type" => user.usertype = s.employee_types.code(value).to_owned(),
            "sso_login" => user.sso_login = value.to_owned(),
            "key_user" => user.key_user = parse_bool(value)?,
            "in_service" => user.in_service = value.get(..10).unwrap_or(value).to_owned(),
            other => {
                return Err(ConnectorError::invalid(
                    other,
                    "HiX has no such attribute; map code, gebruikersnaam, name, function, title, \
                     department, employee_type, sso_login, key_user or in_service",
                ));
            }
        }
        Ok(())
    }
}

fn parse_bool(value: &str) -> Result<bool, ConnectorError> {
    match value.to_lowercase().as_str() {
        "true" | "yes" | "ja" | "1" => Ok(true),
        "false" | "no" | "nee" | "0" | "" => Ok(false),
        _ => Err(ConnectorError::invalid(
            "key_user",
            format!("`{value}` is not true or false"),
        )),
    }
}

/// Today's date (UTC) as yyyy-mm-dd, for a new user whose date in service was not mapped.
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The one value a change sets, `None` to clear: every field of a HiX user holds one value,
/// so several are refused rather than cut to one.
fn single(c: &AttributeChange) -> Result<Option<&str>, ConnectorError> {
    match c.values.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(ConnectorError::invalid(
            &c.name,
            "a HiX user keeps one value of each field; several were given",
        )),
    }
}
