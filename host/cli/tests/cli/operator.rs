//! What an operator reads: the entitlement catalogue, persons, failures said once, and the
//! end every manual grant gets.

use tessera_testkit::command::text;

use crate::engine::{GRANT_HIX_USERS, Install, ROLES, roles_with_create_limit};

#[test]
fn entitlements_lists_the_catalogue_a_target_last_listed() {
    let install = Install::with_plugins("", ROLES);
    let before = install.run(&["entitlements", "--system", "directory"]);
    assert_eq!(before.status.code(), Some(1), "nothing listed yet");
    assert!(text(&before.stderr).contains("a full read lists them"));
    install.expect(0, &["sync", "--json", "--full"]);
    let listed = install.json(0, &["entitlements", "--system", "directory", "--json"]);
    let keys: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"IC-nurses"), "{listed}");
    let table = install.expect(0, &["entitlements", "--system", "directory"]);
    assert!(
        table.contains("group  IC-nurses") && table.contains("IC nurses"),
        "{table}"
    );
    let unknown = install.run(&["entitlements", "--system", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
}

/// A failed system's reason is said once, on its own row, without its name again.
#[test]
fn a_failed_system_says_why_once() {
    let install = Install::with_plugins("", ROLES);
    let config = install.path("tessera.toml");
    let text_before = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text_before.replace("page_size = 2", "page_size = 0"),
    )
    .unwrap();
    let out = install.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(all.matches("must be at least 1").count(), 1, "{all}");
    assert!(all.contains("hr: import: read failed"), "{all}");
    assert!(!all.contains("hr: import: hr:"), "{all}");
}

/// A manual grant ends within the system's `max_grant_days` (a year unless the role model
/// says otherwise): without --until it gets that end, past it it is refused.
#[test]
fn manual_grants_end_within_the_systems_maximum() {
    let install = Install::with_plugins("", ROLES);
    install.expect(0, &["sync", "--json"]);
    let base = [
        &GRANT_HIX_USERS[..],
        &["--by", "ops", "--reason", "covers ward 3"],
    ]
    .concat();
    let too_long = install.run(&[&base[..], &["--until", "2028-01-01"]].concat());
    assert_eq!(too_long.status.code(), Some(2));
    assert!(
        text(&too_long.stderr).contains("max_grant_days"),
        "{}",
        text(&too_long.stderr)
    );
    install.expect(0, &base);
    let listed = install.json(0, &["grants", "--json"]);
    assert_eq!(listed[0]["until"], "2027-11-22", "{listed}");
}

/// What a source imported, and what each person holds, without opening the database.
#[test]
fn persons_and_person_show_tell_what_the_store_holds() {
    let install = Install::with_plugins("", ROLES);
    install.expect(0, &["sync", "--json"]);
    let all = install.json(0, &["persons", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let found = install.json(0, &["persons", "--search", "p000002", "--json"]);
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], "P000002");
    let table = install.expect(0, &["persons"]);
    assert!(
        table.starts_with("ID") && table.contains("Anne van der Jansen2"),
        "{table}"
    );
    let shown = install.json(0, &["person", "show", "P000001", "--json"]);
    assert_eq!(shown["person"]["id"], "P000001");
    assert_eq!(shown["sources"][0]["source"], "hr", "{shown}");
    assert_eq!(shown["history"][0]["change"], "added", "{shown}");
    let account = &shown["accounts"][0];
    assert_eq!(account["system"], "directory", "{shown}");
    assert_eq!(account["entitlements"][0], "group/IC-nurses", "{shown}");
    let text_out = install.expect(0, &["person", "show", "P000001"]);
    assert!(
        text_out.contains("accounts") && text_out.contains("group/IC-nurses"),
        "{text_out}"
    );
    let missing = install.run(&["person", "show", "nobody"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("tessera persons --search"));
}

/// Held-back actions are decided in bulk too, each decision with its reason in the audit.
#[test]
fn blocked_actions_are_approved_or_rejected_in_bulk_with_a_reason() {
    let install = Install::with_plugins("", &roles_with_create_limit());
    install.json(3, &["sync", "--json"]);
    let no_reason = install.run(&["reject", "--all", "--by", "ops"]);
    assert_eq!(no_reason.status.code(), Some(2));
    assert!(text(&no_reason.stderr).contains("--reason"));
    let rejected = install.expect(
        0,
        &[
            "reject",
            "--all",
            "--system",
            "directory",
            "--by",
            "ops",
            "--reason",
            "wrong import",
        ],
    );
    assert_eq!(rejected.matches("rejected #").count(), 3, "{rejected}");
    let waiting = install.json(0, &["approve", "--list", "--json"]);
    assert!(waiting.as_array().unwrap().is_empty(), "{waiting}");
    // The next full plan still trips the threshold and asks again; this time they go through.
    install.json(3, &["sync", "--json", "--full"]);
    let approved = install.expect(
        0,
        &["approve", "--all", "--by", "lead", "--reason", "checked"],
    );
    assert_eq!(approved.matches("approved #").count(), 3, "{approved}");
    let audit = install.expect(0, &["audit", "export", "--format", "csv"]);
    assert!(audit.contains("rejected because: wrong import"), "{audit}");
    assert!(audit.contains("approved because: checked"), "{audit}");
}

/// An approval the next plans did not carry out within the system's `approval_days` lapses:
/// the action is held back again, and the lapse is audited.
#[test]
fn an_approval_not_carried_out_in_time_lapses() {
    let roles = format!(
        "[system.directory]\napproval_days = 2\n\n{}",
        roles_with_create_limit()
    );
    let install = Install::with_plugins("", &roles);
    // The nurses' shift is on 11-22; their accounts are due from 11-17 on.
    let first = install.tessera.clone().today("2026-11-18");
    first.json(3, &["sync", "--json"]);
    first.expect(
        0,
        &["approve", "--all", "--by", "lead", "--reason", "checked"],
    );
    let later = install.tessera.clone().today("2026-11-21");
    let summary = later.json(3, &["sync", "--json", "--full"]);
    assert!(summary.to_string().contains("\"blocked\":3"), "{summary}");
    let audit = later.expect(0, &["audit", "export", "--format", "csv"]);
    assert_eq!(audit.matches("approval-lapsed").count(), 3, "{audit}");
}
