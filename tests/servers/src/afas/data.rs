//! The employees and employment rows the mock serves, spelled as the two Tools4ever
//! GetConnectors spell them: every field present, empty ones as explicit nulls, dates as
//! `YYYY-MM-DDT00:00:00Z` although they are Amsterdam local days.

use std::collections::{HashMap, HashSet};

use chrono::{Months, NaiveDate};
use serde_json::{Map, Value, json};

/// What the mock's Profit holds.
#[derive(Debug, Clone, Default)]
pub struct AfasData {
    pub employees: Vec<Employee>,
    pub employments: Vec<Employment>,
}

/// One employee (a `Medewerker`) with the name parts Profit keeps.
#[derive(Debug, Clone)]
pub struct Employee {
    /// `Medewerker`, the employee number.
    pub number: String,
    /// `Voornaam`.
    pub given: String,
    /// `Roepnaam`, the name used.
    pub nickname: Option<String>,
    /// `Voorletters`.
    pub initials: Option<String>,
    /// `Voorvoegsel` and `Geboortenaam`: the birth name.
    pub prefix: Option<String>,
    pub family: String,
    /// `Voorvoegsel_partner` and `Geboortenaam_partner`.
    pub partner_prefix: Option<String>,
    pub partner_family: Option<String>,
    /// `Naamgebruik_code`: 0 birth name, 1 partner + birth, 2 partner, 3 birth + partner.
    pub convention: u8,
    /// `Email_werk`.
    pub email: Option<String>,
    /// `Telefoonnr_werk`.
    pub phone: Option<String>,
}

impl Employee {
    /// An employee known by their birth name.
    pub fn new(number: &str, given: &str, family: &str) -> Self {
        Self {
            number: number.to_owned(),
            given: given.to_owned(),
            nickname: Some(given.to_owned()),
            initials: given.chars().next().map(|c| format!("{c}.")),
            prefix: None,
            family: family.to_owned(),
            partner_prefix: None,
            partner_family: None,
            convention: 0,
            email: Some(format!(
                "{}.{}@zkh.example.nl",
                given.to_lowercase(),
                family.to_lowercase().replace(' ', "")
            )),
            phone: None,
        }
    }

    fn row(&self) -> Map<String, Value> {
        let name = [
            self.nickname.as_deref(),
            self.prefix.as_deref(),
            Some(&self.family),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        object(json!({
            "Medewerker": self.number,
            "Gebruiker": null,
            "Persoonsnummer": format!("P{}", self.number),
            "DisplayName": name,
            "Geblokkeerd": false,
            "UPN": self.email,
            "Email_werk_gebruiker": self.email,
            "Email_portal": self.email,
            "Voorletters": self.initials,
            "Roepnaam": self.nickname,
            "Voornaam": self.given,
            "Voorvoegsel": self.prefix,
            "Geboortenaam": self.family,
            "Geboortenaam_partner": self.partner_family,
            "Voorvoegsel_partner": self.partner_prefix,
            "Naamgebruik_code": self.convention.to_string(),
            "Mobielnr_werk": null,
            "Telefoonnr_werk": self.phone,
            "Email_werk": self.email,
        }))
    }
}

/// One employment row (AFAS `AfasHrEmployeeDepFun`): an organisational unit and function for
/// a period.
#[derive(Debug, Clone)]
pub struct Employment {
    /// `ExternalID`, the row's GUID.
    pub id: String,
    /// `Medewerker`.
    pub employee: String,
    /// `Organisatorische_eenheid_code` and `_omschrijving`.
    pub unit: (String, String),
    /// `Functie_code` and `Functie_omschrijving`.
    pub function: (String, String),
    /// `Begindatum_functie`, `Einddatum_functie` (none: open-ended).
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// `Uren_per_week`, `FTE`.
    pub hours: Option<f64>,
    pub fte: Option<f64>,
    /// `Volgnummer_contract`.
    pub sequence: u32,
    /// `Soort_medewerker_code`; `N` rows are left out by the GetConnector's fixed filter.
    pub kind_code: String,
}

impl Employment {
    /// A full-time, open-ended row from `start`.
    pub fn new(
        id: &str,
        employee: &str,
        unit: (&str, &str),
        function: (&str, &str),
        start: NaiveDate,
    ) -> Self {
        Self {
            id: id.to_owned(),
            employee: employee.to_owned(),
            unit: (unit.0.to_owned(), unit.1.to_owned()),
            function: (function.0.to_owned(), function.1.to_owned()),
            start,
            end: None,
            hours: Some(36.0),
            fte: Some(1.0),
            sequence: 1,
            kind_code: "M".to_owned(),
        }
    }

    /// In the GetConnector's fixed window around `today`: started before three months ahead,
    /// not ended three months ago.
    fn in_window(&self, today: NaiveDate) -> bool {
        let ahead = today.checked_add_months(Months::new(3)).unwrap_or(today);
        let back = today.checked_sub_months(Months::new(3)).unwrap_or(today);
        self.start < ahead && self.end.is_none_or(|e| e > back)
    }

    fn row(&self, employee: Option<&Employee>) -> Map<String, Value> {
        let kind = if self.kind_code == "M" {
            "Medewerker"
        } else {
            "Overig"
        };
        object(json!({
            "ExternalID": self.id,
            "Medewerker": self.employee,
            "Persoonsnummer": format!("P{}", self.employee),
            "Naam": employee.map(|e| e.family.clone()),
            "Organisatorische_eenheid_code": self.unit.0,
            "Organisatorische_eenheid_omschrijving": self.unit.1,
            "Functie_code": self.function.0,
            "Functie_omschrijving": self.function.1,
            "Kostenplaats_code": null,
            "Kostenplaats_omschrijving": null,
            "Werkgever_code": "ZKH",
            "Werkgever_omschrijving": "Ziekenhuis Voorbeeld",
            "Type_contract": "Onbepaalde tijd",
            "Dienstverband": 1,
            "Volgnummer_contract": self.sequence,
            "Begindatum_contract": day(Some(self.start)),
            "Einddatum_contract": day(self.end),
            "Begindatum_functie": day(Some(self.start)),
            "Einddatum_functie": day(self.end),
            "Uren_per_week": self.hours,
            "Parttime_percentage": null,
            "FTE": self.fte,
            "Persoonsnummer_leidinggevende": null,
            "Medewerkernummer_leidinggevende": null,
            "Persoonsnummer_VervangendLeidinggevende": null,
            "Medewerkernummer_VervangendLeidinggevende": null,
            "Soort_medewerker": kind,
            "Soort_medewerker_code": self.kind_code,
            "Dienstbetrekking": "Loondienst",
        }))
    }
}

impl AfasData {
    /// The Users GetConnector: employees with an employment in the fixed window.
    pub(super) fn user_rows(&self, today: NaiveDate) -> Vec<Map<String, Value>> {
        let current: HashSet<&str> = self
            .employments
            .iter()
            .filter(|r| r.in_window(today))
            .map(|r| r.employee.as_str())
            .collect();
        self.employees
            .iter()
            .filter(|e| current.contains(e.number.as_str()))
            .map(Employee::row)
            .collect()
    }

    /// The Employments GetConnector: rows in the fixed window, employee kind `N` left out.
    pub(super) fn employment_rows(&self, today: NaiveDate) -> Vec<Map<String, Value>> {
        let by_number: HashMap<&str, &Employee> = self
            .employees
            .iter()
            .map(|e| (e.number.as_str(), e))
            .collect();
        self.employments
            .iter()
            .filter(|r| r.in_window(today) && r.kind_code != "N")
            .map(|r| r.row(by_number.get(r.employee.as_str()).copied()))
            .collect()
    }
}

/// A day as Profit writes it: local midnight with a `Z` that is not true.
fn day(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Value::String(format!("{d}T00:00:00Z")))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
