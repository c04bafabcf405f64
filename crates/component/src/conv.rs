//! Conversions between the WIT types and the core's types, in both directions.
//!
//! The core's `types.rs` mirrors the WIT field by field, so every conversion is a
//! plain move. This file is shared: the component uses it over wit-bindgen's guest
//! types, and the engine's tests use it over wasmtime's host types (through
//! `#[path]`) to call the typed exports. The including module provides `wit`, a
//! module re-exporting the generated types of the exported interface `types`.
//! `Conv` is a local trait so the impls are allowed even where both sides are
//! foreign types.

use session_warden_policy::types as core;

use super::wit;

pub trait Conv<T> {
    fn conv(self) -> T;
}

macro_rules! identity {
    ($($t:ty),*) => {$(
        impl Conv<$t> for $t {
            fn conv(self) -> $t {
                self
            }
        }
    )*};
}
identity!(String, bool, u16, u32, u64, u8);

impl<A: Conv<B>, B> Conv<Vec<B>> for Vec<A> {
    fn conv(self) -> Vec<B> {
        self.into_iter().map(Conv::conv).collect()
    }
}

impl<A: Conv<B>, B> Conv<Option<B>> for Option<A> {
    fn conv(self) -> Option<B> {
        self.map(Conv::conv)
    }
}

macro_rules! enums {
    ($($name:ident { $($case:ident),* $(,)? })*) => {$(
        impl Conv<core::$name> for wit::$name {
            fn conv(self) -> core::$name {
                match self { $(wit::$name::$case => core::$name::$case,)* }
            }
        }
        impl Conv<wit::$name> for core::$name {
            fn conv(self) -> wit::$name {
                match self { $(core::$name::$case => wit::$name::$case,)* }
            }
        }
    )*};
}

macro_rules! records {
    ($($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl Conv<core::$name> for wit::$name {
            fn conv(self) -> core::$name {
                core::$name { $($field: self.$field.conv(),)* }
            }
        }
        impl Conv<wit::$name> for core::$name {
            fn conv(self) -> wit::$name {
                wit::$name { $($field: self.$field.conv(),)* }
            }
        }
    )*};
}

macro_rules! variants {
    ($($name:ident { $($case:ident),* $(,)? })*) => {$(
        impl Conv<core::$name> for wit::$name {
            fn conv(self) -> core::$name {
                match self { $(wit::$name::$case(x) => core::$name::$case(x.conv()),)* }
            }
        }
        impl Conv<wit::$name> for core::$name {
            fn conv(self) -> wit::$name {
                match self { $(core::$name::$case(x) => wit::$name::$case(x.conv()),)* }
            }
        }
    )*};
}

enums! {
    Mode { LogoutOldest, LogoutAll, Block, Redirect }
    LimitKind { User, Ip, Country, DeviceClass, DeviceType, ClientType, Browser, Os }
    DeviceClass { Desktop, Mobile, Tablet, Bot, Other }
    ClientType { Browser, App, Library, Bot, Other }
    IpScope { Any, PrivateOnly, PublicOnly }
    MergeStrategy { MostGenerous, Strictest }
    IpSource { RemoteAddr, Forwarded, XForwardedFor, XRealIp, CfConnectingIp, CustomHeader }
    IpMode { Auto, Header, RemoteAddr }
    Flag { IpShift, CountryAnomaly }
    Reason {
        LimitUser, LimitIp, LimitCountry, LimitDeviceClass, LimitDeviceType, LimitClientType,
        LimitBrowser, LimitOs, MaxIps, IpDenied, IpNotAllowed, IpScope, Idle, IpChanged, Epoch, Expired,
    }
}

records! {
    Limit { kind, max }
    Rule {
        limits, max_ips, mode, message_key, redirect_url, idle_timeout, ip_binding, ip_scope, ip_allow, ip_deny,
    }
    RulePatch {
        limits, max_ips, mode, message_key, redirect_url, idle_timeout, ip_binding, ip_scope, ip_allow, ip_deny,
    }
    RoleRule { role, rule }
    UserRule { user_id, rule }
    Bypass { user_ids, roles }
    ClientIpSettings { mode, header, trusted_proxies }
    FlagSettings { ip_shift, country_anomaly }
    NotificationSettings { limit_ended, flagged }
    Settings {
        version, merge, defaults, roles, users, bypass, client_ip, flags, activity_interval, password_change_logout,
        retention_days, fail_closed_roles, idle_warning, notifications,
    }
    FieldError { field, value, message }
    User { id, roles }
    Session { verifier, login, expiration, last_activity, ip, country, ua, flags }
    Attempt { ip, country, ua }
    PreLoginRequest { settings, user, ip }
    LoginRequest { settings, user, now, attempt, sessions }
    AllowLogin { destroy, reason, expired }
    BlockLogin { reason, message_key }
    RedirectLogin { reason, url }
    RequestCheck { settings, user, now, ip, country, epoch, is_activity, session, others }
    Validity { until, ip, epoch, settings_version }
    ContinueSession { record_activity, new_flags, valid }
    EndSession { reason }
    SweepRequest { settings, user, now, epoch, sessions }
    Swept { verifier, reason }
    Header { name, value }
    ClientIpRequest { settings, remote_addr, headers }
    ClientIp { ip, source, note }
    UaDescription { browser, version, os, device_class, device_type, client_type, label }
    GeoMeta { database_type, build_epoch, ip_version, node_count }
    RequestFacts { remote_addr, headers, ua, country }
    GateRequest { settings, user, facts }
    GateAnswer { client, verdict }
    AdmitRequest { settings, user, now, facts, sessions }
    AdmitAnswer { client, device, verdict }
    VisitRequest { settings, user, now, facts, epoch, is_activity, session, others }
    VisitAnswer { client, verdict }
    SettingsPlan { gate }
    IdleDeadlineRequest { settings, user, now, epoch, session }
    IdleDeadlineAnswer { ends, warn }
}

variants! {
    LoginVerdict { Allow, Block, Redirect }
    RequestVerdict { Continue, End }
}
