//! What a user-agent string says about the device behind a session.
//!
//! woothee does the heavy lifting; a small layer of our own fills what it does not
//! know: tablets (it calls every iPad and Android tablet a smartphone), the
//! WordPress mobile apps, HTTP libraries it leaves unrecognised, and bots it reads
//! as browsers. Limits key on the families this returns (browser, OS, device
//! class), never on versions, because reduced UAs freeze versions anyway
//! (`Windows NT 10.0` is also Windows 11, `Mac OS X 10_15_7` every later macOS).
//!
//! Labels include the major version for browsers and libraries ("Chrome 131 on
//! Windows", "curl 8") and leave it out for apps and bots ("WordPress app on iOS",
//! "Googlebot"), whose version numbers mean nothing to a site owner.

use crate::types::*;
use woothee::parser::{Parser, WootheeResult};

const UNKNOWN: &str = "UNKNOWN";

pub fn describe(ua: &str) -> UaDescription {
    let ua = ua.trim();
    if ua.is_empty() || ua == "-" {
        return unknown_device();
    }
    let parsed = Parser::new().parse(ua);
    let w = parsed.as_ref();
    // Split once: every rule below looks at the same tokens.
    let tokens = products(ua);

    if let Some(d) = bot(&tokens, w) {
        return d;
    }
    if let Some(d) = wordpress_app(ua, &tokens, w) {
        return d;
    }
    if let Some(d) = library(&tokens, w) {
        return d;
    }
    match w {
        Some(w) => browser(ua, &tokens, w),
        None => unknown_device(),
    }
}

fn unknown_device() -> UaDescription {
    UaDescription {
        browser: String::new(),
        version: String::new(),
        os: String::new(),
        device_class: DeviceClass::Other,
        device_type: "unknown".into(),
        client_type: ClientType::Other,
        label: "Unknown device".into(),
    }
}

/// woothee's "UNKNOWN" as an empty string.
fn known(value: &str) -> &str {
    if value == UNKNOWN {
        ""
    } else {
        value
    }
}

/// Crawlers woothee knows, plus anything naming itself a bot, crawler or spider,
/// and headless browsers (automation, not a person). The name comes from the
/// UA's own token when there is one: woothee's names for crawlers are its own
/// ("misc crawler", "ahref AhrefsBot").
fn bot(tokens: &[Product<'_>], w: Option<&WootheeResult>) -> Option<UaDescription> {
    let woothee_says = w.is_some_and(|w| w.category == "crawler");
    let token = tokens.iter().find(|(name, _)| is_bot_name(name));
    if !woothee_says && token.is_none() {
        return None;
    }
    let (name, version) = match token {
        Some((name, version)) => (name.to_string(), version.to_string()),
        None => {
            let woothee_name = w.map(|w| known(w.name)).unwrap_or("");
            let woothee_version = w.map(|w| known(w.version)).unwrap_or("").to_string();
            if !woothee_name.is_empty() && woothee_name != "misc crawler" {
                (woothee_name.to_string(), woothee_version)
            } else {
                match tokens.iter().find(|(name, _)| !name.eq_ignore_ascii_case("Mozilla")) {
                    Some((name, version)) => (name.to_string(), version.to_string()),
                    None => ("Bot".to_string(), woothee_version),
                }
            }
        }
    };
    Some(UaDescription {
        label: name.clone(),
        browser: name,
        version,
        os: String::new(),
        device_class: DeviceClass::Bot,
        device_type: "crawler".into(),
        client_type: ClientType::Bot,
    })
}

fn is_bot_name(name: &str) -> bool {
    let name = name.as_bytes();
    let ends_with = |suffix: &[u8]| name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    let contains = |needle: &[u8]| name.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    // CUBOT is a phone maker whose model names end in "bot".
    (ends_with(b"bot") && !name.eq_ignore_ascii_case(b"cubot"))
        || contains(b"bot-")
        || contains(b"crawler")
        || contains(b"spider")
        || name.get(..8).is_some_and(|head| head.eq_ignore_ascii_case(b"headless"))
}

/// The WordPress mobile and desktop apps: `wp-iphone/24.6 (iOS 17.4.1, …)`, the
/// apps' web views ending in `wp-android/24.6`, `wp-windows8`, and the iOS app's
/// networking stack (`WordPress/24.6 CFNetwork/… Darwin/…`). okhttp and other
/// bare libraries are libraries even when an app uses them: nothing in the UA
/// says which app.
fn wordpress_app(ua: &str, tokens: &[Product<'_>], w: Option<&WootheeResult>) -> Option<UaDescription> {
    const APPS: [(&str, &str); 6] = [
        ("wp-iphone", "iOS"),
        ("wp-ipad", "iPadOS"),
        ("wp-android", "Android"),
        ("wp-windows8", "Windows"),
        ("wp-windowsphone", "Windows Phone"),
        ("wp-blackberry", "BlackBerry"),
    ];
    let from_token = tokens.iter().find_map(|&(name, version)| {
        APPS.iter().find(|(app, _)| name.eq_ignore_ascii_case(app)).map(|(_, os)| (*os, version))
    });
    let (os, version) = match from_token {
        Some(found) => found,
        None => {
            let &(name, version) = tokens.first()?;
            if name == "WordPress" && (ua.contains("CFNetwork/") || ua.contains("Darwin/")) {
                ("iOS", version)
            } else {
                return None;
            }
        }
    };
    let os = if os == "iOS" && ua.contains("iPad") { "iPadOS" } else { os };
    let device_type = if is_tablet(ua) || os == "iPadOS" {
        "tablet"
    } else {
        match os {
            "iOS" | "Android" | "Windows Phone" | "BlackBerry" => "smartphone",
            "Windows" => "pc",
            _ => w.map(|w| device_type(w.category)).unwrap_or("unknown"),
        }
    };
    Some(UaDescription {
        browser: "WordPress app".into(),
        version: version.to_string(),
        os: os.to_string(),
        device_class: class_of(device_type),
        device_type: device_type.into(),
        client_type: ClientType::App,
        label: label("WordPress app", "", os),
    })
}

/// HTTP libraries and command-line tools, named by the UA's first product token.
fn library(tokens: &[Product<'_>], w: Option<&WootheeResult>) -> Option<UaDescription> {
    const LIBRARIES: [&str; 24] = [
        "curl",
        "Wget",
        "python-requests",
        "Python-urllib",
        "python-httpx",
        "aiohttp",
        "Go-http-client",
        "okhttp",
        "Java",
        "Apache-HttpClient",
        "PHP",
        "GuzzleHttp",
        "axios",
        "node-fetch",
        "undici",
        "node",
        "Deno",
        "libwww-perl",
        "Ruby",
        "Faraday",
        "PostmanRuntime",
        "insomnia",
        "HTTPie",
        "Dart",
    ];
    let &(name, version) = tokens.first()?;
    let browser = if name == "WordPress" {
        // Core's WP_Http sends `WordPress/6.5.2; https://example.com`.
        "WordPress HTTP API".to_string()
    } else if let Some(canonical) = LIBRARIES.iter().find(|l| l.eq_ignore_ascii_case(name)) {
        (*canonical).to_string()
    } else if w.is_some_and(|w| w.name == "HTTP Library") {
        name.to_string()
    } else {
        return None;
    };
    Some(UaDescription {
        label: label(&browser, version, ""),
        browser,
        version: version.to_string(),
        os: String::new(),
        device_class: DeviceClass::Other,
        device_type: "library".into(),
        client_type: ClientType::Library,
    })
}

fn browser(ua: &str, tokens: &[Product<'_>], w: &WootheeResult) -> UaDescription {
    let mut name = match known(w.name) {
        "SamsungBrowser" => "Samsung Internet",
        "Webview" => "WebView",
        other => other,
    }
    .to_string();
    let mut version = known(w.version).to_string();
    if let Some(silk) = product_version(tokens, "Silk") {
        // Fire tablets say "like Chrome"; woothee believes them.
        name = "Silk".into();
        version = silk.to_string();
    } else if name == "WebView" && ua.contains("Android") {
        // Android web views carry a meaningless `Version/4.0`; the engine is Chrome's.
        if let Some(chrome) = product_version(tokens, "Chrome") {
            version = chrome.to_string();
        }
    }
    let mut os = os_family(known(w.os)).to_string();
    let mut device = device_type(w.category);
    if device != "pc" && is_tablet(ua) {
        device = "tablet";
    }
    if os == "iOS" && ua.contains("iPad") {
        os = "iPadOS".into();
    }
    let client_type = if name.is_empty() { ClientType::Other } else { ClientType::Browser };
    UaDescription {
        label: label(&name, &version, &os),
        browser: name,
        version,
        os,
        device_class: class_of(device),
        device_type: device.into(),
        client_type,
    }
}

fn is_tablet(ua: &str) -> bool {
    ua.contains("iPad")
        || ua.contains("Tablet")
        || ua.contains("Kindle")
        || ua.contains("Silk/")
        || (ua.contains("Android") && !ua.contains("Mobile"))
}

fn device_type(category: &str) -> &'static str {
    match category {
        "pc" => "pc",
        "smartphone" => "smartphone",
        "mobilephone" => "feature-phone",
        "crawler" => "crawler",
        "appliance" => "appliance",
        _ => "unknown",
    }
}

fn class_of(device_type: &str) -> DeviceClass {
    match device_type {
        "pc" => DeviceClass::Desktop,
        "smartphone" | "feature-phone" => DeviceClass::Mobile,
        "tablet" => DeviceClass::Tablet,
        "crawler" => DeviceClass::Bot,
        _ => DeviceClass::Other,
    }
}

/// woothee's OS names ("Windows 10", "Mac OSX", "iPhone") as families.
fn os_family(os: &str) -> &str {
    match os {
        "" => "",
        "Windows Phone OS" => "Windows Phone",
        o if o.starts_with("Windows") => "Windows",
        "Mac OSX" => "macOS",
        "Mac OS Classic" => "Mac OS",
        "iPhone" | "iPod" | "iOS" => "iOS",
        "iPad" => "iPadOS",
        "BlackBerry 10" => "BlackBerry",
        other => other,
    }
}

/// "Chrome 131 on Windows", degrading to "Chrome on Windows", "curl 8", "Firefox".
fn label(browser: &str, version: &str, os: &str) -> String {
    if browser.is_empty() {
        return if os.is_empty() { "Unknown device".into() } else { format!("Unknown browser on {os}") };
    }
    let mut out = browser.to_string();
    let major = version.split('.').next().unwrap_or("");
    if !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) {
        out.push(' ');
        out.push_str(major);
    }
    if !os.is_empty() && os != browser {
        out.push_str(" on ");
        out.push_str(os);
    }
    out
}

/// A `Name/version` token of a UA; the version is empty when the token has none.
type Product<'a> = (&'a str, &'a str);

/// `Name/version` tokens in order, outside the parenthesised comments are not
/// special: bots hide theirs inside `(compatible; Googlebot/2.1; +http://…)`.
/// Links and addresses are not products.
fn products(ua: &str) -> Vec<Product<'_>> {
    ua.split(|c: char| c.is_whitespace() || matches!(c, ';' | '(' | ')' | ','))
        .filter(|t| !t.is_empty() && !t.starts_with('+') && !t.contains("://") && !t.contains('@'))
        .map(|t| match t.split_once('/') {
            Some((name, version)) => (name, version),
            None => (t, ""),
        })
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

fn product_version<'a>(tokens: &[Product<'a>], name: &str) -> Option<&'a str> {
    tokens.iter().find(|(n, v)| *n == name && !v.is_empty()).map(|&(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (UA, browser, version, os, class, device type, client type, label)
    type Row = (&'static str, &'static str, &'static str, &'static str, DeviceClass, &'static str, ClientType, &'static str);

    fn check(rows: &[Row]) {
        for (ua, browser, version, os, class, device, client, label) in rows {
            let got = describe(ua);
            let want = UaDescription {
                browser: browser.to_string(),
                version: version.to_string(),
                os: os.to_string(),
                device_class: *class,
                device_type: device.to_string(),
                client_type: *client,
                label: label.to_string(),
            };
            assert_eq!(got, want, "{ua}");
        }
    }

    use ClientType as C;
    use DeviceClass as D;

    /// The sixteen samples measured in data-deps.md §1.4.
    #[test]
    fn research_samples() {
        check(&[
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
             "Chrome", "124.0.0.0", "Windows", D::Desktop, "pc", C::Browser, "Chrome 124 on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
             "Safari", "17.4", "iOS", D::Mobile, "smartphone", C::Browser, "Safari 17 on iOS"),
            ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
             "Firefox", "125.0", "Linux", D::Desktop, "pc", C::Browser, "Firefox 125 on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
             "Edge", "124.0.2478.51", "Windows", D::Desktop, "pc", C::Browser, "Edge 124 on Windows"),
            ("Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
             "Samsung Internet", "24.0", "Android", D::Mobile, "smartphone", C::Browser, "Samsung Internet 24 on Android"),
            ("curl/8.5.0", "curl", "8.5.0", "", D::Other, "library", C::Library, "curl 8"),
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
             "Googlebot", "2.1", "", D::Bot, "crawler", C::Bot, "Googlebot"),
            ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
             "Googlebot", "2.1", "", D::Bot, "crawler", C::Bot, "Googlebot"),
            ("wp-iphone/24.6 (iOS 17.4.1, iPhone14,5) Mobile",
             "WordPress app", "24.6", "iOS", D::Mobile, "smartphone", C::App, "WordPress app on iOS"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A.240405.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 wp-android/24.6",
             "WordPress app", "24.6", "Android", D::Mobile, "smartphone", C::App, "WordPress app on Android"),
            ("WordPress/6.5.2; https://example.com",
             "WordPress HTTP API", "6.5.2", "", D::Other, "library", C::Library, "WordPress HTTP API 6"),
            ("okhttp/4.12.0", "okhttp", "4.12.0", "", D::Other, "library", C::Library, "okhttp 4"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
             "Safari", "17.4", "macOS", D::Desktop, "pc", C::Browser, "Safari 17 on macOS"),
            ("Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
             "Chrome", "124.0.6367.88", "iPadOS", D::Tablet, "tablet", C::Browser, "Chrome 124 on iPadOS"),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
             "Chrome", "124.0.0.0", "Android", D::Mobile, "smartphone", C::Browser, "Chrome 124 on Android"),
            ("Mozilla/5.0 (Android 14; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0",
             "Firefox", "125.0", "Android", D::Tablet, "tablet", C::Browser, "Firefox 125 on Android"),
        ]);
    }

    #[test]
    fn current_browsers() {
        check(&[
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
             "Chrome", "131.0.0.0", "Windows", D::Desktop, "pc", C::Browser, "Chrome 131 on Windows"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
             "Edge", "131.0.2903.86", "Windows", D::Desktop, "pc", C::Browser, "Edge 131 on Windows"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
             "Firefox", "133.0", "Windows", D::Desktop, "pc", C::Browser, "Firefox 133 on Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
             "Firefox", "133.0", "macOS", D::Desktop, "pc", C::Browser, "Firefox 133 on macOS"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15",
             "Safari", "18.2", "macOS", D::Desktop, "pc", C::Browser, "Safari 18 on macOS"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
             "Chrome", "131.0.0.0", "macOS", D::Desktop, "pc", C::Browser, "Chrome 131 on macOS"),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
             "Chrome", "131.0.0.0", "ChromeOS", D::Desktop, "pc", C::Browser, "Chrome 131 on ChromeOS"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/116.0.0.0",
             "Opera", "116.0.0.0", "Windows", D::Desktop, "pc", C::Browser, "Opera 116 on Windows"),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
             "Chrome", "131.0.0.0", "Android", D::Mobile, "smartphone", C::Browser, "Chrome 131 on Android"),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.2903.87",
             "Edge", "131.0.2903.87", "Android", D::Mobile, "smartphone", C::Browser, "Edge 131 on Android"),
            ("Mozilla/5.0 (Android 15; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
             "Firefox", "133.0", "Android", D::Mobile, "smartphone", C::Browser, "Firefox 133 on Android"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1",
             "Safari", "18.2", "iOS", D::Mobile, "smartphone", C::Browser, "Safari 18 on iOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
             "Chrome", "131.0.6778.73", "iOS", D::Mobile, "smartphone", C::Browser, "Chrome 131 on iOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
             "Firefox", "133.0", "iOS", D::Mobile, "smartphone", C::Browser, "Firefox 133 on iOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 EdgiOS/131.2903.92 Mobile/15E148 Safari/605.1.15",
             "Edge", "131.2903.92", "iOS", D::Mobile, "smartphone", C::Browser, "Edge 131 on iOS"),
            ("Mozilla/5.0 (iPad; CPU OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1",
             "Safari", "18.2", "iPadOS", D::Tablet, "tablet", C::Browser, "Safari 18 on iPadOS"),
            ("Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
             "Chrome", "131.0.0.0", "Android", D::Tablet, "tablet", C::Browser, "Chrome 131 on Android"),
            ("Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/131.4.1 like Chrome/131.0.6778.200 Safari/537.36",
             "Silk", "131.4.1", "Android", D::Tablet, "tablet", C::Browser, "Silk 131 on Android"),
            ("Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko",
             "Internet Explorer", "11.0", "Windows", D::Desktop, "pc", C::Browser, "Internet Explorer 11 on Windows"),
        ]);
    }

    #[test]
    fn apps_libraries_and_bots() {
        check(&[
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wp-iphone/24.6",
             "WordPress app", "24.6", "iOS", D::Mobile, "smartphone", C::App, "WordPress app on iOS"),
            ("wp-iphone/24.6 (iPadOS 17.4.1, iPad13,16) Mobile",
             "WordPress app", "24.6", "iPadOS", D::Tablet, "tablet", C::App, "WordPress app on iPadOS"),
            ("WordPress/24.6 CFNetwork/1494.0.7 Darwin/23.4.0",
             "WordPress app", "24.6", "iOS", D::Mobile, "smartphone", C::App, "WordPress app on iOS"),
            ("wp-android/24.6 (Android 14; en_US; Google Pixel 8/husky) Mobile",
             "WordPress app", "24.6", "Android", D::Mobile, "smartphone", C::App, "WordPress app on Android"),
            ("wp-windows8", "WordPress app", "", "Windows", D::Desktop, "pc", C::App, "WordPress app on Windows"),
            ("python-requests/2.32.3", "python-requests", "2.32.3", "", D::Other, "library", C::Library, "python-requests 2"),
            ("Go-http-client/2.0", "Go-http-client", "2.0", "", D::Other, "library", C::Library, "Go-http-client 2"),
            ("Wget/1.21.4", "Wget", "1.21.4", "", D::Other, "library", C::Library, "Wget 1"),
            ("Java/17.0.9", "Java", "17.0.9", "", D::Other, "library", C::Library, "Java 17"),
            ("Apache-HttpClient/4.5.14 (Java/17.0.9)", "Apache-HttpClient", "4.5.14", "", D::Other, "library", C::Library, "Apache-HttpClient 4"),
            ("PHP/8.3.6", "PHP", "8.3.6", "", D::Other, "library", C::Library, "PHP 8"),
            ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
             "bingbot", "2.0", "", D::Bot, "crawler", C::Bot, "bingbot"),
            ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot",
             "GPTBot", "1.2", "", D::Bot, "crawler", C::Bot, "GPTBot"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
             "HeadlessChrome", "131.0.0.0", "", D::Bot, "crawler", C::Bot, "HeadlessChrome"),
        ]);
    }

    #[test]
    fn unknown_and_partial() {
        for ua in ["", "   ", "-", "something weird", "\u{0}\u{1}garbage"] {
            assert_eq!(describe(ua), unknown_device(), "{ua:?}");
        }
        let d = describe("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0.0");
        assert_eq!((d.browser.as_str(), d.os.as_str(), d.label.as_str()), ("WebView", "iOS", "WebView on iOS"));
        assert_eq!(d.device_class, D::Mobile);
        // A phone whose maker's name ends in "bot" is still a phone.
        let d = describe("Mozilla/5.0 (Linux; Android 11; CUBOT KINGKONG 5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36");
        assert_eq!((d.client_type, d.device_class), (C::Browser, D::Mobile));
    }

    #[test]
    fn labels_degrade() {
        assert_eq!(label("Firefox", "", "Linux"), "Firefox on Linux");
        assert_eq!(label("curl", "8.5.0", ""), "curl 8");
        assert_eq!(label("", "", "iOS"), "Unknown browser on iOS");
        assert_eq!(label("", "", ""), "Unknown device");
        assert_eq!(label("docomo", "P903i", "docomo"), "docomo");
    }
}
