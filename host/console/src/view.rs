//! What every page shares: the layout's data, notices after a decision, rendering.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Html;

use crate::auth::User;
use crate::error::Result;
use crate::role::{Action, Role};

/// One entry of the main navigation.
pub(crate) struct Link {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The layout's data: who is logged in, where they are, what just happened.
pub(crate) struct Page {
    pub title: String,
    pub user: String,
    pub role: &'static str,
    pub csrf: String,
    pub links: Vec<Link>,
    pub notice: Option<&'static str>,
}

const LINKS: [(&str, &str); 10] = [
    ("/", "Dashboard"),
    ("/runs", "Runs"),
    ("/plan", "Next plan"),
    ("/deviations", "Deviations"),
    ("/approvals", "Approvals"),
    ("/grants", "Manual grants"),
    ("/persons", "Persons"),
    ("/audit", "Audit"),
    ("/plugins", "Plugins"),
    ("/users", "Users"),
];

impl Page {
    /// The layout for `user` on the page at `href`, with the notice `done` names.
    pub(crate) fn new(
        user: &User,
        href: &str,
        title: impl Into<String>,
        done: Option<&str>,
    ) -> Self {
        let links = LINKS
            .iter()
            .filter(|(h, _)| *h != "/users" || user.role.may(Action::ManageUsers))
            .map(|(h, label)| Link {
                href: h,
                label,
                current: *h == href,
            })
            .collect();
        Self {
            title: title.into(),
            user: user.name.clone(),
            role: user.role.as_str(),
            csrf: user.csrf.clone(),
            links,
            notice: done.and_then(notice),
        }
    }

    /// Whether the user may do `action`: pages leave out forms the role cannot use.
    pub(crate) fn may(&self, action: Action) -> bool {
        Role::parse(self.role).is_some_and(|r| r.may(action))
    }
}

/// The notice for a `?done=` code. Fixed texts: a crafted link cannot put words on the page.
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "approved" => "Approved: the next sync of the system carries the actions out.",
        "rejected" => "Rejected: the actions stay held; a later plan asks again if it must.",
        "revoke" => "Decided: the next sync revokes the right.",
        "exclude" => "Decided: the right is left alone until the exclusion ends.",
        "adopt" => "Adopted: the right is kept as a manual grant.",
        "granted" => "Granted: the next sync gives the right.",
        "requested" => "Requested: the grant holds once a second operator approves it.",
        "grant-approved" => "Approved: the next sync gives the right.",
        "withdrawn" => "Withdrawn: the next sync revokes what the grant alone gave.",
        "user-added" => "User added.",
        "user-removed" => "User removed; their sessions have ended.",
        _ => return None,
    })
}

/// Renders a template into a page.
pub(crate) fn render(template: &impl Template) -> Result<Html<String>> {
    Ok(Html(template.render()?))
}

#[derive(Template)]
#[template(path = "problem.html")]
struct Problem<'a> {
    status: String,
    message: &'a str,
}

/// The page for a refusal or failure.
pub(crate) fn problem(status: StatusCode, message: &str) -> String {
    let page = Problem {
        status: status.to_string(),
        message,
    };
    page.render()
        .unwrap_or_else(|_| format!("{status}: the page could not be rendered"))
}

/// A time as the console shows it: UTC to the second.
pub(crate) fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}
