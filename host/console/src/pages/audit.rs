//! The audit trail: search by person, system, actor and period; verify the chain; export
//! what a search finds as CSV or JSON.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use tessera_store::{AuditEntry, AuditFilter, audit_csv};

use super::App;
use crate::auth::User;
use crate::error::{Error, Result};
use crate::view::{Page, render, time};

/// Entries shown per search.
const SHOWN: usize = 500;
/// Entries one export holds at most.
const EXPORTED: usize = 1_000_000;

#[derive(Debug, Default, Deserialize, Clone)]
pub(crate) struct Search {
    person: Option<String>,
    system: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

impl Search {
    fn filter(&self, limit: usize) -> Result<AuditFilter> {
        let text = |f: &Option<String>| f.clone().filter(|s| !s.trim().is_empty());
        let day = |f: &Option<String>, what: &str| -> Result<Option<DateTime<Utc>>> {
            text(f)
                .map(|d| {
                    d.parse::<NaiveDate>()
                        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
                        .map_err(|_| Error::BadRequest(format!("{what}: `{d}` is not a day")))
                })
                .transpose()
        };
        Ok(AuditFilter {
            person: text(&self.person),
            system: text(&self.system),
            actor: text(&self.actor),
            from: day(&self.from, "from")?,
            // `to` is the last day searched, so the search ends the day after.
            to: day(&self.to, "to")?.map(|t| t + chrono::Duration::days(1)),
            limit,
        })
    }

    fn query(&self) -> String {
        let pairs = [
            ("person", &self.person),
            ("system", &self.system),
            ("actor", &self.actor),
            ("from", &self.from),
            ("to", &self.to),
        ];
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            if let Some(v) = v {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }
}

struct Row {
    seq: i64,
    at: String,
    action: String,
    system: String,
    person: String,
    actor: String,
    outcome: String,
    why: String,
    failed: bool,
}

fn row(e: AuditEntry) -> Row {
    let r = e.record;
    Row {
        seq: e.seq,
        at: time(r.at),
        failed: !(r.outcome == "ok" || r.outcome.starts_with("requested")),
        action: r.action,
        system: r.system.unwrap_or_default(),
        person: r.person.unwrap_or_default(),
        actor: r.actor.unwrap_or_default(),
        outcome: r.outcome,
        why: r.why.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    search: Search,
    rows: Vec<Row>,
    full: bool,
    query: String,
    verdict: Option<String>,
}

impl AuditPage {
    fn value<'a>(&self, field: &'a Option<String>) -> &'a str {
        field.as_deref().unwrap_or_default()
    }
}

pub(crate) async fn search(
    State(app): State<Arc<App>>,
    user: User,
    Query(search): Query<Search>,
) -> Result<Html<String>> {
    page(app, user, search, None).await
}

async fn page(
    app: Arc<App>,
    user: User,
    search: Search,
    verdict: Option<String>,
) -> Result<Html<String>> {
    let filter = search.filter(SHOWN)?;
    let entries = app
        .blocking(move |store, _| Ok(store.search_audit(&filter)?))
        .await?;
    render(&AuditPage {
        page: Page::new(&user, "/audit", "Audit trail", None),
        full: entries.len() == SHOWN,
        rows: entries.into_iter().map(row).collect(),
        query: search.query(),
        search,
        verdict,
    })
}

/// Walks the whole chain and says whether it holds.
pub(crate) async fn verify(
    State(app): State<Arc<App>>,
    user: User,
    Query(search): Query<Search>,
) -> Result<Html<String>> {
    let checked = app.blocking(|store, _| Ok(store.verify_audit()?)).await?;
    let verdict = match checked {
        Ok(n) => format!("The chain holds: {n} entries, each linked to the one before."),
        Err(b) => format!("The chain is broken at entry #{}: {}", b.seq, b.reason),
    };
    page(app, user, search, Some(verdict)).await
}

/// What a search finds, as a file.
pub(crate) async fn export(
    State(app): State<Arc<App>>,
    _user: User,
    Query(search): Query<Search>,
) -> Result<Response> {
    let filter = search.filter(EXPORTED)?;
    let csv = search.format.as_deref() == Some("csv");
    let mut entries = app
        .blocking(move |store, _| Ok(store.search_audit(&filter)?))
        .await?;
    entries.reverse();
    let (body, kind, file) = match csv {
        true => (audit_csv(&entries), "text/csv; charset=utf-8", "audit.csv"),
        false => (
            serde_json::to_string_pretty(&entries).map_err(|e| Error::BadRequest(e.to_string()))?,
            "application/json",
            "audit.json",
        ),
    };
    let disposition = format!("attachment; filename=\"{file}\"");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
