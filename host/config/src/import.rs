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
    /// Which source's person fields (name, e-mail, phone, attributes of the same name) win
    /// when several sources feed one person: the highest; equal ones in name order. HR above
    /// Elanza makes HR's names the ones accounts are made from.
    #[serde(default)]
    pub priority: i64,
    /// Every system's name, highest `priority` first, equal ones in name order: the order a
    /// person's records are merged in. Worked out from the whole file, never written in it.
    #[serde(skip)]
    pub ranking: Vec<String>,
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
            priority: 0,
            ranking: Vec::new(),
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
    /// The order records of `sources` (name, priority) are merged in.
    pub fn rank<'a>(sources: impl IntoIterator<Item = (&'a str, i64)>) -> Vec<String> {
        let mut all: Vec<(&str, i64)> = sources.into_iter().collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        all.into_iter().map(|(name, _)| name.to_owned()).collect()
    }

    /// What is wrong with settings that parsed; `key` is `systems.NAME.source`.
    pub(crate) fn problems(&self, key: &str) -> Vec<String> {
        if self.max_pages == 0 {
            return vec![format!("{key}: max_pages must be at least 1")];
        }
        Vec::new()
    }
}
