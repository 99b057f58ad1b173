//! RFC 4515 search filters, parsed and matched against an in-memory entry. Attribute names
//! and values compare without regard to case, as the directory string and DN syntaxes of the
//! directories Tessera meets do; extensible matches are refused.

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Equal(String, Vec<u8>),
    Present(String),
    Substring {
        attribute: String,
        initial: Option<Vec<u8>>,
        any: Vec<Vec<u8>>,
        last: Option<Vec<u8>>,
    },
    GreaterOrEqual(String, Vec<u8>),
    LessOrEqual(String, Vec<u8>),
}

impl Filter {
    /// Parses a whole filter string: `(&(objectClass=user)(sAMAccountName=j*))`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut parser = Parser { text, at: 0 };
        let filter = parser.filter()?;
        if parser.at != text.len() {
            return Err(format!("unexpected text after position {}", parser.at));
        }
        Ok(filter)
    }

    /// Whether an entry with these values (the attribute's values by lower-cased name)
    /// matches.
    pub(crate) fn matches(&self, values: &dyn Fn(&str) -> Vec<Vec<u8>>) -> bool {
        match self {
            Self::And(all) => all.iter().all(|f| f.matches(values)),
            Self::Or(any) => any.iter().any(|f| f.matches(values)),
            Self::Not(f) => !f.matches(values),
            Self::Present(a) => !values(a).is_empty(),
            Self::Equal(a, v) => values(a).iter().any(|x| fold(x) == fold(v)),
            Self::GreaterOrEqual(a, v) => values(a).iter().any(|x| order(x, v).is_ge()),
            Self::LessOrEqual(a, v) => values(a).iter().any(|x| order(x, v).is_le()),
            Self::Substring {
                attribute,
                initial,
                any,
                last,
            } => values(attribute)
                .iter()
                .any(|x| substring(&fold(x), initial.as_deref(), any, last.as_deref())),
        }
    }
}

fn fold(bytes: &[u8]) -> Vec<u8> {
    bytes.to_ascii_lowercase()
}

/// Integers compare as numbers (`uSNChanged>=42`), everything else byte by byte.
fn order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let number = |x: &[u8]| std::str::from_utf8(x).ok()?.parse::<i128>().ok();
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => fold(a).cmp(&fold(b)),
    }
}

fn substring(value: &[u8], initial: Option<&[u8]>, any: &[Vec<u8>], last: Option<&[u8]>) -> bool {
    let mut rest = value;
    if let Some(i) = initial {
        match rest.strip_prefix(fold(i).as_slice()) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    for part in any {
        let part = fold(part);
        match rest.windows(part.len()).position(|w| w == part.as_slice()) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    last.is_none_or(|l| rest.ends_with(fold(l).as_slice()))
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
}

impl Parser<'_> {
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.text.as_bytes().get(self.at) == Some(&c) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected `{}` at position {}", c as char, self.at))
        }
    }

    fn filter(&mut self) -> Result<Filter, String> {
        self.expect(b'(')?;
        let filter = match self.text.as_bytes().get(self.at) {
            Some(b'&') => {
                self.at += 1;
                Filter::And(self.list()?)
            }
            Some(b'|') => {
                self.at += 1;
                Filter::Or(self.list()?)
            }
            Some(b'!') => {
                self.at += 1;
                Filter::Not(Box::new(self.filter()?))
            }
            _ => self.item()?,
        };
        self.expect(b')')?;
        Ok(filter)
    }

    fn list(&mut self) -> Result<Vec<Filter>, String> {
        let mut out = Vec::new();
        while self.text.as_bytes().get(self.at) == Some(&b'(') {
            out.push(self.filter()?);
        }
        Ok(out)
    }

    /// `attr=value`, `attr=*`, `attr=a*b*c`, `attr>=v`, `attr<=v`.
    fn item(&mut self) -> Result<Filter, String> {
        let rest = &self.text[self.at..];
        let end = rest
            .find(')')
            .ok_or_else(|| format!("unclosed item at position {}", self.at))?;
        let item = &rest[..end];
        self.at += end;
        let (attribute, op, value) = split_item(item)?;
        let attribute = attribute.to_ascii_lowercase();
        match op {
            ">=" => Ok(Filter::GreaterOrEqual(attribute, unescape(value)?)),
            "<=" => Ok(Filter::LessOrEqual(attribute, unescape(value)?)),
            "~=" => Ok(Filter::Equal(attribute, unescape(value)?)),
            _ if value == "*" => Ok(Filter::Present(attribute)),
            _ if value.contains('*') => substring_filter(attribute, value),
            _ => Ok(Filter::Equal(attribute, unescape(value)?)),
        }
    }
}

fn split_item(item: &str) -> Result<(&str, &str, &str), String> {
    let eq = item
        .find('=')
        .ok_or_else(|| format!("`{item}` has no `=`"))?;
    let (op, name_end) = match item[..eq].chars().last() {
        Some('>') => (">=", eq - 1),
        Some('<') => ("<=", eq - 1),
        Some('~') => ("~=", eq - 1),
        Some(':') => return Err(format!("`{item}`: extensible matches are not supported")),
        _ => ("=", eq),
    };
    let attribute = &item[..name_end];
    if attribute.is_empty()
        || !attribute
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == ';')
    {
        return Err(format!("`{item}`: bad attribute description"));
    }
    Ok((attribute, op, &item[eq + 1..]))
}

fn substring_filter(attribute: String, value: &str) -> Result<Filter, String> {
    let parts: Vec<&str> = value.split('*').collect();
    let piece = |s: &str| -> Result<Option<Vec<u8>>, String> {
        if s.is_empty() {
            Ok(None)
        } else {
            unescape(s).map(Some)
        }
    };
    let last_index = parts.len() - 1;
    let mut any = Vec::new();
    for part in &parts[1..last_index] {
        if let Some(p) = piece(part)? {
            any.push(p);
        }
    }
    Ok(Filter::Substring {
        attribute,
        initial: piece(parts[0])?,
        any,
        last: piece(parts[last_index])?,
    })
}

/// Undoes RFC 4515 `\XX` escapes.
fn unescape(value: &str) -> Result<Vec<u8>, String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let hex = value
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("`{value}`: a `\\` must be followed by two hex digits"))?;
            out.push(hex);
            i += 3;
        } else if matches!(bytes[i], b'(' | b')' | b'*') {
            return Err(format!("`{value}`: `{}` must be escaped", bytes[i] as char));
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}
