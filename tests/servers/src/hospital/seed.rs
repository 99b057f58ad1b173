//! The accounts a previous tool left in each target for the first workers: the names,
//! attributes and memberships the role model would give them, keyed as each target keys them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Days, NaiveDate};

use super::ad::{ADMIN_GROUP, FLEX_GROUP, department_group, function_group};
use super::model::{CARE_UNITS, department_name, hix_function, inactive_ou, login_group};
use super::{AdTree, Scale};
use crate::elanza::{Dataset, PlannedWorker, at};
use crate::hix::User;
use crate::hsa::{ORGANISATION, ORGANISATION_NUMBER};
use crate::slapd::Slapd;

/// Entries per LDIF file: one `ldapadd` process each, so a failure names a small batch.
const BATCH: usize = 2_000;

/// Gives each existing worker a shift today, in their own department and function, unless
/// they have one; drops the recent and planned shifts of the former workers.
pub(super) fn shape(data: &mut Dataset, scale: &Scale, today: NaiveDate) {
    let existing = scale.existing.min(data.workers.len());
    for i in 0..existing {
        let worker = &data.workers[i];
        if worker
            .shifts
            .iter()
            .any(|s| s.start_at.date_naive() == today)
        {
            continue;
        }
        let Some(first) = worker.shifts.first() else {
            continue;
        };
        let dept = data
            .departments
            .iter()
            .position(|d| d.uuid == first.department_uuid);
        let product = data
            .products
            .iter()
            .position(|p| Some(&p.uuid) == first.product_uuid.as_ref());
        if let Some(dept) = dept {
            let shift = data.shift(at(today, 7, 0), 510, product, dept);
            let shifts = &mut data.workers[i].shifts;
            shifts.push(shift);
            shifts.sort_by_key(|s| s.start_at);
        }
    }
    let cut = at(today - Days::new(10), 0, 0);
    let former = data
        .workers
        .len()
        .saturating_sub(scale.former)
        .max(existing);
    for w in &mut data.workers[former..] {
        w.shifts.retain(|s| s.end_at < cut);
    }
}

/// What the seed needs of one person with an account: a flex worker or a member of staff.
pub(super) struct Known {
    pub number: String,
    pub given: String,
    pub family: String,
    pub email: String,
    pub department: (String, String),
    pub function: (String, String),
    /// Works flex shifts, so the previous tool put them in the flex pool.
    pub flex: bool,
}

/// The worker's number, names and the department and function of their shifts.
pub(super) fn known(data: &Dataset, w: &PlannedWorker) -> Option<Known> {
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
        department: (dept.code.clone(), department_name(&dept.name).to_owned()),
        function: (product.hr_function_code.clone(), product.name.clone()),
        flex: true,
    })
}

/// HiX users keyed by worker number, with their function's group and department's login group.
pub(super) fn hix_users(existing: &[Known]) -> Vec<User> {
    existing
        .iter()
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

/// NORMAL_ACCOUNT | PASSWD_NOTREQD: enabled without a password. Samba derives Kerberos keys
/// from every password it is given, which makes seeding 25,000 users with one take minutes.
const ENABLED_WITHOUT_PASSWORD: u32 = 512 | 32;

/// Enabled AD users in `OU=Users`, and their group memberships.
pub(super) fn ad_accounts(ad: &AdTree, existing: &[Known]) {
    let users = ad.sub("Users");
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for chunk in existing.chunks(BATCH) {
        let mut ldif = String::new();
        for k in chunk {
            let dn = format!("CN={} {} {},{users}", k.given, k.family, k.number);
            let _ = write!(
                ldif,
                "dn: {dn}\nobjectClass: user\nsAMAccountName: f{n}\nuserPrincipalName: f{n}@tessera.test\n\
                 givenName: {g}\nsn: {f}\ndisplayName: {g} {f}\ndepartment: {dn_name}\ntitle: {t}\n\
                 employeeID: {n}\nuserAccountControl: {ENABLED_WITHOUT_PASSWORD}\n\n",
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
            let flex = k.flex.then(|| FLEX_GROUP.to_owned());
            let groups = [
                department_group(&k.department.0),
                function_group(&k.function.0),
            ];
            for group in groups.into_iter().chain(flex) {
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
pub(super) fn hsa_persons(hsa: &Slapd, data: &Dataset, existing: &[Known]) {
    let mut ldif = format!(
        "dn: {}\nobjectClass: organizationalUnit\nou: Inaktiva\n\n",
        inactive_ou()
    );
    for d in &data.departments {
        let name = department_name(&d.name);
        let _ = write!(
            ldif,
            "dn: ou={name},{ORGANISATION}\nobjectClass: organizationalUnit\nou: {name}\n"
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
    for chunk in existing.chunks(BATCH) {
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
