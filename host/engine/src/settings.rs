//! The engine's tables in the operator's configuration: `[systems.NAME.source]` for imports
//! and `[systems.NAME.apply]` for apply. The runtime keeps them as raw TOML so that only the
//! engine knows their shape; unknown keys are refused so a typo cannot silently drop a
//! threshold.

use std::time::Duration;

use serde::Deserialize;

use crate::apply::{ApplySettings, RetryPolicy};
use crate::error::{Error, Result};
use crate::import::SourceSettings;

/// Reads `[systems.NAME.source]`; the source's name is the system's.
pub fn source_settings(system: &str, table: Option<&toml::Table>) -> Result<SourceSettings> {
    let Some(table) = table else {
        return Ok(SourceSettings::new(system));
    };
    let key = format!("systems.{system}.source");
    if table.contains_key("name") {
        return Err(Error::Settings {
            key,
            message: "`name` is the system's name and cannot be set".to_owned(),
        });
    }
    let mut table = table.clone();
    table.insert("name".to_owned(), toml::Value::String(system.to_owned()));
    let settings: SourceSettings =
        toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| Error::Settings {
                key: key.clone(),
                message: e.message().to_owned(),
            })?;
    if settings.max_pages == 0 {
        return Err(Error::Settings {
            key,
            message: "max_pages must be at least 1".to_owned(),
        });
    }
    Ok(settings)
}

/// `[systems.NAME.apply]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyTable {
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

/// Reads `[systems.NAME.apply]`; missing keys keep [`ApplySettings::default`].
pub fn apply_settings(
    system: &str,
    table: Option<&toml::Table>,
    plugin: Option<String>,
) -> Result<ApplySettings> {
    let key = format!("systems.{system}.apply");
    let raw: ApplyTable = match table {
        None => ApplyTable::default(),
        Some(t) => toml::Value::Table(t.clone())
            .try_into()
            .map_err(|e: toml::de::Error| Error::Settings {
                key: key.clone(),
                message: e.message().to_owned(),
            })?,
    };
    let defaults = ApplySettings::default();
    let retry = RetryPolicy {
        attempts: raw.retry.attempts.unwrap_or(defaults.retry.attempts),
        base_delay: raw
            .retry
            .base_delay_ms
            .map_or(defaults.retry.base_delay, Duration::from_millis),
        max_delay: raw
            .retry
            .max_delay_ms
            .map_or(defaults.retry.max_delay, Duration::from_millis),
    };
    let settings = ApplySettings {
        concurrency: raw.concurrency.unwrap_or(defaults.concurrency),
        retry,
        plugin,
    };
    check_apply(&key, &settings)?;
    Ok(settings)
}

fn check_apply(key: &str, s: &ApplySettings) -> Result<()> {
    let problem = if !(1..=64).contains(&s.concurrency) {
        Some(format!(
            "concurrency must be 1 to 64, got {}",
            s.concurrency
        ))
    } else if s.retry.attempts == 0 {
        Some("retry.attempts must be at least 1".to_owned())
    } else if s.retry.max_delay < s.retry.base_delay {
        Some("retry.max_delay_ms is below retry.base_delay_ms".to_owned())
    } else {
        None
    };
    problem.map_or(Ok(()), |message| {
        Err(Error::Settings {
            key: key.to_owned(),
            message,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().expect("test TOML")
    }

    #[test]
    fn source_settings_take_the_system_name_and_refuse_typos() {
        let t = table("correlation = \"bsn\"\n[thresholds]\nremoved = { percent = 10 }\n");
        let s = source_settings("hr", Some(&t)).expect("valid");
        assert_eq!(s.name, "hr");
        assert_eq!(s.correlation.as_deref(), Some("bsn"));
        assert_eq!(s.thresholds.removed.and_then(|t| t.percent), Some(10.0));
        let typo = table("[thresholds]\nremvoed = { count = 1 }\n");
        let err = source_settings("hr", Some(&typo)).expect_err("typo");
        assert!(
            err.to_string().contains("systems.hr.source") && err.to_string().contains("remvoed"),
            "{err}"
        );
        assert_eq!(source_settings("x", None).expect("default").name, "x");
    }

    #[test]
    fn apply_settings_fill_defaults_and_check_ranges() {
        let t = table("concurrency = 2\nretry = { attempts = 3, base_delay_ms = 10 }\n");
        let s = apply_settings("ad", Some(&t), None).expect("valid");
        assert_eq!(s.concurrency, 2);
        assert_eq!(s.retry.attempts, 3);
        assert_eq!(s.retry.base_delay, Duration::from_millis(10));
        assert_eq!(s.retry.max_delay, ApplySettings::default().retry.max_delay);
        for bad in ["concurrency = 0", "retry = { attempts = 0 }", "colour = 1"] {
            let err = apply_settings("ad", Some(&table(bad)), None).expect_err(bad);
            assert!(err.to_string().starts_with("systems.ad.apply"), "{err}");
        }
    }
}
