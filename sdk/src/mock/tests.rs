use super::{Grant, MockDirectory, MockHost, Reply};
use crate::host::errors::{Denial, HostError};
use crate::host::http::{self, Method, Request};
use crate::host::ldap::{self, ChangeFeed, Modification, ModifyOp, Scope, SearchRequest};
use crate::host::{config, log, vault, xml};

/// A plugin asking for one API origin, a `base_url` origin, an LDAP connection, one fixed
/// secret, XML, state and files.
const MANIFEST: &str = r#"{
  "format": 1, "id": "acme", "version": "1.0.0", "kind": "target", "wit": "0.2.3",
  "description": "test",
  "config": [
    {"name": "base_url", "type": "url", "required": true},
    {"name": "api_key", "type": "string", "secret": true},
    {"name": "page_size", "type": "integer", "default": 100}
  ],
  "capabilities": {
    "http": ["https://*.acme.example"], "http_config": ["base_url"], "ldap": ["dir"],
    "secrets": ["bind"], "xml": true, "state": true, "files": true
  }
}"#;

fn host() -> MockHost {
    MockHost::new(MANIFEST).config("base_url", "https://hr.other.example/api")
}

fn get(url: &str) -> Request {
    Request {
        method: Method::Get,
        url: url.to_owned(),
        headers: Vec::new(),
        body: None,
        timeout_ms: None,
    }
}

fn denial(result: Result<impl std::fmt::Debug, HostError>) -> Denial {
    match result {
        Err(HostError::Denied(d)) => d,
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[test]
fn configuration_is_checked_and_defaults_filled_in() {
    let _host = host().install();
    assert_eq!(
        config::get("base_url"),
        Some(config::Value::Text("https://hr.other.example/api".into()))
    );
    assert_eq!(config::get("page_size"), Some(config::Value::Integer(100)));
    assert_eq!(config::all().len(), 2);
}

#[test]
#[should_panic(expected = "systems.acme.config.base_url: required url is missing")]
fn a_missing_required_value_stops_the_install() {
    let _host = MockHost::new(MANIFEST).install();
}

#[test]
#[should_panic(expected = "outside a mock host")]
fn a_host_call_without_a_mock_host_says_how_to_get_one() {
    let _ = config::get("base_url");
}

#[test]
fn scripted_answers_come_in_order_and_the_last_one_stays() {
    let url = "https://api.acme.example/persons?page=1";
    let host = host()
        .answer(
            Method::Get,
            url,
            Reply::status(503).header("Retry-After", "2"),
        )
        .answer(Method::Get, url, Reply::json(200, "[]"))
        .answer(
            Method::Get,
            "https://hr.other.example/api/*",
            Reply::status(204),
        )
        .install();
    let statuses: Vec<u16> = (0..3)
        .map(|_| http::send(&get(url)).expect("answered").status)
        .collect();
    assert_eq!(statuses, [503, 200, 200]);
    let prefixed = http::send(&get("https://hr.other.example/api/x?y=1")).expect("answered");
    assert_eq!(prefixed.status, 204);
    assert!(matches!(
        http::send(&get("https://api.acme.example/unscripted")),
        Err(HostError::Unavailable(m)) if m.contains("nothing scripted for GET")
    ));
    assert_eq!(host.requests().len(), 5);
}

#[test]
fn http_outside_the_grant_is_denied_as_the_host_denies_it() {
    let host = host()
        .grant_http(&["https://api.acme.example"])
        .answer(Method::Get, "*", Reply::status(200))
        .install();
    let d = denial(http::send(&get("https://evil.example/")));
    assert_eq!(d.config_key, "systems.acme.grants.http");
    assert!(d.what.contains("https://evil.example:443"), "{}", d.what);
    // Narrowed: the wildcard's other hosts are no longer granted.
    denial(http::send(&get("https://www.acme.example/")));
    assert_eq!(
        http::send(&get("https://api.acme.example/")).map(|r| r.status),
        Ok(200)
    );
    assert_eq!(host.denials().len(), 2);
}

#[test]
fn plain_http_and_private_addresses_need_their_own_grants() {
    let manifest = MANIFEST.replace("https://*.acme.example", "http://127.0.0.1:8080");
    let url = "http://127.0.0.1:8080/x";
    let plain = MockHost::new(&manifest)
        .config("base_url", "https://hr.other.example")
        .install();
    assert_eq!(
        denial(http::send(&get(url))).config_key,
        "systems.acme.grants.http_insecure"
    );
    drop(plain);
    let private = MockHost::new(&manifest)
        .config("base_url", "https://hr.other.example")
        .http_insecure("http://127.0.0.1:8080")
        .install();
    assert_eq!(
        denial(http::send(&get(url))).config_key,
        "systems.acme.grants.http_private"
    );
    drop(private);
    let _granted = MockHost::new(&manifest)
        .config("base_url", "https://hr.other.example")
        .http_insecure("http://127.0.0.1:8080")
        .http_private("http://127.0.0.1:8080")
        .answer(Method::Get, url, Reply::status(200))
        .install();
    assert_eq!(http::send(&get(url)).map(|r| r.status), Ok(200));
}

#[test]
fn secrets_are_read_only_by_grant_and_masked_in_logs() {
    let host = host()
        .secret("bind", "bind-password")
        .secret("other", "not yours")
        .config_secret("api_key", "acme-key", "k3y-value")
        .install();
    assert_eq!(vault::secret("bind").as_deref(), Ok("bind-password"));
    assert_eq!(vault::secret("acme-key").as_deref(), Ok("k3y-value"));
    assert_eq!(
        denial(vault::secret("other")).config_key,
        "systems.acme.grants.secrets"
    );
    log::log(
        log::Level::Info,
        "calling with k3y-value",
        &[log::Field {
            key: "auth".into(),
            value: "bind-password".into(),
        }],
    );
    let line = &host.logs()[0];
    assert_eq!(line.message, "calling with [secret]");
    assert_eq!(line.fields, [("auth".to_owned(), "[secret]".to_owned())]);
}

#[test]
fn state_persists_and_is_denied_when_revoked() {
    let host = host().state("cursor", b"1".to_vec()).install();
    assert_eq!(vault::state_get("cursor"), Ok(Some(b"1".to_vec())));
    vault::state_set("cursor", b"2").expect("set");
    vault::state_delete("gone").expect("delete of a missing key");
    assert_eq!(host.state("cursor"), Some(b"2".to_vec()));
    drop(host);
    let _revoked = self::host().revoke(Grant::State).install();
    assert_eq!(
        denial(vault::state_get("cursor")).config_key,
        "systems.acme.grants.state"
    );
}

fn directory() -> MockDirectory {
    MockDirectory::new("dc=acme,dc=example")
        .entry(
            "ou=people,dc=acme,dc=example",
            &[("objectClass", &["organizationalUnit"])],
        )
        .entry(
            "ou=groups,dc=acme,dc=example",
            &[("objectClass", &["organizationalUnit"])],
        )
}

fn search(
    base: &str,
    scope: Scope,
    filter: &str,
    page_size: u32,
) -> Result<Vec<Vec<ldap::Entry>>, HostError> {
    let results = ldap::search(&SearchRequest {
        connection: "dir".into(),
        base: base.into(),
        scope,
        filter: filter.into(),
        attributes: vec!["cn".into(), "entryUUID".into()],
        page_size,
    })?;
    let mut pages = Vec::new();
    while let Some(page) = results.next()? {
        pages.push(page);
    }
    Ok(pages)
}

fn add_person(cn: &str, sn: &str) -> Result<(), HostError> {
    let attribute = |name: &str, value: &str| ldap::Attribute {
        name: name.into(),
        values: vec![value.into()],
    };
    ldap::add(
        "dir",
        &format!("cn={cn},ou=people,dc=acme,dc=example"),
        &[
            attribute("objectClass", "person"),
            attribute("cn", cn),
            attribute("sn", sn),
        ],
        &[],
    )
}

fn code(result: Result<impl std::fmt::Debug, HostError>) -> u32 {
    match result {
        Err(HostError::Ldap(r)) => r.code,
        other => panic!("expected an LDAP result, got {other:?}"),
    }
}

#[test]
fn the_directory_searches_with_scope_filter_and_pages() {
    let _host = host().ldap("dir", directory()).install();
    for (cn, sn) in [("ann", "Jansen"), ("bob", "Bakker"), ("cor", "Jonker")] {
        add_person(cn, sn).expect("add");
    }
    let people = "ou=people,dc=acme,dc=example";
    let pages = search(
        people,
        Scope::OneLevel,
        "(&(objectClass=person)(sn=J*n*))",
        1,
    )
    .expect("search");
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0][0].attributes[0].values, ["ann"]);
    assert_eq!(pages[0][0].attributes[1].name, "entryUUID");
    let all = search(
        "dc=acme,dc=example",
        Scope::Subtree,
        "(|(cn=BOB)(!(objectClass=*)))",
        0,
    );
    assert_eq!(all.expect("search").concat().len(), 1);
    assert!(matches!(
        search(people, Scope::Base, "(cn=ann", 0),
        Err(HostError::Invalid(m)) if m.contains("(cn=ann")
    ));
    assert_eq!(
        code(search(
            "ou=nowhere,dc=acme,dc=example",
            Scope::Base,
            "(cn=*)",
            0
        )),
        32
    );
}

#[test]
fn directory_writes_answer_a_real_servers_result_codes() {
    let host = host().ldap("dir", directory()).install();
    add_person("ann", "Jansen").expect("add");
    assert_eq!(code(add_person("ann", "Jansen")), 68);
    let ann = "cn=ann,ou=people,dc=acme,dc=example";
    let change = |op, values: &[&str]| Modification {
        op,
        attribute: "mail".into(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        binary_values: Vec::new(),
    };
    ldap::modify("dir", ann, &[change(ModifyOp::Add, &["ann@acme.example"])]).expect("modify");
    assert_eq!(
        code(ldap::modify(
            "dir",
            ann,
            &[change(ModifyOp::Add, &["ANN@acme.example"])]
        )),
        20
    );
    assert_eq!(
        code(ldap::modify(
            "dir",
            ann,
            &[change(ModifyOp::Delete, &["x@acme.example"])]
        )),
        16
    );
    assert_eq!(
        ldap::compare("dir", ann, "mail", "ann@acme.example"),
        Ok(true)
    );
    assert_eq!(
        code(ldap::delete("dir", "ou=people,dc=acme,dc=example")),
        66
    );
    ldap::modify_dn(
        "dir",
        ann,
        "cn=anna",
        true,
        Some("ou=groups,dc=acme,dc=example"),
    )
    .expect("move");
    let dir = host.directory("dir").expect("directory");
    assert_eq!(
        dir.values("cn=anna,ou=groups,dc=acme,dc=example", "cn"),
        ["anna"]
    );
    assert!(dir.get(ann).is_none());
    let d = denial(ldap::delete("dir", "dc=elsewhere"));
    assert_eq!(d.config_key, "ldap.dir.base_dn");
    assert_eq!(
        denial(ldap::delete("other", ann)).config_key,
        "systems.acme.grants.ldap"
    );
}

#[test]
fn the_change_feed_hands_out_each_change_once() {
    let _host = host().ldap("dir", directory()).install();
    let req = SearchRequest {
        connection: "dir".into(),
        base: "ou=people,dc=acme,dc=example".into(),
        scope: Scope::Subtree,
        filter: "(objectClass=person)".into(),
        attributes: vec!["cn".into()],
        page_size: 0,
    };
    let start = ldap::search_changes(&req, &ChangeFeed::ContentSync(None)).expect("start");
    add_person("ann", "Jansen").expect("add");
    add_person("bob", "Bakker").expect("add");
    ldap::delete("dir", "cn=bob,ou=people,dc=acme,dc=example").expect("delete");
    let feed = ChangeFeed::ContentSync(Some(start.cookie));
    let changes = ldap::search_changes(&req, &feed).expect("changes");
    assert_eq!(changes.entries.len(), 1);
    assert_eq!(changes.deleted.len(), 1);
    let again = ldap::search_changes(&req, &ChangeFeed::ContentSync(Some(changes.cookie)));
    let again = again.expect("quiet");
    assert!(again.entries.is_empty() && again.deleted.is_empty());
}

#[test]
fn xml_is_the_hosts_parser_and_denied_without_the_grant() {
    let host = host().install();
    let doc = xml::Document::parse("<a><b id='1'>x</b><b id='2'>y</b></a>", &[]).expect("parse");
    let rows = doc.select_texts("/a/b", &[".".into()]).expect("rows");
    assert_eq!(rows, [[Some("x".to_owned())], [Some("y".to_owned())]]);
    assert!(matches!(
        xml::Document::parse("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", &[]),
        Err(HostError::Malformed(_) | HostError::Invalid(_))
    ));
    drop(host);
    let _revoked = self::host().revoke(Grant::Xml).install();
    assert_eq!(
        denial(xml::Document::parse("<a/>", &[])).config_key,
        "systems.acme.grants.xml"
    );
}

/// `scan_texts` (WIT 0.2.3) gives the table `select_texts` gives, packed, and is denied with XML.
#[cfg(not(feature = "wit-0-2-0"))]
#[test]
fn xml_scans_answer_packed_tables() {
    let host = host().install();
    let doc = xml::Document::parse("<a><b id='1'>x</b><b id='2'>y</b></a>", &[]).expect("parse");
    let rows = doc.select_texts("/a/b", &[".".into()]).expect("rows");
    let body = b"<a><b id='1'>x</b><b id='2'>y</b></a>";
    let table = xml::scan_texts(body, &[], "/a/b", &[".".into()]).expect("scans");
    let scanned: Vec<Vec<Option<String>>> = (0..table.len())
        .map(|r| {
            table
                .row(r)
                .into_iter()
                .map(|c| c.map(str::to_owned))
                .collect()
        })
        .collect();
    assert_eq!(scanned, rows);
    let Err(HostError::Malformed(at)) = xml::scan_texts(b"<a>\n<b>\xff</b></a>", &[], "/a", &[])
    else {
        panic!("a body that is not UTF-8 is malformed");
    };
    assert_eq!((at.line, at.column), (2, 4), "{}", at.message);
    drop(host);
    let _revoked = self::host().revoke(Grant::Xml).install();
    let denied = xml::scan_texts(b"<a/>", &[], "/a", &[]);
    assert_eq!(denial(denied).config_key, "systems.acme.grants.xml");
}

#[cfg(not(feature = "wit-0-2-0"))]
#[test]
fn files_are_listed_read_and_names_that_climb_out_refused() {
    use crate::host::files;
    let _host = host()
        .file("hr/persons.csv", "id;name\n")
        .file("hr/old/persons.csv", "x")
        .install();
    let listed = files::list_dir("hr").expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "hr/persons.csv");
    assert_eq!(files::read("hr/persons.csv"), Ok(b"id;name\n".to_vec()));
    assert!(matches!(
        files::read("hr/gone.csv"),
        Err(HostError::Unavailable(_))
    ));
    assert_eq!(
        denial(files::read("../etc/passwd")).config_key,
        "systems.acme.grants.files"
    );
}
