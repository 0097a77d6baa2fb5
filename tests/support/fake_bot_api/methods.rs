//! The Bot API methods the fake implements (all but getUpdates, which waits
//! and lives in `server.rs`), each a pure function of the state and params.
//!
//! Checks mirror the server's common rejections with its exact descriptions,
//! so a bot that would fail against Telegram fails here too: empty or
//! over-long text, `callback_data` over 64 bytes, replies to unknown
//! messages, edits that change nothing, unknown callback query ids.

use serde_json::{Value, json};

use super::SentMessage;
use super::identities::BotIdentity;
use super::state::{Reply, State};
use super::updates::now;

const MESSAGE_NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content and reply \
                                    markup are exactly the same as a current content and reply markup of the message";
const QUERY_TOO_OLD: &str =
    "Bad Request: query is too old and response timeout expired or query ID is invalid";

type Outcome = Result<Reply, Reply>;

/// Runs `method` (lower-case name) or returns `None` if the fake does not
/// know it.
pub fn dispatch(
    state: &mut State,
    bot: &BotIdentity,
    method: &str,
    params: &Value,
) -> Option<Reply> {
    let outcome = match method {
        "getme" => Ok(Reply::ok(bot.me_json(state.privacy_mode))),
        "sendmessage" => send_message(state, bot, params),
        "editmessagetext" => edit_message(state, bot, params, true),
        "editmessagereplymarkup" => edit_message(state, bot, params, false),
        "deletemessage" => delete_message(state, params),
        "answercallbackquery" => answer_callback_query(state, params),
        "sendchataction" | "leavechat" => chat_id(state, params).map(|_| Reply::ok(json!(true))),
        "getchat" => chat_id(state, params).map(|id| Reply::ok(state.chat_json(id))),
        "getchatmember" => get_chat_member(state, params),
        "getchatadministrators" => get_chat_administrators(state, params),
        "getfile" => get_file(state, params),
        "setmycommands" | "deletemycommands" | "getmycommands" => {
            Ok(my_commands(state, method, params))
        }
        "setwebhook" => Ok(set_webhook(state, params)),
        "deletewebhook" => Ok(delete_webhook(state, params)),
        "getwebhookinfo" => Ok(webhook_info(state)),
        "sendphoto" | "senddocument" => send_media(state, bot, method, params),
        _ => return None,
    };
    Some(outcome.unwrap_or_else(|error| error))
}

/// Reads an integer that may arrive as a JSON number or a numeric string.
pub fn int(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_str()?.parse().ok())
}

fn chat_id(state: &State, params: &Value) -> Result<i64, Reply> {
    let chat_not_found = || Reply::error(400, "Bad Request: chat not found");
    if let Some(id) = int(&params["chat_id"]) {
        return Ok(id);
    }
    let username = params["chat_id"].as_str().and_then(|s| s.strip_prefix('@'));
    let username = username.ok_or_else(|| Reply::error(400, "Bad Request: chat_id is empty"))?;
    state
        .chats
        .iter()
        .find(|(_, chat)| chat["username"].as_str() == Some(username))
        .map(|(id, _)| *id)
        .ok_or_else(chat_not_found)
}

fn send_message(state: &mut State, bot: &BotIdentity, params: &Value) -> Outcome {
    let chat_id = chat_id(state, params)?;
    let text = params["text"].as_str().unwrap_or_default();
    if text.is_empty() {
        return Err(Reply::error(400, "Bad Request: message text is empty"));
    }
    if text.chars().count() > 4096 {
        return Err(Reply::error(400, "Bad Request: message is too long"));
    }
    check_reply_markup(&params["reply_markup"])?;
    let mut message = new_bot_message(state, bot, chat_id, params)?;
    message["text"] = json!(text);
    if params["entities"].is_array() {
        message["entities"] = params["entities"].clone();
    }
    if is_inline_keyboard(&params["reply_markup"]) {
        message["reply_markup"] = params["reply_markup"].clone();
    }
    state.remember_message(&message);
    state.sent.push(SentMessage::from_call(params, &message));
    Ok(Reply::ok(message))
}

fn send_media(state: &mut State, bot: &BotIdentity, method: &str, params: &Value) -> Outcome {
    let chat_id = chat_id(state, params)?;
    let mut message = new_bot_message(state, bot, chat_id, params)?;
    let file_id = format!("fake-upload-{}", state.next_seq());
    if method == "sendphoto" {
        let sizes: Vec<Value> = [90, 320, 800, 1280]
            .iter()
            .map(|side| json!({"file_id": format!("{file_id}-w{side}"), "file_unique_id": format!("u{file_id}-w{side}"), "file_size": side * 100, "width": side, "height": side}))
            .collect();
        message["photo"] = json!(sizes);
    } else {
        let file_name = params["document"]["file_name"]
            .as_str()
            .unwrap_or("document");
        message["document"] = json!({"file_name": file_name, "file_id": file_id, "file_unique_id": format!("u{file_id}"), "file_size": 1});
    }
    if let Some(caption) = params["caption"].as_str() {
        message["caption"] = json!(caption);
    }
    state.remember_message(&message);
    Ok(Reply::ok(message))
}

/// `message_id`, `from`, `chat`, `date`, thread and reply for a message the
/// bot sends now.
fn new_bot_message(
    state: &mut State,
    bot: &BotIdentity,
    chat_id: i64,
    params: &Value,
) -> Result<Value, Reply> {
    let chat = state.chat_json(chat_id);
    let mut message = json!({
        "message_id": state.next_message_id(chat_id),
        "from": bot.user_json(),
        "chat": chat,
        "date": now(),
    });
    if let Some(thread_id) = int(&params["message_thread_id"]) {
        message["message_thread_id"] = json!(thread_id);
        if chat["is_forum"] == json!(true) {
            message["is_topic_message"] = json!(true);
        }
    }
    let Some(reply_to) = reply_to_message_id(params) else {
        return Ok(message);
    };
    match state.messages.get(&(chat_id, reply_to)) {
        Some(original) => {
            let mut original = original.clone();
            if let Some(fields) = original.as_object_mut() {
                fields.remove("reply_to_message");
            }
            message["reply_to_message"] = original;
        }
        None if allows_missing_reply(params) => {}
        None => {
            return Err(Reply::error(
                400,
                "Bad Request: message to be replied not found",
            ));
        }
    }
    Ok(message)
}

/// The replied-to message id from `reply_parameters` or the legacy field.
pub fn reply_to_message_id(params: &Value) -> Option<i64> {
    int(&params["reply_parameters"]["message_id"]).or_else(|| int(&params["reply_to_message_id"]))
}

fn allows_missing_reply(params: &Value) -> bool {
    params["reply_parameters"]["allow_sending_without_reply"] == json!(true)
        || params["allow_sending_without_reply"] == json!(true)
}

fn is_inline_keyboard(markup: &Value) -> bool {
    markup["inline_keyboard"].is_array()
}

fn check_reply_markup(markup: &Value) -> Result<(), Reply> {
    let rows = markup["inline_keyboard"].as_array().into_iter().flatten();
    let too_long = rows
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|button| button["callback_data"].as_str())
        .any(|data| data.is_empty() || data.len() > 64);
    match too_long {
        true => Err(Reply::error(400, "Bad Request: BUTTON_DATA_INVALID")),
        false => Ok(()),
    }
}

fn edit_message(state: &mut State, bot: &BotIdentity, params: &Value, edits_text: bool) -> Outcome {
    if params["inline_message_id"].is_string() {
        return Ok(Reply::ok(json!(true)));
    }
    let chat_id = chat_id(state, params)?;
    let message_id = int(&params["message_id"]).unwrap_or_default();
    let Some(old) = state.messages.get(&(chat_id, message_id)).cloned() else {
        return Err(Reply::error(400, "Bad Request: message to edit not found"));
    };
    if old["from"]["id"].as_i64() != Some(bot.id) {
        return Err(Reply::error(400, "Bad Request: message can't be edited"));
    }
    check_reply_markup(&params["reply_markup"])?;
    let mut new = old.clone();
    if edits_text {
        new["text"] = params["text"].clone();
        set_or_remove(&mut new, "entities", &params["entities"]);
    }
    let markup = if is_inline_keyboard(&params["reply_markup"]) {
        params["reply_markup"].clone()
    } else {
        Value::Null
    };
    set_or_remove(&mut new, "reply_markup", &markup);
    if new == old {
        return Err(Reply::error(400, MESSAGE_NOT_MODIFIED));
    }
    new["edit_date"] = json!(now());
    state.messages.insert((chat_id, message_id), new.clone());
    Ok(Reply::ok(new))
}

fn set_or_remove(message: &mut Value, key: &str, value: &Value) {
    let Some(fields) = message.as_object_mut() else {
        return;
    };
    match value {
        Value::Null => fields.remove(key),
        value => fields.insert(key.to_owned(), value.clone()),
    };
}

fn delete_message(state: &mut State, params: &Value) -> Outcome {
    let chat_id = chat_id(state, params)?;
    let message_id = int(&params["message_id"]).unwrap_or_default();
    match state.messages.remove(&(chat_id, message_id)) {
        Some(_) => Ok(Reply::ok(json!(true))),
        None => Err(Reply::error(
            400,
            "Bad Request: message to delete not found",
        )),
    }
}

fn answer_callback_query(state: &mut State, params: &Value) -> Outcome {
    let id = params["callback_query_id"].as_str().unwrap_or_default();
    match state.callback_queries.get_mut(id) {
        Some(answered @ false) => {
            *answered = true;
            Ok(Reply::ok(json!(true)))
        }
        _ => Err(Reply::error(400, QUERY_TOO_OLD)),
    }
}

fn get_chat_member(state: &State, params: &Value) -> Outcome {
    let chat_id = chat_id(state, params)?;
    let user_id =
        int(&params["user_id"]).ok_or_else(|| Reply::error(400, "Bad Request: user not found"))?;
    let status = state
        .members
        .get(&(chat_id, user_id))
        .copied()
        .unwrap_or_default();
    Ok(Reply::ok(status.to_json(state.user_json(user_id))))
}

fn get_chat_administrators(state: &State, params: &Value) -> Outcome {
    let chat_id = chat_id(state, params)?;
    if chat_id > 0 {
        return Err(Reply::error(
            400,
            "Bad Request: there are no administrators in the private chat",
        ));
    }
    let mut admins: Vec<(i64, _)> = state
        .members
        .iter()
        .filter(|((chat, _), status)| *chat == chat_id && status.is_privileged())
        .map(|((_, user), status)| (*user, *status))
        .collect();
    admins.sort_by_key(|(user, _)| *user);
    let admins = admins
        .into_iter()
        .map(|(user, status)| status.to_json(state.user_json(user)));
    Ok(Reply::ok(Value::Array(admins.collect())))
}

fn get_file(state: &State, params: &Value) -> Outcome {
    let file_id = params["file_id"].as_str().unwrap_or_default();
    let file = state
        .files
        .get(file_id)
        .ok_or_else(|| Reply::error(400, "Bad Request: invalid file_id"))?;
    Ok(Reply::ok(json!({
        "file_id": file.file_id,
        "file_unique_id": format!("uniq-{}", file.file_id),
        "file_size": file.bytes.len(),
        "file_path": file.file_path,
    })))
}

fn my_commands(state: &mut State, method: &str, params: &Value) -> Reply {
    let scope = &params["scope"];
    let scope = if scope.is_null() {
        json!({"type": "default"})
    } else {
        scope.clone()
    };
    let key = format!(
        "{scope}|{}",
        params["language_code"].as_str().unwrap_or_default()
    );
    match method {
        "setmycommands" => {
            state.commands.insert(key, params["commands"].clone());
            Reply::ok(json!(true))
        }
        "deletemycommands" => {
            state.commands.remove(&key);
            Reply::ok(json!(true))
        }
        _ => Reply::ok(
            state
                .commands
                .get(&key)
                .cloned()
                .unwrap_or_else(|| json!([])),
        ),
    }
}

fn set_webhook(state: &mut State, params: &Value) -> Reply {
    let url = params["url"].as_str().unwrap_or_default();
    if url.is_empty() {
        return delete_webhook(state, params);
    }
    state.webhook_url = Some(url.to_owned());
    remember_allowed_updates(state, &params["allowed_updates"]);
    Reply::Ok {
        result: json!(true),
        description: Some("Webhook was set".to_owned()),
    }
}

fn delete_webhook(state: &mut State, params: &Value) -> Reply {
    if params["drop_pending_updates"] == json!(true) {
        state.pending.clear();
    }
    let description = match state.webhook_url.take() {
        Some(_) => "Webhook was deleted",
        None => "Webhook is already deleted",
    };
    Reply::Ok {
        result: json!(true),
        description: Some(description.to_owned()),
    }
}

fn webhook_info(state: &State) -> Reply {
    let mut info = json!({
        "url": state.webhook_url.clone().unwrap_or_default(),
        "has_custom_certificate": false,
        "pending_update_count": state.pending.len(),
    });
    if !state.allowed_updates.is_empty() {
        info["allowed_updates"] = json!(state.allowed_updates);
    }
    Reply::ok(info)
}

/// Stores a non-null `allowed_updates`; an empty list means "the default".
pub fn remember_allowed_updates(state: &mut State, allowed: &Value) {
    if let Some(list) = allowed.as_array() {
        state.allowed_updates = list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
    }
}
