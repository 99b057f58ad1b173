//! The hospital's `tessera.toml` and role model, written from what the mocks and directories
//! hold, so rules name real HiX codes, AD group GUIDs and HSA commission ids.

use std::fmt::Write as _;

use super::Hospital;
use super::ad::{FLEX_GROUP, department_group, function_group};
use super::entra::{CLIENT_ID, DOMAIN};
use crate::elanza::API_KEY_HEADER;
use crate::hsa::{ORGANISATION, ORGANISATION_NUMBER};

/// Departments whose HSA units are care units, each with one commission, and the functions
/// (product codes) that commission is for.
pub const CARE_UNITS: [(&str, &[&str]); 3] = [
    ("IC", &["ICVPK", "VPK", "ANM"]),
    ("SEH", &["SEHVPK", "VPK"]),
    ("OK", &["OKA", "ANM"]),
];

/// A department's name as the Elanza plugin maps it: without the site code before the first
/// `_` (`UMC_Intensive Care` → `Intensive Care`).
pub fn department_name(name: &str) -> &str {
    name.split_once('_').map_or(name, |(_, rest)| rest)
}

/// HiX keeps function codes to five characters.
pub fn hix_function(code: &str) -> String {
    code.chars().take(5).collect()
}

/// The HiX login group of a department.
pub fn login_group(department: &str) -> String {
    format!("LG-{department}")
}

/// The HSA-id of a care unit's commission.
pub fn commission(department: &str) -> String {
    format!("SE{ORGANISATION_NUMBER}-M{department}")
}

/// The HSA OU that disabled persons move to.
pub fn inactive_ou() -> String {
    format!("ou=Inaktiva,{ORGANISATION}")
}

fn quoted(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| toml_string(&i)).collect();
    format!("[{}]", items.join(", "))
}

/// A TOML basic string; the values here hold no control characters.
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(super) fn config(h: &Hospital) -> String {
    let mut out = String::from(
        "# A demonstration hospital on loopback test servers; written by the demo (`tessera-demo`).\n\
         rules = [\"roles.toml\"]\n\n[plugins]\ndir = \"plugins\"\n\n\
         [store]\npath = \"tessera.db\"\n\n[vault]\nkey_file = \"vault.key\"\n\n",
    );
    if let Some(afas) = &h.afas {
        out.push_str(&afas_config(&afas.base_url(), &afas.origin()));
    }
    out.push_str(&elanza(h));
    out.push_str(&hix(h));
    if let Some(ad) = &h.ad {
        let attrs = quoted(
            [
                "displayName",
                "givenName",
                "sn",
                "department",
                "title",
                "employeeID",
            ]
            .map(str::to_owned),
        );
        let _ = write!(
            out,
            "[ldap.ad]\nurl = \"{url}\"\ntls = \"ldaps\"\nbind_dn = {bind}\nbind_secret = \"ad-bind\"\n\
             base_dn = {ou}\nca_file = {ca}\n\n\
             [systems.ad]\nplugin = \"active-directory\"\n\n[systems.ad.config]\n\
             users_ou = {users}\ndisabled_ou = {disabled}\ngroups_base = {groups}\n\
             upn_suffix = \"tessera.test\"\nattributes = {attrs}\n\n\
             [systems.ad.grants]\nldap = [\"ad\"]\n\n[systems.ad.apply]\nconcurrency = 2\n\n",
            url = ad.dc.ldaps_url(),
            bind = toml_string(&ad.dc.admin_bind()),
            ou = toml_string(&ad.ou),
            ca = toml_string(&ad.dc.ca_file().display().to_string()),
            users = toml_string(&ad.sub("Users")),
            disabled = toml_string(&ad.sub("Disabled")),
            groups = toml_string(&ad.sub("Groups")),
        );
    }
    if let Some(hsa) = &h.hsa {
        out.push_str(&hsa_config(h, &hsa.url(), &hsa.root_dn()));
    }
    if let Some(graph) = &h.entra {
        out.push_str(&entra_config(&graph.url(), &graph.token_url()));
    }
    out
}

/// Entra ID through the mock Graph, signing in with the app's client credentials.
fn entra_config(url: &str, token_url: &str) -> String {
    format!(
        "[systems.entra]\nplugin = \"entra-id\"\n\n[systems.entra.config]\ngraph_url = \"{url}\"\n\
         domain = \"{DOMAIN}\"\ngroup_filter = \"startswith(displayName,'ZKH-')\"\n\n{grants}\n\
         [[systems.entra.http_auth]]\norigin = \"{url}\"\n\
         oauth2 = {{ token_url = \"{token_url}\", client_id = \"{CLIENT_ID}\", \
         secret = \"entra-client-secret\", scope = \"https://graph.microsoft.com/.default\" }}\n\n",
        grants = http_grants("entra", url),
    )
}

fn http_grants(system: &str, url: &str) -> String {
    format!(
        "[systems.{system}.grants]\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\n\
         http_private = [\"{url}\"]\n"
    )
}

fn elanza(h: &Hospital) -> String {
    let url = h.elanza.url();
    format!(
        "[systems.elanza]\nplugin = \"elanza\"\n\n[systems.elanza.config]\nbase_url = \"{url}\"\n\
         historical_days = 60\nfuture_days = 14\nshift_details_start = 7\n\n{grants}state = true\n\
         [[systems.elanza.http_auth]]\norigin = \"{url}\"\n\
         header = {{ name = \"{API_KEY_HEADER}\", secret = \"elanza-api-key\" }}\n\n\
         [systems.elanza.limits]\nmemory_mib = 1024\nhttp_body_mib = 512\n\n\
         [systems.elanza.source]\ncorrelation = \"id\"\n\n",
        grants = http_grants("elanza", &url),
    )
}

/// Permanent staff from AFAS Profit; its names win over Elanza's for a person in both.
fn afas_config(base_url: &str, origin: &str) -> String {
    format!(
        "[systems.afas]\nplugin = \"afas-profit\"\n\n[systems.afas.config]\nbase_url = \"{base_url}\"\n\n\
         {grants}state = true\n[[systems.afas.http_auth]]\norigin = \"{origin}\"\n\
         header = {{ name = \"Authorization\", scheme = \"AfasToken\", base64 = true, secret = \"afas-token\" }}\n\n\
         [systems.afas.source]\ncorrelation = \"id\"\npriority = 10\n\n",
        grants = http_grants("afas", origin),
    )
}

fn hix(h: &Hospital) -> String {
    let url = h.hix.url();
    let functions = h.elanza.with_data(|d| {
        quoted(
            d.products
                .iter()
                .map(|p| format!("{}={}", p.name, hix_function(&p.hr_function_code))),
        )
    });
    format!(
        "[systems.hix]\nplugin = \"hix\"\n\n[systems.hix.config]\nbase_url = \"{url}\"\n\
         functions = {functions}\n\n{grants}xml = true\n\n",
        grants = http_grants("hix", &url),
    )
}

fn hsa_config(h: &Hospital, url: &str, bind: &str) -> String {
    let commissions = h.elanza.with_data(|d| {
        quoted(CARE_UNITS.iter().filter_map(|(code, _)| {
            let dept = d.departments.iter().find(|x| x.code == *code)?;
            Some(format!(
                "M{code} | {} | Zorgverlening {code} | Vård och behandling | Läsa;alla;SJF, Skriva;vård;SJF",
                department_name(&dept.name)
            ))
        }))
    });
    let units = quoted(CARE_UNITS.iter().map(|(c, _)| (*c).to_owned()));
    let attrs = quoted(
        [
            "givenName",
            "sn",
            "mail",
            "ou",
            "departmentNumber",
            "employeeNumber",
        ]
        .map(str::to_owned),
    );
    format!(
        "[ldap.hsa]\nurl = \"{url}\"\ntls = \"none\"\nbind_dn = {bind}\nbind_secret = \"hsa-bind\"\n\
         base_dn = \"{ORGANISATION}\"\n\n\
         [systems.hsa]\nplugin = \"hsa\"\n\n[systems.hsa.config]\n\
         organisation_number = \"{ORGANISATION_NUMBER}\"\nbase = \"{ORGANISATION}\"\n\
         inactive_ou = \"{inactive}\"\ncare_units = {units}\ncommissions = {commissions}\n\
         attributes = {attrs}\n\n[systems.hsa.grants]\nldap = [\"hsa\"]\nstate = true\n\n",
        bind = toml_string(bind),
        inactive = inactive_ou(),
    )
}

const ACCOUNTS: &str = r#"# The role model of the demonstration hospital; written by the demo (`tessera-demo`).
# Flexible workers get accounts a few days before their first shift and lose them two days
# after their last; departments and functions (Elanza products) decide groups and commissions.

[system.hix]
deviations = "report"
correlation = { account_attribute = "code", person_field = "id" }

[system.hix.account]
create_days_before = 2
disable_after_days = 2
username = ["{given:1}{family}", "{given:1}{family:5}{n}"]
max_length = 8
attributes = { name = "{family}, {given}", function = "{primary.title.name}", department = "{primary.department}" }
"#;

const AD_ACCOUNTS: &str = r#"
[system.ad]
deviations = "report"
correlation = { account_attribute = "employeeID", person_field = "id" }

[system.ad.account]
create_days_before = 3
disable_after_days = 2
delete_after_days = 30
username = ["{given:1}{family}", "{given}.{family}{n}"]
max_length = 20
attributes = { displayName = "{given} {family}", givenName = "{given}", sn = "{family}", department = "{primary.department.name}", title = "{primary.title.name}", employeeID = "{id}" }

[system.ad.thresholds]
delete = { percent = 5 }
"#;

const HSA_ACCOUNTS: &str = r#"
[system.hsa]
deviations = "report"
correlation = { account_attribute = "employeeNumber", person_field = "id" }

[system.hsa.account]
create_days_before = 1
disable_after_days = 2
username = ["{given:1}{family}", "{given}{family}{n}"]
attributes = { givenName = "{given}", sn = "{family}", mail = "{email}", ou = "{primary.department.name}", departmentNumber = "{primary.department}", employeeNumber = "{id}" }
"#;

const ENTRA_ACCOUNTS: &str = r#"
[system.entra]
deviations = "report"
correlation = { account_attribute = "employeeId", person_field = "id" }

[system.entra.account]
create_days_before = 3
disable_after_days = 2
delete_after_days = 30
username = ["{given}.{family}", "{given}.{family}{n}"]
attributes = { displayName = "{given} {family}", givenName = "{given}", surname = "{family}", department = "{primary.department.name}", jobTitle = "{primary.title.name}", employeeId = "{id}" }
"#;

pub(super) fn roles(h: &Hospital) -> String {
    let mut out = ACCOUNTS.to_owned();
    if h.ad.is_some() {
        out.push_str(AD_ACCOUNTS);
    }
    if h.hsa.is_some() {
        out.push_str(HSA_ACCOUNTS);
    }
    if h.entra.is_some() {
        out.push_str(ENTRA_ACCOUNTS);
    }
    h.elanza.with_data(|d| {
        for dept in &d.departments {
            let mut grants = vec![grant("hix", "login-group", &login_group(&dept.code))];
            if let Some(ad) = &h.ad {
                grants.push(grant("ad", "group", ad.guid(&department_group(&dept.code))));
            }
            if h.entra.is_some()
                && let Some(group) = super::entra::department_group(d, &dept.code)
            {
                grants.push(grant("entra", "group", &group));
            }
            rule(
                &mut out,
                &format!("Afdeling {}", dept.name),
                &format!("department = \"{}\"", dept.code),
                &grants,
            );
        }
        for p in &d.products {
            let mut grants = vec![grant("hix", "group", &p.hr_function_code)];
            if let Some(ad) = &h.ad {
                grants.push(grant(
                    "ad",
                    "group",
                    ad.guid(&function_group(&p.hr_function_code)),
                ));
            }
            rule(
                &mut out,
                &format!("Functie {}", p.name),
                &format!("title = \"{}\"", p.hr_function_code),
                &grants,
            );
        }
    });
    if let Some(ad) = &h.ad {
        rule(
            &mut out,
            "Alle flexwerkers",
            "kind = \"shift\"",
            &[grant("ad", "group", ad.guid(FLEX_GROUP))],
        );
    }
    if h.hsa.is_some() {
        for (code, functions) in CARE_UNITS {
            let when = format!(
                "department = \"{code}\", title = {}",
                quoted(functions.iter().map(|f| (*f).to_owned()))
            );
            rule(
                &mut out,
                &format!("Zorgverlening {code}"),
                &when,
                &[grant("hsa", "commission", &commission(code))],
            );
        }
    }
    out
}

/// A flex worker keeps rights between shifts as long as the account stays enabled.
const RULE_DAYS: &str = "days_before_start = 3\ndays_after_end = 2\n";

fn grant(system: &str, kind: &str, key: &str) -> String {
    format!("{{ system = \"{system}\", kind = \"{kind}\", key = \"{key}\" }}")
}

fn rule(out: &mut String, name: &str, when: &str, grants: &[String]) {
    let _ = write!(
        out,
        "\n[[rule]]\nname = {}\nwhen = {{ {when} }}\n{RULE_DAYS}grants = [{}]\n",
        toml_string(name),
        grants.join(", ")
    );
}
