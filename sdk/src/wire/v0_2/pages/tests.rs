use super::*;
use crate::types::{
    Account, AccountPage, Attribute, CodeName, Contract, ContractKind, Entitlement, EntitlementRef,
    Membership, Person, PersonName, SourceChanges, SourcePage, TargetChanges, Warning,
};

fn attr(name: &str, value: &str) -> Attribute {
    Attribute {
        name: name.into(),
        value: value.into(),
    }
}

fn person(i: u32) -> Person {
    Person {
        id: format!("P{i}"),
        name: PersonName {
            given: "Åsa".into(),
            family: format!("Ödman{i}"),
            prefix: Some("van der".into()),
            initials: None,
            convention: Some("B".into()),
        },
        email: Some(format!("asa{i}@example.org")),
        phone: None,
        contracts: vec![Contract {
            id: format!("C{i}"),
            kind: ContractKind::Shift,
            start: Some("2026-11-22T07:00:00Z".into()),
            end: None,
            department: Some(CodeName {
                code: "IC".into(),
                name: "Intensive Care".into(),
            }),
            title: None,
            location: None,
            cost_centre: None,
            employer: None,
            fte: Some(0.8),
            hours_per_week: None,
            sequence: Some(i),
            attributes: vec![attr("ward", "3B")],
        }],
        attributes: vec![attr("badge", ""), attr("badge", "7")],
    }
}

fn account(key: &str) -> Account {
    Account {
        key: key.into(),
        username: Some(format!("u-{key}")),
        enabled: true,
        attributes: vec![attr("mail", "a@x"), attr("proxy", "1"), attr("proxy", "2")],
    }
}

fn membership(account: &str, group: &str) -> Membership {
    Membership {
        account: account.into(),
        entitlement: EntitlementRef {
            kind: "group".into(),
            key: group.into(),
        },
    }
}

#[test]
fn a_source_page_crosses_with_its_text_in_one_string() {
    let page = SourcePage {
        persons: (0..3).map(person).collect(),
        warnings: vec![Warning {
            subject: Some("P9".into()),
            message: "no contract".into(),
        }],
        next_cursor: Some("3".into()),
    };
    let wire = source_page(page.clone());
    assert!(wire.strings.text.contains("Ödman2"));
    assert_eq!(wire.persons.id.len(), 3);
    assert_eq!(wire.contracts.id.len(), 3);
    assert_eq!(wire.person_attributes.name.len(), 6);
    assert_eq!(wire.persons.phone, [0, 0, 0], "none is string 0");
    assert_eq!(read_source_page(wire), Ok(page));
}

#[test]
fn source_changes_round_trip() {
    let changes = SourceChanges {
        persons: vec![person(1)],
        removed: vec!["P7".into(), "P8".into()],
        warnings: Vec::new(),
        cursor: vec![0, 1, 255],
        more: true,
    };
    assert_eq!(
        read_source_changes(source_changes(changes.clone())),
        Ok(changes)
    );
}

#[test]
fn account_pages_and_target_changes_round_trip() {
    let page = AccountPage {
        accounts: vec![account("a"), account("b")],
        next_cursor: None,
    };
    assert_eq!(read_account_page(account_page(page.clone())), Ok(page));
    let changes = TargetChanges {
        accounts: vec![account("c")],
        removed: vec!["d".into()],
        granted: vec![membership("c", "g1")],
        revoked: vec![membership("e", "g2")],
        entitlements: vec![Entitlement {
            kind: "group".into(),
            key: "g1".into(),
            display_name: "Group one".into(),
            attributes: Vec::new(),
        }],
        cursor: b"usn:42".to_vec(),
        more: false,
    };
    assert_eq!(
        read_target_changes(target_changes(changes.clone())),
        Ok(changes)
    );
}

#[test]
fn a_string_number_off_the_page_names_its_column_and_row() {
    let mut wire = source_page(SourcePage {
        persons: (0..2).map(person).collect(),
        ..SourcePage::default()
    });
    wire.persons.family[1] = 10_000;
    let err = read_source_page(wire).expect_err("no such string");
    assert_eq!(err.at, "persons.family[1]");
    assert!(
        err.to_string().contains("string 10000 is not on the page"),
        "{err}"
    );
}

#[test]
fn a_short_column_is_refused() {
    let mut wire = account_page(AccountPage {
        accounts: vec![account("a"), account("b")],
        next_cursor: None,
    });
    wire.accounts.enabled.pop();
    let err = read_account_page(wire).expect_err("a short column");
    assert_eq!(err.at, "accounts.enabled[1]");
}

#[test]
fn a_code_without_its_name_is_refused_before_anything_is_read() {
    let mut wire = source_page(SourcePage {
        persons: (0..2).map(person).collect(),
        ..SourcePage::default()
    });
    wire.contracts.department_name[1] = 0;
    let err = read_source_page(wire).expect_err("a code without a name");
    assert_eq!(err.at, "contracts.department-name[1]");
    assert_eq!(err.message, "a required text is missing");
}

#[test]
fn a_page_whose_cells_use_more_text_than_it_carries_is_refused() {
    let long = "k".repeat(4096);
    let mut wire = account_page(AccountPage {
        accounts: vec![account(&long), account("b")],
        next_cursor: None,
    });
    // The second key names the first one's 4 KiB string too: the page would be read into
    // more text than it carries.
    wire.accounts.key[1] = wire.accounts.key[0];
    let err = read_account_page(wire).expect_err("the text used twice");
    assert_eq!(err.at, "strings.text");
    assert!(err.message.contains("may not use more text"), "{err}");
}
