//! The messages on the wire: a SOAP 1.1 envelope posted to `/<message>` with the ControlId in
//! the header and an element named after the message in the body; the answer echoes the
//! ControlId and carries `<message>.antwoord`, or a SOAP fault naming the field.

use chrono::NaiveDate;

use super::store::{Fault, Hix, User};
use super::xml::{self, Node};

/// The messages the service answers.
pub const MESSAGES: &[&str] = &[
    "nieuwegebruiker.gegevens",
    "wijzigengebruiker.gegevens",
    "blokkerengebruiker.gegevens",
    "deblokkerengebruiker.gegevens",
    "aanvraag.zisgebruikers",
    "aanvraag.groepen",
];

/// A parsed request: its ControlId and the body element.
pub(super) struct Request {
    pub(super) control_id: String,
    pub(super) body: Node,
}

/// Splits an envelope into ControlId and the message element, which must be `message`.
pub(super) fn request(text: &str, message: &str) -> Result<Request, (Option<String>, Fault)> {
    let mut root = xml::parse(text).map_err(|e| (None, Fault::new("BERICHT", e)))?;
    let control_id = root
        .child("Header")
        .and_then(|h| h.text_of("ControlId"))
        .map(str::to_owned);
    let malformed = |m: &str| (control_id.clone(), Fault::new("BERICHT", m));
    if root.name != "Envelope" {
        return Err(malformed("not a SOAP envelope"));
    }
    let body = root
        .children
        .iter_mut()
        .find(|c| c.name == "Body")
        .filter(|b| !b.children.is_empty())
        .map(|b| b.children.swap_remove(0))
        .ok_or_else(|| malformed("the SOAP body is empty"))?;
    if body.name != message {
        return Err(malformed(&format!(
            "the body holds `{}`, the address says `{message}`",
            body.name
        )));
    }
    Ok(Request {
        control_id: control_id.unwrap_or_default(),
        body,
    })
}

/// Carries out one message against the state; the answer's body on success.
pub(super) fn dispatch(hix: &mut Hix, message: &str, body: &Node) -> Result<String, Fault> {
    let answer = match message {
        "nieuwegebruiker.gegevens" => user_xml(&hix.create(decode_user(body)?)?),
        "wijzigengebruiker.gegevens" => user_xml(&hix.modify(decode_user(body)?)?),
        "blokkerengebruiker.gegevens" => user_xml(&hix.set_blocked(code_of(body)?, true)?),
        "deblokkerengebruiker.gegevens" => user_xml(&hix.set_blocked(code_of(body)?, false)?),
        "aanvraag.zisgebruikers" => users_xml(hix, body.text_of("ldap"), body.text_of("code")),
        "aanvraag.groepen" => groups_xml(hix),
        other => return Err(Fault::new("BERICHT", format!("unknown message `{other}`"))),
    };
    Ok(format!(
        "<{message}.antwoord><status>OK</status>{answer}</{message}.antwoord>"
    ))
}

fn code_of(body: &Node) -> Result<&str, Fault> {
    body.child("gebruiker")
        .unwrap_or(body)
        .text_of("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Fault::field("code", "a user code is required"))
}

/// Reads `<gebruiker>`; every element left out becomes empty, since the object is whole.
fn decode_user(body: &Node) -> Result<User, Fault> {
    let u = body
        .child("gebruiker")
        .ok_or_else(|| Fault::new("BERICHT", "the message holds no <gebruiker>"))?;
    let text = |name: &str| u.text_of(name).unwrap_or_default().to_owned();
    let in_service = match u.text_of("datumindienst").filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| Fault::field("datumindienst", format!("`{d}` is not yyyy-mm-dd")))?,
        ),
    };
    let key_user = match u.text_of("keyuser").unwrap_or("false") {
        "true" | "1" => true,
        "false" | "0" | "" => false,
        other => {
            return Err(Fault::field(
                "keyuser",
                format!("`{other}` is not a boolean"),
            ));
        }
    };
    Ok(User {
        code: text("code"),
        gebruikersnaam: text("gebruikersnaam"),
        ldap: text("ldap"),
        naam: text("naam"),
        title: text("title"),
        department: text("department"),
        usertype: text("usertype"),
        sso_login: text("ssologin"),
        key_user,
        in_service,
        marking: text("markering"),
        blocked: false,
        groups: u.list("groepen", "code").into_iter().collect(),
        login_groups: u.list("inloggroepen", "code").into_iter().collect(),
    })
}

fn user_xml(u: &User) -> String {
    let mut out = String::from("<gebruiker>");
    for (name, value) in [
        ("code", u.code.as_str()),
        ("gebruikersnaam", &u.gebruikersnaam),
        ("ldap", &u.ldap),
        ("naam", &u.naam),
        ("title", &u.title),
        ("department", &u.department),
        ("usertype", &u.usertype),
        ("ssologin", &u.sso_login),
        ("keyuser", bool_text(u.key_user)),
        ("markering", &u.marking),
        ("geblokkeerd", bool_text(u.blocked)),
        ("inloggroep", "false"),
    ] {
        xml::element(&mut out, name, value);
    }
    let date = u.in_service.map(|d| d.to_string()).unwrap_or_default();
    xml::element(&mut out, "datumindienst", &date);
    codes(&mut out, "groepen", &u.groups);
    codes(&mut out, "inloggroepen", &u.login_groups);
    out.push_str("</gebruiker>");
    out
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn codes<'a>(out: &mut String, list: &str, items: impl IntoIterator<Item = &'a String>) {
    out.push_str(&format!("<{list}>"));
    for code in items {
        xml::element(out, "code", code);
    }
    out.push_str(&format!("</{list}>"));
}

/// Users, and without a filter also the login groups, which HiX keeps as special users.
fn users_xml(hix: &Hix, ldap: Option<&str>, code: Option<&str>) -> String {
    let mut out = String::from("<zisgebruikers>");
    for u in hix.find(ldap, code) {
        out.push_str(&user_xml(u));
    }
    if ldap.is_none() {
        let login_groups = hix.catalogue.login_groups.iter();
        for (c, naam) in login_groups.filter(|(c, _)| code.is_none_or(|want| want == *c)) {
            out.push_str("<gebruiker>");
            xml::element(&mut out, "code", c);
            xml::element(&mut out, "naam", naam);
            xml::element(&mut out, "inloggroep", "true");
            out.push_str("</gebruiker>");
        }
    }
    out.push_str("</zisgebruikers>");
    out
}

fn groups_xml(hix: &Hix) -> String {
    let mut out = String::from("<groepen>");
    for (code, name) in &hix.catalogue.groups {
        out.push_str("<groep>");
        xml::element(&mut out, "code", code);
        xml::element(&mut out, "omschrijving", name);
        out.push_str("</groep>");
    }
    out.push_str("</groepen>");
    out
}

/// A SOAP 1.1 fault; the detail names the fault code and the field.
pub(super) fn fault(control_id: Option<&str>, f: &Fault) -> String {
    let mut detail = String::new();
    xml::element(&mut detail, "foutcode", f.code);
    if let Some(field) = &f.field {
        xml::element(&mut detail, "veld", field);
    }
    let mut body = String::from("<soap:Fault>");
    let side = if f.code == "BERICHT" || f.code == "VELD" {
        "soap:Client"
    } else {
        "soap:Server"
    };
    xml::element(&mut body, "faultcode", side);
    xml::element(&mut body, "faultstring", &f.message);
    body.push_str(&format!("<detail>{detail}</detail></soap:Fault>"));
    xml::envelope(control_id, &body)
}
