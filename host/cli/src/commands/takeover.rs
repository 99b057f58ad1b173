//! `tessera adopt` and `tessera takeover report|withdraw`: taking over a system Tessera did not
//! build. Its accounts' rights are first adopted as manual grants, so nothing is lost while the
//! role model is written; once a rule gives a right too, the grant is withdrawn and the rule
//! alone answers for it.

use super::Day;
use std::collections::HashSet;
use std::path::Path;

use anyhow::{Result, bail};
use tessera_domain::EntitlementRef;
use tessera_engine::plan::{Deviation, newest_deviations};
use tessera_engine::{decisions, takeover};
use tessera_store::ManualGrants;

use super::exit::ConfigError;
use super::grant::until;
use super::loaders::{actor, model_for, settings, store};
use super::table::Table;
use crate::args::AdoptArgs;

pub fn adopt(config: &Path, day: Day, args: AdoptArgs) -> Result<()> {
    let by = actor(args.by.as_deref())?;
    let settings = settings(config)?;
    let clock = day.clock(&settings);
    let model = model_for(&settings, &args.system)?;
    let store = store(&settings)?;
    let Some(listed) = newest_deviations(&store, &args.system)? else {
        bail!(
            "{} has had no full run yet; `tessera sync --full` lists its deviations",
            args.system
        );
    };
    // What grants keep already (adopted before the next full run listed it again), indexed
    // once: `--all` over tens of thousands of deviations looks each up.
    let held: HashSet<(String, String, EntitlementRef)> = store
        .grants(false)?
        .into_iter()
        .filter(|g| g.holds_on(clock.today))
        .map(|g| (g.system, g.person, g.entitlement))
        .collect();
    let already = |d: &Deviation| {
        d.person
            .as_ref()
            .is_some_and(|p| held.contains(&(d.system.clone(), p.clone(), d.entitlement.clone())))
    };
    let chosen: Vec<&Deviation> = listed
        .deviations
        .iter()
        .filter(|d| wanted(d, &args) && !already(d))
        .collect();
    let (owned, unowned): (Vec<&Deviation>, Vec<&Deviation>) =
        chosen.into_iter().partition(|d| d.person.is_some());
    if owned.is_empty() {
        bail!(ConfigError(format!(
            "no deviation on {} to adopt (as listed by the full run of {}; {} matching belong \
             to nobody Tessera knows, and adopted ones are not listed again)",
            args.system,
            listed.at,
            unowned.len()
        )));
    }
    let until = until(&model, &args.system, args.until, clock.today)?;
    store.atomically(|| {
        for d in &owned {
            decisions::adopt_deviation(&store, d, &args.reason, &by, Some(until), clock.now)?;
        }
        Ok::<_, tessera_engine::Error>(())
    })?;
    println!(
        "{} deviations on {} adopted as manual grants until {until}",
        owned.len(),
        args.system
    );
    if !unowned.is_empty() {
        eprintln!(
            "{} deviations left alone: their accounts belong to nobody Tessera knows",
            unowned.len()
        );
    }
    Ok(())
}

/// Whether the arguments pick this deviation.
fn wanted(d: &Deviation, args: &AdoptArgs) -> bool {
    let account = args.account.as_ref().is_none_or(|a| *a == d.account);
    let entitlement = args
        .entitlement
        .as_ref()
        .is_none_or(|e| *e == d.entitlement);
    let person = args
        .person
        .as_ref()
        .is_none_or(|p| d.person.as_ref() == Some(p));
    account && entitlement && person
}

pub fn report(config: &Path, day: Day, system: &str, json: bool) -> Result<()> {
    let settings = settings(config)?;
    let clock = day.clock(&settings);
    let model = model_for(&settings, system)?;
    let store = store(&settings)?;
    let found = takeover::covered(&store, &model, system, clock.today)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(());
    }
    let mut table = Table::new(&[
        "PERSON",
        "GRANT",
        "ENTITLEMENT",
        "GRANT UNTIL",
        "RULES",
        "RULES UNTIL",
    ]);
    for c in &found {
        let g = &c.grant;
        table.row(vec![
            g.person.clone(),
            format!("#{}", g.id),
            format!("{}/{}", g.entitlement.kind, g.entitlement.key),
            g.until.map_or("-".to_owned(), |u| u.to_string()),
            c.rules.join(", "),
            c.rules_until.map_or("open".to_owned(), |u| u.to_string()),
        ]);
    }
    print!("{}", table.render());
    eprintln!(
        "{} manual grants on {system} are given by a rule too; `tessera takeover withdraw \
         --system {system} --reason …` withdraws them",
        found.len()
    );
    Ok(())
}

pub fn withdraw(
    config: &Path,
    day: Day,
    system: &str,
    reason: &str,
    by: Option<&str>,
) -> Result<()> {
    let by = actor(by)?;
    if reason.trim().is_empty() {
        bail!(ConfigError("--reason must say why".to_owned()));
    }
    let settings = settings(config)?;
    let clock = day.clock(&settings);
    let model = model_for(&settings, system)?;
    let store = store(&settings)?;
    let done = takeover::withdraw(&store, &model, system, (reason, &by), clock.now)?;
    println!(
        "{} manual grants on {system} withdrawn; their rules keep giving those rights",
        done.len()
    );
    Ok(())
}
