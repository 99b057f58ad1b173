//! The hospital's OU in the Samba domain: users, disabled users, and a group per department,
//! per function and for the whole flex pool, with the objectGUIDs the role model names.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;

use crate::elanza::Dataset;
use crate::samba::Samba;

/// Held by nobody the rules know: a membership in it shows up as a deviation.
pub const ADMIN_GROUP: &str = "GG-Applicatiebeheer";
/// Every flex worker's group.
pub const FLEX_GROUP: &str = "GG-Flexpool";

/// The OU and its groups.
pub struct AdTree {
    pub dc: &'static Samba,
    /// `OU=Ziekenhuis-N,DC=tessera,DC=test`, unique in this process.
    pub ou: String,
    /// Group CN → objectGUID in its text form.
    pub groups: BTreeMap<String, String>,
}

/// The group of a department code.
pub fn department_group(code: &str) -> String {
    format!("GG-{code}")
}

/// The group of a function code.
pub fn function_group(code: &str) -> String {
    format!("GG-F-{code}")
}

impl AdTree {
    /// Creates the OU, its three sub-OUs and the groups, and reads back their GUIDs.
    pub fn build(dc: &'static Samba, data: &Dataset) -> Self {
        let ou = dc.fresh_ou("Ziekenhuis");
        let tag = ou.trim_start_matches("OU=").split(',').next().unwrap_or("");
        let mut ldif = String::new();
        for sub in ["Users", "Disabled", "Groups"] {
            let _ = write!(
                ldif,
                "dn: OU={sub},{ou}\nobjectClass: organizationalUnit\n\n"
            );
        }
        let mut names: Vec<(String, String)> = data
            .departments
            .iter()
            .map(|d| (department_group(&d.code), format!("Afdeling {}", d.name)))
            .collect();
        names.extend(data.products.iter().map(|p| {
            (
                function_group(&p.hr_function_code),
                format!("Functie {}", p.name),
            )
        }));
        names.push((FLEX_GROUP.into(), "Alle flexwerkers".into()));
        names.push((ADMIN_GROUP.into(), "Beheerders van HiX".into()));
        for (cn, description) in &names {
            // sAMAccountName is domain-wide, so it carries the OU's unique name.
            let _ = write!(
                ldif,
                "dn: CN={cn},OU=Groups,{ou}\nobjectClass: group\nsAMAccountName: {cn}-{tag}\n\
                 description: {description}\n\n"
            );
        }
        dc.seed(&ldif);
        let groups = read_guids(dc, &format!("OU=Groups,{ou}"));
        Self { dc, ou, groups }
    }

    /// `OU=<name>,<ou>`.
    pub fn sub(&self, name: &str) -> String {
        format!("OU={name},{}", self.ou)
    }

    /// The DN of a group by CN.
    pub fn group_dn(&self, cn: &str) -> String {
        format!("CN={cn},{}", self.sub("Groups"))
    }

    /// The objectGUID of a group by CN.
    pub fn guid(&self, cn: &str) -> &str {
        self.groups.get(cn).map_or("", String::as_str)
    }
}

/// CN → objectGUID text of every group under `base`.
fn read_guids(dc: &Samba, base: &str) -> BTreeMap<String, String> {
    let ldif = dc.search(base, "one", "(objectClass=group)", &["cn", "objectGUID"]);
    let mut out = BTreeMap::new();
    for entry in ldif.split("\n\n") {
        let cn = entry.lines().find_map(|l| l.strip_prefix("cn: "));
        let guid = entry
            .lines()
            .find_map(|l| l.strip_prefix("objectGUID:: "))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
        if let (Some(cn), Some(bytes)) = (cn, guid) {
            out.insert(cn.to_owned(), guid_text(&bytes));
        }
    }
    out
}

/// An objectGUID in Microsoft's text form: the first three fields little-endian.
pub fn guid_text(b: &[u8]) -> String {
    const ORDER: [usize; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut out = String::with_capacity(36);
    for (i, &index) in ORDER.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{:02x}", b.get(index).copied().unwrap_or(0));
    }
    out
}
