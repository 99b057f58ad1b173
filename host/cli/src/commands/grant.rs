//! `tessera grant`, `tessera grant revoke ID` and `tessera grants`: manual grants, each with a
//! reason and an author, each audited.

use super::Day;
use std::path::Path;
use tessera_config::Settings;

use anyhow::{Result, bail};
use tessera_engine::decisions;
use tessera_store::{ManualGrant, ManualGrants, NewGrant, Persons};
use tessera_sync::Clock;

use super::exit::ConfigError;
use super::loaders::{actor, model_for, settings, store};
use super::table::Table;
use crate::args::{GrantArgs, GrantCommand};

pub fn run(config: &Path, day: Day, args: GrantArgs) -> Result<()> {
    let settings = settings(config)?;
    let clock = day.clock(&settings);
    if let Some(GrantCommand::Revoke { id, by }) = args.command {
        return revoke(&settings, clock, id, by.as_deref());
    }
    let (Some(person), Some(system), Some(entitlement), Some(reason)) =
        (args.person, args.system, args.entitlement, args.reason)
    else {
        bail!(ConfigError(
            "a grant needs --person, --system, --entitlement and --reason".to_owned()
        ));
    };
    let author = actor(args.by.as_deref())?;
    if args.until.is_some_and(|u| u < clock.today) {
        bail!(ConfigError(format!(
            "--until lies before today ({})",
            clock.today
        )));
    }
    let model = model_for(&settings, &system)?;
    let store = store(&settings)?;
    if store.person(&person)?.is_none() {
        bail!("no person `{person}` in the store");
    }
    let until = until(&model, &system, args.until, clock.today)?;
    let grant = NewGrant {
        person,
        system,
        entitlement,
        reason,
        author,
        until: Some(until),
        needs_approval: false,
    };
    let id = decisions::add_grant(&store, &grant, clock.now)?;
    println!(
        "manual grant #{id}: {} gets {}/{} in {}{}; the next sync carries it out",
        grant.person,
        grant.entitlement.kind,
        grant.entitlement.key,
        grant.system,
        grant.until.map_or(String::new(), |u| format!(" until {u}")),
    );
    Ok(())
}

fn revoke(settings: &Settings, clock: Clock, id: i64, by: Option<&str>) -> Result<()> {
    let by = actor(by)?;
    let store = store(settings)?;
    let g = decisions::revoke_grant(&store, id, &by, clock.now)?;
    println!(
        "manual grant #{id} withdrawn: {} no longer gets {}/{} in {} from it",
        g.person, g.entitlement.kind, g.entitlement.key, g.system
    );
    Ok(())
}

pub fn list(config: &Path, day: Day, all: bool, json: bool) -> Result<()> {
    let settings = settings(config)?;
    let clock = day.clock(&settings);
    let store = store(&settings)?;
    let listed: Vec<ManualGrant> = store
        .grants(all)?
        .into_iter()
        .filter(|g| all || g.holds_on(clock.today))
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&listed)?);
        return Ok(());
    }
    let mut table = Table::new(&[
        "ID",
        "PERSON",
        "SYSTEM",
        "ENTITLEMENT",
        "UNTIL",
        "STATUS",
        "BY",
        "REASON",
    ]);
    for g in &listed {
        table.row(vec![
            format!("#{}", g.id),
            g.person.clone(),
            g.system.clone(),
            format!("{}/{}", g.entitlement.kind, g.entitlement.key),
            g.until.map_or("-".to_owned(), |u| u.to_string()),
            status(g, clock).to_owned(),
            g.author.clone(),
            g.reason.clone(),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

fn status(g: &ManualGrant, clock: Clock) -> &'static str {
    match (g.revoked_at, g.holds_on(clock.today)) {
        (Some(_), _) => "withdrawn",
        (None, true) => "active",
        (None, false) => "expired",
    }
}

/// The grant's last day: as asked, or the system's `max_grant_days` from today, never later.
pub(super) fn until(
    model: &tessera_engine::model::RoleModel,
    system: &str,
    asked: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate> {
    let max = model.max_grant_days(system);
    let latest = tessera_engine::contract::shift(today, max);
    match asked {
        Some(u) if u > latest => bail!(ConfigError(format!(
            "--until {u} lies past the longest a manual grant in `{system}` may hold: {max} days \
             (max_grant_days), so {latest} at the latest"
        ))),
        Some(u) => Ok(u),
        None => Ok(latest),
    }
}
