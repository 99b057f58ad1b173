//! The comparison of one system's SOLL with its IST, person by person.

use std::collections::{BTreeSet, HashMap, HashSet};

use tessera_domain::{Attribute, AttributeChange, EntitlementRef, same_values, values_of};
use tessera_store::{DeviationReview, ReviewVerdict, Shadow};

use super::{AccountRef, Deviation, Operation, PlanInput, PlannedOp};
use crate::contract::primary;
use crate::error::{Error, Result};
use crate::ist::{AccountSituation, Situation, situations};
use crate::model::{DeviationPolicy, FollowUpSoll, SystemRule, TemplateContext};
use crate::soll::{AccountSoll, AccountState, EntitlementSoll, GrantSource, person_value};
use crate::username::free_usernames;

/// How many further user names a create carries for when its first is taken on the target.
const USERNAME_FALLBACKS: usize = 3;

const DEVIATION_WHY: &str = "deviation: held without a rule or manual grant";

pub(super) struct DiffOut {
    pub operations: Vec<PlannedOp>,
    pub situations: Vec<AccountSituation>,
    pub deviations: Vec<Deviation>,
}

struct Differ<'a> {
    input: &'a PlanInput<'a>,
    system: &'a SystemRule,
    held: HashMap<&'a str, BTreeSet<EntitlementRef>>,
    managed: HashSet<&'a EntitlementRef>,
    taken: HashSet<String>,
    out: DiffOut,
}

pub(super) fn diff(input: &PlanInput<'_>, system: &SystemRule) -> Result<DiffOut> {
    let values = input.index.correlation.get(input.system);
    let situations = situations(input.shadows, values, system.correlation.as_ref());
    let mut held: HashMap<&str, BTreeSet<EntitlementRef>> = HashMap::new();
    for m in input.memberships {
        held.entry(m.account.as_str())
            .or_default()
            .insert(m.entitlement.clone());
    }
    let managed = input
        .model
        .rules
        .iter()
        .flat_map(|r| &r.entitlements)
        .filter(|(s, _)| s == input.system)
        .map(|(_, e)| e)
        .collect();
    let taken = input.taken.clone();
    let mut differ = Differ {
        input,
        system,
        held,
        managed,
        taken,
        out: DiffOut {
            operations: Vec::new(),
            situations: Vec::new(),
            deviations: Vec::new(),
        },
    };
    differ.run(&situations)?;
    differ.out.situations = situations;
    Ok(differ.out)
}

impl<'a> Differ<'a> {
    fn run(&mut self, situations: &[AccountSituation]) -> Result<()> {
        let live: HashMap<&str, &Shadow> = self
            .input
            .shadows
            .iter()
            .filter(|s| !s.dead)
            .map(|s| (s.key.as_str(), s))
            .collect();
        let (owned, unlinked) = owners(situations, &live);
        let mut handled: HashSet<&str> = HashSet::new();
        let (input, index) = (self.input, self.input.index);
        input
            .desired
            .each(input.system, &index.known, &mut |person, account| {
                let linked = owned.get(person).copied();
                let shadow = linked.or_else(|| unlinked.get(person).copied());
                if let Some(s) = shadow {
                    handled.insert(&s.key);
                }
                self.person(person, account, shadow, linked.is_none())
            })?;
        for s in live.values().filter(|s| !handled.contains(s.key.as_str())) {
            match s.person.as_deref() {
                // Owned by someone who is no longer a person here: the account should go.
                Some(owner) if !index.known.contains(owner) => self.existing(owner, None, s),
                // A second account of a known person is for a human to sort out.
                Some(_) => {}
                None => self.report_unowned(s),
            }
        }
        self.out.operations.sort_by(|a, b| {
            a.op.phase()
                .cmp(&b.op.phase())
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(())
    }

    fn person(
        &mut self,
        person: &str,
        account: Option<&AccountSoll>,
        shadow: Option<&Shadow>,
        needs_link: bool,
    ) -> Result<()> {
        let state = account.map_or(AccountState::Absent, |a| a.state);
        match shadow {
            Some(s) if needs_link && state == AccountState::Absent => self.report_unowned(s),
            Some(s) => {
                if needs_link {
                    let why = format!("correlated with {person}");
                    self.push(
                        Operation::Link {
                            account: s.key.clone(),
                        },
                        person,
                        why,
                    );
                }
                self.existing(person, account, s);
            }
            None if matches!(state, AccountState::Enabled | AccountState::Disabled) => {
                if let Some(a) = account {
                    self.create(person, a)?;
                }
            }
            None => {}
        }
        Ok(())
    }

    fn create(&mut self, id: &str, a: &AccountSoll) -> Result<()> {
        let person = (self.input.person)(id)?.ok_or_else(|| Error::UnknownPerson(id.to_owned()))?;
        // Someone no source lists any more gets no new account: the account rule only winds
        // down the ones they have.
        if person
            .attributes
            .iter()
            .any(|a| a.name == crate::import::LEFT_SOURCES_ON)
        {
            return Ok(());
        }
        let rule = &self.system.account;
        let ctx = TemplateContext {
            person: &person,
            primary: primary(&person.contracts, (self.input.today, self.input.model.zone)),
        };
        let mut names = free_usernames(
            &rule.usernames,
            &ctx,
            rule.username_max_length,
            &self.taken,
            1 + USERNAME_FALLBACKS,
        );
        let username = names.remove(0);
        self.taken.insert(username.clone());
        let correlate = self.system.correlation.as_ref().and_then(|c| {
            person_value(&person, &c.person_field).map(|value| Attribute {
                name: c.account_attribute.clone(),
                value,
            })
        });
        let enabled = a.state == AccountState::Enabled;
        let why = format!(
            "account rule of {}: contracts {}",
            a.system,
            a.contracts.join(", ")
        );
        let op = Operation::Create {
            username: username.clone(),
            enabled,
            attributes: a.attributes.clone(),
            fallbacks: names,
            correlate,
        };
        self.push(op, id, why);
        for w in wanted(&a.entitlements) {
            let op = Operation::Grant {
                account: AccountRef::New(username.clone()),
                entitlement: w.entitlement,
            };
            self.push_grant(op, id, w.why, w.follow_up);
        }
        Ok(())
    }

    fn existing(&mut self, person: &str, account: Option<&AccountSoll>, s: &Shadow) {
        let state = account.map_or(AccountState::Absent, |a| a.state);
        let key = s.key.clone();
        if state == AccountState::Absent {
            let op = if self.input.info.supports_delete {
                Operation::Delete { account: key }
            } else if s.enabled {
                Operation::Disable { account: key }
            } else {
                return;
            };
            return self.push(
                op,
                person,
                "no contract gives an account any more".to_owned(),
            );
        }
        match (state == AccountState::Enabled, s.enabled) {
            (true, false) => self.push(
                Operation::Enable {
                    account: key.clone(),
                },
                person,
                "a contract is active".to_owned(),
            ),
            (false, true) => self.push(
                Operation::Disable {
                    account: key.clone(),
                },
                person,
                "no active contract".to_owned(),
            ),
            _ => {}
        }
        let Some(a) = account else { return };
        self.update(person, a, s);
        self.entitlements(person, a, s);
    }

    fn update(&mut self, person: &str, a: &AccountSoll, s: &Shadow) {
        let mut names: Vec<&str> = a.attributes.iter().map(|w| w.name.as_str()).collect();
        names.dedup();
        let changes: Vec<AttributeChange> = names
            .into_iter()
            .filter_map(|name| {
                let want = values_of(&a.attributes, name);
                let have = values_of(&s.attributes, name);
                (!same_values(&want, &have)).then(|| AttributeChange {
                    name: name.to_owned(),
                    values: want.into_iter().map(str::to_owned).collect(),
                })
            })
            .collect();
        if !changes.is_empty() {
            let op = Operation::Update {
                account: s.key.clone(),
                changes,
            };
            self.push(op, person, "mapped attributes changed".to_owned());
        }
    }

    fn entitlements(&mut self, person: &str, a: &AccountSoll, s: &Shadow) {
        let held = self.held.get(s.key.as_str()).cloned().unwrap_or_default();
        let wanted = wanted(&a.entitlements);
        for w in wanted.iter().filter(|w| !held.contains(&w.entitlement)) {
            let op = Operation::Grant {
                account: AccountRef::Key(s.key.clone()),
                entitlement: w.entitlement.clone(),
            };
            self.push_grant(op, person, w.why.clone(), w.follow_up.clone());
        }
        for entitlement in held
            .into_iter()
            .filter(|e| !wanted.iter().any(|w| &w.entitlement == e))
        {
            if self.managed.contains(&entitlement) || self.ever_granted(person, &entitlement) {
                let op = Operation::Revoke {
                    account: s.key.clone(),
                    entitlement,
                };
                self.push(
                    op,
                    person,
                    "no rule or manual grant gives it any more".to_owned(),
                );
            } else {
                self.deviation(Some(person), s, entitlement, self.system.deviations);
            }
        }
    }

    /// Whether a manual grant, even a withdrawn or expired one, gave this entitlement.
    fn ever_granted(&self, person: &str, entitlement: &EntitlementRef) -> bool {
        self.input.grants.iter().any(|g| {
            g.person == person && g.system == self.input.system && &g.entitlement == entitlement
        })
    }

    fn deviation(
        &mut self,
        person: Option<&str>,
        s: &Shadow,
        entitlement: EntitlementRef,
        policy: DeviationPolicy,
    ) {
        let account = s.key.clone();
        let today = self.input.today;
        let key = (self.input.system, account.as_str(), &entitlement);
        let review = DeviationReview::in_force(self.input.reviews, key, today);
        let policy = match person {
            Some(_) => policy,
            None => DeviationPolicy::Report,
        };
        let (op, why) = match (review, policy) {
            (Some(r), _) if r.verdict == ReviewVerdict::Revoke => (
                Some(Operation::Revoke {
                    account: account.clone(),
                    entitlement: entitlement.clone(),
                }),
                format!("deviation review #{} by {}: {}", r.id, r.by, r.reason),
            ),
            // Excluded by a reviewer: left alone until the exclusion's last day.
            (Some(_), _) | (None, DeviationPolicy::Report) => (None, String::new()),
            (None, DeviationPolicy::Revoke) => (
                Some(Operation::Revoke {
                    account: account.clone(),
                    entitlement: entitlement.clone(),
                }),
                DEVIATION_WHY.to_owned(),
            ),
            (None, DeviationPolicy::Adopt) => (
                Some(Operation::Adopt {
                    account: account.clone(),
                    entitlement: entitlement.clone(),
                }),
                DEVIATION_WHY.to_owned(),
            ),
        };
        if let Some(op) = op {
            self.out.operations.push(PlannedOp::new(op, person, why));
        }
        self.out.deviations.push(Deviation {
            system: self.input.system.to_owned(),
            account,
            username: s.username.clone(),
            person: person.map(str::to_owned),
            entitlement,
            policy,
            review: review.cloned(),
            name: None,
        });
    }

    /// Accounts nobody owns are listed, never changed: their rights are deviations to review.
    fn report_unowned(&mut self, s: &Shadow) {
        let held = self.held.get(s.key.as_str()).cloned().unwrap_or_default();
        for entitlement in held {
            self.deviation(None, s, entitlement, DeviationPolicy::Report);
        }
    }

    fn push(&mut self, op: Operation, person: &str, why: String) {
        self.out
            .operations
            .push(PlannedOp::new(op, Some(person), why));
    }

    fn push_grant(&mut self, op: Operation, person: &str, why: String, f: Option<FollowUpSoll>) {
        let mut planned = PlannedOp::new(op, Some(person), why);
        planned.follow_up = f;
        self.out.operations.push(planned);
    }
}

type ByPerson<'s> = HashMap<&'s str, &'s Shadow>;

/// Live accounts by owner, and by their single correlation candidate.
fn owners<'s>(
    situations: &'s [AccountSituation],
    live: &HashMap<&str, &'s Shadow>,
) -> (ByPerson<'s>, ByPerson<'s>) {
    let (mut owned, mut unlinked) = (HashMap::new(), HashMap::new());
    for s in situations {
        let (Some(person), Some(shadow)) = (s.person.as_deref(), live.get(s.account.as_str()))
        else {
            continue;
        };
        let map = match s.situation {
            Situation::Linked => &mut owned,
            Situation::Unlinked => &mut unlinked,
            _ => continue,
        };
        map.entry(person).or_insert(*shadow);
    }
    (owned, unlinked)
}

/// The distinct entitlements wanted, each with the reasons for it.
/// An entitlement a person should hold, why, and the ticket its rule asks for.
struct Wanted {
    entitlement: EntitlementRef,
    why: String,
    follow_up: Option<FollowUpSoll>,
}

fn wanted(items: &[EntitlementSoll]) -> Vec<Wanted> {
    let mut out: Vec<Wanted> = Vec::new();
    for e in items {
        let why = match &e.source {
            GrantSource::Rule { name } => {
                format!("rule `{name}` (contracts {})", e.contracts.join(", "))
            }
            GrantSource::Manual { id, reason, author } => {
                format!("manual grant #{id} by {author}: {reason}")
            }
        };
        match out.iter_mut().find(|w| w.entitlement == e.entitlement) {
            Some(w) => {
                w.why.push_str("; ");
                w.why.push_str(&why);
                // Any rule that asks for a ticket asks for it.
                if w.follow_up.is_none() {
                    w.follow_up.clone_from(&e.follow_up);
                }
            }
            None => out.push(Wanted {
                entitlement: e.entitlement.clone(),
                why,
                follow_up: e.follow_up.clone(),
            }),
        }
    }
    out
}
