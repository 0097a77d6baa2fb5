//! Builders for realistic incoming updates (what `getUpdates` returns).
//!
//! Shapes follow the server serializer as documented in
//! `shared/telegram/fixtures/INDEX.md`: legacy `forward_*` keys next to
//! `forward_origin`, `thumb` next to `thumbnail`, photos as ascending
//! `PhotoSize` lists, entity offsets in UTF-16 code units. Builders return an
//! update *without* `update_id`; `FakeBotApi::enqueue_update` assigns one.
//! Message ids come from the fake's per-chat counter, so they never collide
//! with ids the bot's own messages get.

use serde_json::{Map, Value, json};

use super::FakeBotApi;
use super::identities::{TestChat, TestUser, merge};

impl FakeBotApi {
    /// A plain text message in the user's private chat with the bot.
    pub fn private_text(&self, user: &TestUser, text: &str) -> Value {
        let mut message = self.message_from(user, user.private_chat_json());
        message.insert("text".into(), json!(text));
        wrap("message", message)
    }

    /// A plain text message from `user` in a group or supergroup.
    pub fn group_text(&self, chat: &TestChat, user: &TestUser, text: &str) -> Value {
        let mut message = self.message_from(user, chat.to_json());
        message.insert("text".into(), json!(text));
        wrap("message", message)
    }

    /// A private text where the first occurrence of `link_text` is a
    /// `text_link` entity pointing at `url` (offsets in UTF-16 code units).
    pub fn text_link(&self, user: &TestUser, text: &str, link_text: &str, url: &str) -> Value {
        let (offset, length) = utf16_span(text, link_text);
        let mut message = self.message_from(user, user.private_chat_json());
        message.insert("text".into(), json!(text));
        message.insert(
            "entities".into(),
            json!([{"offset": offset, "length": length, "type": "text_link", "url": url}]),
        );
        wrap("message", message)
    }

    /// A text `user` forwarded from `original`, who allows linking.
    pub fn forwarded_from_user(&self, user: &TestUser, original: &TestUser, text: &str) -> Value {
        let date = now() - 3_600;
        self.forwarded(
            user,
            text,
            json!({
                "forward_origin": {"type": "user", "sender_user": original.to_json(), "date": date},
                "forward_from": original.to_json(),
                "forward_date": date,
            }),
        )
    }

    /// A text forwarded from a user who hides their account.
    pub fn forwarded_from_hidden_user(
        &self,
        user: &TestUser,
        sender_name: &str,
        text: &str,
    ) -> Value {
        let date = now() - 3_600;
        self.forwarded(
            user,
            text,
            json!({
                "forward_origin": {"type": "hidden_user", "sender_user_name": sender_name, "date": date},
                "forward_sender_name": sender_name,
                "forward_date": date,
            }),
        )
    }

    /// A hidden-user forward whose origin has no `sender_user_name` (the
    /// server omits an empty name). teloxide 0.17 decodes this whole message
    /// as `MessageKind::Empty`.
    pub fn forwarded_from_hidden_user_no_name(&self, user: &TestUser, text: &str) -> Value {
        let date = 1_422_450_181;
        self.forwarded(
            user,
            text,
            json!({
                "forward_origin": {"type": "hidden_user", "date": date},
                "forward_date": date,
            }),
        )
    }

    /// A channel post `user` forwarded into their private chat.
    pub fn forwarded_from_channel(
        &self,
        user: &TestUser,
        channel: &TestChat,
        channel_message_id: i64,
        text: &str,
    ) -> Value {
        let date = now() - 3_600;
        self.forwarded(
            user,
            text,
            json!({
                "forward_origin": {
                    "type": "channel",
                    "chat": channel.to_json(),
                    "message_id": channel_message_id,
                    "date": date,
                },
                "forward_from_chat": channel.to_json(),
                "forward_from_message_id": channel_message_id,
                "forward_date": date,
            }),
        )
    }

    /// A compressed photo with four sizes (90, 320, 800, 1280 px). The
    /// largest size has `file_id`; smaller ones get derived ids.
    pub fn photo(&self, user: &TestUser, file_id: &str, caption: Option<&str>) -> Value {
        let mut message = self.message_from(user, user.private_chat_json());
        message.insert("photo".into(), photo_sizes(file_id));
        if let Some(caption) = caption {
            message.insert("caption".into(), json!(caption));
        }
        wrap("message", message)
    }

    /// A screenshot sent as a file (`document`, `image/png`) with a thumbnail.
    pub fn document_image(
        &self,
        user: &TestUser,
        file_id: &str,
        file_name: &str,
        caption: Option<&str>,
    ) -> Value {
        let thumbnail = json!({
            "file_id": format!("{file_id}-thumb"),
            "file_unique_id": unique_id(&format!("{file_id}-thumb")),
            "file_size": 14_210,
            "width": 148,
            "height": 320,
        });
        let mut message = self.message_from(user, user.private_chat_json());
        message.insert(
            "document".into(),
            json!({
                "file_name": file_name,
                "mime_type": "image/png",
                "thumbnail": thumbnail,
                "thumb": thumbnail,
                "file_id": file_id,
                "file_unique_id": unique_id(file_id),
                "file_size": 412_345,
            }),
        );
        if let Some(caption) = caption {
            message.insert("caption".into(), json!(caption));
        }
        wrap("message", message)
    }

    /// An album: one update per photo, all sharing a `media_group_id`, the
    /// caption only on the first.
    pub fn album(&self, user: &TestUser, file_ids: &[&str], caption: Option<&str>) -> Vec<Value> {
        let media_group_id = format!("1295413969936{:04}", self.next_seq());
        let date = now();
        file_ids
            .iter()
            .enumerate()
            .map(|(index, file_id)| {
                let mut message = self.message_from(user, user.private_chat_json());
                message.insert("date".into(), json!(date));
                message.insert("media_group_id".into(), json!(media_group_id));
                message.insert("photo".into(), photo_sizes(file_id));
                if let (0, Some(caption)) = (index, caption) {
                    message.insert("caption".into(), json!(caption));
                }
                wrap("message", message)
            })
            .collect()
    }

    /// `user` pressed an inline button with `data` under `message` (for
    /// example `SentMessage::message` of something the bot sent).
    pub fn callback_query(&self, user: &TestUser, message: &Value, data: &str) -> Value {
        let seq = self.next_seq();
        json!({
            "callback_query": {
                "id": format!("38696074498589{seq:05}"),
                "from": user.to_json(),
                "message": message,
                "chat_instance": format!("-73154302698166{seq:05}"),
                "data": data,
            }
        })
    }

    /// `by` added the bot to `chat` as a plain member.
    pub fn bot_added_to_group(&self, chat: &TestChat, by: &TestUser) -> Value {
        let bot = self.bot().user_json();
        json!({
            "my_chat_member": {
                "chat": chat.to_json(),
                "from": by.to_json(),
                "date": now(),
                "old_chat_member": {"user": bot, "status": "left"},
                "new_chat_member": {"user": bot, "status": "member"},
            }
        })
    }

    /// `user` blocked the bot in their private chat.
    pub fn bot_blocked_by_user(&self, user: &TestUser) -> Value {
        let bot = self.bot().user_json();
        json!({
            "my_chat_member": {
                "chat": user.private_chat_json(),
                "from": user.to_json(),
                "date": now(),
                "old_chat_member": {"user": bot, "status": "member"},
                "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
            }
        })
    }

    /// The service message in a basic group that was upgraded to the
    /// supergroup `new_chat_id`.
    pub fn group_migrated(&self, group: &TestChat, user: &TestUser, new_chat_id: i64) -> Value {
        let mut message = self.message_from(user, group.to_json());
        message.insert("migrate_to_chat_id".into(), json!(new_chat_id));
        wrap("message", message)
    }

    /// A text in forum topic `thread_id`, replying (as clients do) to the
    /// topic's `forum_topic_created` service message.
    pub fn forum_topic_text(
        &self,
        forum: &TestChat,
        user: &TestUser,
        thread_id: i64,
        text: &str,
    ) -> Value {
        let topic_created = json!({
            "message_id": thread_id,
            "message_thread_id": thread_id,
            "from": user.to_json(),
            "chat": forum.to_json(),
            "date": now() - 86_400,
            "is_topic_message": true,
            "forum_topic_created": {"name": "Scam reports", "icon_color": 9_367_192},
        });
        let mut message = self.message_from(user, forum.to_json());
        message.insert("message_thread_id".into(), json!(thread_id));
        message.insert("is_topic_message".into(), json!(true));
        message.insert("reply_to_message".into(), topic_created);
        message.insert("text".into(), json!(text));
        wrap("message", message)
    }

    fn forwarded(&self, user: &TestUser, text: &str, forward_fields: Value) -> Value {
        let mut message = Value::Object(self.message_from(user, user.private_chat_json()));
        merge(&mut message, forward_fields);
        merge(&mut message, json!({"text": text}));
        json!({"message": message})
    }

    fn message_from(&self, user: &TestUser, chat: Value) -> Map<String, Value> {
        let chat_id = chat["id"].as_i64().expect("chat JSON has an integer id");
        let mut message = Map::new();
        message.insert("message_id".into(), json!(self.next_message_id(chat_id)));
        message.insert("from".into(), user.to_json());
        message.insert("chat".into(), chat);
        message.insert("date".into(), json!(now()));
        message
    }
}

/// The `(offset, length)` of the first occurrence of `needle` in `text`,
/// in UTF-16 code units as Telegram counts them.
pub fn utf16_span(text: &str, needle: &str) -> (usize, usize) {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in {text:?}"));
    let offset = text[..start].encode_utf16().count();
    (offset, needle.encode_utf16().count())
}

/// Seconds since the Unix epoch, as Telegram's `date` fields.
pub fn now() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since_epoch.as_secs()).expect("date fits i64")
}

fn photo_sizes(file_id: &str) -> Value {
    let sizes = [(90, 1_911), (320, 19_162), (800, 65_697), (1280, 162_061)];
    let list = sizes
        .iter()
        .map(|&(side, file_size)| {
            let id = if side == 1280 {
                file_id.to_owned()
            } else {
                format!("{file_id}-w{side}")
            };
            json!({
                "file_id": id,
                "file_unique_id": unique_id(&id),
                "file_size": file_size,
                "width": side,
                "height": side,
            })
        })
        .collect();
    Value::Array(list)
}

fn unique_id(file_id: &str) -> String {
    format!("uniq-{file_id}")
}

fn wrap(kind: &str, message: Map<String, Value>) -> Value {
    let mut update = Map::new();
    update.insert(kind.to_owned(), Value::Object(message));
    Value::Object(update)
}
