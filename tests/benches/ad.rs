//! Active Directory: 5,000 users and 20,000 memberships created through the active-directory
//! plugin against a real Samba AD DC, and the same work done with ldap3 directly against the
//! same server. Prints operations per second and the ratio (goal ≤ 1.3×); checks only that
//! both sides left the same number of memberships behind.
//!
//! Both sides work sequentially on one connection (Samba runs single-process here). The plugin
//! also reads each new account back for its objectGUID, the key it must return.
//!
//! Run: `cargo bench -p tessera-tests --bench ad` (needs Samba; `AD_BENCH_USERS=500` for a
//! quick run).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ldap3::{LdapConnAsync, LdapConnSettings, Mod};
use tessera_domain::{AccountSpec, Attribute, EntitlementRef, TargetConnector};
use tessera_runtime::{MemoryServices, WasmTarget};
use tessera_test_servers::samba::{self, Samba};
use tessera_testkit::{TestInstall, plugin, runtime};

const GROUPS: usize = 8;
const PER_USER: usize = 4;

/// A test OU with Users, Disabled and Groups, and `GROUPS` groups; returns the OU's DN.
fn domain(dc: &Samba, name: &str) -> String {
    let ou = dc.fresh_ou(name);
    let mut ldif = String::new();
    for sub in ["Users", "Disabled", "Groups"] {
        ldif.push_str(&format!(
            "dn: OU={sub},{ou}\nobjectClass: organizationalUnit\n\n"
        ));
    }
    for g in 0..GROUPS {
        ldif.push_str(&format!(
            "dn: CN=G{g},OU=Groups,{ou}\nobjectClass: group\nsAMAccountName: {name}-g{g}\n\n"
        ));
    }
    dc.seed(&ldif);
    ou
}

async fn plugin_target(dc: &Samba, ou: &str) -> (TestInstall, WasmTarget) {
    let config = format!(
        "[ldap.ad]\nurl = \"{url}\"\nbind_dn = \"{bind}\"\nbind_secret = \"ad-bind\"\n\
         base_dn = \"{ou}\"\ntls = \"ldaps\"\nca_file = \"{ca}\"\n\n\
         [systems.ad]\nplugin = \"active-directory\"\n[systems.ad.config]\n\
         users_ou = \"OU=Users,{ou}\"\ndisabled_ou = \"OU=Disabled,{ou}\"\n\
         groups_base = \"OU=Groups,{ou}\"\nupn_suffix = \"tessera.test\"\n\
         [systems.ad.grants]\nldap = [\"ad\"]\n",
        url = dc.ldaps_url(),
        bind = dc.admin_bind(),
        ca = dc.ca_file().display(),
    );
    let install = TestInstall::new(&config);
    let mut inst = install.open();
    inst.store
        .install(&plugin("active-directory"), None)
        .expect("install");
    let secrets = [("ad-bind", dc.admin_password())];
    inst.set_services(Arc::new(MemoryServices::with_secrets(secrets)));
    let (system, _) = inst.prepare(&runtime(), "ad").expect("prepare");
    let target = system.target().await.expect("instance");
    (install, target)
}

fn spec(i: usize) -> AccountSpec {
    let name = format!("User {i}");
    AccountSpec {
        username: format!("bp{i}"),
        enabled: true,
        attributes: vec![
            Attribute {
                name: "displayName".into(),
                value: name.clone(),
            },
            Attribute {
                name: "sn".into(),
                value: name,
            },
        ],
    }
}

/// Creates the users and memberships through the plugin; returns (create time, grant time).
async fn through_plugin(dc: &Samba, users: usize) -> (Duration, Duration, usize) {
    let ou = domain(dc, "bench-plugin");
    let (_install, mut target) = plugin_target(dc, &ou).await;
    let groups: Vec<EntitlementRef> = target
        .list_entitlements(None)
        .await
        .expect("groups")
        .entitlements
        .iter()
        .map(|e| e.reference())
        .collect();
    assert_eq!(groups.len(), GROUPS);
    let start = Instant::now();
    let mut keys = Vec::with_capacity(users);
    for i in 0..users {
        keys.push(target.create(&spec(i)).await.expect("create").key);
    }
    let created = start.elapsed();
    let start = Instant::now();
    for (i, key) in keys.iter().enumerate() {
        for j in 0..PER_USER {
            target
                .grant(key, &groups[(i + j) % GROUPS])
                .await
                .expect("grant");
        }
    }
    let granted = start.elapsed();
    (created, granted, memberships(dc, &ou).await)
}

async fn memberships(dc: &Samba, ou: &str) -> usize {
    let (_install, mut target) = plugin_target(dc, ou).await;
    let mut count = 0;
    let mut cursor = None;
    loop {
        let page = target.list_memberships(cursor).await.expect("memberships");
        count += page.memberships.len();
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return count,
        }
    }
}

fn tls_settings(dc: &Samba) -> LdapConnSettings {
    LdapConnSettings::new().set_config(Arc::new(dc.tls_config()))
}

fn unicode_pwd(password: &str) -> Vec<u8> {
    format!("\"{password}\"")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect()
}

fn values(v: &[&[u8]]) -> HashSet<Vec<u8>> {
    v.iter().map(|b| b.to_vec()).collect()
}

/// The same work with ldap3: one add per user (password and flags included), one modify per
/// membership.
async fn direct(dc: &Samba, users: usize) -> (Duration, Duration, usize) {
    let ou = domain(dc, "bench-direct");
    let (conn, mut ldap) = LdapConnAsync::with_settings(tls_settings(dc), &dc.ldaps_url())
        .await
        .expect("connect");
    ldap3::drive!(conn);
    ldap.simple_bind(&dc.admin_bind(), dc.admin_password())
        .await
        .expect("bind")
        .success()
        .expect("bind ok");
    let password = unicode_pwd("Bench-Pass-2026!x");
    let start = Instant::now();
    let mut dns = Vec::with_capacity(users);
    for i in 0..users {
        let dn = format!("CN=User {i},OU=Users,{ou}");
        let (sam, upn, name) = (
            format!("bd{i}"),
            format!("bd{i}@tessera.test"),
            format!("User {i}"),
        );
        let attrs: Vec<(Vec<u8>, HashSet<Vec<u8>>)> = vec![
            (b"objectClass".to_vec(), values(&[b"user"])),
            (b"sAMAccountName".to_vec(), values(&[sam.as_bytes()])),
            (b"userPrincipalName".to_vec(), values(&[upn.as_bytes()])),
            (b"userAccountControl".to_vec(), values(&[b"512"])),
            (b"displayName".to_vec(), values(&[name.as_bytes()])),
            (b"sn".to_vec(), values(&[name.as_bytes()])),
            (b"unicodePwd".to_vec(), values(&[&password])),
        ];
        ldap.add(&dn, attrs)
            .await
            .expect("add")
            .success()
            .expect("added");
        dns.push(dn);
    }
    let created = start.elapsed();
    let start = Instant::now();
    for (i, dn) in dns.iter().enumerate() {
        for j in 0..PER_USER {
            let group = format!("CN=G{},OU=Groups,{ou}", (i + j) % GROUPS);
            let change = vec![Mod::Add("member", HashSet::from([dn.as_str()]))];
            ldap.modify(&group, change)
                .await
                .expect("modify")
                .success()
                .expect("member added");
        }
    }
    let granted = start.elapsed();
    let _ = ldap.unbind().await;
    (created, granted, memberships(dc, &ou).await)
}

fn report(label: &str, ops: usize, through: Duration, direct: Duration) {
    let rate = |d: Duration| ops as f64 / d.as_secs_f64();
    println!(
        "  {label:<12} plugin {:>7.1} ops/s   ldap3 {:>7.1} ops/s   ratio {:.2}× (goal ≤ 1.3×)",
        rate(through),
        rate(direct),
        through.as_secs_f64() / direct.as_secs_f64()
    );
}

fn main() {
    let users: usize = std::env::var("AD_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let dc = samba::shared();
    let (pc, pg, pm) = rt.block_on(through_plugin(dc, users));
    let (dc_, dg, dm) = rt.block_on(direct(dc, users));
    assert_eq!(
        (pm, dm),
        (users * PER_USER, users * PER_USER),
        "both sides made every membership"
    );
    println!(
        "Active Directory (Samba AD DC over LDAPS): {users} users, {} memberships",
        users * PER_USER
    );
    report("create", users, pc, dc_);
    report("membership", users * PER_USER, pg, dg);
    report("all", users * (1 + PER_USER), pc + pg, dc_ + dg);
}
