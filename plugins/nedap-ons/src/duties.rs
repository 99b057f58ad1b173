//! Duties: a role with its scope, named in the configuration and offered as entitlements of
//! kind `duty`. ONS wants role uuids and team and location ids; the configuration names
//! roles by name and teams and locations by identification number, resolved once a run.

use serde_json::{Map, Value, json};
use tessera_sdk::ConnectorError;

use crate::api::Api;

/// Scope flags as the configuration spells them, and the duty field each sets.
const FLAGS: &[(&str, &str)] = &[
    ("all-clients", "allClients"),
    ("clients-on-my-roster", "myRoster"),
    ("clients-on-my-planning", "myPlanning"),
    ("my-agenda-clients", "myAgendaClients"),
    ("all-employees", "allEmployees"),
    ("employees-on-my-roster", "employeesOnMyRoster"),
    ("myself", "myself"),
    ("my-teams", "myTeams"),
    ("my-locations", "myLocations"),
    ("role-scope", "roleScope"),
];

/// One configured duty, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    pub name: String,
    pub role: String,
    pub teams: Vec<String>,
    pub locations: Vec<String>,
    pub flags: Vec<&'static str>,
}

/// Parses the `duties` list; a bad entry is refused naming it.
pub fn parse(entries: &[String]) -> Result<Vec<Duty>, ConnectorError> {
    let mut out: Vec<Duty> = Vec::new();
    for entry in entries {
        let bad = |why: &str| ConnectorError::invalid("duties", format!("`{entry}`: {why}"));
        let parts: Vec<&str> = entry.split('|').map(str::trim).collect();
        let [name, role, scope] = parts.as_slice() else {
            return Err(bad("expected NAME | ROLE | SCOPE, SCOPE…"));
        };
        if name.is_empty() || role.is_empty() {
            return Err(bad("the name and the role may not be empty"));
        }
        if out.iter().any(|d| d.name == *name) {
            return Err(bad("a second duty with this name"));
        }
        let mut duty = Duty {
            name: (*name).into(),
            role: (*role).into(),
            teams: Vec::new(),
            locations: Vec::new(),
            flags: Vec::new(),
        };
        for item in scope.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            if let Some(team) = item.strip_prefix("team:") {
                duty.teams.push(team.trim().into());
            } else if let Some(location) = item.strip_prefix("location:") {
                duty.locations.push(location.trim().into());
            } else if let Some((_, field)) = FLAGS.iter().find(|(word, _)| *word == item) {
                duty.flags.push(field);
            } else {
                return Err(bad(&format!("`{item}` is not a scope item")));
            }
        }
        if duty.teams.is_empty() && duty.locations.is_empty() && duty.flags.is_empty() {
            return Err(bad(
                "a duty needs a scope: without one the role reaches nobody",
            ));
        }
        out.push(duty);
    }
    Ok(out)
}

/// Role uuids by name, and team and location ids by identification number, as ONS has them.
#[derive(Default)]
pub struct Catalogue {
    pub roles: Vec<(String, String)>,
    pub teams: Vec<(i64, String)>,
    pub locations: Vec<(i64, String)>,
}

impl Catalogue {
    /// The roles open to integrations, the teams and the locations, as ONS lists them.
    pub fn read(api: &Api<'_>) -> Result<Self, ConnectorError> {
        let roles = api.get("v0/authorization/provisioning/roles")?;
        let teams = api.get("v0/administration/teams")?;
        let locations = api.get("v0/administration/locations")?;
        Ok(Self {
            roles: named(&roles, "roles", "uuid", "name")
                .into_iter()
                .filter_map(|(k, n)| Some((k.as_str()?.to_owned(), n)))
                .collect(),
            teams: numbered(&teams, "teams"),
            locations: numbered(&locations, "locations"),
        })
    }
}

/// `(key, name)` of the entries of `list` in `{"<list>": [{…}]}`.
fn named(answer: &Value, list: &str, key: &str, name: &str) -> Vec<(Value, String)> {
    answer
        .get(list)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e.get(key)?.clone(), e.get(name)?.as_str()?.to_owned())))
        .collect()
}

/// Teams or locations: numeric id and identification number.
fn numbered(answer: &Value, list: &str) -> Vec<(i64, String)> {
    named(answer, list, "id", "identificationNo")
        .into_iter()
        .filter_map(|(id, no)| Some((id.as_i64()?, no)))
        .collect()
}

impl Duty {
    /// The duty as ONS takes it; names ONS does not know are refused naming this duty.
    pub fn to_ons(&self, c: &Catalogue) -> Result<Value, ConnectorError> {
        let bad = |what: &str, name: &str| {
            ConnectorError::invalid(
                "duties",
                format!(
                    "duty `{}`: ONS offers no {what} `{name}` to integrations",
                    self.name
                ),
            )
        };
        let role = c
            .roles
            .iter()
            .find(|(_, n)| *n == self.role)
            .ok_or_else(|| bad("role", &self.role))?;
        let ids = |names: &[String],
                   known: &[(i64, String)],
                   what: &str|
         -> Result<Vec<i64>, ConnectorError> {
            names
                .iter()
                .map(|n| {
                    known
                        .iter()
                        .find(|(_, no)| no == n)
                        .map(|(id, _)| *id)
                        .ok_or_else(|| bad(what, n))
                })
                .collect()
        };
        let mut duty = Map::new();
        duty.insert("roleUuid".into(), json!(role.0));
        duty.insert("teamIds".into(), json!(ids(&self.teams, &c.teams, "team")?));
        duty.insert(
            "locationIds".into(),
            json!(ids(&self.locations, &c.locations, "location")?),
        );
        for (_, field) in FLAGS {
            duty.insert((*field).into(), json!(self.flags.contains(field)));
        }
        Ok(Value::Object(duty))
    }

    /// The scope, for the catalogue: `team:IC, all-clients`.
    pub fn scope(&self) -> String {
        let teams = self.teams.iter().map(|t| format!("team:{t}"));
        let locations = self.locations.iter().map(|l| format!("location:{l}"));
        let flags = FLAGS
            .iter()
            .filter(|(_, f)| self.flags.contains(f))
            .map(|(w, _)| (*w).to_owned());
        teams
            .chain(locations)
            .chain(flags)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn duties_parse_with_their_scope_and_bad_ones_are_named() {
        let d = parse(&entries(&[
            "Wijk IC | Wijkverpleegkundige | team:IC-01, location:L1, clients-on-my-roster",
        ]))
        .expect("parsed");
        assert_eq!(d[0].teams, ["IC-01"]);
        assert_eq!(d[0].flags, ["myRoster"]);
        assert_eq!(
            d[0].scope(),
            "team:IC-01, location:L1, clients-on-my-roster"
        );
        for bad in [
            "Only a name",
            "X | Role | nobody",
            "X | Role | ",
            "X | | myself",
        ] {
            let err = parse(&entries(&[bad])).expect_err(bad);
            assert!(
                matches!(&err, ConnectorError::Invalid(f) if f.field == "duties" && f.message.contains(bad.trim())),
                "{err:?}"
            );
        }
        assert!(
            parse(&entries(&["A | R | myself", "A | R | myself"])).is_err(),
            "names are unique"
        );
    }

    #[test]
    fn a_duty_becomes_ids_and_flags_or_names_what_ons_lacks() {
        let d = parse(&entries(&["W | Verpleegkundige | team:IC, all-clients"]))
            .expect("parsed")
            .remove(0);
        let c = Catalogue {
            roles: vec![("r-1".into(), "Verpleegkundige".into())],
            teams: vec![(7, "IC".into())],
            locations: vec![],
        };
        let ons = d.to_ons(&c).expect("resolved");
        assert_eq!(
            (
                ons["roleUuid"].clone(),
                ons["teamIds"].clone(),
                ons["allClients"].clone()
            ),
            (json!("r-1"), json!([7]), json!(true))
        );
        assert_eq!(ons["myRoster"], json!(false));
        let empty = Catalogue::default();
        assert!(
            matches!(d.to_ons(&empty), Err(ConnectorError::Invalid(f)) if f.message.contains("role `Verpleegkundige`"))
        );
    }
}
