//! The hospital's Entra ID tenant on the mock Graph: a cloud group per department, and users
//! for the existing workers in their department's group, as a previous tool left them.

use serde_json::json;

use super::seed::Known;
use crate::elanza::Dataset;
use crate::graph::{GraphMock, GraphOptions, Group};

/// The tenant id in the token URL.
pub const TENANT: &str = "7d1c0a5e-2f3b-4c8d-9e6f-0a1b2c3d4e5f";
/// The app registration Tessera signs in as.
pub const CLIENT_ID: &str = "a3f5c2d1-7b8e-4f60-9a1d-2c3b4e5f6a7b";
/// Its client secret; it goes into the vault as `entra-client-secret`.
pub const CLIENT_SECRET: &str = "entra-demo-Secret~3141";
/// The tenant's verified domain.
pub const DOMAIN: &str = "zkh.nl";

/// The object id of a department's group, by its place in Elanza's department list.
fn group_id(index: usize) -> String {
    format!("e0a00000-0000-4000-8000-{index:012}")
}

/// A department's cloud group: `ZKH-<code>`.
pub fn department_group(data: &Dataset, code: &str) -> Option<String> {
    data.departments
        .iter()
        .position(|d| d.code == code)
        .map(group_id)
}

/// Starts the tenant with the department groups and the existing workers' users.
pub(super) async fn start(data: &Dataset, existing: &[Known]) -> GraphMock {
    let mock = GraphMock::start(GraphOptions::new(TENANT, CLIENT_ID, CLIENT_SECRET)).await;
    mock.directory(|d| {
        for (i, dept) in data.departments.iter().enumerate() {
            let name = format!("ZKH-{}", dept.code);
            d.add_group(
                &group_id(i),
                Group {
                    display_name: name,
                    ..Group::default()
                },
            );
        }
        for k in existing {
            let Ok(user) = d.create_user(&user(k)) else {
                continue;
            };
            let id = crate::graph::text(&user, "id").to_owned();
            if let Some(group) = department_group(data, &k.department.0) {
                d.set_member(&group, &id, true);
            }
        }
    });
    mock
}

/// The user the role model would give a worker, under the name the previous tool chose.
fn user(k: &Known) -> serde_json::Map<String, serde_json::Value> {
    let body = json!({
        "accountEnabled": true,
        "userPrincipalName": format!("f{}@{DOMAIN}", k.number),
        "mailNickname": format!("f{}", k.number),
        "displayName": format!("{} {}", k.given, k.family),
        "givenName": k.given,
        "surname": k.family,
        "department": k.department.1,
        "jobTitle": k.function.1,
        "employeeId": k.number,
        "usageLocation": "NL",
        "passwordProfile": { "password": "not-kept-7Q!", "forceChangePasswordNextSignIn": true },
    });
    body.as_object().cloned().expect("a JSON object")
}
