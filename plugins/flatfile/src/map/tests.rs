use super::*;
use crate::settings::{Columns, Encoding, columns, conventions};
use crate::table::{decode, parse};

fn settings() -> Settings {
    Settings {
        persons_file: "persons.csv".into(),
        contracts_file: "contracts.csv".into(),
        delimiter: b';',
        encoding: Encoding::Utf8,
        date_format: "%d-%m-%Y".into(),
        persons: Columns::default(),
        contracts: Columns::default(),
        conventions: BTreeMap::new(),
        extra_columns: Vec::new(),
    }
}

fn run(s: &Settings, people: &str, contracts: &str) -> (Vec<Person>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let p = parse("persons.csv", people, s.delimiter, &mut warnings).unwrap();
    let c = parse("contracts.csv", contracts, s.delimiter, &mut warnings).unwrap();
    let persons = persons(&p, &c, s, &mut warnings).unwrap();
    (persons, warnings)
}

const PEOPLE: &str = "id;given;family;prefix;partner_family;partner_prefix;convention;email\n\
    1001;Noor;Visser;;;;B;noor@example.org\n\
    1002;Anna;Berg;van den;Dijk;van;PB;\n\
    1003;Piet;Jansen;;;;X;\n";

const CONTRACTS: &str = "person;sequence;start;end;department;department_name;title;fte\n\
    1001;1;01-03-2026;;IC;Intensive Care;VPK;0,8\n\
    1001;2;01-01-2027;31-12-9999;OK;;ANES;1\n\
    1002;1;2026-03-01;;IC;;VPK;1\n\
    1004;1;01-03-2026;;IC;;VPK;1\n\
    1003;1;01-03-2026;\n";

#[test]
fn persons_and_contracts_are_joined_with_odd_rows_as_warnings_naming_the_line() {
    let (persons, warnings) = run(&settings(), PEOPLE, CONTRACTS);
    assert_eq!(persons.len(), 3);
    let noor = &persons[0];
    assert_eq!(
        (noor.id.as_str(), noor.name.family.as_str()),
        ("1001", "Visser")
    );
    assert_eq!(noor.email.as_deref(), Some("noor@example.org"));
    assert_eq!(noor.contracts.len(), 2);
    let ic = &noor.contracts[0];
    assert_eq!(ic.id, "1001_1");
    assert_eq!(ic.start.as_deref(), Some("2026-03-01"));
    assert_eq!(ic.end, None);
    assert_eq!(ic.department.as_ref().unwrap().name, "Intensive Care");
    assert_eq!(ic.fte, Some(0.8));
    assert_eq!(noor.contracts[1].end, None, "9999-12-31 is open-ended");
    assert_eq!(noor.contracts[1].department.as_ref().unwrap().name, "OK");

    let anna = &persons[1];
    assert_eq!(anna.name.family, "Dijk", "PB leads with the partner's name");
    assert_eq!(anna.name.prefix.as_deref(), Some("van"));
    assert!(
        anna.attributes
            .iter()
            .any(|a| a.name == "birth_name" && a.value == "Berg")
    );
    assert!(
        anna.contracts.is_empty(),
        "her only contract has a date in another format"
    );

    let subjects: Vec<&str> = warnings
        .iter()
        .filter_map(|w| w.subject.as_deref())
        .collect();
    assert_eq!(
        subjects,
        [
            "contracts.csv line 6",
            "persons.csv line 4",
            "contracts.csv line 4",
            "contracts.csv line 5",
        ],
        "{warnings:?}"
    );
    assert!(
        warnings[0]
            .message
            .contains("4 fields where the header has 8")
    );
    assert!(warnings[1].message.contains("convention `X`"));
    assert!(
        warnings[2]
            .message
            .contains("`2026-03-01` is not a date in the format `%d-%m-%Y`")
    );
    assert!(
        warnings[3]
            .message
            .contains("person 1004, who is not in persons.csv")
    );
}

#[test]
fn configured_headers_codes_and_extra_columns_are_used() {
    let mut s = settings();
    s.delimiter = b'|';
    s.date_format = "%Y%m%d".into();
    s.persons = columns(
        "person_columns",
        PERSON_FIELDS,
        &[
            "id=[Personeelsnummer]".into(),
            "family=[Achternaam]".into(),
            "convention=[Naam samenstelling]".into(),
            "partner_family=[Partner]".into(),
        ],
    )
    .unwrap();
    s.contracts = columns(
        "contract_columns",
        CONTRACT_FIELDS,
        &[
            "person=[Personeelsnummer]".into(),
            "id=[Dossiernummer]".into(),
            "start=[Begindatum]".into(),
        ],
    )
    .unwrap();
    s.conventions = conventions(&["1=B".into(), "4=P".into()]).unwrap();
    s.extra_columns = vec!["[Kostendrager]".into()];
    let people = "[Personeelsnummer]|[Achternaam]|[Naam samenstelling]|[Partner]|[Kostendrager]\n\
        7|\"Bakker | Smit\"|4|Smit|KD1\n";
    let contracts = "[Personeelsnummer]|[Dossiernummer]|[Begindatum]\n7|D7|20260301\n";
    let (persons, warnings) = run(&s, people, contracts);
    assert!(warnings.is_empty(), "{warnings:?}");
    let p = &persons[0];
    assert_eq!(p.name.convention.as_deref(), Some("P"));
    assert_eq!(p.name.family, "Smit");
    assert!(
        p.attributes
            .iter()
            .any(|a| a.name == "birth_name" && a.value == "Bakker | Smit")
    );
    assert!(
        p.attributes
            .iter()
            .any(|a| a.name == "[Kostendrager]" && a.value == "KD1")
    );
    assert_eq!(p.contracts[0].id, "D7");
    assert_eq!(p.contracts[0].start.as_deref(), Some("2026-03-01"));
}

#[test]
fn a_missing_required_or_configured_column_fails_naming_file_and_headers() {
    let mut warnings = Vec::new();
    let people = parse("persons.csv", "id;given\n1;A\n", b';', &mut warnings).unwrap();
    let contracts = parse("contracts.csv", "person;start\n", b';', &mut warnings).unwrap();
    let err = persons(&people, &contracts, &settings(), &mut warnings)
        .unwrap_err()
        .to_string();
    assert!(err.contains("person_columns"), "{err}");
    assert!(err.contains("persons.csv has no column `family`"), "{err}");
    assert!(err.contains("its headers are: id, given"), "{err}");

    let mut s = settings();
    s.contracts = columns(
        "contract_columns",
        CONTRACT_FIELDS,
        &["fte=Aantal_FTE".into()],
    )
    .unwrap();
    let people = parse("persons.csv", "id;family\n1;A\n", b';', &mut warnings).unwrap();
    let err = persons(&people, &contracts, &s, &mut warnings)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no column `Aantal_FTE` for fte"), "{err}");
}

#[test]
fn encodings_decode_and_a_wrong_one_names_the_line() {
    let bom = b"\xEF\xBB\xBFid;family\n1;Visser\n";
    assert!(
        decode("p.csv", bom, Encoding::Utf8)
            .unwrap()
            .starts_with("id;")
    );
    let cp1252 = b"id;family\n1;M\xFCller\n2;Ja\xEBl\n";
    let text = decode("p.csv", cp1252, Encoding::Windows1252).unwrap();
    assert!(text.contains("Müller") && text.contains("Jaël"), "{text}");
    let err = decode("p.csv", cp1252, Encoding::Utf8)
        .unwrap_err()
        .to_string();
    assert!(err.contains("p.csv line 2 is not UTF-8"), "{err}");
    assert!(err.contains("windows-1252"), "{err}");
}

#[test]
fn an_unclosed_quote_fails_the_read_naming_file_and_line() {
    let mut warnings = Vec::new();
    let text = "id;family\n1;\"Visser \"\"de\"\" Jong\"\n2;\"Berg\n3;Dijk\n";
    let err = parse("persons.csv", text, b';', &mut warnings)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("persons.csv line 3: a quote that is never closed"),
        "{err}"
    );
    let fine = parse(
        "persons.csv",
        "id;family\n1;\"Visser \"\"de\"\" Jong\"\n",
        b';',
        &mut warnings,
    );
    assert_eq!(fine.unwrap().rows[0].values[1], "Visser \"de\" Jong");
}
