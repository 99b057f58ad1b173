//! `tessera demo`: a small hospital on loopback test servers, synced over four simulated days.
//!
//! It builds the first-party plugins, starts the Elanza and HiX mocks and, where installed, a
//! Samba AD DC and an HSA slapd, writes a configuration and role model into a temporary
//! directory, and syncs: the take-over of existing accounts, new flex workers provisioned
//! before their first shift, a function change and a leaver. Then it shows one person's
//! preview, the deviations and the audit chain's verification.

mod setup;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{Days, NaiveDate, Utc};
use tessera_test_servers::hospital::{Hospital, Scale, story};

use super::context::Clock;
use crate::args::{AuditCommand, PlanArgs, SyncArgs};

/// The simulated days end today, so the Elanza plugin's own clock agrees with the last one.
const DAYS: u64 = 4;

pub fn run() -> Result<()> {
    let wasm = setup::build_plugins()?;
    let started = Instant::now();
    let today = Utc::now().date_naive();
    let first = today - Days::new(DAYS - 1);
    println!("\nstarting the hospital's systems:");
    let dirs = setup::directories();
    // The mocks run on this runtime's threads while the commands below run their own.
    let servers = tokio::runtime::Runtime::new().context("starting the mock servers")?;
    let hospital = servers.block_on(Hospital::start(Scale::demo(), today, dirs));
    println!(
        "  Elanza mock {} and HiX mock {} started",
        hospital.elanza.url(),
        hospital.hix.url()
    );
    let home = tempfile::Builder::new().prefix("tessera-demo-").tempdir()?;
    println!("\nwriting the installation into {}:", home.path().display());
    let config = setup::installation(home.path(), &hospital, &wasm)?;
    let changed = days(&hospital, &config, first)?;
    epilogue(&config, today, changed)?;
    println!(
        "\nthe demo took {:.0} s after the build; its installation directory is removed now",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The people the story follows, by vault person id.
type Cast = BTreeMap<String, String>;

/// Four days of events and syncs; returns the person whose function changed.
fn days(h: &Hospital, config: &Path, first: NaiveDate) -> Result<Option<(u64, String)>> {
    let day = |n: u64| first + Days::new(n);
    let (mut cast, mut changed) = (Cast::new(), None);
    let names = GroupNames::of(h);
    for n in 0..DAYS {
        let today = day(n);
        println!("\n━━ day {} — {today} ━━", n + 1);
        match n {
            0 => println!(
                "Tessera takes over: {} workers have accounts in every target already",
                Scale::demo().existing
            ),
            1 => {
                hire(h, day(DAYS - 1), &mut cast);
                leave(h, day(0), &mut cast);
            }
            2 => {
                changed = story::working(h, "CHIR", &[], 0);
                if let Some((number, name)) = &changed {
                    let moved = story::change_function(h, *number, ("IC", "ICVPK"), today);
                    println!(
                        "{name} ({number}) moves from Chirurgie to the IC as IC-verpleegkundige \
                         ({moved} shifts)"
                    );
                    cast.insert(number.to_string(), name.clone());
                }
            }
            _ => println!("the new flex workers start today; the leaver's last day has passed"),
        }
        sync_day(config, today, n == 0, &cast, &names);
    }
    Ok(changed)
}

/// One sync, its summary, and what it did for the people the story follows.
fn sync_day(config: &Path, today: NaiveDate, first: bool, cast: &Cast, names: &GroupNames) {
    let args = SyncArgs {
        dry_run: false,
        // The first import adds everyone, which the default import threshold holds back.
        force: first,
        json: false,
    };
    let clock = Clock::new(Some(today));
    // A failed or blocked system is reported in the summary; the demo goes on.
    let reported = super::sync::execute(config, clock, &args).and_then(|outcome| {
        for plan in &outcome.plans {
            for op in plan.operations.iter() {
                let Some(name) = op.person.as_ref().and_then(|p| cast.get(p)) else {
                    continue;
                };
                let line = format!("{}: {} — {}", name, op.op.summary(), short(&op.why));
                println!("  {:<4} {}", plan.system, names.readable(&line));
            }
        }
        super::sync::report(clock, &args, outcome.summaries, &outcome.seconds)
    });
    if let Err(e) = reported {
        println!("sync: {e:#}");
    }
}

/// A reason without its list of contract ids.
fn short(why: &str) -> &str {
    why.split([':', '(']).next().unwrap_or(why).trim_end()
}

/// AD group GUIDs to their names, for lines people read.
struct GroupNames(Vec<(String, String)>);

impl GroupNames {
    fn of(h: &Hospital) -> Self {
        let pairs = h.ad.as_ref().map(|ad| {
            ad.groups
                .iter()
                .map(|(cn, guid)| (guid.clone(), cn.clone()))
                .collect()
        });
        Self(pairs.unwrap_or_default())
    }

    fn readable(&self, line: &str) -> String {
        self.0
            .iter()
            .fold(line.to_owned(), |l, (guid, cn)| l.replace(guid, cn))
    }
}

/// Three new flex workers whose first shift is on `start`.
fn hire(h: &Hospital, start: NaiveDate, cast: &mut Cast) {
    let new = [
        (("Noor", "Visser"), ("IC", "ICVPK")),
        (("Sem", "de Graaf"), ("SEH", "SEHVPK")),
        (("Lieke", "Bakker"), ("OK", "OKA")),
    ];
    for (name, post) in new {
        if let Some(number) = story::hire(h, name, post, start, 7) {
            println!(
                "{} {} ({number}) is planned in {} as {} from {start}",
                name.0, name.1, post.0, post.1
            );
            cast.insert(number.to_string(), format!("{} {}", name.0, name.1));
        }
    }
}

/// A neurology worker who worked on `from` leaves: every shift from then on is cancelled.
fn leave(h: &Hospital, from: NaiveDate, cast: &mut Cast) {
    let Some((number, name)) = story::working(h, "NEU", &[from], 0) else {
        return;
    };
    let cancelled = story::leave(h, number, from);
    let last = story::last_shift_end(h, number).map_or("never".to_owned(), |d| d.to_string());
    println!("{name} ({number}) leaves: {cancelled} shifts cancelled, the last one ended {last}");
    cast.insert(number.to_string(), name);
}

/// The preview of the person who changed function, the deviations and the audit check.
fn epilogue(config: &Path, today: NaiveDate, changed: Option<(u64, String)>) -> Result<()> {
    let clock = Clock::new(Some(today));
    if let Some((number, name)) = changed {
        println!("\n$ tessera preview --person {number}     # {name}, after the function change");
        super::preview::run(config, clock, &number.to_string(), false)?;
    }
    println!("\n$ tessera deviations");
    let args = PlanArgs {
        system: None,
        json: false,
    };
    if let Err(e) = super::plan::deviations(config, clock, &args) {
        println!("deviations: {e:#}");
    }
    println!("\n$ tessera audit verify");
    super::audit::run(config, AuditCommand::Verify { json: false })
}
