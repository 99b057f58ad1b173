//! `[serve]` and `[systems.NAME.schedule]`: when the daemon reads each system, in full and
//! through its change feed, and how old a system's last good run may grow before the daemon
//! calls itself not ready.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone};
use serde::Deserialize;

/// When something recurs.
#[derive(Debug, Clone)]
pub enum Every {
    /// This long after the last time.
    Interval(Duration),
    /// At the local times a cron expression (five fields, or six with seconds) names.
    Cron(Box<croner::Cron>),
}

impl Every {
    /// The first time it is due after `last`.
    pub fn next_after<Tz: TimeZone>(&self, last: &DateTime<Tz>) -> Option<DateTime<Tz>> {
        match self {
            Self::Interval(every) => {
                let every = chrono::Duration::from_std(*every).ok()?;
                last.clone().checked_add_signed(every)
            }
            Self::Cron(cron) => cron.find_next_occurrence(last, false).ok(),
        }
    }

    /// About how long one period is, seen from `from`: for defaults derived from it.
    pub fn period<Tz: TimeZone>(&self, from: &DateTime<Tz>) -> Duration {
        match self {
            Self::Interval(every) => *every,
            Self::Cron(_) => {
                let first = self.next_after(from);
                let second = first.as_ref().and_then(|f| self.next_after(f));
                match (first, second) {
                    (Some(a), Some(b)) => (b - a).to_std().unwrap_or(Duration::ZERO),
                    _ => Duration::ZERO,
                }
            }
        }
    }

    fn parse(key: &str, raw: &RawEvery) -> Result<Self, String> {
        match raw {
            RawEvery::Seconds(0) => Err(format!("{key}: must be at least 1 second")),
            RawEvery::Seconds(n) => Ok(Self::Interval(Duration::from_secs(*n))),
            RawEvery::Cron(text) => croner::Cron::from_str(text)
                .map(|c| Self::Cron(Box::new(c)))
                .map_err(|e| format!("{key}: `{text}` is not a cron expression: {e}")),
        }
    }
}

/// A number of seconds, or a cron expression.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawEvery {
    Seconds(u64),
    Cron(String),
}

/// The address `tessera serve` answers on unless told otherwise: loopback, the port
/// Prometheus' exporter list gives no one else.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// `[serve]`: the daemon's address and its defaults for every system.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    /// Where `/healthz`, `/readyz` and `/metrics` answer.
    pub listen: SocketAddr,
    /// How often a source is polled; a change starts a run for the persons it concerns.
    pub poll: Every,
    /// How often a target's change feed is read (or, without a feed, its shadows trusted).
    pub interval: Every,
    /// When every system is read in full: the reconciliation that finds what feeds missed.
    pub full: Every,
    /// How old a system's last good run may be while the daemon is ready; by default three
    /// of its periods, at least five minutes.
    pub ready_within: Option<Duration>,
    /// How long run history is kept.
    pub keep_runs: Duration,
}

/// `[systems.NAME.schedule]`: this system's own times, each defaulting to `[serve]`'s.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// How often it is read through its feed: a source's poll, a target's interval.
    pub interval: Option<Every>,
    /// When it is read in full.
    pub full: Option<Every>,
    /// How old its last good run may be.
    pub ready_within: Option<Duration>,
}

/// `[serve]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServe {
    listen: Option<String>,
    poll: Option<RawEvery>,
    interval: Option<RawEvery>,
    full: Option<RawEvery>,
    ready_within: Option<u64>,
    keep_runs_days: Option<u64>,
}

/// `[systems.NAME.schedule]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSchedule {
    interval: Option<RawEvery>,
    full: Option<RawEvery>,
    ready_within: Option<u64>,
}

/// Parses an optional recurrence, noting its problem.
fn every(key: &str, raw: Option<&RawEvery>, problems: &mut Vec<String>) -> Option<Every> {
    raw.and_then(|r| Every::parse(key, r).map_err(|p| problems.push(p)).ok())
}

fn ready(key: &str, raw: Option<u64>, problems: &mut Vec<String>) -> Option<Duration> {
    match raw {
        Some(0) => {
            problems.push(format!("{key}: must be at least 1 second"));
            None
        }
        other => other.map(Duration::from_secs),
    }
}

impl RawServe {
    pub(crate) fn check(self, problems: &mut Vec<String>) -> ServeSettings {
        let listen = self.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen = listen.parse().unwrap_or_else(|_| {
            problems.push(format!(
                "serve.listen: `{listen}` is not an address and port, like {DEFAULT_LISTEN}"
            ));
            DEFAULT_LISTEN.parse().expect("the default address parses")
        });
        let nightly = || {
            Every::Cron(Box::new(
                croner::Cron::from_str("0 2 * * *").expect("a valid pattern"),
            ))
        };
        ServeSettings {
            listen,
            poll: every("serve.poll", self.poll.as_ref(), problems)
                .unwrap_or(Every::Interval(Duration::from_secs(60))),
            interval: every("serve.interval", self.interval.as_ref(), problems)
                .unwrap_or(Every::Interval(Duration::from_secs(300))),
            full: every("serve.full", self.full.as_ref(), problems).unwrap_or_else(nightly),
            ready_within: ready("serve.ready_within", self.ready_within, problems),
            keep_runs: Duration::from_secs(self.keep_runs_days.unwrap_or(90) * 86_400),
        }
    }
}

impl RawSchedule {
    pub(crate) fn check(self, system: &str, problems: &mut Vec<String>) -> Schedule {
        let key = |k: &str| format!("systems.{system}.schedule.{k}");
        Schedule {
            interval: every(&key("interval"), self.interval.as_ref(), problems),
            full: every(&key("full"), self.full.as_ref(), problems),
            ready_within: ready(&key("ready_within"), self.ready_within, problems),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use chrono::Utc;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn an_interval_counts_from_the_last_time_and_a_cron_names_times() {
        let last = at("2026-12-03T10:00:00Z");
        let interval = Every::parse("k", &RawEvery::Seconds(90)).unwrap();
        assert_eq!(interval.next_after(&last), Some(at("2026-12-03T10:01:30Z")));
        let nightly = Every::parse("k", &RawEvery::Cron("0 2 * * *".into())).unwrap();
        assert_eq!(nightly.next_after(&last), Some(at("2026-12-04T02:00:00Z")));
        assert_eq!(nightly.period(&last), Duration::from_secs(86_400));
    }

    #[test]
    fn a_bad_recurrence_names_its_key() {
        let zero = Every::parse("serve.poll", &RawEvery::Seconds(0)).unwrap_err();
        assert!(zero.starts_with("serve.poll: must be at least"), "{zero}");
        let cron = Every::parse(
            "systems.ad.schedule.full",
            &RawEvery::Cron("61 * * * *".into()),
        )
        .unwrap_err();
        assert!(
            cron.starts_with("systems.ad.schedule.full: `61 * * * *`"),
            "{cron}"
        );
    }
}
