//! The demo's story: four days of events in the hospital's systems, a sync each day, and what
//! each sync did for the people the story follows.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use chrono::{Days, NaiveDate};
use tessera_cli::commands::sync;
use tessera_sync::{Clock, Installation, Mode, NoProgress, SyncOptions, Systems};
use tessera_test_servers::hospital::{Hospital, Scale, story};

/// The people the story follows, by person id.
type Cast = BTreeMap<String, String>;

/// Four days of events and syncs; returns the person whose function changed.
pub fn days(
    h: &Hospital,
    config: &Path,
    first: NaiveDate,
    days: u64,
) -> Result<Option<(u64, String)>> {
    let day = |n: u64| first + Days::new(n);
    let (mut cast, mut changed) = (Cast::new(), None);
    let names = GroupNames::of(h);
    // Loaded once and synced every day, as the daemon does.
    let mut installation = Installation::open(config)?;
    let systems = installation.systems(None)?;
    for (system, warning) in &systems.warnings {
        println!("warning: {system}: {warning}");
    }
    let run = Run {
        installation: &installation,
        systems: &systems,
        names: &names,
    };
    for n in 0..days {
        let today = day(n);
        println!("\n━━ day {} — {today} ━━", n + 1);
        match n {
            0 => println!(
                "Tessera takes over: {} workers have accounts in every target already",
                Scale::demo().existing
            ),
            1 => {
                hire(h, day(days - 1), &mut cast);
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
        run.day(today, n == 0, &cast);
    }
    Ok(changed)
}

/// What every day's sync shares.
struct Run<'a> {
    installation: &'a Installation,
    systems: &'a Systems,
    names: &'a GroupNames,
}

impl Run<'_> {
    /// One sync, its summary, and what it did for the people the story follows.
    fn day(&self, today: NaiveDate, first: bool, cast: &Cast) {
        let options = SyncOptions {
            dry_run: false,
            // The first import adds everyone, which the default import threshold holds back.
            force: first,
            mode: Mode::Full,
            ..SyncOptions::default()
        };
        let clock = Clock::new(Some(today), self.installation.settings.timezone);
        let sync = self
            .installation
            .sync(self.systems, options, clock, &NoProgress);
        let outcome = match tokio::runtime::Runtime::new().map(|rt| rt.block_on(sync)) {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(e)) => return println!("sync: {e}"),
            Err(e) => return println!("sync: {e}"),
        };
        for plan in &outcome.plans {
            for op in &plan.operations {
                let Some(name) = op.person.as_ref().and_then(|p| cast.get(p)) else {
                    continue;
                };
                let line = format!("{}: {} — {}", name, op.op.summary(), short(&op.why));
                println!("  {:<4} {}", plan.system, self.names.readable(&line));
            }
        }
        // A failed or blocked system is in the summary; the demo goes on.
        if let Err(e) = sync::report(&outcome, false) {
            println!("sync: {e:#}");
        }
    }
}

/// A reason without its list of contract ids.
fn short(why: &str) -> &str {
    why.split([':', '(']).next().unwrap_or(why).trim_end()
}

/// AD group GUIDs and Entra ID group object ids to their names, for lines people read.
struct GroupNames(Vec<(String, String)>);

impl GroupNames {
    fn of(h: &Hospital) -> Self {
        let mut pairs: Vec<(String, String)> = h.ad.as_ref().map_or_else(Vec::new, |ad| {
            ad.groups
                .iter()
                .map(|(cn, guid)| (guid.clone(), cn.clone()))
                .collect()
        });
        if let Some(graph) = &h.entra {
            graph.directory(|d| {
                let names = d
                    .groups
                    .iter()
                    .map(|(id, g)| (id.clone(), g.display_name.clone()));
                pairs.extend(names);
            });
        }
        Self(pairs)
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

/// The preview of the person who changed function, the person both HR and Elanza know, the
/// deviations and the audit check, each through the `tessera` command itself.
pub fn epilogue(
    config: &Path,
    today: NaiveDate,
    changed: Option<(u64, String)>,
    both: Option<u64>,
) -> Result<()> {
    if let Some((number, name)) = changed {
        let person = number.to_string();
        println!("\n$ tessera preview --person {number}     # {name}, after the function change");
        tessera(config, today, &["preview", "--person", &person])?;
    }
    if let Some(number) = both {
        let person = number.to_string();
        println!(
            "\n$ tessera person show {number}     # permanent staff in AFAS who also works flex shifts"
        );
        tessera(config, today, &["person", "show", &person])?;
    }
    println!("\n$ tessera deviations");
    if let Err(e) = tessera(config, today, &["deviations"]) {
        println!("deviations: {e:#}");
    }
    println!("\n$ tessera audit verify");
    tessera(config, today, &["audit", "verify"])
}

/// Runs a `tessera` command in this process, as of `today`.
fn tessera(config: &Path, today: NaiveDate, args: &[&str]) -> Result<()> {
    let day = today.to_string();
    let config = config.to_string_lossy();
    let mut argv = vec!["tessera", "--today", &day, "--config", &config];
    argv.extend(args);
    tessera_cli::run_with(argv)
}
