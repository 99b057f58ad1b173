//! The day a run plans for and the instant it records.

use chrono::{DateTime, NaiveDate, Utc};

/// The day the engine plans for and the instant audit records and plans carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The day.
    pub today: NaiveDate,
    /// The instant.
    pub now: DateTime<Utc>,
}

impl Clock {
    /// The real day, or a simulated one (for tests and demos).
    pub fn new(today: Option<NaiveDate>) -> Self {
        let now = Utc::now();
        match today {
            None => Self {
                today: now.date_naive(),
                now,
            },
            // The real time of day on the simulated day keeps audit records in order.
            Some(today) => Self {
                today,
                now: today.and_time(now.time()).and_utc(),
            },
        }
    }
}
