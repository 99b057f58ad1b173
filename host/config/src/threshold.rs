//! A limit on how much one import or one plan may change.

use serde::{Deserialize, Serialize};

/// A limit that trips when a count or a percentage is reached (either one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Trips at this many.
    pub count: Option<usize>,
    /// Trips at this percentage of the base.
    pub percent: Option<f64>,
}

impl Threshold {
    /// Why `n` out of `base` trips the threshold, or `None`.
    pub fn trips(&self, n: usize, base: usize) -> Option<String> {
        if let Some(count) = self.count.filter(|c| n >= *c) {
            return Some(format!("{n} reaches the limit of {count}"));
        }
        let percent = self.percent.filter(|_| base > 0)?;
        let actual = n as f64 * 100.0 / base as f64;
        (actual >= percent).then(|| format!("{n} of {base} ({actual:.1}%) reaches {percent}%"))
    }
}
