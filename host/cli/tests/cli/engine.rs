//! The engine commands through the real binary: sync end to end with the test plugins, exit
//! codes (success, failure, usage, blocked), JSON shapes, manual grants and the audit chain.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use tessera_store::prelude::*;
use tessera_store::{AuditRecord, SqliteStore};
use tessera_testkit::command::text;
use tessera_testkit::{Tessera, TestInstall};

/// The simulated day: the test source's shift is on 2026-11-22.
const TODAY: &str = "2026-11-22";

pub(super) const ROLES: &str = r#"
[system.directory.account]
create_days_before = 5
disable_after_days = 1
username = ["{given:1}{prefix}{family}", "{given}.{family}{n}"]
attributes = { displayName = "{given} {prefix} {family}" }

[[rule]]
name = "IC nurses"
when = { department = "IC", title = { prefix = "VPK" } }
grants = [{ system = "directory", kind = "group", key = "IC-nurses" }]
"#;

/// `tessera grant` of group HiX-users to the first nurse, before --by and --reason.
pub(super) const GRANT_HIX_USERS: [&str; 7] = [
    "grant",
    "--person",
    "P000001",
    "--system",
    "directory",
    "--entitlement",
    "group/HiX-users",
];

/// [`ROLES`] with a create threshold of two, which the three nurses trip.
pub(super) fn roles_with_create_limit() -> String {
    ROLES.replace(
        "[[rule]]",
        "[system.directory.thresholds]\ncreate = { count = 2 }\n\n[[rule]]",
    )
}

/// A throw-away installation with its role model, and the binary run against it as of
/// [`TODAY`].
pub(super) struct Install {
    install: TestInstall,
    pub(super) tessera: Tessera,
}

impl Install {
    /// An installation with the given `[systems]` part and role model; no plugins yet.
    fn new(systems: &str, roles: &str) -> Self {
        let install = TestInstall::new(&format!("rules = [\"roles.toml\"]\n\n{systems}"));
        install.write("roles.toml", roles);
        let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera"))
            .config(&install.config)
            .today(TODAY);
        Self { install, tessera }
    }

    /// With the good source and target installed: three nurses, an empty directory.
    pub(super) fn with_plugins(source_extra: &str, roles: &str) -> Self {
        let systems = format!(
            "[systems.hr]\nplugin = \"good-source\"\nconfig = {{ persons = 3, page_size = 2 }}\n{source_extra}\n\
             [systems.directory]\nplugin = \"good-target\"\nconfig = {{ accounts = 0 }}\napply = {{ concurrency = 1 }}\n"
        );
        let install = Self::new(&systems, roles);
        for name in ["good-source", "good-target"] {
            let out = install.run(&["plugin", "install", path(&tessera_testkit::fixture(name))]);
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        install
    }

    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.install.path(name)
    }

    pub(super) fn run(&self, args: &[&str]) -> Output {
        self.tessera.run(args)
    }

    /// Runs, expects `code`, and returns stdout.
    pub(super) fn expect(&self, code: i32, args: &[&str]) -> String {
        self.tessera.expect(code, args)
    }

    pub(super) fn json(&self, code: i32, args: &[&str]) -> Value {
        self.tessera.json(code, args)
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn system<'v>(summary: &'v Value, name: &str) -> &'v Value {
    summary["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["system"] == name)
        .unwrap_or_else(|| panic!("no {name} in {summary}"))
}

#[test]
fn sync_imports_plans_and_applies_and_says_so_in_json() {
    let install = Install::with_plugins("", ROLES);
    let summary = install.json(0, &["sync", "--json"]);
    let hr = system(&summary, "hr");
    assert_eq!(hr["kind"], "source");
    assert_eq!(hr["status"], "ok");
    assert_eq!(hr["import"]["counts"]["added"], 3);
    assert_eq!(hr["import"]["committed"], true);
    let dir = system(&summary, "directory");
    assert_eq!(dir["kind"], "target");
    assert_eq!(dir["plugin"], "good-target@1.0.0");
    assert_eq!(dir["plan"]["operations"], 6, "three creates, three grants");
    assert_eq!(dir["apply"]["done"], 6);
    assert_eq!(dir["apply"]["failed"], Value::Array(vec![]));
    assert_eq!(dir["plan"]["by_kind"]["create"], 3);
    assert_eq!(dir["plan"]["by_kind"]["grant"], 3);
    for stage in ["load", "import", "soll", "read", "plan", "apply"] {
        assert!(summary["seconds"][stage].is_f64(), "{stage}: {summary}");
    }
    assert!(dir["seconds"]["apply"].is_f64(), "{dir}");
    assert_eq!(summary["today"], TODAY);
    let preview = install.json(0, &["preview", "--person", "P000001", "--json"]);
    let account = &preview["accounts"][0];
    assert_eq!(account["system"], "directory");
    assert_eq!(account["state"], "enabled");
    assert_eq!(
        account["entitlements"][0]["entitlement"]["key"],
        "IC-nurses"
    );
    assert_eq!(account["entitlements"][0]["source"]["name"], "IC nurses");
    assert_eq!(account["entitlements"][0]["contracts"][0], "C000001");
    let text = install.expect(0, &["preview", "--person", "P000001"]);
    assert!(
        text.contains(
            "group/IC-nurses (IC nurses) from 2026-11-22 until 2026-11-22 by rule `IC nurses`"
        ),
        "{text}"
    );
    // Shifts are told in words in the text; the JSON keeps the ids.
    assert!(
        text.contains("(contracts 1 shift in Intensive Care, 22 Nov 2026)"),
        "{text}"
    );
    assert!(install.expect(0, &["audit", "verify"]).contains("intact"));
    let csv = install.expect(0, &["audit", "export", "--format", "csv"]);
    assert!(
        csv.lines().filter(|l| l.contains("create")).count() >= 3,
        "{csv}"
    );
    let later = install.json(
        0,
        &[
            "audit",
            "export",
            "--format",
            "json",
            "--since",
            "2026-11-23",
        ],
    );
    assert_eq!(
        later,
        Value::Array(vec![]),
        "nothing happened after the simulated day"
    );
}

#[test]
fn a_second_run_on_the_same_store_refuses_to_start() {
    let install = Install::with_plugins("", ROLES);
    // This test process holds the store's run lock, as a running sync would.
    let store = SqliteStore::open(install.path("tessera.db")).unwrap();
    let lease = store.lock_runs("tessera sync", chrono::Utc::now()).unwrap();
    let out = install.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let holder = format!("`tessera sync` (pid {}", std::process::id());
    assert!(text(&out.stderr).contains(&holder), "{}", text(&out.stderr));
    // Nothing was imported.
    install.expect(1, &["preview", "--person", "P000001"]);
    store.unlock_runs(&lease).unwrap();
    install.expect(0, &["sync"]);
    install.expect(0, &["preview", "--person", "P000001"]);
}

#[test]
fn a_dry_run_commits_nothing_and_prints_the_plan() {
    let install = Install::with_plugins("", ROLES);
    let summary = install.json(0, &["sync", "--dry-run", "--json"]);
    assert_eq!(system(&summary, "hr")["import"]["committed"], false);
    let dir = system(&summary, "directory");
    assert_eq!(
        dir["planned"]["operations"].as_array().unwrap().len(),
        0,
        "no person has been imported yet"
    );
    assert!(dir["apply"].is_null());
    let out = install.run(&["preview", "--person", "P000001"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no person `P000001`"));
    let table = install.expect(0, &["sync", "--dry-run"]);
    assert!(
        table.contains("SYSTEM") && table.contains("+3 ~0 -0 of 3 persons (not committed)"),
        "{table}"
    );
}

#[test]
fn a_source_threshold_blocks_with_exit_3_until_forced() {
    let install =
        Install::with_plugins("source = { thresholds = { added = { count = 2 } } }", ROLES);
    let out = install.run(&["sync", "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hr = system(&summary, "hr");
    assert_eq!(hr["status"], "blocked");
    assert_eq!(hr["import"]["committed"], false);
    assert!(
        hr["notes"][0]
            .as_str()
            .unwrap()
            .contains("added persons: 3 reaches the limit of 2")
    );
    assert!(text(&out.stderr).contains("blocked: hr held back"));
    let forced = install.json(0, &["sync", "--force", "--json"]);
    assert_eq!(system(&forced, "hr")["import"]["committed"], true);
}

#[test]
fn target_thresholds_block_with_exit_3_and_approvals_go_one_by_one() {
    let install = Install::with_plugins("", &roles_with_create_limit());
    let summary = install.json(3, &["sync", "--json"]);
    let dir = system(&summary, "directory");
    assert_eq!(dir["plan"]["blocked"], 3);
    assert_eq!(dir["plan"]["deferred"], 3, "grants wait for their account");
    let pending = install.json(0, &["approve", "--list", "--json"]);
    let pending = pending.as_array().unwrap();
    assert_eq!(pending.len(), 3);
    assert_eq!(pending[0]["action"], "create");
    assert!(
        pending[0]["reason"]
            .as_str()
            .unwrap()
            .contains("create threshold")
    );
    let id = pending[0]["id"].to_string();
    let out = install.run(&["approve", &id]);
    assert_eq!(out.status.code(), Some(2), "nobody to name as approver");
    assert!(text(&out.stderr).contains("--by"));
    assert!(
        install
            .expect(0, &["approve", &id, "--by", "ops"])
            .contains(&format!("approved #{id}"))
    );
    install.expect(1, &["approve", &id, "--by", "ops"]);
    let plan = install.json(3, &["plan", "--json"]);
    let ops = plan["plans"][0]["operations"].as_array().unwrap();
    assert_eq!(ops.len(), 2, "the approved create and its grant: {ops:?}");
    assert!(plan["pending_approvals"].as_array().unwrap().len() == 2);
    let again = install.json(3, &["sync", "--json"]);
    assert_eq!(system(&again, "directory")["apply"]["done"], 2);
}

#[test]
fn plan_and_deviations_apply_nothing_and_refuse_unknown_systems() {
    let install = Install::with_plugins("", ROLES);
    install.expect(0, &["sync", "--json"]);
    let plan = install.json(0, &["plan", "--system", "directory", "--json"]);
    assert_eq!(plan["plans"].as_array().unwrap().len(), 1);
    assert_eq!(plan["plans"][0]["system"], "directory");
    // The test target forgets its accounts between runs, so the plan creates them again.
    assert_eq!(plan["plans"][0]["operations"].as_array().unwrap().len(), 6);
    assert_eq!(
        install.json(0, &["deviations", "--json"]),
        Value::Array(vec![])
    );
    let text_plan = install.expect(0, &["plan"]);
    assert!(
        text_plan.contains("plan for directory on 2026-11-22"),
        "{text_plan}"
    );
    let source = install.run(&["plan", "--system", "hr"]);
    assert_eq!(source.status.code(), Some(2));
    assert!(text(&source.stderr).contains("is a source"));
    let unknown = install.run(&["plan", "--system", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("no system `nope`"));
}

#[test]
fn manual_grants_need_a_reason_an_author_and_are_listed_and_withdrawn() {
    let install = Install::with_plugins("", ROLES);
    install.expect(0, &["sync", "--json"]);
    let base = GRANT_HIX_USERS;
    let without = install.run(&[&base[..], &["--by", "ops"]].concat());
    assert_eq!(without.status.code(), Some(2));
    assert!(text(&without.stderr).contains("--reason"));
    let blank = install.run(&[&base[..], &["--by", "ops", "--reason", " "]].concat());
    assert_eq!(blank.status.code(), Some(2));
    assert!(text(&blank.stderr).contains("needs a reason"));
    let refused = install.json(0, &["audit", "export", "--format", "json"]);
    assert!(
        refused
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["record"]["outcome"] == "refused: no reason")
    );
    let bad = install.run(&[
        "grant",
        "--person",
        "P1",
        "--system",
        "directory",
        "--entitlement",
        "HiX",
        "--reason",
        "r",
        "--by",
        "ops",
    ]);
    assert_eq!(bad.status.code(), Some(2), "an entitlement needs KIND/KEY");
    let nobody = install.run(&[
        "grant",
        "--person",
        "P9",
        "--system",
        "directory",
        "--entitlement",
        "group/x",
        "--reason",
        "r",
        "--by",
        "ops",
    ]);
    assert_eq!(nobody.status.code(), Some(1));
    let reason = [
        "--reason",
        "covers ward 3 this week",
        "--until",
        "2026-11-30",
        "--by",
        "ops",
    ];
    let made = install.expect(0, &[&base[..], &reason[..]].concat());
    assert!(made.contains("manual grant #1"), "{made}");
    let listed = install.json(0, &["grants", "--json"]);
    assert_eq!(listed[0]["author"], "ops");
    assert_eq!(listed[0]["reason"], "covers ward 3 this week");
    assert_eq!(listed[0]["until"], "2026-11-30");
    let preview = install.expect(0, &["preview", "--person", "P000001"]);
    assert!(
        preview.contains("manual grant #1 by ops: covers ward 3"),
        "{preview}"
    );
    install.expect(0, &["grant", "revoke", "1", "--by", "lead"]);
    assert_eq!(install.json(0, &["grants", "--json"]), Value::Array(vec![]));
    let all = install.json(0, &["grants", "--all", "--json"]);
    assert_eq!(all[0]["revoked_by"], "lead");
    install.expect(1, &["grant", "revoke", "7", "--by", "lead"]);
}

#[test]
fn audit_verify_names_the_tampered_record() {
    let install = Install::new("", ROLES);
    {
        let store = SqliteStore::open(install.path("tessera.db")).unwrap();
        for action in ["one", "two", "three"] {
            store
                .append_audit(&AuditRecord {
                    action: action.into(),
                    outcome: "ok".into(),
                    ..AuditRecord::default()
                })
                .unwrap();
        }
    }
    let intact = install.json(0, &["audit", "verify", "--json"]);
    assert_eq!(intact["records"], 3);
    let store = SqliteStore::open(install.path("tessera.db")).unwrap();
    store
        .execute_raw("UPDATE audit_log SET record = replace(record, 'two', 'tw0') WHERE seq = 2")
        .unwrap();
    let out = install.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("broken at record #2"),
        "{}",
        text(&out.stderr)
    );
    let json = install.json(1, &["audit", "verify", "--json"]);
    assert_eq!(json["broken_seq"], 2);
}

#[test]
fn broken_configuration_and_usage_exit_2_and_name_the_place() {
    let typo = Install::new(
        "[systems.hr]\nplugin = \"good-source\"\nsource = { tresholds = {} }\n",
        ROLES,
    );
    let out = typo.run(&["sync"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("systems.hr.source") && text(&out.stderr).contains("tresholds")
    );
    let roles = Install::new("", "[system.directory.account]\nusername = []\n");
    let out = roles.run(&["preview", "--person", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("roles.toml:") && stderr.contains("username"),
        "{stderr}"
    );
    let config = Install::new("[systems.hr]\nplugin = \"x\"\ncolour = 1\n", ROLES);
    let out = config.run(&["grants"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("colour"));
    let fine = Install::new("", ROLES);
    assert_eq!(fine.run(&["sync", "--bogus"]).status.code(), Some(2));
    assert_eq!(
        fine.run(&["--today", "tomorrow", "grants"]).status.code(),
        Some(2)
    );
    assert_eq!(
        fine.run(&["approve"]).status.code(),
        Some(2),
        "an id or --list"
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let help = Tessera::new(env!("CARGO_BIN_EXE_tessera")).expect(0, &["--help"]);
    for line in [
        "0  success",
        "1  errors",
        "2  usage or configuration error",
        "3  something was blocked by a threshold",
    ] {
        assert!(help.contains(line), "{line} missing in:\n{help}");
    }
}

/// `check` holds every rule's grants against what the target declares and lists: a group
/// named where its key belongs and a kind the target does not have are configuration
/// problems naming the rule's file and line; the good grant passes.
#[test]
fn check_holds_the_grants_against_the_targets_kinds_and_catalogue() {
    let roles = format!(
        "{ROLES}\n[[rule]]\nname = \"By name\"\ngrants = [{{ system = \"directory\", kind = \"group\", key = \"OK staff\" }}]\n\n\
         [[rule]]\nname = \"Wrong kind\"\ngrants = [{{ system = \"directory\", kind = \"role\", key = \"x\" }}]\n"
    );
    let install = Install::with_plugins("", &roles);
    let report = install.json(2, &["check", "--json"]);
    let rules: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["place"] == "rules")
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    let file = install.path("roles.toml");
    let at = |line: usize| format!("{}:{line}: ", file.display());
    assert_eq!(rules.len(), 2, "{report}");
    assert!(
        rules[0].starts_with(&format!("{}rule `By name` grants group/OK staff", at(15)))
            && rules[0]
                .contains("not in `directory`'s catalogue; that is the name of group OK-staff"),
        "{}",
        rules[0]
    );
    assert!(
        rules[1].starts_with(&format!("{}rule `Wrong kind` grants role/x", at(19)))
            && rules[1].ends_with("has only the kinds group"),
        "{}",
        rules[1]
    );
    assert!(
        report["passed"]
            .to_string()
            .contains("grants in `directory` checked against its 3 catalogue entries"),
        "{report}"
    );
}

/// The catalogue's names are shown beside the keys: in the plan, in a person's preview and
/// in the audit export's record of what was applied.
#[test]
fn plans_previews_and_the_audit_export_show_entitlement_names() {
    let install = Install::with_plugins("", ROLES);
    install.expect(0, &["sync", "--json"]);
    let preview = install.expect(0, &["preview", "--person", "P000001"]);
    assert!(preview.contains("group/IC-nurses (IC nurses)"), "{preview}");
    let grant = [
        &GRANT_HIX_USERS[..],
        &["--by", "ops", "--reason", "ward round"],
    ]
    .concat();
    install.expect(0, &grant);
    let plan = install.expect(0, &["plan"]);
    assert!(plan.contains("group/HiX-users (HiX users)"), "{plan}");
    let json = install.json(0, &["plan", "--json"]);
    let hix = json["plans"][0]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["key"] == "grant:P000001:group/HiX-users")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(hix["name"], "HiX users");
    let records = install.json(0, &["audit", "export", "--format", "json"]);
    let applied = records
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record"]["after"]["entitlement"]["key"] == "IC-nurses")
        .unwrap_or_else(|| panic!("{records}"));
    assert_eq!(applied["record"]["after"]["entitlement_name"], "IC nurses");
}
