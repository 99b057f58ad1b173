//! A mock of the system {{name}} keeps accounts in, for `tessera plugin test`: the API the
//! plugin speaks, held in memory, on loopback, seeded with `mock.json`. Accounts come in pages
//! of two, so the contract's listing crosses pages.
//!
//! `cargo run --example far_system [ADDRESS]` (default 127.0.0.1:8089).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tiny_http::{Header, Method, Request, Response, Server};

const PAGE: usize = 2;

struct System {
    /// By id.
    accounts: BTreeMap<String, Value>,
    groups: Vec<Value>,
    created: u64,
}

fn main() {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8089".into());
    let server = Server::http(&address).unwrap_or_else(|e| panic!("listening on {address}: {e}"));
    println!("listening on http://{}", server.server_addr());
    let mut system = System::seeded();
    for mut request in server.incoming_requests() {
        let (status, body) = system.answer(&mut request);
        let json = Header::from_bytes("content-type", "application/json").expect("a header");
        let response = Response::from_string(body.map_or(String::new(), |b| b.to_string()))
            .with_status_code(status)
            .with_header(json);
        let _ = request.respond(response);
    }
}

impl System {
    fn seeded() -> Self {
        let seed: Value = serde_json::from_str(include_str!("../mock.json")).expect("mock.json");
        let accounts = seed["accounts"].as_array().cloned().unwrap_or_default();
        Self {
            accounts: accounts.into_iter().map(|a| (a["id"].as_str().unwrap_or_default().to_owned(), a)).collect(),
            groups: vec![json!({ "id": "g-ic", "name": "Intensive Care" }), json!({ "id": "g-all", "name": "Everyone" })],
            created: 100,
        }
    }

    fn answer(&mut self, request: &mut Request) -> (u16, Option<Value>) {
        let mut body = String::new();
        let _ = request.as_reader().read_to_string(&mut body);
        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let url = request.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (request.method(), parts.as_slice()) {
            (Method::Get, ["accounts"]) => self.page(query),
            (Method::Post, ["accounts"]) => self.create(body),
            (Method::Get, ["groups"]) => (200, Some(json!({ "groups": self.groups }))),
            (Method::Patch, ["accounts", id]) => self.patch(id, body),
            (Method::Delete, ["accounts", id]) => self.delete(id),
            (Method::Put, ["accounts", id, "groups", group]) => self.member(id, group, true),
            (Method::Delete, ["accounts", id, "groups", group]) => self.member(id, group, false),
            _ => error(404, "no such route"),
        }
    }

    fn page(&self, query: &str) -> (u16, Option<Value>) {
        let n: usize = query.strip_prefix("page=").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
        let all: Vec<&Value> = self.accounts.values().collect();
        let page: Vec<&Value> = all.iter().skip((n - 1) * PAGE).take(PAGE).copied().collect();
        let next = (n * PAGE < all.len()).then_some(n + 1);
        (200, Some(json!({ "accounts": page, "next": next })))
    }

    fn create(&mut self, body: Value) -> (u16, Option<Value>) {
        let Some(username) = body["username"].as_str() else {
            return error(400, "username is required");
        };
        if self.accounts.values().any(|a| a["username"] == username) {
            return error(409, "the username is taken");
        }
        self.created += 1;
        let id = format!("a-{}", self.created);
        let mut attributes = serde_json::Map::new();
        merge(&mut attributes, &body["attributes"]);
        let account = json!({ "id": id, "username": username, "active": body["active"].as_bool().unwrap_or(true), "attributes": attributes, "groups": [] });
        self.accounts.insert(id, account.clone());
        (201, Some(account))
    }

    fn patch(&mut self, id: &str, body: Value) -> (u16, Option<Value>) {
        let Some(account) = self.accounts.get_mut(id) else {
            return error(404, "no such account");
        };
        if let Some(active) = body["active"].as_bool() {
            account["active"] = Value::Bool(active);
        }
        if let Some(held) = account["attributes"].as_object_mut() {
            merge(held, &body["attributes"]);
        }
        (200, Some(account.clone()))
    }

    fn delete(&mut self, id: &str) -> (u16, Option<Value>) {
        match self.accounts.remove(id) {
            Some(_) => (204, None),
            None => error(404, "no such account"),
        }
    }

    fn member(&mut self, id: &str, group: &str, add: bool) -> (u16, Option<Value>) {
        if !self.groups.iter().any(|g| g["id"] == group) {
            return error(404, "no such group");
        }
        let Some(groups) = self.accounts.get_mut(id).and_then(|a| a["groups"].as_array_mut()) else {
            return error(404, "no such account");
        };
        groups.retain(|g| g != group);
        if add {
            groups.push(Value::from(group));
        }
        (204, None)
    }
}

/// Sets each attribute of `changes`; `null` removes it.
fn merge(held: &mut serde_json::Map<String, Value>, changes: &Value) {
    for (name, value) in changes.as_object().into_iter().flatten() {
        if value.is_null() {
            held.remove(name);
        } else {
            held.insert(name.clone(), value.clone());
        }
    }
}

fn error(status: u16, message: &str) -> (u16, Option<Value>) {
    (status, Some(json!({ "error": message })))
}
