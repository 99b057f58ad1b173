use serde_json::json;

use super::*;

fn row(value: serde_json::Value) -> Row {
    match value {
        Value::Object(m) => m,
        _ => unreachable!("test rows are objects"),
    }
}

/// The persons the plugin builds from these rows, users first as Profit's pages come.
fn persons(users: &[Row], employments: &[Row]) -> (Vec<Person>, Vec<Warning>) {
    let mut built = Persons::default();
    users.iter().for_each(|r| built.add_user(r));
    employments.iter().for_each(|r| built.add_employment(r));
    built.finish()
}

fn user(number: &str, convention: &str) -> Row {
    row(json!({
        "Medewerker": number, "Persoonsnummer": format!("P{number}"),
        "Voornaam": "Johanna Maria", "Roepnaam": "Anne", "Voorletters": "J.M.",
        "Voorvoegsel": "van der", "Geboortenaam": "Berg",
        "Voorvoegsel_partner": "de", "Geboortenaam_partner": "Vries",
        "Naamgebruik_code": convention, "Email_werk": "a.vdberg@zkh.example.nl",
        "Telefoonnr_werk": null, "Mobielnr_werk": "06-12345678", "UPN": null,
    }))
}

fn employment(id: &str, number: &str, start: serde_json::Value, end: serde_json::Value) -> Row {
    row(json!({
        "ExternalID": id, "Medewerker": number,
        "Organisatorische_eenheid_code": "IC", "Organisatorische_eenheid_omschrijving": "Intensive Care",
        "Functie_code": "VPK", "Functie_omschrijving": "Verpleegkundige",
        "Kostenplaats_code": null, "Kostenplaats_omschrijving": null,
        "Werkgever_code": "ZKH", "Werkgever_omschrijving": "Ziekenhuis",
        "Begindatum_functie": start, "Einddatum_functie": end,
        "Uren_per_week": 32, "FTE": 0.8889, "Volgnummer_contract": 2,
        "Soort_medewerker_code": "M", "Begindatum_contract": "2020-01-01T00:00:00Z",
    }))
}

#[test]
fn the_name_convention_decides_which_family_name_leads() {
    for (code, letter, family, prefix) in [
        ("0", "B", "Berg", "van der"),
        ("1", "PB", "Vries", "de"),
        ("2", "P", "Vries", "de"),
        ("3", "BP", "Berg", "van der"),
        ("9", "B", "Berg", "van der"),
    ] {
        let (persons, _) = persons(
            &[user("1001", code)],
            &[employment(
                "g1",
                "1001",
                json!("2026-01-01T00:00:00Z"),
                Value::Null,
            )],
        );
        let n = &persons[0].name;
        assert_eq!(
            (
                n.convention.as_deref(),
                n.family.as_str(),
                n.prefix.as_deref()
            ),
            (Some(letter), family, Some(prefix)),
            "code {code}"
        );
        assert_eq!(n.given, "Anne", "the name used, not the given names");
    }
}

/// The `Z` is not UTC: 2026-03-01T00:00:00Z is 1 March in Amsterdam, and stays that day.
/// An empty end is open-ended; numbers where text was expected are read as text.
#[test]
fn local_days_open_ends_and_numbers_are_read_as_profit_means_them() {
    let (persons, warnings) = persons(
        &[user("1001", "0")],
        &[employment(
            "g1",
            "1001",
            json!("2026-03-01T00:00:00Z"),
            Value::Null,
        )],
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let c = &persons[0].contracts[0];
    assert_eq!(c.start.as_deref(), Some("2026-03-01"));
    assert_eq!(c.end, None);
    assert_eq!(c.department.as_ref().map(|d| d.code.as_str()), Some("IC"));
    assert_eq!(
        c.title.as_ref().map(|t| t.name.as_str()),
        Some("Verpleegkundige")
    );
    assert_eq!(c.cost_centre, None, "explicit nulls are empty");
    assert_eq!((c.hours_per_week, c.sequence), (Some(32.0), Some(2)));
    assert_eq!(persons[0].phone.as_deref(), Some("06-12345678"));
}

#[test]
fn odd_rows_are_warnings_naming_the_row() {
    let users = [user("1001", "0"), user("1001", "0"), user("1002", "0")];
    let employments = [
        employment(
            "g1",
            "1001",
            json!("2026-01-01T00:00:00Z"),
            json!("2026-12-31T00:00:00Z"),
        ),
        employment("g2", "1001", json!("01-01-2026"), Value::Null),
        employment("g3", "4711", json!("2026-01-01T00:00:00Z"), Value::Null),
    ];
    let (persons, warnings) = persons(&users, &employments);
    assert_eq!(persons.len(), 1, "1002 has no employment");
    assert_eq!(persons[0].contracts.len(), 1);
    let said: Vec<(Option<&str>, &str)> = warnings
        .iter()
        .map(|w| (w.subject.as_deref(), w.message.as_str()))
        .collect();
    assert_eq!(said.len(), 4, "{said:?}");
    assert!(said.contains(&(
        Some("1001"),
        "Medewerker listed twice; the first row is used"
    )));
    assert!(
        said.iter()
            .any(|(s, m)| *s == Some("g2") && m.contains("`01-01-2026` is not a date"))
    );
    assert!(
        said.iter()
            .any(|(s, m)| *s == Some("g3") && m.contains("4711"))
    );
    assert!(said.contains(&(Some("1002"), "no employments found; left out")));
}
