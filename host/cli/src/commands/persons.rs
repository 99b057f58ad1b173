//! `tessera persons` and `tessera person show`: what the sources put in the store, without
//! opening `tessera.db`.

use std::path::Path;

use anyhow::{Result, bail};
use serde_json::{Value, json};
use tessera_config::Settings;
use tessera_domain::Person;
use tessera_engine::soll::display_name as name;
use tessera_store::SqliteStore;
use tessera_store::prelude::*;

use super::loaders::{settings, store};
use super::table::Table;
use crate::args::PersonCommand;

/// The attribute the import gives a person no source lists any more.
const LEFT: &str = tessera_engine::import::LEFT_SOURCES_ON;

pub fn list(config: &Path, search: Option<&str>, json: bool) -> Result<()> {
    let store = store(&settings(config)?)?;
    let needle = search.map(str::to_lowercase);
    let mut found = Vec::new();
    store.for_each_person(&mut |p| {
        if needle.as_deref().is_none_or(|n| matches(&p, n)) {
            found.push(p);
        }
        Ok(())
    })?;
    if json {
        let rows: Vec<Value> = found.iter().map(summary).collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let mut table = Table::new(&["ID", "NAME", "E-MAIL", "CONTRACTS", "LEFT SOURCES"]);
    for p in &found {
        table.row(vec![
            p.id.clone(),
            name(p),
            p.email.clone().unwrap_or_default(),
            p.contracts.len().to_string(),
            left(p).unwrap_or_default(),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

fn matches(p: &Person, needle: &str) -> bool {
    [
        p.id.as_str(),
        &name(p),
        p.email.as_deref().unwrap_or_default(),
    ]
    .iter()
    .any(|t| t.to_lowercase().contains(needle))
}

fn left(p: &Person) -> Option<String> {
    p.attributes
        .iter()
        .find(|a| a.name == LEFT)
        .map(|a| a.value.clone())
}

fn summary(p: &Person) -> Value {
    json!({
        "id": p.id,
        "name": name(p),
        "email": p.email,
        "contracts": p.contracts.len(),
        "left_sources_on": left(p),
    })
}

pub fn show(config: &Path, command: PersonCommand) -> Result<()> {
    let PersonCommand::Show { id, json } = command;
    let settings = settings(config)?;
    let store = store(&settings)?;
    let Some(person) = store.person(&id)? else {
        bail!("no person `{id}` in the store; `tessera persons --search …` finds one");
    };
    let shown = details(&settings, &store, person)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&shown)?);
    } else {
        print_text(&shown);
    }
    Ok(())
}

/// The person, their sources' records, history, and accounts with memberships per system.
fn details(settings: &Settings, store: &SqliteStore, person: Person) -> Result<Value> {
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    let sources: Vec<Value> = store
        .records_of_person(&person.id)?
        .iter()
        .map(|r| json!({"source": r.source, "external_id": r.external_id, "data": parse(&r.data)}))
        .collect();
    let history: Vec<Value> = store
        .person_history(&person.id)?
        .iter()
        .map(|(run, h)| {
            let side = |t: &Option<String>| t.as_deref().map_or(Value::Null, parse);
            json!({"run": run, "change": h.change, "before": side(&h.before), "after": side(&h.after)})
        })
        .collect();
    let mut accounts = Vec::new();
    for system in settings.systems.keys() {
        for s in store.shadows_of(system, &person.id)? {
            let memberships: Vec<String> = store
                .memberships_of(system, &s.key)?
                .iter()
                .map(|m| format!("{}/{}", m.entitlement.kind, m.entitlement.key))
                .collect();
            accounts.push(json!({
                "system": system, "key": s.key, "username": s.username,
                "enabled": s.enabled, "entitlements": memberships,
            }));
        }
    }
    Ok(json!({
        "person": person, "sources": sources, "history": history, "accounts": accounts,
    }))
}

fn print_text(v: &Value) {
    let p = &v["person"];
    println!(
        "{} {} ({})",
        p["name"]["given"].as_str().unwrap_or_default(),
        p["name"]["family"].as_str().unwrap_or_default(),
        p["id"].as_str().unwrap_or_default()
    );
    println!("contracts");
    for c in p["contracts"].as_array().into_iter().flatten() {
        println!(
            "  {}  {} – {}  {}",
            c["id"].as_str().unwrap_or_default(),
            c["start"].as_str().unwrap_or("-"),
            c["end"].as_str().unwrap_or("-"),
            c["department"]["name"].as_str().unwrap_or_default()
        );
    }
    println!("sources");
    for s in v["sources"].as_array().into_iter().flatten() {
        println!(
            "  {}  {}",
            s["source"].as_str().unwrap_or_default(),
            s["external_id"].as_str().unwrap_or_default()
        );
    }
    println!("history");
    for h in v["history"].as_array().into_iter().flatten() {
        println!(
            "  import run {}: {}",
            h["run"],
            h["change"].as_str().unwrap_or_default()
        );
    }
    println!("accounts");
    for a in v["accounts"].as_array().into_iter().flatten() {
        let state = if a["enabled"] == true {
            "enabled"
        } else {
            "disabled"
        };
        println!(
            "  {}  {} ({})  {state}",
            a["system"].as_str().unwrap_or_default(),
            a["username"].as_str().unwrap_or_default(),
            a["key"].as_str().unwrap_or_default()
        );
        for e in a["entitlements"].as_array().into_iter().flatten() {
            println!("    {}", e.as_str().unwrap_or_default());
        }
    }
}
