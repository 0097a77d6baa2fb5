//! Placeholder users and chats for fake updates, rendered as Bot API JSON.
//!
//! Every identity here is made up (ids in reserved-looking ranges, `example`
//! names); nothing is copied from real captures. Chat JSON follows the key
//! set the server emits per chat type (`all_members_are_administrators` on
//! basic groups, `is_forum` on forum supergroups).

use serde_json::{Map, Value, json};

/// A Telegram user that sends messages to the bot in tests.
#[derive(Clone, Debug, PartialEq)]
pub struct TestUser {
    /// Telegram user id (also the private chat id).
    pub id: i64,
    /// First name, always present on real users.
    pub first_name: String,
    /// Optional last name.
    pub last_name: Option<String>,
    /// Optional @username without the `@`.
    pub username: Option<String>,
    /// IETF language tag the client reports.
    pub language_code: Option<String>,
}

impl TestUser {
    /// A user with only an id and a first name.
    pub fn new(id: i64, first_name: &str) -> Self {
        Self {
            id,
            first_name: first_name.to_owned(),
            last_name: None,
            username: None,
            language_code: None,
        }
    }

    /// The default seller: Alice Example, id 111111111.
    pub fn alice() -> Self {
        Self {
            id: 111_111_111,
            first_name: "Alice".to_owned(),
            last_name: Some("Example".to_owned()),
            username: Some("alice_example".to_owned()),
            language_code: Some("en".to_owned()),
        }
    }

    /// A second user: Bob Example, id 222222222, no username.
    pub fn bob() -> Self {
        Self {
            id: 222_222_222,
            first_name: "Bob".to_owned(),
            last_name: Some("Example".to_owned()),
            username: None,
            language_code: Some("de".to_owned()),
        }
    }

    /// The `User` object as it appears in `from`.
    pub fn to_json(&self) -> Value {
        let mut user = Map::new();
        user.insert("id".into(), json!(self.id));
        user.insert("is_bot".into(), json!(false));
        user.insert("first_name".into(), json!(self.first_name));
        insert_opt(&mut user, "last_name", &self.last_name);
        insert_opt(&mut user, "username", &self.username);
        insert_opt(&mut user, "language_code", &self.language_code);
        Value::Object(user)
    }

    /// The `Chat` object of this user's private chat with the bot.
    pub fn private_chat_json(&self) -> Value {
        let mut chat = Map::new();
        chat.insert("id".into(), json!(self.id));
        chat.insert("first_name".into(), json!(self.first_name));
        insert_opt(&mut chat, "last_name", &self.last_name);
        insert_opt(&mut chat, "username", &self.username);
        chat.insert("type".into(), json!("private"));
        Value::Object(chat)
    }
}

/// The kind of a non-private chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatKind {
    /// A basic group (small negative id).
    Group,
    /// A supergroup without topics.
    Supergroup,
    /// A supergroup with topics enabled (`is_forum`).
    Forum,
    /// A broadcast channel.
    Channel,
}

/// A group, supergroup or channel the bot is in.
#[derive(Clone, Debug, PartialEq)]
pub struct TestChat {
    /// Chat id (negative; `-100…` for supergroups and channels).
    pub id: i64,
    /// What kind of chat this is.
    pub kind: ChatKind,
    /// Chat title.
    pub title: String,
    /// Optional public @username without the `@`.
    pub username: Option<String>,
}

impl TestChat {
    /// A basic group, id -4000000001.
    pub fn group() -> Self {
        Self::new(-4_000_000_001, ChatKind::Group, "Example Sellers Group")
    }

    /// A supergroup, id -1001000000002.
    pub fn supergroup() -> Self {
        Self::new(-1_001_000_000_002, ChatKind::Supergroup, "Example Sellers")
    }

    /// A forum supergroup, id -1001000000003.
    pub fn forum() -> Self {
        Self::new(-1_001_000_000_003, ChatKind::Forum, "Example Sellers Forum")
    }

    /// A public channel, id -1001000000001, @example_deals.
    pub fn channel() -> Self {
        let mut chat = Self::new(
            -1_001_000_000_001,
            ChatKind::Channel,
            "Example Deals Channel",
        );
        chat.username = Some("example_deals".to_owned());
        chat
    }

    /// A chat with the given id, kind and title and no username.
    pub fn new(id: i64, kind: ChatKind, title: &str) -> Self {
        Self {
            id,
            kind,
            title: title.to_owned(),
            username: None,
        }
    }

    /// The `Chat` object as the server sends it inside a message.
    pub fn to_json(&self) -> Value {
        let mut chat = Map::new();
        chat.insert("id".into(), json!(self.id));
        chat.insert("title".into(), json!(self.title));
        insert_opt(&mut chat, "username", &self.username);
        let kind = match self.kind {
            ChatKind::Group => "group",
            ChatKind::Supergroup | ChatKind::Forum => "supergroup",
            ChatKind::Channel => "channel",
        };
        chat.insert("type".into(), json!(kind));
        match self.kind {
            ChatKind::Group => {
                chat.insert("all_members_are_administrators".into(), json!(false));
            }
            ChatKind::Forum => {
                chat.insert("is_forum".into(), json!(true));
            }
            ChatKind::Supergroup | ChatKind::Channel => {}
        }
        Value::Object(chat)
    }
}

/// The bot the fake impersonates; its id is the numeric part of the token.
#[derive(Clone, Debug, PartialEq)]
pub struct BotIdentity {
    /// Bot user id.
    pub id: i64,
    /// Bot display name.
    pub first_name: String,
    /// Bot @username without the `@`.
    pub username: String,
}

impl BotIdentity {
    /// The placeholder bot behind token `123456:TEST`.
    pub fn placeholder() -> Self {
        Self {
            id: 123_456,
            first_name: "Sellerguard Test".to_owned(),
            username: "sellerguard_test_bot".to_owned(),
        }
    }

    /// The bot as a `User` (`from` of the messages it sends).
    pub fn user_json(&self) -> Value {
        json!({
            "id": self.id,
            "is_bot": true,
            "first_name": self.first_name,
            "username": self.username,
        })
    }

    /// The getMe result: the user plus every bot-only flag the server sends.
    pub fn me_json(&self, privacy_mode: bool) -> Value {
        let mut me = self.user_json();
        let flags = json!({
            "can_join_groups": true,
            "can_read_all_group_messages": !privacy_mode,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        });
        merge(&mut me, flags);
        me
    }
}

/// Copies every key of `extra` (an object) into `target` (an object).
pub fn merge(target: &mut Value, extra: Value) {
    let (Value::Object(target), Value::Object(extra)) = (target, extra) else {
        panic!("merge needs two JSON objects");
    };
    target.extend(extra);
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), json!(value));
    }
}
