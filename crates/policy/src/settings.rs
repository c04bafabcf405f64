//! Settings: validation of what a site owner typed, and the rule that applies to one user.
//!
//! Validation walks the JSON by hand instead of deserialising it, so that one pass
//! reports *every* problem, each with the path of the field (`roles[1].rule.limits[0].max`),
//! the value that was given and what would be accepted. A form, an import or a REST
//! body can then show all of them at once.
//!
//! Out-of-range values are **rejected, never clamped**: a limit of 5000 is not quietly
//! turned into 1000, `"3"` is not read as 3, `1.5` is not rounded. A policy that
//! silently differs from what the site owner wrote is worse than an error message.
//! The only normalisation is trimming the spaces around strings.
//!
//! Fields that are left out take the values of `Settings::default()`; fields that
//! are not known are an error, because they are usually a typo of a known one.

use crate::net::{self, IpList};
use crate::types::*;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// Sessions a limit may allow at once.
pub const LIMIT_MAX: u64 = 1000;
/// Distinct IP addresses `max_ips` may allow (0 = no limit).
pub const MAX_IPS_MAX: u64 = 1000;
/// Shortest idle timeout: anything shorter would log people out between two clicks.
pub const IDLE_MIN: u64 = 60;
/// Longest idle timeout: one year.
pub const IDLE_MAX: u64 = 31_536_000;
/// Longest gap between two recorded activity times.
pub const ACTIVITY_INTERVAL_MAX: u64 = 3600;
/// Shortest time events are kept, in days.
pub const RETENTION_DAYS_MIN: u64 = 1;
/// Longest time events are kept, in days: ten years.
pub const RETENTION_DAYS_MAX: u64 = 3650;
/// Longest idle warning: the browser warns at most an hour before an idle logout.
pub const IDLE_WARNING_MAX: u64 = 3600;
/// Entries an IP list may hold.
pub const IP_LIST_MAX: usize = 1000;
/// Characters a redirect URL may have.
pub const REDIRECT_URL_MAX: usize = 2048;

/// The IP rules of one role (or of the user's own override).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpRules {
    pub scope: IpScope,
    pub allow: crate::net::IpList,
    pub deny: crate::net::IpList,
}

/// The rule one user ends up with after roles are merged and their override applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The merged rule. Its `ip_scope`, `ip_allow` and `ip_deny` are informative
    /// only: IP decisions use `ip_rules`, because role IP rules are not merged.
    pub rule: Rule,
    /// One set per role (merged by `settings.merge`), or one set from the user override.
    pub ip_rules: Vec<IpRules>,
    pub merge: MergeStrategy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effective {
    /// The user is exempt from limits, idle and IP rules.
    Bypass,
    Rule(Box<Resolved>),
}

impl IpRules {
    pub fn from_rule(rule: &Rule) -> IpRules {
        IpRules {
            scope: rule.ip_scope,
            allow: IpList::parse_lenient(&rule.ip_allow),
            deny: IpList::parse_lenient(&rule.ip_deny),
        }
    }

    /// `None` when the address may log in, otherwise why not.
    ///
    /// An address that cannot be read (empty, garbage) cannot be shown to be inside
    /// an allow list or a scope, so those refuse it; a set that only denies has
    /// nothing to match it against and lets it through.
    pub fn check(&self, ip: Option<IpAddr>) -> Option<Reason> {
        let Some(ip) = ip else {
            return if !self.allow.is_empty() || self.scope != IpScope::Any {
                Some(Reason::IpNotAllowed)
            } else {
                None
            };
        };
        if self.deny.contains(ip) {
            return Some(Reason::IpDenied);
        }
        match self.scope {
            IpScope::PrivateOnly if !net::is_private(ip) => return Some(Reason::IpScope),
            IpScope::PublicOnly if net::is_private(ip) => return Some(Reason::IpScope),
            _ => {}
        }
        if !self.allow.is_empty() && !self.allow.contains(ip) {
            return Some(Reason::IpNotAllowed);
        }
        None
    }
}

impl Resolved {
    /// `None` when `ip` may log in. With several roles, `most_generous` lets the
    /// address in when any role's rules do, `strictest` only when all of them do;
    /// the reason reported is the first refusing role's.
    pub fn check_ip(&self, ip: &str) -> Option<Reason> {
        let ip = net::parse_ip(ip);
        let mut verdicts = self.ip_rules.iter().map(|set| set.check(ip));
        match self.merge {
            MergeStrategy::MostGenerous => {
                let mut first = None;
                for verdict in verdicts {
                    match verdict {
                        None => return None,
                        Some(reason) => {
                            first.get_or_insert(reason);
                        }
                    }
                }
                first
            }
            MergeStrategy::Strictest => verdicts.find_map(|v| v),
        }
    }
}

/// The country code as a comparable value, or `None` when unknown. `XX` (unknown)
/// and `T1` (Tor) are what geo services answer when they do not know a country.
pub fn known_country(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    match code.as_str() {
        "" | "XX" | "T1" => None,
        _ => Some(code),
    }
}

/// `rule` with every field the patch sets replaced.
pub fn apply(rule: &Rule, patch: &RulePatch) -> Rule {
    let mut out = rule.clone();
    if let Some(v) = &patch.limits {
        out.limits = v.clone();
    }
    if let Some(v) = patch.max_ips {
        out.max_ips = v;
    }
    if let Some(v) = patch.mode {
        out.mode = v;
    }
    if let Some(v) = &patch.message_key {
        out.message_key = v.clone();
    }
    if let Some(v) = &patch.redirect_url {
        out.redirect_url = v.clone();
    }
    if let Some(v) = patch.idle_timeout {
        out.idle_timeout = v;
    }
    if let Some(v) = patch.ip_binding {
        out.ip_binding = v;
    }
    if let Some(v) = patch.ip_scope {
        out.ip_scope = v;
    }
    if let Some(v) = &patch.ip_allow {
        out.ip_allow = v.clone();
    }
    if let Some(v) = &patch.ip_deny {
        out.ip_deny = v.clone();
    }
    out
}

/// Parses and checks a settings document; the normalised settings or every error.
pub fn validate(raw: &str) -> Result<Settings, Vec<FieldError>> {
    match serde_json::from_str::<Value>(raw) {
        Ok(value) => validate_value(&value),
        Err(e) => Err(vec![FieldError {
            field: String::new(),
            value: shorten(raw),
            message: format!("the settings could not be read; they must be written as JSON ({e})"),
        }]),
    }
}

pub fn validate_value(value: &Value) -> Result<Settings, Vec<FieldError>> {
    let mut checker = Checker::default();
    let settings = checker.settings(value);
    if checker.errors.is_empty() {
        Ok(settings)
    } else {
        Err(checker.errors)
    }
}

/// The rule for `user`, or `Bypass`.
pub fn effective(settings: &Settings, user: &User) -> Effective {
    let bypass = &settings.bypass;
    if bypass.user_ids.contains(&user.id) || user.roles.iter().any(|r| bypass.roles.iter().any(|b| b == r.trim())) {
        return Effective::Bypass;
    }
    let rules: Vec<Rule> = if user.roles.is_empty() {
        vec![settings.defaults.clone()]
    } else {
        user.roles
            .iter()
            .map(|role| match settings.roles.iter().find(|r| r.role == role.trim()) {
                Some(role_rule) => apply(&settings.defaults, &role_rule.rule),
                None => settings.defaults.clone(),
            })
            .collect()
    };
    let mut rule = merge(&rules, settings.merge, &settings.defaults);
    let mut ip_rules: Vec<IpRules> = rules.iter().map(IpRules::from_rule).collect();
    if let Some(own) = settings.users.iter().find(|u| u.user_id == user.id) {
        let patch = &own.rule;
        rule = apply(&rule, patch);
        if patch.ip_scope.is_some() || patch.ip_allow.is_some() || patch.ip_deny.is_some() {
            // A user override is about this one person: it replaces the role sets
            // instead of joining them, or a generous role could undo it.
            let mut base = settings.defaults.clone();
            base.ip_scope = patch.ip_scope.unwrap_or(settings.defaults.ip_scope);
            base.ip_allow = patch.ip_allow.clone().unwrap_or_else(|| settings.defaults.ip_allow.clone());
            base.ip_deny = patch.ip_deny.clone().unwrap_or_else(|| settings.defaults.ip_deny.clone());
            rule.ip_scope = base.ip_scope;
            rule.ip_allow = base.ip_allow.clone();
            rule.ip_deny = base.ip_deny.clone();
            ip_rules = vec![IpRules::from_rule(&base)];
        }
    }
    Effective::Rule(Box::new(Resolved { rule, ip_rules, merge: settings.merge }))
}

/// Modes from most to least generous to the person logging in.
const GENEROUS_MODES: [Mode; 4] = [Mode::LogoutOldest, Mode::LogoutAll, Mode::Redirect, Mode::Block];

/// Combines the rules of a user's roles into one. `rules` is never empty in
/// practice; an empty list gives the defaults.
fn merge(rules: &[Rule], strategy: MergeStrategy, defaults: &Rule) -> Rule {
    let Some(first) = rules.first() else { return defaults.clone() };
    let generous = strategy == MergeStrategy::MostGenerous;

    let mut kinds: Vec<LimitKind> = rules.iter().flat_map(|r| r.limits.iter().map(|l| l.kind)).collect();
    kinds.sort();
    kinds.dedup();
    let mut limits = Vec::new();
    for kind in kinds {
        let maxes: Vec<Option<u32>> =
            rules.iter().map(|r| r.limits.iter().find(|l| l.kind == kind).map(|l| l.max)).collect();
        let max = if generous {
            // A role without this limit lets its holder be unlimited in it.
            if maxes.iter().all(Option::is_some) {
                maxes.iter().flatten().max().copied()
            } else {
                None
            }
        } else {
            maxes.iter().flatten().min().copied()
        };
        if let Some(max) = max {
            limits.push(Limit { kind, max });
        }
    }

    let max_ips = zero_is_unlimited(rules.iter().map(|r| u64::from(r.max_ips)), generous);
    let idle_timeout = zero_is_unlimited(rules.iter().map(|r| r.idle_timeout), generous);

    let order: Vec<Mode> =
        if generous { GENEROUS_MODES.to_vec() } else { GENEROUS_MODES.iter().rev().copied().collect() };
    let chosen = order.iter().find_map(|m| rules.iter().find(|r| r.mode == *m)).unwrap_or(first);

    let ip_binding = if generous { rules.iter().all(|r| r.ip_binding) } else { rules.iter().any(|r| r.ip_binding) };

    Rule {
        limits,
        max_ips: u32::try_from(max_ips).unwrap_or(u32::MAX),
        mode: chosen.mode,
        message_key: chosen.message_key.clone(),
        redirect_url: chosen.redirect_url.clone(),
        idle_timeout,
        ip_binding,
        ip_scope: defaults.ip_scope,
        ip_allow: defaults.ip_allow.clone(),
        ip_deny: defaults.ip_deny.clone(),
    }
}

/// Merges values where 0 means "no limit": generous takes no limit if any role
/// has none, else the largest; strictest takes the smallest real limit.
fn zero_is_unlimited(values: impl Iterator<Item = u64> + Clone, generous: bool) -> u64 {
    if generous {
        if values.clone().any(|v| v == 0) {
            0
        } else {
            values.max().unwrap_or(0)
        }
    } else {
        values.filter(|v| *v > 0).min().unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

const SETTINGS_FIELDS: &[&str] = &[
    "version",
    "merge",
    "defaults",
    "roles",
    "users",
    "bypass",
    "client_ip",
    "flags",
    "activity_interval",
    "password_change_logout",
    "retention_days",
    "fail_closed_roles",
    "idle_warning",
    "notifications",
];
const RULE_FIELDS: &[&str] = &[
    "limits",
    "max_ips",
    "mode",
    "message_key",
    "redirect_url",
    "idle_timeout",
    "ip_binding",
    "ip_scope",
    "ip_allow",
    "ip_deny",
];
const LIMIT_FIELDS: &[&str] = &["kind", "max"];
const ROLE_RULE_FIELDS: &[&str] = &["role", "rule"];
const USER_RULE_FIELDS: &[&str] = &["user_id", "rule"];
const BYPASS_FIELDS: &[&str] = &["user_ids", "roles"];
const CLIENT_IP_FIELDS: &[&str] = &["mode", "header", "trusted_proxies"];
const FLAG_FIELDS: &[&str] = &["ip_shift", "country_anomaly"];
const NOTIFICATION_FIELDS: &[&str] = &["limit_ended", "flagged"];

const MODES: &[(&str, Mode)] = &[
    ("logout_oldest", Mode::LogoutOldest),
    ("logout_all", Mode::LogoutAll),
    ("block", Mode::Block),
    ("redirect", Mode::Redirect),
];
const LIMIT_KINDS: &[(&str, LimitKind)] = &[
    ("user", LimitKind::User),
    ("ip", LimitKind::Ip),
    ("country", LimitKind::Country),
    ("device_class", LimitKind::DeviceClass),
    ("device_type", LimitKind::DeviceType),
    ("client_type", LimitKind::ClientType),
    ("browser", LimitKind::Browser),
    ("os", LimitKind::Os),
];
const IP_SCOPES: &[(&str, IpScope)] =
    &[("any", IpScope::Any), ("private_only", IpScope::PrivateOnly), ("public_only", IpScope::PublicOnly)];
const MERGES: &[(&str, MergeStrategy)] =
    &[("most_generous", MergeStrategy::MostGenerous), ("strictest", MergeStrategy::Strictest)];
const IP_MODES: &[(&str, IpMode)] =
    &[("auto", IpMode::Auto), ("header", IpMode::Header), ("remote_addr", IpMode::RemoteAddr)];

const REDIRECT_NEEDS_URL: &str = "the mode \"redirect\" needs a redirect URL: a full address starting with \
     https:// or a path on this site starting with /";

/// A value as the site owner wrote it, short enough for a message.
fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(MAX).collect();
        short.push('…');
        short
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => shorten(s),
        other => shorten(&other.to_string()),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn is_message_key(key: &str) -> bool {
    (1..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_header_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Why a redirect URL cannot be used, or `None` when it can (an empty one is
/// allowed here; whether a rule needs one is checked on the whole rule).
fn redirect_url_problem(url: &str) -> Option<&'static str> {
    if url.is_empty() {
        return None;
    }
    if url.chars().count() > REDIRECT_URL_MAX {
        return Some("is longer than 2048 characters");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("must not contain spaces, line breaks or other invisible characters");
    }
    // Browsers read `//host` and `/\host` as another site, so neither is a site path.
    if url.starts_with("//") || url.starts_with("/\\") {
        return Some(
            "must not start with // (that leads to another site); write a path on this site with a single /, \
             or a full address starting with https://",
        );
    }
    if url.starts_with('/') {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url["https://".len()..]
    } else if lower.starts_with("http://") {
        &url["http://".len()..]
    } else {
        return Some(
            "must be a full address starting with https:// (or http://), or a path on this site starting with /",
        );
    };
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if host_port.starts_with('[') {
        host_port.split(']').next().map(|h| h.trim_start_matches('[')).unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return Some("has no site name after http(s)://, such as https://example.com/limit");
    }
    None
}

#[derive(Default)]
struct Checker {
    errors: Vec<FieldError>,
}

/// The one empty object, shared: an immutable value, not state.
fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

impl Checker {
    fn fail(&mut self, field: &str, value: &Value, message: impl Into<String>) {
        self.fail_text(field, show(value), message);
    }

    fn fail_text(&mut self, field: &str, value: String, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.to_string(), value, message: message.into() });
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// The object's fields, after reporting every key that is not in `known`.
    fn object<'a>(&mut self, path: &str, value: &'a Value, known: &[&str]) -> Option<&'a Map<String, Value>> {
        match value {
            Value::Object(map) => {
                // Sorted, so the errors come out in the same order whatever map
                // type serde_json was built with.
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by_key(|(key, _)| *key);
                for (key, v) in entries {
                    if !known.contains(&key.as_str()) {
                        self.fail(
                            &join(path, key),
                            v,
                            format!("unknown setting; the settings allowed here are: {}", known.join(", ")),
                        );
                    }
                }
                Some(map)
            }
            // PHP's json_encode writes an empty associative array as `[]`, so a
            // form or REST body that sets nothing in a group arrives as an empty
            // list; it can only mean "no settings here".
            Value::Array(items) if items.is_empty() => Some(empty_map()),
            other => {
                self.fail(
                    path,
                    other,
                    format!("must be an object (a group of settings in {{ }}), not {}", kind_name(other)),
                );
                None
            }
        }
    }

    fn array<'a>(&mut self, path: &str, value: &'a Value) -> Option<&'a Vec<Value>> {
        match value {
            Value::Array(items) => Some(items),
            other => {
                self.fail(path, other, format!("must be a list in [ ], not {}", kind_name(other)));
                None
            }
        }
    }

    fn uint(&mut self, path: &str, value: &Value) -> Option<u64> {
        match value {
            Value::Number(n) => match n.as_u64() {
                Some(v) => Some(v),
                None if n.is_i64() => {
                    self.fail(path, value, "must be a whole number of 0 or more, not a negative number");
                    None
                }
                None => {
                    self.fail(path, value, "must be a whole number of 0 or more, without a decimal point");
                    None
                }
            },
            Value::String(s) => {
                self.fail(
                    path,
                    value,
                    format!("must be a number written without quotes, such as 3, not the text \"{}\"", shorten(s)),
                );
                None
            }
            other => {
                self.fail(path, other, format!("must be a whole number of 0 or more, not {}", kind_name(other)));
                None
            }
        }
    }

    /// A number that must lie in `min..=max`; `hint` explains the range to people.
    fn ranged(&mut self, path: &str, value: &Value, min: u64, max: u64, hint: &str) -> Option<u64> {
        let v = self.uint(path, value)?;
        if v < min || v > max {
            self.fail(path, value, hint.to_string());
            return None;
        }
        Some(v)
    }

    fn boolean(&mut self, path: &str, value: &Value) -> Option<bool> {
        match value {
            Value::Bool(b) => Some(*b),
            other => {
                self.fail(path, other, format!("must be true or false, not {}", kind_name(other)));
                None
            }
        }
    }

    fn string(&mut self, path: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.trim().to_string()),
            other => {
                self.fail(path, other, format!("must be text in quotes, not {}", kind_name(other)));
                None
            }
        }
    }

    fn choice<T: Copy>(&mut self, path: &str, value: &Value, options: &[(&str, T)]) -> Option<T> {
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let Value::String(s) = value else {
            self.fail(path, value, format!("must be one of: {}", names.join(", ")));
            return None;
        };
        match options.iter().find(|(n, _)| *n == s.trim()) {
            Some((_, v)) => Some(*v),
            None => {
                self.fail(path, value, format!("is not a known choice; use one of: {}", names.join(", ")));
                None
            }
        }
    }

    fn role_name(&mut self, path: &str, value: &Value) -> Option<String> {
        let name = self.string(path, value)?;
        if is_role_name(&name) {
            Some(name)
        } else {
            self.fail(
                path,
                value,
                "must be a role's slug: 1 to 64 lowercase letters, digits, '_' or '-', such as editor or shop_manager",
            );
            None
        }
    }

    fn user_id(&mut self, path: &str, value: &Value) -> Option<u64> {
        let id = self.uint(path, value)?;
        if id == 0 {
            self.fail(path, value, "must be a user ID, 1 or more");
            return None;
        }
        Some(id)
    }

    fn ip_list(&mut self, path: &str, value: &Value) -> Option<Vec<String>> {
        let items = self.array(path, value)?;
        if items.len() > IP_LIST_MAX {
            self.fail_text(
                path,
                format!("{} entries", items.len()),
                format!(
                    "may hold at most {IP_LIST_MAX} entries; use ranges such as 203.0.113.0/24 to cover many addresses"
                ),
            );
            return None;
        }
        let before = self.errors.len();
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let p = index(path, i);
            let Some(entry) = self.string(&p, item) else { continue };
            if net::parse_net(&entry).is_none() {
                self.fail(
                    &p,
                    item,
                    "is not an IP address or range; write one address such as 203.0.113.7 or 2001:db8::7, \
                     or a range such as 203.0.113.0/24 or 2001:db8::/32",
                );
                continue;
            }
            out.push(entry);
        }
        (self.errors.len() == before).then_some(out)
    }

    fn limits(&mut self, path: &str, value: &Value) -> Option<Vec<Limit>> {
        let items = self.array(path, value)?;
        let before = self.errors.len();
        let mut out: Vec<Limit> = Vec::with_capacity(items.len());
        let mut seen: Vec<LimitKind> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = index(path, i);
            let Some(map) = self.object(&p, item, LIMIT_FIELDS) else { continue };
            let kind = match map.get("kind") {
                Some(v) => self.choice(&join(&p, "kind"), v, LIMIT_KINDS),
                None => {
                    self.fail_text(&join(&p, "kind"), String::new(), "is required: what the limit counts");
                    None
                }
            };
            let max = match map.get("max") {
                Some(v) => {
                    let field = join(&p, "max");
                    match self.uint(&field, v) {
                        Some(0) => {
                            self.fail(
                                &field,
                                v,
                                "0 sessions would lock everyone out; for no limit, remove this limit instead",
                            );
                            None
                        }
                        Some(m) if m > LIMIT_MAX => {
                            self.fail(&field, v, "must be between 1 and 1000 sessions");
                            None
                        }
                        Some(m) => u32::try_from(m).ok(),
                        None => None,
                    }
                }
                None => {
                    self.fail_text(
                        &join(&p, "max"),
                        String::new(),
                        "is required: how many sessions are allowed, 1 to 1000",
                    );
                    None
                }
            };
            if let Some(kind) = kind {
                if seen.contains(&kind) {
                    self.fail(
                        &join(&p, "kind"),
                        map.get("kind").unwrap_or(&Value::Null),
                        "this kind of limit is already set above; each kind may appear once",
                    );
                    continue;
                }
                seen.push(kind);
                if let Some(max) = max {
                    out.push(Limit { kind, max });
                }
            }
        }
        (self.errors.len() == before).then_some(out)
    }

    /// Reads a rule's fields as a patch. For the defaults (`optional == false`) a
    /// `null` is a wrong type; in a role or user patch it means "not changed".
    fn patch(&mut self, path: &str, value: &Value, optional: bool) -> RulePatch {
        let mut patch = RulePatch::default();
        let Some(map) = self.object(path, value, RULE_FIELDS) else { return patch };
        for key in RULE_FIELDS {
            let Some(v) = map.get(*key) else { continue };
            if optional && v.is_null() {
                continue;
            }
            let p = join(path, key);
            match *key {
                "limits" => patch.limits = self.limits(&p, v),
                "max_ips" => {
                    patch.max_ips = self
                        .ranged(&p, v, 0, MAX_IPS_MAX, "must be between 0 and 1000 addresses (0 means no limit)")
                        .and_then(|n| u32::try_from(n).ok())
                }
                "mode" => patch.mode = self.choice(&p, v, MODES),
                "message_key" => {
                    patch.message_key = self.string(&p, v).and_then(|k| {
                        if is_message_key(&k) {
                            Some(k)
                        } else {
                            self.fail(&p, v, "must be 1 to 64 lowercase letters, digits or '_', such as limit_reached");
                            None
                        }
                    })
                }
                "redirect_url" => {
                    patch.redirect_url = self.string(&p, v).and_then(|url| match redirect_url_problem(&url) {
                        None => Some(url),
                        Some(problem) => {
                            self.fail(&p, v, problem);
                            None
                        }
                    })
                }
                "idle_timeout" => {
                    patch.idle_timeout = self.uint(&p, v).and_then(|n| {
                        if n == 0 || (IDLE_MIN..=IDLE_MAX).contains(&n) {
                            Some(n)
                        } else {
                            self.fail(&p, v, "must be 0 (never) or between 60 seconds and 31536000 seconds (one year)");
                            None
                        }
                    })
                }
                "ip_binding" => patch.ip_binding = self.boolean(&p, v),
                "ip_scope" => patch.ip_scope = self.choice(&p, v, IP_SCOPES),
                "ip_allow" => patch.ip_allow = self.ip_list(&p, v),
                "ip_deny" => patch.ip_deny = self.ip_list(&p, v),
                _ => {}
            }
        }
        patch
    }

    /// A rule that redirects must say where to; reported on the rule's own
    /// `redirect_url`, unless that field already has an error of its own.
    fn needs_redirect_url(&mut self, path: &str, rule: &Rule) {
        let field = join(path, "redirect_url");
        if rule.mode == Mode::Redirect
            && rule.redirect_url.is_empty()
            && !self.has_error(&field)
            && !self.has_error(&join(path, "mode"))
        {
            self.fail_text(&field, String::new(), REDIRECT_NEEDS_URL);
        }
    }

    fn role_rules(&mut self, path: &str, value: &Value, defaults: &Rule) -> Vec<RoleRule> {
        let Some(items) = self.array(path, value) else { return Vec::new() };
        let mut out: Vec<RoleRule> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = index(path, i);
            let Some(map) = self.object(&p, item, ROLE_RULE_FIELDS) else { continue };
            let role = match map.get("role") {
                Some(v) => self.role_name(&join(&p, "role"), v),
                None => {
                    self.fail_text(
                        &join(&p, "role"),
                        String::new(),
                        "is required: the slug of the role, such as editor",
                    );
                    None
                }
            };
            let rule_path = join(&p, "rule");
            let patch = map.get("rule").map(|v| self.patch(&rule_path, v, true)).unwrap_or_default();
            self.needs_redirect_url(&rule_path, &apply(defaults, &patch));
            if let Some(role) = role {
                if out.iter().any(|r| r.role == role) {
                    self.fail(
                        &join(&p, "role"),
                        map.get("role").unwrap_or(&Value::Null),
                        "this role already has a rule above; give each role one rule",
                    );
                    continue;
                }
                out.push(RoleRule { role, rule: patch });
            }
        }
        out
    }

    fn user_rules(&mut self, path: &str, value: &Value, defaults: &Rule) -> Vec<UserRule> {
        let Some(items) = self.array(path, value) else { return Vec::new() };
        let mut out: Vec<UserRule> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = index(path, i);
            let Some(map) = self.object(&p, item, USER_RULE_FIELDS) else { continue };
            let user_id = match map.get("user_id") {
                Some(v) => self.user_id(&join(&p, "user_id"), v),
                None => {
                    self.fail_text(&join(&p, "user_id"), String::new(), "is required: the user's ID, 1 or more");
                    None
                }
            };
            let rule_path = join(&p, "rule");
            let patch = map.get("rule").map(|v| self.patch(&rule_path, v, true)).unwrap_or_default();
            self.needs_redirect_url(&rule_path, &apply(defaults, &patch));
            if let Some(user_id) = user_id {
                if out.iter().any(|u| u.user_id == user_id) {
                    self.fail(
                        &join(&p, "user_id"),
                        map.get("user_id").unwrap_or(&Value::Null),
                        "this user already has a rule above; give each user one rule",
                    );
                    continue;
                }
                out.push(UserRule { user_id, rule: patch });
            }
        }
        out
    }

    fn bypass(&mut self, path: &str, value: &Value) -> Bypass {
        let mut out = Bypass::default();
        let Some(map) = self.object(path, value, BYPASS_FIELDS) else { return out };
        if let Some(v) = map.get("user_ids") {
            let p = join(path, "user_ids");
            if let Some(items) = self.array(&p, v) {
                out.user_ids =
                    items.iter().enumerate().filter_map(|(i, item)| self.user_id(&index(&p, i), item)).collect();
            }
        }
        if let Some(v) = map.get("roles") {
            if let Some(roles) = self.role_list(&join(path, "roles"), v) {
                out.roles = roles;
            }
        }
        out
    }

    /// A list of role slugs (bypass roles, fail-closed roles); the valid ones, as given.
    fn role_list(&mut self, path: &str, value: &Value) -> Option<Vec<String>> {
        let items = self.array(path, value)?;
        Some(items.iter().enumerate().filter_map(|(i, item)| self.role_name(&index(path, i), item)).collect())
    }

    fn client_ip(&mut self, path: &str, value: &Value) -> ClientIpSettings {
        let mut out = ClientIpSettings::default();
        let Some(map) = self.object(path, value, CLIENT_IP_FIELDS) else { return out };
        let mode_path = join(path, "mode");
        if let Some(v) = map.get("mode") {
            if let Some(mode) = self.choice(&mode_path, v, IP_MODES) {
                out.mode = mode;
            }
        }
        let header_path = join(path, "header");
        let header_ok = match map.get("header") {
            Some(v) => match self.string(&header_path, v) {
                Some(h) => {
                    out.header = h;
                    true
                }
                None => false,
            },
            None => true,
        };
        if let Some(v) = map.get("trusted_proxies") {
            if let Some(list) = self.ip_list(&join(path, "trusted_proxies"), v) {
                out.trusted_proxies = list;
            }
        }
        if out.mode == IpMode::Header && header_ok {
            if out.header.is_empty() {
                self.fail_text(
                    &header_path,
                    String::new(),
                    "is required when the mode is \"header\": the name of the header your proxy sets, such as X-Forwarded-For",
                );
            } else if !is_header_token(&out.header) {
                let given = map.get("header").map(show).unwrap_or_default();
                self.fail_text(
                    &header_path,
                    given,
                    "must be a header name made of letters, digits, '-' and '_', such as X-Forwarded-For (no colon, no value)",
                );
            }
        }
        out
    }

    fn flags(&mut self, path: &str, value: &Value) -> FlagSettings {
        let mut out = FlagSettings::default();
        let Some(map) = self.object(path, value, FLAG_FIELDS) else { return out };
        if let Some(b) = map.get("ip_shift").and_then(|v| self.boolean(&join(path, "ip_shift"), v)) {
            out.ip_shift = b;
        }
        if let Some(b) = map.get("country_anomaly").and_then(|v| self.boolean(&join(path, "country_anomaly"), v)) {
            out.country_anomaly = b;
        }
        out
    }

    fn notifications(&mut self, path: &str, value: &Value) -> NotificationSettings {
        let mut out = NotificationSettings::default();
        let Some(map) = self.object(path, value, NOTIFICATION_FIELDS) else { return out };
        if let Some(b) = map.get("limit_ended").and_then(|v| self.boolean(&join(path, "limit_ended"), v)) {
            out.limit_ended = b;
        }
        if let Some(b) = map.get("flagged").and_then(|v| self.boolean(&join(path, "flagged"), v)) {
            out.flagged = b;
        }
        out
    }

    fn settings(&mut self, value: &Value) -> Settings {
        let mut out = Settings::default();
        let Some(map) = self.object("", value, SETTINGS_FIELDS) else { return out };
        if let Some(v) = map.get("version") {
            if let Some(n) = self.uint("version", v) {
                out.version = n;
            }
        }
        if let Some(v) = map.get("merge") {
            if let Some(m) = self.choice("merge", v, MERGES) {
                out.merge = m;
            }
        }
        if let Some(v) = map.get("defaults") {
            out.defaults = apply(&Rule::default(), &self.patch("defaults", v, false));
            self.needs_redirect_url("defaults", &out.defaults);
        }
        if let Some(v) = map.get("roles") {
            out.roles = self.role_rules("roles", v, &out.defaults);
        }
        if let Some(v) = map.get("users") {
            out.users = self.user_rules("users", v, &out.defaults);
        }
        if let Some(v) = map.get("bypass") {
            out.bypass = self.bypass("bypass", v);
        }
        if let Some(v) = map.get("client_ip") {
            out.client_ip = self.client_ip("client_ip", v);
        }
        if let Some(v) = map.get("flags") {
            out.flags = self.flags("flags", v);
        }
        if let Some(v) = map.get("activity_interval") {
            if let Some(n) = self.ranged(
                "activity_interval",
                v,
                0,
                ACTIVITY_INTERVAL_MAX,
                "must be between 0 and 3600 seconds (0 records every request)",
            ) {
                out.activity_interval = n;
            }
        }
        if let Some(b) = map.get("password_change_logout").and_then(|v| self.boolean("password_change_logout", v)) {
            out.password_change_logout = b;
        }
        if let Some(v) = map.get("retention_days") {
            if let Some(n) = self
                .ranged(
                    "retention_days",
                    v,
                    RETENTION_DAYS_MIN,
                    RETENTION_DAYS_MAX,
                    "must be between 1 and 3650 days (ten years)",
                )
                .and_then(|n| u32::try_from(n).ok())
            {
                out.retention_days = n;
            }
        }
        if let Some(v) = map.get("fail_closed_roles") {
            if let Some(roles) = self.role_list("fail_closed_roles", v) {
                out.fail_closed_roles = roles;
            }
        }
        if let Some(v) = map.get("idle_warning") {
            if let Some(n) = self.ranged(
                "idle_warning",
                v,
                0,
                IDLE_WARNING_MAX,
                "must be between 0 and 3600 seconds (one hour) before the idle logout; 0 turns the warning off",
            ) {
                out.idle_warning = n;
            }
        }
        if let Some(v) = map.get("notifications") {
            out.notifications = self.notifications("notifications", v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(v: Value) -> Vec<(String, String)> {
        match validate_value(&v) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| (e.field, e.value)).collect(),
        }
    }

    #[test]
    fn empty_object_is_the_defaults() {
        assert_eq!(validate_value(&json!({})), Ok(Settings::default()));
        assert_eq!(validate("{}"), Ok(Settings::default()));
    }

    #[test]
    fn every_error_is_reported_with_its_path() {
        let e = errors(json!({
            "merge": "loosest",
            "defaults": {"limits": [{"kind": "user", "max": 0}, {"kind": "user", "max": 2}], "max_ips": 1.5},
            "roles": [{"role": "editor"}, {"role": "Editor", "rule": {"limits": [{"kind": "ip", "max": "3"}]}}],
            "colour": "blue",
        }));
        let fields: Vec<&str> = e.iter().map(|(f, _)| f.as_str()).collect();
        assert!(fields.contains(&"merge"));
        assert!(fields.contains(&"defaults.limits[0].max"));
        assert!(fields.contains(&"defaults.limits[1].kind"));
        assert!(fields.contains(&"defaults.max_ips"));
        assert!(fields.contains(&"roles[1].role"));
        assert!(fields.contains(&"roles[1].rule.limits[0].max"));
        assert!(fields.contains(&"colour"));
    }

    #[test]
    fn redirect_urls() {
        for ok in ["/limit", "https://example.com", "http://example.com:8080/x?y#z", "HTTPS://user@[::1]:80/"] {
            assert_eq!(redirect_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "//evil.com",
            "/\\evil.com",
            "https://",
            "https:///path",
            "ftp://x",
            "javascript:alert(1)",
            "/a b",
            "example.com",
        ] {
            assert!(redirect_url_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn redirect_mode_needs_url() {
        let e = errors(json!({"defaults": {"mode": "redirect"}}));
        assert_eq!(e, vec![("defaults.redirect_url".to_string(), String::new())]);
        let e = errors(
            json!({"defaults": {"mode": "redirect", "redirect_url": "/x"}, "roles": [{"role": "a", "rule": {"redirect_url": ""}}]}),
        );
        assert_eq!(e, vec![("roles[0].rule.redirect_url".to_string(), String::new())]);
    }

    #[test]
    fn merge_generous_and_strict() {
        let roles = vec![
            RoleRule {
                role: "a".into(),
                rule: RulePatch {
                    limits: Some(vec![Limit { kind: LimitKind::User, max: 2 }, Limit { kind: LimitKind::Ip, max: 1 }]),
                    max_ips: Some(3),
                    mode: Some(Mode::Block),
                    idle_timeout: Some(600),
                    ip_binding: Some(true),
                    ..Default::default()
                },
            },
            RoleRule {
                role: "b".into(),
                rule: RulePatch {
                    limits: Some(vec![Limit { kind: LimitKind::User, max: 5 }]),
                    max_ips: Some(0),
                    mode: Some(Mode::LogoutAll),
                    idle_timeout: Some(0),
                    ..Default::default()
                },
            },
        ];
        let mut s = Settings { roles, ..Default::default() };
        let user = User { id: 9, roles: vec!["a".into(), "b".into()] };
        let Effective::Rule(g) = effective(&s, &user) else { panic!("bypass") };
        assert_eq!(g.rule.limits, vec![Limit { kind: LimitKind::User, max: 5 }]);
        assert_eq!(
            (g.rule.max_ips, g.rule.mode, g.rule.idle_timeout, g.rule.ip_binding),
            (0, Mode::LogoutAll, 0, false)
        );
        s.merge = MergeStrategy::Strictest;
        let Effective::Rule(st) = effective(&s, &user) else { panic!("bypass") };
        assert_eq!(
            st.rule.limits,
            vec![Limit { kind: LimitKind::User, max: 2 }, Limit { kind: LimitKind::Ip, max: 1 }]
        );
        assert_eq!(
            (st.rule.max_ips, st.rule.mode, st.rule.idle_timeout, st.rule.ip_binding),
            (3, Mode::Block, 600, true)
        );
    }

    #[test]
    fn logout_retention_and_fail_closed_roles() {
        let s = validate_value(&json!({
            "password_change_logout": false,
            "retention_days": 3650,
            "fail_closed_roles": [" administrator ", "shop_manager"],
        }))
        .unwrap();
        assert!(!s.password_change_logout);
        assert_eq!(s.retention_days, 3650);
        assert_eq!(s.fail_closed_roles, vec!["administrator".to_string(), "shop_manager".to_string()]);
        let d = Settings::default();
        assert!(d.password_change_logout);
        assert_eq!((d.retention_days, d.fail_closed_roles.len()), (90, 0));

        for bad in [json!(0), json!(3651), json!(-1), json!(30.5), json!("90")] {
            assert_eq!(errors(json!({ "retention_days": bad })), vec![("retention_days".to_string(), show(&bad))]);
        }
        assert_eq!(errors(json!({"retention_days": 1})), vec![]);
        assert_eq!(
            errors(json!({"password_change_logout": "yes", "fail_closed_roles": ["editor", "Admin", 3]})),
            vec![
                ("password_change_logout".to_string(), "yes".to_string()),
                ("fail_closed_roles[1]".to_string(), "Admin".to_string()),
                ("fail_closed_roles[2]".to_string(), "3".to_string()),
            ]
        );
        assert_eq!(
            errors(json!({"fail_closed_roles": "editor"})),
            vec![("fail_closed_roles".to_string(), "editor".to_string())]
        );
    }

    #[test]
    fn idle_warning_and_notifications() {
        let d = Settings::default();
        assert_eq!(d.idle_warning, 0);
        assert_eq!(d.notifications, NotificationSettings { limit_ended: false, flagged: false });

        let s = validate_value(&json!({
            "idle_warning": 3600,
            "notifications": {"limit_ended": true, "flagged": false},
        }))
        .unwrap();
        assert_eq!(s.idle_warning, 3600);
        assert_eq!(s.notifications, NotificationSettings { limit_ended: true, flagged: false });
        let s = validate_value(&json!({"idle_warning": 0, "notifications": {"flagged": true}})).unwrap();
        assert_eq!((s.idle_warning, s.notifications.limit_ended, s.notifications.flagged), (0, false, true));
        // PHP writes an empty group as [].
        assert_eq!(validate_value(&json!({"notifications": []})).unwrap().notifications, d.notifications);

        for bad in [json!(3601), json!(-5), json!(1.5), json!("120"), json!(true)] {
            assert_eq!(errors(json!({ "idle_warning": bad })), vec![("idle_warning".to_string(), show(&bad))]);
        }
        assert_eq!(
            errors(json!({"notifications": {"limit_ended": "yes", "flaged": true}})),
            vec![
                ("notifications.flaged".to_string(), "true".to_string()),
                ("notifications.limit_ended".to_string(), "yes".to_string()),
            ]
        );
        assert_eq!(errors(json!({"notifications": true})), vec![("notifications".to_string(), "true".to_string())]);
        let e = validate_value(&json!({"idle_warning": 3601})).unwrap_err();
        assert!(e[0].message.contains("3600"), "{}", e[0].message);
    }

    #[test]
    fn countries() {
        assert_eq!(known_country(" fr "), Some("FR".into()));
        assert_eq!(known_country("xx"), None);
        assert_eq!(known_country("T1"), None);
        assert_eq!(known_country(""), None);
    }
}
