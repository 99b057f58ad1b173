//! Distinguished names (RFC 4514): parsing, a normalised form for comparison, and the
//! base-DN containment check that every call goes through.

mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A parsed distinguished name. Equality and [`Dn::is_within`] use the normalised form:
/// attribute types lower-cased (OIDs kept), values unescaped, compared case-insensitively with
/// insignificant spaces removed, and the parts of a multi-valued RDN in any order.
#[derive(Clone, Debug)]
pub struct Dn {
    /// Most specific first, as written.
    rdns: Vec<Rdn>,
}

/// One relative distinguished name: one or more attribute-value assertions joined by `+`.
#[derive(Clone, Debug)]
pub struct Rdn {
    avas: Vec<Ava>,
    /// The normalised AVAs, sorted, so that `cn=a+sn=b` equals `sn=B+cn=A`.
    key: Vec<AvaKey>,
}

/// An attribute-value assertion such as `cn=Jane Doe`.
#[derive(Clone, Debug)]
pub struct Ava {
    attribute: String,
    value: AttributeValue,
}

/// The value of an [`Ava`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttributeValue {
    /// A string value, unescaped.
    Text(String),
    /// A `#`-prefixed hex value: the BER encoding of the value.
    Ber(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct AvaKey {
    attribute: String,
    /// Text values folded by [`fold_value`]; BER values as they are.
    value: AttributeValue,
}

impl Dn {
    /// Parses an RFC 4514 string. The empty string is the root DN.
    pub fn parse(input: &str) -> Result<Dn, Error> {
        parse::parse_dn(input)
            .map(|rdns| Dn { rdns })
            .map_err(|message| Error::InvalidDn {
                dn: input.to_string(),
                message,
            })
    }

    /// The RDNs, most specific first.
    pub fn rdns(&self) -> &[Rdn] {
        &self.rdns
    }

    /// Whether this is the root DN (no RDNs).
    pub fn is_root(&self) -> bool {
        self.rdns.is_empty()
    }

    /// The DN one level up; `None` for the root DN.
    pub fn parent(&self) -> Option<Dn> {
        let (_, rest) = self.rdns.split_first()?;
        Some(Dn {
            rdns: rest.to_vec(),
        })
    }

    /// This DN with `rdn` put in front, i.e. the DN of a child entry.
    pub fn child(&self, rdn: Rdn) -> Dn {
        let mut rdns = Vec::with_capacity(self.rdns.len() + 1);
        rdns.push(rdn);
        rdns.extend(self.rdns.iter().cloned());
        Dn { rdns }
    }

    /// Whether this DN equals `base` or lies below it.
    pub fn is_within(&self, base: &Dn) -> bool {
        let Some(skip) = self.rdns.len().checked_sub(base.rdns.len()) else {
            return false;
        };
        self.rdns[skip..]
            .iter()
            .zip(&base.rdns)
            .all(|(ours, theirs)| ours.key == theirs.key)
    }

    /// The normalised string form: what two DNs naming the same entry have in common.
    pub fn normalized(&self) -> String {
        let rdns: Vec<String> = self.rdns.iter().map(Rdn::normalized).collect();
        rdns.join(",")
    }
}

impl PartialEq for Dn {
    fn eq(&self, other: &Dn) -> bool {
        self.rdns.len() == other.rdns.len() && self.is_within(other)
    }
}

impl Eq for Dn {}

impl FromStr for Dn {
    type Err = Error;

    fn from_str(input: &str) -> Result<Dn, Error> {
        Dn::parse(input)
    }
}

/// The RFC 4514 string form, with the attribute types as written and values re-escaped. This
/// is what goes to the server, so the server parses exactly the DN that was checked.
impl fmt::Display for Dn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.rdns.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{rdn}")?;
        }
        Ok(())
    }
}

impl Rdn {
    fn new(avas: Vec<Ava>) -> Rdn {
        let mut key: Vec<AvaKey> = avas.iter().map(Ava::key).collect();
        key.sort();
        Rdn { avas, key }
    }

    /// Parses a single RDN such as `cn=Jane Doe` or `cn=a+uid=b`.
    pub fn parse(input: &str) -> Result<Rdn, Error> {
        let mut rdns = Dn::parse(input)?.rdns;
        if rdns.len() != 1 {
            return Err(Error::InvalidDn {
                dn: input.to_string(),
                message: format!("expected exactly one RDN, found {}", rdns.len()),
            });
        }
        Ok(rdns.remove(0))
    }

    /// The attribute-value assertions, in the order written.
    pub fn avas(&self) -> &[Ava] {
        &self.avas
    }

    fn normalized(&self) -> String {
        let parts: Vec<String> = self.key.iter().map(AvaKey::to_string).collect();
        parts.join("+")
    }
}

impl PartialEq for Rdn {
    fn eq(&self, other: &Rdn) -> bool {
        self.key == other.key
    }
}

impl Eq for Rdn {}

impl fmt::Display for Rdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, ava) in self.avas.iter().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            write!(f, "{}={}", ava.attribute, ValueText(&ava.value))?;
        }
        Ok(())
    }
}

impl Ava {
    /// The attribute type as written, e.g. `CN` or `2.5.4.3`.
    pub fn attribute(&self) -> &str {
        &self.attribute
    }

    /// The unescaped value.
    pub fn value(&self) -> &AttributeValue {
        &self.value
    }

    fn key(&self) -> AvaKey {
        let lower = self.attribute.to_ascii_lowercase();
        let attribute = match lower.strip_prefix("oid.") {
            Some(oid) => oid.to_string(),
            None => lower,
        };
        let value = match &self.value {
            AttributeValue::Text(text) => AttributeValue::Text(fold_value(text)),
            ber @ AttributeValue::Ber(_) => ber.clone(),
        };
        AvaKey { attribute, value }
    }
}

impl fmt::Display for AvaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.attribute, ValueText(&self.value))
    }
}

/// Case-insensitive comparison with insignificant spaces removed (RFC 4518 §2.6.1): leading
/// and trailing spaces dropped, inner runs of spaces collapsed to one.
fn fold_value(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').filter(|word| !word.is_empty()).collect();
    words.join(" ").to_lowercase()
}

/// Writes a value in its escaped RFC 4514 form.
struct ValueText<'a>(&'a AttributeValue);

impl fmt::Display for ValueText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            AttributeValue::Ber(bytes) => {
                f.write_str("#")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
            AttributeValue::Text(text) => f.write_str(&escape_value(text)),
        }
    }
}

/// RFC 4514 §2.4 escaping; `=` too, which is allowed unescaped but confuses naive readers.
pub(crate) fn escape_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let last = text.chars().count().saturating_sub(1);
    for (i, c) in text.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '\0' => out.push_str("\\00"),
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            _ => out.push(c),
        }
    }
    out
}
