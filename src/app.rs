//! The composition root: builds the triage service, the preference and report stores,
//! the Telegram bot and the web server from one `Settings`, and owns the one shutdown
//! signal fanned out to all of them.
//!
//! Invariants: nothing else wires modules together; SIGTERM/Ctrl-C cancel the token,
//! the bot stops taking updates and, for at most the shutdown grace period, finishes
//! in-flight updates and sends owed replies (the rest stays owed for the next start),
//! the web server drains, and only then does `serve` return.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::telegram::{self, BotOptions, CuratorOptions, TelegramError, UpdateSource};
use crate::triage::Triage;
use crate::triage::delivery::{Inbox, MemoryDelivery, Outbox};
use crate::triage::feedback::{MemoryReports, ReportSink};
use crate::triage::limits::ClientLimiter;
use crate::triage::prefs::{MemoryPrefs, Prefs};
use crate::triage::service_file;
use crate::web::{self, WebState};

/// Everything the app is built from; tests replace the stores and tune timings.
pub struct App {
    /// Validated settings.
    pub settings: Settings,
    /// The service, when it was opened before start (with its store).
    pub triage: Option<Arc<Triage>>,
    /// User and chat preferences.
    pub prefs: Arc<dyn Prefs>,
    /// Where reports go.
    pub reports: Arc<dyn ReportSink>,
    /// Updates received and not yet handled.
    pub inbox: Arc<dyn Inbox>,
    /// Replies owed and not yet sent.
    pub outbox: Arc<dyn Outbox>,
    /// Window in which forwarded messages are judged together (default 1.5 s).
    pub batch_window: Option<Duration>,
    /// Most group warnings per minute (default 5).
    pub group_warnings_per_minute: Option<u32>,
    /// Window in which group deletions share one notice (default 10 s).
    pub notice_window: Option<Duration>,
    /// Window of the dry-run reports an admin gets one by one (default a minute).
    pub dry_run_window: Option<Duration>,
    /// Long-poll timeout in seconds (default 30).
    pub poll_timeout_secs: Option<u32>,
}

impl App {
    /// The app with in-memory stores (tests).
    pub fn new(settings: Settings) -> Self {
        let delivery = Arc::new(MemoryDelivery::new());
        Self {
            settings,
            triage: None,
            prefs: Arc::new(MemoryPrefs::new()),
            reports: Arc::new(MemoryReports::new()),
            inbox: Arc::clone(&delivery) as Arc<dyn Inbox>,
            outbox: delivery,
            batch_window: None,
            group_warnings_per_minute: None,
            notice_window: None,
            dry_run_window: None,
            poll_timeout_secs: None,
        }
    }

    /// The app with the service's sled store in the data directory behind reports,
    /// preferences, the update cursor, the update inbox and the reply outbox, so they
    /// survive a restart.
    pub fn persistent(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
        let mut triage = Triage::open(&settings)?;
        start_ocr(&mut triage, &settings);
        match triage.prune_delivery_marks() {
            Ok(pruned) => tracing::debug!(pruned, "old update and reply marks forgotten"),
            Err(error) => tracing::warn!("cannot prune old update and reply marks: {error}"),
        }
        let triage = Arc::new(triage);
        Ok(Self {
            prefs: Arc::clone(&triage) as Arc<dyn Prefs>,
            reports: Arc::clone(&triage) as Arc<dyn ReportSink>,
            inbox: Arc::clone(&triage) as Arc<dyn Inbox>,
            outbox: Arc::clone(&triage) as Arc<dyn Outbox>,
            triage: Some(triage),
            ..Self::new(settings)
        })
    }

    fn bot_options(&self) -> Option<BotOptions> {
        let telegram = &self.settings.telegram;
        let mut options = BotOptions::new(telegram.bot_token.clone()?, &telegram.api_url);
        if let Some(window) = self.batch_window {
            options.batch_window = window;
        }
        if let Some(per_minute) = self.group_warnings_per_minute {
            options.group_warnings_per_minute = per_minute;
        }
        if let Some(window) = self.notice_window {
            options.notice_window = window;
        }
        if let Some(window) = self.dry_run_window {
            options.dry_run_window = window;
        }
        if let Some(timeout) = self.poll_timeout_secs {
            options.poll_timeout_secs = timeout;
        }
        options.shutdown_grace = Duration::from_secs(telegram.shutdown_grace_secs);
        options.curators = CuratorOptions {
            admin_ids: telegram.admin_ids.clone(),
            admin_chat_id: telegram.admin_chat_id,
            rules_dir: self.settings.rules_dir.clone(),
        };
        Some(options)
    }
}

/// A started app.
pub struct RunningApp {
    /// Where the web server listens (the real port when configured as 0).
    pub http_addr: SocketAddr,
    /// The triage service the front ends share.
    pub triage: Arc<Triage>,
    shutdown: CancellationToken,
    bot: Option<JoinHandle<Result<(), TelegramError>>>,
    web: JoinHandle<std::io::Result<()>>,
    /// The data directory whose service file this app wrote (removed at shutdown).
    service_file: Option<PathBuf>,
}

impl RunningApp {
    /// The shutdown signal shared by every part.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Whether a bot was started (a token is configured).
    pub fn has_bot(&self) -> bool {
        self.bot.is_some()
    }

    /// Completes when the bot stops by itself (never when there is no bot).
    async fn bot_stopped(&mut self) -> anyhow::Result<()> {
        match &mut self.bot {
            Some(task) => {
                let result = task.await.context("the bot task panicked")?;
                self.bot = None;
                Ok(result?)
            }
            None => std::future::pending().await,
        }
    }

    /// Signals shutdown and waits until the bot and the web server have stopped.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        if let Some(dir) = &self.service_file {
            service_file::remove(dir);
        }
        self.shutdown.cancel();
        if let Some(bot) = self.bot {
            bot.await.context("the bot task panicked")??;
        }
        self.web
            .await
            .context("the web task panicked")?
            .context("the web server failed")?;
        Ok(())
    }
}

/// Loads the service, binds the web server and starts the bot if a token is set.
pub async fn start(app: App) -> anyhow::Result<RunningApp> {
    let settings = &app.settings;
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "cannot create data directory {}",
            settings.data_dir.display()
        )
    })?;
    let triage = match &app.triage {
        Some(triage) => Arc::clone(triage),
        None => {
            let mut triage = Triage::load(settings)?;
            start_ocr(&mut triage, settings);
            Arc::new(triage)
        }
    };
    let shutdown = CancellationToken::new();
    let bot_running = Arc::new(AtomicBool::new(false));
    let polling_failing = Arc::new(AtomicBool::new(false));

    let bot_options = app.bot_options();
    if let Some(options) = &bot_options {
        telegram::check_api_url(&options.api_url)?;
    }
    let listener = tokio::net::TcpListener::bind(settings.http.addr)
        .await
        .with_context(|| format!("cannot listen on {}", settings.http.addr))?;
    let http_addr = listener.local_addr()?;
    let (webhook, source) = match (&bot_options, &settings.telegram.webhook_url) {
        (Some(_), Some(url)) => {
            let secret = settings.telegram.webhook_secret.clone();
            let secret = secret.context("TELEGRAM_WEBHOOK_SECRET is required in webhook mode")?;
            let arrived = Arc::new(tokio::sync::Notify::new());
            let webhook = web::Webhook {
                path: settings
                    .telegram
                    .webhook_path()
                    .unwrap_or_else(|| "/".into()),
                secret: secret.clone(),
                inbox: Arc::clone(&app.inbox),
                arrived: Arc::clone(&arrived),
            };
            let source = UpdateSource::Webhook {
                url: url.clone(),
                secret,
                arrived,
            };
            (Some(webhook), source)
        }
        _ => (None, UpdateSource::LongPolling),
    };
    let state = WebState {
        triage: Arc::clone(&triage),
        bot_running: Arc::clone(&bot_running),
        polling_failing: Arc::clone(&polling_failing),
        webhook,
        inbox: Arc::clone(&app.inbox),
        api: api_options(settings),
    };
    let service_file = match app.triage {
        Some(_) => Some(announce(&triage, &settings.data_dir, http_addr)?),
        None => None,
    };
    let web_shutdown = shutdown.clone().cancelled_owned();
    let web = tokio::spawn(web::serve(listener, state, web_shutdown));

    let bot = bot_options.map(|options| {
        let deps = telegram::Deps {
            triage: Arc::clone(&triage),
            prefs: Arc::clone(&app.prefs),
            reports: Arc::clone(&app.reports),
            inbox: Arc::clone(&app.inbox),
            outbox: Arc::clone(&app.outbox),
        };
        tokio::spawn(telegram::run(
            deps,
            options,
            source,
            shutdown.clone(),
            telegram::Health {
                running: bot_running,
                polling_failing,
            },
        ))
    });
    Ok(RunningApp {
        http_addr,
        triage,
        shutdown,
        bot,
        web,
        service_file,
    })
}

/// Writes the service file in `data_dir` (URL and a fresh service token) so the
/// command line talks to this process instead of opening the store it holds.
fn announce(triage: &Triage, data_dir: &Path, addr: SocketAddr) -> anyhow::Result<PathBuf> {
    let host = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let url = format!("http://{}", SocketAddr::new(host, addr.port()));
    let token = triage.issue_service_token()?;
    service_file::write(data_dir, &url, &token)
        .with_context(|| format!("cannot write {}", service_file::path(data_dir).display()))?;
    Ok(data_dir.to_owned())
}

/// The JSON API's options: the live rule folder, the fixture files a dry-run judges
/// (`tests/fixtures/*.jsonl` beside the working directory, when there), and the public
/// check limiter when public checks are on.
fn api_options(settings: &Settings) -> web::api::ApiOptions {
    let fixtures = ["seller_scams.jsonl", "hard_negatives.jsonl"]
        .iter()
        .map(|name| Path::new("tests/fixtures").join(name))
        .filter(|path| path.is_file())
        .collect();
    let per_minute =
        NonZeroU32::new(settings.http.public_checks_per_minute).unwrap_or(NonZeroU32::MIN);
    web::api::ApiOptions {
        rules_dir: settings.rules_dir.clone(),
        fixtures,
        public_checks: settings
            .http
            .public_check
            .then(|| Arc::new(ClientLimiter::new(per_minute))),
        public_metrics: settings.http.public_metrics,
    }
}

/// Starts the screenshot reader once; without it the bot still runs and answers
/// images with "screenshot reading unavailable".
fn start_ocr(triage: &mut Triage, settings: &Settings) {
    if let Err(error) = triage.start_ocr(&settings.ocr) {
        tracing::warn!("screenshot reading is off: {error}");
    }
}

/// `sellerguard serve`: runs until SIGTERM or Ctrl-C, then shuts down gracefully.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let signal = shutdown_signal()?;
    let mut running = start(App::persistent(settings)?).await?;
    if running.has_bot() {
        eprintln!(
            "sellerguard: bot starting; health on http://{}/healthz",
            running.http_addr
        );
    } else {
        eprintln!(
            "sellerguard: TELEGRAM_BOT_TOKEN is not set, so the Telegram bot is off; \
             serving only health on http://{}/healthz",
            running.http_addr
        );
    }
    tokio::select! {
        () = signal => {
            eprintln!("sellerguard: shutting down (finishing in-flight updates)");
        }
        result = running.bot_stopped() => {
            let stopped = running.shutdown().await;
            result.context("the Telegram bot stopped")?;
            return stopped;
        }
    }
    running.shutdown().await
}

/// Listens for SIGTERM and SIGINT (Ctrl-C) from now on; completes on the first.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

/// Listens for Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
