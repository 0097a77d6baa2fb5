//! The editable files the binary carries (settings, rules, channels, advice, notice
//! prior, base model), and [`Source`]: where each one is read from, built in or on disk.
//!
//! Invariants: the built-in copies are the repository's files at build time (the build
//! script reruns when `rules/` changes, `include_*` tracks the rest); every reader
//! names what it read, so an error points at a file or at "built-in NAME".

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use super::ConfigError;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The built-in settings (`config/default.toml`).
pub(super) const SETTINGS: &str = include_str!("../../config/default.toml");

/// One editable file (or, for rules, folder) and its built-in copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asset {
    /// Rule files (`*.toml` in a folder).
    Rules,
    /// Official channels.
    Channels,
    /// Bilingual advice.
    Advice,
    /// Genuine notice formats for the learned model.
    NoticePrior,
    /// The shipped base model.
    Model,
}

impl Asset {
    /// Every asset, in the order `init` writes them.
    pub const ALL: [Asset; 5] = [
        Asset::Rules,
        Asset::Channels,
        Asset::Advice,
        Asset::NoticePrior,
        Asset::Model,
    ];

    /// Its name inside a config directory (`rules` is a folder).
    pub fn file_name(self) -> &'static str {
        match self {
            Asset::Rules => "rules",
            Asset::Channels => "channels.toml",
            Asset::Advice => "advice.toml",
            Asset::NoticePrior => "notice_prior.jsonl",
            Asset::Model => "model.bin",
        }
    }

    /// The settings key that names its path.
    pub fn key(self) -> &'static str {
        match self {
            Asset::Rules => "rules_dir",
            Asset::Channels => "channels_file",
            Asset::Advice => "advice_file",
            Asset::NoticePrior => "notice_prior_file",
            Asset::Model => "model_file",
        }
    }

    /// The built-in copy of a single-file asset (rules are [`RULE_FILES`]).
    pub(super) fn builtin(self) -> &'static [u8] {
        match self {
            Asset::Rules => &[],
            Asset::Channels => include_bytes!("../../config/channels.toml"),
            Asset::Advice => include_bytes!("../../config/advice.toml"),
            Asset::NoticePrior => include_bytes!("../../config/notice_prior.jsonl"),
            Asset::Model => include_bytes!("../../config/model.bin"),
        }
    }
}

/// The base model's manifest, written beside it by `init`.
pub(super) const MODEL_MANIFEST: &str = include_str!("../../config/model.bin.manifest.json");
/// The rule format's documentation, written beside the rules by `init`.
pub(super) const RULES_README: &str = include_str!("../../rules/README.md");

/// Where an editable file is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The copy built into the binary.
    Builtin(Asset),
    /// A file (or, for rules, a folder) on disk.
    Path(PathBuf),
}

impl Source {
    /// The file on disk, if it is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Builtin(_) => None,
            Source::Path(p) => Some(p),
        }
    }

    /// The whole content of a single-file source, with the name to report it by.
    pub fn read(&self) -> Result<(String, Cow<'static, [u8]>), ConfigError> {
        match self {
            Source::Builtin(asset) => Ok((self.to_string(), Cow::Borrowed(asset.builtin()))),
            Source::Path(path) => std::fs::read(path)
                .map(|bytes| (self.to_string(), Cow::Owned(bytes)))
                .map_err(|reason| ConfigError::Read {
                    path: path.clone(),
                    reason,
                }),
        }
    }

    /// The content as UTF-8 text, with its name.
    pub fn read_text(&self) -> Result<(String, String), ConfigError> {
        let (name, bytes) = self.read()?;
        match String::from_utf8(bytes.into_owned()) {
            Ok(text) => Ok((name, text)),
            Err(_) => Err(ConfigError::Invalid {
                what: name,
                message: "not UTF-8 text (save the file as UTF-8)".into(),
            }),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Builtin(asset) => write!(f, "built-in {}", asset.file_name()),
            Source::Path(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The built-in rule files as (name, text), names like `built-in rules/grammar.toml`.
pub(super) fn rule_files() -> Vec<(String, String)> {
    RULE_FILES
        .iter()
        .map(|(name, text)| (format!("built-in rules/{name}"), (*text).to_owned()))
        .collect()
}
