//! The active-directory plugin against a real Samba AD domain controller, shared by these
//! tests (Samba's ports are fixed); each test works in its own OU.

mod contract;
mod feed;

use tessera_domain::{AccountSpec, Attribute, AttributeChange, ConnectorError, EntitlementRef};
use tessera_test_servers::samba::{self, Samba};

use tessera_testkit::lifecycle::ops;
use tessera_testkit::{Lifecycle, day, employment, person};

const AWKWARD: &str = "O'Brien, Jr. (IC)*";

/// A test OU with `Users`, `Disabled` and `Groups` below it, and the given groups.
pub struct Domain {
    pub dc: &'static Samba,
    pub ou: String,
}

impl Domain {
    pub fn new(name: &str, groups: &[&str]) -> Self {
        let dc = samba::shared();
        let ou = dc.fresh_ou(name);
        let mut ldif = String::new();
        for sub in ["Users", "Disabled", "Groups"] {
            ldif.push_str(&format!(
                "dn: OU={sub},{ou}\nobjectClass: organizationalUnit\n\n"
            ));
        }
        for g in groups {
            // sAMAccountName is domain-wide, so it carries the OU's unique name.
            let sam = format!("{}-{}", g.replace(' ', "-"), ou_name(&ou));
            ldif.push_str(&format!(
                "dn: CN={g},OU=Groups,{ou}\nobjectClass: group\nsAMAccountName: {sam}\n\n"
            ));
        }
        dc.seed(&ldif);
        Self { dc, ou }
    }

    pub fn sub(&self, name: &str) -> String {
        format!("OU={name},{}", self.ou)
    }

    /// The installation config; `overrides` replaces whole `key = value` lines of the
    /// plugin's configuration.
    pub fn config(&self, overrides: &[(&str, &str)]) -> String {
        let mut values = [
            ("users_ou", self.sub("Users")),
            ("disabled_ou", self.sub("Disabled")),
            ("groups_base", self.sub("Groups")),
            ("upn_suffix", "tessera.test".to_owned()),
        ];
        for (key, value) in overrides {
            if let Some(v) = values.iter_mut().find(|(k, _)| k == key) {
                v.1 = (*value).to_owned();
            }
        }
        let plugin_config: String = values
            .iter()
            .map(|(k, v)| format!("{k} = {}\n", toml::Value::String(v.clone())))
            .collect();
        format!(
            "[ldap.ad]\nurl = \"{url}\"\nbind_dn = \"{bind}\"\nbind_secret = \"ad-bind\"\n\
             base_dn = \"{ou}\"\ntls = \"ldaps\"\nca_file = \"{ca}\"\n\n\
             [systems.ad]\nplugin = \"active-directory\"\n[systems.ad.config]\n{plugin_config}\
             [systems.ad.grants]\nldap = [\"ad\"]\n",
            url = self.dc.ldaps_url(),
            bind = self.dc.admin_bind(),
            ou = self.ou,
            ca = self.dc.ca_file().display(),
        )
    }

    pub fn lifecycle(&self, overrides: &[(&str, &str)]) -> Lifecycle {
        let secrets = [("ad-bind", self.dc.admin_password())];
        Lifecycle::new("active-directory", "ad", &self.config(overrides), &secrets)
    }

    /// `(dn, attribute values)` of the user with this sAMAccountName, searched in the test OU.
    pub fn user(&self, sam: &str, attribute: &str) -> Option<(String, Vec<String>)> {
        let ldif = self.dc.search(
            &self.ou,
            "sub",
            &format!("(sAMAccountName={sam})"),
            &["1.1"],
        );
        let dn = ldif
            .lines()
            .find_map(|l| l.strip_prefix("dn: "))?
            .to_owned();
        let values = self.dc.values(&dn, attribute);
        Some((dn, values))
    }
}

fn ou_name(ou: &str) -> &str {
    ou.trim_start_matches("OU=")
        .split(',')
        .next()
        .unwrap_or_default()
}

async fn group_keys(life: &Lifecycle) -> Vec<(String, String)> {
    let mut target = life.target().await;
    let page = target.list_entitlements(None).await.unwrap();
    page.entitlements
        .into_iter()
        .map(|e| (e.display_name, e.key))
        .collect()
}

fn key_of(keys: &[(String, String)], name: &str) -> String {
    keys.iter()
        .find(|(n, _)| n == name)
        .map(|(_, k)| k.clone())
        .unwrap()
}

fn model(ic: &str, seh: &str) -> String {
    format!(
        r#"
[system.ad.account]
create_days_before = 2
disable_after_days = 0
delete_after_days = 5
username = ["{{given:1}}{{family}}", "{{given}}.{{family}}{{n}}"]
attributes = {{ displayName = "{{given}} {{family}}", givenName = "{{given}}", sn = "{{family}}", department = "{{primary.department.name}}" }}

[[rule]]
name = "IC"
when = {{ department = "IC" }}
grants = [{{ system = "ad", kind = "group", key = "{ic}" }}]

[[rule]]
name = "Emergency"
when = {{ department = "SEH" }}
grants = [{{ system = "ad", kind = "group", key = "{seh}" }}]
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_runs_an_ad_account_through_its_whole_life() {
    let domain = Domain::new("life", &["IC Nurses", "Emergency"]);
    let mut life = domain.lifecycle(&[]);
    let keys = group_keys(&life).await;
    let (ic, seh) = (key_of(&keys, "IC Nurses"), key_of(&keys, "Emergency"));
    life.model(&model(&ic, &seh));
    let anna = |dept: (&str, &str)| {
        person(
            "p1",
            "Anna",
            "Berg",
            vec![employment("c1", dept, day(3), Some(day(6)))],
        )
    };
    let pat = person(
        "p2",
        "Pat",
        AWKWARD,
        vec![employment("c2", ("IC", "Intensive Care"), day(0), None)],
    );
    life.import(vec![anna(("IC", "Intensive Care")), pat.clone()], day(0))
        .await;

    let (plan, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ops(&plan), ["create", "grant"], "only Pat is due on day 0");
    let (pat_dn, uac) = domain.user("pobrienjr.ic", "userAccountControl").unwrap();
    assert_eq!(uac, ["512"], "created enabled");
    assert!(
        pat_dn.starts_with(r"CN=Pat O'Brien\, Jr. (IC)*,OU=Users,"),
        "{pat_dn}"
    );
    let (_, pwd) = domain.user("pobrienjr.ic", "pwdLastSet").unwrap();
    assert_ne!(pwd, ["0"], "an initial password was set");
    let (_, upn) = domain.user("pobrienjr.ic", "userPrincipalName").unwrap();
    assert_eq!(upn, ["pobrienjr.ic@tessera.test"]);

    life.cycle(day(1)).await;
    let (anna_dn, uac) = domain.user("aberg", "userAccountControl").unwrap();
    assert_eq!(uac, ["514"], "created disabled two days before the start");
    assert!(anna_dn.contains(",OU=Disabled,"), "{anna_dn}");

    life.cycle(day(3)).await;
    let (anna_dn, uac) = domain.user("aberg", "userAccountControl").unwrap();
    assert_eq!(
        (uac.as_slice(), anna_dn.contains(",OU=Users,")),
        (&["512".to_owned()][..], true)
    );
    assert_eq!(domain.user("aberg", "memberOf").unwrap().1.len(), 1);

    // Anna moves to the emergency department: one attribute changes, the groups follow.
    life.import(vec![anna(("SEH", "Emergency")), pat.clone()], day(4))
        .await;
    let (plan, report) = life.cycle(day(4)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ops(&plan), ["update", "grant", "revoke"]);
    let member_of = domain.user("aberg", "memberOf").unwrap().1;
    assert!(
        member_of.len() == 1 && member_of[0].starts_with("CN=Emergency,"),
        "{member_of:?}"
    );
    assert_eq!(domain.user("aberg", "department").unwrap().1, ["Emergency"]);
    assert!(
        ops(&life.plan(day(5)).await).is_empty(),
        "nothing left to do"
    );

    life.cycle(day(7)).await;
    let (anna_dn, uac) = domain.user("aberg", "userAccountControl").unwrap();
    assert_eq!(uac, ["514"], "disabled after the contract ended");
    assert!(
        anna_dn.contains(",OU=Disabled,"),
        "moved to the disabled OU: {anna_dn}"
    );
    assert!(
        domain.user("aberg", "memberOf").unwrap().1.is_empty(),
        "rights gone first"
    );

    life.cycle(day(12)).await;
    assert!(
        domain.user("aberg", "cn").is_none(),
        "deleted five days later"
    );
    assert_eq!(
        domain.user("pobrienjr.ic", "userAccountControl").unwrap().1,
        ["512"]
    );
    assert_eq!(domain.user("pobrienjr.ic", "memberOf").unwrap().1.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_group_keeps_its_key_and_its_memberships() {
    let domain = Domain::new("rename", &["IC Nurses", "Emergency"]);
    let mut life = domain.lifecycle(&[]);
    let keys = group_keys(&life).await;
    let ic = key_of(&keys, "IC Nurses");
    life.model(&model(&ic, &key_of(&keys, "Emergency")));
    let nurse = person(
        "p1",
        "Rita",
        "Ek",
        vec![employment("c1", ("IC", "Intensive Care"), day(0), None)],
    );
    life.import(vec![nurse], day(0)).await;
    life.cycle(day(0)).await;

    domain.dc.modify(&format!(
        "dn: CN=IC Nurses,OU=Groups,{ou}\nchangetype: modrdn\nnewrdn: CN=Intensive Care Staff\ndeleteoldrdn: 1\n",
        ou = domain.ou
    ));
    let keys = group_keys(&life).await;
    assert_eq!(
        key_of(&keys, "Intensive Care Staff"),
        ic,
        "same objectGUID, new name"
    );
    let mut target = life.target().await;
    let memberships = target.list_memberships(None).await.unwrap().memberships;
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].entitlement.key, ic);
    assert!(
        ops(&life.plan(day(1)).await).is_empty(),
        "the engine sees nothing to change"
    );
}

fn spec(username: &str, display: &str) -> AccountSpec {
    AccountSpec {
        username: username.into(),
        enabled: true,
        attributes: vec![
            Attribute {
                name: "displayName".into(),
                value: display.into(),
            },
            Attribute {
                name: "sn".into(),
                value: display.into(),
            },
        ],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_full_of_ldap_specials_round_trips() {
    let domain = Domain::new("specials", &[]);
    let life = domain.lifecycle(&[]);
    let mut target = life.target().await;
    let decoy = target
        .create(&spec("decoy", "O'Brien, Jr. (IC)"))
        .await
        .unwrap();
    let made = target.create(&spec("obrien", AWKWARD)).await.unwrap();
    assert_ne!(made.key, decoy.key);
    let mut fresh = life.target().await;
    let found = fresh
        .correlate("displayName", AWKWARD)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found.key, made.key,
        "the escaped filter matches only the exact value"
    );
    let listed = fresh.list_accounts(None).await.unwrap().accounts;
    let shown = listed.iter().find(|a| a.key == made.key).unwrap();
    let display = shown
        .attributes
        .iter()
        .find(|a| a.name == "displayName")
        .unwrap();
    assert_eq!(display.value, AWKWARD);
    let (dn, _) = domain.user("obrien", "cn").unwrap();
    assert_eq!(
        dn,
        format!(r"CN=O'Brien\, Jr. (IC)*,{}", domain.sub("Users"))
    );
    // A second account with the same display name gets its user name in the CN.
    let twin = target.create(&spec("obrien2", AWKWARD)).await.unwrap();
    assert_ne!(twin.key, made.key);
    assert!(
        domain
            .user("obrien2", "cn")
            .unwrap()
            .0
            .starts_with(r"CN=O'Brien\, Jr. (IC)* (obrien2),")
    );
    let taken = target
        .create(&spec("obrien", "Someone Else"))
        .await
        .unwrap_err();
    assert!(
        matches!(taken, ConnectorError::AlreadyExists(_)),
        "{taken:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attributes_are_written_only_when_they_change() {
    let domain = Domain::new("writes", &["Staff"]);
    let life = domain.lifecycle(&[]);
    let mut target = life.target().await;
    let account = target.create(&spec("writer", "Writer One")).await.unwrap();
    let usn = || domain.user("writer", "uSNChanged").unwrap().1;
    let before = usn();
    let same = [AttributeChange {
        name: "displayName".into(),
        values: vec!["Writer One".into()],
    }];
    target.update(&account.key, &same).await.unwrap();
    assert_eq!(usn(), before, "an unchanged value is not written");
    let new = [
        AttributeChange {
            name: "displayName".into(),
            values: vec!["Writer Two".into()],
        },
        AttributeChange {
            name: "sn".into(),
            values: vec![],
        },
    ];
    let updated = target.update(&account.key, &new).await.unwrap();
    assert_ne!(usn(), before);
    let names: Vec<_> = updated
        .attributes
        .iter()
        .filter(|a| !a.value.is_empty())
        .map(|a| (a.name.as_str(), a.value.as_str()))
        .collect();
    assert_eq!(names, [("displayName", "Writer Two")], "sn cleared");
    // The answer is built from what was written; the directory must say the same.
    let stored = domain.user("writer", "displayName").unwrap().1;
    assert_eq!(stored, ["Writer Two"]);
    let bad = [AttributeChange {
        name: "unicodePwd".into(),
        values: vec!["x".into()],
    }];
    let err = target.update(&account.key, &bad).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Invalid { field, .. } if field == "unicodePwd"),
        "{err:?}"
    );

    // Memberships: granting twice and revoking what is not held both succeed.
    let staff = group_keys(&life).await.remove(0).1;
    let group = EntitlementRef {
        kind: "group".into(),
        key: staff,
    };
    for _ in 0..2 {
        target.grant(&account.key, &group).await.unwrap();
    }
    assert_eq!(domain.user("writer", "memberOf").unwrap().1.len(), 1);
    for _ in 0..2 {
        target.revoke(&account.key, &group).await.unwrap();
    }
    assert!(domain.user("writer", "memberOf").unwrap().1.is_empty());
    target.disable(&account.key).await.unwrap();
    target.disable(&account.key).await.unwrap();
    assert!(
        domain
            .user("writer", "cn")
            .unwrap()
            .0
            .contains(",OU=Disabled,")
    );
    target.enable(&account.key).await.unwrap();
    assert_eq!(
        domain.user("writer", "userAccountControl").unwrap().1,
        ["512"]
    );
    target.delete(&account.key).await.unwrap();
    let gone = target.revoke(&account.key, &group).await.unwrap_err();
    assert!(matches!(gone, ConnectorError::NotFound(_)), "{gone:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ous_outside_the_granted_base_are_denied_and_nothing_changes() {
    let domain = Domain::new("escape", &["Staff"]);
    let outside = domain.dc.fresh_ou("escape-outside");
    let life = domain.lifecycle(&[
        ("disabled_ou", &outside),
        ("groups_base", domain.dc.base_dn()),
    ]);
    let mut target = life.target().await;
    let account = target
        .create(&spec("escaper", "Evil,OU=Disabled"))
        .await
        .unwrap();
    let (dn, _) = domain.user("escaper", "cn").unwrap();
    assert!(
        // Samba writes the escaped `=` as `\3D`; either way the name is one RDN in Users.
        dn.starts_with(r"CN=Evil\,OU")
            && dn.ends_with(&format!("Disabled,{}", domain.sub("Users"))),
        "a comma stays a value: {dn}"
    );
    let denied = [
        target.disable(&account.key).await.unwrap_err(),
        target.list_entitlements(None).await.unwrap_err(),
    ];
    for err in denied {
        match err {
            ConnectorError::Denied(message) => {
                assert!(message.contains("ldap.ad.base_dn"), "{message}")
            }
            other => panic!("expected a denial, got {other:?}"),
        }
    }
    assert!(
        domain
            .dc
            .search(&outside, "sub", "(objectClass=user)", &["1.1"])
            .is_empty()
    );
    // Disabling flips the flag before the move, so the refused move leaves it disabled where it was.
    let (dn, uac) = domain.user("escaper", "userAccountControl").unwrap();
    assert!(dn.contains(",OU=Users,") && uac == ["514"], "{dn} {uac:?}");
}
