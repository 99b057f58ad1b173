//! The shape of a rule file as serde reads it, before checking.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Spanned, Table};

use super::{ActionType, Correlation, DeviationPolicy, PersonStatus, Threshold};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub(super) system: BTreeMap<String, Spanned<Table>>,
    #[serde(default)]
    pub(super) rule: Vec<Spanned<Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSystem {
    #[serde(default)]
    pub(super) deviations: DeviationPolicy,
    pub(super) correlation: Option<Correlation>,
    pub(super) account: RawAccount,
    #[serde(default)]
    pub(super) thresholds: BTreeMap<ActionType, Threshold>,
    pub(super) max_grant_days: Option<i64>,
    pub(super) approval_days: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    #[serde(default)]
    pub(super) when: BTreeMap<String, RawMatch>,
    #[serde(default)]
    pub(super) create_days_before: i64,
    #[serde(default)]
    pub(super) disable_after_days: i64,
    pub(super) delete_after_days: Option<i64>,
    pub(super) username: Vec<String>,
    #[serde(default = "default_max_length")]
    pub(super) max_length: usize,
    #[serde(default)]
    pub(super) attributes: BTreeMap<String, String>,
}

fn default_max_length() -> usize {
    20
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) name: String,
    #[serde(default)]
    pub(super) status: PersonStatus,
    #[serde(default)]
    pub(super) days_before_start: i64,
    #[serde(default)]
    pub(super) days_after_end: i64,
    #[serde(default)]
    pub(super) when: BTreeMap<String, RawMatch>,
    pub(super) grants: Vec<RawGrant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrant {
    pub(super) system: String,
    pub(super) kind: String,
    pub(super) key: String,
    pub(super) follow_up: Option<RawFollowUp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFollowUp {
    pub(super) system: String,
    pub(super) template: String,
    #[serde(default)]
    pub(super) hold_until_resolved: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawMatch {
    One(String),
    Many(Vec<String>),
    Ops(RawOps),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOps {
    pub(super) equals: Option<OneOrMany>,
    #[serde(rename = "in")]
    pub(super) any_of: Option<Vec<String>>,
    pub(super) prefix: Option<OneOrMany>,
    pub(super) regex: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(super) fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(v) => vec![v],
            Self::Many(v) => v,
        }
    }
}
