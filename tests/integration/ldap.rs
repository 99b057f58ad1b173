use std::sync::Arc;

use serde_json::{Value, json};
use tessera_runtime::MemoryServices;
use tessera_test_servers::slapd::{Slapd, SlapdOptions};
use tessera_testkit::runtime;

use crate::probe::{ProbeConfig, err, ok, run};

const BASE: &str = "ou=people,dc=example,dc=org";
const AWKWARD: &str = "O'Brien, Jr. (IC)*";

fn setup() -> (Slapd, ProbeConfig, Arc<MemoryServices>) {
    let slapd = Slapd::start(SlapdOptions::default());
    slapd.add_people("people", 1200);
    slapd.add_people("other", 1);
    let ldap = format!(
        "[ldap.directory]\nurl = \"{}\"\nbind_dn = \"{}\"\nbind_secret = \"ldap-bind\"\nbase_dn = \"{BASE}\"\ntls = \"none\"\n",
        slapd.url(),
        slapd.root_dn()
    );
    let config = ProbeConfig::new(
        "https://api.example.org",
        "http = [\"https://api.example.org\"]",
    )
    .ldap(&ldap);
    let services = Arc::new(MemoryServices::with_secrets([(
        "ldap-bind",
        slapd.root_password(),
    )]));
    (slapd, config, services)
}

fn person(cn: &str) -> Value {
    json!({"objectClass": ["inetOrgPerson"], "cn": [cn], "sn": ["Test"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_searches_in_pages_and_writes_under_its_base() {
    let (slapd, config, services) = setup();
    let renamed = format!("cn=Renamed,{BASE}");
    let r = run(
        &runtime(),
        &config,
        services.clone(),
        &[
            json!({"op": "ldap-search", "conn": "directory", "base": BASE, "scope": "one", "filter": "(uid=user*)", "attrs": ["uid"], "page_size": 500, "count_only": true}),
            json!({"op": "ldap-add-child", "conn": "directory", "rdn_attr": "cn", "rdn_value": AWKWARD, "parent": BASE, "attrs": person(AWKWARD)}),
            json!({"op": "ldap-add-child", "conn": "directory", "rdn_attr": "cn", "rdn_value": "O'Brien, Jr. (IC)", "parent": BASE, "attrs": person("O'Brien, Jr. (IC)")}),
            json!({"op": "ldap-search-eq", "conn": "directory", "base": BASE, "attr": "cn", "value": AWKWARD, "attrs": ["cn"]}),
            json!({"op": "ldap-add", "conn": "directory", "dn": format!("cn=Mixed Case,OU=People,DC=Example,DC=Org"), "attrs": person("Mixed Case")}),
            json!({"op": "ldap-modify", "conn": "directory", "dn": format!("cn=Mixed Case,{BASE}"), "changes": [{"op": "add", "attr": "description", "values": ["a", "b"]}, {"op": "delete", "attr": "description", "values": ["a"]}]}),
            json!({"op": "ldap-compare", "conn": "directory", "dn": format!("cn=Mixed Case,{BASE}"), "attr": "description", "value": "b"}),
            json!({"op": "ldap-rename", "conn": "directory", "dn": format!("cn=Mixed Case,{BASE}"), "new_rdn": "cn=Renamed", "delete_old": true}),
            json!({"op": "ldap-delete", "conn": "directory", "dn": renamed}),
            json!({"op": "ldap-delete", "conn": "directory", "dn": renamed}),
            json!({"op": "ldap-add", "conn": "directory", "dn": format!("uid=user00001,{BASE}"), "attrs": person("dup")}),
        ],
    )
    .await;
    let paged = ok(&r[0]);
    assert_eq!(
        (paged["count"].as_u64(), paged["batches"].as_u64()),
        (Some(1200), Some(3))
    );
    let dn = ok(&r[1]).as_str().unwrap().to_owned();
    ok(&r[2]);
    let found = ok(&r[3]);
    assert_eq!(
        found["count"], 1,
        "the escaped filter matches only the exact value: {found}"
    );
    assert_eq!(found["entries"][0]["attrs"]["cn"][0], AWKWARD);
    assert!(slapd.exists(&dn), "{dn} was written as one RDN");
    ok(&r[4]);
    ok(&r[5]);
    assert_eq!(ok(&r[6]), &json!(true));
    ok(&r[7]);
    ok(&r[8]);
    // Server refusals arrive typed: code, name, the matched DN and the server's message.
    let (kind, gone) = err(&r[9]);
    assert_eq!(kind, "ldap");
    assert_eq!(
        (&gone["code"], &gone["name"]),
        (&json!(32), &json!("noSuchObject"))
    );
    assert!(
        gone["matched_dn"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case(BASE),
        "the server names the closest entry it found: {gone}"
    );
    let (kind, exists) = err(&r[10]);
    assert_eq!(kind, "ldap");
    assert_eq!(exists["code"], 68, "{exists}");
    assert_eq!(exists["name"], "entryAlreadyExists");
    assert!(!slapd.exists(&renamed));
    let bind = services
        .events()
        .into_iter()
        .find(|e| e.action == "credential-read")
        .expect("bind secret read audited");
    assert!(
        bind.what.contains("ldap-bind") && bind.outcome == "ok",
        "{bind:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_out_of_the_base_dn_is_denied_and_changes_nothing() {
    let (slapd, config, services) = setup();
    let before = slapd.search("dc=example,dc=org", "sub", "(objectClass=*)", &["1.1"]);
    let outside = [
        json!({"op": "ldap-add", "conn": "directory", "dn": "cn=evil\\,ou=people,dc=example,dc=org", "attrs": person("evil")}),
        json!({"op": "ldap-add", "conn": "directory", "dn": "cn=x,ou=other,dc=example,dc=org", "attrs": person("x")}),
        json!({"op": "ldap-add", "conn": "directory", "dn": "cn=x,ou=people,dc=example,dc=org,dc=evil", "attrs": person("x")}),
        json!({"op": "ldap-delete", "conn": "directory", "dn": "uid=user00000,ou=other,dc=example,dc=org"}),
        json!({"op": "ldap-modify", "conn": "directory", "dn": "ou=other,dc=example,dc=org", "changes": [{"op": "replace", "attr": "description", "values": ["x"]}]}),
        json!({"op": "ldap-rename", "conn": "directory", "dn": format!("uid=user00002,{BASE}"), "new_rdn": "uid=user00002", "delete_old": true, "new_superior": "ou=other,dc=example,dc=org"}),
        json!({"op": "ldap-search", "conn": "directory", "base": "dc=example,dc=org", "filter": "(objectClass=*)"}),
        json!({"op": "ldap-compare", "conn": "directory", "dn": "uid=user00000,ou=other,dc=example,dc=org", "attr": "uid", "value": "user00000"}),
    ];
    let mut commands = outside.to_vec();
    commands.push(
        json!({"op": "ldap-search", "conn": "hr", "base": BASE, "filter": "(objectClass=*)"}),
    );
    let r = run(&runtime(), &config, services.clone(), &commands).await;
    for (i, result) in r[..outside.len()].iter().enumerate() {
        let (kind, d) = err(result);
        assert_eq!(kind, "denied", "command {i}: {d}");
        assert_eq!(
            d["config_key"], "ldap.directory.base_dn",
            "command {i}: {d}"
        );
    }
    let (kind, d) = err(&r[outside.len()]);
    assert_eq!(
        (kind, d["config_key"].as_str()),
        ("denied", Some("systems.probe.grants.ldap"))
    );
    let after = slapd.search("dc=example,dc=org", "sub", "(objectClass=*)", &["1.1"]);
    assert_eq!(before, after, "the directory is unchanged");
    let denials = services
        .events()
        .iter()
        .filter(|e| e.action == "denied")
        .count();
    assert_eq!(denials, outside.len() + 1, "every denial is audited");
}
