//! `[systems.NAME.source]`: how the engine imports a source.

use serde::{Deserialize, Serialize};

use crate::Threshold;

/// How one source is imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSettings {
    /// The person field that joins sources: `id` (the default), `email`, or an attribute name.
    #[serde(default)]
    pub correlation: Option<String>,
    /// Limits on added, removed and changed persons.
    #[serde(default)]
    pub thresholds: SourceThresholds,
    /// The most pages one read may take.
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
}

fn default_max_pages() -> usize {
    100_000
}

impl Default for SourceSettings {
    /// No thresholds and the default correlation.
    fn default() -> Self {
        Self {
            correlation: None,
            thresholds: SourceThresholds::default(),
            max_pages: default_max_pages(),
        }
    }
}

/// Source thresholds; percentages are of the persons the source delivered last time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceThresholds {
    /// New persons.
    pub added: Option<Threshold>,
    /// Persons gone from the source.
    pub removed: Option<Threshold>,
    /// Persons whose data changed.
    pub changed: Option<Threshold>,
}

impl SourceSettings {
    /// What is wrong with settings that parsed; `key` is `systems.NAME.source`.
    pub(crate) fn problems(&self, key: &str) -> Vec<String> {
        if self.max_pages == 0 {
            return vec![format!("{key}: max_pages must be at least 1")];
        }
        Vec::new()
    }
}
