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
    let mut names = free_usernames(templates, ctx, max_len, taken, 1);
    names.swap_remove(0)
}

/// The first `count` (at least one) free user names, in the order they are handed out: the
/// first is [`unique_username`]'s answer, the others are what to try when the target turns
/// out to have it already (somebody made it there after the last listing).
pub fn free_usernames(
    templates: &[Template],
    ctx: &TemplateContext<'_>,
    max_len: usize,
    taken: &HashSet<String>,
    count: usize,
) -> Vec<String> {
    let count = count.max(1);
    let mut out: Vec<String> = Vec::with_capacity(count);
    let offer = |name: String, out: &mut Vec<String>| {
        if !name.is_empty() && !taken.contains(&name) && !out.contains(&name) {
            out.push(name);
        }
        out.len() == count
    };
    for template in templates {
        if template.has_counter() {
            for n in 1..=MAX_COUNTER {
                if offer(normalise(&template.render(ctx, Some(n)), max_len), &mut out) {
                    return out;
                }
            }
        } else if offer(normalise(&template.render(ctx, None), max_len), &mut out) {
            return out;
        }
    }
    let base = templates
        .iter()
        .map(|t| normalise(&t.render(ctx, None), max_len))
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| normalise(&format!("u{}", ctx.person.id), max_len));
    while out.len() < count {
        let name = append_counter(&base, max_len, &|n| {
            taken.contains(n) || out.iter().any(|o| o == n)
        });
        out.push(name);
    }
    out
}

fn append_counter(base: &str, max_len: usize, taken: &dyn Fn(&str) -> bool) -> String {
    if !base.is_empty() && !taken(base) {
        return base.to_owned();
    }
    for n in 2..=u32::MAX {
        let suffix = n.to_string();
        let keep = max_len.saturating_sub(suffix.len());
        let stem: String = base.chars().take(keep).collect();
        let name = format!("{}{suffix}", stem.trim_end_matches(['.', '-', '_']));
        if !taken(&name) {
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

    /// The fallbacks are the names a later call would hand out, in the same order.
    #[test]
    fn several_free_names_come_in_handing_out_order() {
        let p = person();
        let ctx = TemplateContext {
            person: &p,
            primary: None,
        };
        let templates: Vec<Template> = ["{given:1}{prefix}{family}", "{given}{n}"]
            .iter()
            .map(|t| Template::parse(t).unwrap())
            .collect();
        let taken: HashSet<String> = ["osgur2".to_owned()].into();
        let names = free_usernames(&templates, &ctx, 20, &taken, 4);
        assert_eq!(
            names,
            ["ovanderberg-angstrom", "osgur1", "osgur3", "osgur4"]
        );
        let mut taken = taken;
        for want in &names {
            let got = unique_username(&templates, &ctx, 20, &taken);
            assert_eq!(&got, want);
            taken.insert(got);
        }
        // Only a counter-less template: numbered variants of the first name follow.
        let single = [Template::parse("{given}").unwrap()];
        let names = free_usernames(&single, &ctx, 20, &HashSet::new(), 3);
        assert_eq!(names, ["osgur", "osgur2", "osgur3"]);
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
