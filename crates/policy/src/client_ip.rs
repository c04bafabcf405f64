//! Which address a request really comes from.
//!
//! The connection's peer (`REMOTE_ADDR`) is the only address nobody can forge, so
//! it is the answer unless the site owner has said which proxies sit in front of
//! the site. Forwarding headers are read only when the peer is one of those trusted
//! proxies; with no trusted proxies configured they are never read. (Other plugins
//! believe every header when the list is empty, which lets any visitor pick the IP
//! address every IP rule sees.)
//!
//! Rules that matter for the "detected IP" diagnostic, which shows `note`:
//! - Header names are matched the way PHP and HTTP spell them alike:
//!   `HTTP_X_FORWARDED_FOR`, `x-forwarded-for` and `X-Forwarded-For` are one header.
//!   A header sent more than once is read as one list, in the order given.
//! - Every header is read as a comma-separated list (a single address is a list of
//!   one), walked from the right: entries that are themselves trusted proxies are
//!   skipped, and the first untrusted address is the client. When every entry is a
//!   trusted proxy, the leftmost is the client.
//! - An entry that is not an address (garbage, `unknown`, an obfuscated `_name`)
//!   ends the walk: whatever lies left of it was written by someone we cannot vouch
//!   for. The answer is then the last trusted address seen before it; if the
//!   unreadable entry is the rightmost, the header gives nothing.
//! - `header` mode names its header; the source is the specific `IpSource` when the
//!   name is one of the four known headers (and `Forwarded` is then read as
//!   RFC 7239), `custom_header` otherwise.
//! - `auto` mode takes the first of `Forwarded`, `X-Forwarded-For`,
//!   `CF-Connecting-IP`, `X-Real-IP` that yields an address. Auto mode assumes the
//!   proxy overwrites or strips all four; a proxy that only appends to one of them
//!   leaves the others to the client, and `header` mode is the safe choice there.

use crate::net::{self, IpList};
use crate::types::*;
use std::net::IpAddr;

/// The headers `auto` mode reads, in the order it prefers them.
const AUTO_HEADERS: [(&str, IpSource); 4] = [
    ("Forwarded", IpSource::Forwarded),
    ("X-Forwarded-For", IpSource::XForwardedFor),
    ("CF-Connecting-IP", IpSource::CfConnectingIp),
    ("X-Real-IP", IpSource::XRealIp),
];

pub fn resolve(req: &ClientIpRequest) -> ClientIp {
    let settings = &req.settings;
    let Some(peer) = net::parse_ip(&req.remote_addr) else {
        let note = if req.remote_addr.trim().is_empty() {
            "REMOTE_ADDR is missing, so no client address can be determined; forwarding headers are not read without a known peer.".to_string()
        } else {
            format!(
                "REMOTE_ADDR \"{}\" is not a valid IP address, so no client address can be determined; forwarding headers are not read without a known peer.",
                shorten(&req.remote_addr)
            )
        };
        return ClientIp { ip: String::new(), source: IpSource::RemoteAddr, note };
    };

    if settings.mode == IpMode::RemoteAddr {
        return from_peer(peer, "REMOTE_ADDR is used; forwarding headers are ignored by setting.".to_string());
    }

    // The headers this mode would read, with the source each one reports.
    let wanted: Vec<(String, IpSource)> = match settings.mode {
        IpMode::Header => {
            let name = settings.header.trim();
            if normalise(name).is_empty() {
                return from_peer(
                    peer,
                    "REMOTE_ADDR is used: header mode is selected but no header name is configured.".to_string(),
                );
            }
            vec![configured_header(name)]
        }
        _ => AUTO_HEADERS.iter().map(|(n, s)| ((*n).to_string(), *s)).collect(),
    };
    let present: Vec<(String, IpSource, String)> = wanted
        .into_iter()
        .filter_map(|(name, source)| header_value(&req.headers, &name).map(|value| (name, source, value)))
        .collect();

    let trusted = IpList::parse_lenient(&settings.trusted_proxies);
    if !trusted.contains(peer) {
        if present.is_empty() {
            return from_peer(peer, no_header_note(settings, peer, false));
        }
        let names: Vec<&str> = present.iter().map(|(n, _, _)| n.as_str()).collect();
        let why = if trusted.is_empty() {
            format!("{peer} is not a trusted proxy (no trusted proxies are configured)")
        } else {
            format!("{peer} is not a trusted proxy")
        };
        return from_peer(peer, format!("{} ignored: {why}. REMOTE_ADDR is used.", ignored_list(&names)));
    }

    let mut unusable = Vec::new();
    for (name, source, value) in &present {
        let entries = if *source == IpSource::Forwarded { forwarded_for(value) } else { list_entries(value) };
        match walk(&entries, &trusted) {
            Walk::Client { ip, skipped } => {
                let mut note = format!("Client address from {name}, sent by trusted proxy {peer}");
                if skipped > 0 {
                    note.push_str(&format!("; {skipped} trusted {} in the chain skipped", plural(skipped, "proxy", "proxies")));
                }
                note.push('.');
                return ClientIp { ip: ip.to_string(), source: *source, note };
            }
            Walk::AllTrusted { ip } => {
                let note = format!(
                    "Client address from {name}, sent by trusted proxy {peer}; every address in it is a trusted proxy, so the leftmost is used."
                );
                return ClientIp { ip: ip.to_string(), source: *source, note };
            }
            Walk::StoppedAt { ip, bad } => {
                let note = format!(
                    "Client address from {name}, sent by trusted proxy {peer}; the entry \"{}\" is not an address, so the last trusted address before it is used.",
                    shorten(&bad)
                );
                return ClientIp { ip: ip.to_string(), source: *source, note };
            }
            Walk::Nothing => unusable.push((name.as_str(), value.as_str())),
        }
    }

    if unusable.is_empty() {
        return from_peer(peer, no_header_note(settings, peer, true));
    }
    let described: Vec<String> =
        unusable.iter().map(|(name, value)| format!("{name} (\"{}\")", shorten(value))).collect();
    from_peer(
        peer,
        format!(
            "{peer} is a trusted proxy, but {} no usable client address; REMOTE_ADDR is used.",
            if described.len() == 1 { format!("{} holds", described[0]) } else { format!("{} hold", join_and(&described)) }
        ),
    )
}

fn from_peer(peer: IpAddr, note: String) -> ClientIp {
    ClientIp { ip: peer.to_string(), source: IpSource::RemoteAddr, note }
}

fn no_header_note(settings: &ClientIpSettings, peer: IpAddr, peer_trusted: bool) -> String {
    let looked_for = match settings.mode {
        IpMode::Header => configured_header(&settings.header).0,
        _ => join_or(&AUTO_HEADERS.iter().map(|(n, _)| (*n).to_string()).collect::<Vec<_>>()),
    };
    if peer_trusted {
        format!("{peer} is a trusted proxy but sent no {looked_for} header; REMOTE_ADDR is used.")
    } else {
        format!("No {looked_for} header was sent; REMOTE_ADDR is used.")
    }
}

/// What walking one header's list from the right found.
#[derive(Debug, PartialEq, Eq)]
enum Walk {
    /// The first untrusted address from the right, after `skipped` trusted ones.
    Client { ip: IpAddr, skipped: usize },
    /// Every entry was a trusted proxy; the leftmost.
    AllTrusted { ip: IpAddr },
    /// An unreadable entry ended the walk after at least one trusted address.
    StoppedAt { ip: IpAddr, bad: String },
    /// Empty, or the rightmost entry is unreadable.
    Nothing,
}

fn walk(entries: &[Entry], trusted: &IpList) -> Walk {
    let mut last_trusted = None;
    let mut skipped = 0;
    for entry in entries.iter().rev() {
        match entry {
            Entry::Addr(ip) if trusted.contains(*ip) => {
                last_trusted = Some(*ip);
                skipped += 1;
            }
            Entry::Addr(ip) => return Walk::Client { ip: *ip, skipped },
            Entry::Bad(text) => {
                return match last_trusted {
                    Some(ip) => Walk::StoppedAt { ip, bad: text.clone() },
                    None => Walk::Nothing,
                };
            }
        }
    }
    match last_trusted {
        Some(ip) => Walk::AllTrusted { ip },
        None => Walk::Nothing,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Addr(IpAddr),
    Bad(String),
}

fn entry(text: &str) -> Entry {
    let text = text.trim().trim_matches('"').trim();
    match net::parse_ip(text) {
        Some(ip) => Entry::Addr(ip),
        None => Entry::Bad(text.to_string()),
    }
}

/// `X-Forwarded-For` style: addresses separated by commas. Empty items (`a,,b`,
/// a trailing comma) carry no claim at all and are dropped rather than ending the walk.
fn list_entries(value: &str) -> Vec<Entry> {
    value.split(',').filter(|part| !part.trim().is_empty()).map(entry).collect()
}

/// RFC 7239: `for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"`. One entry per
/// forwarded element; an element without `for=` says nothing about the client and
/// is read like an unreadable entry, as are `unknown` and obfuscated `_names`.
fn forwarded_for(value: &str) -> Vec<Entry> {
    split_unquoted(value, ',')
        .into_iter()
        .filter(|element| !element.trim().is_empty())
        .map(|element| {
            let node = split_unquoted(&element, ';').into_iter().find_map(|pair| {
                let (key, val) = pair.split_once('=')?;
                key.trim().eq_ignore_ascii_case("for").then(|| unquote(val.trim()))
            });
            match node {
                Some(node) => entry(&node),
                None => Entry::Bad(element.trim().to_string()),
            }
        })
        .collect()
}

/// Splits on `sep` outside double quotes, so a quoted value may hold it.
fn split_unquoted(text: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(std::mem::take(&mut current));
            continue;
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

fn unquote(text: &str) -> String {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut escaped = false;
            for c in inner.chars() {
                if escaped || c != '\\' {
                    out.push(c);
                    escaped = false;
                } else {
                    escaped = true;
                }
            }
            out
        }
        None => text.to_string(),
    }
}

/// `HTTP_X_FORWARDED_FOR`, `x-forwarded-for` → `X-FORWARDED-FOR`.
fn normalise(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase().replace('_', "-");
    match upper.strip_prefix("HTTP-") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// The header `header` mode reads, named as notes should show it: a known header
/// in its usual spelling (whatever PHP or HTTP form the setting used) with its own
/// source, anything else as configured with `custom_header`.
fn configured_header(name: &str) -> (String, IpSource) {
    let wanted = normalise(name);
    match AUTO_HEADERS.iter().find(|(n, _)| normalise(n) == wanted) {
        Some((known, source)) => ((*known).to_string(), *source),
        None => (name.trim().to_string(), IpSource::CustomHeader),
    }
}

/// Every value sent under `name`, joined as one list; `None` when it was not sent
/// or only sent empty.
fn header_value(headers: &[Header], name: &str) -> Option<String> {
    let wanted = normalise(name);
    let values: Vec<&str> = headers
        .iter()
        .filter(|h| normalise(&h.name) == wanted)
        .map(|h| h.value.trim())
        .filter(|v| !v.is_empty())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn ignored_list(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
    if names.len() == 1 {
        format!("{} was", names[0])
    } else {
        format!("{} were", join_and(&names))
    }
}

fn join_with(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

fn join_and(items: &[String]) -> String {
    join_with(items, "and")
}

fn join_or(items: &[String]) -> String {
    join_with(items, "or")
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Header values come from the visitor; a note quotes at most a readable piece.
fn shorten(text: &str) -> String {
    const MAX: usize = 64;
    let clean: String = text.trim().chars().map(|c| if c.is_control() { '?' } else { c }).collect();
    if clean.chars().count() <= MAX {
        clean
    } else {
        let cut: String = clean.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(mode: IpMode, header: &str, trusted: &[&str], remote: &str, headers: &[(&str, &str)]) -> ClientIpRequest {
        ClientIpRequest {
            settings: ClientIpSettings {
                mode,
                header: header.to_string(),
                trusted_proxies: trusted.iter().map(|s| s.to_string()).collect(),
            },
            remote_addr: remote.to_string(),
            headers: headers.iter().map(|(n, v)| Header { name: n.to_string(), value: v.to_string() }).collect(),
        }
    }

    fn auto(trusted: &[&str], remote: &str, headers: &[(&str, &str)]) -> ClientIp {
        resolve(&req(IpMode::Auto, "", trusted, remote, headers))
    }

    #[test]
    fn peer_alone() {
        let got = auto(&[], "203.0.113.9", &[]);
        assert_eq!((got.ip.as_str(), got.source), ("203.0.113.9", IpSource::RemoteAddr));
        assert!(got.note.contains("No Forwarded, X-Forwarded-For, CF-Connecting-IP or X-Real-IP header"), "{}", got.note);
    }

    #[test]
    fn missing_or_bad_peer_gives_no_address() {
        for remote in ["", "  ", "unix:", "999.1.1.1", "localhost"] {
            let got = auto(&["0.0.0.0/0"], remote, &[("X-Forwarded-For", "198.51.100.1")]);
            assert_eq!(got.ip, "", "{remote:?}");
            assert_eq!(got.source, IpSource::RemoteAddr);
            assert!(got.note.starts_with("REMOTE_ADDR"), "{}", got.note);
        }
    }

    #[test]
    fn headers_are_never_believed_without_trusted_proxies() {
        let got = auto(&[], "10.0.0.5", &[("HTTP_X_FORWARDED_FOR", "198.51.100.7")]);
        assert_eq!(got.ip, "10.0.0.5");
        assert_eq!(got.source, IpSource::RemoteAddr);
        assert_eq!(
            got.note,
            "X-Forwarded-For was ignored: 10.0.0.5 is not a trusted proxy (no trusted proxies are configured). REMOTE_ADDR is used."
        );
    }

    #[test]
    fn untrusted_peer_names_every_ignored_header() {
        let got = auto(&["10.0.0.0/8"], "203.0.113.50", &[("X-Real-IP", "1.1.1.1"), ("Forwarded", "for=1.1.1.1")]);
        assert_eq!(got.ip, "203.0.113.50");
        assert_eq!(got.note, "Forwarded and X-Real-IP were ignored: 203.0.113.50 is not a trusted proxy. REMOTE_ADDR is used.");
    }

    #[test]
    fn header_names_in_every_spelling() {
        for name in ["X-Forwarded-For", "x-forwarded-for", "HTTP_X_FORWARDED_FOR", "http_x_forwarded_for", "X_FORWARDED_FOR"] {
            let got = auto(&["10.0.0.1"], "10.0.0.1", &[(name, "198.51.100.7")]);
            assert_eq!((got.ip.as_str(), got.source), ("198.51.100.7", IpSource::XForwardedFor), "{name}");
        }
    }

    #[test]
    fn auto_prefers_forwarded_then_xff_then_cf_then_real_ip() {
        let all = [
            ("Forwarded", "for=198.51.100.1"),
            ("X-Forwarded-For", "198.51.100.2"),
            ("CF-Connecting-IP", "198.51.100.3"),
            ("X-Real-IP", "198.51.100.4"),
        ];
        for skip in 0..4 {
            // The order the host lists headers in must not matter.
            let headers: Vec<(&str, &str)> = all[skip..].iter().rev().copied().collect();
            let got = auto(&["10.0.0.1"], "10.0.0.1", &headers);
            assert_eq!(got.ip, format!("198.51.100.{}", skip + 1));
        }
    }

    #[test]
    fn auto_skips_headers_without_a_usable_address() {
        let got = auto(&["10.0.0.1"], "10.0.0.1", &[("Forwarded", "for=unknown"), ("X-Forwarded-For", "198.51.100.2")]);
        assert_eq!((got.ip.as_str(), got.source), ("198.51.100.2", IpSource::XForwardedFor));
        let got = auto(&["10.0.0.1"], "10.0.0.1", &[("Forwarded", "for=_hidden"), ("X-Real-IP", "garbage")]);
        assert_eq!((got.ip.as_str(), got.source), ("10.0.0.1", IpSource::RemoteAddr));
        assert!(got.note.contains("Forwarded (\"for=_hidden\") and X-Real-IP (\"garbage\") hold no usable"), "{}", got.note);
    }

    #[test]
    fn chain_walks_from_the_right_past_trusted_proxies() {
        let trusted = ["10.0.0.0/8", "172.16.0.0/12"];
        let got = auto(&trusted, "10.0.0.1", &[("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 172.16.0.9, 10.1.1.1")]);
        assert_eq!(got.ip, "198.51.100.7");
        assert!(got.note.contains("2 trusted proxies in the chain skipped"), "{}", got.note);
        let got = auto(&trusted, "10.0.0.1", &[("X-Forwarded-For", "10.9.9.9, 172.16.0.9")]);
        assert_eq!(got.ip, "10.9.9.9");
        assert!(got.note.contains("leftmost"), "{}", got.note);
    }

    #[test]
    fn unreadable_entry_stops_the_walk() {
        let trusted = ["10.0.0.0/8"];
        let got = auto(&trusted, "10.0.0.1", &[("X-Forwarded-For", "198.51.100.7, garbage, 10.2.2.2")]);
        assert_eq!(got.ip, "10.2.2.2");
        assert!(got.note.contains("\"garbage\" is not an address"), "{}", got.note);
        let got = auto(&trusted, "10.0.0.1", &[("X-Forwarded-For", "198.51.100.7, garbage")]);
        assert_eq!((got.ip.as_str(), got.source), ("10.0.0.1", IpSource::RemoteAddr));
    }

    #[test]
    fn forwarded_syntax() {
        let t = ["10.0.0.0/8"];
        let cases = [
            ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
            ("For=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
            ("for=\"192.0.2.43:47011\"", "192.0.2.43"),
            ("for=198.51.100.17, for=10.0.0.3", "198.51.100.17"),
            ("proto=https;for=\"[::ffff:198.51.100.9]\"", "198.51.100.9"),
            ("for=198.51.100.1;by=\"a,b\", for=10.0.0.3", "198.51.100.1"),
        ];
        for (value, want) in cases {
            let got = auto(&t, "10.0.0.1", &[("Forwarded", value)]);
            assert_eq!((got.ip.as_str(), got.source), (want, IpSource::Forwarded), "{value}");
        }
        // An obfuscated hop right of a trusted one stops the walk at the trusted one.
        let got = auto(&t, "10.0.0.1", &[("Forwarded", "for=198.51.100.1, for=_gw, for=10.0.0.3")]);
        assert_eq!(got.ip, "10.0.0.3");
    }

    #[test]
    fn addresses_are_canonical() {
        let got = auto(&["::ffff:10.0.0.0/104"], "::ffff:10.0.0.1", &[("X-Forwarded-For", "::ffff:198.51.100.7:1234")]);
        // `::ffff:198.51.100.7:1234` is not an address with a port (too ambiguous), so the walk stops.
        assert_eq!(got.ip, "10.0.0.1");
        let got = auto(&["10.0.0.0/8"], "[::ffff:10.0.0.1]:80", &[("X-Forwarded-For", "[::FFFF:198.51.100.7]:1234")]);
        assert_eq!(got.ip, "198.51.100.7");
        let got = auto(&["2001:db8::/32"], "2001:DB8::1", &[("X-Forwarded-For", "2A00:1450:0:0::1")]);
        assert_eq!(got.ip, "2a00:1450::1");
        let got = auto(&[], "::ffff:203.0.113.9", &[]);
        assert_eq!(got.ip, "203.0.113.9");
    }

    #[test]
    fn header_mode_reads_only_its_header() {
        let headers = [("X-Forwarded-For", "198.51.100.2"), ("CF-Connecting-IP", "198.51.100.3")];
        let got = resolve(&req(IpMode::Header, "CF-Connecting-IP", &["10.0.0.1"], "10.0.0.1", &headers));
        assert_eq!((got.ip.as_str(), got.source), ("198.51.100.3", IpSource::CfConnectingIp));
        let got = resolve(&req(IpMode::Header, "HTTP_TRUE_CLIENT_IP", &["10.0.0.1"], "10.0.0.1", &[("True-Client-IP", "198.51.100.9")]));
        assert_eq!((got.ip.as_str(), got.source), ("198.51.100.9", IpSource::CustomHeader));
        let got = resolve(&req(IpMode::Header, "X-Real-IP", &["10.0.0.1"], "10.0.0.1", &headers));
        assert_eq!((got.ip.as_str(), got.source), ("10.0.0.1", IpSource::RemoteAddr));
        assert_eq!(got.note, "10.0.0.1 is a trusted proxy but sent no X-Real-IP header; REMOTE_ADDR is used.");
        let got = resolve(&req(IpMode::Header, "", &["10.0.0.1"], "10.0.0.1", &headers));
        assert_eq!(got.ip, "10.0.0.1");
        let got = resolve(&req(IpMode::Header, "forwarded", &["10.0.0.1"], "10.0.0.1", &[("Forwarded", "for=\"[2001:db8::5]\"")]));
        assert_eq!((got.ip.as_str(), got.source), ("2001:db8::5", IpSource::Forwarded));
        let got = resolve(&req(IpMode::Header, "HTTP_X_REAL_IP", &["10.0.0.1"], "10.0.0.1", &[]));
        assert_eq!(got.note, "10.0.0.1 is a trusted proxy but sent no X-Real-IP header; REMOTE_ADDR is used.");
    }

    #[test]
    fn remote_addr_mode_ignores_headers() {
        let got = resolve(&req(IpMode::RemoteAddr, "", &["10.0.0.1"], "10.0.0.1", &[("X-Forwarded-For", "198.51.100.2")]));
        assert_eq!((got.ip.as_str(), got.source), ("10.0.0.1", IpSource::RemoteAddr));
        assert!(got.note.contains("ignored by setting"));
    }

    #[test]
    fn repeated_headers_form_one_list() {
        let got = auto(&["10.0.0.0/8"], "10.0.0.1", &[("X-Forwarded-For", "198.51.100.2"), ("x-forwarded-for", "10.0.0.7")]);
        assert_eq!(got.ip, "198.51.100.2");
    }

    #[test]
    fn notes_quote_visitor_text_briefly() {
        let long = "x".repeat(500);
        let got = auto(&["10.0.0.1"], "10.0.0.1", &[("X-Forwarded-For", long.as_str())]);
        assert!(got.note.len() < 200, "{}", got.note);
        let got = auto(&[], "bad\naddr", &[]);
        assert!(!got.note.contains('\n'));
    }
}
