//! When each system is next read, in full and through its feed, and what a run that starts
//! now should read.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Local};
use tessera_config::{Every, Schedule, ServeSettings};
use tessera_sync::{Kind, Mode, Reading};

/// The least a readiness bound defaults to: a source polled every second should not flap.
const MIN_READY: Duration = Duration::from_secs(300);

/// One system's times.
#[derive(Debug, Clone)]
pub struct Slot {
    /// How often it is read through its feed.
    pub interval: Every,
    /// When it is read in full.
    pub full: Every,
    /// How old its last good run may be.
    pub ready_within: Duration,
    /// When its feed is next read.
    pub next_changes: DateTime<Local>,
    /// When it is next read in full.
    pub next_full: DateTime<Local>,
}

/// Every system's times.
#[derive(Debug, Clone, Default)]
pub struct Timetable {
    /// By system name.
    pub slots: BTreeMap<String, Slot>,
}

/// What one run reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Full when every system is read in full.
    pub mode: Mode,
    /// Each system's reading.
    pub reading: BTreeMap<String, Reading>,
}

impl Timetable {
    /// A system's slot: its schedule over the daemon's defaults for its kind. Its feed is
    /// read at once; it is read in full at once too when its last full read (`last_full`) is
    /// older than one full period (the daemon was down over the nightly run).
    pub fn add(
        &mut self,
        system: &str,
        kind: Kind,
        schedule: &Schedule,
        serve: &ServeSettings,
        last_full: Option<DateTime<Local>>,
        now: DateTime<Local>,
    ) {
        let default = match kind {
            Kind::Source => &serve.poll,
            Kind::Target => &serve.interval,
        };
        let interval = schedule.interval.clone().unwrap_or_else(|| default.clone());
        let full = schedule.full.clone().unwrap_or_else(|| serve.full.clone());
        let ready_within = schedule
            .ready_within
            .or(serve.ready_within)
            .unwrap_or_else(|| (interval.period(&now) * 3).max(MIN_READY));
        let missed =
            last_full.is_none_or(|last| full.next_after(&last).is_none_or(|due| due <= now));
        let next_full = match missed {
            true => now,
            false => full.next_after(&now).unwrap_or(now),
        };
        let slot = Slot {
            interval,
            full,
            ready_within,
            next_changes: now,
            next_full,
        };
        self.slots.insert(system.to_owned(), slot);
    }

    /// When the next run is due; `None` with no systems.
    pub fn next_due(&self) -> Option<DateTime<Local>> {
        self.slots
            .values()
            .map(|s| s.next_changes.min(s.next_full))
            .min()
    }

    /// What a run starting `now` reads; `None` when nothing is due.
    pub fn due(&self, now: DateTime<Local>) -> Option<Due> {
        let reading: BTreeMap<String, Reading> = self
            .slots
            .iter()
            .map(|(name, slot)| {
                let reading = if slot.next_full <= now {
                    Reading::Full
                } else if slot.next_changes <= now {
                    Reading::Changes
                } else {
                    Reading::Skip
                };
                (name.clone(), reading)
            })
            .collect();
        if reading.values().all(|r| *r == Reading::Skip) {
            return None;
        }
        let mode = match reading.values().all(|r| *r == Reading::Full) {
            true => Mode::Full,
            false => Mode::Incremental,
        };
        Some(Due { mode, reading })
    }

    /// Moves the times of what a run that started at `started` read.
    pub fn ran(&mut self, due: &Due, started: DateTime<Local>) {
        for (name, reading) in &due.reading {
            let Some(slot) = self.slots.get_mut(name) else {
                continue;
            };
            if *reading == Reading::Full {
                slot.next_full = slot.full.next_after(&started).unwrap_or(started);
            }
            if *reading != Reading::Skip {
                // Counted from the start, so a run's length does not stretch the cadence; a
                // run longer than the interval makes the next one due at once.
                slot.next_changes = slot.interval.next_after(&started).unwrap_or(started);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use chrono::TimeZone;
    use tessera_config::Settings;

    use super::*;

    fn settings(text: &str) -> Settings {
        Settings::parse(text, std::path::Path::new("tessera.toml")).unwrap()
    }

    fn at(h: u32, m: u32, s: u32) -> DateTime<Local> {
        Local.with_ymd_and_hms(2026, 12, 3, h, m, s).unwrap()
    }

    fn table(last_full: Option<DateTime<Local>>, now: DateTime<Local>) -> Timetable {
        let settings = settings(
            "[serve]\npoll = 10\ninterval = 60\nfull = \"0 2 * * *\"\n\
             [systems.elanza]\nplugin = \"elanza\"\n\
             [systems.ad]\nplugin = \"ad\"\n\
             [systems.hix]\nplugin = \"hix\"\nschedule = { interval = 30, ready_within = 7200 }\n",
        );
        let mut table = Timetable::default();
        for (name, kind) in [
            ("elanza", Kind::Source),
            ("ad", Kind::Target),
            ("hix", Kind::Target),
        ] {
            let schedule = &settings.systems[name].schedule;
            table.add(name, kind, schedule, &settings.serve, last_full, now);
        }
        table
    }

    #[test]
    fn a_first_start_reads_everything_in_full_at_once() {
        let now = at(9, 0, 0);
        let table = table(None, now);
        let due = table.due(now).unwrap();
        assert_eq!(due.mode, Mode::Full);
        assert!(due.reading.values().all(|r| *r == Reading::Full));
    }

    #[test]
    fn each_system_is_read_on_its_own_interval_and_in_full_at_night() {
        let start = at(9, 0, 0);
        // The last full read was last night: nothing missed.
        let mut table = table(Some(at(2, 0, 5)), start);
        let first = table.due(start).unwrap();
        assert_eq!(first.mode, Mode::Incremental);
        assert!(first.reading.values().all(|r| *r == Reading::Changes));
        table.ran(&first, start);
        assert_eq!(table.next_due(), Some(at(9, 0, 10)), "the source's poll");
        let poll = table.due(at(9, 0, 10)).unwrap();
        assert_eq!(poll.reading["elanza"], Reading::Changes);
        assert_eq!(poll.reading["ad"], Reading::Skip);
        assert_eq!(poll.reading["hix"], Reading::Skip);
        table.ran(&poll, at(9, 0, 10));
        table.ran(&table.due(at(9, 0, 20)).unwrap(), at(9, 0, 20));
        let hix = table.due(at(9, 0, 30)).unwrap();
        assert_eq!(hix.reading["hix"], Reading::Changes, "its own 30 s");
        assert_eq!(hix.reading["ad"], Reading::Skip, "the default 60 s");
        let night = table.due(at(2, 0, 0) + chrono::Duration::days(1)).unwrap();
        assert_eq!(night.mode, Mode::Full, "everyone at 02:00");
    }

    #[test]
    fn a_daemon_down_over_the_night_reads_in_full_when_it_starts() {
        let now = at(9, 0, 0);
        let table = table(Some(at(1, 0, 0) - chrono::Duration::days(1)), now);
        assert_eq!(table.due(now).unwrap().mode, Mode::Full);
    }

    #[test]
    fn the_readiness_bound_defaults_to_three_periods_and_at_least_five_minutes() {
        let table = table(None, at(9, 0, 0));
        assert_eq!(
            table.slots["elanza"].ready_within, MIN_READY,
            "3 × 10 s is too twitchy"
        );
        assert_eq!(table.slots["hix"].ready_within, Duration::from_secs(7200));
        let settings = settings("[serve]\ninterval = 600\n[systems.ad]\nplugin = \"ad\"\n");
        let mut table = Timetable::default();
        let schedule = &settings.systems["ad"].schedule;
        table.add(
            "ad",
            Kind::Target,
            schedule,
            &settings.serve,
            None,
            at(9, 0, 0),
        );
        assert_eq!(table.slots["ad"].ready_within, Duration::from_secs(1800));
    }
}
