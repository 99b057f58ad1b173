//! Text a plugin wrote, made fit for one line of the operator's output (log lines, fault
//! messages): a `\n` or an escape sequence in it must not forge or garble a host line.

/// `text` cut to at most `max` bytes on a character boundary (`…[cut]` marks a cut), with its
/// control characters escaped.
pub(crate) fn printable(text: &str, max: usize) -> String {
    let cut = (0..=max.min(text.len()))
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let mut out = String::with_capacity(cut + 8);
    for c in text[..cut].chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if cut < text.len() {
        out.push_str("…[cut]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escapes_controls_and_cuts_on_a_character_boundary() {
        assert_eq!(printable("a\nb\u{1b}[2J", 100), "a\\nb\\u{1b}[2J");
        assert_eq!(printable("ééé", 3), "é…[cut]");
        assert_eq!(printable("short", 5), "short");
    }
}
