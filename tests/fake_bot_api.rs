//! Proves the fake Bot API speaks teloxide 0.17's dialect over real HTTP:
//! getMe, long polling through a `Dispatcher`, error bodies, retries,
//! file download, callback queries, and the hidden-user forward that
//! teloxide cannot decode.

mod support;

use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{ShutdownToken, UpdateFilterExt};
use teloxide::net::Download;
use teloxide::payloads::{AnswerCallbackQuerySetters, SendMessageSetters};
use teloxide::prelude::{
    Bot, CallbackQuery, Dispatcher, Message, Requester, RequesterExt, ResponseResult, Update,
};
use teloxide::requests::{JsonRequest, Payload, Request};
use teloxide::types::{
    CallbackQueryId, ChatId, FileId, InlineKeyboardButton, InlineKeyboardMarkup, MessageKind,
    ReplyParameters, UpdateKind,
};
use tokio::task::JoinHandle;

use support::fake_bot_api::{FakeBotApi, MemberStatus, TestChat, TestUser};

const WAIT: Duration = Duration::from_secs(10);

fn bot_for(fake: &FakeBotApi) -> Bot {
    Bot::new(fake.token()).set_api_url(fake.url())
}

/// Runs `handler` in a polling `Dispatcher` until the returned token is
/// used; returns once the dispatcher is long-polling.
async fn start_dispatcher(
    fake: &FakeBotApi,
    handler: teloxide::dispatching::UpdateHandler<RequestError>,
) -> (ShutdownToken, JoinHandle<()>) {
    let mut dispatcher = Dispatcher::builder(bot_for(fake), handler).build();
    let token = dispatcher.shutdown_token();
    let task = tokio::spawn(async move { dispatcher.dispatch().await });
    fake.wait_for_calls("getUpdates", 1, WAIT).await;
    (token, task)
}

async fn stop_dispatcher(token: ShutdownToken, task: JoinHandle<()>) {
    token.shutdown().expect("dispatcher is running").await;
    task.await.expect("dispatcher task did not panic");
}

#[tokio::test]
async fn get_me_returns_the_placeholder_bot() {
    let fake = FakeBotApi::start().await;

    let me = bot_for(&fake).get_me().await.expect("getMe succeeds");

    assert_eq!(me.username(), "sellerguard_test_bot");
    assert_eq!(me.id.0, 123_456);
    assert!(me.can_read_all_group_messages);
    assert_eq!(
        fake.calls_to("getMe").len(),
        1,
        "teloxide POSTs /bot<token>/GetMe"
    );
}

#[tokio::test]
async fn wrong_token_is_unauthorized() {
    let fake = FakeBotApi::start().await;
    let bot = Bot::new("123456:WRONG").set_api_url(fake.url());

    let error = bot.get_me().await.expect_err("wrong token is rejected");

    assert!(
        matches!(error, RequestError::Api(ApiError::InvalidToken)),
        "{error:?}"
    );
    assert!(
        fake.calls().is_empty(),
        "calls with a foreign token are not the bot's"
    );
}

#[tokio::test]
async fn dispatcher_echoes_a_private_text() {
    let fake = FakeBotApi::start().await;
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = msg.text().unwrap_or_default().to_uppercase();
        bot.send_message(msg.chat.id, text)
            .reply_parameters(ReplyParameters::new(msg.id))
            .await?;
        ResponseResult::Ok(())
    });
    let (token, task) = start_dispatcher(&fake, handler).await;
    let alice = TestUser::alice();

    let incoming = fake.private_text(&alice, "is this a scam?");
    fake.enqueue_update(incoming.clone());
    let sent = fake.wait_for_sent(1, WAIT).await;
    stop_dispatcher(token, task).await;

    let incoming_id = incoming["message"]["message_id"].as_i64();
    assert_eq!(sent[0].chat_id, alice.id);
    assert_eq!(sent[0].text, "IS THIS A SCAM?");
    assert_eq!(sent[0].reply_to_message_id, incoming_id);
    assert!(
        sent[0].message_id > incoming_id.unwrap(),
        "ids grow per chat"
    );
    let polls = fake.calls_to("getUpdates");
    assert_eq!(
        polls[0].params["allowed_updates"],
        json!(["message"]),
        "teloxide hints allowed_updates"
    );
    fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn callback_queries_reach_the_dispatcher() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let alice = TestUser::alice();
    let keyboard =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Spam", "verdict:spam")]]);
    bot.send_message(ChatId(alice.id), "What is it?")
        .reply_markup(keyboard)
        .await
        .expect("sendMessage succeeds");
    let question = fake.sent_messages().remove(0);
    let handler =
        Update::filter_callback_query().endpoint(|bot: Bot, query: CallbackQuery| async move {
            bot.answer_callback_query(query.id)
                .text(query.data.unwrap_or_default())
                .await?;
            ResponseResult::Ok(())
        });
    let (token, task) = start_dispatcher(&fake, handler).await;

    fake.enqueue_update(fake.callback_query(&alice, &question.message, "verdict:spam"));
    let answers = fake.wait_for_calls("answerCallbackQuery", 1, WAIT).await;
    stop_dispatcher(token, task).await;

    assert_eq!(answers[0].params["text"], "verdict:spam");
    assert_eq!(
        question.message["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "verdict:spam"
    );
}

#[tokio::test]
async fn updates_outside_allowed_updates_are_not_delivered() {
    let fake = FakeBotApi::start().await;
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        bot.send_message(msg.chat.id, "seen").await?;
        ResponseResult::Ok(())
    });
    let (token, task) = start_dispatcher(&fake, handler).await;
    let alice = TestUser::alice();

    fake.enqueue_update(fake.bot_blocked_by_user(&alice));
    fake.enqueue_update(fake.private_text(&alice, "hello"));
    fake.wait_for_sent(1, WAIT).await;
    stop_dispatcher(token, task).await;

    let filtered = fake.filtered_out_updates();
    assert_eq!(filtered.len(), 1);
    assert!(filtered[0]["my_chat_member"].is_object());
}

#[tokio::test]
async fn throttle_retries_after_429() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake).throttle(Limits::default());
    let too_many = json!({
        "ok": false,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    });
    fake.fail_next("sendMessage", 429, too_many);

    bot.send_message(ChatId(TestUser::alice().id), "hi")
        .await
        .expect("retried");

    assert_eq!(fake.calls_to("sendMessage").len(), 2);
    assert_eq!(fake.sent_messages().len(), 1);
}

/// Whether teloxide turned an error body into the expected error.
type ErrorCheck = fn(&RequestError) -> bool;

/// Sends one message with an injected error body and checks what teloxide
/// made of it.
async fn check_error(body: Value, expected: ErrorCheck) {
    let fake = FakeBotApi::start().await;
    let status = u16::try_from(body["error_code"].as_u64().unwrap()).unwrap();
    fake.fail_next("SendMessage", status, body.clone());

    let error = bot_for(&fake)
        .send_message(ChatId(1), "x")
        .await
        .expect_err("injected");

    assert!(expected(&error), "{body} became {error:?}");
    assert!(fake.sent_messages().is_empty());
}

#[tokio::test]
async fn injected_errors_map_to_teloxide_errors() {
    let cases: [(Value, ErrorCheck); 4] = [
        (
            json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 35", "parameters": {"retry_after": 35}}),
            |e| matches!(e, RequestError::RetryAfter(s) if s.seconds() == 35),
        ),
        (
            json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
            |e| matches!(e, RequestError::Api(ApiError::BotBlocked)),
        ),
        (
            json!({"ok": false, "error_code": 400, "description": "Bad Request: message is too long"}),
            |e| matches!(e, RequestError::Api(ApiError::MessageIsTooLong)),
        ),
        (
            json!({"ok": false, "error_code": 400, "description": "Bad Request: group chat was upgraded to a supergroup chat", "parameters": {"migrate_to_chat_id": -1001000000009_i64}}),
            |e| matches!(e, RequestError::MigrateToChatId(id) if id.0 == -1_001_000_000_009),
        ),
    ];
    for (body, expected) in cases {
        check_error(body, expected).await;
    }
}

#[tokio::test]
async fn the_fake_rejects_what_telegram_rejects() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let chat = ChatId(TestUser::alice().id);

    let too_long = bot
        .send_message(chat, "a".repeat(4097))
        .await
        .expect_err("too long");
    let unknown_reply = bot
        .send_message(chat, "re")
        .reply_parameters(ReplyParameters::new(teloxide::types::MessageId(999)))
        .await
        .expect_err("no such message");
    let unknown_query = bot
        .answer_callback_query(CallbackQueryId("nope".to_owned()))
        .await
        .expect_err("unknown id");

    assert!(
        matches!(too_long, RequestError::Api(ApiError::MessageIsTooLong)),
        "{too_long:?}"
    );
    assert!(
        matches!(
            unknown_reply,
            RequestError::Api(ApiError::MessageToReplyNotFound)
        ),
        "{unknown_reply:?}"
    );
    assert!(
        matches!(unknown_query, RequestError::Api(ApiError::Unknown(_))),
        "{unknown_query:?}"
    );
}

#[tokio::test]
async fn get_file_then_download_returns_the_registered_bytes() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let png = b"\x89PNG\r\n\x1a\nnot really an image";
    let path = fake.register_file("doc-file-1", png);

    let file = bot
        .get_file(FileId("doc-file-1".to_owned()))
        .await
        .expect("getFile succeeds");
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded)
        .await
        .expect("download succeeds");

    assert_eq!(file.path, path);
    assert_eq!(file.size as usize, png.len());
    assert_eq!(downloaded, png);
}

#[tokio::test]
async fn chat_member_status_is_configurable() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let group = TestChat::supergroup();
    let alice = TestUser::alice();
    fake.set_bot_member(group.id, MemberStatus::admin_without_delete());
    fake.set_member(group.id, alice.id, MemberStatus::Creator);

    let me = bot
        .get_chat_member(ChatId(group.id), teloxide::types::UserId(123_456))
        .await
        .unwrap();
    let admins = bot.get_chat_administrators(ChatId(group.id)).await.unwrap();

    assert!(me.is_administrator());
    assert!(!me.can_delete_messages());
    assert_eq!(admins.len(), 2);
    assert!(
        admins
            .iter()
            .any(|m| m.is_owner() && m.user.id.0 == 111_111_111)
    );
}

/// getUpdates whose result is left as raw JSON: the workaround for messages
/// teloxide cannot decode.
#[derive(Serialize)]
struct GetUpdatesRaw {
    offset: i64,
    timeout: u32,
}

impl Payload for GetUpdatesRaw {
    type Output = Vec<Value>;
    const NAME: &'static str = "GetUpdates";
}

#[tokio::test]
async fn hidden_user_forward_without_name_needs_the_raw_update() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let alice = TestUser::alice();
    let update_id =
        fake.enqueue_update(fake.forwarded_from_hidden_user_no_name(&alice, "pay here"));

    let typed = bot.get_updates().await.expect("getUpdates succeeds");
    let raw = JsonRequest::new(
        bot.clone(),
        GetUpdatesRaw {
            offset: 0,
            timeout: 0,
        },
    )
    .send()
    .await
    .expect("raw getUpdates succeeds");

    let UpdateKind::Message(message) = &typed[0].kind else {
        panic!("{:?}", typed[0].kind)
    };
    assert!(
        matches!(message.kind, MessageKind::Empty {}),
        "teloxide 0.17 drops text and origin"
    );
    assert_eq!(message.text(), None);
    assert_eq!(raw[0]["update_id"], update_id);
    assert_eq!(raw[0]["message"]["text"], "pay here");
    assert_eq!(raw[0]["message"]["forward_origin"]["type"], "hidden_user");
}

#[tokio::test]
async fn fixture_shaped_updates_decode_in_teloxide() {
    let fake = FakeBotApi::start().await;
    let (alice, bob) = (TestUser::alice(), TestUser::bob());
    let (group, forum) = (TestChat::group(), TestChat::forum());
    let mut updates = vec![
        fake.group_text(&group, &bob, "hi all"),
        fake.text_link(
            &alice,
            "🚨 Pay the fee here now",
            "here",
            "https://example.com/pay",
        ),
        fake.forwarded_from_user(&alice, &bob, "send money"),
        fake.forwarded_from_hidden_user(&alice, "Bob Sender", "send money"),
        fake.forwarded_from_channel(&alice, &TestChat::channel(), 4242, "Flash sale"),
        fake.photo(&alice, "photo-1", Some("screenshot")),
        fake.document_image(&alice, "doc-1", "Screenshot.png", None),
        fake.bot_added_to_group(&group, &alice),
        fake.group_migrated(&group, &alice, -1_001_000_000_009),
        fake.forum_topic_text(&forum, &alice, 4, "in a topic"),
    ];
    updates.extend(fake.album(&alice, &["album-1", "album-2"], Some("two shots")));
    let count = updates.len();
    fake.enqueue_updates(updates);

    let typed = bot_for(&fake)
        .get_updates()
        .await
        .expect("getUpdates succeeds");

    assert_eq!(typed.len(), count);
    for update in &typed {
        let empty = matches!(&update.kind, UpdateKind::Message(m) if matches!(m.kind, MessageKind::Empty {}));
        assert!(
            !matches!(update.kind, UpdateKind::Error(_)) && !empty,
            "{update:?}"
        );
    }
    let link = typed[1].kind.clone();
    let UpdateKind::Message(link) = link else {
        panic!()
    };
    let entities = link.parse_entities().expect("text has entities");
    assert_eq!(entities[0].text(), "here");
}
