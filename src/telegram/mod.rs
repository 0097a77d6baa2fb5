//! The Telegram front end: long-polls the Bot API, turns each update into triage
//! service calls and the results into messages. teloxide lives only here.
//!
//! Invariants: handlers only convert (update -> service call -> message); decisions
//! about verdicts live in `triage`, memory of users and chats in `triage::prefs`,
//! reports in `triage::feedback`. Every update is kept in the service's inbox before
//! it is handled and finished with its own done mark (`intake`); one that keeps
//! failing is set aside after a few tries and never stops the loop. Every reply is owed
//! in the outbox before it is sent and retried until delivered or refused (`outbox`).
//! Shutdown stops taking updates, flushes pending batches and, within a bounded grace
//! period, waits for in-flight updates and owed replies.

mod api;
mod batch;
mod commands;
mod context;
mod curator;
mod dry_run;
mod group;
mod holding;
pub mod incoming;
mod intake;
mod limits;
mod media;
mod notices;
mod order;
mod outbox;
mod poll;
mod private;
pub mod render;
mod review;
mod send;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub use context::Deps;
pub use poll::UpdateSource;

use crate::config::{Asset, Secret, Source};

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    /// The API URL does not parse.
    #[error("TELEGRAM_API_URL {0:?} is not a valid URL")]
    ApiUrl(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// getMe failed for good: the token was rejected, or shutdown came first (an
    /// unreachable or failing server is retried with backoff).
    #[error(
        "cannot reach the Bot API as this bot (getMe failed: {0}); check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL"
    )]
    GetMe(String),
    /// Setting or removing the webhook failed.
    #[error("cannot set up updates (webhook): {0}")]
    Webhook(String),
    /// The preference store failed.
    #[error(transparent)]
    Prefs(#[from] crate::triage::prefs::PrefsError),
}

/// How the bot behaves.
#[derive(Debug, Clone)]
pub struct BotOptions {
    /// Bot token.
    pub token: Secret,
    /// Bot API base URL.
    pub api_url: String,
    /// Messages forwarded together (or an album) within this window are judged together.
    pub batch_window: Duration,
    /// Most warnings the bot posts per group per minute.
    pub group_warnings_per_minute: u32,
    /// Deletions in a group within this window after the first get one notice.
    pub notice_window: Duration,
    /// Dry-run reports an admin gets one by one per group within `dry_run_window`;
    /// the rest of the window are counted in one summary.
    pub dry_run_reports: u32,
    /// The window of `dry_run_reports`.
    pub dry_run_window: Duration,
    /// How long a group admin check is cached.
    pub admin_cache_ttl: Duration,
    /// Long-poll timeout in seconds.
    pub poll_timeout_secs: u32,
    /// Longest shutdown waits for handlers and owed replies after the stop signal.
    pub shutdown_grace: Duration,
    /// Curators, their chat and the rule folder they reload.
    pub curators: CuratorOptions,
}

/// Who may curate from Telegram and where review cards go.
#[derive(Debug, Clone)]
pub struct CuratorOptions {
    /// Telegram user ids allowed to run curator commands and press review buttons.
    pub admin_ids: Vec<i64>,
    /// Chat that receives review cards; none means no cards.
    pub admin_chat_id: Option<i64>,
    /// The rule folder `/reload` re-reads.
    pub rules_dir: Source,
}

impl Default for CuratorOptions {
    fn default() -> Self {
        Self {
            admin_ids: Vec::new(),
            admin_chat_id: None,
            rules_dir: Source::Builtin(Asset::Rules),
        }
    }
}

impl BotOptions {
    /// Defaults for `token` at `api_url`.
    pub fn new(token: Secret, api_url: impl Into<String>) -> Self {
        Self {
            token,
            api_url: api_url.into(),
            batch_window: Duration::from_millis(1500),
            group_warnings_per_minute: 5,
            notice_window: Duration::from_secs(10),
            dry_run_reports: 5,
            dry_run_window: Duration::from_secs(60),
            admin_cache_ttl: Duration::from_secs(300),
            poll_timeout_secs: 30,
            shutdown_grace: Duration::from_secs(10),
            curators: CuratorOptions::default(),
        }
    }
}

/// Checks the Bot API URL, so a bad one stops start-up before anything listens.
pub fn check_api_url(url: &str) -> Result<(), TelegramError> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if parsed.has_host() => Ok(()),
        _ => Err(TelegramError::ApiUrl(url.to_owned())),
    }
}

/// What the bot tells the health check.
#[derive(Debug, Clone, Default)]
pub struct Health {
    /// True from a successful getMe until the bot stops.
    pub running: Arc<AtomicBool>,
    /// True while getUpdates has failed `poll::FAILING_AFTER` times in a row.
    pub polling_failing: Arc<AtomicBool>,
}

/// Runs the bot on updates from `source` until `shutdown` is cancelled, then
/// finishes in-flight updates and sends owed replies for at most the grace period
/// (what is left stays in the inbox and outbox for the next start), keeping `health`
/// up to date.
pub async fn run(
    deps: Deps,
    options: BotOptions,
    source: UpdateSource,
    shutdown: CancellationToken,
    health: Health,
) -> Result<(), TelegramError> {
    let grace = options.shutdown_grace;
    // Cancelled with the app, or when polling ends on its own.
    let stop = shutdown.child_token();
    let ctx = context::Ctx::connect(deps, options, stop.clone()).await?;
    let ctx = Arc::new(ctx);
    let postman = tokio::spawn(outbox::run(Arc::clone(&ctx)));
    health.running.store(true, Ordering::SeqCst);
    let result = poll::run(Arc::clone(&ctx), source, &health.polling_failing).await;
    stop.cancel();
    let deadline = tokio::time::Instant::now() + grace;
    ctx.tasks.close();
    if tokio::time::timeout_at(deadline, ctx.tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            "shutdown grace period over with updates still being handled; they are handled again after the restart"
        );
    }
    if tokio::time::timeout_at(deadline, postman).await.is_err() {
        tracing::warn!("the outbox did not stop within the grace period");
    }
    health.running.store(false, Ordering::SeqCst);
    result
}
