//! The data that crosses the engine boundary, mirroring `wit/session-warden.wit`
//! field for field. The serde names are the JSON mapping documented there, so the
//! corpus, the JSON entry point and the typed WIT functions all speak one shape.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    LogoutOldest,
    LogoutAll,
    Block,
    Redirect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    User,
    Ip,
    Country,
    DeviceClass,
    DeviceType,
    ClientType,
    Browser,
    Os,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceClass {
    Desktop,
    Mobile,
    Tablet,
    Bot,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientType {
    Browser,
    App,
    Library,
    Bot,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpScope {
    #[default]
    Any,
    PrivateOnly,
    PublicOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeStrategy {
    #[default]
    MostGenerous,
    Strictest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpSource {
    RemoteAddr,
    Forwarded,
    XForwardedFor,
    XRealIp,
    CfConnectingIp,
    CustomHeader,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpMode {
    #[default]
    Auto,
    Header,
    RemoteAddr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    IpShift,
    CountryAnomaly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    LimitUser,
    LimitIp,
    LimitCountry,
    LimitDeviceClass,
    LimitDeviceType,
    LimitClientType,
    LimitBrowser,
    LimitOs,
    MaxIps,
    IpDenied,
    IpNotAllowed,
    IpScope,
    Idle,
    IpChanged,
    Epoch,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Limit {
    pub kind: LimitKind,
    pub max: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub limits: Vec<Limit>,
    pub max_ips: u32,
    pub mode: Mode,
    pub message_key: String,
    pub redirect_url: String,
    pub idle_timeout: u64,
    pub ip_binding: bool,
    pub ip_scope: IpScope,
    pub ip_allow: Vec<String>,
    pub ip_deny: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulePatch {
    pub limits: Option<Vec<Limit>>,
    pub max_ips: Option<u32>,
    pub mode: Option<Mode>,
    pub message_key: Option<String>,
    pub redirect_url: Option<String>,
    pub idle_timeout: Option<u64>,
    pub ip_binding: Option<bool>,
    pub ip_scope: Option<IpScope>,
    pub ip_allow: Option<Vec<String>>,
    pub ip_deny: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    pub role: String,
    pub rule: RulePatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRule {
    pub user_id: u64,
    pub rule: RulePatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bypass {
    pub user_ids: Vec<u64>,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientIpSettings {
    pub mode: IpMode,
    pub header: String,
    pub trusted_proxies: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlagSettings {
    pub ip_shift: bool,
    pub country_anomaly: bool,
}

/// Which e-mails the plugin sends a user about their own sessions (all off by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationSettings {
    /// One of the user's sessions was ended by a limit (`limit_*` or `max_ips`).
    pub limit_ended: bool,
    /// One of the user's sessions was flagged (IP shift, country anomaly).
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub version: u64,
    pub merge: MergeStrategy,
    pub defaults: Rule,
    pub roles: Vec<RoleRule>,
    pub users: Vec<UserRule>,
    pub bypass: Bypass,
    pub client_ip: ClientIpSettings,
    pub flags: FlagSettings,
    pub activity_interval: u64,
    pub password_change_logout: bool,
    pub retention_days: u32,
    pub fail_closed_roles: Vec<String>,
    pub idle_warning: u64,
    pub notifications: NotificationSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub value: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct User {
    pub id: u64,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Session {
    pub verifier: String,
    pub login: u64,
    pub expiration: u64,
    pub last_activity: u64,
    pub ip: String,
    pub country: String,
    pub ua: String,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Attempt {
    pub ip: String,
    pub country: String,
    pub ua: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreLoginRequest {
    #[serde(default)]
    pub settings: Settings,
    pub user: User,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[serde(default)]
    pub settings: Settings,
    pub user: User,
    pub now: u64,
    pub attempt: Attempt,
    #[serde(default)]
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AllowLogin {
    pub destroy: Vec<String>,
    pub reason: Option<Reason>,
    pub expired: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockLogin {
    pub reason: Reason,
    pub message_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectLogin {
    pub reason: Reason,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LoginVerdict {
    Allow(AllowLogin),
    Block(BlockLogin),
    Redirect(RedirectLogin),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestCheck {
    #[serde(default)]
    pub settings: Settings,
    pub user: User,
    pub now: u64,
    pub ip: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub epoch: u64,
    #[serde(default = "yes")]
    pub is_activity: bool,
    pub session: Session,
    #[serde(default)]
    pub others: Vec<Session>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    pub until: u64,
    pub ip: String,
    pub epoch: u64,
    pub settings_version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContinueSession {
    pub record_activity: bool,
    pub new_flags: Vec<Flag>,
    pub valid: Validity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndSession {
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RequestVerdict {
    Continue(ContinueSession),
    End(EndSession),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepRequest {
    #[serde(default)]
    pub settings: Settings,
    pub user: User,
    pub now: u64,
    #[serde(default)]
    pub epoch: u64,
    #[serde(default)]
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swept {
    pub verifier: String,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientIpRequest {
    #[serde(default)]
    pub settings: ClientIpSettings,
    pub remote_addr: String,
    #[serde(default)]
    pub headers: Vec<Header>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientIp {
    pub ip: String,
    pub source: IpSource,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UaDescription {
    pub browser: String,
    pub version: String,
    pub os: String,
    pub device_class: DeviceClass,
    pub device_type: String,
    pub client_type: ClientType,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoMeta {
    pub database_type: String,
    pub build_epoch: u64,
    pub ip_version: u16,
    pub node_count: u32,
}

/// What the host saw of the HTTP request in hand; the engine resolves the client from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFacts {
    pub remote_addr: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub ua: String,
    #[serde(default)]
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateRequest {
    #[serde(default)]
    pub settings: Settings,
    pub user: User,
    pub facts: RequestFacts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateAnswer {
    pub client: ClientIp,
    pub verdict: LoginVerdict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmitRequest {
    #[serde(default)]
    pub settings: Settings,
    pub user: User,
    pub now: u64,
    pub facts: RequestFacts,
    #[serde(default)]
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmitAnswer {
    pub client: ClientIp,
    pub device: UaDescription,
    pub verdict: LoginVerdict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitRequest {
    #[serde(default)]
    pub settings: Settings,
    pub user: User,
    pub now: u64,
    pub facts: RequestFacts,
    #[serde(default)]
    pub epoch: u64,
    #[serde(default = "yes")]
    pub is_activity: bool,
    pub session: Session,
    #[serde(default)]
    pub others: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitAnswer {
    pub client: ClientIp,
    pub verdict: RequestVerdict,
}

/// For the browser's idle warning: when will this session end for idleness?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdleDeadlineRequest {
    #[serde(default)]
    pub settings: Settings,
    pub user: User,
    pub now: u64,
    /// Logins before this time have been logged out site-wide; 0 = never.
    #[serde(default)]
    pub epoch: u64,
    pub session: Session,
}

/// Absolute unix times, like every time the engine answers; 0 means never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdleDeadlineAnswer {
    /// When the session ends for idleness unless activity is recorded before.
    pub ends: u64,
    /// When the browser should start warning (always before `ends`).
    pub warn: u64,
}

/// What the host may skip for a settings document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsPlan {
    /// Whether any IP rule can apply, so the pre-password check is worth a call.
    pub gate: bool,
}

/// Safe out of the box: nothing is limited until the site owner says so, activity
/// is recorded at most once a minute, and forwarding headers are believed from no one.
impl Default for Rule {
    fn default() -> Self {
        Rule {
            limits: Vec::new(),
            max_ips: 0,
            mode: Mode::LogoutOldest,
            message_key: "limit_reached".to_string(),
            redirect_url: String::new(),
            idle_timeout: 0,
            ip_binding: false,
            ip_scope: IpScope::Any,
            ip_allow: Vec::new(),
            ip_deny: Vec::new(),
        }
    }
}

impl Default for FlagSettings {
    fn default() -> Self {
        FlagSettings { ip_shift: true, country_anomaly: true }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: 0,
            merge: MergeStrategy::MostGenerous,
            defaults: Rule::default(),
            roles: Vec::new(),
            users: Vec::new(),
            bypass: Bypass::default(),
            client_ip: ClientIpSettings::default(),
            flags: FlagSettings::default(),
            activity_interval: 60,
            password_change_logout: true,
            retention_days: 90,
            fail_closed_roles: Vec::new(),
            idle_warning: 0,
            notifications: NotificationSettings::default(),
        }
    }
}
