//! A fake Telegram Bot API server on 127.0.0.1 for integration tests.
//!
//! It speaks the real wire protocol (`POST /bot<token>/<Method>`, JSON or
//! multipart bodies, `{"ok":…}` envelopes, `/file/bot<token>/<path>`
//! downloads), so the real teloxide client can be pointed at it with
//! `Bot::new(FakeBotApi::TOKEN).set_api_url(fake.url())`. Tests drive it
//! from the other side: enqueue updates, configure members and files, inject
//! failures, and read back every call the bot made. The fake knows nothing
//! about teloxide. Waiting is `Notify`-based and bounded by a timeout; a
//! timeout panics with the calls seen so far.

mod identities;
mod members;
mod methods;
mod outage;
mod server;
mod state;
mod updates;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use identities::{BotIdentity, ChatKind, TestChat, TestUser};
pub use members::MemberStatus;
pub use updates::utf16_span;

use state::{Reply, State, StoredFile};

/// One Bot API request the bot made.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// Method name in the docs' spelling (`sendMessage`), whatever case the
    /// client used in the URL.
    pub method: String,
    /// All parameters as one JSON object. Multipart text fields stay strings
    /// (objects/arrays are parsed); uploaded files become
    /// `{"file_name", "content_type", "size"}`.
    pub params: Value,
}

/// A message the bot successfully sent with sendMessage.
#[derive(Clone, Debug, PartialEq)]
pub struct SentMessage {
    /// Target chat.
    pub chat_id: i64,
    /// Id the fake assigned (grows per chat).
    pub message_id: i64,
    /// Text as sent (markup is not parsed: `parse_mode` text keeps its tags).
    pub text: String,
    /// `parse_mode` as sent (`HTML`, `MarkdownV2`, …).
    pub parse_mode: Option<String>,
    /// From `reply_parameters.message_id` or legacy `reply_to_message_id`.
    pub reply_to_message_id: Option<i64>,
    /// Forum topic or reply thread.
    pub message_thread_id: Option<i64>,
    /// `reply_markup` as sent (any keyboard kind).
    pub reply_markup: Option<Value>,
    /// The `Message` the fake returned (feed it to `callback_query`).
    pub message: Value,
}

impl SentMessage {
    fn from_call(params: &Value, message: &Value) -> Self {
        let optional = |value: &Value| (!value.is_null()).then(|| value.clone());
        Self {
            chat_id: message["chat"]["id"].as_i64().unwrap_or_default(),
            message_id: message["message_id"].as_i64().unwrap_or_default(),
            text: message["text"].as_str().unwrap_or_default().to_owned(),
            parse_mode: params["parse_mode"].as_str().map(str::to_owned),
            reply_to_message_id: methods::reply_to_message_id(params),
            message_thread_id: methods::int(&params["message_thread_id"]),
            reply_markup: optional(&params["reply_markup"]),
            message: message.clone(),
        }
    }
}

/// Shared between the test's handle and the server task.
struct Inner {
    token: String,
    bot: BotIdentity,
    state: Mutex<State>,
    /// Woken when an update is enqueued.
    updates_changed: Notify,
    /// Woken after every recorded call.
    calls_changed: Notify,
    /// Woken when a held method is released.
    released: Notify,
    /// Cancelled when the fake goes offline: cuts every connection of that spell.
    cut: Mutex<CancellationToken>,
}

impl Inner {
    /// The token that cuts the connections of the current spell online.
    fn cut(&self) -> CancellationToken {
        self.cut.lock().expect("fake cut lock").clone()
    }
}

/// The server task while the fake is online; aborted when the last handle is dropped.
struct ServerTask {
    address: SocketAddr,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for ServerTask {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().expect("fake task lock").take() {
            task.abort();
        }
    }
}

/// A running fake Bot API; cheap to clone, stops when the last clone drops.
#[derive(Clone)]
pub struct FakeBotApi {
    inner: Arc<Inner>,
    url: reqwest::Url,
    server: Arc<ServerTask>,
}

impl FakeBotApi {
    /// The only token the fake accepts; the bot's id is its numeric part.
    pub const TOKEN: &'static str = "123456:TEST";

    /// Starts the server on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("bound address");
        let inner = Arc::new(Inner {
            token: Self::TOKEN.to_owned(),
            bot: BotIdentity::placeholder(),
            state: Mutex::new(State::new()),
            updates_changed: Notify::new(),
            calls_changed: Notify::new(),
            released: Notify::new(),
            cut: Mutex::new(CancellationToken::new()),
        });
        let task = server::spawn(listener, inner.cut(), Arc::clone(&inner));
        let url = reqwest::Url::parse(&format!("http://{address}/")).expect("valid URL");
        let server = ServerTask {
            address,
            task: Mutex::new(Some(task)),
        };
        Self {
            inner,
            url,
            server: Arc::new(server),
        }
    }

    /// Goes offline: stops listening (new connections are refused) and cuts every open
    /// connection (a request in flight fails as if the network dropped it, unhandled),
    /// until `come_back`. Returns once the port is closed.
    pub async fn go_offline(&self) {
        let task = self.server.task.lock().expect("fake task lock").take();
        self.inner.cut().cancel();
        if let Some(task) = task {
            task.abort();
            // The listener is closed once the aborted task is gone.
            let _ = task.await;
        }
    }

    /// Listens again on the same port; returns once it accepts connections.
    pub async fn come_back(&self) {
        let address = self.server.address;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(address).await {
                Ok(listener) => break listener,
                // The old socket can take a moment to be released.
                Err(error) if tokio::time::Instant::now() < deadline => {
                    let _ = error;
                    tokio::task::yield_now().await;
                }
                Err(error) => panic!("cannot listen on {address} again: {error}"),
            }
        };
        let cut = CancellationToken::new();
        *self.inner.cut.lock().expect("fake cut lock") = cut.clone();
        let task = server::spawn(listener, cut, Arc::clone(&self.inner));
        *self.server.task.lock().expect("fake task lock") = Some(task);
    }

    /// The next `calls` calls to `method` are handled only `delay` after they arrive
    /// (recorded at once); a caller that gives up first leaves its call unhandled.
    pub fn slow_next(&self, method: &str, calls: usize, delay: Duration) {
        let mut state = self.state();
        let queue = state.delays.entry(method.to_ascii_lowercase()).or_default();
        queue.extend(std::iter::repeat_n(delay, calls));
    }

    /// Calls to `method` wait, recorded but unhandled, until `release` (an outage cuts
    /// them, unhandled).
    pub fn hold(&self, method: &str) {
        self.state().held.insert(method.to_ascii_lowercase());
    }

    /// Lets held calls to `method` (and later ones) through.
    pub fn release(&self, method: &str) {
        self.state().held.remove(&method.to_ascii_lowercase());
        self.inner.released.notify_waiters();
    }

    /// Base URL for `Bot::set_api_url`.
    pub fn url(&self) -> reqwest::Url {
        self.url.clone()
    }

    /// The token to build the bot with.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// The bot the fake impersonates (getMe, `from` of sent messages).
    pub fn bot(&self) -> &BotIdentity {
        &self.inner.bot
    }

    /// Queues an update for getUpdates and wakes waiting long polls.
    /// Assigns the next `update_id` if missing; returns the id.
    pub fn enqueue_update(&self, update: Value) -> i64 {
        let id = self.state().enqueue(update);
        self.inner.updates_changed.notify_waiters();
        id
    }

    /// Queues an update delivered as exactly `json` (which may be invalid, e.g. hold
    /// a lone UTF-16 surrogate escape) with the next `update_id`; returns the id.
    /// `json` must contain `{update_id}` where the id goes.
    pub fn enqueue_raw_update(&self, json: &str) -> i64 {
        let mut state = self.state();
        let id = state.enqueue(serde_json::json!({"message": {"raw": true}}));
        let text = json.replace("{update_id}", &id.to_string());
        state.raw_updates.insert(id, text);
        drop(state);
        self.inner.updates_changed.notify_waiters();
        id
    }

    /// Queues several updates in order (e.g. an `album`).
    pub fn enqueue_updates(&self, updates: impl IntoIterator<Item = Value>) -> Vec<i64> {
        updates
            .into_iter()
            .map(|update| self.enqueue_update(update))
            .collect()
    }

    /// Makes `bytes` available via getFile(`file_id`) and download; returns
    /// the `file_path`.
    pub fn register_file(&self, file_id: &str, bytes: &[u8]) -> String {
        let mut state = self.state();
        let n = state.next_seq();
        let file_path = match bytes {
            [0xFF, 0xD8, ..] => format!("photos/file_{n}.jpg"),
            [0x89, b'P', b'N', b'G', ..] => format!("documents/file_{n}.png"),
            _ => format!("documents/file_{n}"),
        };
        let file = StoredFile {
            file_id: file_id.to_owned(),
            file_path: file_path.clone(),
            bytes: bytes.to_vec(),
        };
        state.files.insert(file_id.to_owned(), file);
        file_path
    }

    /// Sets what getChatMember reports for `user_id` in `chat_id` (default:
    /// `Member`); creators and administrators show in getChatAdministrators.
    pub fn set_member(&self, chat_id: i64, user_id: i64, status: MemberStatus) {
        self.state().members.insert((chat_id, user_id), status);
    }

    /// Sets the bot's own membership in `chat_id` (e.g. whether it
    /// `can_delete_messages`).
    pub fn set_bot_member(&self, chat_id: i64, status: MemberStatus) {
        let bot_id = self.inner.bot.id;
        self.set_member(chat_id, bot_id, status);
    }

    /// Turns BotFather's privacy mode on or off for the bot (getMe's
    /// `can_read_all_group_messages` is its opposite; off by default).
    pub fn set_privacy_mode(&self, on: bool) {
        self.state().privacy_mode = on;
    }

    /// The next call to `method` (any spelling) gets `status` and `body`
    /// verbatim instead of being handled. Injections queue up; each is used
    /// once. Avoid 5xx: teloxide sleeps 10 s after any server error.
    pub fn fail_next(&self, method: &str, status: u16, body: Value) {
        let reply = Reply::Raw { status, body };
        let mut state = self.state();
        state
            .failures
            .entry(method.to_ascii_lowercase())
            .or_default()
            .push_back(reply);
    }

    /// The next call to `method` is refused like the real server refuses:
    /// `{"ok":false,"error_code":status,"description":…}` with that status.
    pub fn refuse_next(&self, method: &str, status: u16, description: &str) {
        let body =
            serde_json::json!({"ok": false, "error_code": status, "description": description});
        self.fail_next(method, status, body);
    }

    /// Every call to `method` for the next `span` is refused with `status`, like a
    /// server that is down (teloxide sleeps 10 s after each 5xx, so a minute's outage
    /// is about six refusals per reply).
    pub fn refuse_for(&self, method: &str, span: Duration, status: u16, description: &str) {
        let body =
            serde_json::json!({"ok": false, "error_code": status, "description": description});
        let until = std::time::Instant::now() + span;
        self.state().outages.insert(
            method.to_ascii_lowercase(),
            (until, Reply::Raw { status, body }),
        );
    }

    /// The next call to `method` gets a 429 asking to wait `seconds`.
    pub fn rate_limit_next(&self, method: &str, seconds: u32) {
        let description = format!("Too Many Requests: retry after {seconds}");
        let body = serde_json::json!({"ok": false, "error_code": 429, "description": description, "parameters": {"retry_after": seconds}});
        self.fail_next(method, 429, body);
    }

    /// Every call so far, in arrival order (getUpdates included).
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// Calls to `method` (docs' spelling, e.g. `answerCallbackQuery`).
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.state()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Calls to methods the fake does not implement (answered 404).
    pub fn unexpected_calls(&self) -> Vec<Call> {
        self.state().unexpected.clone()
    }

    /// Panics if the bot called any method the fake does not implement.
    pub fn assert_no_unexpected_calls(&self) {
        let unexpected = self.unexpected_calls();
        assert!(
            unexpected.is_empty(),
            "bot called unimplemented methods: {unexpected:#?}"
        );
    }

    /// Messages successfully sent with sendMessage, in order.
    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.state().sent.clone()
    }

    /// Updates dropped because the bot's `allowed_updates` excluded them.
    pub fn filtered_out_updates(&self) -> Vec<Value> {
        self.state().filtered_out.clone()
    }

    /// The current message as the fake knows it (after edits), if not deleted.
    pub fn message(&self, chat_id: i64, message_id: i64) -> Option<Value> {
        self.state().messages.get(&(chat_id, message_id)).cloned()
    }

    /// Waits until at least `n` messages were sent; panics after `timeout`.
    pub async fn wait_for_sent(&self, n: usize, timeout: Duration) -> Vec<SentMessage> {
        let what = format!("{n} sent message(s)");
        self.wait_until(&what, timeout, |state| {
            (state.sent.len() >= n).then(|| state.sent.clone())
        })
        .await
    }

    /// Waits until `method` was called `n` times; panics after `timeout`.
    pub async fn wait_for_calls(&self, method: &str, n: usize, timeout: Duration) -> Vec<Call> {
        let what = format!("{n} call(s) to {method}");
        self.wait_until(&what, timeout, |state| {
            let calls: Vec<Call> = state
                .calls
                .iter()
                .filter(|c| c.method == method)
                .cloned()
                .collect();
            (calls.len() >= n).then_some(calls)
        })
        .await
    }

    /// Waits until `n` calls to `method` satisfy `matches`; panics after `timeout`.
    pub async fn wait_for_calls_matching(
        &self,
        method: &str,
        n: usize,
        timeout: Duration,
        matches: impl Fn(&Call) -> bool,
    ) -> Vec<Call> {
        let what = format!("{n} matching call(s) to {method}");
        self.wait_until(&what, timeout, |state| {
            let calls: Vec<Call> = state
                .calls
                .iter()
                .filter(|c| c.method == method && matches(c))
                .cloned()
                .collect();
            (calls.len() >= n).then_some(calls)
        })
        .await
    }

    /// Waits until `check` returns `Some`, re-checking after every call.
    async fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        check: impl Fn(&State) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.calls_changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = check(&self.state()) {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let calls = self.calls();
                panic!("timed out after {timeout:?} waiting for {what}; calls so far: {calls:#?}");
            }
        }
    }

    fn next_message_id(&self, chat_id: i64) -> i64 {
        self.state().next_message_id(chat_id)
    }

    fn next_seq(&self) -> u64 {
        self.state().next_seq()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().expect("fake state lock")
    }
}

/// The `callback_data` of every inline button in a sent message's `reply_markup`.
pub fn callback_data(markup: &Option<serde_json::Value>) -> Vec<String> {
    let rows = markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array())
        .cloned();
    rows.unwrap_or_default()
        .iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect()
}
