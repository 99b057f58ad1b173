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
        // Unique local fc00::/7, link-local fe80::/10 and the deprecated site-local
        // fec0::/10, which some stacks still route inside a site.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // Documentation 2001:db8::/32.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
}

/// An IPv4 address carried inside an IPv6 one, which would otherwise slip past the IPv4
/// rules. Every transition form that leads to an IPv4 host counts: an attacker only needs
/// one that the stack or a gateway on the path still translates.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let o = ip.octets();
    let last32 = || Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    match s {
        // IPv4-mapped ::ffff:a.b.c.d.
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(last32()),
        // IPv4-compatible ::a.b.c.d (deprecated, still parsed); :: and ::1 stay IPv6.
        [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 || lo > 1 => Some(last32()),
        // SIIT IPv4-translated ::ffff:0:a.b.c.d, RFC 2765.
        [0, 0, 0, 0, 0xffff, 0, _, _] => Some(last32()),
        // NAT64 well-known prefix 64:ff9b::/96, RFC 6052.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(last32()),
        // Local-use NAT64 64:ff9b:1::/48, RFC 8215: the prefix length is the operator's, so
        // the address could sit anywhere below it; no connector needs it.
        [0x64, 0xff9b, 1, ..] => Some(Ipv4Addr::UNSPECIFIED),
        // 6to4 2002:a.b.c.d::/48, RFC 3056.
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::from(u32::from(hi) << 16 | u32::from(lo))),
        // Teredo 2001:0::/32, RFC 4380: the client's address, inverted, in the last 32 bits.
        [0x2001, 0, ..] => Some(Ipv4Addr::from(!u32::from(last32()))),
        _ => None,
    }
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

    /// Every IPv6 transition form is judged by the IPv4 address inside it (issue: the guard
    /// took `::a.b.c.d`, SIIT, NAT64, 6to4, Teredo and site-local spellings for public).
    #[test]
    fn ipv6_forms_with_an_ipv4_inside_are_judged_by_it() {
        for internal in [
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:0:127.0.0.1",
            "::ffff:0:192.168.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::10.1.2.3",
            "64:ff9b:1::8.8.8.8",
            "64:ff9b:1:abcd::1",
            "2002:7f00:1::1",
            "2002:c0a8:101::",
            // Teredo: the client 127.0.0.1 is stored inverted (0x80ff:fffe).
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "fec0::1",
            "fed0:1:2::3",
        ] {
            assert_eq!(class(internal), AddressClass::Internal, "{internal}");
        }
        for metadata in [
            "::169.254.169.254",
            "::ffff:0:169.254.169.254",
            "64:ff9b::169.254.169.254",
            "2002:a9fe:a9fe::1",
        ] {
            assert_eq!(class(metadata), AddressClass::Metadata, "{metadata}");
        }
        // The same forms around a public IPv4 address stay public, and :: / ::1 stay what
        // they are rather than turning into 0.0.0.0 / 0.0.0.1.
        for public in [
            "::93.184.215.14",
            "64:ff9b::93.184.215.14",
            "2002:5db8:d70e::1",
        ] {
            assert_eq!(class(public), AddressClass::Public, "{public}");
        }
        assert_eq!(class("::1"), AddressClass::Internal);
        assert_eq!(class("::"), AddressClass::Internal);
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
