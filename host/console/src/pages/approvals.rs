//! Actions a threshold held back: approve or reject them, one by one or together, each
//! decision with a reason.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{Html, Redirect};
use chrono::Utc;
use tessera_engine::decisions::{self, Verdict};
use tessera_store::{BlockedAction, BlockedStatus};

use super::{App, Done};
use crate::auth::User;
use crate::error::{Error, Result};
use crate::role::Action;
use crate::view::{Page, render, time};

struct Row {
    id: i64,
    system: String,
    action: String,
    person: String,
    operation: String,
    reason: String,
    decided: String,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    page: Page,
    waiting: Vec<Row>,
    approved: Vec<Row>,
    can_decide: bool,
}

fn row(b: BlockedAction) -> Row {
    let decided = match (&b.decided_by, b.decided_at) {
        (Some(by), Some(at)) => format!("by {by} at {}", time(at)),
        _ => String::new(),
    };
    Row {
        id: b.id,
        system: b.system,
        action: b.action,
        person: b.person.unwrap_or_default(),
        operation: b.op_key,
        reason: b.reason,
        decided,
    }
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    user: User,
    Query(done): Query<Done>,
) -> Result<Html<String>> {
    let page = Page::new(&user, "/approvals", "Approvals", done.done.as_deref());
    let can_decide = page.may(Action::DecideApproval);
    let (waiting, approved) = app
        .blocking(|store, _| {
            let waiting = store.blocked_actions(None, BlockedStatus::Blocked)?;
            let approved = store.blocked_actions(None, BlockedStatus::Approved)?;
            Ok((waiting, approved))
        })
        .await?;
    render(&ApprovalsPage {
        page,
        waiting: waiting.into_iter().map(row).collect(),
        approved: approved.into_iter().map(row).collect(),
        can_decide,
    })
}

/// Approves or rejects the ticked actions with one reason.
pub(crate) async fn decide(
    State(app): State<Arc<App>>,
    user: User,
    body: Bytes,
) -> Result<Redirect> {
    let fields = user.form(&body, Action::DecideApproval)?;
    let verdict = match fields.require("verdict")? {
        "approve" => Verdict::Approve,
        "reject" => Verdict::Reject,
        other => return Err(Error::BadRequest(format!("`{other}` is not a verdict"))),
    };
    let reason = fields.require("reason")?.to_owned();
    let ids = fields
        .all("id")
        .map(|id| {
            id.parse::<i64>()
                .map_err(|_| Error::BadRequest(format!("`{id}` is not an action id")))
        })
        .collect::<Result<Vec<_>>>()?;
    if ids.is_empty() {
        return Err(Error::BadRequest("tick at least one action".to_owned()));
    }
    let by = user.name.clone();
    app.blocking(move |store, _| {
        // All or none: a stale id among them leaves every action as it was.
        store.atomically(|| {
            for id in &ids {
                decisions::decide(store, *id, verdict, &by, Some(&reason), Utc::now())?;
            }
            Ok::<_, Error>(())
        })
    })
    .await?;
    let done = match verdict {
        Verdict::Approve => "approved",
        Verdict::Reject => "rejected",
    };
    Ok(Redirect::to(&format!("/approvals?done={done}")))
}
