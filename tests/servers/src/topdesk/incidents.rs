//! Incidents: `POST /tas/api/incidents` and `GET /tas/api/incidents/id/{id}`, as a follow-up
//! ticket uses them, with the checks TOPdesk makes: a caller (a known person by
//! `callerLookup`, or an unregistered one by `caller.dynamicName`), at most 80 characters of
//! `briefDescription`, a known `status` line. Numbers run `I YYMM NNN` per month.

use chrono::{Datelike, Utc};
use serde_json::{Map, Value, json};

use super::data::{Data, TdError, dynamic_name};

/// TOPdesk's limit on `briefDescription`.
const BRIEF: usize = 80;

/// Opens an incident; the answer is the incident as `GET` shows it.
pub fn create(d: &mut Data, body: &Map<String, Value>) -> Result<Map<String, Value>, TdError> {
    let text = |field: &str| body.get(field).and_then(Value::as_str).unwrap_or_default();
    let brief = text("briefDescription");
    if brief.chars().count() > BRIEF {
        return Err(TdError::bad_request(format!(
            "briefDescription: the value is too long; the maximum length is {BRIEF}."
        )));
    }
    let status = match text("status") {
        "" => "firstLine",
        s @ ("firstLine" | "secondLine" | "partial") => s,
        other => return Err(TdError::bad_request(format!("Unknown status '{other}'."))),
    };
    let caller = caller(d, body)?;
    let now = Utc::now();
    d.incident_count += 1;
    let number = format!(
        "I {:02}{:02} {:03}",
        now.year() % 100,
        now.month(),
        d.incident_count
    );
    let incident = json!({
        "id": d.new_id(),
        "number": number,
        "status": status,
        "briefDescription": brief,
        "request": text("request"),
        "caller": caller,
        "callDate": now.to_rfc3339(),
        "processingStatus": { "id": "logged", "name": "Logged" },
        "completed": false,
        "completedDate": null,
        "closed": false,
        "closedDate": null,
    });
    let Value::Object(incident) = incident else {
        unreachable!("a JSON object literal")
    };
    d.incidents.push(incident.clone());
    Ok(incident)
}

/// The caller: a known person, or an unregistered one by name.
fn caller(d: &Data, body: &Map<String, Value>) -> Result<Value, TdError> {
    let lookup = body.get("callerLookup").and_then(|c| c.get("id"));
    if let Some(id) = lookup.and_then(Value::as_str) {
        let p = d.find("id", id).ok_or_else(|| {
            TdError::bad_request(format!("callerLookup: no person with id '{id}'."))
        })?;
        return Ok(json!({ "id": id, "dynamicName": dynamic_name(p) }));
    }
    let name = body
        .get("caller")
        .and_then(|c| c.get("dynamicName"))
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty());
    match name {
        Some(n) => Ok(json!({ "id": null, "dynamicName": n })),
        None => Err(TdError::bad_request(
            "A caller is mandatory: give callerLookup or caller.dynamicName.",
        )),
    }
}

/// The incident with this id.
pub fn get(d: &Data, id: &str) -> Result<Map<String, Value>, TdError> {
    d.incidents
        .iter()
        .find(|i| i.get("id").and_then(Value::as_str) == Some(id))
        .cloned()
        .ok_or_else(|| TdError::not_found("incident", id))
}

/// An operator completes (and, with `close`, closes) the incident numbered `number`;
/// `false` when there is none.
pub fn finish(d: &mut Data, number: &str, close: bool) -> bool {
    let found = d
        .incidents
        .iter_mut()
        .find(|i| i.get("number").and_then(Value::as_str) == Some(number));
    let Some(incident) = found else {
        return false;
    };
    let now = json!(Utc::now().to_rfc3339());
    incident.insert("completed".into(), json!(true));
    incident.insert("completedDate".into(), now.clone());
    incident.insert(
        "processingStatus".into(),
        json!({ "id": "completed", "name": "Completed" }),
    );
    if close {
        incident.insert("closed".into(), json!(true));
        incident.insert("closedDate".into(), now);
    }
    true
}
