//! Verdicts for existing sessions: on each authenticated request, and in sweeps.
//!
//! Boundaries are exact and the same everywhere: a session ends **at** its
//! deadline, not after it. With `expiration = E` it is alive while `now < E` and
//! ended when `now == E`; with idle timeout `T` and last activity `L` (the login
//! time when no activity was recorded) it is alive while `now < L + T` and idle
//! when `now == L + T`. A `continue` verdict is valid while `now < valid.until`;
//! at `until` the host must ask again.

use crate::net;
use crate::settings::{effective, known_country, Effective};
use crate::types::*;

/// The session's last sign of life: its recorded activity, or its login when
/// activity was never recorded (or the record is older than the login).
pub fn last_seen(session: &Session) -> u64 {
    session.last_activity.max(session.login)
}

/// Ended by its expiration time (at the deadline, not after it).
pub fn is_expired(session: &Session, now: u64) -> bool {
    session.expiration <= now
}

/// Ended by inactivity; `timeout` 0 means never.
pub fn is_idle(session: &Session, timeout: u64, now: u64) -> bool {
    timeout > 0 && now >= last_seen(session).saturating_add(timeout)
}

/// Two addresses are the same client when they read as the same canonical IP;
/// text that cannot be read as an address is compared as written.
fn same_address(a: &str, b: &str) -> bool {
    match (net::parse_ip(a), net::parse_ip(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.trim() == b.trim(),
        _ => false,
    }
}

pub fn check_request(req: &RequestCheck) -> RequestVerdict {
    let session = &req.session;
    let now = req.now;
    let end = |reason| RequestVerdict::End(EndSession { reason });

    if is_expired(session, now) {
        return end(Reason::Expired);
    }
    // A site-wide logout applies to everyone, exempt users included.
    if req.epoch > 0 && session.login < req.epoch {
        return end(Reason::Epoch);
    }
    let rule = match effective(&req.settings, &req.user) {
        Effective::Bypass => None,
        Effective::Rule(resolved) => Some(resolved.rule),
    };
    let idle_timeout = rule.as_ref().map_or(0, |r| r.idle_timeout);
    if is_idle(session, idle_timeout, now) {
        return end(Reason::Idle);
    }
    if rule.as_ref().is_some_and(|r| r.ip_binding)
        && !session.ip.trim().is_empty()
        && !same_address(&session.ip, &req.ip)
    {
        return end(Reason::IpChanged);
    }

    // Flags only inform the site owner, so exempt users are flagged too.
    let mut new_flags = Vec::new();
    let flags = &req.settings.flags;
    if flags.ip_shift && !session.flags.contains(&Flag::IpShift) {
        if let (Some(was), Some(is)) = (net::parse_ip(&session.ip), net::parse_ip(&req.ip)) {
            if was != is {
                new_flags.push(Flag::IpShift);
            }
        }
    }
    if flags.country_anomaly && !session.flags.contains(&Flag::CountryAnomaly) {
        if let Some(here) = known_country(&req.country) {
            let elsewhere = req.others.iter().any(|o| {
                o.verifier != session.verifier
                    && !is_expired(o, now)
                    && known_country(&o.country).is_some_and(|c| c != here)
            });
            if elsewhere {
                new_flags.push(Flag::CountryAnomaly);
            }
        }
    }

    let interval = req.settings.activity_interval;
    let record_activity = req.is_activity
        && (session.last_activity == 0 || interval == 0 || now >= session.last_activity.saturating_add(interval));

    let mut until = session.expiration;
    if idle_timeout > 0 {
        let last = if record_activity { now } else { last_seen(session) };
        until = until.min(last.saturating_add(idle_timeout));
    }
    if req.is_activity {
        if interval == 0 {
            // Every activity is recorded, so no verdict can be reused.
            until = until.min(now);
        } else {
            let recorded = if record_activity { now } else { session.last_activity };
            until = until.min(recorded.saturating_add(interval));
        }
    }

    RequestVerdict::Continue(ContinueSession {
        record_activity,
        new_flags,
        valid: Validity { until, ip: req.ip.clone(), epoch: req.epoch, settings_version: req.settings.version },
    })
}

/// Which of the user's sessions have ended, in the order given; live ones are left out.
pub fn sweep(req: &SweepRequest) -> Vec<Swept> {
    let idle_timeout = match effective(&req.settings, &req.user) {
        Effective::Bypass => 0,
        Effective::Rule(resolved) => resolved.rule.idle_timeout,
    };
    req.sessions
        .iter()
        .filter_map(|s| {
            let reason = if is_expired(s, req.now) {
                Reason::Expired
            } else if req.epoch > 0 && s.login < req.epoch {
                Reason::Epoch
            } else if is_idle(s, idle_timeout, req.now) {
                Reason::Idle
            } else {
                return None;
            };
            Some(Swept { verifier: s.verifier.clone(), reason })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(now: u64, session: Session, idle: u64) -> RequestVerdict {
        let mut settings = Settings::default();
        settings.defaults.idle_timeout = idle;
        check_request(&RequestCheck {
            settings,
            user: User { id: 1, roles: vec![] },
            now,
            ip: "1.1.1.1".into(),
            country: String::new(),
            epoch: 0,
            is_activity: true,
            session,
            others: vec![],
        })
    }

    #[test]
    fn deadlines_are_exact() {
        let s =
            Session { verifier: "a".into(), login: 100, expiration: 1000, last_activity: 200, ..Default::default() };
        assert!(matches!(check(999, s.clone(), 0), RequestVerdict::Continue(_)));
        assert_eq!(check(1000, s.clone(), 0), RequestVerdict::End(EndSession { reason: Reason::Expired }));
        assert!(matches!(check(259, s.clone(), 60), RequestVerdict::Continue(_)));
        assert_eq!(check(260, s, 60), RequestVerdict::End(EndSession { reason: Reason::Idle }));
    }
}
