//! Reading the role model from TOML, reporting every problem at once with file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use regex::Regex;
use tessera_domain::EntitlementRef;
use toml::{Spanned, Table};

use super::raw::{
    OneOrMany, RawAccount, RawFile, RawFollowUp, RawGrant, RawMatch, RawRule, RawSystem,
};
use super::{
    AccountRule, BusinessRule, Conditions, DEFAULT_APPROVAL_DAYS, DEFAULT_MAX_GRANT_DAYS, Field,
    FollowUp, Matcher, RoleModel, SystemRule, Template,
};

/// One problem in a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Every problem found in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ModelErrors(pub Vec<ModelError>);

impl fmt::Display for ModelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

/// Collects problems while a file is checked.
struct Checker<'t> {
    file: &'t str,
    text: &'t str,
    errors: Vec<ModelError>,
}

impl Checker<'_> {
    fn line_at(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    /// The line of `key` inside the section starting at `offset`, else the section's line.
    fn line_of(&self, offset: usize, key: &str) -> usize {
        let start = self.line_at(offset);
        let section = self.text.lines().skip(start - 1).enumerate();
        for (i, line) in section {
            if i > 0 && line.trim_start().starts_with('[') {
                break;
            }
            if contains_key(line, key) {
                return start + i;
            }
        }
        start
    }

    /// The line of the first `quoted` key a deserialiser message names.
    fn line_of_message(&self, offset: usize, message: &str) -> usize {
        let key = message.split('`').nth(1).unwrap_or_default();
        if key.is_empty() {
            self.line_at(offset)
        } else {
            self.line_of(offset, key)
        }
    }

    fn negative(&mut self, at: usize, what: &str, days: &[(&str, i64)]) {
        for (key, value) in days.iter().filter(|(_, v)| *v < 0) {
            let line = self.line_of(at, key);
            self.error(
                line,
                format!("{what}: {key} cannot be negative (is {value})"),
            );
        }
    }

    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push(ModelError {
            file: self.file.to_owned(),
            line,
            message: message.into(),
        });
    }
}

fn contains_key(line: &str, key: &str) -> bool {
    line.match_indices(key).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + key.len()..].trim_start().chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && matches!(after, Some('=' | '.' | ']'))
    })
}

impl RoleModel {
    /// Parses and checks a rule file; `file` is used in error messages only.
    pub fn parse(file: &str, text: &str) -> Result<Self, ModelErrors> {
        Self::parse_files(&[(file, text)])
    }

    /// Parses and checks several rule files as one model: the systems of every file first,
    /// so a rule may grant in a system another file defines. Every problem of every file is
    /// reported at once.
    pub fn parse_files(files: &[(&str, &str)]) -> Result<Self, ModelErrors> {
        let (mut parsed, mut errors) = read_files(files);
        let mut model = RoleModel::default();
        for (checker, raw) in &mut parsed {
            for (name, table) in std::mem::take(&mut raw.system) {
                let line = checker.line_at(table.span().start);
                match model.systems.entry(name) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let name = e.key();
                        checker.error(line, format!("system `{name}` is defined twice"));
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        if let Some(system) = checker.system(e.key(), table) {
                            e.insert(system);
                        }
                    }
                }
            }
        }
        let mut names = BTreeSet::new();
        for (mut checker, raw) in parsed {
            for table in raw.rule {
                if let Some(rule) = checker.rule(table, &model, &mut names) {
                    model.rules.push(rule);
                }
            }
            errors.extend(checker.errors);
        }
        if errors.is_empty() {
            model.digest = digest(files);
            Ok(model)
        } else {
            Err(ModelErrors(errors))
        }
    }
}

/// SHA-256 over every file's name and text, in order.
fn digest(files: &[(&str, &str)]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (file, text) in files {
        for part in [file.as_bytes(), b"\0", text.as_bytes(), b"\0"] {
            hasher.update(part);
        }
    }
    hex::encode(hasher.finalize())
}

/// Reads every file's TOML; files that are not TOML at all are reported and left out.
fn read_files<'t>(files: &[(&'t str, &'t str)]) -> (Vec<(Checker<'t>, RawFile)>, Vec<ModelError>) {
    let (mut parsed, mut errors) = (Vec::new(), Vec::new());
    for (file, text) in files {
        let mut checker = Checker {
            file,
            text,
            errors: Vec::new(),
        };
        match toml::from_str::<RawFile>(text) {
            Ok(raw) => parsed.push((checker, raw)),
            Err(e) => {
                let line = e.span().map_or(1, |s| checker.line_at(s.start));
                checker.error(line, e.message().to_owned());
                errors.extend(checker.errors);
            }
        }
    }
    (parsed, errors)
}

impl Checker<'_> {
    fn system(&mut self, name: &str, table: Spanned<Table>) -> Option<SystemRule> {
        let at = table.span().start;
        let raw: RawSystem = match toml::Value::Table(table.into_inner()).try_into() {
            Ok(raw) => raw,
            Err(e) => {
                let line = self.line_of_message(at, e.message());
                self.error(line, format!("system `{name}`: {}", e.message()));
                return None;
            }
        };
        for (action, t) in &raw.thresholds {
            if t.percent.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
                let line = self.line_of(at, action.as_str());
                self.error(line, format!("system `{name}`: percent must be 0 to 100"));
            }
        }
        let days = (name, at);
        let max_grant_days = self.days(
            days,
            "max_grant_days",
            raw.max_grant_days,
            DEFAULT_MAX_GRANT_DAYS,
            3650,
        );
        let approval_days = self.days(
            days,
            "approval_days",
            raw.approval_days,
            DEFAULT_APPROVAL_DAYS,
            365,
        );
        let account = self.account(name, at, raw.account)?;
        Some(SystemRule {
            name: name.to_owned(),
            account,
            deviations: raw.deviations,
            correlation: raw.correlation,
            thresholds: raw.thresholds,
            max_grant_days,
            approval_days,
        })
    }

    /// A system's `key` in days, 1 to `max`, or `default` when unset; out of range is an
    /// error at its line.
    fn days(
        &mut self,
        (system, at): (&str, usize),
        key: &str,
        value: Option<i64>,
        default: i64,
        max: i64,
    ) -> i64 {
        let days = value.unwrap_or(default);
        if !(1..=max).contains(&days) {
            let line = self.line_of(at, key);
            self.error(
                line,
                format!("system `{system}`: {key} must be 1 to {max}, got {days}"),
            );
        }
        days
    }

    fn account(&mut self, system: &str, at: usize, raw: RawAccount) -> Option<AccountRule> {
        let before = self.errors.len();
        let conditions = self.conditions(at, raw.when, &format!("system `{system}`"));
        if raw.username.is_empty() {
            let line = self.line_of(at, "username");
            self.error(
                line,
                format!("system `{system}`: `username` needs at least one template"),
            );
        }
        let usernames = raw
            .username
            .iter()
            .filter_map(|t| self.template(at, "username", t, system))
            .collect();
        let attributes = raw
            .attributes
            .iter()
            .filter_map(|(k, t)| Some((k.clone(), self.template(at, k, t, system)?)))
            .collect();
        let days = [
            ("create_days_before", raw.create_days_before),
            ("disable_after_days", raw.disable_after_days),
            ("delete_after_days", raw.delete_after_days.unwrap_or(0)),
        ];
        self.negative(at, &format!("system `{system}`"), &days);
        if raw
            .delete_after_days
            .is_some_and(|d| d < raw.disable_after_days)
        {
            let line = self.line_of(at, "delete_after_days");
            self.error(
                line,
                format!("system `{system}`: delete_after_days is before disable_after_days"),
            );
        }
        if raw.max_length < 3 {
            let line = self.line_of(at, "max_length");
            self.error(
                line,
                format!("system `{system}`: max_length must be at least 3"),
            );
        }
        (self.errors.len() == before).then_some(AccountRule {
            conditions,
            create_days_before: raw.create_days_before,
            disable_after_days: raw.disable_after_days,
            delete_after_days: raw.delete_after_days,
            usernames,
            username_max_length: raw.max_length,
            attributes,
        })
    }

    fn template(&mut self, at: usize, key: &str, text: &str, system: &str) -> Option<Template> {
        Template::parse(text)
            .map_err(|e| {
                let line = self.line_of(at, key);
                self.error(line, format!("system `{system}`: {e}"));
            })
            .ok()
    }

    fn rule(
        &mut self,
        table: Spanned<Table>,
        model: &RoleModel,
        names: &mut BTreeSet<String>,
    ) -> Option<BusinessRule> {
        let at = table.span().start;
        let raw: RawRule = match toml::Value::Table(table.into_inner()).try_into() {
            Ok(raw) => raw,
            Err(e) => {
                let line = self.line_of_message(at, e.message());
                self.error(line, format!("rule: {}", e.message()));
                return None;
            }
        };
        let before = self.errors.len();
        let what = format!("rule `{}`", raw.name);
        if raw.name.trim().is_empty() || !names.insert(raw.name.clone()) {
            let line = self.line_of(at, "name");
            self.error(line, format!("{what}: names must be present and unique"));
        }
        let days = [
            ("days_before_start", raw.days_before_start),
            ("days_after_end", raw.days_after_end),
        ];
        self.negative(at, &what, &days);
        let conditions = self.conditions(at, raw.when, &what);
        let (entitlements, follow_ups) = self.entitlements(at, raw.grants, model, &what);
        (self.errors.len() == before).then_some(BusinessRule {
            name: raw.name,
            conditions,
            status: raw.status,
            days_before_start: raw.days_before_start,
            days_after_end: raw.days_after_end,
            entitlements,
            follow_ups,
            grants_at: format!("{}:{}", self.file, self.line_of(at, "grants")),
        })
    }

    fn entitlements(
        &mut self,
        at: usize,
        raw: Vec<RawGrant>,
        model: &RoleModel,
        what: &str,
    ) -> (Vec<(String, EntitlementRef)>, Vec<FollowUp>) {
        let mut out = Vec::new();
        let mut follow_ups = Vec::new();
        for g in raw {
            if !model.systems.contains_key(&g.system) {
                let line = self.line_of(at, "grants");
                self.error(
                    line,
                    format!("{what}: grants in unknown system `{}`", g.system),
                );
            } else if g.kind.is_empty() || g.key.is_empty() {
                let line = self.line_of(at, "grants");
                self.error(line, format!("{what}: a grant needs a kind and a key"));
            } else {
                let entitlement = EntitlementRef {
                    kind: g.kind,
                    key: g.key,
                };
                let grant = (g.system, entitlement);
                if let Some(f) = g.follow_up {
                    follow_ups.extend(self.follow_up(at, grant.clone(), f, model, what));
                }
                out.push(grant);
            }
        }
        (out, follow_ups)
    }

    fn follow_up(
        &mut self,
        at: usize,
        grant: (String, EntitlementRef),
        raw: RawFollowUp,
        model: &RoleModel,
        what: &str,
    ) -> Option<FollowUp> {
        let line = self.line_of(at, "follow_up");
        if !model.systems.contains_key(&raw.system) {
            let message = format!("{what}: follow_up in unknown system `{}`", raw.system);
            self.error(line, message);
            return None;
        }
        let (system, hold) = (raw.system, raw.hold_until_resolved);
        FollowUp::new(grant, system, &raw.template, hold)
            .map_err(|e| self.error(line, format!("{what}: follow_up: {e}")))
            .ok()
    }

    fn conditions(&mut self, at: usize, raw: BTreeMap<String, RawMatch>, what: &str) -> Conditions {
        let mut fields = Vec::new();
        for (name, matcher) in raw {
            let line = self.line_of(at, &name);
            let Some(field) = parse_field(&name) else {
                self.error(line, format!("{what}: unknown contract field `{name}`"));
                continue;
            };
            match matchers(matcher) {
                Ok(m) if m.is_empty() => {
                    self.error(line, format!("{what}: `{name}` matches nothing"))
                }
                Ok(m) => fields.push((field, m)),
                Err(e) => self.error(line, format!("{what}: `{name}`: {e}")),
            }
        }
        Conditions { fields }
    }
}

fn parse_field(name: &str) -> Option<Field> {
    Some(match name {
        "kind" => Field::Kind,
        "department" => Field::Department,
        "title" => Field::Title,
        "location" => Field::Location,
        "cost_centre" => Field::CostCentre,
        "employer" => Field::Employer,
        _ => Field::Attribute(
            name.strip_prefix("attr.")
                .filter(|a| !a.is_empty())?
                .to_owned(),
        ),
    })
}

fn matchers(raw: RawMatch) -> Result<Vec<Matcher>, String> {
    let ops = match raw {
        RawMatch::One(v) => return Ok(vec![Matcher::Equals(v)]),
        RawMatch::Many(v) => return Ok(v.into_iter().map(Matcher::Equals).collect()),
        RawMatch::Ops(ops) => ops,
    };
    let mut out: Vec<Matcher> = Vec::new();
    let equals = ops.equals.map(OneOrMany::into_vec).unwrap_or_default();
    out.extend(
        equals
            .into_iter()
            .chain(ops.any_of.unwrap_or_default())
            .map(Matcher::Equals),
    );
    let prefixes = ops.prefix.map(OneOrMany::into_vec).unwrap_or_default();
    out.extend(prefixes.into_iter().map(Matcher::Prefix));
    for pattern in ops.regex.map(OneOrMany::into_vec).unwrap_or_default() {
        let re = Regex::new(&pattern).map_err(|e| format!("bad regex `{pattern}`: {e}"))?;
        out.push(Matcher::Regex(re));
    }
    Ok(out)
}
