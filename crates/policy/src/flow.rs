//! Composite decisions: one engine call per WordPress enforcement point.
//!
//! Each resolves the client address from what the host saw of the HTTP request
//! (`client_ip::resolve`) and then asks the decision that moment needs, with that
//! address. Nothing is decided here: the answers are exactly those of the single
//! functions, so a composite call and the sequence of single calls agree.

use crate::types::*;
use crate::{client_ip, login, request, ua};

/// The client the host's request facts point to, under the settings' proxy trust.
fn client(settings: &Settings, facts: &RequestFacts) -> ClientIp {
    client_ip::resolve(&ClientIpRequest {
        settings: settings.client_ip.clone(),
        remote_addr: facts.remote_addr.clone(),
        headers: facts.headers.clone(),
    })
}

/// Before the password is checked: the client, and the non-revealing IP rules for it.
pub fn gate(req: GateRequest) -> GateAnswer {
    let client = client(&req.settings, &req.facts);
    let verdict =
        login::check_pre_login(&PreLoginRequest { settings: req.settings, user: req.user, ip: client.ip.clone() });
    GateAnswer { client, verdict }
}

/// A new session (after the password, or a password-less login): the client, its
/// device, and the login verdict for it.
pub fn admit(req: AdmitRequest) -> AdmitAnswer {
    let client = client(&req.settings, &req.facts);
    let device = ua::describe(&req.facts.ua);
    let RequestFacts { ua, country, .. } = req.facts;
    let verdict = login::check_login(&LoginRequest {
        settings: req.settings,
        user: req.user,
        now: req.now,
        attempt: Attempt { ip: client.ip.clone(), country, ua },
        sessions: req.sessions,
    });
    AdmitAnswer { client, device, verdict }
}

/// An authenticated request: the client, and the verdict on the session it carries.
pub fn visit(req: VisitRequest) -> VisitAnswer {
    let client = client(&req.settings, &req.facts);
    let verdict = request::check_request(&RequestCheck {
        settings: req.settings,
        user: req.user,
        now: req.now,
        ip: client.ip.clone(),
        country: req.facts.country,
        epoch: req.epoch,
        is_activity: req.is_activity,
        session: req.session,
        others: req.others,
    });
    VisitAnswer { client, verdict }
}

/// Which calls the host may skip for these settings.
///
/// `gate` is false only when no rule that can apply to anyone (the defaults, a
/// role's rule, a user's rule) has an IP rule; `check_pre_login` then allows
/// every user from every address, so the call before the password is pointless.
/// It errs towards true: a rule that a bypass makes moot still counts.
pub fn plan(settings: &Settings) -> SettingsPlan {
    let gate = rule_has_ip_rules(&settings.defaults)
        || settings.roles.iter().any(|r| patch_has_ip_rules(&r.rule))
        || settings.users.iter().any(|u| patch_has_ip_rules(&u.rule));
    SettingsPlan { gate }
}

fn rule_has_ip_rules(rule: &Rule) -> bool {
    rule.ip_scope != IpScope::Any || !rule.ip_allow.is_empty() || !rule.ip_deny.is_empty()
}

fn patch_has_ip_rules(patch: &RulePatch) -> bool {
    patch.ip_scope.is_some_and(|s| s != IpScope::Any)
        || patch.ip_allow.as_ref().is_some_and(|l| !l.is_empty())
        || patch.ip_deny.as_ref().is_some_and(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(remote_addr: &str, xff: Option<&str>) -> RequestFacts {
        RequestFacts {
            remote_addr: remote_addr.into(),
            headers: xff.map(|v| vec![Header { name: "X-Forwarded-For".into(), value: v.into() }]).unwrap_or_default(),
            ua: String::new(),
            country: String::new(),
        }
    }

    fn behind_proxy(defaults: Rule) -> Settings {
        Settings {
            defaults,
            client_ip: ClientIpSettings { trusted_proxies: vec!["10.0.0.1".into()], ..Default::default() },
            ..Default::default()
        }
    }

    #[test]
    fn gate_uses_the_resolved_client() {
        let deny = Rule { ip_deny: vec!["203.0.113.0/24".into()], ..Default::default() };
        let user = User { id: 3, roles: vec!["editor".into()] };
        let through_proxy = gate(GateRequest {
            settings: behind_proxy(deny.clone()),
            user: user.clone(),
            facts: facts("10.0.0.1", Some("203.0.113.9")),
        });
        assert_eq!(through_proxy.client.ip, "203.0.113.9");
        assert!(matches!(through_proxy.verdict, LoginVerdict::Block(ref b) if b.reason == Reason::IpDenied));

        let spoofed =
            gate(GateRequest { settings: behind_proxy(deny), user, facts: facts("198.51.100.4", Some("203.0.113.9")) });
        assert_eq!(spoofed.client.ip, "198.51.100.4");
        assert!(matches!(spoofed.verdict, LoginVerdict::Allow(_)));
    }

    #[test]
    fn plan_gate() {
        assert!(!plan(&Settings::default()).gate);
        let mut s = Settings::default();
        s.roles.push(RoleRule {
            role: "editor".into(),
            rule: RulePatch { ip_allow: Some(vec![]), ip_scope: Some(IpScope::Any), ..Default::default() },
        });
        assert!(!plan(&s).gate, "empty lists and scope any are no IP rule");
        s.users.push(UserRule {
            user_id: 5,
            rule: RulePatch { ip_scope: Some(IpScope::PublicOnly), ..Default::default() },
        });
        assert!(plan(&s).gate);
        let s = Settings {
            defaults: Rule { ip_allow: vec!["10.0.0.0/8".into()], ..Default::default() },
            ..Default::default()
        };
        assert!(plan(&s).gate);
    }
}
