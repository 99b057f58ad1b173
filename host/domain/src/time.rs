use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Zone;

/// A contract boundary: a calendar date (HR contracts) or an instant (shifts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timestamp {
    /// A whole day, `2026-11-22`.
    Date(NaiveDate),
    /// An instant, `2026-11-22T07:00:00Z`.
    Instant(DateTime<Utc>),
}

/// Text that is neither an ISO 8601 date nor an RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date (2026-11-22) or an RFC 3339 date-time (2026-11-22T07:00:00Z)")]
pub struct TimestampError(pub String);

impl Timestamp {
    /// The calendar day this timestamp falls on in `zone` (a date is the same day anywhere).
    pub fn day(&self, zone: Zone) -> NaiveDate {
        match self {
            Self::Date(d) => *d,
            Self::Instant(t) => zone.day_of(*t),
        }
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(Self::Date(d));
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| Self::Instant(t.with_timezone(&Utc)))
            .map_err(|_| TimestampError(s.to_owned()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Self::Instant(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%SZ")),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_instants_and_prints_them_back() {
        for text in ["2026-11-22", "2026-11-22T07:00:00Z"] {
            let t: Timestamp = text.parse().expect("valid");
            assert_eq!(t.to_string(), text);
        }
        let shifted: Timestamp = "2026-11-22T23:30:00-02:00".parse().expect("offset");
        assert_eq!(shifted.to_string(), "2026-11-23T01:30:00Z");
        assert_eq!(shifted.day(Zone::UTC).to_string(), "2026-11-23");
    }

    #[test]
    fn refuses_other_text() {
        for text in ["", "22-11-2026", "2026-13-01", "tomorrow"] {
            assert!(text.parse::<Timestamp>().is_err(), "{text}");
        }
    }
}
