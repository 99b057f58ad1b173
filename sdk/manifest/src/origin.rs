use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A concrete origin: scheme, host, port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: String,
    /// Lower-cased host name or address.
    pub host: String,
    /// Port, defaulted from the scheme.
    pub port: u16,
}

/// An allowed origin, possibly with a `*.` subdomain wildcard: `https://*.example.org`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OriginPattern {
    scheme: String,
    /// Host, or the suffix after `*.` when `wildcard` is set.
    host: String,
    wildcard: bool,
    port: u16,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

/// Splits `scheme://host[:port]` with nothing after it.
fn split(text: &str) -> Result<(String, String, u16), String> {
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| format!("`{text}` needs a scheme: https://host[:port]"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default =
        default_port(&scheme).ok_or_else(|| format!("`{text}`: scheme must be http or https"))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#', '@']) {
        return Err(format!(
            "`{text}`: an origin has no path, query or user part"
        ));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => {
            let port = p
                .parse::<u16>()
                .map_err(|_| format!("`{text}`: bad port `{p}`"))?;
            (h, port)
        }
        _ => (rest, default),
    };
    if host.is_empty() {
        return Err(format!("`{text}`: empty host"));
    }
    Ok((scheme, host.to_ascii_lowercase(), port))
}

impl Origin {
    /// The origin of a full URL (`https://API.example.org/x?y` → `https://api.example.org:443`),
    /// as the host's HTTP capability and the SDK's mock host both check it against grants.
    pub fn of_url(url: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = parsed.host_str().ok_or("no host")?;
        let port = parsed.port_or_known_default().ok_or("no port")?;
        Ok(Self {
            scheme: parsed.scheme().to_owned(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl FromStr for Origin {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (scheme, host, port) = split(s)?;
        if host.contains('*') {
            return Err(format!("`{s}`: a concrete origin has no wildcard"));
        }
        Ok(Self { scheme, host, port })
    }
}

impl FromStr for OriginPattern {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (scheme, host, port) = split(s)?;
        let (host, wildcard) = match host.strip_prefix("*.") {
            Some(suffix) => (suffix.to_owned(), true),
            None => (host, false),
        };
        if host.contains('*') || host.is_empty() {
            return Err(format!(
                "`{s}`: only a leading `*.` subdomain wildcard is allowed"
            ));
        }
        Ok(Self {
            scheme,
            host,
            wildcard,
            port,
        })
    }
}

impl OriginPattern {
    /// Whether the origin falls under this pattern. `*.example.org` matches subdomains only.
    pub fn matches(&self, origin: &Origin) -> bool {
        self.scheme == origin.scheme && self.port == origin.port && self.matches_host(&origin.host)
    }

    /// Whether a lower-cased host name falls under this pattern, whatever scheme and port.
    pub fn matches_host(&self, host: &str) -> bool {
        if self.wildcard {
            host.strip_suffix(&self.host)
                .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
        } else {
            self.host == host
        }
    }

    /// Whether every origin this pattern allows is also allowed by `wider`.
    pub fn within(&self, wider: &OriginPattern) -> bool {
        if self.scheme != wider.scheme || self.port != wider.port {
            return false;
        }
        match (self.wildcard, wider.wildcard) {
            (_, false) => !self.wildcard && self.host == wider.host,
            (_, true) => self
                .host
                .strip_suffix(&wider.host)
                .is_some_and(|head| head.ends_with('.') || (self.wildcard && head.is_empty())),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let star = if self.wildcard { "*." } else { "" };
        write!(f, "{}://{star}{}:{}", self.scheme, self.host, self.port)
    }
}

impl Serialize for OriginPattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OriginPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> OriginPattern {
        s.parse().expect("pattern")
    }
    fn org(s: &str) -> Origin {
        s.parse().expect("origin")
    }

    #[test]
    fn exact_and_wildcard_matching() {
        assert!(pat("https://api.example.org").matches(&org("https://API.example.org:443")));
        assert!(!pat("https://api.example.org").matches(&org("http://api.example.org")));
        assert!(!pat("https://api.example.org").matches(&org("https://api.example.org:8443")));
        let wild = pat("https://*.example.org");
        assert!(wild.matches(&org("https://a.b.example.org")));
        assert!(!wild.matches(&org("https://example.org")));
        assert!(!wild.matches(&org("https://evilexample.org")));
    }

    #[test]
    fn narrower_patterns_are_within_wider_ones() {
        assert!(pat("https://a.example.org").within(&pat("https://*.example.org")));
        assert!(pat("https://*.a.example.org").within(&pat("https://*.example.org")));
        assert!(!pat("https://*.example.org").within(&pat("https://a.example.org")));
        assert!(!pat("https://example.org").within(&pat("https://*.example.org")));
        assert!(pat("http://127.0.0.1:8080").within(&pat("http://127.0.0.1:8080")));
    }

    #[test]
    fn refuses_paths_wildcards_and_other_schemes() {
        for bad in [
            "example.org",
            "ftp://example.org",
            "https://example.org/path",
            "https://a.*.org",
            "https://*",
            "https://user@example.org",
            "https://example.org:99999",
        ] {
            assert!(bad.parse::<OriginPattern>().is_err(), "{bad}");
        }
    }
}
