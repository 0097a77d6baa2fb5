//! The shared state of a running bot: the throttled client, the services it calls,
//! the intake and the postman, and its small in-memory caches (admin checks, group
//! rate limits, group languages, recent cards and group notices, deletions waiting for
//! their notice).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::{Limits, Settings};
use teloxide::prelude::{Bot, Requester};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::dry_run::DryRunReports;
use super::holding::Holding;
use super::incoming::{Text, User};
use super::intake::Intake;
use super::limits::{AdminCache, Buckets};
use super::order::ChatOrder;
use super::outbox::Postman;
use super::{BotOptions, TelegramError, batch::Batcher};
use crate::classify::{Family, Lang, Level, Message, Verdict};
use crate::triage::card::reading_lang;
use crate::triage::delivery::{Inbox, Outbox};
use crate::triage::feedback::ReportSink;
use crate::triage::group::GroupLangs;
use crate::triage::metrics::CheckSource;
use crate::triage::prefs::Prefs;
use crate::triage::script::Script;
use crate::triage::{Card, Region, Triage};

/// Most recent cards (and group notices) remembered for their buttons.
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

/// Who reads a private reply: their `/lang` choice, their app's language and the
/// Chinese script their app asks for.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    /// Chosen with `/lang`.
    pub chosen: Option<Lang>,
    /// The app's language.
    pub app: Lang,
    /// The script Chinese text is shown in (Traditional for `zh-hant`, `zh-tw`, ...).
    pub script: Script,
    /// Where the app's language tag says they are (`en-GB`, `zh-TW`, ...): it picks
    /// the hotlines and reporting addresses.
    pub region: Region,
}

impl Reader {
    /// The language of fixed texts: the choice, else the app's.
    pub fn lang(&self) -> Lang {
        self.chosen.unwrap_or(self.app)
    }

    /// The language of a card about `verdict`'s message: the choice, else the
    /// message's language, else the app's.
    pub fn card_lang(&self, verdict: &Verdict) -> Lang {
        reading_lang(self.chosen, verdict.lang, self.app)
    }
}

/// What a card judged, kept for its buttons.
#[derive(Debug, Clone)]
pub struct Judged {
    pub text: Text,
    pub level: Level,
    pub family: Option<Family>,
    /// The language the card was written in.
    pub lang: Lang,
}

/// A message the bot acted on in a group, kept so an admin can undo it.
#[derive(Debug, Clone)]
pub struct Acted {
    /// What was judged.
    pub judged: Judged,
    /// The poster's name.
    pub sender: String,
    /// The card it got, in the group's language.
    pub card: Card,
    /// The bot's warning (a reply), or `None` for a deleted message.
    pub warning: Option<i32>,
    /// An admin already said it is not a scam.
    pub undone: bool,
}

/// A message: its chat and its id there.
type MessageKey = (i64, i32);

/// Recent values by (chat, message id), oldest evicted first.
pub struct Memory<T> {
    values: Mutex<(HashMap<MessageKey, T>, VecDeque<MessageKey>)>,
}

impl<T: Clone> Memory<T> {
    fn new() -> Self {
        Self {
            values: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    /// Remembers `value` for `(chat, message)`.
    pub fn put(&self, chat_id: i64, message_id: i32, value: T) {
        let mut guard = self.values.lock().unwrap_or_else(|e| e.into_inner());
        let (values, order) = &mut *guard;
        if values.insert((chat_id, message_id), value).is_none() {
            order.push_back((chat_id, message_id));
        }
        while order.len() > CARD_MEMORY {
            if let Some(old) = order.pop_front() {
                values.remove(&old);
            }
        }
    }

    /// What is remembered for `(chat, message)`.
    pub fn get(&self, chat_id: i64, message_id: i32) -> Option<T> {
        let guard = self.values.lock().unwrap_or_else(|e| e.into_inner());
        guard.0.get(&(chat_id, message_id)).cloned()
    }
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
    /// The bot sees every group message even where it is not an admin (privacy
    /// mode off, getMe `can_read_all_group_messages`).
    pub reads_all_messages: bool,
    /// The languages groups write in.
    pub group_langs: GroupLangs,
    /// Deleted group messages waiting for their (one, summary) notice, per chat.
    pub deletions: Batcher<Acted>,
    /// What each warning or deletion notice acted on, for its "not a scam" buttons.
    pub notices: Memory<Vec<Acted>>,
    /// Dry-run reports sent and held back per admin and group.
    pub dry_runs: DryRunReports,
    /// Holding replies ("Checking…") waiting to become answers.
    pub holding: Holding,
    /// Curators' first names as last seen (memory only), so "already decided by"
    /// can name them.
    pub curator_names: Mutex<HashMap<i64, String>>,
    cards: Memory<Judged>,
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
        let me = get_me_with_backoff(&raw, &deps.triage, &shutdown).await?;
        super::commands::register(&raw, &deps.triage, &options.curators).await;
        // The outbox retries on 429 itself (and can stop waiting at shutdown); the
        // throttle only paces, at Telegram's own limits.
        let bot = Throttle::spawn_with_settings(
            Bot::new(options.token.expose()).set_api_url(url),
            Settings::default().limits(telegram_limits()).no_retry(),
        );
        Ok(Self {
            bot,
            raw,
            me_id: i64::try_from(me.id.0).unwrap_or_default(),
            me_username: me.username().to_owned(),
            reads_all_messages: me.can_read_all_group_messages,
            group_langs: GroupLangs::default(),
            deletions: Batcher::default(),
            notices: Memory::new(),
            dry_runs: DryRunReports::default(),
            holding: Holding::default(),
            curator_names: Mutex::new(HashMap::new()),
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
            cards: Memory::new(),
        })
    }

    /// Judges `text` from a private chat (and counts the check).
    pub fn verdict(&self, text: &Text) -> Verdict {
        self.verdict_in(text, CheckSource::Private)
    }

    /// Judges `text` (and counts the check, from `source`).
    pub fn verdict_in(&self, text: &Text, source: CheckSource) -> Verdict {
        let message = Message {
            text: &text.text,
            hidden_links: &text.hidden_links,
        };
        self.deps.triage.check_from(message, source)
    }

    /// The card for `verdict` in `lang`, for a reader of no known region (a group).
    pub fn card_for(&self, verdict: &Verdict, lang: Lang) -> Card {
        self.card_in(verdict, lang, Region::Unknown)
    }

    /// The card for `verdict` in `lang` for a reader in `region`.
    pub fn card_in(&self, verdict: &Verdict, lang: Lang, region: Region) -> Card {
        Card::new(verdict, self.deps.triage.advice(), lang, region)
    }

    /// The language for `user`: their `/lang` choice, else their client's language.
    pub fn user_lang(&self, user_id: i64, language_code: Option<&str>) -> Lang {
        let chosen = self.deps.prefs.user(user_id).ok().and_then(|p| p.lang);
        chosen.unwrap_or_else(|| language_code.map_or(Lang::En, Lang::from_code))
    }

    /// How `user` reads private replies.
    pub fn reader(&self, user: &User) -> Reader {
        let code = user.language_code.as_deref();
        Reader {
            chosen: self.deps.prefs.user(user.id).ok().and_then(|p| p.lang),
            app: code.map_or(Lang::En, Lang::from_code),
            script: code.map_or(Script::Simplified, Script::from_code),
            region: code.map_or(Region::Unknown, Region::from_code),
        }
    }

    /// Remembers what the card `(chat, message)` judged.
    pub fn remember_card(&self, chat_id: i64, message_id: i32, judged: Judged) {
        self.cards.put(chat_id, message_id, judged);
    }

    /// What the card `(chat, message)` judged, if still remembered.
    pub fn card(&self, chat_id: i64, message_id: i32) -> Option<Judged> {
        self.cards.get(chat_id, message_id)
    }
}

/// Telegram's own limits (Bot FAQ, "My bot is hitting limits"): about one message a
/// second per chat, 20 a minute per group, 30 a second overall. teloxide's default
/// also holds every private chat to 20 a minute and supergroups to 10, which made
/// sellers wait 15-18 s; basic groups share the per-chat minute limit with private
/// chats in teloxide, so they get 60 (the group warning limit keeps them far below).
pub fn telegram_limits() -> Limits {
    Limits {
        messages_per_sec_chat: 1,
        messages_per_min_chat: 60,
        messages_per_min_channel_or_supergroup: 20,
        messages_per_sec_overall: 30,
    }
}

/// Longest pause between getMe attempts at start-up.
const GET_ME_MAX_PAUSE: Duration = Duration::from_secs(30);

/// Asks the Bot API who the bot is, retrying with backoff (1 s doubling to 30 s, or the
/// server's `retry_after`) while it is unreachable or failing, so a bot started during
/// an outage comes up when the outage ends. A rejected token is final; so is shutdown.
async fn get_me_with_backoff(
    raw: &Bot,
    triage: &Triage,
    shutdown: &CancellationToken,
) -> Result<teloxide::types::Me, TelegramError> {
    let mut pause = Duration::from_secs(1);
    loop {
        let error = match super::api::call(triage, raw.get_me()).await {
            Ok(me) => return Ok(me),
            Err(error) => error,
        };
        if let teloxide::RequestError::Api(teloxide::ApiError::InvalidToken) = error {
            return Err(TelegramError::GetMe(error.to_string()));
        }
        let wait = match &error {
            teloxide::RequestError::RetryAfter(seconds) => seconds.duration(),
            _ => pause,
        };
        tracing::warn!("the Bot API did not answer getMe ({error}); retrying in {wait:?}");
        tokio::select! {
            () = shutdown.cancelled() => {
                return Err(TelegramError::GetMe(format!("stopped before the Bot API answered: {error}")));
            }
            () = tokio::time::sleep(wait) => {}
        }
        pause = (pause * 2).min(GET_ME_MAX_PAUSE);
    }
}

#[cfg(test)]
mod tests {
    use super::telegram_limits;

    #[test]
    fn the_throttle_paces_at_telegrams_limits_not_stricter() {
        let limits = telegram_limits();
        assert_eq!(
            limits.messages_per_sec_chat, 1,
            "about one a second per chat"
        );
        assert_eq!(
            limits.messages_per_min_channel_or_supergroup, 20,
            "20 a minute per group"
        );
        assert_eq!(limits.messages_per_sec_overall, 30);
        assert!(
            limits.messages_per_min_chat >= 60,
            "a private chat is held only by the one-a-second limit"
        );
    }
}
