#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::Mutex;

use axum::http::StatusCode;

use super::store::{Catalogue, Hix, User};
use super::{Shared, answer, xml};

fn service() -> Shared {
    let catalogue = Catalogue::new(
        &[("VPK", "Verpleegkunde"), ("ARTS", "Artsen")],
        &[("LG-IC", "Inlog IC"), ("LG-SEH", "Inlog SEH")],
    );
    let mut nurse = User::new("RKOOT", "rkoot", "Koot, R.");
    nurse.sso_login = "r.koot@zkh.example".into();
    nurse.groups.insert("VPK".into());
    nurse.login_groups.insert("LG-IC".into());
    Shared {
        hix: Mutex::new(Hix {
            users: [(nurse.code.clone(), nurse)].into(),
            catalogue,
            ..Hix::default()
        }),
        log: Mutex::default(),
    }
}

fn envelope(control_id: &str, message: &str, inner: &str) -> String {
    format!(
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>\
         <h:ControlId xmlns:h=\"urn:hix\">{control_id}</h:ControlId></s:Header><s:Body>\
         <m:{message} xmlns:m=\"urn:hix\">{inner}</m:{message}></s:Body></s:Envelope>"
    )
}

fn user_xml(fields: &[(&str, &str)], groups: &[&str], login_groups: &[&str]) -> String {
    let mut out = String::from("<gebruiker>");
    for (name, value) in fields {
        xml::element(&mut out, name, value);
    }
    let list = |name: &str, items: &[&str]| {
        let codes: String = items.iter().map(|c| format!("<code>{c}</code>")).collect();
        format!("<{name}>{codes}</{name}>")
    };
    out.push_str(&list("groepen", groups));
    out.push_str(&list("inloggroepen", login_groups));
    out + "</gebruiker>"
}

fn nurse(groups: &[&str], login_groups: &[&str]) -> String {
    user_xml(
        &[
            ("code", "RKOOT"),
            ("ldap", "rkoot"),
            ("naam", "Koot, R."),
            ("ssologin", "r.koot@zkh.example"),
        ],
        groups,
        login_groups,
    )
}

fn call(s: &Shared, id: &str, message: &str, inner: &str) -> (StatusCode, xml::Node) {
    let (status, text) = answer(s, message, &envelope(id, message, inner));
    (status, xml::parse(&text).unwrap())
}

fn body(n: &xml::Node) -> &xml::Node {
    &n.child("Body").unwrap().children[0]
}

fn fault_field(n: &xml::Node) -> (String, String) {
    let detail = body(n).child("detail").unwrap();
    (
        detail.text_of("foutcode").unwrap().to_owned(),
        detail.text_of("veld").unwrap_or_default().to_owned(),
    )
}

#[test]
fn a_new_user_is_created_read_back_and_its_control_id_echoed() {
    let s = service();
    let new = user_xml(
        &[
            ("code", "JBOS"),
            ("ldap", "jbos"),
            ("title", "VPK"),
            ("department", "IC"),
            ("usertype", "GS"),
            ("keyuser", "true"),
            ("datumindienst", "2026-11-01"),
        ],
        &["VPK"],
        &["LG-IC"],
    );
    let (status, reply) = call(&s, "c-1", "nieuwegebruiker.gegevens", &new);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        reply.child("Header").unwrap().text_of("ControlId"),
        Some("c-1")
    );
    let (_, reply) = call(&s, "c-2", "aanvraag.zisgebruikers", "<ldap>JBOS</ldap>");
    let users = body(&reply).child("zisgebruikers").unwrap();
    assert_eq!(users.children.len(), 1, "found by ldap, case-insensitively");
    let u = &users.children[0];
    assert_eq!(u.text_of("datumindienst"), Some("2026-11-01"));
    assert_eq!(u.text_of("usertype"), Some("GS"));
    assert_eq!(u.text_of("keyuser"), Some("true"));
    assert_eq!(u.list("inloggroepen", "code"), vec!["LG-IC"]);
}

#[test]
fn a_reused_or_missing_control_id_is_refused() {
    let s = service();
    let read = "<code>RKOOT</code>";
    assert_eq!(
        call(&s, "same", "aanvraag.zisgebruikers", read).0,
        StatusCode::OK
    );
    let (status, reply) = call(&s, "same", "aanvraag.zisgebruikers", read);
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault_field(&reply).0, "CONTROLID");
    let (_, reply) = call(&s, "", "aanvraag.zisgebruikers", read);
    assert_eq!(fault_field(&reply).0, "CONTROLID");
}

#[test]
fn overlong_codes_are_faults_naming_the_field() {
    let s = service();
    for (field, value) in [
        ("title", "VERPLE"),
        ("department", "CARDIO1"),
        ("code", "KOOTRENE9"),
    ] {
        let mut fields = vec![("code", "RKOOT"), ("ldap", "rkoot"), (field, value)];
        if field == "code" {
            fields.remove(0);
        }
        let (status, reply) = call(
            &s,
            field,
            "wijzigengebruiker.gegevens",
            &user_xml(&fields, &[], &[]),
        );
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(fault_field(&reply), ("VELD".into(), field.into()));
    }
    let five = user_xml(
        &[("code", "RKOOT"), ("ldap", "rkoot"), ("title", "VERPL")],
        &[],
        &[],
    );
    assert_eq!(
        call(&s, "ok", "wijzigengebruiker.gegevens", &five).0,
        StatusCode::OK
    );
}

#[test]
fn groups_outside_the_catalogue_and_unknown_types_are_refused() {
    let s = service();
    let cases = [
        (nurse(&["NOPE"], &[]), "groepen"),
        (nurse(&[], &["LG-NOPE"]), "inloggroepen"),
        (
            user_xml(
                &[("code", "RKOOT"), ("ldap", "rkoot"), ("usertype", "X")],
                &[],
                &[],
            ),
            "usertype",
        ),
        (
            user_xml(
                &[("code", "RKOOT"), ("ldap", "rkoot"), ("markering", "Q")],
                &[],
                &[],
            ),
            "markering",
        ),
    ];
    for (i, (user, field)) in cases.iter().enumerate() {
        let (_, reply) = call(&s, &format!("c{i}"), "wijzigengebruiker.gegevens", user);
        assert_eq!(fault_field(&reply), ("VELD".into(), (*field).into()));
    }
}

#[test]
fn two_writers_from_one_read_lose_an_update() {
    let s = service();
    // Both read RKOOT with VPK and LG-IC; one adds ARTS, the other LG-SEH.
    let first = nurse(&["VPK", "ARTS"], &["LG-IC"]);
    let second = nurse(&["VPK"], &["LG-IC", "LG-SEH"]);
    call(&s, "w1", "wijzigengebruiker.gegevens", &first);
    call(&s, "w2", "wijzigengebruiker.gegevens", &second);
    let hix = s.hix.lock().unwrap();
    let u = &hix.users["RKOOT"];
    assert!(!u.groups.contains("ARTS"), "the first write is lost");
    assert!(u.login_groups.contains("LG-SEH"));
}

#[test]
fn an_omitted_list_empties_it_and_a_new_sso_name_drops_memberships() {
    let s = service();
    let bare = user_xml(
        &[
            ("code", "RKOOT"),
            ("ldap", "rkoot"),
            ("ssologin", "r.koot@zkh.example"),
        ],
        &[],
        &[],
    );
    call(&s, "a", "wijzigengebruiker.gegevens", &bare);
    assert!(s.hix.lock().unwrap().users["RKOOT"].groups.is_empty());
    call(
        &s,
        "b",
        "wijzigengebruiker.gegevens",
        &nurse(&["VPK"], &["LG-IC"]),
    );
    // HiX compares case-sensitively: a change of case is a new SSO user.
    let renamed = user_xml(
        &[
            ("code", "RKOOT"),
            ("ldap", "rkoot"),
            ("ssologin", "R.Koot@zkh.example"),
        ],
        &["VPK"],
        &["LG-IC"],
    );
    let (status, _) = call(&s, "c", "wijzigengebruiker.gegevens", &renamed);
    assert_eq!(status, StatusCode::OK);
    let hix = s.hix.lock().unwrap();
    let u = &hix.users["RKOOT"];
    assert!(u.groups.is_empty() && u.login_groups.is_empty(), "{u:?}");
    assert_eq!(u.sso_login, "R.Koot@zkh.example");
}

#[test]
fn block_keeps_the_user_and_an_employee_type_never_goes_back_to_empty() {
    let s = service();
    let (status, _) = call(&s, "b", "blokkerengebruiker.gegevens", "<code>RKOOT</code>");
    assert_eq!(status, StatusCode::OK);
    // A modify keeps the block: only deblokkeren lifts it.
    call(&s, "m", "wijzigengebruiker.gegevens", &nurse(&[], &[]));
    assert!(s.hix.lock().unwrap().users["RKOOT"].blocked);
    call(
        &s,
        "u",
        "deblokkerengebruiker.gegevens",
        "<code>RKOOT</code>",
    );
    assert!(!s.hix.lock().unwrap().users["RKOOT"].blocked);
    let (_, reply) = call(
        &s,
        "d",
        "verwijderengebruiker.gegevens",
        "<code>RKOOT</code>",
    );
    assert_eq!(fault_field(&reply).0, "BERICHT", "there is no delete");
    let typed = user_xml(
        &[("code", "RKOOT"), ("ldap", "rkoot"), ("usertype", "GS")],
        &[],
        &[],
    );
    call(&s, "t1", "wijzigengebruiker.gegevens", &typed);
    let (_, reply) = call(&s, "t2", "wijzigengebruiker.gegevens", &nurse(&[], &[]));
    assert_eq!(fault_field(&reply), ("VELD".into(), "usertype".into()));
}

#[test]
fn the_full_listing_shows_login_groups_as_special_users() {
    let s = service();
    let (_, reply) = call(&s, "l", "aanvraag.zisgebruikers", "");
    let users = body(&reply).child("zisgebruikers").unwrap();
    let login_groups: Vec<&str> = users
        .children
        .iter()
        .filter(|u| u.text_of("inloggroep") == Some("true"))
        .filter_map(|u| u.text_of("code"))
        .collect();
    assert_eq!(login_groups, vec!["LG-IC", "LG-SEH"]);
    assert_eq!(users.children.len(), 3);
    let (_, reply) = call(&s, "g", "aanvraag.groepen", "");
    assert_eq!(body(&reply).child("groepen").unwrap().children.len(), 2);
}

#[test]
fn a_body_that_does_not_match_the_address_is_refused() {
    let s = service();
    let text = envelope("x", "aanvraag.zisgebruikers", "");
    let (status, reply) = answer(&s, "blokkerengebruiker.gegevens", &text);
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        reply.contains("BERICHT") && reply.contains("<ControlId>x</ControlId>"),
        "{reply}"
    );
    assert!(
        s.hix.lock().unwrap().control_ids.is_empty(),
        "nothing claimed"
    );
}
