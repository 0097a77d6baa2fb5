//! Raw Bot API update JSON -> our typed `Incoming` values (parse, don't validate).
//!
//! We parse updates ourselves because teloxide 0.17 decodes a `hidden_user` forward
//! without a name as an empty message and loses its text. Invariants: parsing never
//! panics; an update we cannot read is an `Err` naming its `update_id`; fields we do
//! not use are ignored, so new Bot API fields never break the loop.

use serde::Deserialize;
use serde_json::Value;

/// An update we could not read.
#[derive(Debug, thiserror::Error)]
#[error("update {update_id:?} is malformed: {reason}")]
pub struct MalformedUpdate {
    /// Its id, when even that was readable.
    pub update_id: Option<i64>,
    /// What was wrong.
    pub reason: String,
}

/// One update, with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Telegram's update id (grows by one per update).
    pub update_id: i64,
    /// What happened.
    pub incoming: Incoming,
}

/// What an update means to us.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A new message in a chat with the bot.
    Message(IncomingMessage),
    /// A press on one of our inline buttons.
    Callback(Callback),
    /// The bot's own membership in a chat changed.
    MyMembership(MembershipChange),
    /// Anything we do not handle (edits, channel posts, ...), by kind.
    Other(String),
}

/// Kind of chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatKind {
    /// One-to-one with a user.
    Private,
    /// Basic group.
    Group,
    /// Supergroup (forums too).
    Supergroup,
    /// Broadcast channel.
    Channel,
    /// A kind this version does not know.
    #[serde(other)]
    Unknown,
}

/// A chat.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Chat {
    /// Chat id.
    pub id: i64,
    /// Kind of chat.
    #[serde(rename = "type")]
    pub kind: ChatKind,
    /// Group title.
    #[serde(default)]
    pub title: Option<String>,
    /// Topics are enabled.
    #[serde(default)]
    pub is_forum: bool,
}

impl Chat {
    /// A group or supergroup.
    pub fn is_group(&self) -> bool {
        matches!(self.kind, ChatKind::Group | ChatKind::Supergroup)
    }
}

/// A user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    /// User id.
    pub id: i64,
    /// A bot.
    #[serde(default)]
    pub is_bot: bool,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// The client's language tag.
    #[serde(default)]
    pub language_code: Option<String>,
}

/// Text with the targets of its hidden links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    /// The visible text.
    pub text: String,
    /// `text_link` targets.
    pub hidden_links: Vec<String>,
}

/// Where a forwarded message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A user who allows linking.
    User(String),
    /// A user who hides their account; the name may be missing.
    HiddenUser(Option<String>),
    /// A group (anonymous admin).
    Chat(String),
    /// A channel.
    Channel(String),
}

/// What a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Text or a captioned photo/document: something to judge.
    Text(Text),
    /// `/name[@bot] args`.
    Command {
        /// Lower-case name without `/`.
        name: String,
        /// `@bot` suffix, if any.
        addressee: Option<String>,
        /// The rest of the line.
        args: String,
    },
    /// A photo or image file without caption.
    Image,
    /// Something we cannot judge (sticker, voice, ...), by kind.
    Unsupported(&'static str),
    /// A service message (joins, pins, ...) or an empty one.
    Service,
}

/// Largest file the Bot API lets a bot download with getFile (20 MB).
pub const DOWNLOAD_LIMIT: u64 = 20 * 1024 * 1024;

/// A picture to read: the largest photo size within `DOWNLOAD_LIMIT` (the smallest
/// size when none is), or an image document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFile {
    /// Id for getFile.
    pub file_id: String,
    /// Size Telegram reports, if any.
    pub file_size: Option<u64>,
}

/// A message.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingMessage {
    /// Id within the chat.
    pub message_id: i32,
    /// The chat.
    pub chat: Chat,
    /// The sender (absent for anonymous channel posts).
    pub from: Option<User>,
    /// Forum topic to answer in (only when `is_topic_message`).
    pub topic_id: Option<i32>,
    /// What it carries.
    pub content: Content,
    /// Quoted or externally replied text that comes with it.
    pub quoted: Option<Text>,
    /// Forward origin, if forwarded.
    pub origin: Option<Origin>,
    /// Album id.
    pub media_group_id: Option<String>,
    /// The photo or image document it carries, captioned or not.
    pub image: Option<ImageFile>,
    /// The message this one replies to (one level deep).
    pub reply_to: Option<Box<IncomingMessage>>,
    /// This basic group became the supergroup with this id.
    pub migrate_to_chat_id: Option<i64>,
    /// This supergroup was the basic group with this id.
    pub migrate_from_chat_id: Option<i64>,
}

impl IncomingMessage {
    /// Everything judgeable in the message: its text or caption, then quoted text.
    pub fn judgeable(&self) -> Option<Text> {
        let mut out = match &self.content {
            Content::Text(text) => text.clone(),
            _ => Text::default(),
        };
        if let Some(quoted) = &self.quoted {
            if !out.text.is_empty() {
                out.text.push_str("\n\n");
            }
            out.text.push_str(&quoted.text);
            out.hidden_links.extend(quoted.hidden_links.iter().cloned());
        }
        (!out.text.trim().is_empty()).then_some(out)
    }
}

/// A press on an inline button.
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    /// Query id to answer.
    pub id: String,
    /// Who pressed.
    pub from: User,
    /// The message with the button (absent when too old).
    pub message: Option<IncomingMessage>,
    /// Button data.
    pub data: String,
}

/// The bot's membership in a chat changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipChange {
    /// The chat.
    pub chat: Chat,
    /// Who changed it.
    pub by: User,
    /// The old status (`left`, `member`, `administrator`, `kicked`, ...).
    pub old_status: String,
    /// The new status.
    pub new_status: String,
}

impl MembershipChange {
    /// The bot is now in a chat it was not in.
    pub fn joined(&self) -> bool {
        let present = |s: &str| matches!(s, "member" | "administrator" | "creator" | "restricted");
        present(&self.new_status) && !present(&self.old_status)
    }
}

/// Parses one raw update.
pub fn parse(raw: &Value) -> Result<Update, MalformedUpdate> {
    let update_id = raw["update_id"].as_i64();
    let malformed = |reason: String| MalformedUpdate { update_id, reason };
    let update_id = update_id.ok_or_else(|| malformed("no integer update_id".into()))?;
    let raw: RawUpdate = RawUpdate::deserialize(raw).map_err(|e| malformed(e.to_string()))?;
    let incoming = if let Some(message) = raw.message {
        Incoming::Message(message.into_message()?)
    } else if let Some(query) = raw.callback_query {
        Incoming::Callback(Callback {
            id: query.id,
            from: query.from,
            message: query.message.map(RawMessage::into_message).transpose()?,
            data: query.data.unwrap_or_default(),
        })
    } else if let Some(change) = raw.my_chat_member {
        Incoming::MyMembership(MembershipChange {
            chat: change.chat,
            by: change.from,
            old_status: change.old_chat_member.status,
            new_status: change.new_chat_member.status,
        })
    } else {
        let kind = raw.rest.keys().next().cloned().unwrap_or_default();
        Incoming::Other(kind)
    };
    Ok(Update {
        update_id,
        incoming,
    })
}

#[derive(Deserialize)]
struct RawUpdate {
    #[serde(default)]
    message: Option<RawMessage>,
    #[serde(default)]
    callback_query: Option<RawCallback>,
    #[serde(default)]
    my_chat_member: Option<RawMemberUpdate>,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
struct RawCallback {
    id: String,
    from: User,
    #[serde(default)]
    message: Option<RawMessage>,
    #[serde(default)]
    data: Option<String>,
}

#[derive(Deserialize)]
struct RawMemberUpdate {
    chat: Chat,
    from: User,
    old_chat_member: RawMember,
    new_chat_member: RawMember,
}

#[derive(Deserialize)]
struct RawMember {
    status: String,
}

#[derive(Deserialize, Default)]
struct RawEntity {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct RawQuote {
    text: String,
    #[serde(default)]
    entities: Vec<RawEntity>,
}

#[derive(Deserialize)]
struct RawMessage {
    message_id: i64,
    chat: Chat,
    #[serde(default)]
    from: Option<User>,
    #[serde(default)]
    message_thread_id: Option<i64>,
    #[serde(default)]
    is_topic_message: bool,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    entities: Vec<RawEntity>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    caption_entities: Vec<RawEntity>,
    #[serde(default)]
    quote: Option<RawQuote>,
    #[serde(default)]
    forward_origin: Option<Value>,
    #[serde(default)]
    forward_from: Option<User>,
    #[serde(default)]
    forward_sender_name: Option<String>,
    #[serde(default)]
    forward_from_chat: Option<Chat>,
    #[serde(default)]
    forward_date: Option<i64>,
    #[serde(default)]
    media_group_id: Option<String>,
    #[serde(default)]
    reply_to_message: Option<Box<RawMessage>>,
    #[serde(default)]
    migrate_to_chat_id: Option<i64>,
    #[serde(default)]
    migrate_from_chat_id: Option<i64>,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

/// Message kinds we cannot judge, as they appear as keys.
const UNSUPPORTED: [&str; 11] = [
    "sticker",
    "voice",
    "video_note",
    "audio",
    "video",
    "animation",
    "contact",
    "location",
    "venue",
    "poll",
    "dice",
];

impl RawMessage {
    fn into_message(self) -> Result<IncomingMessage, MalformedUpdate> {
        let bad = |reason: &str| MalformedUpdate {
            update_id: None,
            reason: reason.to_owned(),
        };
        let message_id =
            i32::try_from(self.message_id).map_err(|_| bad("message_id out of range"))?;
        let topic_id = match (self.is_topic_message, self.message_thread_id) {
            (true, Some(id)) => Some(i32::try_from(id).map_err(|_| bad("thread id out of range"))?),
            _ => None,
        };
        let origin = origin(
            self.forward_origin.as_ref(),
            self.forward_from.as_ref(),
            self.forward_sender_name.as_deref(),
            self.forward_from_chat.as_ref(),
            self.forward_date,
        );
        let image = image_file(&self.rest);
        let content = content(
            self.text,
            &self.entities,
            self.caption,
            &self.caption_entities,
            &self.rest,
        );
        let quoted = self.quote.map(|q| Text {
            hidden_links: hidden_links(&q.entities),
            text: q.text,
        });
        let reply_to = match self.reply_to_message {
            Some(raw) => Some(Box::new(raw.into_message()?)),
            None => None,
        };
        Ok(IncomingMessage {
            message_id,
            chat: self.chat,
            from: self.from,
            topic_id,
            content,
            quoted,
            origin,
            media_group_id: self.media_group_id,
            image,
            reply_to,
            migrate_to_chat_id: self.migrate_to_chat_id,
            migrate_from_chat_id: self.migrate_from_chat_id,
        })
    }
}

fn content(
    text: Option<String>,
    entities: &[RawEntity],
    caption: Option<String>,
    caption_entities: &[RawEntity],
    rest: &serde_json::Map<String, Value>,
) -> Content {
    if let Some(text) = text {
        if let Some(command) = command(&text) {
            return command;
        }
        return Content::Text(Text {
            hidden_links: hidden_links(entities),
            text,
        });
    }
    if let Some(caption) = caption.filter(|c| !c.trim().is_empty()) {
        return Content::Text(Text {
            hidden_links: hidden_links(caption_entities),
            text: caption,
        });
    }
    let is_image = rest.contains_key("photo")
        || rest
            .get("document")
            .and_then(|d| d["mime_type"].as_str())
            .is_some_and(|m| m.starts_with("image/"));
    if is_image {
        return Content::Image;
    }
    if rest.contains_key("document") {
        return Content::Unsupported("document");
    }
    match UNSUPPORTED.iter().find(|kind| rest.contains_key(**kind)) {
        Some(kind) => Content::Unsupported(kind),
        None => Content::Service,
    }
}

#[derive(Deserialize)]
struct RawFile {
    file_id: String,
    #[serde(default)]
    file_size: Option<u64>,
    #[serde(default)]
    width: u64,
    #[serde(default)]
    height: u64,
    #[serde(default)]
    mime_type: Option<String>,
}

impl RawFile {
    fn into_image(self) -> ImageFile {
        ImageFile {
            file_id: self.file_id,
            file_size: self.file_size,
        }
    }
}

/// The photo size to download, or the image document; `None` for anything else.
fn image_file(rest: &serde_json::Map<String, Value>) -> Option<ImageFile> {
    if let Some(photo) = rest.get("photo") {
        let mut sizes = Vec::<RawFile>::deserialize(photo).ok()?;
        sizes.sort_by_key(|s| s.width * s.height);
        let fits = |s: &RawFile| s.file_size.is_none_or(|size| size <= DOWNLOAD_LIMIT);
        let pick = match sizes.iter().rposition(fits) {
            Some(index) => sizes.swap_remove(index),
            None => sizes.into_iter().next()?,
        };
        return Some(pick.into_image());
    }
    let document = RawFile::deserialize(rest.get("document")?).ok()?;
    let is_image = document
        .mime_type
        .as_deref()
        .is_some_and(|m| m.starts_with("image/"));
    is_image.then(|| document.into_image())
}

fn command(text: &str) -> Option<Content> {
    let rest = text.strip_prefix('/')?;
    let (head, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let (name, addressee) = match head.split_once('@') {
        Some((name, bot)) => (name, Some(bot.to_owned())),
        None => (head, None),
    };
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then(|| Content::Command {
        name: name.to_ascii_lowercase(),
        addressee,
        args: args.trim().to_owned(),
    })
}

fn hidden_links(entities: &[RawEntity]) -> Vec<String> {
    entities
        .iter()
        .filter(|e| e.kind == "text_link")
        .filter_map(|e| e.url.clone())
        .collect()
}

/// `forward_origin` first; the legacy `forward_*` fields when it is absent.
fn origin(
    forward_origin: Option<&Value>,
    from: Option<&User>,
    sender_name: Option<&str>,
    from_chat: Option<&Chat>,
    date: Option<i64>,
) -> Option<Origin> {
    let title = |chat: &Value| chat["title"].as_str().unwrap_or_default().to_owned();
    if let Some(o) = forward_origin {
        let origin = match o["type"].as_str() {
            Some("user") => Origin::User(
                o["sender_user"]["first_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            Some("chat") => Origin::Chat(title(&o["sender_chat"])),
            Some("channel") => Origin::Channel(title(&o["chat"])),
            _ => Origin::HiddenUser(o["sender_user_name"].as_str().map(str::to_owned)),
        };
        return Some(origin);
    }
    if let Some(user) = from {
        return Some(Origin::User(user.first_name.clone()));
    }
    if let Some(chat) = from_chat {
        let name = chat.title.clone().unwrap_or_default();
        return Some(match chat.kind {
            ChatKind::Channel => Origin::Channel(name),
            _ => Origin::Chat(name),
        });
    }
    if sender_name.is_some() || date.is_some() {
        return Some(Origin::HiddenUser(sender_name.map(str::to_owned)));
    }
    None
}

#[cfg(test)]
mod tests;
