use std::borrow::Cow;

use crate::lit;
use crate::rx::{version, Hint, Parts, Rx};

use crate::dataset;
use crate::woothee::VALUE_UNKNOWN;

lazy_static! {
    static ref RX_CHROME_PATTERN: Rx = Rx::run(r"(?:Chrome|CrMo|CriOS)/([.0-9]+)", &["Chrome/", "CrMo/", "CriOS/"], version, b"");
    static ref RX_DOCOMO_VERSION_PATTERN: Rx = Rx::new(r#"DoCoMo/[.0-9]+[ /]([^- /;()"']+)"#, Hint::Starts(&["DoCoMo/"]));
    static ref RX_VIVALDI_PATTERN: Rx = Rx::run(r"Vivaldi/([.0-9]+)", &["Vivaldi/"], version, b"");
    static ref RX_FIREFOX_PATTERN: Rx = Rx::run(r"Firefox/([.0-9]+)", &["Firefox/"], version, b"");
    static ref RX_FIREFOX_OS_PATTERN: Rx = Rx::new(r"^Mozilla/[.0-9]+ \((?:Mobile|Tablet);(?:.*;)? rv:([.0-9]+)\) Gecko/[.0-9]+ Firefox/[.0-9]+$", Hint::Starts(&["Mozilla/"]));
    static ref RX_FIREFOX_IOS_PATTERN: Rx = Rx::run(r"FxiOS/([.0-9]+)", &["FxiOS/"], version, b"");
    static ref RX_FOMA_VERSION_PATTERN: Rx = Rx::new(r"\(([^;)]+);FOMA;", Hint::Needs(";FOMA;"));
    static ref RX_JIG_PATTERN: Rx = Rx::new(r"jig browser[^;]+; ([^);]+)", Hint::Starts(&["jig browser"]));
    static ref RX_KDDI_PATTERN: Rx = Rx::new(r#"KDDI-([^- /;()"']+)"#, Hint::Starts(&["KDDI-"]));
    static ref RX_MAYBE_RSS_PATTERN: Rx = Rx::new(r"(?i)rss(?:reader|bar|[-_ /;()]|[ +]*/)", Hint::StartsAsciiCi(&["rss"]));
    static ref RX_MAYBE_CRAWLER_PATTERN: Rx = Rx::new(r"(?i)(?:bot|crawler|spider)(?:[-_ ./;@()]|$)", Hint::StartsAsciiCi(&["bot", "crawler", "spider"]));
    static ref RX_MAYBE_FEED_PARSER_PATTERN: Rx = Rx::new(r"(?i)(?:feed|web) ?parser", Hint::NeedsAsciiCi("parser"));
    static ref RX_MAYBE_WATCHDOG_PATTERN: Rx = Rx::new(r"(?i)watch ?dog", Hint::StartsAsciiCi(&["watch"]));
    static ref RX_MSEDGE_PATTERN: Rx = Rx::run(r"(?:Edge|Edg|EdgiOS|EdgA)/([.0-9]+)", &["Edge/", "Edg/", "EdgiOS/", "EdgA/"], version, b"");
    static ref RX_MSIE_PATTERN: Rx = Rx::run(r"MSIE ([.0-9]+);", &["MSIE "], version, b";");
    static ref RX_OPERA_VERSION_PATTERN1: Rx = Rx::run(r"Version/([.0-9]+)", &["Version/"], version, b"");
    static ref RX_OPERA_VERSION_PATTERN2: Rx = Rx::run(r"Opera[/ ]([.0-9]+)", &["Opera/", "Opera "], version, b"");
    static ref RX_OPERA_VERSION_PATTERN3: Rx = Rx::run(r"OPR/([.0-9]+)", &["OPR/"], version, b"");
    static ref RX_GSA_VERSION_PATTERN: Rx = Rx::run(r"GSA/([.0-9]+)", &["GSA/"], version, b"");
    static ref RX_SAFARI_PATTERN: Rx = Rx::run(r"Version/([.0-9]+)", &["Version/"], version, b"");
    static ref RX_SOFTBANK_PATTERN: Rx = Rx::new(r"(?:SoftBank|Vodafone|J-PHONE)/[.0-9]+/([^ /;()]+)", Hint::Starts(&["SoftBank/", "Vodafone/", "J-PHONE/"]));
    static ref RX_TRIDENT_PATTERN: Rx = Rx::run(r"Trident/([.0-9]+);", &["Trident/"], version, b";");
    static ref RX_TRIDENT_VERSION_PATTERN: Rx = Rx::run(r" rv:([.0-9]+)", &[" rv:"], version, b"");
    static ref RX_IEMOBILE_PATTERN: Rx = Rx::run(r"IEMobile/([.0-9]+);", &["IEMobile/"], version, b";");
    static ref RX_WILLCOM_PATTERN: Rx = Rx::new(r"(?:WILLCOM|DDIPOCKET);[^/]+/([^ /;()]+)", Hint::Starts(&["WILLCOM;", "DDIPOCKET;"]));
    static ref RX_WINDOWS_VERSION_PATTERN: Rx = Rx::run(r"Windows ([ .a-zA-Z0-9]+)[;\\)]", &["Windows "], |b| b == b' ' || b == b'.' || b.is_ascii_alphanumeric(), b";\\)");
    static ref RX_WIN_PHONE: Rx = Rx::new(r"^Phone(?: OS)? ([.0-9]+)", Hint::Starts(&["Phone"]));
    static ref RX_WEBVIEW_PATTERN: Rx = Rx::new(r"iP(hone;|ad;|od) .*like Mac OS X", Hint::Starts(&["iPhone;", "iPad;", "iPod "]));
    static ref RX_WEBVIEW_VERSION_PATTERN: Rx = Rx::run(r"Version/([.0-9]+)", &["Version/"], version, b"");
    static ref RX_PPC_OS_VERSION: Rx = Rx::parts(r"rv:(\d+\.\d+\.\d+)", Parts { literals: &["rv:"], first: "", seps: b".", min: 3, max: 3, ends: &[] });
    static ref RX_FREEBSD_OS_VERSION: Rx = Rx::run(r"FreeBSD ([^;\)]+);", &["FreeBSD "], |b| b != b';' && b != b')', b";");
    static ref RX_CHROMEOS_OS_VERSION: Rx = Rx::run(r"CrOS ([^\)]+)\)", &["CrOS "], |b| b != b')', b")");
    static ref RX_ANDROIDOS_OS_VERSION: Rx = Rx::parts(r"Android[- ](\d+(?:\.\d+(?:\.\d+)?)?)", Parts { literals: &["Android-", "Android "], first: "", seps: b".", min: 1, max: 3, ends: &[] });
    static ref RX_PSP_OS_VERSION: Rx = Rx::run(r"PSP \(PlayStation Portable\); ([.0-9]+)\)", &["PSP (PlayStation Portable); "], version, b")");
    static ref RX_PS3_OS_VERSION: Rx = Rx::run(r"PLAYSTATION 3;? ([.0-9]+)\)", &["PLAYSTATION 3; ", "PLAYSTATION 3 "], version, b")");
    static ref RX_PSVITA_OS_VERSION: Rx = Rx::run(r"PlayStation Vita ([.0-9]+)\)", &["PlayStation Vita "], version, b")");
    static ref RX_PS4_OS_VERSION: Rx = Rx::run(r"PlayStation 4 ([.0-9]+)\)", &["PlayStation 4 "], version, b")");
    static ref RX_BLACKBERRY10_OS_VERSION: Rx = Rx::new(r"BB10(?:.+)Version/([.0-9]+) ", Hint::Starts(&["BB10"]));
    static ref RX_BLACKBERRY_OS_VERSION: Rx = Rx::new(r"BlackBerry(?:\d+)/([.0-9]+) ", Hint::Starts(&["BlackBerry"]));
    static ref RX_OSX_IPHONE_OS_VERSION: Rx = Rx::parts(r"; CPU(?: iPhone)? OS (\d+_\d+(?:_\d+)?) like Mac OS X", Parts { literals: &["; CPU iPhone OS ", "; CPU OS "], first: "", seps: b"_", min: 2, max: 3, ends: &[" like Mac OS X"] });
    static ref RX_OSX_OS_VERSION: Rx = Rx::parts(r"Mac OS X (10[._]\d+(?:[._]\d+)?)(?:\)|;)", Parts { literals: &["Mac OS X "], first: "10", seps: b"._", min: 2, max: 3, ends: &[")", ";"] });
    static ref RX_HTTP_CLIENT: Rx = Rx::new(r"^(?:Apache-HttpClient/|Jakarta Commons-HttpClient/|Java/)", Hint::Starts(&["Apache-HttpClient/", "Jakarta Commons-HttpClient/", "Java/"]));
    static ref RX_HTTP_CLIENT_OTHER: Rx = Rx::new(r"[- ]HttpClient(/|$)", Hint::Needs("HttpClient"));
    static ref RX_PHP: Rx = Rx::new(r"^(?:PHP|WordPress|CakePHP|PukiWiki|PECL::HTTP)(?:/| |$)", Hint::Starts(&["PHP", "WordPress", "CakePHP", "PukiWiki", "PECL::HTTP"]));
    static ref RX_PEAR: Rx = Rx::new(r"(?:PEAR HTTP_Request|HTTP_Request)(?: class|2)", Hint::Starts(&["PEAR HTTP_Request", "HTTP_Request"]));
    static ref RX_MAYBE_CRAWLER_OTHER: Rx = Rx::new(r"(?:Rome Client |UnwindFetchor/|ia_archiver |Summify |PostRank/)", Hint::Starts(&["Rome Client ", "UnwindFetchor/", "ia_archiver ", "Summify ", "PostRank/"]));
    static ref RX_SAMSUNG_BROWSER: Rx = Rx::run(r"SamsungBrowser/([.0-9]+)", &["SamsungBrowser/"], version, b"");
    static ref RX_SLEIPNIR_VERSION: Rx = Rx::run(r"Sleipnir/([.0-9]+)", &["Sleipnir/"], version, b"");
    static ref RX_YABROWSER_VERSION: Rx = Rx::parts(r"YaBrowser/(\d+\.\d+\.\d+\.\d+)", Parts { literals: &["YaBrowser/"], first: "", seps: b".", min: 4, max: 4, ends: &[] });
}

#[derive(Debug, Default)]
pub struct WootheeResult<'a> {
    pub name: &'a str,
    pub category: &'a str,
    pub os: &'a str,
    pub os_version: Cow<'a, str>,
    pub browser_type: &'a str,
    pub version: &'a str,
    pub vendor: &'a str,
}

impl<'a> WootheeResult<'a> {
    pub fn new() -> WootheeResult<'a> {
        WootheeResult {
            name: VALUE_UNKNOWN,
            category: VALUE_UNKNOWN,
            os: VALUE_UNKNOWN,
            os_version: VALUE_UNKNOWN.into(),
            browser_type: VALUE_UNKNOWN,
            version: VALUE_UNKNOWN,
            vendor: VALUE_UNKNOWN,
        }
    }

    fn populate_with(&mut self, ds: &WootheeResult<'a>) {
        if !ds.name.is_empty() {
            self.name = ds.name;
        }

        if !ds.category.is_empty() {
            self.category = ds.category;
        }

        if !ds.os.is_empty() {
            self.os = ds.os;
        }

        if !ds.browser_type.is_empty() {
            self.browser_type = ds.browser_type;
        }

        if !ds.version.is_empty() {
            self.version = ds.version;
        }

        if !ds.vendor.is_empty() {
            self.vendor = ds.vendor;
        }
    }
}

#[derive(Default)]
pub struct Parser {
    /// Not in woothee: which byte pairs the agent being parsed has (see `lit`).
    pairs: lit::Pairs,
}

impl Parser {
    pub fn new() -> Self {
        Parser::default()
    }

    /// `agent.contains(needle)`, answered from the noted byte pairs when they rule it out.
    fn has(&self, agent: &str, needle: &str) -> bool {
        self.pairs.has(agent, needle)
    }

    pub fn parse<'a>(&self, agent: &'a str) -> Option<WootheeResult<'a>> {
        let mut result = WootheeResult::new();
        if agent == "" || agent == "-" {
            return Some(result);
        }
        self.pairs.note(agent);

        if self.try_crawler(agent, &mut result) {
            return Some(result);
        }

        if self.try_browser(agent, &mut result) {
            self.try_os(agent, &mut result);
            return Some(result);
        }

        if self.try_mobilephone(agent, &mut result) {
            return Some(result);
        }

        if self.try_appliance(agent, &mut result) {
            return Some(result);
        }

        if self.try_misc(agent, &mut result) {
            return Some(result);
        }

        if self.try_os(agent, &mut result) {
            return Some(result);
        }

        if self.try_rare_cases(agent, &mut result) {
            return Some(result);
        }

        None
    }

    fn populate_dataset(&self, result: &mut WootheeResult, label: &str) -> bool {
        match self.lookup_dataset(label) {
            Some(ds) => {
                result.populate_with(ds);
                true
            }
            None => false,
        }
    }

    fn lookup_dataset(&self, label: &str) -> Option<&WootheeResult<'static>> {
        dataset::DATASET.get(label)
    }

    pub fn try_crawler(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if self.challenge_google(agent, result) {
            return true;
        }

        if self.challenge_crawlers(agent, result) {
            return true;
        }

        false
    }

    fn try_os<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if self.challenge_windows(agent, result) {
            return true;
        }

        if self.challenge_osx(agent, result) {
            return true;
        }

        if self.challenge_linux(agent, result) {
            return true;
        }

        if self.challenge_smartphone(agent, result) {
            return true;
        }

        if self.challenge_mobilephone(agent, result) {
            return true;
        }

        if self.challenge_appliance(agent, result) {
            return true;
        }

        if self.challenge_misc_os(agent, result) {
            return true;
        }

        false
    }

    fn try_browser<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if self.challenge_msie(agent, result) {
            return true;
        }

        if self.challenge_ms_edge(agent, result) {
            return true;
        }

        if self.challenge_vivaldi(agent, result) {
            return true;
        }

        if self.challenge_firefox_ios(agent, result) {
            return true;
        }

        if self.challenge_yandexbrowser(agent, result) {
            return true;
        }

        if self.challenge_samsung(agent, result) {
            return true;
        }

        if self.challenge_safari_chrome(agent, result) {
            return true;
        }

        if self.challenge_firefox(agent, result) {
            return true;
        }

        if self.challenge_opera(agent, result) {
            return true;
        }

        if self.challenge_webview(agent, result) {
            return true;
        }

        false
    }

    fn try_mobilephone<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if self.challenge_docomo(agent, result) {
            return true;
        }

        if self.challenge_au(agent, result) {
            return true;
        }

        if self.challenge_softbank(agent, result) {
            return true;
        }

        if self.challenge_willcom(agent, result) {
            return true;
        }

        if self.challenge_misc_mobilephone(agent, result) {
            return true;
        }

        false
    }

    fn try_appliance<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if self.challenge_playstation(agent, result) {
            return true;
        }

        if self.challenge_nintendo(agent, result) {
            return true;
        }

        if self.challenge_digital_tv(agent, result) {
            return true;
        }

        false
    }
    fn try_misc(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if self.challenge_desktop_tools(agent, result) {
            return true;
        }

        false
    }

    fn try_rare_cases<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if self.challenge_smartphone_patterns(agent, result) {
            return true;
        }

        if self.challenge_sleipnir(agent, result) {
            return true;
        }

        if self.challenge_http_library(agent, result) {
            return true;
        }

        if self.challenge_maybe_rss_reader(agent, result) {
            return true;
        }

        if self.challenge_maybe_crawler(agent, result) {
            return true;
        }

        false
    }

    fn challenge_google(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if !self.has(agent, "Google") {
            return false;
        }

        if self.has(agent, "compatible; Googlebot") {
            if self.has(agent, "compatible; Googlebot-Mobile") {
                return self.populate_dataset(result, "GoogleBotMobile");
            }
            return self.populate_dataset(result, "GoogleBot");
        }

        if self.has(agent, "compatible; AdsBot-Google-Mobile;") {
            return self.populate_dataset(result, "AdsBotGoogleMobile");
        }

        if agent.starts_with("AdsBot-Google") {
            return self.populate_dataset(result, "AdsBotGoogle");
        }

        if self.has(agent, "Googlebot-Image/") {
            return self.populate_dataset(result, "GoogleBot");
        }

        if self.has(agent, "Mediapartners-Google")
            && (self.has(agent, "compatible; Mediapartners-Google") || agent == "Mediapartners-Google")
        {
            return self.populate_dataset(result, "GoogleMediaPartners");
        }

        if self.has(agent, "Feedfetcher-Google;") {
            return self.populate_dataset(result, "GoogleFeedFetcher");
        }

        if self.has(agent, "AppEngine-Google") {
            return self.populate_dataset(result, "GoogleAppEngine");
        }

        if self.has(agent, "Google Web Preview") {
            return self.populate_dataset(result, "GoogleWebPreview");
        }

        false
    }

    fn challenge_crawlers(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if self.has(agent, "Yahoo")
            || self.has(agent, "help.yahoo.co.jp/help/jp/")
            || self.has(agent, "listing.yahoo.co.jp/support/faq/")
        {
            if self.has(agent, "compatible; Yahoo! Slurp") {
                return self.populate_dataset(result, "YahooSlurp");
            } else if self.has(agent, "YahooFeedSeekerJp")
                || self.has(agent, "YahooFeedSeekerBetaJp")
                || self.has(agent, "crawler (http://listing.yahoo.co.jp/support/faq/")
                || self.has(agent, "crawler (http://help.yahoo.co.jp/help/jp/")
                || self.has(agent, "Y!J-BRZ/YATSHA crawler")
                || self.has(agent, "Y!J-BRY/YATSH crawler")
            {
                return self.populate_dataset(result, "YahooJP");
            } else if self.has(agent, "Yahoo Pipes") {
                return self.populate_dataset(result, "YahooPipes");
            }
        }

        if self.has(agent, "msnbot") {
            return self.populate_dataset(result, "msnbot");
        }

        if self.has(agent, "bingbot") && self.has(agent, "compatible; bingbot") {
            return self.populate_dataset(result, "bingbot");
        }

        if self.has(agent, "BingPreview") {
            return self.populate_dataset(result, "BingPreview");
        }

        if self.has(agent, "Baidu")
            && (self.has(agent, "compatible; Baiduspider")
                || self.has(agent, "Baiduspider+")
                || self.has(agent, "Baiduspider-image+"))
        {
            return self.populate_dataset(result, "Baiduspider");
        }

        if self.has(agent, "Yeti")
            && (self.has(agent, "http://help.naver.com/robots")
                || self.has(agent, "http://help.naver.com/support/robots.html")
                || self.has(agent, "http://naver.me/bot"))
        {
            return self.populate_dataset(result, "Yeti");
        }

        if self.has(agent, "FeedBurner/") {
            return self.populate_dataset(result, "FeedBurner");
        }

        if self.has(agent, "facebookexternalhit") {
            return self.populate_dataset(result, "facebook");
        }

        if self.has(agent, "Twitterbot/") {
            return self.populate_dataset(result, "twitter");
        }

        if self.has(agent, "ichiro")
            && (self.has(agent, "http://help.goo.ne.jp/door/crawler.html")
                || self.has(agent, "compatible; ichiro/mobile goo;"))
        {
            return self.populate_dataset(result, "goo");
        }

        if self.has(agent, "gooblogsearch/") {
            return self.populate_dataset(result, "goo");
        }

        if self.has(agent, "Apple-PubSub") {
            return self.populate_dataset(result, "ApplePubSub");
        }

        if self.has(agent, "(www.radian6.com/crawler)") {
            return self.populate_dataset(result, "radian6");
        }

        if self.has(agent, "Genieo/") {
            return self.populate_dataset(result, "Genieo");
        }

        if self.has(agent, "labs.topsy.com/butterfly/") {
            return self.populate_dataset(result, "topsyButterfly");
        }

        if self.has(agent, "rogerbot/1.0 (http://www.seomoz.org/dp/rogerbot") {
            return self.populate_dataset(result, "rogerbot");
        }

        if self.has(agent, "compatible; AhrefsBot/") {
            return self.populate_dataset(result, "AhrefsBot");
        }

        if self.has(agent, "livedoor FeedFetcher") || self.has(agent, "Fastladder FeedFetcher") {
            return self.populate_dataset(result, "livedoorFeedFetcher");
        }

        if self.has(agent, "Hatena Antenna")
            || self.has(agent, "Hatena Pagetitle Agent")
            || self.has(agent, "Hatena Diary RSS")
        {
            return self.populate_dataset(result, "Hatena");
        }

        if self.has(agent, "mixi-check") || self.has(agent, "mixi-crawler") || self.has(agent, "mixi-news-crawler") {
            return self.populate_dataset(result, "mixi");
        }

        if self.has(agent, "Indy Library") && self.has(agent, "compatible; Indy Library") {
            return self.populate_dataset(result, "IndyLibrary");
        }

        if self.has(agent, "trendictionbot") {
            return self.populate_dataset(result, "trendictionbot");
        }

        false
    }

    fn challenge_msie<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "compatible; MSIE") && !self.has(agent, "Trident/") && !self.has(agent, "IEMobile") {
            return false;
        }

        let re_msie_caps = RX_MSIE_PATTERN.captures(agent);
        let re_trident_caps = RX_TRIDENT_PATTERN.captures(agent);
        let re_trident_ver_caps = RX_TRIDENT_VERSION_PATTERN.captures(agent);
        let re_ie_mobile_caps = RX_IEMOBILE_PATTERN.captures(agent);

        result.version = if let Some(c) = re_msie_caps {
            c.get(1).unwrap().as_str()
        } else if re_trident_caps.is_some() {
            if let Some(caps) = re_trident_ver_caps {
                caps.get(1).unwrap().as_str()
            } else {
                VALUE_UNKNOWN
            }
        } else if re_ie_mobile_caps.is_some() {
            re_ie_mobile_caps.unwrap().get(1).unwrap().as_str()
        } else {
            VALUE_UNKNOWN
        };

        if !self.populate_dataset(result, "MSIE") {
            return false;
        }

        true
    }

    fn challenge_ms_edge<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        match RX_MSEDGE_PATTERN.captures(agent) {
            Some(caps) => {
                result.version = caps.get(1).unwrap().as_str();
            }
            None => {
                return false;
            }
        };

        if !self.populate_dataset(result, "Edge") {
            return false;
        }

        true
    }

    fn challenge_vivaldi<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        match RX_VIVALDI_PATTERN.captures(agent) {
            Some(caps) => {
                result.version = caps.get(1).unwrap().as_str();
            }
            None => {
                return false;
            }
        };

        if !self.populate_dataset(result, "Vivaldi") {
            return false;
        }

        true
    }

    fn challenge_firefox_ios<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        match RX_FIREFOX_IOS_PATTERN.captures(agent) {
            Some(caps) => {
                result.version = caps.get(1).unwrap().as_str();
            }
            None => {
                return false;
            }
        };

        if !self.populate_dataset(result, "Firefox") {
            return false;
        }

        true
    }

    fn challenge_yandexbrowser<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "YaBrowser/") {
            return false;
        }

        match RX_YABROWSER_VERSION.captures(agent) {
            Some(caps) => {
                result.version = caps.get(1).unwrap().as_str();
            }
            None => {
                return false;
            }
        }

        if !self.populate_dataset(result, "YaBrowser") {
            return false;
        }

        true
    }

    fn challenge_safari_chrome<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if self.has(agent, "Chrome") && self.has(agent, "wv") {
            return false;
        }

        if !self.has(agent, "Safari/") {
            return false;
        }

        if RX_CHROME_PATTERN.is_match(agent) {
            if RX_OPERA_VERSION_PATTERN3.is_match(agent) {
                let version = match RX_OPERA_VERSION_PATTERN3.captures(agent) {
                    Some(caps) => caps.get(1).unwrap().as_str(),
                    None => "",
                };
                if !self.populate_dataset(result, "Opera") {
                    return false;
                }
                if !version.is_empty() {
                    result.version = version;
                }
                return true;
            }

            if !self.populate_dataset(result, "Chrome") {
                return false;
            }

            let version = match RX_CHROME_PATTERN.captures(agent) {
                Some(caps) => caps.get(1).unwrap().as_str(),
                None => "",
            };
            if !version.is_empty() {
                result.version = version;
            }
            return true;
        }

        let version = match RX_SAFARI_PATTERN.captures(agent) {
            Some(caps) => caps.get(1).unwrap().as_str(),
            None => VALUE_UNKNOWN,
        };

        if self.has(agent, "GSA") {
            if let Some(caps) = RX_GSA_VERSION_PATTERN.captures(agent) {
                result.version = caps.get(1).unwrap().as_str();
                if !self.populate_dataset(result, "GSA") {
                    return false;
                }
                return true;
            }
        }

        if !self.populate_dataset(result, "Safari") {
            return false;
        }

        result.version = version;

        true
    }

    fn challenge_firefox<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "Firefox/") {
            return false;
        }

        let version = match RX_FIREFOX_PATTERN.captures(agent) {
            Some(caps) => caps.get(1).unwrap().as_str(),
            None => VALUE_UNKNOWN,
        };

        if !self.populate_dataset(result, "Firefox") {
            return false;
        }

        result.version = version;

        true
    }

    fn challenge_opera<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "Opera") {
            return false;
        }

        let version = match RX_OPERA_VERSION_PATTERN1.captures(agent) {
            Some(caps) => caps.get(1).unwrap().as_str(),
            None => match RX_OPERA_VERSION_PATTERN2.captures(agent) {
                Some(caps2) => caps2.get(1).unwrap().as_str(),
                None => VALUE_UNKNOWN,
            },
        };

        if !self.populate_dataset(result, "Opera") {
            return false;
        }

        result.version = version;

        true
    }

    fn challenge_webview<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        let version = if RX_WEBVIEW_VERSION_PATTERN.is_match(agent) {
            match RX_WEBVIEW_VERSION_PATTERN.captures(agent) {
                Some(caps) => caps.get(1).unwrap().as_str(),
                None => "",
            }
        } else {
            VALUE_UNKNOWN
        };

        if self.has(agent, "Chrome") && self.has(agent, "wv") {
            result.version = version;
            self.populate_dataset(result, "Webview");
            return true;
        }

        if !RX_WEBVIEW_PATTERN.is_match(agent) || self.has(agent, "Safari/") {
            return false;
        }

        if !self.populate_dataset(result, "Webview") {
            return false;
        }

        let version = match RX_WEBVIEW_VERSION_PATTERN.captures(agent) {
            Some(caps) => caps.get(1).unwrap().as_str(),
            None => "",
        };
        if !version.is_empty() {
            result.version = version;
        }

        true
    }

    fn challenge_docomo<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "DoCoMo") && !self.has(agent, ";FOMA;") {
            return false;
        }

        let mut version = VALUE_UNKNOWN;
        let docomo_caps = RX_DOCOMO_VERSION_PATTERN.captures(agent);
        let foma_caps = RX_FOMA_VERSION_PATTERN.captures(agent);
        if let Some(c) = docomo_caps {
            version = c.get(1).unwrap().as_str();
        } else if let Some(c) = foma_caps {
            version = c.get(1).unwrap().as_str();
        }

        if !self.populate_dataset(result, "docomo") {
            return false;
        }
        result.version = version;

        true
    }

    fn challenge_au<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "KDDI-") {
            return false;
        }

        let mut version = VALUE_UNKNOWN;
        let caps = RX_KDDI_PATTERN.captures(agent);
        if let Some(c) = caps {
            version = c.get(1).unwrap().as_str();
        }

        if !self.populate_dataset(result, "au") {
            return false;
        }
        result.version = version;

        true
    }

    fn challenge_softbank<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "SoftBank") && !self.has(agent, "Vodafone") && !self.has(agent, "J-PHONE") {
            return false;
        }

        let mut version = VALUE_UNKNOWN;
        let caps = RX_SOFTBANK_PATTERN.captures(agent);
        if let Some(c) = caps {
            version = c.get(1).unwrap().as_str();
        }

        if !self.populate_dataset(result, "SoftBank") {
            return false;
        }
        result.version = version;

        true
    }

    fn challenge_willcom<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "WILLCOM") && !self.has(agent, "DDIPOCKET") {
            return false;
        }

        let mut version = VALUE_UNKNOWN;
        let caps = RX_WILLCOM_PATTERN.captures(agent);
        if let Some(c) = caps {
            version = c.get(1).unwrap().as_str();
        }

        if !self.populate_dataset(result, "willcom") {
            return false;
        }
        result.version = version;

        true
    }

    fn challenge_misc_mobilephone<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if self.has(agent, "jig browser") {
            if !self.populate_dataset(result, "jig") {
                return false;
            }

            let caps = RX_JIG_PATTERN.captures(agent);
            if let Some(c) = caps {
                result.version = c.get(1).unwrap().as_str();
            }
            return true;
        }

        if self.has(agent, "emobile/") || self.has(agent, "OpenBrowser") || self.has(agent, "Browser/Obigo-Browser") {
            if !self.populate_dataset(result, "emobile") {
                return false;
            }
            return true;
        }

        if self.has(agent, "SymbianOS") {
            if !self.populate_dataset(result, "SymbianOS") {
                return false;
            }
            return true;
        }

        if self.has(agent, "Hatena-Mobile-Gateway/") {
            if !self.populate_dataset(result, "MobileTranscoder") {
                return false;
            }
            result.version = "Hatena";
            return true;
        }

        if self.has(agent, "livedoor-Mobile-Gateway/") {
            if !self.populate_dataset(result, "MobileTranscoder") {
                return false;
            }
            result.version = "livedoor";
            return true;
        }

        false
    }

    fn challenge_playstation<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        let mut os_version = "";

        let d = if self.has(agent, "PSP (PlayStation Portable)") {
            os_version = match RX_PSP_OS_VERSION.captures(agent) {
                Some(caps) => caps.get(1).unwrap().as_str(),
                None => "",
            };
            self.lookup_dataset("PSP")
        } else if self.has(agent, "PlayStation Vita") {
            os_version = match RX_PSVITA_OS_VERSION.captures(agent) {
                Some(caps) => caps.get(1).unwrap().as_str(),
                None => "",
            };
            self.lookup_dataset("PSVita")
        } else if self.has(agent, "PLAYSTATION 3 ") || self.has(agent, "PLAYSTATION 3;") {
            os_version = match RX_PS3_OS_VERSION.captures(agent) {
                Some(caps) => caps.get(1).unwrap().as_str(),
                None => "",
            };
            self.lookup_dataset("PS3")
        } else if self.has(agent, "PlayStation 4 ") {
            os_version = match RX_PS4_OS_VERSION.captures(agent) {
                Some(caps) => caps.get(1).unwrap().as_str(),
                None => "",
            };
            self.lookup_dataset("PS4")
        } else {
            None
        };

        if d.is_none() {
            return false;
        }
        let data = d.unwrap();

        result.populate_with(data);

        if !os_version.is_empty() {
            result.os_version = os_version.into();
        }

        true
    }

    fn challenge_nintendo(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if self.has(agent, "Nintendo 3DS;") {
            return self.populate_dataset(result, "Nintendo3DS");
        }

        if self.has(agent, "Nintendo DSi;") {
            return self.populate_dataset(result, "NintendoDSi");
        }

        if self.has(agent, "Nintendo Wii;") {
            return self.populate_dataset(result, "NintendoWii");
        }

        if self.has(agent, "(Nintendo WiiU)") {
            return self.populate_dataset(result, "NintendoWiiU");
        }

        false
    }

    fn challenge_digital_tv(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if self.has(agent, "InettvBrowser/") {
            return self.populate_dataset(result, "DigitalTV");
        }

        false
    }

    fn challenge_windows<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "Windows") {
            return false;
        }

        if self.has(agent, "Xbox") {
            if self.has(agent, "Xbox; Xbox One)") {
                return self.populate_dataset(result, "XboxOne");
            }
            return self.populate_dataset(result, "Xbox360");
        }

        let mut w = self.lookup_dataset("Win");
        if w.is_none() {
            return false;
        }
        let mut win = w.unwrap();

        let caps = RX_WINDOWS_VERSION_PATTERN.captures(agent);
        if caps.is_none() {
            result.category = win.category;
            result.os = win.name;
            return true;
        }

        let mut version = caps.unwrap().get(1).unwrap().as_str();
        w = match version {
            "NT 10.0" => self.lookup_dataset("Win10"),
            "NT 6.3" => self.lookup_dataset("Win8.1"),
            "NT 6.2" => self.lookup_dataset("Win8"),
            "NT 6.1" => self.lookup_dataset("Win7"),
            "NT 6.0" => self.lookup_dataset("WinVista"),
            "NT 5.1" => self.lookup_dataset("WinXP"),
            "NT 5.0" => self.lookup_dataset("Win2000"),
            "NT 4.0" => self.lookup_dataset("WinNT4"),
            "98" => self.lookup_dataset("Win98"),
            "95" => self.lookup_dataset("Win95"),
            "CE" => self.lookup_dataset("WinCE"),
            _ => {
                let caps = RX_WIN_PHONE.captures(version);
                if let Some(c) = caps {
                    version = c.get(1).unwrap().as_str();
                    self.lookup_dataset("WinPhone")
                } else {
                    None
                }
            }
        };

        if w.is_none() {
            return false;
        }
        win = w.unwrap();

        result.category = win.category;
        result.os = win.name;
        if !version.is_empty() {
            result.os_version = version.into();
        }

        true
    }

    fn challenge_osx<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "Mac OS X") {
            return false;
        }

        let mut d = self.lookup_dataset("OSX");
        if d.is_none() {
            return false;
        }
        let mut data = d.unwrap();
        let mut version: Cow<'a, str> = "".into();

        if self.has(agent, "like Mac OS X") {
            if self.has(agent, "iPhone;") {
                d = self.lookup_dataset("iPhone");
            } else if self.has(agent, "iPad;") {
                d = self.lookup_dataset("iPad");
            } else if self.has(agent, "iPod") {
                d = self.lookup_dataset("iPod");
            }
            if d.is_none() {
                return false;
            }
            data = d.unwrap();

            let caps = RX_OSX_IPHONE_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                let v = c.get(1).unwrap().as_str();
                version = v.replace("_", ".").into();
            }
        } else {
            let caps = RX_OSX_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                let v = c.get(1).unwrap().as_str();
                version = v.replace("_", ".").into();
            }
        }

        result.category = data.category;
        result.os = data.name;
        if !version.is_empty() {
            result.os_version = version;
        }

        true
    }

    fn challenge_linux<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "Linux") {
            return false;
        }

        let mut os_version = "";
        let d = if self.has(agent, "Android") {
            let caps = RX_ANDROIDOS_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                os_version = c.get(1).unwrap().as_str();
            }
            self.lookup_dataset("Android")
        } else {
            self.lookup_dataset("Linux")
        };

        if d.is_none() {
            return false;
        }
        let data = d.unwrap();

        result.category = data.category;
        result.os = data.name;
        if !os_version.is_empty() {
            result.os_version = os_version.into();
        }

        true
    }

    fn challenge_smartphone<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        let mut os_version = "";

        let mut d = if self.has(agent, "iPhone") {
            self.lookup_dataset("iPhone")
        } else if self.has(agent, "iPad") {
            self.lookup_dataset("iPad")
        } else if self.has(agent, "iPod") {
            self.lookup_dataset("iPod")
        } else if self.has(agent, "Android") {
            let caps = RX_ANDROIDOS_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                os_version = c.get(1).unwrap().as_str();
            }
            self.lookup_dataset("Android")
        } else if self.has(agent, "CFNetwork") {
            self.lookup_dataset("iOS")
        } else if self.has(agent, "BB10") {
            let caps = RX_BLACKBERRY10_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                os_version = c.get(1).unwrap().as_str();
            }
            result.version = VALUE_UNKNOWN;
            self.lookup_dataset("BlackBerry10")
        } else if self.has(agent, "BlackBerry") {
            let caps = RX_BLACKBERRY_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                os_version = c.get(1).unwrap().as_str();
            }
            self.lookup_dataset("BlackBerry")
        } else {
            None
        };

        let f = self.lookup_dataset("Firefox");
        if f.is_none() {
            return false;
        }
        let firefox = f.unwrap();

        if result.name == firefox.name {
            // Firefox OS specific pattern
            // http://lawrencemandel.com/2012/07/27/decision-made-firefox-os-user-agent-string/
            // https://github.com/woothee/woothee/issues/2
            let caps = RX_FIREFOX_OS_PATTERN.captures(agent);
            if let Some(c) = caps {
                if c.len() > 1 {
                    d = self.lookup_dataset("FirefoxOS");
                    os_version = c.get(1).unwrap().as_str();
                }
            }
        }

        if d.is_none() {
            return false;
        }
        let data = d.unwrap();

        result.category = data.category;
        result.os = data.name;
        if !os_version.is_empty() {
            result.os_version = os_version.into();
        }

        true
    }

    fn challenge_mobilephone<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if self.has(agent, "KDDI-") {
            let caps = RX_KDDI_PATTERN.captures(agent);
            if let Some(c) = caps {
                let term = c.get(1).unwrap().as_str();
                let d = self.lookup_dataset("au");
                if d.is_none() {
                    return false;
                }
                let data = d.unwrap();
                result.category = data.category;
                result.os = data.os;
                result.version = term;
                return true;
            }
        }

        if self.has(agent, "WILLCOM") || self.has(agent, "DDIPOCKET") {
            let caps = RX_WILLCOM_PATTERN.captures(agent);
            if let Some(c) = caps {
                let term = c.get(1).unwrap().as_str();
                let d = self.lookup_dataset("willcom");
                if d.is_none() {
                    return false;
                }
                let data = d.unwrap();
                result.category = data.category;
                result.os = data.os;
                result.version = term;
                return true;
            }
        }

        if self.has(agent, "SymbianOS") {
            let d = self.lookup_dataset("SymbianOS");
            if d.is_none() {
                return false;
            }
            let data = d.unwrap();
            result.category = data.category;
            result.os = data.os;
            return true;
        }

        if self.has(agent, "Google Wireless Transcoder") {
            if !self.populate_dataset(result, "MobileTranscoder") {
                return false;
            }
            result.version = "Google";
        }

        if self.has(agent, "Naver Transcoder") {
            if !self.populate_dataset(result, "MobileTranscoder") {
                return false;
            }
            result.version = "Naver";
        }

        false
    }

    fn challenge_desktop_tools(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if self.has(agent, "AppleSyndication/") {
            return self.populate_dataset(result, "SafariRSSReader");
        }

        if self.has(agent, "compatible; Google Desktop/") {
            return self.populate_dataset(result, "GoogleDesktop");
        }

        if self.has(agent, "Windows-RSS-Platform") {
            return self.populate_dataset(result, "WindowsRSSReader");
        }

        false
    }

    fn challenge_smartphone_patterns(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if self.has(agent, "CFNetwork/") {
            // This is like iPhone, but only Category and Name are filled
            let d = self.lookup_dataset("iOS");
            if d.is_none() {
                return false;
            }
            let data = d.unwrap();

            result.os = data.name;
            result.category = data.category;
            return true;
        }

        false
    }

    fn challenge_samsung<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "SamsungBrowser/") {
            return false;
        }

        let version = match RX_SAMSUNG_BROWSER.captures(agent) {
            Some(caps) => caps.get(1).unwrap().as_str(),
            None => VALUE_UNKNOWN,
        };

        self.populate_dataset(result, "SamsungBrowser");
        result.version = version;

        true
    }

    fn challenge_sleipnir<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        if !self.has(agent, "Sleipnir/") {
            return false;
        }

        let version = match RX_SLEIPNIR_VERSION.captures(agent) {
            Some(caps) => caps.get(1).unwrap().as_str(),
            None => VALUE_UNKNOWN,
        };

        self.populate_dataset(result, "Sleipnir");

        let w = self.lookup_dataset("Win");
        if w.is_none() {
            return false;
        }
        let win = w.unwrap();

        result.version = version;
        result.category = win.category;
        result.os = win.name;

        true
    }

    fn challenge_http_library(&self, agent: &str, result: &mut WootheeResult) -> bool {
        let mut version = "";

        if RX_HTTP_CLIENT.is_match(agent)
            || RX_HTTP_CLIENT_OTHER.is_match(agent)
            || self.has(agent, "Java(TM) 2 Runtime Environment,")
        {
            version = "Java";
        } else if agent.starts_with("Wget/") {
            version = "wget";
        } else if agent.starts_with("libwww-perl")
            || agent.starts_with("WWW-Mechanize")
            || agent.starts_with("LWP::Simple")
            || agent.starts_with("LWP ")
            || agent.starts_with("lwp-trivial")
        {
            version = "perl";
        } else if agent.starts_with("Ruby") || agent.starts_with("feedzirra") || agent.starts_with("Typhoeus") {
            version = "ruby"
        } else if agent.starts_with("Python-urllib/") || agent.starts_with("Twisted ") {
            version = "python";
        } else if RX_PHP.is_match(agent) || RX_PEAR.is_match(agent) {
            version = "php";
        } else if agent.starts_with("curl/") {
            version = "curl";
        }

        if version.is_empty() {
            return false;
        }

        if !self.populate_dataset(result, "HTTPLibrary") {
            return false;
        }
        result.version = version;

        true
    }

    fn challenge_maybe_rss_reader(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if RX_MAYBE_RSS_PATTERN.is_match(agent)
            || agent.to_lowercase().contains("headline-reader")
            || self.has(agent, "cococ/")
        {
            return self.populate_dataset(result, "VariousRSSReader");
        }

        false
    }

    fn challenge_maybe_crawler(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if RX_MAYBE_CRAWLER_PATTERN.is_match(agent)
            || RX_MAYBE_CRAWLER_OTHER.is_match(agent)
            || self.has(agent, "ASP-Ranker Feed Crawler")
            || RX_MAYBE_FEED_PARSER_PATTERN.is_match(agent)
            || RX_MAYBE_WATCHDOG_PATTERN.is_match(agent)
        {
            return self.populate_dataset(result, "VariousCrawler");
        }

        false
    }

    fn challenge_appliance(&self, agent: &str, result: &mut WootheeResult) -> bool {
        if self.has(agent, "Nintendo DSi;") {
            let d = self.lookup_dataset("NintendoDSi");
            if d.is_none() {
                return false;
            }
            let data = d.unwrap();
            result.category = data.category;
            result.os = data.os;
            return true;
        }

        if self.has(agent, "Nintendo Wii;") {
            let d = self.lookup_dataset("NintendoWii");
            if d.is_none() {
                return false;
            }
            let data = d.unwrap();
            result.category = data.category;
            result.os = data.os;
            return true;
        }

        false
    }

    fn challenge_misc_os<'a>(&self, agent: &'a str, result: &mut WootheeResult<'a>) -> bool {
        let d = if self.has(agent, "(Win98;") {
            result.os_version = "98".into();
            self.lookup_dataset("Win98")
        } else if self.has(agent, "Macintosh; U; PPC;") || self.has(agent, "Mac_PowerPC") {
            let caps = RX_PPC_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                result.os_version = c.get(1).unwrap().as_str().into();
            }
            self.lookup_dataset("MacOS")
        } else if self.has(agent, "X11; FreeBSD ") {
            let caps = RX_FREEBSD_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                result.os_version = c.get(1).unwrap().as_str().into();
            }
            self.lookup_dataset("BSD")
        } else if self.has(agent, "X11; CrOS ") {
            let caps = RX_CHROMEOS_OS_VERSION.captures(agent);
            if let Some(c) = caps {
                result.os_version = c.get(1).unwrap().as_str().into();
            }
            self.lookup_dataset("ChromeOS")
        } else {
            None
        };

        if d.is_none() {
            return false;
        }
        let data = d.unwrap();

        result.category = data.category;
        result.os = data.name;

        true
    }
}

#[cfg(test)]
mod tests {
    use crate::parser::Parser;

    #[test]
    fn test_parse_smoke() {
        let parser = Parser::new();
        match parser.parse("Mozilla/5.0 (Mobile; rv:18.0) Gecko/18.0 Firefox/18.0") {
            Some(result) => assert_eq!(result.category, "smartphone".to_string()),
            None => panic!("invalid"),
        }
    }
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    /// Every user agent in woothee's test sets, each also upper- and lower-cased and cut at several
    /// offsets, so hints are tried where their literals are absent, later, or differently cased.
    fn haystacks() -> Vec<String> {
        let sets = [
        include_str!("../tests/appliance.rs"),
        include_str!("../tests/blank.rs"),
        include_str!("../tests/crawler.rs"),
        include_str!("../tests/crawler_google.rs"),
        include_str!("../tests/crawler_nonmajor.rs"),
        include_str!("../tests/misc.rs"),
        include_str!("../tests/mobilephone_au.rs"),
        include_str!("../tests/mobilephone_docomo.rs"),
        include_str!("../tests/mobilephone_misc.rs"),
        include_str!("../tests/mobilephone_softbank.rs"),
        include_str!("../tests/mobilephone_willcom.rs"),
        include_str!("../tests/pc_lowpriority.rs"),
        include_str!("../tests/pc_misc.rs"),
        include_str!("../tests/pc_windows.rs"),
        include_str!("../tests/smartphone_android.rs"),
        include_str!("../tests/smartphone_ios.rs"),
        include_str!("../tests/smartphone_misc.rs"),
        ];
        let mut out = Vec::new();
        for set in sets {
            for piece in set.split("parse(r#\"").skip(1) {
                let Some(end) = piece.find("\"#)") else { continue };
                let ua = &piece[..end];
                for cut in (0..ua.len()).step_by(5).filter(|&i| ua.is_char_boundary(i)) {
                    out.push(ua[cut..].to_string());
                }
                out.push(ua.to_ascii_lowercase());
                out.push(ua.to_ascii_uppercase());
            }
        }
        out.extend(["", "-", "bot", "Bot/", "x rss/", "HttpClient", "PHP"].map(String::from));
        // Near misses for the scanned shapes: runs that stop early, parts too few or too many, a literal
        // that repeats before the real match, endings that are absent or one byte off.
        out.extend(
            [
                "Chrome/ Chrome/1.2", "CrMo/CriOS/9", "Edg/Edge/12.0", "MSIE 7.0 ;MSIE 8;", "Trident/7.0)Trident/6;",
                "Windows NT 10.0\\x", "Windows NT 6.1", "Windows é;", "FreeBSD é;", "CrOS x86 é)", "Opera/Opera 9",
                "Mac OS X 10_15_", "Mac OS X 105_3)", "Mac OS X 10.15.7.1)", "Mac OS X 10_15 Mac OS X 10_14;",
                "; CPU OS 17_ like Mac OS X", "; CPU iPhone OS 17_5_1_2 like Mac OS X", "; CPU iPhone OS 17 like Mac OS X; CPU OS 16_1 like Mac OS X",
                "Android 4.4.", "Android-4..4", "Android 10.0.1.2", "Android Android 5", "rv:1.2 rv:1.2.3.4", "YaBrowser/1.2.3 YaBrowser/1.2.3.4.5",
            ]
            .map(String::from),
        );
        out
    }

    #[test]
    fn hints_change_no_answer() {
        let patterns: [(&str, &Rx); 49] = [
            ("RX_CHROME_PATTERN", &*RX_CHROME_PATTERN),
            ("RX_DOCOMO_VERSION_PATTERN", &*RX_DOCOMO_VERSION_PATTERN),
            ("RX_VIVALDI_PATTERN", &*RX_VIVALDI_PATTERN),
            ("RX_FIREFOX_PATTERN", &*RX_FIREFOX_PATTERN),
            ("RX_FIREFOX_OS_PATTERN", &*RX_FIREFOX_OS_PATTERN),
            ("RX_FIREFOX_IOS_PATTERN", &*RX_FIREFOX_IOS_PATTERN),
            ("RX_FOMA_VERSION_PATTERN", &*RX_FOMA_VERSION_PATTERN),
            ("RX_JIG_PATTERN", &*RX_JIG_PATTERN),
            ("RX_KDDI_PATTERN", &*RX_KDDI_PATTERN),
            ("RX_MAYBE_RSS_PATTERN", &*RX_MAYBE_RSS_PATTERN),
            ("RX_MAYBE_CRAWLER_PATTERN", &*RX_MAYBE_CRAWLER_PATTERN),
            ("RX_MAYBE_FEED_PARSER_PATTERN", &*RX_MAYBE_FEED_PARSER_PATTERN),
            ("RX_MAYBE_WATCHDOG_PATTERN", &*RX_MAYBE_WATCHDOG_PATTERN),
            ("RX_MSEDGE_PATTERN", &*RX_MSEDGE_PATTERN),
            ("RX_MSIE_PATTERN", &*RX_MSIE_PATTERN),
            ("RX_OPERA_VERSION_PATTERN1", &*RX_OPERA_VERSION_PATTERN1),
            ("RX_OPERA_VERSION_PATTERN2", &*RX_OPERA_VERSION_PATTERN2),
            ("RX_OPERA_VERSION_PATTERN3", &*RX_OPERA_VERSION_PATTERN3),
            ("RX_GSA_VERSION_PATTERN", &*RX_GSA_VERSION_PATTERN),
            ("RX_SAFARI_PATTERN", &*RX_SAFARI_PATTERN),
            ("RX_SOFTBANK_PATTERN", &*RX_SOFTBANK_PATTERN),
            ("RX_TRIDENT_PATTERN", &*RX_TRIDENT_PATTERN),
            ("RX_TRIDENT_VERSION_PATTERN", &*RX_TRIDENT_VERSION_PATTERN),
            ("RX_IEMOBILE_PATTERN", &*RX_IEMOBILE_PATTERN),
            ("RX_WILLCOM_PATTERN", &*RX_WILLCOM_PATTERN),
            ("RX_WINDOWS_VERSION_PATTERN", &*RX_WINDOWS_VERSION_PATTERN),
            ("RX_WIN_PHONE", &*RX_WIN_PHONE),
            ("RX_WEBVIEW_PATTERN", &*RX_WEBVIEW_PATTERN),
            ("RX_WEBVIEW_VERSION_PATTERN", &*RX_WEBVIEW_VERSION_PATTERN),
            ("RX_PPC_OS_VERSION", &*RX_PPC_OS_VERSION),
            ("RX_FREEBSD_OS_VERSION", &*RX_FREEBSD_OS_VERSION),
            ("RX_CHROMEOS_OS_VERSION", &*RX_CHROMEOS_OS_VERSION),
            ("RX_ANDROIDOS_OS_VERSION", &*RX_ANDROIDOS_OS_VERSION),
            ("RX_PSP_OS_VERSION", &*RX_PSP_OS_VERSION),
            ("RX_PS3_OS_VERSION", &*RX_PS3_OS_VERSION),
            ("RX_PSVITA_OS_VERSION", &*RX_PSVITA_OS_VERSION),
            ("RX_PS4_OS_VERSION", &*RX_PS4_OS_VERSION),
            ("RX_BLACKBERRY10_OS_VERSION", &*RX_BLACKBERRY10_OS_VERSION),
            ("RX_BLACKBERRY_OS_VERSION", &*RX_BLACKBERRY_OS_VERSION),
            ("RX_OSX_IPHONE_OS_VERSION", &*RX_OSX_IPHONE_OS_VERSION),
            ("RX_OSX_OS_VERSION", &*RX_OSX_OS_VERSION),
            ("RX_HTTP_CLIENT", &*RX_HTTP_CLIENT),
            ("RX_HTTP_CLIENT_OTHER", &*RX_HTTP_CLIENT_OTHER),
            ("RX_PHP", &*RX_PHP),
            ("RX_PEAR", &*RX_PEAR),
            ("RX_MAYBE_CRAWLER_OTHER", &*RX_MAYBE_CRAWLER_OTHER),
            ("RX_SAMSUNG_BROWSER", &*RX_SAMSUNG_BROWSER),
            ("RX_SLEIPNIR_VERSION", &*RX_SLEIPNIR_VERSION),
            ("RX_YABROWSER_VERSION", &*RX_YABROWSER_VERSION),
        ];
        let haystacks = haystacks();
        assert!(haystacks.len() > 2000, "woothee's test sets were not found: {}", haystacks.len());
        for (name, rx) in patterns {
            let plain = rx.unhinted();
            for h in &haystacks {
                let ours = rx.captures(h).map(|c| c.spans());
                let regex = plain.captures(h).map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>());
                assert_eq!(rx.is_match(h), plain.is_match(h), "{name} is_match on {h:?}");
                assert_eq!(ours, regex, "{name} captures on {h:?}");
            }
        }
    }
}
