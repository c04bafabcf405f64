//! Address parsing and range matching shared by the IP rules, the trusted-proxy
//! check and the geo lookup.

use ipnet::IpNet;
use std::net::IpAddr;

/// Parses an address as hosts send it: surrounding spaces, `[v6]` brackets and a
/// `:port` suffix are tolerated, and a v4-mapped v6 address becomes plain v4 so that
/// one client is never two.
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let bare = if let Some(rest) = text.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else if text.matches(':').count() == 1 {
        // Exactly one colon is v4 with a port; v6 has at least two.
        text.split(':').next().unwrap_or(text)
    } else {
        text
    };
    let ip: IpAddr = bare.parse().ok()?;
    Some(canonical(ip))
}

/// v4-mapped v6 (`::ffff:a.b.c.d`) written as the v4 address it carries.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Private, loopback, link-local, shared (CGNAT), unique-local and other
/// non-routable addresses: the "private only" shortcut lets these in, and the
/// geo lookup never asks the database about them.
pub fn is_private(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10 shared address space
                || o[0] == 0
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local
                || (s[0] & 0xffc0) == 0xfe80 // fe80::/10 link local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32 documentation
        }
    }
}

/// A parsed list of CIDR ranges and single addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpList {
    nets: Vec<IpNet>,
}

/// Why an entry of an address list could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEntry {
    pub index: usize,
    pub value: String,
}

impl IpList {
    /// Reads every entry; the first unreadable one is returned with its position.
    pub fn parse(entries: &[String]) -> Result<IpList, BadEntry> {
        let mut nets = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            match parse_net(entry) {
                Some(net) => nets.push(net),
                None => return Err(BadEntry { index, value: entry.clone() }),
            }
        }
        Ok(IpList { nets })
    }

    /// Like `parse`, skipping what cannot be read (for settings already validated).
    pub fn parse_lenient(entries: &[String]) -> IpList {
        IpList { nets: entries.iter().filter_map(|e| parse_net(e)).collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }
}

/// `10.0.0.0/8`, `2001:db8::/32`, a single address (a /32 or /128), or a
/// v4-mapped v6 range, which is read as the v4 range it covers.
pub fn parse_net(text: &str) -> Option<IpNet> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Some(match net {
            IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
                Some(v4) => IpNet::V4(ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96).ok()?),
                None => net,
            },
            _ => net,
        }
        .trunc());
    }
    parse_ip(text).map(IpNet::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_v6_is_v4() {
        assert_eq!(parse_ip("::ffff:192.0.2.1"), parse_ip("192.0.2.1"));
        assert_eq!(parse_ip("[2001:db8::1]:443"), parse_ip("2001:db8::1"));
        assert_eq!(parse_ip("192.0.2.1:8080"), parse_ip("192.0.2.1"));
        assert_eq!(parse_ip("not an ip"), None);
    }

    #[test]
    fn lists_match_ranges_and_single_addresses() {
        let list = IpList::parse(&["10.0.0.0/8".into(), "2001:db8::1".into(), "::ffff:192.168.0.0/112".into()])
            .unwrap_or_default();
        assert!(list.contains("10.2.3.4".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!(list.contains(parse_ip("::ffff:10.9.9.9").unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!(list.contains(parse_ip("2001:db8::1").unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!(list.contains(parse_ip("192.168.4.4").unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!(!list.contains(parse_ip("11.0.0.1").unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert_eq!(IpList::parse(&["10.0.0.0/8".into(), "nope".into()]), Err(BadEntry { index: 1, value: "nope".into() }));
    }

    #[test]
    fn private_ranges() {
        for ip in ["10.1.1.1", "192.168.1.1", "127.0.0.1", "100.64.0.1", "fd00::1", "fe80::1", "::1", "169.254.1.1"] {
            assert!(parse_ip(ip).is_some_and(is_private), "{ip}");
        }
        for ip in ["8.8.8.8", "2a00:1450::1", "100.128.0.1"] {
            assert!(!parse_ip(ip).is_some_and(is_private), "{ip}");
        }
    }
}
