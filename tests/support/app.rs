//! Starts the whole app (triage, bot, web) on port 0 with a temporary data dir and a
//! small rule set, against the fake Bot API, with in-memory stores the test can read.

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sellerguard::app::{App, RunningApp};
use sellerguard::config::{
    CommunitySettings, HttpSettings, OcrSettings, Secret, Settings, Source, TelegramSettings,
};
use sellerguard::triage::feedback::MemoryReports;
use sellerguard::triage::prefs::MemoryPrefs;
use tempfile::TempDir;

use super::fake_bot_api::FakeBotApi;

/// Bounded wait for anything the bot does.
pub const WAIT: Duration = Duration::from_secs(15);

/// Rules for the tests: a fee demand alone is medium; with a link it is high. A member
/// warning others keeps the shipped rule's id (what `Verdict::warns_about_scam` looks
/// for) but a weight too small to change a level, so tests see the group policy, not
/// the score, leave it alone.
pub const TEST_RULES: &str = r#"
[cue.fee_demand]
keywords = ["customs fee", "pay the fee", "缴纳关税", "保证金"]

[cue.member_warning]
keywords = ["大家注意", "psa"]

[[rule]]
id = "legit.member-warning"
family = "legitimate"
weight = -5
all = ["member_warning"]
explain = { zh = "这条消息是在提醒别人防骗", en = "This message warns others about a scam" }

[[rule]]
id = "test.fee-with-link"
family = "logistics-fee"
weight = 80
all = ["fee_demand", "@link"]
explain = { zh = "要求通过链接付费", en = "Asks you to pay a fee & <click> a link" }

[[rule]]
id = "test.fee"
family = "logistics-fee"
weight = 45
all = ["fee_demand"]
explain = { zh = "要求付费", en = "Asks you to pay a fee" }
"#;

/// A high-risk English message under `TEST_RULES`.
pub const SCAM_EN: &str =
    "Your parcel is held. Pay the customs fee at http://bit.ly/x?a=1&b=2 today";
/// A high-risk Chinese message under `TEST_RULES`.
pub const SCAM_ZH: &str = "您的包裹被扣留，请点击 http://bit.ly/x 缴纳关税";
/// A medium-risk message (fee demand, no link).
pub const MEDIUM_EN: &str = "Please pay the customs fee before Friday";
/// A low-risk message.
pub const HARMLESS: &str = "Thanks, the order arrived in good shape.";

/// Knobs for one test app.
#[derive(Clone, Copy)]
pub struct Tuning {
    /// Debounce window for forwards and albums.
    pub batch_window: Duration,
    /// Group warnings per minute.
    pub group_warnings_per_minute: u32,
    /// Window in which group deletions share one notice.
    pub notice_window: Duration,
    /// Window of the dry-run reports an admin gets one by one.
    pub dry_run_window: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            batch_window: Duration::from_millis(500),
            group_warnings_per_minute: 5,
            notice_window: Duration::from_millis(1000),
            dry_run_window: Duration::from_secs(60),
        }
    }
}

/// A running app plus everything a test inspects.
pub struct TestApp {
    pub fake: FakeBotApi,
    pub prefs: Arc<MemoryPrefs>,
    pub reports: Arc<MemoryReports>,
    pub running: RunningApp,
    pub dir: TempDir,
}

impl TestApp {
    /// A fresh fake, fresh stores, default tuning; returns once the bot polls.
    pub async fn start() -> Self {
        Self::start_with(FakeBotApi::start().await, Tuning::default()).await
    }

    /// A fresh app against `fake`.
    pub async fn start_with(fake: FakeBotApi, tuning: Tuning) -> Self {
        let prefs = Arc::new(MemoryPrefs::new());
        let reports = Arc::new(MemoryReports::new());
        Self::restart(fake, prefs, reports, tuning).await
    }

    /// An app against `fake` reusing `prefs` and `reports` (a restart).
    pub async fn restart(
        fake: FakeBotApi,
        prefs: Arc<MemoryPrefs>,
        reports: Arc<MemoryReports>,
        tuning: Tuning,
    ) -> Self {
        let polls_before = fake.calls_to("getUpdates").len();
        let app = Self::launch(fake, prefs, reports, tuning, |_| {}).await;
        app.fake
            .wait_for_calls("getUpdates", polls_before + 1, WAIT)
            .await;
        app
    }

    /// Starts the app with `configure`d settings; does not wait for the bot.
    pub async fn launch(
        fake: FakeBotApi,
        prefs: Arc<MemoryPrefs>,
        reports: Arc<MemoryReports>,
        tuning: Tuning,
        configure: impl FnOnce(&mut Settings),
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = settings(dir.path(), Some(&fake));
        configure(&mut settings);
        let mut app = App::new(settings);
        app.prefs = prefs.clone();
        app.reports = reports.clone();
        app.batch_window = Some(tuning.batch_window);
        app.group_warnings_per_minute = Some(tuning.group_warnings_per_minute);
        app.notice_window = Some(tuning.notice_window);
        app.dry_run_window = Some(tuning.dry_run_window);
        app.poll_timeout_secs = Some(2);
        let running = sellerguard::app::start(app).await.expect("app starts");
        Self {
            fake,
            prefs,
            reports,
            running,
            dir,
        }
    }

    /// A fresh app in `webhook_mode` against a fresh fake; does not wait for the bot.
    pub async fn start_webhook() -> Self {
        let fake = FakeBotApi::start().await;
        let (prefs, reports) = Default::default();
        Self::launch(fake, prefs, reports, Tuning::default(), webhook_mode).await
    }

    /// A fresh app over a REAL sled store in its temp data dir (`App::persistent`, as
    /// `serve` builds it) with `configure`d settings; returns once the bot polls.
    /// `prefs` and `reports` stay empty: the service keeps both.
    pub async fn start_persistent(configure: impl FnOnce(&mut Settings)) -> Self {
        let fake = FakeBotApi::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let app = Self::persistent_in(fake, dir, configure).await;
        app.fake.wait_for_calls("getUpdates", 1, WAIT).await;
        app
    }

    /// The app over the real sled store in `dir` (reused across restarts) against
    /// `fake`, with `configure`d settings; does not wait for the bot.
    pub async fn persistent_in(
        fake: FakeBotApi,
        dir: TempDir,
        configure: impl FnOnce(&mut Settings),
    ) -> Self {
        let mut settings = settings(dir.path(), Some(&fake));
        configure(&mut settings);
        let mut app = App::persistent(settings).expect("store opens");
        let tuning = Tuning::default();
        app.batch_window = Some(tuning.batch_window);
        app.group_warnings_per_minute = Some(tuning.group_warnings_per_minute);
        app.notice_window = Some(tuning.notice_window);
        app.poll_timeout_secs = Some(2);
        let running = sellerguard::app::start(app).await.expect("app starts");
        Self {
            fake,
            prefs: Arc::new(MemoryPrefs::new()),
            reports: Arc::new(MemoryReports::new()),
            running,
            dir,
        }
    }

    /// Waits until everything enqueued so far was taken over (the bot polled again),
    /// then shuts down gracefully, which finishes every in-flight update.
    pub async fn drain_and_stop(self) -> (FakeBotApi, Arc<MemoryPrefs>, Arc<MemoryReports>) {
        let polls = self.fake.calls_to("getUpdates").len();
        self.fake
            .wait_for_calls("getUpdates", polls + 1, WAIT)
            .await;
        self.running.shutdown().await.expect("clean shutdown");
        (self.fake, self.prefs, self.reports)
    }
}

/// Webhook mode at `https://bot.example.com/tg/hook` (the web server takes updates on
/// `/tg/hook`) with the secret `s3cret_token`.
pub fn webhook_mode(settings: &mut Settings) {
    settings.telegram.webhook_url = Some("https://bot.example.com/tg/hook".into());
    settings.telegram.webhook_secret = Some(Secret::new("s3cret_token"));
}

/// Settings for a test: shipped channels and advice, `TEST_RULES`, temp data dir,
/// port 0, and the fake's URL and token when given.
pub fn settings(dir: &Path, fake: Option<&FakeBotApi>) -> Settings {
    let rules_dir = dir.join("rules");
    std::fs::create_dir_all(&rules_dir).expect("rules dir");
    std::fs::write(rules_dir.join("test.toml"), TEST_RULES).expect("rule file");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut telegram = TelegramSettings::default();
    if let Some(fake) = fake {
        telegram.bot_token = Some(Secret::new(fake.token()));
        telegram.api_url = fake.url().to_string();
    }
    Settings {
        rules_dir: Source::Path(rules_dir),
        channels_file: Source::Path(config.join("channels.toml")),
        advice_file: Source::Path(config.join("advice.toml")),
        notice_prior_file: Source::Path(config.join("notice_prior.jsonl")),
        // No base model: the test rules alone decide levels, so tests stay exact.
        model_file: None,
        data_dir: dir.join("data"),
        community: CommunitySettings {
            min_reporters: 3,
            reports_per_hour: NonZeroU32::new(20).expect("positive"),
            retention_days: 90,
        },
        ocr: OcrSettings {
            workers: 1,
            timeout_secs: 10,
            languages: "chi_sim+chi_tra+eng".into(),
        },
        telegram,
        http: HttpSettings {
            addr: "127.0.0.1:0".parse().expect("address"),
            ..HttpSettings::default()
        },
    }
}
