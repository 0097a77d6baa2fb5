//! The shared state of a running bot: the throttled client, the services it calls,
//! the intake and the postman, and its small in-memory caches (admin checks, group
//! rate limits, recent cards).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::{Limits, Settings};
use teloxide::prelude::{Bot, Requester};
use teloxide::requests::Request;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::incoming::Text;
use super::intake::Intake;
use super::limits::{AdminCache, Buckets};
use super::order::ChatOrder;
use super::outbox::Postman;
use super::{BotOptions, TelegramError, batch::Batcher};
use crate::classify::{Family, Lang, Level, Message, Verdict};
use crate::triage::delivery::{Inbox, Outbox};
use crate::triage::feedback::ReportSink;
use crate::triage::prefs::Prefs;
use crate::triage::{Card, Triage};

/// Most recent cards remembered for their buttons.
const CARD_MEMORY: usize = 2000;

/// The services the bot calls.
#[derive(Clone)]
pub struct Deps {
    /// The triage service.
    pub triage: Arc<Triage>,
    /// User and chat preferences.
    pub prefs: Arc<dyn Prefs>,
    /// Where reports go.
    pub reports: Arc<dyn ReportSink>,
    /// Updates received and not yet handled.
    pub inbox: Arc<dyn Inbox>,
    /// Replies owed and not yet sent.
    pub outbox: Arc<dyn Outbox>,
}

/// What a card judged, kept for its buttons.
#[derive(Debug, Clone)]
pub struct Judged {
    pub text: Text,
    pub level: Level,
    pub family: Option<Family>,
}

/// Recent cards by (chat, message id), oldest evicted first.
#[derive(Default)]
struct CardMemory {
    judged: HashMap<(i64, i32), Judged>,
    order: VecDeque<(i64, i32)>,
}

/// A running bot.
pub struct Ctx {
    pub bot: Throttle<Bot>,
    pub raw: Bot,
    pub deps: Deps,
    pub options: BotOptions,
    pub me_id: i64,
    pub me_username: String,
    pub shutdown: CancellationToken,
    pub tasks: TaskTracker,
    pub batcher: Batcher,
    pub order: ChatOrder,
    pub intake: Intake,
    pub postman: Postman,
    pub buckets: Buckets,
    pub admins: AdminCache,
    cards: Mutex<CardMemory>,
}

impl Ctx {
    /// Builds the clients and asks the server who we are.
    pub async fn connect(
        deps: Deps,
        options: BotOptions,
        shutdown: CancellationToken,
    ) -> Result<Self, TelegramError> {
        let url = reqwest::Url::parse(&options.api_url)
            .map_err(|_| TelegramError::ApiUrl(options.api_url.clone()))?;
        // teloxide 0.17 ignores payload timeout hints, and its default client gives up
        // after 17 s: the polling client must outlast the long poll.
        let poll_timeout = Duration::from_secs(u64::from(options.poll_timeout_secs) + 10);
        let client = teloxide::net::default_reqwest_settings()
            .timeout(poll_timeout)
            .build()
            .map_err(|e| TelegramError::Client(e.to_string()))?;
        let raw = Bot::with_client(options.token.expose(), client).set_api_url(url.clone());
        let me = raw
            .get_me()
            .send()
            .await
            .map_err(|e| TelegramError::GetMe(e.to_string()))?;
        super::commands::register(&raw, &options.curators).await;
        // The outbox retries on 429 itself (and can stop waiting at shutdown); the
        // throttle only paces.
        let bot = Throttle::spawn_with_settings(
            Bot::new(options.token.expose()).set_api_url(url),
            Settings::default().limits(Limits::default()).no_retry(),
        );
        Ok(Self {
            bot,
            raw,
            me_id: i64::try_from(me.id.0).unwrap_or_default(),
            me_username: me.username().to_owned(),
            buckets: Buckets::new(options.group_warnings_per_minute),
            admins: AdminCache::new(options.admin_cache_ttl),
            batcher: Batcher::default(),
            order: ChatOrder::default(),
            intake: Intake::default(),
            postman: Postman::default(),
            deps,
            options,
            shutdown,
            tasks: TaskTracker::new(),
            cards: Mutex::new(CardMemory::default()),
        })
    }

    /// Judges `text` and builds its card in `lang`.
    pub fn judge(&self, text: &Text, lang: Lang) -> (Verdict, Card) {
        let verdict = self.deps.triage.check(Message {
            text: &text.text,
            hidden_links: &text.hidden_links,
        });
        let card = Card::new(&verdict, self.deps.triage.advice(), lang);
        (verdict, card)
    }

    /// The language for `user`: their `/lang` choice, else their client's language.
    pub fn user_lang(&self, user_id: i64, language_code: Option<&str>) -> Lang {
        let chosen = self.deps.prefs.user(user_id).ok().and_then(|p| p.lang);
        chosen.unwrap_or_else(|| language_code.map_or(Lang::En, Lang::from_code))
    }

    /// Remembers what the card `(chat, message)` judged.
    pub fn remember_card(&self, chat_id: i64, message_id: i32, judged: Judged) {
        let mut cards = self.cards.lock().unwrap_or_else(|e| e.into_inner());
        cards.judged.insert((chat_id, message_id), judged);
        cards.order.push_back((chat_id, message_id));
        while cards.order.len() > CARD_MEMORY {
            if let Some(old) = cards.order.pop_front() {
                cards.judged.remove(&old);
            }
        }
    }

    /// What the card `(chat, message)` judged, if still remembered.
    pub fn card(&self, chat_id: i64, message_id: i32) -> Option<Judged> {
        let cards = self.cards.lock().unwrap_or_else(|e| e.into_inner());
        cards.judged.get(&(chat_id, message_id)).cloned()
    }
}
