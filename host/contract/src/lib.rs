//! The contract every connector keeps, as ConnId's contract tests hold connectors to theirs.
//!
//! - [`target`]: create, list, get, update, grant, revoke, disable, enable and delete, each
//!   checked by reading the target back and each repeated, which must either succeed or answer
//!   the typed error that means "already so"; and the typed answers for an account that does
//!   not exist.
//! - [`feed`]: from a cursor taken before, each write shows in the target's change feed once.
//! - [`source`]: a read ends, hands every person out once, reads the same again, refuses a
//!   foreign cursor, and a change feed stays quiet while nothing changes.
//!
//! Each scenario runs against any [`TargetConnector`] or [`SourceConnector`] (a plugin in the
//! runtime, a fake) and answers the steps that passed, or the step that broke and why:
//! `tessera plugin test` prints that, and a plugin's `cargo test` asserts it.

mod source;
mod target;

use tessera_domain::{AccountSpec, Attribute, AttributeChange, EntitlementRef};

pub use source::{source, source_steps};
pub use target::{feed, target};

/// The step a scenario stopped at, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{step}: {message}")]
pub struct Broken {
    /// The step: `create`, `update`, `read`, ….
    pub step: &'static str,
    /// What the connector did instead.
    pub message: String,
    /// The steps that passed before it, so a report can show how far the plugin got.
    pub passed: Vec<&'static str>,
}

/// A scenario's answer: the steps that ran and passed, or the one that broke.
pub type Outcome<T = Vec<&'static str>> = Result<T, Broken>;

fn broken(step: &'static str, message: impl Into<String>) -> Broken {
    Broken {
        step,
        message: message.into(),
        passed: Vec::new(),
    }
}

/// What a scenario answers once `run` ended, `ran` holding the steps that passed by then.
fn ended<T>(run: Outcome<T>, ran: Vec<&'static str>) -> Outcome<(T, Vec<&'static str>)> {
    match run {
        Ok(value) => Ok((value, ran)),
        Err(broken) => Err(Broken {
            passed: ran,
            ..broken
        }),
    }
}

/// Fails `step` with the message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $step:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::broken($step, format!($($msg)+)));
        }
    };
}
pub(crate) use ensure;

/// The key [`TargetCase::new`] uses for an account that does not exist: one no target hands
/// out.
pub const MISSING: &str = "00000000-0000-4000-8000-00000000dead";

/// What to do to one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCase {
    /// The account to create; its user name must be free.
    pub spec: AccountSpec,
    /// An update; afterwards the account holds exactly these values.
    pub change: Vec<AttributeChange>,
    /// An entitlement to grant and revoke, when the target has any.
    pub entitlement: Option<EntitlementRef>,
    /// A key no account has.
    pub missing: String,
}

impl TargetCase {
    /// Creates `username` with `attributes`, then sets `change.0` to `change.1`; no
    /// entitlement, and a key no target hands out as the missing one.
    pub fn new(username: &str, attributes: &[(&str, &str)], change: (&str, &str)) -> Self {
        let attributes = attributes
            .iter()
            .map(|(name, value)| Attribute {
                name: (*name).to_owned(),
                value: (*value).to_owned(),
            })
            .collect();
        Self {
            spec: AccountSpec {
                username: username.into(),
                enabled: true,
                attributes,
            },
            change: vec![AttributeChange {
                name: change.0.into(),
                values: vec![change.1.into()],
            }],
            entitlement: None,
            missing: MISSING.into(),
        }
    }

    /// Grants and revokes this entitlement too.
    pub fn entitlement(mut self, kind: &str, key: &str) -> Self {
        self.entitlement = Some(EntitlementRef {
            kind: kind.into(),
            key: key.into(),
        });
        self
    }

    /// A key of the target's own form that no account has.
    pub fn missing(mut self, key: &str) -> Self {
        self.missing = key.into();
        self
    }
}

/// Every step of the target contract, in the order [`target`] runs them.
pub const EVERY_STEP: [&str; 10] = [
    "create",
    "list",
    "get",
    "not-found",
    "update",
    "grant",
    "revoke",
    "disable",
    "enable",
    "delete",
];

/// The steps of the target contract but `left_out` (a target without entitlements or delete).
pub fn every_step_but(left_out: &[&str]) -> Vec<&'static str> {
    EVERY_STEP
        .into_iter()
        .filter(|s| !left_out.contains(s))
        .collect()
}

/// A bound on the pages of one listing or feed.
const MAX_PAGES: usize = 1_000;
