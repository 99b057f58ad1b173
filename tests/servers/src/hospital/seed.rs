//! The accounts a previous tool left in each target for the first workers: the names,
//! attributes and memberships the role model would give them, keyed as each target keys them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;

use super::AdTree;
use super::ad::{ADMIN_GROUP, FLEX_GROUP, department_group, function_group};
use super::model::{CARE_UNITS, hix_function, inactive_ou, login_group};
use crate::elanza::{Dataset, PlannedWorker};
use crate::hix::User;
use crate::hsa::{ORGANISATION, ORGANISATION_NUMBER};
use crate::slapd::Slapd;

/// Entries per LDIF file: one `ldapadd` process each, so a failure names a small batch.
const BATCH: usize = 2_000;

/// What the seed needs of one worker.
struct Known {
    number: String,
    given: String,
    family: String,
    email: String,
    department: (String, String),
    function: (String, String),
}

/// The worker's number, names and the department and function of their shifts.
fn known(data: &Dataset, w: &PlannedWorker) -> Option<Known> {
    let shift = w.shifts.first()?;
    let dept = data
        .departments
        .iter()
        .find(|d| d.uuid == shift.department_uuid)?;
    let product = data
        .products
        .iter()
        .find(|p| Some(&p.uuid) == shift.product_uuid.as_ref())?;
    // Family names are one word; what comes before is the prefix (`van der`).
    let family = w.worker.last_name.rsplit(' ').next().unwrap_or_default();
    Some(Known {
        number: w.worker.worker_number?.to_string(),
        given: w.worker.first_name.clone(),
        family: family.to_owned(),
        email: w.worker.email.clone(),
        department: (dept.code.clone(), dept.name.clone()),
        function: (product.hr_function_code.clone(), product.name.clone()),
    })
}

/// HiX users keyed by worker number, with their function's group and department's login group.
pub(super) fn hix_users(data: &Dataset, existing: &[PlannedWorker]) -> Vec<User> {
    existing
        .iter()
        .filter_map(|w| known(data, w))
        .map(|k| {
            let mut user = User::new(
                &k.number,
                &format!("f{}", k.number),
                &format!("{}, {}", k.family, k.given),
            );
            user.title = hix_function(&k.function.0);
            user.department = k.department.0.clone();
            user.groups.insert(k.function.0.clone());
            user.login_groups.insert(login_group(&k.department.0));
            user
        })
        .collect()
}

/// AD users with a password (so they are enabled) in `OU=Users`, and their group memberships.
pub(super) fn ad_accounts(ad: &AdTree, data: &Dataset, existing: &[PlannedWorker]) {
    let password = base64::engine::general_purpose::STANDARD.encode(
        "\"Seeded-Passw0rd!\""
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>(),
    );
    let users = ad.sub("Users");
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let all: Vec<Known> = existing.iter().filter_map(|w| known(data, w)).collect();
    for chunk in all.chunks(BATCH) {
        let mut ldif = String::new();
        for k in chunk {
            let dn = format!("CN={} {} {},{users}", k.given, k.family, k.number);
            let _ = write!(
                ldif,
                "dn: {dn}\nobjectClass: user\nsAMAccountName: f{n}\nuserPrincipalName: f{n}@tessera.test\n\
                 givenName: {g}\nsn: {f}\ndisplayName: {g} {f}\ndepartment: {dn_name}\ntitle: {t}\n\
                 employeeID: {n}\nunicodePwd:: {password}\nuserAccountControl: 512\n\n",
                n = k.number,
                g = k.given,
                f = k.family,
                dn_name = k.department.1,
                t = k.function.1,
            );
            if members.is_empty() {
                // Given by hand once, outside any rule: the deviation a take-over finds.
                members
                    .entry(ADMIN_GROUP.to_owned())
                    .or_default()
                    .push(dn.clone());
            }
            for group in [
                department_group(&k.department.0),
                function_group(&k.function.0),
                FLEX_GROUP.to_owned(),
            ] {
                members.entry(group).or_default().push(dn.clone());
            }
        }
        ad.dc.seed(&ldif);
    }
    for (group, dns) in members {
        for chunk in dns.chunks(BATCH) {
            let mut ldif = format!(
                "dn: {}\nchangetype: modify\nadd: member\n",
                ad.group_dn(&group)
            );
            for dn in chunk {
                let _ = writeln!(ldif, "member: {dn}");
            }
            ldif.push_str("-\n\n");
            ad.dc.modify(&ldif);
        }
    }
}

/// HSA units for every department (care units marked), the inactive OU, and persons keyed by
/// an HSA-id with the worker number as `employeeNumber`.
pub(super) fn hsa_persons(hsa: &Slapd, data: &Dataset, existing: &[PlannedWorker]) {
    let mut ldif = format!(
        "dn: {}\nobjectClass: organizationalUnit\nou: Inaktiva\n\n",
        inactive_ou()
    );
    for d in &data.departments {
        let _ = write!(
            ldif,
            "dn: ou={},{ORGANISATION}\nobjectClass: organizationalUnit\nou: {}\n",
            d.name, d.name
        );
        if CARE_UNITS.iter().any(|(c, _)| *c == d.code) {
            let _ = write!(
                ldif,
                "objectClass: hsaHealthCareUnit\nhsaIdentity: SE{ORGANISATION_NUMBER}-E{c}\n\
                 businessCategory: {c}\n",
                c = d.code
            );
        }
        ldif.push('\n');
    }
    hsa.seed(&ldif);
    let all: Vec<Known> = existing.iter().filter_map(|w| known(data, w)).collect();
    for chunk in all.chunks(BATCH) {
        let mut ldif = String::new();
        for k in chunk {
            let _ = write!(
                ldif,
                "dn: cn={g} {f} {n},ou={unit},{ORGANISATION}\nobjectClass: inetOrgPerson\n\
                 objectClass: HSAPersonExtension\ncn: {g} {f} {n}\ngivenName: {g}\nsn: {f}\n\
                 mail: {mail}\nou: {unit}\ndepartmentNumber: {code}\nemployeeNumber: {n}\n\
                 hsaIdentity: SE{ORGANISATION_NUMBER}-T{n}\n\n",
                g = k.given,
                f = k.family,
                n = k.number,
                mail = k.email,
                unit = k.department.1,
                code = k.department.0,
            );
        }
        hsa.seed(&ldif);
    }
}
