//! The checks a page passes before the host reads a row of it: the shape of its tables, then
//! every string number, then that its cells copy no more text than the page carries.

use tessera_domain as d;
use tessera_pages::{Fault, Strings, owner};

use super::super::super::{R, page_size};
use super::{People, invalid, w};

/// Every column of table `table` has its `rows`.
pub(super) fn same_length(table: &str, rows: usize, columns: &[(&str, usize)]) -> R<()> {
    match tessera_pages::mismatched(rows, columns) {
        Some((column, len)) => Err(invalid(
            format!("{table}.{column}"),
            format!("{len} entries in a table of {rows}"),
        )),
        None => Ok(()),
    }
}

/// The counts in `column` share out all of `nested`'s `rows`, no more, no fewer.
pub(super) fn counts(column: &str, counts: &[u32], nested: &str, rows: usize) -> R<()> {
    match tessera_pages::miscounted(counts, nested, rows) {
        Some(message) => Err(invalid(column, message)),
        None => Ok(()),
    }
}

/// Names the record in row `row` of a table, as WIT 0.1 named it: `persons[1].contracts[0]`.
type Owner<'a> = &'a dyn Fn(usize) -> String;

/// Every text column (field, numbers, required) of a table names text of the page; the
/// bytes of text its cells use.
pub(super) fn texts(s: &Strings<'_>, owner: Owner<'_>, columns: &[(&str, &[u32], bool)]) -> R<u64> {
    let mut used = 0;
    for &(field, column, required) in columns {
        used += s
            .check(column, required)
            .map_err(|f| fault(owner, field, f))?;
    }
    Ok(used)
}

/// Every code-name pair (field, codes, names) of a table: a code's name is there; the bytes
/// of text their cells use.
fn pairs(s: &Strings<'_>, owner: Owner<'_>, pairs: &[(&str, &[u32], &[u32])]) -> R<u64> {
    let mut used = 0;
    for &(field, codes, names) in pairs {
        used += s
            .check(codes, false)
            .map_err(|f| fault(owner, &format!("{field}.code"), f))?;
        used += s
            .check_pairs(codes, names)
            .map_err(|f| fault(owner, &format!("{field}.name"), f))?;
    }
    Ok(used)
}

/// The page's strings, once its `cells` text cells are known to fit their tables: no more
/// strings than cells.
pub(super) fn split<'a>(strings: &'a w::Strings, cells: usize) -> R<Strings<'a>> {
    let count = strings.ends.len().saturating_sub(1);
    match tessera_pages::too_many_strings(count, cells) {
        Some(message) => Err(invalid("strings.ends", message)),
        None => Ok(Strings::split(&strings.text, &strings.ends)),
    }
}

/// The cells of a checked page copy no more text than the page carries.
pub(super) fn within_text(copied: u64, strings: &w::Strings) -> R<()> {
    match tessera_pages::overused(copied, strings.text.len()) {
        Some(message) => Err(invalid("strings.text", message)),
        None => Ok(()),
    }
}

fn fault(owner: Owner<'_>, field: &str, fault: Fault) -> d::ConnectorError {
    let field = format!("{}.{field}", owner(fault.row()));
    match fault {
        Fault::NotText { string, .. } => invalid(
            field,
            format!(
                "string {string} is not text of the page (a bad offset, or one inside a character)"
            ),
        ),
        Fault::Missing { .. } => invalid(field, "required, but missing"),
    }
}

/// An attribute table's lengths.
pub(super) fn attributes_table(name: &str, a: &w::Attributes) -> R<()> {
    same_length(name, a.name.len(), &[("value", a.value.len())])
}

/// That every name and value of an attribute table is text; the bytes they use.
pub(super) fn attribute_texts(s: &Strings<'_>, a: &w::Attributes, owner: Owner<'_>) -> R<u64> {
    let columns = [("name", &a.name[..], true), ("value", &a.value, true)];
    texts(s, owner, &columns)
}

impl People<'_> {
    /// The shape of the tables: lengths, then counts, so that every nested row has an owner.
    pub(super) fn check_shape(&self) -> R<()> {
        let p = self.persons;
        page_size("persons", p.id.len())?;
        let columns = [
            ("given", p.given.len()),
            ("family", p.family.len()),
            ("prefix", p.prefix.len()),
            ("initials", p.initials.len()),
            ("convention", p.convention.len()),
            ("email", p.email.len()),
            ("phone", p.phone.len()),
            ("contracts", p.contracts.len()),
            ("attributes", p.attributes.len()),
        ];
        same_length("persons", p.id.len(), &columns)?;
        self.check_contract_lengths()?;
        attributes_table("person-attributes", self.person_attributes)?;
        attributes_table("contract-attributes", self.contract_attributes)?;
        let c = self.contracts;
        counts("persons.contracts", &p.contracts, "contracts", c.id.len())?;
        let pa = self.person_attributes.name.len();
        counts("persons.attributes", &p.attributes, "person-attributes", pa)?;
        let ca = self.contract_attributes.name.len();
        counts(
            "contracts.attributes",
            &c.attributes,
            "contract-attributes",
            ca,
        )
    }

    fn check_contract_lengths(&self) -> R<()> {
        let c = self.contracts;
        let columns = [
            ("kind", c.kind.len()),
            ("start", c.start.len()),
            ("end", c.end.len()),
            ("department-code", c.department_code.len()),
            ("department-name", c.department_name.len()),
            ("title-code", c.title_code.len()),
            ("title-name", c.title_name.len()),
            ("location-code", c.location_code.len()),
            ("location-name", c.location_name.len()),
            ("cost-centre-code", c.cost_centre_code.len()),
            ("cost-centre-name", c.cost_centre_name.len()),
            ("employer-code", c.employer_code.len()),
            ("employer-name", c.employer_name.len()),
            ("fte", c.fte.len()),
            ("hours-per-week", c.hours_per_week.len()),
            ("sequence", c.sequence.len()),
            ("attributes", c.attributes.len()),
        ];
        same_length("contracts", c.id.len(), &columns)
    }

    /// Every text cell of the page: what [`People::check_texts`] goes through.
    pub(super) fn cells(&self) -> usize {
        let attributes = self.person_attributes.name.len() + self.contract_attributes.name.len();
        tessera_pages::person_page_cells(self.persons.id.len(), self.contracts.id.len(), attributes)
    }

    /// Every string number of every table, once the shape holds; the bytes of text they use.
    pub(super) fn check_texts(&self, s: &Strings<'_>) -> R<u64> {
        let (p, c) = (self.persons, self.contracts);
        let person = |i: usize| format!("persons[{i}]");
        let columns: [_; tessera_pages::PERSON_TEXTS] = [
            ("id", &p.id[..], true),
            ("name.given", &p.given, true),
            ("name.family", &p.family, true),
            ("name.prefix", &p.prefix, false),
            ("name.initials", &p.initials, false),
            ("name.convention", &p.convention, false),
            ("email", &p.email, false),
            ("phone", &p.phone, false),
        ];
        let mut used = texts(s, &person, &columns)?;
        let contract = |j: usize| {
            let (i, k) = owner(&p.contracts, j);
            format!("persons[{i}].contracts[{k}]")
        };
        let columns = [
            ("id", &c.id[..], true),
            ("start", &c.start, false),
            ("end", &c.end, false),
        ];
        used += texts(s, &contract, &columns)?;
        let codes: [(&str, &[u32], &[u32]); 5] = [
            ("department", &c.department_code, &c.department_name),
            ("title", &c.title_code, &c.title_name),
            ("location", &c.location_code, &c.location_name),
            ("cost_centre", &c.cost_centre_code, &c.cost_centre_name),
            ("employer", &c.employer_code, &c.employer_name),
        ];
        used += pairs(s, &contract, &codes)?;
        let of_person = |m: usize| {
            let (i, k) = owner(&p.attributes, m);
            format!("persons[{i}].attributes[{k}]")
        };
        used += attribute_texts(s, self.person_attributes, &of_person)?;
        let of_contract = |m: usize| {
            let (j, k) = owner(&c.attributes, m);
            format!("{}.attributes[{k}]", contract(j))
        };
        Ok(used + attribute_texts(s, self.contract_attributes, &of_contract)?)
    }
}
