//! The hospital's permanent staff in AFAS Profit: employees with an open-ended employment in
//! one of Elanza's departments. The first of them also works flexible shifts: their employee
//! number is the Elanza worker number of the first flex worker, so Tessera makes one person of
//! the two records, with HR's name and both sources' contracts.

use chrono::{Days, NaiveDate};

use super::model::department_name;
use super::seed::Known;
use crate::afas::{AfasData, AfasMock, AfasOptions, Employee, Employment};
use crate::elanza::Dataset;

/// The token the mock Profit wants; it goes into the vault as `afas-token`.
pub const AFAS_TOKEN: &str = "<token><version>1</version><data>D3M0D3M0D3M0D3M0</data></token>";

/// Employee numbers of permanent staff who do not work flex shifts start here.
const FIRST_NUMBER: u64 = 800_000;

/// One member of staff: the employee, and the indexes of their department and function in
/// Elanza's lists.
struct Staff {
    employee: Employee,
    department: usize,
    product: usize,
}

/// `permanent` employees from the departments and functions of `flex`, the first one being the
/// first flex worker.
fn staff(flex: &Dataset, permanent: usize) -> Vec<Staff> {
    let shared = flex.workers.first().map(|w| &w.worker);
    (0..permanent)
        .map(|i| {
            let employee = match (i, shared) {
                (0, Some(w)) => {
                    let number = w.worker_number.unwrap_or(FIRST_NUMBER).to_string();
                    Employee::new(&number, &w.first_name, &w.last_name)
                }
                _ => {
                    let number = (FIRST_NUMBER + i as u64).to_string();
                    let family = ["Bakker", "Visser", "Smit", "Meijer", "Mulder"][i % 5];
                    Employee::new(&number, "Vaste", family)
                }
            };
            Staff {
                employee,
                department: i % flex.departments.len().max(1),
                product: i % flex.products.len().max(1),
            }
        })
        .collect()
}

/// The first `count` members of staff who are not also flex workers, as the seeds need them:
/// they had accounts before Tessera, without the flex pool.
pub(super) fn known(flex: &Dataset, permanent: usize, count: usize) -> Vec<Known> {
    let shared = flex.workers.first().and_then(|w| w.worker.worker_number);
    staff(flex, permanent)
        .into_iter()
        .filter(|s| Some(s.employee.number.as_str()) != shared.map(|n| n.to_string()).as_deref())
        .take(count)
        .filter_map(|s| {
            let (dept, product) = (
                flex.departments.get(s.department)?,
                flex.products.get(s.product)?,
            );
            Some(Known {
                email: s.employee.email.clone().unwrap_or_default(),
                number: s.employee.number,
                given: s.employee.given,
                family: s.employee.family,
                department: (dept.code.clone(), department_name(&dept.name).to_owned()),
                function: (product.hr_function_code.clone(), product.name.clone()),
                flex: false,
            })
        })
        .collect()
}

/// `permanent` employees from the departments and functions of `flex`, the first one being the
/// first flex worker; started around `today`.
pub async fn start(flex: &Dataset, permanent: usize, today: NaiveDate) -> AfasMock {
    let mut data = AfasData::default();
    let hired = today.checked_sub_days(Days::new(400)).unwrap_or(today);
    for (i, s) in staff(flex, permanent).into_iter().enumerate() {
        let dept = &flex.departments[s.department];
        let product = &flex.products[s.product];
        data.employments.push(Employment::new(
            &format!("5D1E0000-0000-4000-8000-{:012}", i + 1),
            &s.employee.number,
            (&dept.code, department_name(&dept.name)),
            (&product.hr_function_code, &product.name),
            hired,
        ));
        data.employees.push(s.employee);
    }
    AfasMock::start(AfasOptions {
        token: AFAS_TOKEN.into(),
        data,
        today,
    })
    .await
}
