//! A mock of the HR system {{name}} reads, for `tessera plugin test`: `GET /employees?page=N`
//! on loopback, the employees of `mock.json` one per page, so the contract's read crosses
//! pages and meets the employee without a number.
//!
//! `cargo run --example far_system [ADDRESS]` (default 127.0.0.1:8089).

use serde_json::{Value, json};
use tiny_http::{Header, Response, Server};

fn main() {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8089".into());
    let server = Server::http(&address).unwrap_or_else(|e| panic!("listening on {address}: {e}"));
    println!("listening on http://{}", server.server_addr());
    let seed: Value = serde_json::from_str(include_str!("../mock.json")).expect("mock.json");
    let employees = seed["employees"].as_array().cloned().unwrap_or_default();
    for request in server.incoming_requests() {
        let url = request.url().to_owned();
        let (status, body) = match url.split_once('?') {
            Some(("/employees", query)) => (200, page(&employees, query)),
            _ => (404, json!({ "error": "no such route" })),
        };
        let json = Header::from_bytes("content-type", "application/json").expect("a header");
        let response = Response::from_string(body.to_string()).with_status_code(status).with_header(json);
        let _ = request.respond(response);
    }
}

/// Page `n` (from 1): one employee, and the next page while there is one.
fn page(employees: &[Value], query: &str) -> Value {
    let n: usize = query.strip_prefix("page=").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let next = (n < employees.len()).then_some(n + 1);
    json!({ "employees": employees.get(n - 1).into_iter().collect::<Vec<_>>(), "next": next })
}
