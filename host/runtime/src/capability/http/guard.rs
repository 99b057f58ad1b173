//! The SSRF guard: which addresses a granted name may resolve to.
//!
//! A granted origin is a promise about a *name*; DNS decides where the name points. So the
//! check runs again after resolution: loopback, private, link-local, shared and reserved
//! addresses are refused unless the operator granted the origin in `grants.http_private`.
//! Cloud metadata endpoints are refused always; no connector has a reason to read them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tessera_manifest::OriginPattern;

/// Instance-metadata services of the big clouds.
const METADATA: [IpAddr; 4] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// How an address may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressClass {
    /// Routable on the internet.
    Public,
    /// Loopback, private, link-local, shared or reserved: needs `grants.http_private`.
    Internal,
    /// A cloud metadata endpoint: never.
    Metadata,
}

pub(crate) fn classify(ip: IpAddr) -> AddressClass {
    if METADATA.contains(&ip) {
        return AddressClass::Metadata;
    }
    let internal = match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => return classify(IpAddr::V4(v4)),
            None => internal_v6(v6),
        },
    };
    if internal {
        AddressClass::Internal
    } else {
        AddressClass::Public
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), RFC 6598.
        || (a == 100 && (64..128).contains(&b))
        // Benchmarking, RFC 2544.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, RFC 1112.
        || a >= 240
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // Documentation 2001:db8::/32.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
}

/// An IPv4 address hidden in an IPv6 one (mapped, or NAT64 64:ff9b::/96), which would
/// otherwise slip past the IPv4 rules.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0]).then(|| {
        let [.., a, b, c, d] = ip.octets();
        Ipv4Addr::new(a, b, c, d)
    })
}

/// Whether `origin` may reach `ip`; `Err` says why not.
pub(crate) fn check_address(
    ip: IpAddr,
    host: &str,
    private: &[OriginPattern],
) -> Result<(), String> {
    match classify(ip) {
        AddressClass::Public => Ok(()),
        AddressClass::Metadata => Err(format!(
            "{host} resolves to {ip}, a cloud metadata address, which is never allowed"
        )),
        AddressClass::Internal if host_granted_private(host, private) => Ok(()),
        AddressClass::Internal => Err(format!(
            "{host} resolves to {ip}, an internal address; grant the origin in grants.http_private to allow it"
        )),
    }
}

/// Whether some private grant covers this host name (any scheme and port: the resolver only
/// sees names, and the origin itself was already checked against the allowlist).
fn host_granted_private(host: &str, private: &[OriginPattern]) -> bool {
    let host = host.to_ascii_lowercase();
    private.iter().any(|p| p.matches_host(&host))
}

/// A DNS resolver that drops addresses the guard refuses, so reqwest can only connect to
/// allowed ones; a name left with none fails with the guard's reason.
pub(crate) struct GuardedResolver {
    pub private: Arc<Vec<OriginPattern>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let private = self.private.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match check_address(a.ip(), &host, &private) {
                    Ok(()) => true,
                    Err(why) => {
                        refused = Some(why);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let why = refused.unwrap_or_else(|| format!("{host} has no addresses"));
                return Err(why.into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> AddressClass {
        classify(s.parse().expect("ip"))
    }

    #[test]
    fn sorts_addresses() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert_eq!(class(internal), AddressClass::Internal, "{internal}");
        }
        for metadata in ["169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"] {
            assert_eq!(class(metadata), AddressClass::Metadata, "{metadata}");
        }
        for public in ["93.184.215.14", "2a00:1450:4001::1", "145.97.39.155"] {
            assert_eq!(class(public), AddressClass::Public, "{public}");
        }
    }

    #[test]
    fn private_grants_open_internal_but_never_metadata() {
        let private: Vec<OriginPattern> = vec!["http://127.0.0.1:8080".parse().expect("pattern")];
        let lo = "127.0.0.1".parse().expect("ip");
        assert!(check_address(lo, "127.0.0.1", &private).is_ok());
        assert!(check_address(lo, "internal.example.org", &private).is_err());
        let md = "169.254.169.254".parse().expect("ip");
        assert!(check_address(md, "127.0.0.1", &private).is_err());
    }
}
