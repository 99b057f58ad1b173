//! One person from several sources: which source's fields win, and what every source adds.
#![allow(clippy::unwrap_used, reason = "tests")]

use tessera_domain::{Person, Timestamp};
use tessera_store::SourceRecord;
use tessera_testkit::people::{self, PersonExt, date};

use super::merge;

fn record(source: &str, person: &Person) -> SourceRecord {
    SourceRecord {
        source: source.into(),
        external_id: person.id.clone(),
        person_id: "anne".into(),
        hash: String::new(),
        data: serde_json::to_string(person).unwrap(),
    }
}

/// Anne as HR knows her: her full family name, HR's e-mail, an employment.
fn hr() -> Person {
    let job = people::employment("E1", ("IC", "Intensive Care"), date("2024-01-01"), None);
    let mut p = people::person("1001", "Anne", "Berg", vec![job])
        .prefixed("van den")
        .with_email("a.vandenberg@zkh.example.nl")
        .with_attr("cost_centre", "4100");
    p.name.convention = Some("B".into());
    p
}

/// Anne as Elanza knows her: a shorter name, her private e-mail, a phone, a shift.
fn flex() -> Person {
    let shift = people::shift("E1", "SEH", date("2026-03-10"), date("2026-03-10"));
    let mut p = people::person("4711", "Anne", "Berg", vec![shift])
        .with_email("anne@example.com")
        .with_attr("cost_centre", "9900")
        .with_attr("skills", "BIG");
    p.phone = Some("06-12345678".into());
    p
}

fn ranking(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn the_ranked_source_wins_each_field_and_every_source_adds_its_contracts() {
    struct Case {
        name: &'static str,
        ranking: Vec<String>,
        prefix: Option<&'static str>,
        email: &'static str,
        cost_centre: &'static str,
    }
    let hr_first = Case {
        name: "HR above Elanza: HR's name, e-mail and attribute",
        ranking: ranking(&["afas", "elanza"]),
        prefix: Some("van den"),
        email: "a.vandenberg@zkh.example.nl",
        cost_centre: "4100",
    };
    let flex_first = Case {
        name: "Elanza above HR: Elanza's",
        ranking: ranking(&["elanza", "afas"]),
        prefix: None,
        email: "anne@example.com",
        cost_centre: "9900",
    };
    let unranked = Case {
        name: "a source the ranking does not name comes after the ones it does",
        ranking: ranking(&["elanza"]),
        prefix: None,
        email: "anne@example.com",
        cost_centre: "9900",
    };
    // The store hands records over in source-name order: afas before elanza.
    let records = [record("afas", &hr()), record("elanza", &flex())];
    for case in [hr_first, flex_first, unranked] {
        let anne = merge("anne", &records, &case.ranking).unwrap().unwrap();
        assert_eq!(anne.id, "anne", "{}", case.name);
        assert_eq!(anne.name.prefix.as_deref(), case.prefix, "{}", case.name);
        assert_eq!(anne.email.as_deref(), Some(case.email), "{}", case.name);
        let attr = |n: &str| {
            anne.attributes
                .iter()
                .find(|a| a.name == n)
                .map(|a| a.value.as_str())
        };
        assert_eq!(attr("cost_centre"), Some(case.cost_centre), "{}", case.name);
        // What only one source has comes from it, whatever the order.
        assert_eq!(anne.phone.as_deref(), Some("06-12345678"), "{}", case.name);
        assert_eq!(attr("skills"), Some("BIG"), "{}", case.name);
        // Both contracts; the id both sources use is kept apart by the later source's name.
        let mut ids: Vec<&str> = anne.contracts.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        let later = if case.ranking[0] == "afas" {
            "elanza:E1"
        } else {
            "afas:E1"
        };
        let mut want = vec!["E1", later];
        want.sort_unstable();
        assert_eq!(ids, want, "{}", case.name);
        let starts: Vec<Option<Timestamp>> = anne.contracts.iter().map(|c| c.start).collect();
        assert_eq!(starts.len(), 2, "{}", case.name);
    }
}

#[test]
fn a_source_without_a_name_leaves_the_name_to_the_next() {
    let mut nameless = hr();
    nameless.name.family.clear();
    let records = [record("afas", &nameless), record("elanza", &flex())];
    let anne = merge("anne", &records, &ranking(&["afas", "elanza"]))
        .unwrap()
        .unwrap();
    assert_eq!(anne.name.family, "Berg");
    assert_eq!(anne.name.prefix, None, "Elanza's whole name, not a mix");
    assert_eq!(anne.email.as_deref(), Some("a.vandenberg@zkh.example.nl"));
}

#[tokio::test]
async fn a_full_read_keeps_no_data_of_records_that_did_not_change() {
    use tessera_store::{Persons, SqliteStore};
    use tessera_testkit::fakes::FakeSource;

    use super::{ImportOptions, SourceSettings, commit_read, read_source};

    let store = SqliteStore::open_in_memory().unwrap();
    let (settings, now) = (SourceSettings::default(), chrono::Utc::now());
    let options = ImportOptions {
        force: true,
        ..ImportOptions::default()
    };
    let (ann, bob) = (hr(), flex());
    let mut source = FakeSource::new(vec![ann.clone(), bob.clone()], 1);
    let first = read_source(&store, &mut source, "hr", &settings)
        .await
        .unwrap();
    commit_read(&store, (first, None), &settings, options, now).unwrap();
    let moved = bob.clone().with_email("anne@example.net");
    source.set(vec![ann.clone(), moved.clone()]);

    let read = read_source(&store, &mut source, "hr", &settings)
        .await
        .unwrap();
    assert!(
        read.fresh[&ann.id].data.is_empty(),
        "as stored: no data held"
    );
    assert!(
        !read.fresh[&bob.id].data.is_empty(),
        "changed: its data is held"
    );
    let report = commit_read(&store, (read, None), &settings, options, now).unwrap();
    assert_eq!((report.counts.changed, report.counts.total), (1, 2));
    let stored = |id: &str| -> Person {
        let data = store.source_record_data("hr", id).unwrap().unwrap();
        serde_json::from_str(&data).unwrap()
    };
    assert_eq!(stored(&bob.id), moved);
    assert_eq!(
        stored(&ann.id),
        ann,
        "the unchanged record is kept as it was"
    );
}
