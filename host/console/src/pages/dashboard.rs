//! Every system at a glance: its last run, health, held actions and open deviations.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use tessera_store::BlockedStatus;

use super::App;
use crate::auth::User;
use crate::deviations::Decided;
use crate::error::Result;
use crate::view::{Page, render, time};

struct Row {
    name: String,
    kind: String,
    plugin: String,
    last_run: String,
    health: &'static str,
    health_class: &'static str,
    notes: String,
    waiting: usize,
    deviations: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    page: Page,
    rows: Vec<Row>,
    waiting: usize,
    open: usize,
}

pub(crate) async fn page(State(app): State<Arc<App>>, user: User) -> Result<Html<String>> {
    let page = Page::new(&user, "/", "Dashboard", None);
    let (rows, waiting, open) = app.blocking(rows).await?;
    render(&Dashboard {
        page,
        rows,
        waiting,
        open,
    })
}

fn rows(store: &dyn tessera_store::Store, app: &App) -> Result<(Vec<Row>, usize, usize)> {
    let today = app.today();
    let blocked = store.blocked_actions(None, BlockedStatus::Blocked)?;
    let decided = Decided::load(store, today)?;
    let (mut rows, mut open_total) = (Vec::new(), 0);
    for system in &app.systems {
        let last = store.recent_runs(Some(&system.name), 1)?.into_iter().next();
        let (health, health_class) = match last.as_ref().map(|r| r.status.as_str()) {
            None => ("never run", "state-waiting"),
            Some("ok") => ("ok", "state-ok"),
            Some("blocked") => ("blocked by a threshold", "state-waiting"),
            Some(_) => ("failed", "state-failed"),
        };
        let deviations = match (
            system.kind.as_str(),
            app.deviations.of(store, &system.name)?,
        ) {
            ("target", Some(found)) => {
                let open = found
                    .deviations
                    .iter()
                    .filter(|d| decided.standing(d).is_open())
                    .count();
                open_total += open;
                format!("{open} open of {}", found.deviations.len())
            }
            ("target", None) => "no full run yet".to_owned(),
            _ => "—".to_owned(),
        };
        rows.push(Row {
            name: system.name.clone(),
            kind: system.kind.clone(),
            plugin: system.plugin.clone(),
            last_run: last.as_ref().map_or("—".to_owned(), |r| {
                format!("{} ({})", time(r.finished_at), r.mode)
            }),
            health,
            health_class,
            notes: last.map(|r| r.notes.join("; ")).unwrap_or_default(),
            waiting: blocked.iter().filter(|b| b.system == system.name).count(),
            deviations,
        });
    }
    Ok((rows, blocked.len(), open_total))
}
