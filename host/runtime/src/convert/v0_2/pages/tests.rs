use super::*;

/// A page's strings being written, as the SDK writes them.
struct Text(w::Strings);

impl Text {
    fn new() -> Self {
        Self(w::Strings {
            text: String::new(),
            ends: vec![0],
        })
    }

    fn put(&mut self, s: &str) -> u32 {
        self.0.text.push_str(s);
        self.0.ends.push(self.0.text.len() as u32);
        self.0.ends.len() as u32 - 1
    }
}

fn attributes() -> w::Attributes {
    w::Attributes {
        name: Vec::new(),
        value: Vec::new(),
    }
}

/// Two persons with a shift each starting at `starts`; the second has an attribute.
fn page(starts: [&str; 2]) -> w::SourcePage {
    let mut t = Text::new();
    let mut persons = w::Persons {
        id: Vec::new(),
        given: Vec::new(),
        family: Vec::new(),
        prefix: vec![0, 0],
        initials: vec![0, 0],
        convention: vec![0, 0],
        email: vec![0, 0],
        phone: vec![0, 0],
        contracts: vec![1, 1],
        attributes: vec![0, 1],
    };
    let mut contracts = w::Contracts {
        id: Vec::new(),
        kind: vec![wt::ContractKind::Shift; 2],
        start: Vec::new(),
        end: vec![0, 0],
        department_code: Vec::new(),
        department_name: Vec::new(),
        title_code: vec![0, 0],
        title_name: vec![0, 0],
        location_code: vec![0, 0],
        location_name: vec![0, 0],
        cost_centre_code: vec![0, 0],
        cost_centre_name: vec![0, 0],
        employer_code: vec![0, 0],
        employer_name: vec![0, 0],
        fte: vec![Some(0.5), None],
        hours_per_week: vec![None, None],
        sequence: vec![Some(1), None],
        attributes: vec![0, 0],
    };
    for (i, start) in starts.iter().enumerate() {
        persons.id.push(t.put(&format!("P{i}")));
        persons.given.push(t.put("Åsa"));
        persons.family.push(t.put("Ödman"));
        contracts.id.push(t.put(&format!("C{i}")));
        contracts.start.push(t.put(start));
        contracts.department_code.push(t.put("IC"));
        contracts.department_name.push(t.put("Intensive Care"));
    }
    let mut person_attributes = attributes();
    person_attributes.name.push(t.put("badge"));
    person_attributes.value.push(t.put("7"));
    w::SourcePage {
        strings: t.0,
        persons,
        contracts,
        person_attributes,
        contract_attributes: attributes(),
        warnings: Vec::new(),
        next_cursor: Some("2".into()),
    }
}

const DAYS: [&str; 2] = ["2026-11-22T07:00:00Z", "2026-11-23"];

fn invalid(r: R<d::SourcePage>) -> (String, String) {
    match r {
        Err(d::ConnectorError::Invalid { field, message }) => (field, message),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn a_page_is_read_into_domain_persons() {
    let read = source_page(page(DAYS)).expect("valid page");
    assert_eq!(read.persons.len(), 2);
    let p = &read.persons[1];
    assert_eq!((p.id.as_str(), p.name.family.as_str()), ("P1", "Ödman"));
    let c = &p.contracts[0];
    assert_eq!(c.id, "C1");
    let department = c.department.as_ref().map(|d| d.name.as_str());
    assert_eq!(department, Some("Intensive Care"));
    assert_eq!(c.start, Some("2026-11-23".parse().expect("a date")));
    assert_eq!((c.title.clone(), c.end), (None, None));
    assert_eq!(read.persons[0].contracts[0].fte, Some(0.5));
    assert_eq!(p.attributes[0].value, "7");
    assert!(read.persons[0].attributes.is_empty());
    assert_eq!(read.next_cursor.as_deref(), Some("2"));
}

#[test]
fn a_bad_timestamp_names_its_field_as_wit_0_1_did() {
    let (field, _) = invalid(source_page(page(["2026-11-22", "yesterday"])));
    assert_eq!(field, "persons[1].contracts[0].start");
}

#[test]
fn a_string_off_the_page_or_inside_a_character_names_its_field() {
    let mut off = page(DAYS);
    off.persons.email[0] = 999;
    let (field, message) = invalid(source_page(off));
    assert_eq!(field, "persons[0].email");
    assert!(
        message.contains("string 999 is not text of the page"),
        "{message}"
    );
    let mut split = page(DAYS);
    // `Å` is two bytes; an end inside it splits a character.
    let given = split.persons.given[0] as usize;
    split.strings.ends[given] = split.strings.ends[given - 1] + 1;
    assert_eq!(invalid(source_page(split)).0, "persons[0].name.given");
    let mut missing = page(DAYS);
    missing.persons.family[1] = 0;
    assert_eq!(
        invalid(source_page(missing)),
        (
            "persons[1].name.family".into(),
            "required, but missing".into()
        )
    );
}

#[test]
fn a_nested_record_at_fault_is_named_through_its_owners() {
    // The second person's attribute is the first row of its table.
    let mut attribute = page(DAYS);
    attribute.person_attributes.value[0] = 0;
    let (field, message) = invalid(source_page(attribute));
    assert_eq!(field, "persons[1].attributes[0].value");
    assert_eq!(message, "required, but missing");
    // A contract attribute of the second person's contract.
    let mut of_contract = page(DAYS);
    of_contract.contracts.attributes = vec![0, 1];
    of_contract.contract_attributes.name.push(1);
    of_contract.contract_attributes.value.push(777);
    let (field, message) = invalid(source_page(of_contract));
    assert_eq!(field, "persons[1].contracts[0].attributes[0].value");
    assert!(message.contains("string 777"), "{message}");
    // A code without its name.
    let mut unnamed = page(DAYS);
    unnamed.contracts.department_name[1] = 0;
    let (field, _) = invalid(source_page(unnamed));
    assert_eq!(field, "persons[1].contracts[0].department.name");
}

#[test]
fn a_page_may_not_make_the_host_copy_more_text_than_it_carries() {
    // Every family name names the largest string of the page: a hostile page's way to make
    // the host copy one string thousands of times.
    let mut shared = page(DAYS);
    let big = "x".repeat(64 * 1024);
    shared.strings.text.push_str(&big);
    shared.strings.ends.push(shared.strings.text.len() as u32);
    let n = shared.strings.ends.len() as u32 - 1;
    shared.persons.family = vec![n, n];
    shared.persons.given = vec![n, n];
    let (field, message) = invalid(source_page(shared));
    assert_eq!(field, "strings.text");
    assert!(
        message.contains("may not use more text than it carries"),
        "{message}"
    );
    // A string no cell uses.
    let mut unused = page(DAYS);
    for _ in 0..40 {
        unused.strings.ends.push(unused.strings.text.len() as u32);
    }
    let (field, message) = invalid(source_page(unused));
    assert_eq!(field, "strings.ends");
    assert!(message.contains("no string that no cell uses"), "{message}");
}

#[test]
fn short_columns_and_counts_that_do_not_add_up_are_refused() {
    let mut short = page(DAYS);
    short.contracts.title_name.pop();
    let (field, message) = invalid(source_page(short));
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("contracts.title-name", "1 entries in a table of 2")
    );
    let mut counts = page(DAYS);
    counts.persons.contracts = vec![2, 1];
    let (field, message) = invalid(source_page(counts));
    assert_eq!(field, "persons.contracts");
    assert!(
        message.contains("add up to 3, the page has 2 contracts"),
        "{message}"
    );
}

#[test]
fn accounts_and_target_changes_keep_cursor_and_more() {
    let mut t = Text::new();
    let accounts = w::Accounts {
        key: vec![t.put("A1")],
        username: vec![0],
        enabled: vec![true],
        attributes: vec![2],
    };
    let attributes = w::Attributes {
        name: vec![t.put("proxy"), t.put("proxy")],
        value: vec![t.put("smtp:a@x"), t.put("smtp:b@x")],
    };
    let membership = wt::Membership {
        account: "A1".into(),
        entitlement: wt::EntitlementRef {
            kind: "group".into(),
            key: "G1".into(),
        },
    };
    let changes = w::TargetChanges {
        strings: t.0,
        accounts,
        attributes,
        removed: vec!["A9".into()],
        granted: vec![membership],
        revoked: Vec::new(),
        entitlements: Vec::new(),
        cursor: vec![1, 2, 3],
        more: true,
    };
    let read = target_changes(changes).expect("valid changes");
    let proxies = d::values_of(&read.accounts[0].attributes, "proxy");
    assert_eq!(proxies, ["smtp:a@x", "smtp:b@x"]);
    assert_eq!(read.accounts[0].username, None);
    assert_eq!(
        (read.removed, read.granted[0].entitlement.key.as_str()),
        (vec!["A9".to_owned()], "G1")
    );
    assert_eq!((read.cursor, read.more), (vec![1, 2, 3], true));
}
