//! Everything the fake remembers between requests: the update queue, the
//! messages and chats it has seen, recorded calls, files, membership and
//! injected failures, delays and holds.
//!
//! Invariants: `update_id`s handed out only grow; per chat, message ids only
//! grow and are shared between incoming and sent messages (as in a real
//! chat); an update is removed from the queue only when a later getUpdates
//! confirms it with `offset`, or when `allowed_updates` filters it out.

use std::collections::{HashMap, VecDeque};

use serde_json::{Value, json};

use super::members::MemberStatus;
use super::{Call, SentMessage};

/// Update types a real server delivers when `allowed_updates` is empty.
const NOT_DELIVERED_BY_DEFAULT: [&str; 3] =
    ["chat_member", "message_reaction", "message_reaction_count"];

/// A reply to one Bot API call, before it becomes an HTTP response.
#[derive(Clone, Debug)]
pub enum Reply {
    /// `{"ok":true,"result":…[,"description":…]}` with status 200.
    Ok {
        result: Value,
        description: Option<String>,
    },
    /// `{"ok":false,"error_code":…,"description":…[,"parameters":…]}`.
    Error {
        status: u16,
        description: String,
        parameters: Option<Value>,
    },
    /// An injected response, sent verbatim with `status`.
    Raw { status: u16, body: Value },
    /// A 200 body sent as this exact text (which need not be valid JSON).
    Verbatim(String),
}

impl Reply {
    /// A successful reply with `result`.
    pub fn ok(result: Value) -> Self {
        Self::Ok {
            result,
            description: None,
        }
    }

    /// A failed reply whose `error_code` equals the HTTP status.
    pub fn error(status: u16, description: &str) -> Self {
        Self::Error {
            status,
            description: description.to_owned(),
            parameters: None,
        }
    }

    /// The HTTP status and JSON body of this reply.
    pub fn into_parts(self) -> (u16, Value) {
        match self {
            Self::Ok {
                result,
                description: None,
            } => (200, json!({"ok": true, "result": result})),
            Self::Ok {
                result,
                description: Some(d),
            } => (200, json!({"ok": true, "result": result, "description": d})),
            Self::Error {
                status,
                description,
                parameters: None,
            } => (
                status,
                json!({"ok": false, "error_code": status, "description": description}),
            ),
            Self::Error {
                status,
                description,
                parameters: Some(p),
            } => (
                status,
                json!({"ok": false, "error_code": status, "description": description, "parameters": p}),
            ),
            Self::Raw { status, body } => (status, body),
            Self::Verbatim(text) => (200, Value::String(text)),
        }
    }
}

/// A file the bot can fetch with getFile and download.
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub file_id: String,
    pub file_path: String,
    pub bytes: Vec<u8>,
}

/// The fake server's memory.
#[derive(Debug, Default)]
pub struct State {
    pub calls: Vec<Call>,
    pub unexpected: Vec<Call>,
    pub pending: VecDeque<Value>,
    pub filtered_out: Vec<Value>,
    pub next_update_id: i64,
    /// Last non-empty `allowed_updates` a getUpdates/setWebhook asked for.
    pub allowed_updates: Vec<String>,
    pub webhook_url: Option<String>,
    pub chats: HashMap<i64, Value>,
    pub users: HashMap<i64, Value>,
    pub messages: HashMap<(i64, i64), Value>,
    pub last_message_id: HashMap<i64, i64>,
    pub sent: Vec<SentMessage>,
    pub files: HashMap<String, StoredFile>,
    pub members: HashMap<(i64, i64), MemberStatus>,
    pub commands: HashMap<String, Value>,
    /// Callback query id -> already answered.
    pub callback_queries: HashMap<String, bool>,
    pub failures: HashMap<String, VecDeque<Reply>>,
    /// Lowercase method -> until when every call is refused, and with what.
    pub outages: HashMap<String, (std::time::Instant, Reply)>,
    /// Lowercase method -> how late its next calls are handled (`slow_next`).
    pub delays: HashMap<String, VecDeque<std::time::Duration>>,
    /// Lowercase methods whose calls wait for `release`.
    pub held: std::collections::HashSet<String>,
    /// Update id -> the exact JSON text delivered for it (see `enqueue_raw_update`).
    pub raw_updates: HashMap<i64, String>,
    pub seq: u64,
    /// BotFather privacy mode: getMe says the bot cannot read all group messages.
    pub privacy_mode: bool,
}

impl State {
    /// A fresh state whose first update id is 100000001.
    pub fn new() -> Self {
        Self {
            next_update_id: 100_000_001,
            ..Self::default()
        }
    }

    /// A new per-chat message id, greater than any seen in that chat.
    pub fn next_message_id(&mut self, chat_id: i64) -> i64 {
        let last = self.last_message_id.entry(chat_id).or_insert(0);
        *last += 1;
        *last
    }

    /// A counter for ids that only need to be unique.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Queues `update`, giving it the next `update_id` unless it has one,
    /// and learns the chats, users, messages and queries inside it.
    pub fn enqueue(&mut self, mut update: Value) -> i64 {
        let Value::Object(fields) = &mut update else {
            panic!("an update must be a JSON object, got {update}");
        };
        let id = match fields.get("update_id").and_then(Value::as_i64) {
            Some(id) => id,
            None => {
                fields.insert("update_id".into(), json!(self.next_update_id));
                self.next_update_id
            }
        };
        self.next_update_id = self.next_update_id.max(id + 1);
        self.learn_update(&update);
        self.pending.push_back(update);
        id
    }

    /// Confirms updates below `offset` (negative: keep only the last
    /// `-offset`), drops those `allowed_updates` excludes, and returns up to
    /// `limit` of the rest.
    pub fn take_updates(&mut self, offset: i64, limit: usize) -> Vec<Value> {
        if offset > 0 {
            self.pending.retain(|u| update_id(u) >= offset);
        } else if offset < 0 {
            let keep = usize::try_from(-offset).unwrap_or(usize::MAX);
            while self.pending.len() > keep {
                self.pending.pop_front();
            }
        }
        let pending = std::mem::take(&mut self.pending);
        let (allowed, filtered): (Vec<Value>, Vec<Value>) =
            pending.into_iter().partition(|u| self.is_allowed(u));
        self.pending = allowed.into();
        self.filtered_out.extend(filtered);
        self.pending.iter().take(limit).cloned().collect()
    }

    /// The stored chat object for `chat_id`, or a plausible one.
    pub fn chat_json(&self, chat_id: i64) -> Value {
        if let Some(chat) = self.chats.get(&chat_id) {
            return chat.clone();
        }
        if chat_id > 0 {
            return json!({"id": chat_id, "first_name": format!("User {chat_id}"), "type": "private"});
        }
        json!({"id": chat_id, "title": format!("Chat {chat_id}"), "type": "supergroup"})
    }

    /// The stored user object for `user_id`, or a plausible one.
    pub fn user_json(&self, user_id: i64) -> Value {
        self.users.get(&user_id).cloned().unwrap_or_else(
            || json!({"id": user_id, "is_bot": false, "first_name": format!("User {user_id}")}),
        )
    }

    /// Stores `message` and bumps its chat's message id counter.
    pub fn remember_message(&mut self, message: &Value) {
        let (Some(chat_id), Some(message_id)) = (
            message["chat"]["id"].as_i64(),
            message["message_id"].as_i64(),
        ) else {
            return;
        };
        self.chats.insert(chat_id, message["chat"].clone());
        if let Some(id) = message["from"]["id"].as_i64() {
            self.users.insert(id, message["from"].clone());
        }
        let last = self.last_message_id.entry(chat_id).or_insert(0);
        *last = (*last).max(message_id);
        self.messages.insert((chat_id, message_id), message.clone());
    }

    fn learn_update(&mut self, update: &Value) {
        for kind in [
            "message",
            "edited_message",
            "channel_post",
            "edited_channel_post",
        ] {
            if update[kind].is_object() {
                self.remember_message(&update[kind]);
            }
        }
        let query = &update["callback_query"];
        if let Some(id) = query["id"].as_str() {
            self.callback_queries.insert(id.to_owned(), false);
            self.remember_message(&query["message"]);
        }
        let member_update = &update["my_chat_member"];
        if let Some(chat_id) = member_update["chat"]["id"].as_i64() {
            self.chats.insert(chat_id, member_update["chat"].clone());
        }
    }

    fn is_allowed(&self, update: &Value) -> bool {
        let kind = update_kind(update);
        if self.allowed_updates.is_empty() {
            return !NOT_DELIVERED_BY_DEFAULT.contains(&kind);
        }
        self.allowed_updates.iter().any(|allowed| allowed == kind)
    }
}

/// The `update_id` of a queued update.
pub fn update_id(update: &Value) -> i64 {
    update["update_id"]
        .as_i64()
        .expect("queued updates have an update_id")
}

/// The update's type: its one key besides `update_id`.
pub fn update_kind(update: &Value) -> &str {
    update
        .as_object()
        .and_then(|fields| fields.keys().find(|key| *key != "update_id"))
        .map_or("", String::as_str)
}
