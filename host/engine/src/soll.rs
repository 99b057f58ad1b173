//! SOLL: the accounts and entitlements each person should have, with the reasons and dates.
//!
//! Everything here is a pure function of the role model, the person, the manual grants and
//! `today`; the preview and the real run share it. [`compute_desired`] is the sync's SOLL
//! stage: it computes every person's once and keeps it for the plans.

mod snapshot;
pub mod summary;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tessera_domain::{Attribute, Contract, EntitlementRef, Person, Zone};
use tessera_store::{ManualGrant, Store};

use crate::contract::{primary, shift, window};
use crate::follow_up::TicketLink;
use crate::model::{AccountRule, FollowUpSoll, RoleModel, SystemRule, TemplateContext};
use crate::plan::op_key;

pub use snapshot::{
    Computed, DesiredStates, PersonIndex, basis, compute_desired, compute_desired_of, person_value,
};

/// What one person should have in every system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonSoll {
    /// Person id.
    pub person: String,
    /// Display name.
    pub name: String,
    /// The primary contract's id.
    pub primary_contract: Option<String>,
    /// One entry per system where the person has or will have an account.
    pub accounts: Vec<AccountSoll>,
}

/// The lifecycle state an account should be in today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountState {
    /// Exists and can log in.
    Enabled,
    /// Exists, cannot log in yet (before the first start); create it if missing.
    Disabled,
    /// Exists, cannot log in any more (after the last end); never created anew.
    Retained,
    /// Should not exist (yet or any more).
    Absent,
}

/// When the account changes state, as far as today's contracts tell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDates {
    /// Created (disabled) on.
    pub create_on: Option<NaiveDate>,
    /// Enabled on.
    pub enable_on: Option<NaiveDate>,
    /// Disabled on; `None` while a contract is open-ended.
    pub disable_on: Option<NaiveDate>,
    /// Deleted on; `None` when it is never deleted or a contract is open-ended.
    pub delete_on: Option<NaiveDate>,
}

/// One account the person should have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSoll {
    /// Target system.
    pub system: String,
    /// Its state today.
    pub state: AccountState,
    /// Contracts that produce it.
    pub contracts: Vec<String>,
    /// When it changes.
    pub dates: AccountDates,
    /// Mapped attributes.
    pub attributes: Vec<Attribute>,
    /// Entitlements it should hold.
    pub entitlements: Vec<EntitlementSoll>,
}

/// Why an entitlement is wanted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum GrantSource {
    /// A business rule.
    Rule {
        /// The rule's name.
        name: String,
    },
    /// A manual grant.
    Manual {
        /// Grant id.
        id: i64,
        /// Its reason.
        reason: String,
        /// Who granted it.
        author: String,
    },
}

impl GrantSource {
    /// Why, in words: "rule `IC nurses`" or "manual grant #7 by olga: on call".
    pub fn words(&self) -> String {
        match self {
            Self::Rule { name } => format!("rule `{name}`"),
            Self::Manual { id, reason, author } => {
                format!("manual grant #{id} by {author}: {reason}")
            }
        }
    }
}

/// One entitlement the person should hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitlementSoll {
    /// The entitlement.
    pub entitlement: EntitlementRef,
    /// Why.
    pub source: GrantSource,
    /// Contracts in the rule's conditions.
    pub contracts: Vec<String>,
    /// Held from (already widened by days before start).
    pub from: Option<NaiveDate>,
    /// Held until (already widened by days after end); `None` is open-ended.
    pub until: Option<NaiveDate>,
    /// The entitlement's name in the target's catalogue; filled in for people to read
    /// ([`preview`]), never part of the desired state itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The ticket the rule asks for when it grants this (`follow_up`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUpSoll>,
    /// The ticket opened for that follow-up; filled in for people to read ([`preview`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<TicketLink>,
}

/// Computes what `person` should have in every system of the model.
pub fn person_soll(
    model: &RoleModel,
    person: &Person,
    grants: &[ManualGrant],
    today: NaiveDate,
) -> PersonSoll {
    let primary = primary(&person.contracts, (today, model.zone));
    let ctx = TemplateContext { person, primary };
    let accounts = model
        .systems
        .values()
        .filter_map(|system| account_soll(model, system, &ctx, grants, today))
        .collect();
    PersonSoll {
        person: person.id.clone(),
        name: display_name(person),
        primary_contract: primary.map(|c| c.id.clone()),
        accounts,
    }
}

/// The preview for one person, or `None` when there is no such person.
pub fn preview(
    store: &dyn Store,
    model: &RoleModel,
    person_id: &str,
    today: NaiveDate,
) -> crate::Result<Option<PersonSoll>> {
    let Some(person) = store.person(person_id)? else {
        return Ok(None);
    };
    let grants = store.grants(false)?;
    let mut soll = person_soll(model, &person, &grants, today);
    for account in &mut soll.accounts {
        let catalogue = store.entitlements(&account.system)?;
        for e in &mut account.entitlements {
            let listed = catalogue
                .iter()
                .find(|c| c.kind == e.entitlement.kind && c.key == e.entitlement.key);
            e.name = listed.map(|c| c.display_name.clone());
            if e.follow_up.is_some() {
                let key = op_key("grant", person_id, Some(&e.entitlement));
                let ticket = store.ticket_for(&account.system, &key)?;
                e.ticket = ticket.as_ref().map(TicketLink::of);
            }
        }
    }
    Ok(Some(soll))
}

/// The name people read: given, prefix and family, without gaps for missing parts.
pub fn display_name(p: &Person) -> String {
    let parts = [
        Some(p.name.given.as_str()),
        p.name.prefix.as_deref(),
        Some(p.name.family.as_str()),
    ];
    parts
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn account_soll(
    model: &RoleModel,
    system: &SystemRule,
    ctx: &TemplateContext<'_>,
    grants: &[ManualGrant],
    today: NaiveDate,
) -> Option<AccountSoll> {
    let rule = &system.account;
    let eligible: Vec<&Contract> = ctx
        .person
        .contracts
        .iter()
        .filter(|c| rule.conditions.matches(c))
        .collect();
    let on = (today, model.zone);
    let state = account_state(rule, &eligible, on);
    let recent = window(on, i64::MAX / 4, rule.disable_after_days);
    let relevant: Vec<&Contract> = eligible.iter().copied().filter(|c| recent(c)).collect();
    if state == AccountState::Absent && relevant.is_empty() {
        return None;
    }
    let shown = if relevant.is_empty() {
        &eligible
    } else {
        &relevant
    };
    let entitlements = if state == AccountState::Absent {
        Vec::new()
    } else {
        entitlements(model, &system.name, ctx, grants, today)
    };
    Some(AccountSoll {
        system: system.name.clone(),
        state,
        contracts: shown.iter().map(|c| c.id.clone()).collect(),
        dates: account_dates(rule, model.zone, &eligible, &relevant),
        attributes: rule
            .attributes
            .iter()
            .map(|(name, t)| Attribute {
                name: name.clone(),
                // A missing part (no prefix) must not leave a double space behind.
                value: t
                    .render(ctx, None)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect(),
        entitlements,
    })
}

/// The lifecycle: created N days before a start (disabled), enabled from the start until the
/// end plus grace, kept disabled until D days after the last end, then gone.
pub fn account_state(
    rule: &AccountRule,
    eligible: &[&Contract],
    on: (NaiveDate, Zone),
) -> AccountState {
    let any = |before: i64, after: i64| {
        let active = window(on, before, after);
        eligible.iter().any(|c| active(c))
    };
    let grace = rule.disable_after_days;
    if any(0, grace) {
        return AccountState::Enabled;
    }
    if any(rule.create_days_before, grace) {
        return AccountState::Disabled;
    }
    let keep = rule.delete_after_days.unwrap_or(i64::MAX / 4);
    if any(0, keep) {
        return AccountState::Retained;
    }
    AccountState::Absent
}

fn account_dates(
    rule: &AccountRule,
    zone: Zone,
    eligible: &[&Contract],
    relevant: &[&Contract],
) -> AccountDates {
    let enable_on = relevant
        .iter()
        .filter_map(|c| c.start.map(|s| s.day(zone)))
        .min();
    let last_end = if eligible.iter().any(|c| c.end.is_none()) {
        None
    } else {
        eligible
            .iter()
            .filter_map(|c| c.end.map(|e| e.day(zone)))
            .max()
    };
    AccountDates {
        create_on: enable_on.map(|d| shift(d, -rule.create_days_before)),
        enable_on,
        disable_on: last_end.map(|d| shift(d, rule.disable_after_days + 1)),
        delete_on: last_end
            .zip(rule.delete_after_days)
            .map(|(d, n)| shift(d, n + 1)),
    }
}

fn entitlements(
    model: &RoleModel,
    system: &str,
    ctx: &TemplateContext<'_>,
    grants: &[ManualGrant],
    today: NaiveDate,
) -> Vec<EntitlementSoll> {
    let person = ctx.person;
    let mut out = Vec::new();
    // Only rules that grant something here; checking the others is wasted work.
    let rules = model
        .rules
        .iter()
        .filter(|r| r.entitlements.iter().any(|(s, _)| s == system));
    for rule in rules {
        let Some(contracts) = rule.in_conditions(&person.contracts, (today, model.zone)) else {
            continue;
        };
        let from = contracts
            .iter()
            .filter_map(|c| c.start)
            .map(|s| shift(s.day(model.zone), -rule.days_before_start))
            .min();
        let open = contracts.is_empty() || contracts.iter().any(|c| c.end.is_none());
        let until = contracts
            .iter()
            .filter_map(|c| c.end)
            .map(|e| shift(e.day(model.zone), rule.days_after_end))
            .max();
        for (_, entitlement) in rule.entitlements.iter().filter(|(s, _)| s == system) {
            out.push(EntitlementSoll {
                entitlement: entitlement.clone(),
                source: GrantSource::Rule {
                    name: rule.name.clone(),
                },
                contracts: contracts.iter().map(|c| c.id.clone()).collect(),
                from,
                until: if open { None } else { until },
                name: None,
                follow_up: rule
                    .follow_ups
                    .iter()
                    .find(|f| f.concerns(system, entitlement))
                    .map(|f| f.for_person(ctx)),
                ticket: None,
            });
        }
    }
    // A grant without an end of its own ends `max_grant_days` after it was made: rights
    // given by hand (or adopted) are looked at again, not kept forever.
    let max = model.max_grant_days(system);
    let manual = grants.iter().filter_map(|g| {
        let made = model.zone.day_of(g.created_at);
        let until = g.until.unwrap_or_else(|| shift(made, max));
        let mine = g.person == person.id && g.system == system;
        (mine && g.holds_on(today) && today <= until).then_some((g, made, until))
    });
    out.extend(manual.map(|(g, made, until)| EntitlementSoll {
        entitlement: g.entitlement.clone(),
        source: GrantSource::Manual {
            id: g.id,
            reason: g.reason.clone(),
            author: g.author.clone(),
        },
        contracts: Vec::new(),
        from: Some(made),
        until: Some(until),
        name: None,
        follow_up: None,
        ticket: None,
    }));
    out
}

impl PersonSoll {
    /// A plain-text rendering for terminals.
    pub fn to_text(&self) -> String {
        self.to_text_with(None)
    }

    /// [`PersonSoll::to_text`], with `person`'s shifts grouped into words ("8 shifts in IC,
    /// 29 Nov – 6 Dec", days in the zone) instead of their ids.
    pub fn to_text_with(&self, person: Option<(&Person, Zone)>) -> String {
        let contracts = |ids: &[String]| match person {
            Some((p, zone)) => summary::contracts_in_words(ids, p, zone),
            None => ids.join(", "),
        };
        let mut out = format!("{} ({})\n", self.name, self.person);
        let date = |d: Option<NaiveDate>| d.map_or("-".to_owned(), |d| d.to_string());
        for a in &self.accounts {
            out.push_str(&format!(
                "  {}: account {:?} (contracts {}); create {}, enable {}, disable {}, delete {}\n",
                a.system,
                a.state,
                contracts(&a.contracts),
                date(a.dates.create_on),
                date(a.dates.enable_on),
                date(a.dates.disable_on),
                date(a.dates.delete_on),
            ));
            for e in &a.entitlements {
                let why = e.source.words();
                let name = e
                    .name
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "    {}/{}{name} from {} until {} by {why} (contracts {})\n",
                    e.entitlement.kind,
                    e.entitlement.key,
                    date(e.from),
                    date(e.until),
                    contracts(&e.contracts),
                ));
                if let Some(f) = &e.follow_up {
                    let wait = if f.hold {
                        ", the grant waits for it"
                    } else {
                        ""
                    };
                    let ticket = e
                        .ticket
                        .as_ref()
                        .map_or("not yet opened".into(), |t| t.to_string());
                    out.push_str(&format!(
                        "      follow-up in {}{wait}: {ticket}\n",
                        f.system
                    ));
                }
            }
        }
        out
    }
}
