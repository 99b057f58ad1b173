//! `[systems.NAME.apply]`: how the engine writes to a target.

use std::time::Duration;

use serde::Deserialize;

/// How often and how patiently to retry temporary failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Pause before the second attempt; doubles each time.
    pub base_delay: Duration,
    /// The longest pause.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// Settings for applying plans to one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplySettings {
    /// Most connector calls in flight for this system.
    pub concurrency: usize,
    /// Retries of temporary failures.
    pub retry: RetryPolicy,
}

impl Default for ApplySettings {
    fn default() -> Self {
        Self {
            concurrency: 4,
            retry: RetryPolicy::default(),
        }
    }
}

/// `[systems.NAME.apply]` as written; missing keys keep the defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApplyTable {
    concurrency: Option<usize>,
    #[serde(default)]
    retry: RetryTable,
}

/// `[systems.NAME.apply.retry]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetryTable {
    attempts: Option<u32>,
    base_delay_ms: Option<u64>,
    max_delay_ms: Option<u64>,
}

impl ApplyTable {
    /// The settings, or what is wrong with them; `key` is `systems.NAME.apply`.
    pub(crate) fn settings(self, key: &str) -> Result<ApplySettings, String> {
        let defaults = ApplySettings::default();
        let retry = RetryPolicy {
            attempts: self.retry.attempts.unwrap_or(defaults.retry.attempts),
            base_delay: self
                .retry
                .base_delay_ms
                .map_or(defaults.retry.base_delay, Duration::from_millis),
            max_delay: self
                .retry
                .max_delay_ms
                .map_or(defaults.retry.max_delay, Duration::from_millis),
        };
        let settings = ApplySettings {
            concurrency: self.concurrency.unwrap_or(defaults.concurrency),
            retry,
        };
        let problem = if !(1..=64).contains(&settings.concurrency) {
            Some(format!(
                "concurrency must be 1 to 64, got {}",
                settings.concurrency
            ))
        } else if retry.attempts == 0 {
            Some("retry.attempts must be at least 1".to_owned())
        } else if retry.max_delay < retry.base_delay {
            Some("retry.max_delay_ms is below retry.base_delay_ms".to_owned())
        } else {
            None
        };
        match problem {
            Some(message) => Err(format!("{key}: {message}")),
            None => Ok(settings),
        }
    }
}
