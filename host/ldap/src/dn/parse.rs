//! An RFC 4514 string-DN parser. It is strict where leniency could let a caller smuggle a
//! separator past the base-DN check (unescaped `"`, `;`, `<`, `>`, NUL are refused) and lenient
//! only about spaces around separators, which servers ignore too.

use super::{AttributeValue, Ava, Rdn};

/// Characters that may follow a backslash as themselves (RFC 4514 §3, `escaped`).
const ESCAPABLE: &[u8] = b" \"#+,;<=>\\";

pub(super) fn parse_dn(input: &str) -> Result<Vec<Rdn>, String> {
    let mut parser = Parser {
        bytes: input.as_bytes(),
        pos: 0,
    };
    parser.skip_spaces();
    if parser.peek().is_none() {
        return Ok(Vec::new());
    }
    let mut rdns = Vec::new();
    // Each iteration consumes at least the `=` of an AVA, so this ends with the input.
    loop {
        rdns.push(parser.rdn()?);
        parser.skip_spaces();
        match parser.next() {
            None => return Ok(rdns),
            Some(b',') => {}
            Some(other) => return Err(parser.unexpected(other)),
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn unexpected(&self, byte: u8) -> String {
        format!("unexpected {:?} at byte {}", char::from(byte), self.pos - 1)
    }

    fn rdn(&mut self) -> Result<Rdn, String> {
        let mut avas = vec![self.ava()?];
        loop {
            self.skip_spaces();
            if self.peek() != Some(b'+') {
                return Ok(Rdn::new(avas));
            }
            self.pos += 1;
            avas.push(self.ava()?);
        }
    }

    fn ava(&mut self) -> Result<Ava, String> {
        self.skip_spaces();
        let attribute = self.attribute_type()?;
        self.skip_spaces();
        match self.next() {
            Some(b'=') => {}
            Some(other) => return Err(self.unexpected(other)),
            None => return Err(format!("missing '=' after {attribute:?}")),
        }
        self.skip_spaces();
        let value = if self.peek() == Some(b'#') {
            self.pos += 1;
            AttributeValue::Ber(self.hex_value()?)
        } else {
            AttributeValue::Text(self.string_value()?)
        };
        Ok(Ava { attribute, value })
    }

    fn attribute_type(&mut self) -> Result<String, String> {
        let start = self.pos;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            self.pos += 1;
        }
        let text = String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned();
        if valid_attribute_type(&text) {
            Ok(text)
        } else {
            Err(format!("invalid attribute type {text:?} at byte {start}"))
        }
    }

    fn hex_value(&mut self) -> Result<Vec<u8>, String> {
        let start = self.pos;
        while matches!(self.peek(), Some(b) if b.is_ascii_hexdigit()) {
            self.pos += 1;
        }
        let digits = &self.bytes[start..self.pos];
        if digits.is_empty() || !digits.len().is_multiple_of(2) {
            return Err(format!("invalid hex value at byte {start}"));
        }
        Ok(digits
            .chunks(2)
            .filter_map(|pair| hex_byte(pair[0], pair[1]))
            .collect())
    }

    fn string_value(&mut self) -> Result<String, String> {
        let mut out = Vec::new();
        // Unescaped trailing spaces are not part of the value; escaped ones are.
        let mut significant = 0;
        while let Some(byte) = self.peek() {
            match byte {
                b',' | b'+' => break,
                b'\\' => {
                    self.pos += 1;
                    out.push(self.escape()?);
                    significant = out.len();
                }
                b'"' | b';' | b'<' | b'>' | 0 => {
                    return Err(format!(
                        "{:?} must be escaped (byte {})",
                        char::from(byte),
                        self.pos
                    ));
                }
                b' ' => {
                    self.pos += 1;
                    out.push(byte);
                }
                _ => {
                    self.pos += 1;
                    out.push(byte);
                    significant = out.len();
                }
            }
        }
        out.truncate(significant);
        String::from_utf8(out).map_err(|_| "value is not UTF-8".to_string())
    }

    fn escape(&mut self) -> Result<u8, String> {
        let at = self.pos;
        let first = self.next().ok_or("dangling '\\' at the end")?;
        if ESCAPABLE.contains(&first) {
            return Ok(first);
        }
        let second = self.next();
        second
            .and_then(|second| hex_byte(first, second))
            .ok_or_else(|| format!("invalid escape at byte {}", at - 1))
    }
}

fn hex_byte(high: u8, low: u8) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    u8::try_from(digit(high)? * 16 + digit(low)?).ok()
}

/// `keystring` (a letter, then letters, digits and hyphens) or `numericoid`, optionally with
/// the `OID.` prefix of RFC 2253's predecessors.
fn valid_attribute_type(text: &str) -> bool {
    let oid = text
        .strip_prefix("oid.")
        .or_else(|| text.strip_prefix("OID."))
        .unwrap_or(text);
    if oid.starts_with(|c: char| c.is_ascii_digit()) {
        return oid
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    }
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}
