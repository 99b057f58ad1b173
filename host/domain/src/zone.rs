//! The time zone the operator's days are counted in.
//!
//! A hospital's "today" starts at its own midnight, not at UTC's: a night shift that starts at
//! 00:30 in Amsterdam belongs to that day even though it is still the day before in UTC. Every
//! question "which day is this?" goes through a [`Zone`], so the answer does not depend on the
//! machine's clock setting and is right on both sides of a daylight-saving change.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// An IANA time zone (`Europe/Amsterdam`); UTC unless the configuration names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

/// A `timezone` that is not an IANA time-zone name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IANA time-zone name such as `Europe/Amsterdam` or `UTC`")]
pub struct ZoneError(pub String);

impl Zone {
    /// Coordinated Universal Time.
    pub const UTC: Self = Self(Tz::UTC);

    /// The zone with this IANA name.
    pub fn named(name: &str) -> Result<Self, ZoneError> {
        name.parse::<Tz>()
            .map(Self)
            .map_err(|_| ZoneError(name.to_owned()))
    }

    /// Its IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The calendar day `instant` falls on in this zone.
    pub fn day_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.0).date_naive()
    }

    /// The instant the wall clock in this zone shows `time` on `day`. In the hour a
    /// daylight-saving change skips, it is the first instant after the gap; in the hour that
    /// repeats, the earlier of the two.
    pub fn instant(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = day.and_time(time);
        let resolved = self
            .0
            .from_local_datetime(&local)
            .earliest()
            // A skipped wall-clock time: no gap is longer than an hour in any IANA zone used
            // today, so an hour later exists.
            .or_else(|| {
                self.0
                    .from_local_datetime(&(local + chrono::TimeDelta::hours(1)))
                    .earliest()
            });
        resolved.map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self::UTC
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("test instant")
            .with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("test day")
    }

    /// Amsterdam is UTC+1 in winter and UTC+2 in summer; 2026 changes on 29 March and
    /// 25 October at 01:00 UTC. Each instant is on a different day in UTC than in Amsterdam,
    /// on both sides of both changes.
    #[test]
    fn days_in_amsterdam_around_both_changes() {
        let ams = Zone::named("Europe/Amsterdam").expect("known zone");
        for (instant, utc_day, local_day) in [
            // The night before summer time: 23:30 UTC is 00:30 CET on the 29th.
            ("2026-03-28T23:30:00Z", "2026-03-28", "2026-03-29"),
            // The night after: 22:30 UTC is already 00:30 CEST on the 30th (one hour earlier).
            ("2026-03-29T22:30:00Z", "2026-03-29", "2026-03-30"),
            // The night before winter time: 22:30 UTC is 00:30 CEST on the 25th.
            ("2026-10-24T22:30:00Z", "2026-10-24", "2026-10-25"),
            // The night after: 22:30 UTC is only 23:30 CET, still the 25th...
            ("2026-10-25T22:30:00Z", "2026-10-25", "2026-10-25"),
            // ...and 23:30 UTC is 00:30 CET on the 26th.
            ("2026-10-25T23:30:00Z", "2026-10-25", "2026-10-26"),
        ] {
            assert_eq!(
                Zone::UTC.day_of(at(instant)),
                day(utc_day),
                "{instant} in UTC"
            );
            assert_eq!(
                ams.day_of(at(instant)),
                day(local_day),
                "{instant} in Amsterdam"
            );
        }
    }

    #[test]
    fn wall_clock_times_in_gaps_and_repeats_resolve() {
        let ams = Zone::named("Europe/Amsterdam").expect("known zone");
        let time = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
        // 02:30 does not exist on 29 March: the clock jumps from 02:00 to 03:00 CEST.
        assert_eq!(
            ams.instant(day("2026-03-29"), time(2, 30)),
            at("2026-03-29T01:30:00Z")
        );
        // 02:30 happens twice on 25 October: the first, still in CEST.
        assert_eq!(
            ams.instant(day("2026-10-25"), time(2, 30)),
            at("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            ams.instant(day("2026-07-01"), time(12, 0)),
            at("2026-07-01T10:00:00Z")
        );
    }

    #[test]
    fn names_are_iana_names() {
        assert_eq!(Zone::named("UTC").expect("utc"), Zone::UTC);
        assert_eq!(Zone::default().name(), "UTC");
        assert_eq!(
            Zone::named("Europe/Amsterdam").expect("ams").to_string(),
            "Europe/Amsterdam"
        );
        for bad in ["", "CEST+1", "Europe/Amsterdamm", "Amsterdam"] {
            assert!(Zone::named(bad).is_err(), "{bad}");
        }
    }
}
