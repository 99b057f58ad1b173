//! The day a run plans for and the instant it records.

use chrono::{DateTime, NaiveDate, Utc};
use tessera_domain::Zone;

/// The day the engine plans for and the instant audit records and plans carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The day.
    pub today: NaiveDate,
    /// The instant.
    pub now: DateTime<Utc>,
}

impl Clock {
    /// The real day in `zone`, or a simulated one (for tests and demos).
    pub fn new(today: Option<NaiveDate>, zone: Zone) -> Self {
        let now = Utc::now();
        match today {
            None => Self {
                today: zone.day_of(now),
                now,
            },
            // The real time of day on the simulated day keeps audit records in order.
            Some(today) => Self {
                today,
                now: zone.instant(today, now.time()),
            },
        }
    }
}
