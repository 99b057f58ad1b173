//! Unique, valid user names from templates, with transliteration and fallbacks.
//!
//! Names are transliterated to ASCII (`Ö` → `o`), lower-cased and stripped to letters,
//! digits, `.`, `-` and `_`, so "Ösgür van der Berg-Ängström" yields a name every directory
//! accepts. Templates are tried in order; a template with `{n}` counts up; when every template
//! is taken, the first one gets a number appended.

use std::collections::HashSet;

use crate::model::{Template, TemplateContext};

/// The largest counter tried before giving up on a template.
const MAX_COUNTER: u32 = 999;

/// Picks the first free user name; `taken` holds names already in use (lower case).
pub fn unique_username(
    templates: &[Template],
    ctx: &TemplateContext<'_>,
    max_len: usize,
    taken: &HashSet<String>,
) -> String {
    let free = |name: &String| !name.is_empty() && !taken.contains(name);
    for template in templates {
        if template.has_counter() {
            let numbered = (1..=MAX_COUNTER)
                .map(|n| normalise(&template.render(ctx, Some(n)), max_len))
                .find(free);
            if let Some(name) = numbered {
                return name;
            }
        } else {
            let name = normalise(&template.render(ctx, None), max_len);
            if free(&name) {
                return name;
            }
        }
    }
    let base = templates
        .iter()
        .map(|t| normalise(&t.render(ctx, None), max_len))
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| normalise(&format!("u{}", ctx.person.id), max_len));
    append_counter(&base, max_len, taken)
}

fn append_counter(base: &str, max_len: usize, taken: &HashSet<String>) -> String {
    if !base.is_empty() && !taken.contains(base) {
        return base.to_owned();
    }
    for n in 2..=u32::MAX {
        let suffix = n.to_string();
        let keep = max_len.saturating_sub(suffix.len());
        let stem: String = base.chars().take(keep).collect();
        let name = format!("{}{suffix}", stem.trim_end_matches(['.', '-', '_']));
        if !taken.contains(&name) {
            return name;
        }
    }
    // Unreachable in practice: it would take four billion taken names.
    base.to_owned()
}

/// Transliterates, lower-cases and strips a rendered template to a valid user name.
pub fn normalise(raw: &str, max_len: usize) -> String {
    let ascii = deunicode::deunicode(raw).to_lowercase();
    let mut out = String::new();
    for ch in ascii.chars() {
        let keep = match ch {
            'a'..='z' | '0'..='9' => Some(ch),
            '.' | '-' | '_' => (!out.is_empty() && !out.ends_with(['.', '-', '_'])).then_some(ch),
            _ => None,
        };
        out.extend(keep);
    }
    let cut: String = out.chars().take(max_len).collect();
    cut.trim_end_matches(['.', '-', '_']).to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tessera_domain::Person;
    use tessera_testkit::PersonExt;

    fn person() -> Person {
        let mut p = tessera_testkit::person("4711", "Ösgür", "Berg-Ängström", vec![]);
        p.name.initials = Some("Ö.".into());
        p.prefixed("van der")
    }

    fn valid(name: &str, max: usize) -> bool {
        let re = regex::Regex::new(r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$").unwrap();
        re.is_match(name) && name.len() <= max
    }

    #[test]
    fn oesguer_gets_a_valid_unique_name_every_time() {
        let p = person();
        let ctx = TemplateContext {
            person: &p,
            primary: None,
        };
        let templates: Vec<Template> = ["{given:1}{prefix}{family}", "{given}.{prefix} {family}"]
            .iter()
            .map(|t| Template::parse(t).unwrap())
            .collect();
        let mut taken = HashSet::new();
        let mut names = Vec::new();
        for _ in 0..5 {
            let name = unique_username(&templates, &ctx, 20, &taken);
            assert!(valid(&name, 20), "{name}");
            assert!(taken.insert(name.clone()), "{name} handed out twice");
            names.push(name);
        }
        assert_eq!(names[0], "ovanderberg-angstrom");
        assert_eq!(names[1], "osgur.vanderberg-ang");
        assert_eq!(names[2], "ovanderberg-angstro2");
    }

    #[test]
    fn counter_templates_count_up_and_empty_names_fall_back_to_the_id() {
        let mut p = person();
        let ctx = TemplateContext {
            person: &p,
            primary: None,
        };
        let counted = [Template::parse("{given}{n}").unwrap()];
        let taken: HashSet<String> = ["osgur1".to_owned()].into();
        assert_eq!(unique_username(&counted, &ctx, 20, &taken), "osgur2");
        p.name.given.clear();
        let ctx = TemplateContext {
            person: &p,
            primary: None,
        };
        let given = [Template::parse("{given}").unwrap()];
        assert_eq!(unique_username(&given, &ctx, 20, &HashSet::new()), "u4711");
    }

    #[test]
    fn normalise_strips_separators_at_the_edges() {
        assert_eq!(normalise("  -Ané  Ç.-", 20), "anec");
        assert_eq!(normalise("ab..cd", 20), "ab.cd");
    }
}
