//! The host's side of the two page shapes: a batch of WIT 0.1 persons (plain structs with
//! strings, what the host holds) written into a shape and read back out, as the runtime does
//! with what a plugin returns. Timed with the call, so each shape pays for its own codec.

use crate::tessera::bench::flat as f;
use crate::tessera::connector0_1_0::types::{
    Attribute, CodeName, Contract, ContractKind, Person, PersonName,
};
use crate::tessera::connector0_2_3::pages as p;
use crate::tessera::connector0_2_3::types::ContractKind as Kind2;

fn kind(k: ContractKind) -> Kind2 {
    match k {
        ContractKind::Employment => Kind2::Employment,
        ContractKind::Shift => Kind2::Shift,
        ContractKind::Hire => Kind2::Hire,
        ContractKind::Other => Kind2::Other,
    }
}

fn kind_back(k: Kind2) -> ContractKind {
    match k {
        Kind2::Employment => ContractKind::Employment,
        Kind2::Shift => ContractKind::Shift,
        Kind2::Hire => ContractKind::Hire,
        Kind2::Other => ContractKind::Other,
    }
}

/// WIT 0.2's `source-page`: the text in one string with a table of string ends, the records
/// in columns of string numbers.
pub mod pages {
    use super::*;

    /// The strings of a page being written; string numbers from 1, 0 for none.
    struct Strings(p::Strings);

    impl Strings {
        fn put(&mut self, s: &str) -> u32 {
            self.0.text.push_str(s);
            self.0.ends.push(self.0.text.len() as u32);
            self.0.ends.len() as u32 - 1
        }

        fn opt(&mut self, s: &Option<String>) -> u32 {
            s.as_deref().map_or(0, |s| self.put(s))
        }
    }

    fn attrs(s: &mut Strings, out: &mut p::Attributes, list: &[Attribute]) -> u32 {
        for a in list {
            out.name.push(s.put(&a.name));
            out.value.push(s.put(&a.value));
        }
        list.len() as u32
    }

    fn codes(s: &mut Strings, c: &Option<CodeName>, codes: &mut Vec<u32>, names: &mut Vec<u32>) {
        let (code, name) = c
            .as_ref()
            .map_or((0, 0), |c| (s.put(&c.code), s.put(&c.name)));
        codes.push(code);
        names.push(name);
    }

    fn contract(
        s: &mut Strings,
        out: &mut p::Contracts,
        attributes: &mut p::Attributes,
        c: &Contract,
    ) {
        out.id.push(s.put(&c.id));
        out.kind.push(kind(c.kind));
        out.start.push(s.opt(&c.start));
        out.end.push(s.opt(&c.end));
        codes(
            s,
            &c.department,
            &mut out.department_code,
            &mut out.department_name,
        );
        codes(s, &c.title, &mut out.title_code, &mut out.title_name);
        codes(
            s,
            &c.location,
            &mut out.location_code,
            &mut out.location_name,
        );
        codes(
            s,
            &c.cost_centre,
            &mut out.cost_centre_code,
            &mut out.cost_centre_name,
        );
        codes(
            s,
            &c.employer,
            &mut out.employer_code,
            &mut out.employer_name,
        );
        out.fte.push(c.fte);
        out.hours_per_week.push(c.hours_per_week);
        out.sequence.push(c.sequence);
        out.attributes.push(attrs(s, attributes, &c.attributes));
    }

    fn empty_attributes() -> p::Attributes {
        p::Attributes {
            name: Vec::new(),
            value: Vec::new(),
        }
    }

    /// The batch as one page.
    pub fn write(batch: &[Person]) -> p::SourcePage {
        let mut ends = Vec::with_capacity(batch.len() * 16 + 1);
        ends.push(0);
        let text = String::with_capacity(batch.len() * 128);
        let mut s = Strings(p::Strings { text, ends });
        let column = || Vec::with_capacity(batch.len());
        let mut persons = p::Persons {
            id: column(),
            given: column(),
            family: column(),
            prefix: column(),
            initials: column(),
            convention: column(),
            email: column(),
            phone: column(),
            contracts: column(),
            attributes: column(),
        };
        let mut contracts = p::Contracts {
            id: column(),
            kind: Vec::new(),
            start: column(),
            end: column(),
            department_code: column(),
            department_name: column(),
            title_code: column(),
            title_name: column(),
            location_code: column(),
            location_name: column(),
            cost_centre_code: column(),
            cost_centre_name: column(),
            employer_code: column(),
            employer_name: column(),
            fte: Vec::new(),
            hours_per_week: Vec::new(),
            sequence: Vec::new(),
            attributes: column(),
        };
        let (mut person_attributes, mut contract_attributes) =
            (empty_attributes(), empty_attributes());
        for x in batch {
            persons.id.push(s.put(&x.id));
            persons.given.push(s.put(&x.name.given));
            persons.family.push(s.put(&x.name.family));
            persons.prefix.push(s.opt(&x.name.prefix));
            persons.initials.push(s.opt(&x.name.initials));
            persons.convention.push(s.opt(&x.name.convention));
            persons.email.push(s.opt(&x.email));
            persons.phone.push(s.opt(&x.phone));
            persons.contracts.push(x.contracts.len() as u32);
            persons
                .attributes
                .push(attrs(&mut s, &mut person_attributes, &x.attributes));
            for c in &x.contracts {
                contract(&mut s, &mut contracts, &mut contract_attributes, c);
            }
        }
        p::SourcePage {
            strings: s.0,
            persons,
            contracts,
            person_attributes,
            contract_attributes,
            warnings: Vec::new(),
            next_cursor: None,
        }
    }

    /// String `n` of a page read back; the benchmark's own pages are well formed.
    fn text(s: &p::Strings, n: u32) -> Option<String> {
        let n = n as usize;
        (n > 0).then(|| s.text[s.ends[n - 1] as usize..s.ends[n] as usize].to_owned())
    }

    fn attrs_back(
        s: &p::Strings,
        a: &p::Attributes,
        rows: std::ops::Range<usize>,
    ) -> Vec<Attribute> {
        rows.map(|j| Attribute {
            name: text(s, a.name[j]).unwrap_or_default(),
            value: text(s, a.value[j]).unwrap_or_default(),
        })
        .collect()
    }

    fn code_back(s: &p::Strings, code: u32, name: u32) -> Option<CodeName> {
        text(s, code).map(|code| CodeName {
            code,
            name: text(s, name).unwrap_or_default(),
        })
    }

    fn contract_back(page: &p::SourcePage, j: usize, next: &mut usize) -> Contract {
        let (s, c) = (&page.strings, &page.contracts);
        let rows = *next..*next + c.attributes[j] as usize;
        *next = rows.end;
        Contract {
            id: text(s, c.id[j]).unwrap_or_default(),
            kind: kind_back(c.kind[j]),
            start: text(s, c.start[j]),
            end: text(s, c.end[j]),
            department: code_back(s, c.department_code[j], c.department_name[j]),
            title: code_back(s, c.title_code[j], c.title_name[j]),
            location: code_back(s, c.location_code[j], c.location_name[j]),
            cost_centre: code_back(s, c.cost_centre_code[j], c.cost_centre_name[j]),
            employer: code_back(s, c.employer_code[j], c.employer_name[j]),
            fte: c.fte[j],
            hours_per_week: c.hours_per_week[j],
            sequence: c.sequence[j],
            attributes: attrs_back(s, &page.contract_attributes, rows),
        }
    }

    /// The page's persons.
    pub fn read(page: p::SourcePage) -> Vec<Person> {
        let (s, x) = (&page.strings, &page.persons);
        let (mut contracts, mut attributes, mut contract_attributes) = (0, 0, 0);
        (0..x.id.len())
            .map(|i| {
                let owned = contracts..contracts + x.contracts[i] as usize;
                contracts = owned.end;
                let rows = attributes..attributes + x.attributes[i] as usize;
                attributes = rows.end;
                Person {
                    id: text(s, x.id[i]).unwrap_or_default(),
                    name: PersonName {
                        given: text(s, x.given[i]).unwrap_or_default(),
                        family: text(s, x.family[i]).unwrap_or_default(),
                        prefix: text(s, x.prefix[i]),
                        initials: text(s, x.initials[i]),
                        convention: text(s, x.convention[i]),
                    },
                    email: text(s, x.email[i]),
                    phone: text(s, x.phone[i]),
                    contracts: owned
                        .map(|j| contract_back(&page, j, &mut contract_attributes))
                        .collect(),
                    attributes: attrs_back(s, &page.person_attributes, rows),
                }
            })
            .collect()
    }
}

/// A flat page's text being written: every string pushed becomes a span of it.
#[derive(Default)]
struct Text(String);

impl Text {
    fn span(&mut self, s: &str) -> f::Span {
        let start = self.0.len() as u32;
        self.0.push_str(s);
        f::Span {
            start,
            len: s.len() as u32,
        }
    }

    fn opt(&mut self, s: &Option<String>) -> Option<f::Span> {
        s.as_deref().map(|s| self.span(s))
    }
}

fn get(text: &str, s: f::Span) -> String {
    let (start, end) = (s.start as usize, (s.start + s.len) as usize);
    text.get(start..end).unwrap_or_default().to_owned()
}

fn get_opt(text: &str, s: Option<f::Span>) -> Option<String> {
    s.map(|s| get(text, s))
}

/// The flat alternative: every record in a list of the page, ranges instead of nested lists.
pub mod flat {
    use super::*;

    #[derive(Default)]
    struct Out {
        text: Text,
        contracts: Vec<f::Contract>,
        attributes: Vec<f::Attribute>,
    }

    impl Out {
        fn code(&mut self, c: &Option<CodeName>) -> Option<f::CodeName> {
            c.as_ref().map(|c| f::CodeName {
                code: self.text.span(&c.code),
                name: self.text.span(&c.name),
            })
        }

        fn attrs(&mut self, a: &[Attribute]) -> f::Range {
            let first = self.attributes.len() as u32;
            for a in a {
                let name = self.text.span(&a.name);
                let value = self.text.span(&a.value);
                self.attributes.push(f::Attribute { name, value });
            }
            f::Range {
                first,
                count: a.len() as u32,
            }
        }

        fn contract(&mut self, c: &Contract) -> f::Contract {
            f::Contract {
                id: self.text.span(&c.id),
                kind: kind(c.kind),
                start: self.text.opt(&c.start),
                end: self.text.opt(&c.end),
                department: self.code(&c.department),
                title: self.code(&c.title),
                location: self.code(&c.location),
                cost_centre: self.code(&c.cost_centre),
                employer: self.code(&c.employer),
                fte: c.fte,
                hours_per_week: c.hours_per_week,
                sequence: c.sequence,
                attributes: self.attrs(&c.attributes),
            }
        }

        fn person(&mut self, x: &Person) -> f::Person {
            let first = self.contracts.len() as u32;
            for c in &x.contracts {
                let contract = self.contract(c);
                self.contracts.push(contract);
            }
            f::Person {
                id: self.text.span(&x.id),
                given: self.text.span(&x.name.given),
                family: self.text.span(&x.name.family),
                prefix: self.text.opt(&x.name.prefix),
                initials: self.text.opt(&x.name.initials),
                convention: self.text.opt(&x.name.convention),
                email: self.text.opt(&x.email),
                phone: self.text.opt(&x.phone),
                contracts: f::Range {
                    first,
                    count: x.contracts.len() as u32,
                },
                attributes: self.attrs(&x.attributes),
            }
        }
    }

    /// The batch as one flat page.
    pub fn write(batch: &[Person]) -> f::Page {
        let mut out = Out::default();
        let persons = batch.iter().map(|x| out.person(x)).collect();
        f::Page {
            text: out.text.0,
            persons,
            contracts: out.contracts,
            attributes: out.attributes,
        }
    }

    fn code_back(text: &str, c: &Option<f::CodeName>) -> Option<CodeName> {
        c.as_ref().map(|c| CodeName {
            code: get(text, c.code),
            name: get(text, c.name),
        })
    }

    fn attrs_back(page: &f::Page, r: f::Range) -> Vec<Attribute> {
        let list = page.attributes.iter().skip(r.first as usize);
        list.take(r.count as usize)
            .map(|a| Attribute {
                name: get(&page.text, a.name),
                value: get(&page.text, a.value),
            })
            .collect()
    }

    fn contract_back(page: &f::Page, c: &f::Contract) -> Contract {
        let text = page.text.as_str();
        Contract {
            id: get(text, c.id),
            kind: kind_back(c.kind),
            start: get_opt(text, c.start),
            end: get_opt(text, c.end),
            department: code_back(text, &c.department),
            title: code_back(text, &c.title),
            location: code_back(text, &c.location),
            cost_centre: code_back(text, &c.cost_centre),
            employer: code_back(text, &c.employer),
            fte: c.fte,
            hours_per_week: c.hours_per_week,
            sequence: c.sequence,
            attributes: attrs_back(page, c.attributes),
        }
    }

    /// The page's persons.
    pub fn read(page: f::Page) -> Vec<Person> {
        let text = page.text.as_str();
        let person = |x: &f::Person| Person {
            id: get(text, x.id),
            name: PersonName {
                given: get(text, x.given),
                family: get(text, x.family),
                prefix: get_opt(text, x.prefix),
                initials: get_opt(text, x.initials),
                convention: get_opt(text, x.convention),
            },
            email: get_opt(text, x.email),
            phone: get_opt(text, x.phone),
            contracts: page
                .contracts
                .iter()
                .skip(x.contracts.first as usize)
                .take(x.contracts.count as usize)
                .map(|c| contract_back(&page, c))
                .collect(),
            attributes: attrs_back(&page, x.attributes),
        };
        page.persons.iter().map(person).collect()
    }
}
