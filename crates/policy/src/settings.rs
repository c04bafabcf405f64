//! Settings: validation of what a site owner typed, and the rule that applies to one user.
//! (Stub: signatures are the contract; bodies are being written.)

use crate::types::*;

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

/// Parses and checks a settings document; the normalised settings or every error.
pub fn validate(raw: &str) -> Result<Settings, Vec<FieldError>> {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(value) => validate_value(&value),
        Err(e) => Err(vec![FieldError { field: String::new(), value: String::new(), message: e.to_string() }]),
    }
}

pub fn validate_value(value: &serde_json::Value) -> Result<Settings, Vec<FieldError>> {
    serde_json::from_value(value.clone())
        .map_err(|e| vec![FieldError { field: String::new(), value: String::new(), message: e.to_string() }])
}

/// The rule for `user`, or `Bypass`.
pub fn effective(settings: &Settings, _user: &User) -> Effective {
    Effective::Rule(Box::new(Resolved { rule: settings.defaults.clone(), ip_rules: Vec::new(), merge: settings.merge }))
}
