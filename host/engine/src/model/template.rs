//! `{given}`-style templates for attribute mappings and user names.
//!
//! A placeholder names a person or primary-contract field and may keep only the first N
//! characters: `{given:1}{family}`. `{n}` is the counter user names use for fallbacks.

use serde::Serialize;
use tessera_domain::{CodeName, Contract, Person};

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Field { name: String, take: Option<usize> },
}

/// The fields a placeholder can name, besides `attr.NAME` and `primary.FIELD[.name]`.
const PERSON_FIELDS: &[&str] = &["given", "family", "prefix", "initials", "id", "email", "n"];
const CONTRACT_FIELDS: &[&str] = &["department", "title", "location", "cost_centre", "employer"];

impl From<Template> for String {
    fn from(t: Template) -> Self {
        t.text
    }
}

impl Template {
    /// Parses a template, refusing unknown placeholders and unbalanced braces.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("template `{text}` has an unclosed `{{`"))?;
            parts.push(parse_field(&rest[open + 1..open + close], text)?);
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("template `{text}` has a `}}` without `{{`"));
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(Self {
            text: text.to_owned(),
            parts,
        })
    }

    /// Whether the template uses the `{n}` counter.
    pub fn has_counter(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Field { name, .. } if name == "n"))
    }

    /// Fills the template; missing fields become empty text.
    pub fn render(&self, ctx: &TemplateContext<'_>, n: Option<u32>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Field { name, take } => {
                    let value = ctx.value(name, n).unwrap_or_default();
                    match take {
                        Some(k) => out.extend(value.chars().take(*k)),
                        None => out.push_str(&value),
                    }
                }
            }
        }
        out
    }
}

fn parse_field(inner: &str, text: &str) -> Result<Part, String> {
    let (name, take) = match inner.split_once(':') {
        Some((name, count)) => {
            let k = count
                .parse::<usize>()
                .map_err(|_| format!("template `{text}`: `{count}` is not a character count"))?;
            (name, Some(k))
        }
        None => (inner, None),
    };
    if !known_field(name) {
        return Err(format!(
            "template `{text}`: unknown placeholder `{{{name}}}`; use one of {}, attr.NAME or \
             primary.{{{}}}[.name]",
            PERSON_FIELDS.join(", "),
            CONTRACT_FIELDS.join(","),
        ));
    }
    Ok(Part::Field {
        name: name.to_owned(),
        take,
    })
}

fn known_field(name: &str) -> bool {
    if PERSON_FIELDS.contains(&name) {
        return true;
    }
    if let Some(attr) = name.strip_prefix("attr.") {
        return !attr.is_empty();
    }
    let Some(field) = name.strip_prefix("primary.") else {
        return false;
    };
    let field = field.strip_suffix(".name").unwrap_or(field);
    CONTRACT_FIELDS.contains(&field)
}

/// What templates are filled from: the person and their primary contract.
#[derive(Debug, Clone, Copy)]
pub struct TemplateContext<'a> {
    /// The person.
    pub person: &'a Person,
    /// The primary contract, if any.
    pub primary: Option<&'a Contract>,
}

impl TemplateContext<'_> {
    fn value(&self, name: &str, n: Option<u32>) -> Option<String> {
        let p = self.person;
        match name {
            "given" => Some(p.name.given.clone()),
            "family" => Some(p.name.family.clone()),
            "prefix" => p.name.prefix.clone(),
            "initials" => p.name.initials.clone(),
            "id" => Some(p.id.clone()),
            "email" => p.email.clone(),
            "n" => n.map(|n| n.to_string()),
            _ => self.qualified(name),
        }
    }

    fn qualified(&self, name: &str) -> Option<String> {
        if let Some(attr) = name.strip_prefix("attr.") {
            let found = self.person.attributes.iter().find(|a| a.name == attr);
            return found.map(|a| a.value.clone());
        }
        let field = name.strip_prefix("primary.")?;
        let (field, want_name) = match field.strip_suffix(".name") {
            Some(f) => (f, true),
            None => (field, false),
        };
        let c = self.primary?;
        let code: &Option<CodeName> = match field {
            "department" => &c.department,
            "title" => &c.title,
            "location" => &c.location,
            "cost_centre" => &c.cost_centre,
            _ => &c.employer,
        };
        code.as_ref().map(|v| {
            if want_name {
                v.name.clone()
            } else {
                v.code.clone()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unknown_placeholders_and_bad_braces() {
        for bad in [
            "{giv}",
            "{given",
            "given}",
            "{given:x}",
            "{primary.shoe}",
            "{attr.}",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "{given:1}{family}",
            "{primary.department.name}",
            "{attr.badge}",
            "x",
        ] {
            assert!(Template::parse(good).is_ok(), "{good}");
        }
    }
}
