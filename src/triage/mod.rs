//! The triage service: the one place every front end (CLI, Telegram, HTTP) asks
//! "is this a scam, why, and what should the seller do".
//!
//! Invariants: the classifier is swapped whole: a reload compiles a new rule set and
//! replaces the running one only if it compiled, so a broken file never takes the
//! service down. Advice comes from config and is looked up per family and language.

mod advice;
pub mod card;
pub mod fingerprint;
pub mod learned;
pub mod prefs;
pub mod reports;

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;

pub use advice::Advice;
pub use card::Card;

use crate::classify::{
    Channels, Classifier, Message, OfficialEntry, RuleErrors, RuleProblem, RuleSource, Verdict,
};
use crate::config::{self, AdviceFile, ChannelsFile, ConfigError, Settings};

/// Why the service could not load its rules or config.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A config file is missing or malformed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Rule files do not compile.
    #[error("rule files have problems:\n{0}")]
    Rules(#[from] RuleErrors),
}

/// The triage service.
pub struct Triage {
    classifier: ArcSwap<Classifier>,
    channels: Channels,
    advice: Advice,
}

impl Triage {
    /// Loads rules, channels and advice as the settings say.
    pub fn load(settings: &Settings) -> Result<Self, LoadError> {
        let channels = load_channels(&settings.channels_file)?;
        let (classifier, _warnings) = compile_dir(&settings.rules_dir, channels.clone())?;
        let advice = Advice::from_file(AdviceFile::load(&settings.advice_file)?);
        Ok(Self {
            classifier: ArcSwap::from_pointee(classifier),
            channels,
            advice,
        })
    }

    /// Judges one message.
    pub fn check(&self, message: Message<'_>) -> Verdict {
        self.classifier.load().classify(message)
    }

    /// The running classifier.
    pub fn classifier(&self) -> Arc<Classifier> {
        self.classifier.load_full()
    }

    /// Re-reads the rule files in `dir`; the running rules stay if they do not compile.
    /// Returns the number of rules now running.
    pub fn reload_rules(&self, dir: &Path) -> Result<usize, LoadError> {
        let (classifier, _warnings) = compile_dir(dir, self.channels.clone())?;
        let count = classifier.rules().len();
        self.classifier.store(Arc::new(classifier));
        Ok(count)
    }

    /// Advice texts.
    pub fn advice(&self) -> &Advice {
        &self.advice
    }
}

/// Reads the official channels file into the classifier's form.
pub fn load_channels(path: &Path) -> Result<Channels, ConfigError> {
    let file = ChannelsFile::load(path)?;
    let entries = file
        .official
        .into_iter()
        .map(|o| OfficialEntry {
            name: o.name,
            domains: o.domains,
            brands: o.brands,
        })
        .collect();
    Ok(Channels::new(entries, file.shorteners.domains))
}

/// Compiles every rule file in `dir`; on success also returns the warnings.
pub fn compile_dir(
    dir: &Path,
    channels: Channels,
) -> Result<(Classifier, Vec<RuleProblem>), LoadError> {
    let sources: Vec<RuleSource> = config::read_rule_files(dir)?
        .into_iter()
        .map(|(path, text)| RuleSource {
            name: path.display().to_string(),
            text,
        })
        .collect();
    Ok(Classifier::new(&sources, channels)?)
}
