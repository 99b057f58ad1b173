//! The targets' own floor for a run: the operations it applied, sent again directly, with the
//! same number of connections per target as the run's `apply.concurrency`, all targets at once
//! as the run applies them. ldap3 against Samba and slapd; against HiX the very SOAP requests
//! the plugin posted (the mock logs them), each under a fresh ControlId.
//!
//! The operations come from the run's apply journal. Before the timed replay, every membership
//! change is undone (untimed), so the replay adds and removes members as the run did instead of
//! meeting "already a member". Attribute updates are replaced with the values they already
//! have, and an HSA person's move to another unit (a modrdn) is not replayed, so the floor is,
//! if anything, lower than the targets' real cost: the goal it feeds gets stricter, not looser.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod, Scope, SearchEntry};
use serde_json::Value;
use tessera_store::{JournalState, Plans, SqliteStore};
use tessera_test_servers::hospital::{AdTree, Hospital, guid_text};

/// Connections per target, as the benchmark's configuration gives them (AD sets 2, the others
/// keep the default 4).
const AD_WRITERS: usize = 2;
const HSA_WRITERS: usize = 4;
const HIX_WRITERS: usize = 4;

/// What the replay did and how long it took.
pub struct Floor {
    pub seconds: f64,
    /// Per target: operations replayed and operations left out (kinds the replay cannot send).
    pub counts: Vec<(&'static str, usize, usize)>,
}

/// One LDAP modify, with what undoes it before the timed replay (membership changes only).
struct Write {
    dn: String,
    mods: Vec<Mod<String>>,
    undo: Option<Vec<Mod<String>>>,
}

/// Replays the operations the runs since `since` applied; `hix_mark` is the length of the HiX
/// mock's log before those runs.
pub async fn floor(home: &Path, h: &Hospital, since: DateTime<Utc>, hix_mark: usize) -> Floor {
    let store = SqliteStore::open(home.join("tessera.db")).expect("the benchmark's store");
    let mut counts = Vec::new();
    let ad = match &h.ad {
        Some(tree) => {
            let mut conn = connect(&tree.dc.ldaps_url(), Some(&tree.dc.tls_config())).await;
            bind(&mut conn, &tree.dc.admin_bind(), tree.dc.admin_password()).await;
            let names = dns(&mut conn, &tree.ou, "(objectClass=user)", "objectGUID").await;
            let groups: HashMap<&str, String> = tree
                .groups
                .iter()
                .map(|(cn, guid)| (guid.as_str(), tree.group_dn(cn)))
                .collect();
            let ops = applied(&store, "ad", since);
            let (writes, left) = ldap_writes(
                &ops,
                |key| names.get(key).cloned(),
                |key| groups.get(key).cloned(),
            );
            counts.push(("AD (Samba)", writes.len(), left));
            Some((tree, writes))
        }
        None => None,
    };
    let hsa = match &h.hsa {
        Some(slapd) => {
            let mut conn = connect(&slapd.url(), None).await;
            bind(&mut conn, &slapd.root_dn(), slapd.root_password()).await;
            let ids = dns(&mut conn, slapd.suffix(), "(hsaIdentity=*)", "hsaIdentity").await;
            let ops = applied(&store, "hsa", since);
            let by_id = |key: &str| ids.get(key).cloned();
            let (writes, left) = ldap_writes(&ops, by_id, by_id);
            counts.push(("HSA (slapd)", writes.len(), left));
            Some((slapd, writes))
        }
        None => None,
    };
    let requests: Vec<(String, String)> = h.hix.log()[hix_mark..]
        .iter()
        .filter(|l| l.fault.is_none())
        .enumerate()
        .map(|(i, l)| {
            let fresh = format!("floor-{i}-{}", since.timestamp_micros());
            (l.message.clone(), l.body.replace(&l.control_id, &fresh))
        })
        .collect();
    counts.push(("HiX (requests)", requests.len(), 0));

    // Untimed: undo the membership changes so the replay really makes them again.
    if let Some((tree, writes)) = &ad {
        undo(
            &tree.dc.ldaps_url(),
            Some(&tree.dc.tls_config()),
            &ad_login(tree),
            writes,
        )
        .await;
    }
    if let Some((slapd, writes)) = &hsa {
        let login = (slapd.root_dn(), slapd.root_password().to_owned());
        undo(&slapd.url(), None, &login, writes).await;
    }

    let started = Instant::now();
    let ad_done = async {
        if let Some((tree, writes)) = &ad {
            let tls = tree.dc.tls_config();
            send_ldap(
                &tree.dc.ldaps_url(),
                Some(&tls),
                &ad_login(tree),
                writes,
                AD_WRITERS,
            )
            .await;
        }
    };
    let hsa_done = async {
        if let Some((slapd, writes)) = &hsa {
            let login = (slapd.root_dn(), slapd.root_password().to_owned());
            send_ldap(&slapd.url(), None, &login, writes, HSA_WRITERS).await;
        }
    };
    let hix_url = h.hix.url();
    let hix_done = send_http(&hix_url, &requests);
    tokio::join!(ad_done, hsa_done, hix_done);
    Floor {
        seconds: started.elapsed().as_secs_f64(),
        counts,
    }
}

fn ad_login(tree: &AdTree) -> (String, String) {
    (tree.dc.admin_bind(), tree.dc.admin_password().to_owned())
}

/// The operations (`{"op": "grant", …}`) the system's plans made since `since` carried out.
fn applied(store: &SqliteStore, system: &str, since: DateTime<Utc>) -> Vec<Value> {
    let plans = store.recent_plans(Some(system), false, 16).expect("plans");
    let mut ops = Vec::new();
    for plan in plans.iter().filter(|p| p.created_at >= since) {
        for entry in store.journal_entries(plan.id).expect("journal") {
            if entry.state == JournalState::Done {
                let planned: Value = serde_json::from_str(&entry.op).expect("journalled JSON");
                ops.push(planned["op"].clone());
            }
        }
    }
    ops
}

/// The LDAP writes of `ops`, with accounts and entitlements found by key; the count of
/// operations the replay cannot send (creates, enables, …: none in a department move).
fn ldap_writes(
    ops: &[Value],
    account: impl Fn(&str) -> Option<String>,
    group: impl Fn(&str) -> Option<String>,
) -> (Vec<Write>, usize) {
    let member_attr = |kind: &str| match kind {
        "commission" => "hsaCommissionMember",
        _ => "member",
    };
    let mut writes = Vec::new();
    let mut left = 0;
    for op in ops {
        let key = op["account"]
            .as_str()
            .or_else(|| op["account"]["key"].as_str());
        let dn = key.and_then(&account);
        let write = match (op["op"].as_str(), dn) {
            (Some("update"), Some(dn)) => Some(update(dn, &op["changes"])),
            (Some(kind @ ("grant" | "revoke")), Some(user_dn)) => {
                let entitlement = &op["entitlement"];
                let target = entitlement["key"].as_str().and_then(&group);
                let attr = member_attr(entitlement["kind"].as_str().unwrap_or_default());
                // HSA lists members by HSA-id, AD by DN.
                let member = match attr {
                    "member" => user_dn,
                    _ => key.unwrap_or_default().to_owned(),
                };
                target.map(|dn| membership(dn, attr, member, kind == "grant"))
            }
            _ => None,
        };
        match write {
            Some(w) => writes.push(w),
            None => left += 1,
        }
    }
    (writes, left)
}

fn update(dn: String, changes: &Value) -> Write {
    let mods = changes
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let name = c["name"].as_str().unwrap_or_default().to_owned();
            let values: std::collections::HashSet<String> = c["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            Mod::Replace(name, values)
        })
        .collect();
    Write {
        dn,
        mods,
        undo: None,
    }
}

fn membership(dn: String, attr: &str, member: String, add: bool) -> Write {
    let values = std::collections::HashSet::from([member]);
    let (forward, back) = match add {
        true => (
            Mod::Add(attr.to_owned(), values.clone()),
            Mod::Delete(attr.to_owned(), values),
        ),
        false => (
            Mod::Delete(attr.to_owned(), values.clone()),
            Mod::Add(attr.to_owned(), values),
        ),
    };
    Write {
        dn,
        mods: vec![forward],
        undo: Some(vec![back]),
    }
}

async fn connect(url: &str, tls: Option<&rustls::ClientConfig>) -> Ldap {
    let settings = match tls {
        Some(config) => LdapConnSettings::new().set_config(Arc::new(config.clone())),
        None => LdapConnSettings::new(),
    };
    let (conn, ldap) = LdapConnAsync::with_settings(settings, url)
        .await
        .expect("connect");
    ldap3::drive!(conn);
    ldap
}

async fn bind(ldap: &mut Ldap, dn: &str, password: &str) {
    ldap.simple_bind(dn, password)
        .await
        .and_then(|r| r.success())
        .expect("bind");
}

/// Key → DN of every entry under `base` matching `filter`, the key read from `attr` (an AD
/// objectGUID in its text form, or an HSA-id).
async fn dns(ldap: &mut Ldap, base: &str, filter: &str, attr: &str) -> HashMap<String, String> {
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(500)),
    ];
    let mut stream = ldap
        .streaming_search_with(adapters, base, Scope::Subtree, filter, vec![attr])
        .await
        .expect("search");
    let mut out = HashMap::new();
    while let Some(raw) = stream.next().await.expect("entry") {
        let entry = SearchEntry::construct(raw);
        let text = entry.attrs.get(attr).and_then(|v| v.first());
        let key = match entry.bin_attrs.get(attr).and_then(|v| v.first()) {
            Some(bytes) => Some(guid_text(bytes)),
            // A GUID whose bytes happen to be UTF-8 comes as text.
            None if attr == "objectGUID" => text.map(|t| guid_text(t.as_bytes())),
            None => text.cloned(),
        };
        if let Some(key) = key {
            out.insert(key, entry.dn);
        }
    }
    stream.finish().await.success().expect("search done");
    out
}

/// Undoes the membership changes, one connection, errors ignored (a change the run found
/// already made has nothing to undo).
async fn undo(
    url: &str,
    tls: Option<&rustls::ClientConfig>,
    login: &(String, String),
    writes: &[Write],
) {
    let mut ldap = connect(url, tls).await;
    bind(&mut ldap, &login.0, &login.1).await;
    for w in writes {
        if let Some(mods) = &w.undo {
            let _ = ldap.modify(&w.dn, mods.clone()).await;
        }
    }
}

/// The writes over `writers` connections, round robin; any refusal stops the benchmark, since
/// a floor made of errors would be no floor.
async fn send_ldap(
    url: &str,
    tls: Option<&rustls::ClientConfig>,
    login: &(String, String),
    writes: &[Write],
    writers: usize,
) {
    let lanes = (0..writers).map(|lane| async move {
        let mut ldap = connect(url, tls).await;
        bind(&mut ldap, &login.0, &login.1).await;
        for w in writes.iter().skip(lane).step_by(writers) {
            ldap.modify(&w.dn, w.mods.clone())
                .await
                .and_then(|r| r.success())
                .unwrap_or_else(|e| panic!("replaying a modify of {}: {e}", w.dn));
        }
    });
    futures_util::future::join_all(lanes).await;
}

/// The lane of a HiX request: by the user's code, so one user's requests keep their order
/// (a revoke's whole-user write must not overtake the grant's before it).
fn lane_of(body: &str) -> usize {
    let code = body
        .split_once("code>")
        .and_then(|(_, rest)| rest.split('<').next())
        .unwrap_or_default();
    code.bytes().map(usize::from).sum::<usize>() % HIX_WRITERS
}

/// The logged SOAP requests, posted again over `HIX_WRITERS` connections.
async fn send_http(base: &str, requests: &[(String, String)]) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let lanes = (0..HIX_WRITERS).map(|lane| {
        let client = client.clone();
        async move {
            let mine = requests.iter().filter(|(_, body)| lane_of(body) == lane);
            for (message, body) in mine {
                let status = client
                    .post(format!("{base}/{message}"))
                    .header("content-type", "text/xml; charset=utf-8")
                    .header("soapaction", format!("\"{message}\""))
                    .body(body.clone())
                    .send()
                    .await
                    .expect("HiX answers")
                    .status();
                assert!(
                    status.is_success(),
                    "HiX answered {status} to {message} on replay"
                );
            }
        }
    });
    futures_util::future::join_all(lanes).await;
}
