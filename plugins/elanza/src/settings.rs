//! The system's configuration, checked beyond what the schema can say.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use tessera_sdk::{ConnectorError, config};

use crate::map::Window;

/// The path of Elanza's API below its address, which the plugin adds.
const API_PATH: &str = "/rest-api/v1";

/// A day: the slices before the detail window are counted from a midnight, so they are asked
/// afresh at the next one anyway.
const MAX_RECHECK_MINUTES: i64 = 1440;

/// Ten years; more is a typo, and would ask Elanza for a decade of shifts.
const MAX_DAYS: i64 = 3650;

pub struct Settings {
    pub base_url: String,
    pub historical_days: u32,
    pub future_days: u32,
    pub shift_details_start: u32,
    /// How long an incremental run trusts the remembered weeks before the detail window
    /// without asking Elanza for them (`history_recheck_minutes`; history.rs).
    pub history_recheck: TimeDelta,
    now: Option<DateTime<Utc>>,
}

impl Settings {
    pub fn from_config() -> Result<Self, ConnectorError> {
        let base_url = config::http_url("base_url")?;
        let base_url = base_url.as_str();
        if base_url.to_ascii_lowercase().ends_with(API_PATH) {
            return Err(ConnectorError::invalid(
                "base_url",
                format!(
                    "`{base_url}` already ends in {API_PATH}; give Elanza's address without it \
                     (`{}`): the plugin adds the API path itself",
                    &base_url[..base_url.len() - API_PATH.len()]
                ),
            ));
        }
        let settings = Self {
            base_url: base_url.to_owned(),
            historical_days: days("historical_days")?,
            future_days: days("future_days")?,
            shift_details_start: days("shift_details_start")?,
            history_recheck: TimeDelta::minutes(config::integer_in(
                "history_recheck_minutes",
                0..=MAX_RECHECK_MINUTES,
                Some(60),
            )?),
            now: config::optional_string("now")?
                .map(|t| instant(&t))
                .transpose()?,
        };
        if settings.shift_details_start > settings.historical_days {
            return Err(ConnectorError::invalid(
                "shift_details_start",
                format!(
                    "shift_details_start ({}) must not exceed historical_days ({}): shifts \
                     older than historical_days are never fetched",
                    settings.shift_details_start, settings.historical_days
                ),
            ));
        }
        Ok(settings)
    }

    /// The window of this run, from the configured `now` or the clock.
    pub fn window(&self) -> Result<Window, ConnectorError> {
        let now = self
            .now
            .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
        Window::new(
            now,
            self.historical_days,
            self.future_days,
            self.shift_details_start,
        )
        .ok_or_else(|| ConnectorError::invalid("now", "the window falls outside the calendar"))
    }
}

fn days(key: &str) -> Result<u32, ConnectorError> {
    config::integer_in(key, 0..=MAX_DAYS, None)
}

fn instant(text: &str) -> Result<DateTime<Utc>, ConnectorError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ")
        .map(|t| t.and_utc())
        .map_err(|_| ConnectorError::invalid("now", "must be yyyy-MM-ddTHH:mm:ssZ (UTC)"))
}
