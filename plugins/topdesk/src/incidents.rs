//! Follow-up tickets as TOPdesk incidents (`POST /tas/api/incidents`, read back by id).
//!
//! - The caller is the person's TOPdesk person (`callerLookup`), found by the account key the
//!   host passes or by `employeeNumber` (the person's source id, the correlation key); a
//!   person TOPdesk does not know yet is an unregistered caller named by the configured
//!   `incident_caller`.
//! - TOPdesk takes at most 80 characters of brief description; the subject is cut there
//!   and the whole of it leads the request text.
//! - An incident is done when TOPdesk marks it `closed` or `completed`: operators complete a
//!   training call when the training is given, and closing follows later.

use serde_json::{Map, Value, json};
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::Method;
use tessera_sdk::types::{Ticket, TicketSpec};

use crate::api::{Api, fiql};

/// TOPdesk's limit on `briefDescription`.
const BRIEF: usize = 80;

/// What the incidents are opened with, from the system's configuration.
pub struct Incidents {
    /// The unregistered caller's name when the person is not in TOPdesk.
    pub caller: String,
    /// `firstLine`, `secondLine` or `partial`.
    pub status: String,
}

impl Incidents {
    /// The body of `POST incidents`; `caller_id` is the TOPdesk person, when there is one.
    pub fn body(&self, spec: &TicketSpec, caller_id: Option<&str>) -> Value {
        let mut body = Map::new();
        body.insert("briefDescription".into(), json!(brief(&spec.subject)));
        body.insert("request".into(), json!(spec.body));
        body.insert("status".into(), json!(self.status));
        match caller_id {
            Some(id) => body.insert("callerLookup".into(), json!({ "id": id })),
            None => body.insert("caller".into(), json!({ "dynamicName": self.caller })),
        };
        Value::Object(body)
    }
}

/// The subject cut to TOPdesk's limit, on a character boundary, marked when cut.
fn brief(subject: &str) -> String {
    let line = subject.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= BRIEF {
        return line.to_owned();
    }
    let mut cut: String = line.chars().take(BRIEF - 1).collect();
    cut.push('…');
    cut
}

/// The TOPdesk person that calls: the account key when the host gives one, else the person
/// with the source id as `employeeNumber`, if exactly one.
pub fn caller(api: &Api<'_>, spec: &TicketSpec) -> Result<Option<String>, ConnectorError> {
    if let Some(key) = &spec.caller {
        return Ok(Some(key.clone()));
    }
    let Some(person) = &spec.person else {
        return Ok(None);
    };
    let query = tessera_sdk::rest::encode(&format!("employeeNumber=={}", fiql(person)));
    let found = api.page(&format!("persons?start=0&page_size=2&query={query}"))?;
    Ok(match found.items.as_slice() {
        [one] => one.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    })
}

/// Opens the incident.
pub fn open(api: &Api<'_>, body: &Value) -> Result<Ticket, ConnectorError> {
    let created = api.write(Method::Post, "incidents", body)?;
    ticket(&created).ok_or_else(|| {
        ConnectorError::OutcomeUnknown(
            "POST incidents answered without the incident's id and number".into(),
        )
    })
}

/// The incident with this id.
pub fn get(api: &Api<'_>, id: &str) -> Result<Ticket, ConnectorError> {
    let found = api
        .get_optional(&format!("incidents/id/{id}"))?
        .ok_or_else(|| ConnectorError::NotFound(format!("TOPdesk has no incident {id}")))?;
    ticket(&found).ok_or_else(|| {
        ConnectorError::Other(format!("TOPdesk's incident {id} has no id or number"))
    })
}

fn ticket(incident: &Value) -> Option<Ticket> {
    let text = |field: &str| incident.get(field).and_then(Value::as_str);
    let flag = |field: &str| incident.get(field).and_then(Value::as_bool) == Some(true);
    Some(Ticket {
        key: text("id")?.to_owned(),
        number: text("number")?.to_owned(),
        closed: flag("closed") || flag("completed"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(subject: &str) -> TicketSpec {
        TicketSpec {
            subject: subject.into(),
            body: "why".into(),
            person: Some("P1".into()),
            caller: None,
        }
    }

    #[test]
    fn a_long_subject_is_cut_to_eighty_characters() {
        let long = "HiX-training voor Anna Maria van den Berg-Ünal: login-groep Intensive Care Verpleegkunde";
        let cut = brief(long);
        assert_eq!(cut.chars().count(), 80);
        assert!(cut.ends_with('…') && long.starts_with(cut.trim_end_matches('…')));
        assert_eq!(brief("short\nsecond line"), "short");
    }

    #[test]
    fn the_caller_is_the_person_or_an_unregistered_name() {
        let incidents = Incidents {
            caller: "Tessera".into(),
            status: "firstLine".into(),
        };
        let known = incidents.body(&spec("x"), Some("p-1"));
        assert_eq!(known["callerLookup"], json!({ "id": "p-1" }));
        assert!(known.get("caller").is_none());
        let unknown = incidents.body(&spec("x"), None);
        assert_eq!(unknown["caller"], json!({ "dynamicName": "Tessera" }));
        assert_eq!(unknown["status"], "firstLine");
    }

    #[test]
    fn completed_or_closed_incidents_are_done() {
        let open =
            json!({ "id": "i1", "number": "I 2612 001", "closed": false, "completed": false });
        assert!(!ticket(&open).unwrap().closed);
        let completed =
            json!({ "id": "i1", "number": "I 2612 001", "closed": false, "completed": true });
        assert!(ticket(&completed).unwrap().closed);
        assert!(ticket(&json!({ "number": "I 2612 001" })).is_none());
    }
}
