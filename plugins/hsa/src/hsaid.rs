//! HSA-ids: `SE` + the directory owner's ten-digit organisation number + `-` + one or more of
//! `A-Z a-z 0-9`, at most 31 characters; å, ä, ö and `@` are never allowed.

/// The longest HSA-id.
pub const MAX_LENGTH: usize = 31;

/// Why `id` is not a valid HSA-id, or `None` when it is.
pub fn problem(id: &str) -> Option<String> {
    if id.chars().count() > MAX_LENGTH {
        return Some(format!("`{id}` is longer than {MAX_LENGTH} characters"));
    }
    if id.contains(['å', 'ä', 'ö', 'Å', 'Ä', 'Ö', '@']) {
        return Some(format!("`{id}` contains å, ä, ö or @"));
    }
    let Some(rest) = id.strip_prefix("SE") else {
        return Some(format!("`{id}` does not start with SE"));
    };
    let Some((org, local)) = rest.split_once('-') else {
        return Some(format!("`{id}` has no `-` after the organisation number"));
    };
    if org.len() != 10 || !org.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!(
            "`{id}`: `{org}` is not a ten-digit organisation number"
        ));
    }
    if local.is_empty() || !local.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Some(format!(
            "`{id}`: the part after `-` must be one or more of A-Z, a-z, 0-9"
        ));
    }
    None
}

/// The HSA-id of a local name under an organisation: `SE<org>-<local>`, keeping only the
/// letters and digits of `local` (a user name `anna.berg` gives `annaberg`).
pub fn generate(organisation_number: &str, local: &str) -> String {
    let local: String = local.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("SE{organisation_number}-{local}")
}

/// Why an organisation number cannot make HSA-ids: it must be ten digits, no hyphen.
pub fn organisation_problem(number: &str) -> Option<String> {
    (number.len() != 10 || !number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("`{number}` is not ten digits (write 232100-0131 as 2321000131)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_published_example() {
        assert_eq!(problem("SE2321000131-P000000098362"), None);
        assert_eq!(problem(&format!("SE2321000131-{}", "a".repeat(18))), None);
    }

    #[test]
    fn refuses_each_broken_rule() {
        for bad in [
            "SE2321000131-",
            "SE232100013-P1",
            "SE232100-0131-P1",
            "DK2321000131-P1",
            "SE2321000131P1",
            "SE2321000131-Pö1",
            "SE2321000131-P@1",
            "SE2321000131-P.1",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
        assert!(
            problem(&format!("SE2321000131-{}", "a".repeat(19))).is_some(),
            "32 characters"
        );
    }

    #[test]
    fn generated_ids_keep_letters_and_digits() {
        assert_eq!(
            generate("2321000131", "anna.berg-2"),
            "SE2321000131-annaberg2"
        );
        assert!(organisation_problem("232100-0131").is_some());
    }
}
