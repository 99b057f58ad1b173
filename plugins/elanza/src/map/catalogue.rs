//! Departments, skills and products by uuid, shaped for the contracts. Elanza may answer a
//! uuid in either case, so every key is kept in lower case and looked up without case.

use std::collections::HashMap;

use tessera_sdk::types::CodeName;

use crate::model::{Department, Product, Skill};

/// Products by uuid (lower case); None: the product answered 404.
pub type Products = HashMap<String, Option<Product>>;

/// The catalogue one run's contracts draw on; owned, so a paged read can keep it between
/// calls after the answers it came from are gone.
pub struct Catalogue {
    pub(super) departments: HashMap<String, Dept>,
    pub(super) skills: HashMap<String, String>,
    /// None: the product answered 404.
    pub(super) products: HashMap<String, Option<CodeName>>,
}

pub(super) struct Dept {
    pub(super) code_name: CodeName,
    pub(super) brand: Option<String>,
}

impl Catalogue {
    pub fn new(departments: &[Department<'_>], skills: &[Skill<'_>], products: Products) -> Self {
        let departments = departments
            .iter()
            .map(|d| (d.uuid.to_ascii_lowercase(), department(d)))
            .collect();
        let skills = skills
            .iter()
            .filter_map(|s| Some((s.uuid.to_ascii_lowercase(), s.name.as_deref()?.to_owned())))
            .collect();
        let products = products
            .into_iter()
            .map(|(uuid, p)| (uuid.to_ascii_lowercase(), p.map(title)))
            .collect();
        Self {
            departments,
            skills,
            products,
        }
    }
}

/// `uuid` in a map keyed by lower-case uuids; allocates only when `uuid` has capitals.
pub(super) fn lookup<'m, V>(map: &'m HashMap<String, V>, uuid: &str) -> Option<&'m V> {
    map.get(uuid)
        .or_else(|| map.get(&uuid.to_ascii_lowercase()))
}

/// Customers prefix names with a site code: `UMC_Intensive Care` shows as `Intensive Care`.
/// Everything up to and including the first `_` goes, then padding; `_IC` is `IC`, and
/// `UMC_IC_Noord` keeps its second `_`.
pub(crate) fn display_name(name: &str) -> &str {
    name.split_once('_').map_or(name, |(_, rest)| rest).trim()
}

fn department(d: &Department<'_>) -> Dept {
    let name = d.name.as_deref().unwrap_or_default();
    Dept {
        code_name: CodeName {
            code: d.code.as_deref().unwrap_or(&d.uuid).to_owned(),
            name: display_name(name).to_owned(),
        },
        brand: d.brand_name.as_deref().map(str::to_owned),
    }
}

fn title(p: Product) -> CodeName {
    CodeName {
        code: p.hr_function_code.unwrap_or_default(),
        name: p.name.unwrap_or_default(),
    }
}
