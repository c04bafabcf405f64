//! Login verdicts: the IP rules before the password is checked, and the limits after.
//!
//! Sessions the host sends that have already expired (or gone idle) never count
//! against a limit; they are handed back in `expired` so the host can clean them up.
//! When the host sends the same verifier twice, only the first copy is considered.

use crate::net;
use crate::request::{is_expired, is_idle};
use crate::settings::{effective, known_country, Effective, Resolved};
use crate::types::*;
use crate::ua;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The message shown when the IP rules refuse a login. Deliberately the same for
/// every IP reason and every account: before the password is checked it must not
/// tell a stranger whether the account exists or what its rules are.
pub const IP_BLOCKED_KEY: &str = "ip_blocked";

/// Before the password is checked: only the IP rules.
pub fn check_pre_login(req: &PreLoginRequest) -> LoginVerdict {
    match effective(&req.settings, &req.user) {
        Effective::Bypass => LoginVerdict::Allow(AllowLogin::default()),
        Effective::Rule(resolved) => match resolved.check_ip(&req.ip) {
            Some(reason) => LoginVerdict::Block(BlockLogin { reason, message_key: IP_BLOCKED_KEY.to_string() }),
            None => LoginVerdict::Allow(AllowLogin::default()),
        },
    }
}

/// After the password is verified (or for a password-less session such as SSO or
/// two-factor): the IP rules again, then the limits, then the mode.
pub fn check_login(req: &LoginRequest) -> LoginVerdict {
    let eff = effective(&req.settings, &req.user);
    let idle_timeout = match &eff {
        Effective::Bypass => 0,
        Effective::Rule(r) => r.rule.idle_timeout,
    };

    let mut seen = BTreeSet::new();
    let mut live: Vec<&Session> = Vec::new();
    let mut dead: Vec<&Session> = Vec::new();
    for s in &req.sessions {
        if !seen.insert(s.verifier.as_str()) {
            continue;
        }
        if is_expired(s, req.now) || is_idle(s, idle_timeout, req.now) {
            dead.push(s);
        } else {
            live.push(s);
        }
    }
    sort_oldest_first(&mut dead);
    sort_oldest_first(&mut live);
    let expired: Vec<String> = dead.iter().map(|s| s.verifier.clone()).collect();

    let resolved = match eff {
        Effective::Bypass => return allow(Vec::new(), None, expired),
        Effective::Rule(r) => r,
    };
    if let Some(reason) = resolved.check_ip(&req.attempt.ip) {
        return LoginVerdict::Block(BlockLogin { reason, message_key: IP_BLOCKED_KEY.to_string() });
    }
    decide(&resolved, &req.attempt, &live, expired)
}

fn allow(destroy: Vec<String>, reason: Option<Reason>, expired: Vec<String>) -> LoginVerdict {
    LoginVerdict::Allow(AllowLogin { destroy, reason, expired })
}

/// Oldest login first; the verifier breaks ties so the order never depends on
/// how the host happened to store the sessions.
fn sort_oldest_first(sessions: &mut [&Session]) {
    sessions.sort_by(|a, b| (a.login, &a.verifier).cmp(&(b.login, &b.verifier)));
}

/// A limit that the new login would go over, with the sessions it counts.
struct Hit<'a> {
    max: u32,
    bucket: Vec<&'a Session>,
}

fn limit_reason(kind: LimitKind) -> Reason {
    match kind {
        LimitKind::User => Reason::LimitUser,
        LimitKind::Ip => Reason::LimitIp,
        LimitKind::Country => Reason::LimitCountry,
        LimitKind::DeviceClass => Reason::LimitDeviceClass,
        LimitKind::DeviceType => Reason::LimitDeviceType,
        LimitKind::ClientType => Reason::LimitClientType,
        LimitKind::Browser => Reason::LimitBrowser,
        LimitKind::Os => Reason::LimitOs,
    }
}

/// The sessions a limit of `kind` counts together with the attempt, or `None`
/// when the limit cannot apply to this attempt.
///
/// An attempt whose IP cannot be read, or whose country is unknown, has nothing
/// to be counted with, so those limits do not apply to it rather than lumping
/// every unreadable value together.
fn bucket<'a>(kind: LimitKind, attempt: &Attempt, live: &[&'a Session], uas: &mut UaCache) -> Option<Vec<&'a Session>> {
    let select = |keep: &dyn Fn(&Session) -> bool| live.iter().copied().filter(|s| keep(s)).collect::<Vec<_>>();
    Some(match kind {
        LimitKind::User => live.to_vec(),
        LimitKind::Ip => {
            let ip = net::parse_ip(&attempt.ip)?;
            select(&|s| net::parse_ip(&s.ip) == Some(ip))
        }
        LimitKind::Country => {
            let country = known_country(&attempt.country)?;
            select(&|s| known_country(&s.country).as_deref() == Some(country.as_str()))
        }
        LimitKind::DeviceClass | LimitKind::DeviceType | LimitKind::ClientType | LimitKind::Browser | LimitKind::Os => {
            let mine = uas.describe(&attempt.ua);
            let same = |theirs: &UaDescription| match kind {
                LimitKind::DeviceClass => theirs.device_class == mine.device_class,
                LimitKind::DeviceType => theirs.device_type == mine.device_type,
                LimitKind::ClientType => theirs.client_type == mine.client_type,
                LimitKind::Browser => theirs.browser == mine.browser,
                _ => theirs.os == mine.os,
            };
            live.iter().copied().filter(|s| same(&uas.describe(&s.ua))).collect()
        }
    })
}

/// User agents described so far in one verdict: parsing a UA is the costliest
/// step of a login verdict, and a user's sessions mostly share a few browsers,
/// so each distinct string is described once however many limits look at it.
#[derive(Default)]
struct UaCache {
    seen: Vec<(String, UaDescription)>,
}

impl UaCache {
    fn describe(&mut self, ua: &str) -> UaDescription {
        if let Some((_, d)) = self.seen.iter().find(|(seen, _)| seen == ua) {
            return d.clone();
        }
        let d = ua::describe(ua);
        self.seen.push((ua.to_string(), d.clone()));
        d
    }
}

fn distinct_ips<'a>(sessions: impl Iterator<Item = &'a Session>) -> BTreeSet<IpAddr> {
    sessions.filter_map(|s| net::parse_ip(&s.ip)).collect()
}

fn decide(resolved: &Resolved, attempt: &Attempt, live: &[&Session], expired: Vec<String>) -> LoginVerdict {
    let rule = &resolved.rule;
    let mut limits = rule.limits.clone();
    limits.sort_by_key(|l| l.kind);

    let mut uas = UaCache::default();
    let mut hits: Vec<Hit> = Vec::new();
    let mut first: Option<Reason> = None;
    for limit in &limits {
        let Some(bucket) = bucket(limit.kind, attempt, live, &mut uas) else { continue };
        if bucket.len() + 1 > limit.max as usize {
            first.get_or_insert(limit_reason(limit.kind));
            hits.push(Hit { max: limit.max, bucket });
        }
    }
    let attempt_ip = net::parse_ip(&attempt.ip);
    if rule.max_ips > 0 {
        if let Some(ip) = attempt_ip {
            let ips = distinct_ips(live.iter().copied());
            if !ips.contains(&ip) && ips.len() + 1 > rule.max_ips as usize {
                first.get_or_insert(Reason::MaxIps);
            }
        }
    }
    let Some(reason) = first else { return allow(Vec::new(), None, expired) };

    match rule.mode {
        Mode::Block => LoginVerdict::Block(BlockLogin { reason, message_key: rule.message_key.clone() }),
        // Validation makes a redirecting rule carry a URL; should a user patch on
        // top of merged roles still leave it empty, refusing with the message is
        // the only safe reading.
        Mode::Redirect if rule.redirect_url.is_empty() => {
            LoginVerdict::Block(BlockLogin { reason, message_key: rule.message_key.clone() })
        }
        Mode::Redirect => LoginVerdict::Redirect(RedirectLogin { reason, url: rule.redirect_url.clone() }),
        Mode::LogoutAll => allow(live.iter().map(|s| s.verifier.clone()).collect(), Some(reason), expired),
        Mode::LogoutOldest => {
            let destroy = evict_oldest(&hits, rule.max_ips, attempt_ip, live);
            allow(destroy, Some(reason), expired)
        }
    }
}

/// Ends the fewest, oldest sessions that make room for the new login. `live` and
/// every bucket are already oldest first.
fn evict_oldest(hits: &[Hit], max_ips: u32, attempt_ip: Option<IpAddr>, live: &[&Session]) -> Vec<String> {
    let mut evicted: Vec<&str> = Vec::new();
    for hit in hits {
        let mut remaining: Vec<&Session> =
            hit.bucket.iter().copied().filter(|s| !evicted.contains(&s.verifier.as_str())).collect();
        while remaining.len() + 1 > hit.max as usize && !remaining.is_empty() {
            let oldest = remaining.remove(0);
            evicted.push(oldest.verifier.as_str());
        }
    }
    if let (true, Some(ip)) = (max_ips > 0, attempt_ip) {
        loop {
            let kept = live.iter().copied().filter(|s| !evicted.contains(&s.verifier.as_str()));
            let mut ips = distinct_ips(kept.clone());
            ips.insert(ip);
            if ips.len() <= max_ips as usize {
                break;
            }
            // Only a session from another readable address can lower the count.
            let victim = kept.clone().find(|s| net::parse_ip(&s.ip).is_some_and(|other| other != ip));
            match victim {
                Some(s) => evicted.push(s.verifier.as_str()),
                None => break,
            }
        }
    }
    evicted.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(v: &str, login: u64, ip: &str) -> Session {
        Session { verifier: v.into(), login, expiration: 10_000, ip: ip.into(), ..Default::default() }
    }

    fn req(rule: Rule, sessions: Vec<Session>, ip: &str) -> LoginRequest {
        LoginRequest {
            settings: Settings { defaults: rule, ..Default::default() },
            user: User { id: 1, roles: vec![] },
            now: 1000,
            attempt: Attempt { ip: ip.into(), ..Default::default() },
            sessions,
        }
    }

    #[test]
    fn logout_oldest_makes_room() {
        let rule = Rule { limits: vec![Limit { kind: LimitKind::User, max: 2 }], ..Default::default() };
        let v = check_login(&req(
            rule,
            vec![session("c", 30, "1.1.1.1"), session("a", 10, "1.1.1.1"), session("b", 20, "1.1.1.1")],
            "1.1.1.1",
        ));
        assert_eq!(
            v,
            LoginVerdict::Allow(AllowLogin {
                destroy: vec!["a".into(), "b".into()],
                reason: Some(Reason::LimitUser),
                expired: vec![]
            })
        );
    }

    #[test]
    fn max_ips_evicts_other_addresses() {
        let rule = Rule { max_ips: 2, ..Default::default() };
        let v = check_login(&req(
            rule,
            vec![session("a", 10, "1.1.1.1"), session("b", 20, "2.2.2.2"), session("c", 30, "3.3.3.3")],
            "3.3.3.3",
        ));
        // 3.3.3.3 is already held, so this login adds no address: no hit.
        assert_eq!(v, LoginVerdict::Allow(AllowLogin::default()));
        let rule = Rule { max_ips: 2, ..Default::default() };
        let v = check_login(&req(rule, vec![session("a", 10, "1.1.1.1"), session("b", 20, "2.2.2.2")], "4.4.4.4"));
        assert_eq!(
            v,
            LoginVerdict::Allow(AllowLogin {
                destroy: vec!["a".into()],
                reason: Some(Reason::MaxIps),
                expired: vec![]
            })
        );
    }
}
