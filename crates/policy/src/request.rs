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

/// When a live session will end for idleness, and when the browser should warn.
///
/// `ends` is the exact deadline `check_request` and `sweep` apply (last sign of
/// life + the user's idle timeout); it is 0 when idleness will not end the
/// session: the user has no idle timeout or is exempt, the session expires at or
/// before that time anyway, or it has already ended by expiration or a site-wide
/// logout (the next request ends it; there is nothing to warn about). An `ends`
/// at or before `now` means the session is idle already.
///
/// `warn` is `ends - idle_warning`, but never before the last sign of life and
/// never before activity can be recorded again (`last_activity +
/// activity_interval`): a "stay signed in" click at `warn` must be recorded,
/// or it would not move the deadline. It is 0 when the warning is off
/// (`idle_warning` 0), when `ends` is 0, or when no moment before `ends` fits.
pub fn idle_deadline(req: &IdleDeadlineRequest) -> IdleDeadlineAnswer {
    let never = IdleDeadlineAnswer { ends: 0, warn: 0 };
    let session = &req.session;
    if is_expired(session, req.now) || (req.epoch > 0 && session.login < req.epoch) {
        return never;
    }
    let timeout = match effective(&req.settings, &req.user) {
        Effective::Bypass => 0,
        Effective::Rule(resolved) => resolved.rule.idle_timeout,
    };
    if timeout == 0 {
        return never;
    }
    let seen = last_seen(session);
    let ends = seen.saturating_add(timeout);
    // `check_request` tests expiration first, so at a shared deadline the session
    // ends as expired, which no activity can prevent.
    if ends >= session.expiration {
        return never;
    }
    let lead = req.settings.idle_warning;
    if lead == 0 {
        return IdleDeadlineAnswer { ends, warn: 0 };
    }
    let interval = req.settings.activity_interval;
    let recordable =
        if session.last_activity == 0 || interval == 0 { 0 } else { session.last_activity.saturating_add(interval) };
    let warn = ends.saturating_sub(lead).max(seen).max(recordable);
    IdleDeadlineAnswer { ends, warn: if warn < ends { warn } else { 0 } }
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

    fn deadline(session: Session, idle: u64, warning: u64, now: u64, epoch: u64) -> (u64, u64) {
        let mut settings = Settings::default();
        settings.defaults.idle_timeout = idle;
        settings.idle_warning = warning;
        let a = idle_deadline(&IdleDeadlineRequest {
            settings,
            user: User { id: 1, roles: vec!["editor".into()] },
            now,
            epoch,
            session,
        });
        (a.ends, a.warn)
    }

    #[test]
    fn idle_deadline_matches_check_request() {
        let s =
            Session { verifier: "a".into(), login: 100, expiration: 10_000, last_activity: 0, ..Default::default() };
        // Never recorded: the login counts; no interval wait before the first activity.
        assert_eq!(deadline(s.clone(), 600, 120, 150, 0), (700, 580));
        let recorded = Session { last_activity: 1000, ..s.clone() };
        let (ends, warn) = deadline(recorded.clone(), 600, 120, 1100, 0);
        assert_eq!((ends, warn), (1600, 1480));
        // The same deadline check_request applies: alive just before, idle at it.
        assert!(matches!(check(ends - 1, recorded.clone(), 600), RequestVerdict::Continue(_)));
        assert_eq!(check(ends, recorded.clone(), 600), RequestVerdict::End(EndSession { reason: Reason::Idle }));
        // A click at `warn` is recorded (activity_interval 60 has passed), so it moves the deadline.
        assert!(matches!(
            check(warn, recorded.clone(), 600),
            RequestVerdict::Continue(ContinueSession { record_activity: true, .. })
        ));
        // Warning off, no idle timeout.
        assert_eq!(deadline(recorded.clone(), 600, 0, 1100, 0), (1600, 0));
        assert_eq!(deadline(recorded.clone(), 0, 120, 1100, 0), (0, 0));
        // A warning longer than the timeout starts once activity can be recorded again.
        assert_eq!(deadline(recorded.clone(), 600, 3600, 1100, 0), (1600, 1060));
        // Already idle: the deadline is in the past.
        assert_eq!(deadline(recorded.clone(), 600, 120, 1700, 0), (1600, 1480));
        // Expiration first (or at the same time), expired, or ended by a site-wide logout: no idle end.
        assert_eq!(deadline(Session { expiration: 1600, ..recorded.clone() }, 600, 120, 1100, 0), (0, 0));
        assert_eq!(deadline(recorded.clone(), 600, 120, 10_000, 0), (0, 0));
        assert_eq!(deadline(recorded.clone(), 600, 120, 1100, 101), (0, 0));
        assert_eq!(deadline(recorded, 600, 120, 1100, 100), (1600, 1480));
    }

    #[test]
    fn idle_deadline_exempt_and_unfitting_warning() {
        let s =
            Session { verifier: "a".into(), login: 100, expiration: 10_000, last_activity: 1000, ..Default::default() };
        let mut settings = Settings::default();
        settings.defaults.idle_timeout = 60;
        settings.idle_warning = 30;
        settings.activity_interval = 3600;
        let user = User { id: 7, roles: vec![] };
        let req = IdleDeadlineRequest { settings, user, now: 1010, epoch: 0, session: s };
        // Activity cannot be recorded before the session goes idle: no warning can help.
        assert_eq!(idle_deadline(&req), IdleDeadlineAnswer { ends: 1060, warn: 0 });
        let mut exempt = req.clone();
        exempt.settings.bypass.user_ids = vec![7];
        assert_eq!(idle_deadline(&exempt), IdleDeadlineAnswer { ends: 0, warn: 0 });
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
