//! Persons, contracts and the simulated calendar, built the one way every test builds them.

use chrono::{DateTime, Days, NaiveDate, Utc};
use tessera_domain::{Attribute, CodeName, Contract, ContractKind, Person, PersonName, Timestamp};

/// A day of the simulated calendar: day 0 is 2026-11-01.
pub fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1)
        .and_then(|d| d.checked_add_days(Days::new(n)))
        .expect("a day of the simulated calendar")
}

/// A date written `YYYY-MM-DD`.
pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("a YYYY-MM-DD date")
}

/// Noon of a day, as runs on that day record it.
pub fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).expect("noon").and_utc()
}

/// A person with a given and a family name and the contracts.
pub fn person(id: &str, given: &str, family: &str, contracts: Vec<Contract>) -> Person {
    Person {
        id: id.into(),
        name: PersonName {
            given: given.into(),
            family: family.into(),
            ..PersonName::default()
        },
        email: None,
        phone: None,
        contracts,
        attributes: vec![],
    }
}

/// A contract of `kind` in a department `(code, name)`, from `start` to `end` (open-ended when
/// `None`).
pub fn contract(
    kind: ContractKind,
    id: &str,
    dept: (&str, &str),
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Contract {
    Contract {
        id: id.into(),
        kind,
        start: Some(Timestamp::Date(start)),
        end: end.map(Timestamp::Date),
        department: Some(CodeName {
            code: dept.0.into(),
            name: dept.1.into(),
        }),
        title: None,
        location: None,
        cost_centre: None,
        employer: None,
        fte: None,
        hours_per_week: None,
        sequence: None,
        attributes: vec![],
    }
}

/// An employment in a department `(code, name)` from `start`, open-ended when `end` is `None`.
pub fn employment(
    id: &str,
    dept: (&str, &str),
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Contract {
    contract(ContractKind::Employment, id, dept, start, end)
}

/// A shift in a department whose code is also its name.
pub fn shift(id: &str, dept: &str, start: NaiveDate, end: NaiveDate) -> Contract {
    contract(ContractKind::Shift, id, (dept, dept), start, Some(end))
}

/// What tests add to a person after building it.
pub trait PersonExt {
    /// A name prefix (`van der`).
    fn prefixed(self, prefix: &str) -> Self;
    /// An attribute.
    fn with_attr(self, name: &str, value: &str) -> Self;
    /// An e-mail address.
    fn with_email(self, email: &str) -> Self;
}

impl PersonExt for Person {
    fn prefixed(mut self, prefix: &str) -> Self {
        self.name.prefix = Some(prefix.to_owned());
        self
    }

    fn with_attr(mut self, name: &str, value: &str) -> Self {
        self.attributes.push(attribute(name, value));
        self
    }

    fn with_email(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self
    }
}

/// What tests add to a contract after building it.
pub trait ContractExt {
    /// A title (function) `(code, name)`.
    fn titled(self, title: (&str, &str)) -> Self;
    /// An employer whose code is also its name.
    fn employed_by(self, employer: &str) -> Self;
    /// An attribute.
    fn with_attr(self, name: &str, value: &str) -> Self;
}

impl ContractExt for Contract {
    fn titled(mut self, title: (&str, &str)) -> Self {
        self.title = Some(CodeName {
            code: title.0.into(),
            name: title.1.into(),
        });
        self
    }

    fn employed_by(mut self, employer: &str) -> Self {
        self.employer = Some(CodeName {
            code: employer.into(),
            name: employer.into(),
        });
        self
    }

    fn with_attr(mut self, name: &str, value: &str) -> Self {
        self.attributes.push(attribute(name, value));
        self
    }
}

/// A name and a value.
pub fn attribute(name: &str, value: &str) -> Attribute {
    Attribute {
        name: name.into(),
        value: value.into(),
    }
}

/// One run's import of `source` into `store` as system `system` at noon of `today`, thresholds
/// forced: what a source plugin's joiner, mover and leaver tests compare run by run.
pub async fn forced_import(
    store: &tessera_store::SqliteStore,
    source: &mut dyn tessera_domain::SourceConnector,
    system: &str,
    today: NaiveDate,
) -> tessera_engine::import::ImportReport {
    use tessera_engine::import::{ImportOptions, SourceSettings, import};
    let options = ImportOptions {
        force: true,
        ..ImportOptions::default()
    };
    import(
        store,
        source,
        system,
        &SourceSettings::default(),
        options,
        noon(today),
    )
    .await
    .expect("import")
}
