//! The triage service: the one place every front end (CLI, Telegram, HTTP) asks
//! "is this a scam, why, and what should the seller do", and where reports are filed
//! and curated.
//!
//! Invariants: the classifier is swapped whole: a reload compiles a new rule set and
//! replaces the running one only if it compiled, so a broken file never takes the
//! service down. Without a data directory the service judges by rules alone; with one
//! it adds community knowledge (`community`) and accepts reports (`reports`).

pub mod activity;
mod advice;
pub mod answer;
mod answered;
pub mod backup;
pub mod card;
mod community;
pub mod contacts;
pub mod curators;
pub mod delivery;
pub mod dry_run;
pub mod feedback;
pub mod fingerprint;
pub mod group;
pub mod learned;
pub mod limits;
pub mod metrics;
mod persist;
pub mod prefs;
mod recent;
mod reports;
pub mod script;
pub mod service_file;
pub mod sessions;

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

pub use advice::{Advice, Region};
pub use card::Card;
pub use curators::{AuditEntry, Curator, Origin, TokenInfo};
pub use reports::{ImportSummary, PendingGroup, Reported, Review, ReviewTrigger, TriageError};

use crate::classify::model::LinearModel;
use crate::classify::{
    Channels, Classifier, Message, OfficialEntry, RuleErrors, RuleProblem, RuleSource, Verdict,
};
use crate::config::{
    self, AdviceFile, ChannelsFile, CommunitySettings, ConfigError, OcrSettings, Settings, Source,
};
pub use crate::eval::dataset::LabelMap;
use crate::eval::dataset::{self, DatasetError};
use crate::ocr::{Ocr, OcrOptions};
pub use crate::ocr::{OcrError, OcrText, character_error_rate};
pub use crate::store::{ReportId, ReportSource, ReportStatus, Stats};
use crate::store::{Store, StoreError, StoreOptions};
use community::Knowledge;
use limits::ReportLimiter;
use metrics::{CheckSource, Metrics};
use recent::RecentPending;

/// Longest text the front ends hand to `check`, in bytes (a Telegram message is at
/// most 4096 characters; this leaves room for pasted e-mails and read screenshots).
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// Most OCR workers started for `ocr.workers = 0` (one per core).
const MAX_AUTO_OCR_WORKERS: usize = 4;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A config file is missing or malformed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The genuine-notice prior is unreadable.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// Rule files do not compile (the problems are in the message, not a `source`, so an
    /// error chain never repeats them).
    #[error("rule files have problems:\n{0}")]
    Rules(RuleErrors),
    /// The data directory could not be opened.
    #[error("data directory: {0}")]
    Store(StoreError),
    /// The base model file is missing, corrupt or of another format version.
    #[error("model file {path}: {reason}")]
    Model {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl From<RuleErrors> for LoadError {
    fn from(errors: RuleErrors) -> Self {
        Self::Rules(errors)
    }
}

impl From<StoreError> for LoadError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// The store and what was learnt from it.
struct Community {
    store: Store,
    knowledge: Knowledge,
    settings: CommunitySettings,
    /// Recent pending reports, for the near-duplicate review trigger.
    recent: RwLock<RecentPending>,
    limiter: ReportLimiter,
    /// Who already reported which message.
    answered: answered::Answered,
}

/// The triage service.
pub struct Triage {
    classifier: ArcSwap<Classifier>,
    channels: Channels,
    model: Option<Arc<LinearModel>>,
    advice: Advice,
    notices: Vec<String>,
    community: Option<Community>,
    ocr: Option<Ocr>,
    service_token: curators::ServiceToken,
    sessions: sessions::Sessions,
    metrics: Metrics,
}

impl Triage {
    /// Loads rules, channels and advice; judges by rules alone.
    pub fn load(settings: &Settings) -> Result<Self, LoadError> {
        let channels = load_channels(&settings.channels_file)?;
        let model = settings.model_file.as_ref().map(load_model).transpose()?;
        let (classifier, _warnings) = compile_dir(&settings.rules_dir, channels.clone())?;
        let classifier = classifier.with_model(model.clone());
        let rules = classifier.rules().len();
        let advice = Advice::from_file(AdviceFile::load(&settings.advice_file)?);
        let (name, text) = settings.notice_prior_file.read_text()?;
        let notices = dataset::parse(&name, &text, &LabelMap::default())?
            .into_iter()
            .filter(|row| !row.positive)
            .map(|row| row.text)
            .collect();
        Ok(Self {
            classifier: ArcSwap::from_pointee(classifier),
            channels,
            model,
            advice,
            notices,
            community: None,
            ocr: None,
            service_token: curators::ServiceToken::default(),
            sessions: sessions::Sessions::default(),
            metrics: Metrics::new(rules),
        })
    }

    /// Loads as [`Triage::load`], then opens (creating if needed) the data directory.
    pub fn open(settings: &Settings) -> Result<Self, LoadError> {
        Self::load(settings)?.with_store_at(&settings.data_dir, settings.community.clone())
    }

    /// Opens the data directory if it exists, else judges by rules alone.
    pub fn open_if_exists(settings: &Settings) -> Result<Self, LoadError> {
        if settings.data_dir.join("db").exists() {
            Self::open(settings)
        } else {
            Self::load(settings)
        }
    }

    /// Adds community knowledge from the store in `dir`.
    pub fn with_store_at(
        mut self,
        dir: &Path,
        settings: CommunitySettings,
    ) -> Result<Self, LoadError> {
        let store = Store::open(dir, StoreOptions::default())?;
        let knowledge = Knowledge::load(&store, &self.notices)?;
        let recent = RwLock::new(RecentPending::load(&store)?);
        self.community = Some(Community {
            limiter: ReportLimiter::new(settings.reports_per_hour),
            answered: answered::Answered::new(store.clone()),
            store,
            knowledge,
            settings,
            recent,
        });
        Ok(self)
    }

    /// Starts the screenshot reader (loads the OCR engines once).
    pub fn with_ocr(mut self, settings: &OcrSettings) -> Result<Self, OcrError> {
        // One image at a time: one worker, whatever the pool size.
        let one = OcrSettings {
            workers: 1,
            ..settings.clone()
        };
        self.start_ocr(&one)?;
        Ok(self)
    }

    /// As [`Triage::with_ocr`], in place: on failure the service keeps running and
    /// answers every image with `OcrError::EngineUnavailable`.
    pub fn start_ocr(&mut self, settings: &OcrSettings) -> Result<(), OcrError> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let options = OcrOptions {
            // 0: one per core, at most `MAX_AUTO_OCR_WORKERS`.
            workers: match settings.workers {
                0 => cores.min(MAX_AUTO_OCR_WORKERS),
                n => n,
            },
            timeout: Duration::from_secs(settings.timeout_secs),
            languages: settings.languages.clone(),
            ..OcrOptions::default()
        };
        self.ocr = Some(Ocr::start(options)?);
        Ok(())
    }

    /// Whether screenshots can be read (the OCR engines started).
    pub fn reads_images(&self) -> bool {
        self.ocr.is_some()
    }

    /// Reads the text of a screenshot (blocking; for the CLI).
    pub fn read_image_blocking(&self, image: Vec<u8>) -> Result<OcrText, OcrError> {
        let ocr = self.ocr.as_ref().ok_or_else(ocr_off)?;
        let _in_flight = self.metrics.ocr_started();
        let started = Instant::now();
        let read = ocr.read_blocking(image);
        self.metrics.ocr_done(started.elapsed());
        read
    }

    /// Reads the text of a screenshot sent by `sender` on the OCR workers; a sender
    /// whose previous screenshot is still being read gets `OcrError::OwnerBusy`.
    pub async fn read_image(&self, sender: i64, image: Vec<u8>) -> Result<OcrText, OcrError> {
        let ocr = self.ocr.as_ref().ok_or_else(ocr_off)?;
        let _in_flight = self.metrics.ocr_started();
        let started = Instant::now();
        let read = ocr.read_as(sender, image).await;
        self.metrics.ocr_done(started.elapsed());
        read
    }

    /// Judges a message as [`Triage::check`] and counts it: in the statistics and in
    /// the metrics, by level, family, language, `source` and time taken.
    pub fn check_from(&self, message: Message<'_>, source: CheckSource) -> Verdict {
        let started = Instant::now();
        let verdict = self.check(message);
        self.metrics.check(&verdict, source, started.elapsed());
        self.record_check();
        verdict
    }

    /// Counts one failed call of the Bot API `method` in the metrics.
    pub fn bot_api_failed(&self, method: &str, failure: metrics::BotApiFailure) {
        self.metrics.bot_api_failed(method, failure);
    }

    /// The metrics in Prometheus text format.
    pub fn metrics_text(&self) -> String {
        let pending = self
            .community
            .as_ref()
            .and_then(|c| c.store.stats().ok())
            .map(|s| s.pending);
        self.metrics.render(pending)
    }

    /// Judges one message with the rules and, when there is a store, what the
    /// community has learned.
    pub fn check(&self, message: Message<'_>) -> Verdict {
        let mut verdict = self.classifier.load().classify(message);
        if let Some(c) = &self.community {
            let min = c.settings.min_reporters;
            if let Err(e) =
                community::add_signals(&mut verdict, message.text, &c.store, &c.knowledge, min)
            {
                tracing::error!("community knowledge unavailable for this check: {e}");
            }
            verdict.rescore();
            community::floor_reported(&mut verdict);
        }
        verdict
    }

    /// The running classifier.
    pub fn classifier(&self) -> Arc<Classifier> {
        self.classifier.load_full()
    }

    /// Replaces the base model (or turns it off) and recompiles the rules in `dir` with it.
    pub fn set_model(
        &mut self,
        model: Option<Arc<LinearModel>>,
        dir: &Source,
    ) -> Result<(), LoadError> {
        self.model = model;
        self.reload_rules(dir).map(|_| ())
    }

    /// Re-reads the rule files in `dir`; the running rules stay if they do not compile.
    /// Returns the number of rules now running.
    pub fn reload_rules(&self, dir: &Source) -> Result<usize, LoadError> {
        let (classifier, _warnings) = compile_dir(dir, self.channels.clone())?;
        let classifier = classifier.with_model(self.model.clone());
        let count = classifier.rules().len();
        self.classifier.store(Arc::new(classifier));
        self.metrics.rules_reloaded(count);
        Ok(count)
    }

    /// Advice texts.
    pub fn advice(&self) -> &Advice {
        &self.advice
    }

    fn community(&self) -> Result<&Community, TriageError> {
        self.community.as_ref().ok_or(TriageError::NoStore)
    }
}

/// Reads the official channels file into the classifier's form.
pub fn load_channels(source: &Source) -> Result<Channels, ConfigError> {
    let file = ChannelsFile::load(source)?;
    let entries = file
        .official
        .into_iter()
        .map(|o| OfficialEntry {
            name: o.name,
            domains: o.domains,
            brands: o.brands,
            names: o.names,
            senders: o.senders,
        })
        .collect();
    Ok(Channels::new(entries, file.shorteners.domains))
}

/// Reads and checks the base model file.
pub fn load_model(source: &Source) -> Result<Arc<LinearModel>, LoadError> {
    let error = |reason: String| LoadError::Model {
        path: source.to_string(),
        reason,
    };
    let (_, bytes) = source.read().map_err(|e| match e {
        ConfigError::Read { reason, .. } => error(format!("cannot read it: {reason}")),
        other => LoadError::Config(other),
    })?;
    let model = LinearModel::from_bytes(&bytes).map_err(|e| error(e.to_string()))?;
    Ok(Arc::new(model))
}

/// Compiles every rule file in `dir`; on success also returns the warnings.
pub fn compile_dir(
    dir: &Source,
    channels: Channels,
) -> Result<(Classifier, Vec<RuleProblem>), LoadError> {
    let sources: Vec<RuleSource> = config::read_rule_files(dir)?
        .into_iter()
        .map(|(name, text)| RuleSource { name, text })
        .collect();
    Ok(Classifier::new(&sources, channels)?)
}

fn ocr_off() -> OcrError {
    OcrError::EngineUnavailable {
        reason: "screenshot reading is not enabled".into(),
        packages: String::new(),
    }
}

/// Seconds since the Unix epoch.
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
