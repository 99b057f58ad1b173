//! The hospital's permanent staff in AFAS Profit: employees with an open-ended employment in
//! one of Elanza's departments. The first of them also works flexible shifts: their employee
//! number is the Elanza worker number of the first flex worker, so Tessera makes one person of
//! the two records, with HR's name and both sources' contracts.

use chrono::{Days, NaiveDate};

use super::model::department_name;
use crate::afas::{AfasData, AfasMock, AfasOptions, Employee, Employment};
use crate::elanza::Dataset;

/// The token the mock Profit wants; it goes into the vault as `afas-token`.
pub const AFAS_TOKEN: &str = "<token><version>1</version><data>D3M0D3M0D3M0D3M0</data></token>";

/// Employee numbers of permanent staff who do not work flex shifts start here.
const FIRST_NUMBER: u64 = 800_000;

/// `permanent` employees from the departments and functions of `flex`, the first one being the
/// first flex worker; started around `today`.
pub async fn start(flex: &Dataset, permanent: usize, today: NaiveDate) -> AfasMock {
    let mut data = AfasData::default();
    let hired = today.checked_sub_days(Days::new(400)).unwrap_or(today);
    let shared = flex.workers.first().map(|w| &w.worker);
    for i in 0..permanent {
        let (number, employee) = match (i, shared) {
            (0, Some(w)) => {
                let number = w.worker_number.unwrap_or(FIRST_NUMBER).to_string();
                let employee = Employee::new(&number, &w.first_name, &w.last_name);
                (number, employee)
            }
            _ => {
                let number = (FIRST_NUMBER + i as u64).to_string();
                let family = ["Bakker", "Visser", "Smit", "Meijer", "Mulder"][i % 5];
                (number.clone(), Employee::new(&number, "Vaste", family))
            }
        };
        let dept = &flex.departments[i % flex.departments.len().max(1)];
        let product = &flex.products[i % flex.products.len().max(1)];
        data.employees.push(employee);
        data.employments.push(Employment::new(
            &format!("5D1E0000-0000-4000-8000-{:012}", i + 1),
            &number,
            (&dept.code, department_name(&dept.name)),
            (&product.hr_function_code, &product.name),
            hired,
        ));
    }
    AfasMock::start(AfasOptions {
        token: AFAS_TOKEN.into(),
        data,
        today,
    })
    .await
}
