//! Configuration: `config/default.toml`, then environment overrides, parsed once into
//! validated values; plus the channel, advice and rule files the settings point to.
//!
//! Invariants: imports nothing else of the crate; every problem names the file (and,
//! for TOML, the line) and says what to fix; secrets never print.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where the settings are read from when no `--config` is given.
pub const DEFAULT_CONFIG: &str = "config/default.toml";

/// A configuration problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Folder of rule files.
    pub rules_dir: PathBuf,
    /// Official channels file.
    pub channels_file: PathBuf,
    /// Advice file.
    pub advice_file: PathBuf,
    /// Genuine notices the learned model always counts as legitimate (JSON Lines).
    pub notice_prior_file: PathBuf,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Community reports and their anti-abuse limits.
    pub community: CommunitySettings,
    /// Screenshot reading.
    pub ocr: OcrSettings,
}

/// Screenshot reading (OCR) settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcrSettings {
    /// Engines (one per worker thread, about 110 MiB each).
    pub workers: usize,
    /// Longest one image may take, in seconds.
    pub timeout_secs: u64,
    /// Tesseract languages, e.g. `chi_sim+chi_tra+eng`.
    pub languages: String,
}

/// Limits on community reports.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunitySettings {
    /// Distinct reporters before an indicator's reports count.
    pub min_reporters: u64,
    /// Most reports one person may file per hour.
    pub reports_per_hour: usize,
    /// Days an unconfirmed report is kept.
    pub retention_days: u64,
}

impl Settings {
    /// Reads `path` (or the default file), then applies overrides from `env`.
    pub fn load(
        path: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let path = path.unwrap_or(Path::new(DEFAULT_CONFIG));
        let mut settings: Settings = read_toml(path)?;
        if let Some(dir) = env("SELLERGUARD_DATA_DIR").filter(|v| !v.is_empty()) {
            settings.data_dir = PathBuf::from(dir);
        }
        if let Some(dir) = env("SELLERGUARD_RULES_DIR").filter(|v| !v.is_empty()) {
            settings.rules_dir = PathBuf::from(dir);
        }
        if settings.ocr.workers == 0 || settings.ocr.timeout_secs == 0 {
            return Err(invalid(
                path,
                "ocr.workers and ocr.timeout_secs must be at least 1".into(),
            ));
        }
        if settings.community.min_reporters == 0 {
            return Err(invalid(
                path,
                "community.min_reporters must be at least 1".into(),
            ));
        }
        Ok(settings)
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
    /// `platform`, `psp` or `bank`.
    pub kind: ChannelKind,
    /// Domains (subdomains count too).
    pub domains: Vec<String>,
    /// Brand tokens that mean impersonation inside other domains.
    #[serde(default)]
    pub brands: Vec<String>,
    /// How users write the name.
    #[serde(default)]
    pub names: Vec<String>,
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
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file: Self = read_toml(path)?;
        for entry in &file.official {
            if entry.domains.is_empty() {
                return Err(invalid(path, format!("{} has no domains", entry.name)));
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
}

impl AdviceFile {
    /// Reads the file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        read_toml(path)
    }
}

/// Reads every `*.toml` rule file in `dir`, sorted by name.
pub fn read_rule_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, ConfigError> {
    let read_err = |source| ConfigError::Read {
        path: dir.to_path_buf(),
        source,
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
    paths
        .into_iter()
        .map(|p| read_text(&p).map(|text| (p, text)))
        .collect()
}

fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = read_text(path)?;
    toml::from_str(&text).map_err(|e| {
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

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn env_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "s.toml",
            "rules_dir='r'\nchannels_file='c'\nadvice_file='a'\nnotice_prior_file='n'\ndata_dir='d'\n[community]\nmin_reporters=3\nreports_per_hour=5\nretention_days=9\n[ocr]\nworkers=1\ntimeout_secs=10\nlanguages='eng'\n",
        );
        let s = Settings::load(Some(&path), |k| {
            (k == "SELLERGUARD_DATA_DIR").then(|| "/tmp/x".into())
        })
        .unwrap();
        assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(s.rules_dir, PathBuf::from("r"));
    }

    #[test]
    fn problems_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "s.toml", "rules_dir='r'\nbogus = 1\n");
        let err = Settings::load(Some(&path), |_| None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("s.toml:2:1") && err.contains("bogus"), "{err}");
        let missing = Settings::load(Some(&dir.path().join("nope.toml")), |_| None).unwrap_err();
        assert!(matches!(missing, ConfigError::Read { .. }));
    }

    #[test]
    fn channel_domains_must_be_plain_hosts() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "c.toml",
            "[meta]\nchecked='x'\nsources=[]\n[shorteners]\ndomains=[]\n[[official]]\nname='A'\nkind='platform'\ndomains=['https://a.com']\n",
        );
        let err = ChannelsFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("not a plain"), "{err}");
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(
            format!("{:?}", Secret::new("123:ABC")),
            "Secret([redacted])"
        );
    }
}
