//! Properties of the login and request verdicts that must hold for any input,
//! checked on random sessions and rules.

use proptest::prelude::*;
use session_warden_policy::flow::plan;
use session_warden_policy::login::{check_login, check_pre_login};
use session_warden_policy::request::{check_request, sweep};
use session_warden_policy::settings::{known_country, validate_value};
use session_warden_policy::types::*;
use session_warden_policy::{net, ua};
use std::collections::BTreeSet;

const IPS: &[&str] =
    &["203.0.113.1", "203.0.113.2", "::ffff:203.0.113.1", "2001:db8::5", "198.51.100.9", "", "garbage"];
const COUNTRIES: &[&str] = &["FR", "fr", "DE", "US", "", "XX", "T1"];
const UAS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0",
    "curl/8.5.0",
    "",
];
const KINDS: &[LimitKind] = &[
    LimitKind::User,
    LimitKind::Ip,
    LimitKind::Country,
    LimitKind::DeviceClass,
    LimitKind::DeviceType,
    LimitKind::ClientType,
    LimitKind::Browser,
    LimitKind::Os,
];
const MODES: &[Mode] = &[Mode::LogoutOldest, Mode::LogoutAll, Mode::Block, Mode::Redirect];
const NOW: u64 = 1_000;

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &'static [T]) -> impl Strategy<Value = T> {
    (0..items.len()).prop_map(move |i| items[i].clone())
}

fn session_strategy() -> impl Strategy<Value = Session> {
    (0u64..NOW, 0u64..600, prop::option::of(0u64..400), pick(IPS), pick(COUNTRIES), pick(UAS)).prop_map(
        |(login, lifetime, activity, ip, country, ua)| Session {
            verifier: String::new(),
            login,
            // Some sessions expire before `NOW`, some exactly at it, most after.
            expiration: login + 400 + lifetime,
            last_activity: activity.map_or(0, |a| login + a),
            ip: ip.to_string(),
            country: country.to_string(),
            ua: ua.to_string(),
            flags: Vec::new(),
        },
    )
}

fn sessions_strategy() -> impl Strategy<Value = Vec<Session>> {
    prop::collection::vec(session_strategy(), 0..12).prop_map(|mut v| {
        for (i, s) in v.iter_mut().enumerate() {
            s.verifier = format!("v{i:02}");
        }
        v
    })
}

fn rule_strategy() -> impl Strategy<Value = Rule> {
    (
        prop::collection::btree_map(0..KINDS.len(), 1u32..5, 0..4),
        0u32..4,
        pick(MODES),
        prop_oneof![Just(0u64), 60u64..300],
    )
        .prop_map(|(limits, max_ips, mode, idle_timeout)| Rule {
            limits: limits.into_iter().map(|(k, max)| Limit { kind: KINDS[k], max }).collect(),
            max_ips,
            mode,
            redirect_url: "/limit".into(),
            idle_timeout,
            ..Default::default()
        })
}

fn attempt_strategy() -> impl Strategy<Value = Attempt> {
    (pick(IPS), pick(COUNTRIES), pick(UAS)).prop_map(|(ip, country, ua)| Attempt {
        ip: ip.into(),
        country: country.into(),
        ua: ua.into(),
    })
}

fn request(rule: &Rule, sessions: Vec<Session>, attempt: Attempt) -> LoginRequest {
    LoginRequest {
        settings: Settings { defaults: rule.clone(), ..Default::default() },
        user: User { id: 7, roles: vec!["subscriber".into()] },
        now: NOW,
        attempt,
        sessions,
    }
}

fn is_live(s: &Session, rule: &Rule) -> bool {
    s.expiration > NOW && (rule.idle_timeout == 0 || NOW < s.last_activity.max(s.login) + rule.idle_timeout)
}

/// Whether `s` shares the attempt's value for `kind`; `None` when the limit
/// does not apply to the attempt (unreadable IP, unknown country).
fn same_key(kind: LimitKind, attempt: &Attempt, s: &Session) -> Option<bool> {
    Some(match kind {
        LimitKind::User => true,
        LimitKind::Ip => {
            let ip = net::parse_ip(&attempt.ip)?;
            net::parse_ip(&s.ip) == Some(ip)
        }
        LimitKind::Country => {
            let c = known_country(&attempt.country)?;
            known_country(&s.country) == Some(c)
        }
        _ => {
            let (a, b) = (ua::describe(&attempt.ua), ua::describe(&s.ua));
            match kind {
                LimitKind::DeviceClass => a.device_class == b.device_class,
                LimitKind::DeviceType => a.device_type == b.device_type,
                LimitKind::ClientType => a.client_type == b.client_type,
                LimitKind::Browser => a.browser == b.browser,
                _ => a.os == b.os,
            }
        }
    })
}

fn older(a: &Session, b: &Session) -> bool {
    (a.login, &a.verifier) < (b.login, &b.verifier)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn allowed_logins_respect_every_limit(rule in rule_strategy(), sessions in sessions_strategy(), attempt in attempt_strategy()) {
        let verdict = check_login(&request(&rule, sessions.clone(), attempt.clone()));
        let LoginVerdict::Allow(allow) = verdict else { return Ok(()) };
        let kept: Vec<&Session> =
            sessions.iter().filter(|s| is_live(s, &rule) && !allow.destroy.contains(&s.verifier)).collect();
        for limit in &rule.limits {
            let mut bucket = 0usize;
            let mut applies = true;
            for s in &kept {
                match same_key(limit.kind, &attempt, s) {
                    None => applies = false,
                    Some(true) => bucket += 1,
                    Some(false) => {}
                }
            }
            if applies {
                prop_assert!(bucket < limit.max as usize, "{:?}: {} kept + 1 > {}", limit.kind, bucket, limit.max);
            }
        }
        if let (true, Some(ip)) = (rule.max_ips > 0, net::parse_ip(&attempt.ip)) {
            let ips: BTreeSet<_> = kept.iter().filter_map(|s| net::parse_ip(&s.ip)).collect();
            if !ips.contains(&ip) {
                prop_assert!(ips.len() < rule.max_ips as usize, "{} other addresses kept, max_ips {}", ips.len(), rule.max_ips);
            }
        }
    }

    #[test]
    fn destroy_lists_only_live_sessions_once(rule in rule_strategy(), mut sessions in sessions_strategy(), attempt in attempt_strategy(), dup in any::<bool>()) {
        if dup {
            if let Some(first) = sessions.first().cloned() {
                sessions.push(first);
            }
        }
        if let LoginVerdict::Allow(allow) = check_login(&request(&rule, sessions.clone(), attempt)) {
            let unique: BTreeSet<&String> = allow.destroy.iter().collect();
            prop_assert_eq!(unique.len(), allow.destroy.len(), "destroy repeats a verifier: {:?}", allow.destroy);
            for v in &allow.destroy {
                prop_assert!(!allow.expired.contains(v), "{} is both expired and destroyed", v);
                let s = sessions.iter().find(|s| &s.verifier == v);
                prop_assert!(s.is_some_and(|s| is_live(s, &rule)), "{} is not a live session", v);
            }
            if allow.destroy.is_empty() {
                prop_assert!(allow.reason.is_none() || rule.mode == Mode::LogoutAll);
            }
        }
    }

    /// Each ended session is the oldest of a group that had to shrink: some hit
    /// limit's bucket in which every kept session is younger, or (for `max_ips`)
    /// the sessions from other addresses, of which every kept one is younger.
    #[test]
    fn logout_oldest_ends_oldest_first(mut rule in rule_strategy(), sessions in sessions_strategy(), attempt in attempt_strategy()) {
        rule.mode = Mode::LogoutOldest;
        let LoginVerdict::Allow(allow) = check_login(&request(&rule, sessions.clone(), attempt.clone())) else {
            return Err(TestCaseError::fail("logout_oldest must always allow when IP rules are open"));
        };
        let live: Vec<&Session> = sessions.iter().filter(|s| is_live(s, &rule)).collect();
        let kept: Vec<&Session> = live.iter().copied().filter(|s| !allow.destroy.contains(&s.verifier)).collect();
        let attempt_ip = net::parse_ip(&attempt.ip);
        for v in &allow.destroy {
            let Some(d) = live.iter().find(|s| &s.verifier == v) else {
                return Err(TestCaseError::fail(format!("{v} is not live")));
            };
            let by_limit = rule.limits.iter().any(|l| {
                same_key(l.kind, &attempt, d) == Some(true)
                    && kept.iter().filter(|k| same_key(l.kind, &attempt, k) == Some(true)).all(|k| older(d, k))
            });
            let by_ips = rule.max_ips > 0
                && attempt_ip.is_some()
                && net::parse_ip(&d.ip).is_some_and(|ip| Some(ip) != attempt_ip)
                && kept
                    .iter()
                    .filter(|k| net::parse_ip(&k.ip).is_some_and(|ip| Some(ip) != attempt_ip))
                    .all(|k| older(d, k));
            prop_assert!(by_limit || by_ips, "{} was ended while an older session of its group was kept", v);
        }
        // With a single limit and no address limit, this is plain "oldest first".
        if rule.limits.len() == 1 && rule.max_ips == 0 {
            let kind = rule.limits[0].kind;
            let destroyed: Vec<&&Session> = live.iter().filter(|s| allow.destroy.contains(&s.verifier)).collect();
            for d in &destroyed {
                for k in kept.iter().filter(|k| same_key(kind, &attempt, k) == Some(true)) {
                    prop_assert!(older(d, k));
                }
            }
        }
    }

    #[test]
    fn deadlines_are_exact(login in 0u64..10_000, activity in prop::option::of(0u64..5_000), lifetime in 1u64..20_000, idle in prop_oneof![Just(0u64), 60u64..10_000], bypass in any::<bool>()) {
        let last_activity = activity.map_or(0, |a| login + a);
        let expiration = login + lifetime;
        let session = Session { verifier: "s".into(), login, expiration, last_activity, ip: "203.0.113.1".into(), ..Default::default() };
        let mut settings = Settings::default();
        settings.defaults.idle_timeout = idle;
        if bypass {
            settings.bypass.user_ids = vec![7];
        }
        let idle_deadline = (idle > 0 && !bypass).then(|| last_activity.max(login) + idle);
        let deadline = idle_deadline.map_or(expiration, |d| d.min(expiration));
        let ask = |now: u64| check_request(&RequestCheck {
            settings: settings.clone(),
            user: User { id: 7, roles: vec![] },
            now,
            ip: "203.0.113.1".into(),
            country: String::new(),
            epoch: 0,
            is_activity: false,
            session: session.clone(),
            others: Vec::new(),
        });
        let swept = |now: u64| sweep(&SweepRequest {
            settings: settings.clone(),
            user: User { id: 7, roles: vec![] },
            now,
            epoch: 0,
            sessions: vec![session.clone()],
        });
        let expected = if expiration == deadline { Reason::Expired } else { Reason::Idle };
        if deadline > login {
            let before = ask(deadline - 1);
            prop_assert!(matches!(&before, RequestVerdict::Continue(c) if c.valid.until == deadline), "{:?}", before);
            prop_assert!(swept(deadline - 1).is_empty());
        }
        prop_assert_eq!(ask(deadline), RequestVerdict::End(EndSession { reason: expected }));
        prop_assert_eq!(swept(deadline), vec![Swept { verifier: "s".into(), reason: expected }]);

        let login_at = |now: u64| {
            let mut req = request(&settings.defaults, vec![session.clone()], Attempt { ip: "203.0.113.1".into(), ..Default::default() });
            req.settings = settings.clone();
            req.now = now;
            check_login(&req)
        };
        if deadline > 0 {
            prop_assert_eq!(login_at(deadline - 1), LoginVerdict::Allow(AllowLogin::default()));
        }
        prop_assert_eq!(login_at(deadline), LoginVerdict::Allow(AllowLogin { expired: vec!["s".into()], ..Default::default() }));
    }

    #[test]
    fn validated_settings_validate_again_unchanged(
        rule in rule_strategy(),
        interval in 0u64..=3600,
        version in any::<u64>(),
        password_change_logout in any::<bool>(),
        retention_days in 1u32..=3650,
        fail_closed in prop::collection::vec(pick(ROLES), 0..3),
        idle_warning in 0u64..=3600,
        limit_ended in any::<bool>(),
        flagged in any::<bool>(),
    ) {
        let settings = Settings {
            version,
            defaults: rule,
            activity_interval: interval,
            password_change_logout,
            retention_days,
            fail_closed_roles: fail_closed.into_iter().map(String::from).collect(),
            idle_warning,
            notifications: NotificationSettings { limit_ended, flagged },
            ..Default::default()
        };
        let text = serde_json::to_value(&settings).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(validate_value(&text), Ok(settings));
    }

    /// The host skips the call before the password when the plan says no gate is
    /// needed: that must never let in someone `check_pre_login` would refuse.
    #[test]
    fn no_gate_means_pre_login_allows_everyone(
        settings in ip_settings_strategy(),
        id in 1u64..6,
        roles in prop::collection::vec(pick(USER_ROLES), 0..3),
        ip in pick(IPS),
    ) {
        let user = User { id, roles: roles.into_iter().map(String::from).collect() };
        let verdict = check_pre_login(&PreLoginRequest { settings: settings.clone(), user, ip: ip.into() });
        if !plan(&settings).gate {
            prop_assert_eq!(verdict, LoginVerdict::Allow(AllowLogin::default()));
        }
    }
}

const ROLES: &[&str] = &["editor", "author", "subscriber"];
/// Roles a user may hold: the ones with rules, and one without.
const USER_ROLES: &[&str] = &["editor", "author", "subscriber", "contributor"];
const NETS: &[&str] = &["203.0.113.0/24", "2001:db8::/32", "10.0.0.0/8", "198.51.100.9", "::ffff:203.0.113.1"];
const SCOPES: &[IpScope] = &[IpScope::PrivateOnly, IpScope::PublicOnly];

/// Mostly no IP rule, so that settings without any are common.
fn scope_strategy() -> impl Strategy<Value = IpScope> {
    prop_oneof![4 => Just(IpScope::Any), 1 => pick(SCOPES)]
}

fn ip_list_strategy() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![4 => Just(Vec::new()), 1 => prop::collection::vec(pick(NETS).prop_map(String::from), 1..3)]
}

/// A patch's IP fields: absent, present but empty (or `any`), or a real rule.
fn ip_patch_strategy() -> impl Strategy<Value = RulePatch> {
    (
        prop::option::of(scope_strategy()),
        prop::option::of(ip_list_strategy()),
        prop::option::of(ip_list_strategy()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(ip_scope, ip_allow, ip_deny, ip_binding)| RulePatch {
            ip_scope,
            ip_allow,
            ip_deny,
            ip_binding,
            ..Default::default()
        })
}

fn ip_settings_strategy() -> impl Strategy<Value = Settings> {
    (
        (scope_strategy(), ip_list_strategy(), ip_list_strategy()),
        prop::collection::btree_map(0..ROLES.len(), ip_patch_strategy(), 0..3),
        prop::collection::btree_map(1u64..5, ip_patch_strategy(), 0..2),
        any::<bool>(),
        prop::option::of(pick(USER_ROLES)),
    )
        .prop_map(|((ip_scope, ip_allow, ip_deny), roles, users, strictest, bypass_role)| Settings {
            merge: if strictest { MergeStrategy::Strictest } else { MergeStrategy::MostGenerous },
            defaults: Rule { ip_scope, ip_allow, ip_deny, ..Default::default() },
            roles: roles.into_iter().map(|(i, rule)| RoleRule { role: ROLES[i].into(), rule }).collect(),
            users: users.into_iter().map(|(user_id, rule)| UserRule { user_id, rule }).collect(),
            bypass: Bypass { user_ids: Vec::new(), roles: bypass_role.into_iter().map(String::from).collect() },
            ..Default::default()
        })
}
