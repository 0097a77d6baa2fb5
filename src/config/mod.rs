//! Configuration: the built-in defaults, then a settings file or config directory, then
//! environment overrides, parsed once into validated values; plus the channel, advice
//! and rule files the settings point to (built in unless a file overrides them).
//!
//! Invariants: imports nothing else of the crate; every problem names the file (and,
//! for TOML, the line) and says what to fix; relative paths in a settings file resolve
//! from that file's folder; secrets never print.

mod builtin;
mod location;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use builtin::{Asset, Source};
pub use location::{CONFIG_DIR_VAR, ConfigLocation, SETTINGS_FILE, write_defaults};

/// A configuration problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (in the message, so not a `source`: chains never repeat).
        reason: std::io::Error,
    },
    /// A file is not valid TOML of the expected shape.
    #[error("{path}:{line}:{col}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What is wrong.
        message: String,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why (in the message).
        reason: std::io::Error,
    },
    /// A value is out of range or inconsistent.
    #[error("{what}: {message}")]
    Invalid {
        /// The setting or file.
        what: String,
        /// What is wrong.
        message: String,
    },
}

/// A secret value that never prints.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// The application settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Folder of rule files.
    pub rules_dir: Source,
    /// Official channels file.
    pub channels_file: Source,
    /// Advice file.
    pub advice_file: Source,
    /// Genuine notices the learned model always counts as legitimate (JSON Lines).
    pub notice_prior_file: Source,
    /// The shipped base model (`sellerguard train`); none when turned off.
    pub model_file: Option<Source>,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Community reports and their anti-abuse limits.
    pub community: CommunitySettings,
    /// Screenshot reading.
    pub ocr: OcrSettings,
    /// The Telegram bot (token, API address, admins, webhook).
    pub telegram: TelegramSettings,
    /// The HTTP server.
    pub http: HttpSettings,
}

/// A settings file as written: every key optional, paths as the file spells them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    rules_dir: Option<PathBuf>,
    channels_file: Option<PathBuf>,
    advice_file: Option<PathBuf>,
    notice_prior_file: Option<PathBuf>,
    /// An empty value turns the base model off.
    model_file: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    community: CommunitySettings,
    ocr: OcrSettings,
    #[serde(default)]
    telegram: TelegramSettings,
    #[serde(default)]
    http: HttpSettings,
}

/// Screenshot reading (OCR) settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcrSettings {
    /// Worker threads, sharing the engines (a model's second engine, 18-51 MiB, loads
    /// only while two workers need it at once); 0 is one per core (at most 4).
    pub workers: usize,
    /// Longest one image may take, in seconds.
    pub timeout_secs: u64,
    /// Tesseract languages, e.g. `chi_sim+chi_tra+eng` (Chinese models are
    /// chosen per image, the first listed on a tie; the rest read Latin text).
    pub languages: String,
}

/// Limits on community reports.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunitySettings {
    /// Distinct reporters before an indicator's reports count.
    pub min_reporters: u64,
    /// Most reports one person may file per hour.
    pub reports_per_hour: NonZeroU32,
    /// Days an unconfirmed report is kept.
    pub retention_days: u64,
}

/// Where the Bot API is unless `TELEGRAM_API_URL` says otherwise.
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
/// Where the HTTP server listens unless `SELLERGUARD_HTTP_ADDR` says otherwise.
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";

/// Settings of the Telegram front end (`[telegram]` in the file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelegramSettings {
    /// Bot token; only from the environment (`TELEGRAM_BOT_TOKEN`), never the file.
    #[serde(skip)]
    pub bot_token: Option<Secret>,
    /// Base URL of the Bot API server.
    pub api_url: String,
    /// Telegram user ids allowed to curate (reports, rules).
    pub admin_ids: Vec<i64>,
    /// Chat that receives reports for curation.
    pub admin_chat_id: Option<i64>,
    /// Public HTTPS URL for webhook mode; long polling when absent.
    pub webhook_url: Option<String>,
    /// Secret token Telegram sends with every webhook request (env only).
    #[serde(skip)]
    pub webhook_secret: Option<Secret>,
    /// Longest shutdown waits for in-flight updates and owed replies, in seconds.
    pub shutdown_grace_secs: u64,
}

impl TelegramSettings {
    /// The path part of the webhook URL (`/` when it has none), where the web server
    /// accepts updates.
    pub fn webhook_path(&self) -> Option<String> {
        let url = self.webhook_url.as_deref()?;
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
        Some(path.split(['?', '#']).next().unwrap_or("/").to_owned())
    }
}

impl Default for TelegramSettings {
    fn default() -> Self {
        Self {
            bot_token: None,
            api_url: DEFAULT_TELEGRAM_API_URL.to_owned(),
            admin_ids: Vec::new(),
            admin_chat_id: None,
            webhook_url: None,
            webhook_secret: None,
            shutdown_grace_secs: 10,
        }
    }
}

/// Settings of the HTTP server (`[http]` in the file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Address to listen on (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Whether `/api/v1/check` and `/api/v1/check/image` answer without a token.
    pub public_check: bool,
    /// Checks one client (IP address) may make per minute without a token.
    pub public_checks_per_minute: u32,
    /// Whether `/metrics` answers without a curator token (off: a scrape sends
    /// `Authorization: Bearer <token>`).
    pub public_metrics: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            addr: DEFAULT_HTTP_ADDR.parse().expect("valid default address"),
            public_check: false,
            public_checks_per_minute: 30,
            public_metrics: false,
        }
    }
}

impl Settings {
    /// Reads the settings from `location` over the built-in defaults, then applies
    /// overrides from `env`.
    pub fn load(
        location: &ConfigLocation,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let (file, base) = location.settings_file()?;
        let mut table: toml::Table =
            toml::from_str(builtin::SETTINGS).expect("the built-in settings parse");
        let mut written = toml::Table::new();
        if let Some(path) = &file {
            let text = read_text(path)?;
            written = parse_toml(path, &text)?;
            merge(&mut table, written.clone());
            let raw = toml::Value::Table(table)
                .try_into()
                .map_err(|e| locate(path, &text, &e))?;
            return Self::resolve(raw, &written, base.as_deref(), file.as_deref(), env);
        }
        let raw = toml::Value::Table(table)
            .try_into()
            .expect("the built-in settings are complete");
        Self::resolve(raw, &written, base.as_deref(), None, env)
    }

    /// The built-in settings, no environment.
    pub fn builtin() -> Self {
        Self::load(&ConfigLocation::Builtin, |_| None).expect("the built-in settings are valid")
    }

    /// Turns the file's keys into sources: a key the file sets resolves from `base`;
    /// else the config directory's file of that name; else the built-in copy.
    fn resolve(
        raw: SettingsFile,
        written: &toml::Table,
        base: Option<&Path>,
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let source = |asset: Asset, key: Option<PathBuf>| match (key, base) {
            (Some(p), Some(base)) if written.contains_key(asset.key()) => {
                Source::Path(base.join(p))
            }
            (Some(p), _) => Source::Path(p),
            (None, Some(base)) if base.join(asset.file_name()).exists() => {
                Source::Path(base.join(asset.file_name()))
            }
            (None, _) => Source::Builtin(asset),
        };
        let model_file = match raw.model_file {
            Some(p) if p.as_os_str().is_empty() => None,
            key => Some(source(Asset::Model, key)),
        };
        let data_dir = match (raw.data_dir, base) {
            (Some(p), Some(base)) => base.join(p),
            (Some(p), None) => p,
            (None, _) => location::default_data_dir(),
        };
        let mut settings = Settings {
            rules_dir: source(Asset::Rules, raw.rules_dir),
            channels_file: source(Asset::Channels, raw.channels_file),
            advice_file: source(Asset::Advice, raw.advice_file),
            notice_prior_file: source(Asset::NoticePrior, raw.notice_prior_file),
            model_file,
            data_dir,
            community: raw.community,
            ocr: raw.ocr,
            telegram: raw.telegram,
            http: raw.http,
        };
        if let Some(dir) = env("SELLERGUARD_DATA_DIR").filter(|v| !v.is_empty()) {
            settings.data_dir = PathBuf::from(dir);
        }
        if let Some(dir) = env("SELLERGUARD_RULES_DIR").filter(|v| !v.is_empty()) {
            settings.rules_dir = Source::Path(PathBuf::from(dir));
        }
        if let Some(file) = env("SELLERGUARD_MODEL_FILE") {
            // An empty value turns the base model off (rules and community alone).
            settings.model_file = (!file.is_empty()).then(|| Source::Path(PathBuf::from(file)));
        }
        let named = file.unwrap_or(Path::new("built-in settings"));
        check_ranges(named, &settings)?;
        apply_telegram_env(&mut settings.telegram, &env)?;
        if let Some(addr) = env("SELLERGUARD_HTTP_ADDR").filter(|v| !v.is_empty()) {
            settings.http.addr = addr.trim().parse().map_err(|_| {
                invalid_var(
                    "SELLERGUARD_HTTP_ADDR",
                    format!("{addr:?} is not an address like 127.0.0.1:8080"),
                )
            })?;
        }
        if let Some(value) = env("SELLERGUARD_PUBLIC_METRICS").filter(|v| !v.is_empty()) {
            settings.http.public_metrics = flag("SELLERGUARD_PUBLIC_METRICS", &value)?;
        }
        validate_telegram(&settings.telegram)?;
        Ok(settings)
    }
}

/// Lays `over` onto `base`, table by table; any other value replaces.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// A settings problem found after merging, placed on the line of `text` that holds the
/// key it names (toml says "in `a.b`" or "unknown field `b`").
fn locate(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    let full = error.to_string();
    let mut parts = full.trim().splitn(2, "\nin `");
    let message = parts.next().unwrap_or_default().trim().to_owned();
    let mut key: Vec<String> = parts
        .next()
        .map(|k| {
            k.trim_end_matches('`')
                .split('.')
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        key.push(field.to_owned());
    }
    let shown = if key.is_empty() {
        message
    } else {
        format!("{}: {message}", key.join("."))
    };
    match line_of(text, &key) {
        Some((line, col)) => parse_error(path, line, col, shown),
        None => invalid(path, shown),
    }
}

/// The 1-based line and column of `key` (`["community", "per"]`) in a TOML text.
fn line_of(text: &str, key: &[String]) -> Option<(usize, usize)> {
    let (name, table) = key.split_last()?;
    let table = table.join(".");
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(header) = trimmed.strip_prefix('[') {
            current = header
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            if current == key.join(".") {
                return Some((i + 1, line.len() - trimmed.len() + 1));
            }
            continue;
        }
        let defines = trimmed
            .strip_prefix(name.as_str())
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if current == table && defines {
            return Some((i + 1, line.len() - trimmed.len() + 1));
        }
    }
    None
}

/// Every number in the settings file, checked against what the program can honour.
fn check_ranges(path: &Path, settings: &Settings) -> Result<(), ConfigError> {
    let in_range = |key: &str, value: u64, range: std::ops::RangeInclusive<u64>| {
        if range.contains(&value) {
            return Ok(());
        }
        let (low, high) = range.into_inner();
        Err(invalid(
            path,
            format!("{key} is {value}; it must be between {low} and {high}"),
        ))
    };
    let workers = u64::try_from(settings.ocr.workers).unwrap_or(u64::MAX);
    in_range("ocr.workers", workers, 0..=MAX_OCR_WORKERS)?;
    in_range("ocr.timeout_secs", settings.ocr.timeout_secs, 1..=600)?;
    in_range(
        "community.min_reporters",
        settings.community.min_reporters,
        1..=1000,
    )?;
    let per_hour = u64::from(settings.community.reports_per_hour.get());
    in_range("community.reports_per_hour", per_hour, 1..=10_000)?;
    in_range(
        "community.retention_days",
        settings.community.retention_days,
        1..=36_500,
    )?;
    let per_minute = u64::from(settings.http.public_checks_per_minute);
    in_range("http.public_checks_per_minute", per_minute, 1..=100_000)?;
    let grace = settings.telegram.shutdown_grace_secs;
    in_range("telegram.shutdown_grace_secs", grace, 0..=300)
}

/// Most OCR workers (each may come to hold up to about 115 MiB of engines).
pub const MAX_OCR_WORKERS: u64 = 64;

fn apply_telegram_env(
    telegram: &mut TelegramSettings,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let var = |name: &str| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(token) = var("TELEGRAM_BOT_TOKEN") {
        telegram.bot_token = Some(Secret::new(token));
    }
    if let Some(url) = var("TELEGRAM_API_URL") {
        telegram.api_url = url;
    }
    if let Some(ids) = var("SELLERGUARD_ADMIN_IDS") {
        telegram.admin_ids = parse_ids("SELLERGUARD_ADMIN_IDS", &ids)?;
    }
    if let Some(id) = var("SELLERGUARD_ADMIN_CHAT_ID") {
        telegram.admin_chat_id = Some(parse_id("SELLERGUARD_ADMIN_CHAT_ID", &id)?);
    }
    if let Some(url) = var("TELEGRAM_WEBHOOK_URL") {
        telegram.webhook_url = Some(url);
    }
    if let Some(secret) = var("TELEGRAM_WEBHOOK_SECRET") {
        telegram.webhook_secret = Some(Secret::new(secret));
    }
    Ok(())
}

/// Checks what serde cannot: token shape, URL schemes, the webhook secret's alphabet.
fn validate_telegram(telegram: &TelegramSettings) -> Result<(), ConfigError> {
    if let Some(token) = &telegram.bot_token {
        let well_formed = token.expose().split_once(':').is_some_and(|(id, rest)| {
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()
        });
        if !well_formed {
            return Err(invalid_var(
                "TELEGRAM_BOT_TOKEN",
                "is not a bot token (expected digits, a colon, then the secret, as @BotFather gives it)".into(),
            ));
        }
    }
    if !(telegram.api_url.starts_with("https://") || telegram.api_url.starts_with("http://")) {
        return Err(invalid_var(
            "TELEGRAM_API_URL",
            format!("{:?} is not an http(s) URL", telegram.api_url),
        ));
    }
    if let Some(url) = &telegram.webhook_url
        && !url.starts_with("https://")
    {
        return Err(invalid_var(
            "TELEGRAM_WEBHOOK_URL",
            format!("{url:?} is not an https URL (Telegram only calls https webhooks)"),
        ));
    }
    if telegram.webhook_url.is_some() && telegram.webhook_secret.is_none() {
        return Err(invalid_var(
            "TELEGRAM_WEBHOOK_SECRET",
            "must be set when TELEGRAM_WEBHOOK_URL is (it proves requests come from Telegram)"
                .into(),
        ));
    }
    if let Some(secret) = &telegram.webhook_secret {
        let s = secret.expose();
        let ok = (1..=256).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(invalid_var(
                "TELEGRAM_WEBHOOK_SECRET",
                "must be 1-256 characters of A-Z, a-z, 0-9, _ and -".into(),
            ));
        }
    }
    Ok(())
}

fn parse_ids(name: &str, list: &str) -> Result<Vec<i64>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse_id(name, s))
        .collect()
}

fn parse_id(name: &str, value: &str) -> Result<i64, ConfigError> {
    value.trim().parse().map_err(|_| {
        invalid_var(
            name,
            format!(
                "{value:?} is not a Telegram id (an integer such as 123456789 or -1001234567890)"
            ),
        )
    })
}

/// The yes/no value `value` of the variable `name`: `true` or `false`.
fn flag(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(invalid_var(name, format!("{other:?} is not true or false"))),
    }
}

fn invalid_var(name: &str, message: String) -> ConfigError {
    ConfigError::Invalid {
        what: name.to_owned(),
        message,
    }
}

/// The official-channels file (`config/channels.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelsFile {
    /// When and from where the lists were checked.
    pub meta: ChannelsMeta,
    /// Platforms, PSPs and banks.
    pub official: Vec<OfficialDoc>,
    /// URL shorteners.
    pub shorteners: ShortenersDoc,
}

/// Provenance of the channel lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelsMeta {
    /// Date the PSP list was last checked.
    pub checked: String,
    /// Where the facts come from.
    pub sources: Vec<String>,
}

/// One official organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialDoc {
    /// Display name.
    pub name: String,
    /// What kind of organisation it is.
    pub kind: ChannelKind,
    /// Domains (subdomains count too); may be empty for an authority known only by name.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Brand tokens that mean impersonation inside other domains.
    #[serde(default)]
    pub brands: Vec<String>,
    /// How messages name it (either script, any case): a message naming it claims to
    /// come from it.
    #[serde(default)]
    pub names: Vec<String>,
    /// Its genuine SMS sender IDs and published numbers (`95588`, `AMAZON`): a number in a
    /// message that equals one of these is its own channel, not an off-channel contact.
    #[serde(default)]
    pub senders: Vec<String>,
}

/// What kind of organisation a channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// A selling platform.
    Platform,
    /// A payment service provider.
    Psp,
    /// A deposit-taking bank.
    Bank,
    /// A parcel carrier or postal service.
    Courier,
    /// A mobile operator or internet service.
    Telco,
    /// Tax, customs, police, social or health insurance, toll roads and other
    /// authorities.
    Authority,
    /// Any other company messages impersonate (software, streaming, crypto exchanges).
    Service,
}

/// URL shortener domains.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortenersDoc {
    /// Their domains.
    pub domains: Vec<String>,
}

impl ChannelsFile {
    /// Reads and validates the file.
    pub fn load(source: &Source) -> Result<Self, ConfigError> {
        let (name, text) = source.read_text()?;
        let path = Path::new(&name);
        let file: Self = parse_toml(path, &text)?;
        for entry in &file.official {
            if entry.domains.is_empty() && entry.names.is_empty() {
                return Err(invalid(
                    path,
                    format!("{} has neither domains nor names", entry.name),
                ));
            }
            if let Some(d) = entry.domains.iter().find(|d| !is_plain_host(d)) {
                return Err(invalid(
                    path,
                    format!("{}: {d:?} is not a plain lower-case host", entry.name),
                ));
            }
        }
        Ok(file)
    }
}

/// Advice text in both languages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdviceText {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
    /// Where the facts come from.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// The advice file (`config/advice.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdviceFile {
    /// Advice for any suspicious message.
    pub general: AdviceText,
    /// What to do if the user already clicked, paid or authorised.
    pub already_acted: AdviceText,
    /// Advice per family name.
    pub family: BTreeMap<String, AdviceText>,
    /// Hotlines and reporting addresses per region key (`cn`, `us`, `gb`, `hk`, `tw`).
    #[serde(default)]
    pub reporting: BTreeMap<String, ReportingText>,
}

/// One region's hotlines and reporting addresses: in full (what to do if caught) and
/// as a short line for the card's first screen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingText {
    /// Chinese, in full.
    pub zh: String,
    /// English, in full.
    pub en: String,
    /// The short line on the card.
    pub card: ShortText,
    /// Where the facts come from.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A short text in both languages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortText {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl AdviceFile {
    /// Reads the file.
    pub fn load(source: &Source) -> Result<Self, ConfigError> {
        let (name, text) = source.read_text()?;
        parse_toml(Path::new(&name), &text)
    }
}

/// Every rule file of `source` as (name, text), sorted by name: the built-in set, or
/// each `*.toml` in a folder.
pub fn read_rule_files(source: &Source) -> Result<Vec<(String, String)>, ConfigError> {
    match source {
        Source::Builtin(_) => Ok(builtin::rule_files()),
        Source::Path(dir) => read_rule_dir(dir),
    }
}

/// Reads every `*.toml` rule file in `dir`, sorted by name.
fn read_rule_dir(dir: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let read_err = |reason| ConfigError::Read {
        path: dir.to_path_buf(),
        reason,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(invalid(dir, "no *.toml rule files".into()));
    }
    let mut total = 0;
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let text = read_rule_file(&path)?;
        total += text.len();
        if total > MAX_RULE_DIR_BYTES {
            let message = format!("the rule folder holds more than {MAX_RULE_DIR_BYTES} bytes");
            return Err(parse_error(&path, 1, 1, message));
        }
        files.push((path.display().to_string(), text));
    }
    Ok(files)
}

/// Largest rule file read (the shipped ones are under 40 KiB).
pub const MAX_RULE_FILE_BYTES: usize = 256 << 10;
/// Largest rule folder read, all files together.
pub const MAX_RULE_DIR_BYTES: usize = 4 << 20;

/// Reads one rule file: at most `MAX_RULE_FILE_BYTES`, UTF-8 (a bad byte is named by
/// line and column).
fn read_rule_file(path: &Path) -> Result<String, ConfigError> {
    use std::io::Read;
    let read_err = |reason| ConfigError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(read_err)?;
    let limit = u64::try_from(MAX_RULE_FILE_BYTES).unwrap_or(u64::MAX) + 1;
    file.take(limit).read_to_end(&mut bytes).map_err(read_err)?;
    if bytes.len() > MAX_RULE_FILE_BYTES {
        let message = format!("rule file is larger than {MAX_RULE_FILE_BYTES} bytes");
        return Err(parse_error(path, 1, 1, message));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        parse_error(
            path,
            line,
            col,
            "not UTF-8 text (save the file as UTF-8)".into(),
        )
    })
}

fn parse_error(path: &Path, line: usize, col: usize, message: String) -> ConfigError {
    ConfigError::Parse {
        path: path.to_path_buf(),
        line,
        col,
        message,
    }
}

fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|reason| ConfigError::Read {
        path: path.to_path_buf(),
        reason,
    })
}

/// Parses TOML text read from `path`; a problem is named by line and column.
fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start).min(text.len());
        let before = text.get(..offset).unwrap_or("");
        ConfigError::Parse {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            col: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message: e.message().trim().replace('\n', " "),
        }
    })
}

fn invalid(path: &Path, message: String) -> ConfigError {
    ConfigError::Invalid {
        what: path.display().to_string(),
        message,
    }
}

fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete settings file; tests append sections to it.
    const BASE: &str = "rules_dir='r'\nchannels_file='c'\nadvice_file='a'\nnotice_prior_file='n'\n\
        data_dir='d'\n[community]\nmin_reporters=3\nreports_per_hour=5\nretention_days=9\n\
        [ocr]\nworkers=1\ntimeout_secs=10\nlanguages='eng'\n";

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn load(path: &Path, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        Settings::load(&ConfigLocation::File(path.to_path_buf()), env)
    }

    #[test]
    fn env_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "s.toml", BASE);
        let s = load(&path, |k| {
            (k == "SELLERGUARD_DATA_DIR").then(|| "/tmp/x".into())
        })
        .unwrap();
        assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(s.rules_dir, Source::Path(dir.path().join("r")));
    }

    #[test]
    fn a_partial_file_changes_only_what_it_names_and_paths_resolve_from_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "s.toml",
            "data_dir = 'state'\nmodel_file = ''\n[community]\nmin_reporters = 5\n",
        );
        let s = load(&path, |_| None).unwrap();
        let builtin = Settings::builtin();
        assert_eq!(s.community.min_reporters, 5);
        assert_eq!(s.community.retention_days, builtin.community.retention_days);
        assert_eq!(s.ocr.languages, builtin.ocr.languages);
        assert_eq!(s.data_dir, dir.path().join("state"));
        assert_eq!(
            s.model_file, None,
            "an empty model_file turns the model off"
        );
        assert_eq!(s.rules_dir, Source::Builtin(Asset::Rules));
    }

    #[test]
    fn a_config_dir_overrides_only_the_files_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rules")).unwrap();
        write(dir.path(), "advice.toml", "");
        let s = Settings::load(&ConfigLocation::Dir(dir.path().into()), |_| None).unwrap();
        assert_eq!(s.rules_dir, Source::Path(dir.path().join("rules")));
        assert_eq!(s.advice_file, Source::Path(dir.path().join("advice.toml")));
        assert_eq!(s.channels_file, Source::Builtin(Asset::Channels));
        assert_eq!(s.model_file, Some(Source::Builtin(Asset::Model)));

        write(dir.path(), SETTINGS_FILE, "[ocr]\nworkers = 2\n");
        let s = Settings::load(&ConfigLocation::Dir(dir.path().into()), |_| None).unwrap();
        assert_eq!(s.ocr.workers, 2);

        let missing = dir.path().join("nope");
        let err = Settings::load(&ConfigLocation::Dir(missing), |_| None).unwrap_err();
        assert!(err.to_string().contains("sellerguard init"), "{err}");
    }

    #[test]
    fn the_builtin_files_are_complete_and_init_writes_them_all() {
        let s = Settings::builtin();
        for source in [&s.channels_file, &s.advice_file, &s.notice_prior_file] {
            let (_, text) = source.read_text().unwrap();
            assert!(!text.is_empty(), "{source}");
        }
        ChannelsFile::load(&s.channels_file).unwrap();
        AdviceFile::load(&s.advice_file).unwrap();
        assert!(read_rule_files(&s.rules_dir).unwrap().len() >= 10);

        let dir = tempfile::tempdir().unwrap();
        let written = write_defaults(dir.path(), false).unwrap();
        let from_dir = Settings::load(&ConfigLocation::Dir(dir.path().into()), |_| None).unwrap();
        assert!(
            from_dir.rules_dir.path().is_some() && from_dir.model_file.unwrap().path().is_some()
        );
        let on_disk = read_rule_files(&from_dir.rules_dir).unwrap();
        let built_in = read_rule_files(&s.rules_dir).unwrap();
        assert_eq!(
            on_disk.iter().map(|(_, t)| t).collect::<Vec<_>>(),
            built_in.iter().map(|(_, t)| t).collect::<Vec<_>>()
        );
        let again = write_defaults(dir.path(), false).unwrap_err().to_string();
        assert!(again.contains("already exists"), "{again}");
        assert_eq!(write_defaults(dir.path(), true).unwrap(), written);
    }

    #[test]
    fn problems_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "s.toml", "rules_dir='r'\nbogus = 1\n");
        let err = load(&path, |_| None).unwrap_err().to_string();
        assert!(err.contains("s.toml:2:1") && err.contains("bogus"), "{err}");
        let path = write(dir.path(), "s.toml", "[ocr]\nworkers = 1\ncolour = 'red'\n");
        let err = load(&path, |_| None).unwrap_err().to_string();
        assert!(
            err.contains("s.toml:3:1: ocr.colour: unknown field"),
            "{err}"
        );
        let missing = load(&dir.path().join("nope.toml"), |_| None).unwrap_err();
        assert!(matches!(missing, ConfigError::Read { .. }));
    }

    #[test]
    fn a_zero_report_limit_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let text = BASE.replace("reports_per_hour=5", "reports_per_hour=0");
        let path = write(dir.path(), "s.toml", &text);
        let err = load(&path, |_| None).unwrap_err().to_string();
        assert!(
            err.contains("s.toml:8:") && err.contains("nonzero"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_numbers_are_refused_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("workers=1", "workers=100000", "ocr.workers is 100000"),
            ("workers=1", "workers=65", "ocr.workers is 65"),
            (
                "timeout_secs=10",
                "timeout_secs=18446744073709551615",
                "s.toml:12:14: u64 value was too large",
            ),
            (
                "min_reporters=3",
                "min_reporters=0",
                "community.min_reporters is 0",
            ),
            (
                "retention_days=9",
                "retention_days=0",
                "community.retention_days",
            ),
            (
                "languages='eng'",
                "languages='eng'\n[telegram]\nshutdown_grace_secs=301",
                "telegram.shutdown_grace_secs is 301",
            ),
        ];
        for (from, to, expected) in cases {
            let path = write(dir.path(), "s.toml", &BASE.replace(from, to));
            let err = load(&path, |_| None).unwrap_err().to_string();
            assert!(
                err.contains("s.toml") && err.contains(expected),
                "{to}: {err}"
            );
        }
    }

    #[test]
    fn rule_files_are_bounded_utf8_and_named_by_line_and_column() {
        let cases: [(&[u8], &str); 3] = [
            (
                b"[cue.x]\nkeywords = ['caf\xe9']\n",
                "x.toml:2:17: not UTF-8",
            ),
            (
                &[b' '; MAX_RULE_FILE_BYTES + 1],
                "x.toml:1:1: rule file is larger",
            ),
            (b"# fine\n", ""),
        ];
        for (bytes, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("x.toml"), bytes).unwrap();
            match read_rule_files(&Source::Path(dir.path().into())) {
                Ok(files) => assert!(expected.is_empty() && files.len() == 1),
                Err(e) => assert!(
                    !expected.is_empty() && e.to_string().contains(expected),
                    "{e}"
                ),
            }
        }
    }

    #[test]
    fn channel_domains_must_be_plain_hosts() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "c.toml",
            "[meta]\nchecked='x'\nsources=[]\n[shorteners]\ndomains=[]\n[[official]]\nname='A'\nkind='platform'\ndomains=['https://a.com']\n",
        );
        let err = ChannelsFile::load(&Source::Path(path))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a plain"), "{err}");
    }

    #[test]
    fn telegram_and_http_settings_come_from_file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "s.toml",
            &format!("{BASE}[telegram]\nadmin_ids=[1]\n[http]\naddr='0.0.0.0:9000'\n"),
        );
        let file_only = load(&path, |_| None).unwrap();
        assert_eq!(file_only.telegram.admin_ids, vec![1]);
        assert_eq!(file_only.telegram.api_url, DEFAULT_TELEGRAM_API_URL);
        assert!(file_only.telegram.bot_token.is_none());
        assert_eq!(file_only.http.addr.to_string(), "0.0.0.0:9000");

        let env = |k: &str| {
            let v = match k {
                "TELEGRAM_BOT_TOKEN" => "123:ABC",
                "TELEGRAM_API_URL" => "http://127.0.0.1:1/",
                "SELLERGUARD_ADMIN_IDS" => " 5, 6 ,",
                "SELLERGUARD_ADMIN_CHAT_ID" => "-1001",
                "SELLERGUARD_HTTP_ADDR" => "127.0.0.1:0",
                "SELLERGUARD_PUBLIC_METRICS" => "true",
                _ => return None,
            };
            Some(v.to_owned())
        };
        let s = load(&path, env).unwrap();
        assert_eq!(s.telegram.bot_token.unwrap().expose(), "123:ABC");
        assert_eq!(s.telegram.api_url, "http://127.0.0.1:1/");
        assert_eq!(s.telegram.admin_ids, vec![5, 6]);
        assert!(s.http.public_metrics);
        assert_eq!(s.telegram.admin_chat_id, Some(-1001));
        assert_eq!(s.http.addr.port(), 0);
    }

    #[test]
    fn bad_telegram_values_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "s.toml", BASE);
        let cases = [
            (
                "SELLERGUARD_ADMIN_IDS",
                "1,two",
                "\"two\" is not a Telegram id",
            ),
            ("SELLERGUARD_ADMIN_CHAT_ID", "x", "is not a Telegram id"),
            ("SELLERGUARD_HTTP_ADDR", "localhost", "is not an address"),
            ("SELLERGUARD_PUBLIC_METRICS", "yes", "is not true or false"),
            ("TELEGRAM_BOT_TOKEN", "nocolon", "is not a bot token"),
            ("TELEGRAM_API_URL", "ftp://x", "is not an http(s) URL"),
            ("TELEGRAM_WEBHOOK_URL", "http://x", "is not an https URL"),
            ("TELEGRAM_WEBHOOK_URL", "https://x/hook", "must be set when"),
            ("TELEGRAM_WEBHOOK_SECRET", "a b", "must be 1-256"),
        ];
        for (name, value, expected) in cases {
            let err = load(&path, |k| (k == name).then(|| value.to_owned()))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("TELEGRAM_WEBHOOK_SECRET") || err.starts_with(name),
                "{name}: {err}"
            );
            assert!(
                err.contains(name) && err.contains(expected),
                "{name}: {err}"
            );
            assert!(!err.contains("nocolon"), "token leaked: {err}");
        }
    }

    #[test]
    fn the_webhook_path_is_the_url_path() {
        let mut telegram = TelegramSettings::default();
        assert_eq!(telegram.webhook_path(), None);
        telegram.webhook_url = Some("https://bot.example.com/tg/hook?x=1".into());
        assert_eq!(telegram.webhook_path().as_deref(), Some("/tg/hook"));
        telegram.webhook_url = Some("https://bot.example.com".into());
        assert_eq!(telegram.webhook_path().as_deref(), Some("/"));
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(
            format!("{:?}", Secret::new("123:ABC")),
            "Secret([redacted])"
        );
    }
}
