//! Screenshots over real HTTP against the fake Bot API, read by the real OCR engine
//! from the committed fixtures: photos, image documents, albums, refusals of
//! oversize, corrupt and unreadable files, groups with and without "read
//! screenshots", and a bot whose OCR could not start.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sellerguard::config::{Settings, Source};
use sellerguard::triage::feedback::MemoryReports;
use sellerguard::triage::prefs::{MemoryPrefs, Prefs};
use serde_json::{Value, json};

use support::app::{TestApp, Tuning, WAIT};
use support::fake_bot_api::{
    FakeBotApi, MemberStatus, SentMessage, TestChat, TestUser, utf16_span,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ocr");
    std::fs::read(path.join(name)).expect("fixture")
}

fn user(id: i64, lang: &str) -> TestUser {
    let mut user = TestUser::new(id, "Seller");
    user.language_code = Some(lang.to_owned());
    user
}

/// The app with the shipped rules, polling; `configure` changes its settings.
async fn start_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let fake = FakeBotApi::start().await;
    let prefs = Arc::new(MemoryPrefs::new());
    let reports = Arc::new(MemoryReports::new());
    let app = TestApp::launch(fake, prefs, reports, Tuning::default(), |settings| {
        settings.rules_dir = Source::Path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules"));
        configure(settings);
    })
    .await;
    app.fake.wait_for_calls("getUpdates", 1, WAIT).await;
    app
}

async fn start() -> TestApp {
    start_with(|_| {}).await
}

/// Every getFile `file_id` the bot asked for.
fn files_fetched(fake: &FakeBotApi) -> Vec<String> {
    fake.calls_to("getFile")
        .iter()
        .filter_map(|c| c.params["file_id"].as_str().map(str::to_owned))
        .collect()
}

/// Waits until `n` private replies were given in place: a holding reply ("Checking…")
/// each, then the edit that turns it into the answer; returns each holding reply with
/// the text it carries now.
async fn answered(fake: &FakeBotApi, n: usize) -> Vec<(SentMessage, String)> {
    let sent = fake.wait_for_sent(n, WAIT).await;
    fake.wait_for_calls("editMessageText", n, WAIT).await;
    sent.into_iter()
        .map(|m| {
            let held = m.text.clone();
            assert!(held == "⏳ Checking…" || held == "⏳ 正在检查…", "{held}");
            let now = fake.message(m.chat_id, m.message_id).expect("still there");
            let text = now["text"].as_str().unwrap_or_default().to_owned();
            (m, text)
        })
        .collect()
}

/// `update` (a private message) moved into `chat`.
fn in_group(mut update: Value, chat: &TestChat) -> Value {
    update["message"]["chat"] = chat.to_json();
    update
}

#[tokio::test]
async fn a_private_photo_is_read_from_its_largest_size_and_judged() {
    let app = start().await;
    let fake = &app.fake;
    fake.register_file("parcel", &fixture("en_parcel_dark.jpg"));

    fake.enqueue_update(fake.photo(&TestUser::alice(), "parcel", None));
    let card = answered(fake, 1).await.remove(0).1;

    assert!(
        card.starts_with("🚨 <b>High risk"),
        "the verdict comes first: {}",
        card
    );
    assert!(
        card.contains("🖼 Text read from the screenshot:\n<blockquote expandable>"),
        "{}",
        card
    );
    assert!(card.contains("dhl-customs-release.info"), "{}", card);
    assert_eq!(files_fetched(fake), ["parcel"]);
    let actions = fake.calls_to("sendChatAction");
    assert_eq!(actions[0].params["action"], "typing");
    assert_eq!(actions[0].params["chat_id"], json!(TestUser::alice().id));
    fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn an_image_document_is_read_with_its_caption_in_chinese() {
    let app = start().await;
    let fake = &app.fake;
    let seller = user(7001, "zh-hans");
    fake.register_file("doc", &fixture("zh_dark.jpg"));

    let caption = "客服还发来了链接 http://bit.ly/unfreeze";
    fake.enqueue_update(fake.document_image(&seller, "doc", "shot.png", Some(caption)));
    let card = answered(fake, 1).await.remove(0).1;

    assert!(
        card.starts_with("🚨") || card.starts_with("⚠️"),
        "the verdict comes first: {}",
        card
    );
    assert!(
        card.contains("🖼 截图中识别到的文字：\n<blockquote expandable>"),
        "{}",
        card
    );
    assert!(card.contains("aliexp-kefu88"), "{}", card);
    assert!(card.contains("bit.ly/unfreeze"), "{}", card);
    assert_eq!(files_fetched(fake), ["doc"]);
}

#[tokio::test]
async fn a_forwarded_photo_is_judged_with_the_hidden_link_in_its_caption() {
    let app = start().await;
    let fake = &app.fake;
    let seller = user(7002, "en");
    fake.register_file("fwd", &fixture("zh_dark.jpg"));
    let mut update = fake.photo(&seller, "fwd", Some("the agent said: click here"));
    let (offset, length) = utf16_span("the agent said: click here", "click here");
    let message = update["message"].as_object_mut().unwrap();
    message.insert(
        "caption_entities".into(),
        json!([{"offset": offset, "length": length, "type": "text_link", "url": "http://bit.ly/kefu"}]),
    );
    message.insert(
        "forward_origin".into(),
        json!({"type": "hidden_user", "sender_user_name": "Support", "date": 1}),
    );

    fake.enqueue_update(update);
    let card = answered(fake, 1).await.remove(0).1;

    assert!(card.contains("aliexp-kefu88"), "{}", card);
    // Medium alone (deposit frozen, WeChat); with the hidden short link, high. The
    // screenshot is Chinese, so the card is, whatever the seller's app says.
    assert!(card.contains("bit.ly（短链接"), "{}", card);
    assert!(card.starts_with("🚨 <b>高风险"), "{}", card);
    assert_eq!(files_fetched(fake), ["fwd"]);
}

#[tokio::test]
async fn an_album_of_screenshots_gets_one_card() {
    let app = start().await;
    let fake = &app.fake;
    fake.register_file("one", &fixture("en_light.jpg"));
    fake.register_file("two", &fixture("en_wallet_light.jpg"));

    fake.enqueue_updates(fake.album(&TestUser::alice(), &["one", "two"], None));
    let card = answered(fake, 1).await.remove(0).1;
    let (fake, _, _) = app.drain_and_stop().await;

    assert_eq!(fake.sent_messages().len(), 1, "one holding reply");
    assert_eq!(fake.calls_to("editMessageText").len(), 1, "one card");
    assert!(card.contains("amazon-seller-verify"), "{}", card);
    assert!(card.contains("🚨 <b>High risk"), "{}", card);
    assert_eq!(files_fetched(&fake), ["one", "two"]);
}

#[tokio::test]
async fn unreadable_images_get_a_short_explanation() {
    let app = start().await;
    let fake = &app.fake;
    let oversize = {
        let mut update = fake.document_image(&user(8000, "en"), "huge", "huge.png", None);
        update["message"]["document"]["file_size"] = json!(25_000_000);
        update
    };
    fake.enqueue_update(oversize);
    let cases = [
        (
            "bad_truncated.jpg",
            "en",
            "The image is damaged or incomplete.",
        ),
        ("bad_not_an_image.jpg", "en", "Unsupported file type."),
        ("bad_bomb.png", "en", "The image dimensions are too large."),
        ("bad_blank.png", "zh-hans", "图片中没有识别到文字"),
    ];
    for (n, (file, lang, _)) in (1..).zip(cases) {
        fake.register_file(file, &fixture(file));
        fake.enqueue_update(fake.document_image(&user(8000 + n, lang), file, file, None));
    }
    let answers = answered(fake, 1 + cases.len()).await;
    let reply_to = |chat_id: i64| {
        let (_, text) = answers
            .iter()
            .find(|(m, _)| m.chat_id == chat_id)
            .expect("a reply");
        text.clone()
    };

    let refusal = reply_to(8000);
    assert!(refusal.starts_with("The image is too large"), "{refusal}");
    assert!(!files_fetched(fake).contains(&"huge".to_owned()));
    for (n, (file, _, expected)) in (1..).zip(cases) {
        let reply = reply_to(8000 + n);
        assert!(reply.starts_with(expected), "{file}: {reply}");
    }
}

#[tokio::test]
async fn groups_read_screenshots_only_when_admins_turn_it_on() {
    let app = start().await;
    let fake = &app.fake;
    let group = TestChat::supergroup();
    let (admin, member) = (TestUser::alice(), TestUser::bob());
    fake.set_member(group.id, admin.id, MemberStatus::admin());
    fake.register_file("shot", &fixture("en_parcel_dark.jpg"));

    fake.enqueue_update(in_group(fake.photo(&member, "shot", None), &group));
    fake.enqueue_update(fake.group_text(&group, &admin, "/settings"));
    let panel = fake.wait_for_sent(1, WAIT).await.remove(0);
    assert!(
        panel.text.contains("Read screenshots: off"),
        "{}",
        panel.text
    );
    assert!(files_fetched(fake).is_empty(), "photo ignored by default");

    fake.enqueue_update(fake.callback_query(&admin, &panel.message, "s:o"));
    fake.wait_for_calls("editMessageText", 1, WAIT).await;
    assert!(app.prefs.chat(group.id).unwrap().read_screenshots);

    fake.enqueue_update(in_group(fake.photo(&member, "shot", None), &group));
    let warning = fake.wait_for_sent(2, WAIT).await.remove(1);
    assert!(warning.text.starts_with("🚨"), "{}", warning.text);
    assert_eq!(warning.chat_id, group.id);
    assert_eq!(files_fetched(fake), ["shot"]);
}

#[tokio::test]
async fn without_ocr_the_bot_runs_and_says_screenshot_reading_is_unavailable() {
    let app = start_with(|settings| settings.ocr.languages = "no_such_language".into()).await;
    let fake = &app.fake;
    fake.register_file("parcel", &fixture("en_parcel_dark.jpg"));

    fake.enqueue_update(fake.photo(&TestUser::alice(), "parcel", None));
    let reply = fake.wait_for_sent(1, WAIT).await.remove(0);

    assert_eq!(
        reply.text,
        "Image reading is unavailable right now. Please forward the text itself."
    );
    assert!(files_fetched(fake).is_empty(), "nothing downloaded in vain");
}

#[tokio::test]
async fn screenshots_sent_at_once_each_get_a_holding_reply_before_any_is_read() {
    let app = start().await;
    let fake = &app.fake;
    let (seller, taiwan) = (user(9001, "en"), user(9002, "zh-tw"));
    fake.register_file("a", &fixture("en_parcel_dark.jpg"));
    fake.register_file("b", &fixture("en_light.jpg"));
    fake.register_file("c", &fixture("zh_dark.jpg"));
    // Nothing can be read while getFile is held: every reply the bot makes before
    // it is released was made without waiting for OCR.
    fake.hold("getFile");
    let updates = [
        fake.photo(&seller, "a", None),
        fake.photo(&seller, "b", None),
        fake.private_text(&seller, "Pay the customs fee at http://bit.ly/x today"),
        fake.photo(&taiwan, "c", None),
    ];
    let asked: Vec<(i64, i64)> = updates
        .iter()
        .map(|u| {
            let message = &u["message"];
            (
                message["chat"]["id"].as_i64().unwrap(),
                message["message_id"].as_i64().unwrap(),
            )
        })
        .collect();
    fake.enqueue_updates(updates);
    let sent = fake.wait_for_sent(4, WAIT).await;
    assert!(
        fake.calls_to("editMessageText").is_empty(),
        "nothing read yet"
    );
    // The holding reply of each message, in the order they were sent.
    let held: Vec<SentMessage> = asked
        .iter()
        .map(|(chat, id)| {
            let reply = sent
                .iter()
                .find(|m| m.chat_id == *chat && m.reply_to_message_id == Some(*id));
            reply
                .unwrap_or_else(|| panic!("no holding reply to {id}: {sent:#?}"))
                .clone()
        })
        .collect();
    let texts: Vec<&str> = held.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "⏳ Checking…",
            "⏳ Checking…",
            "⏳ Checking…",
            "⏳ 正在檢查…"
        ],
        "the text waits behind the screenshots, so it is held too; Traditional for zh-tw"
    );

    fake.release("getFile");
    let edits = fake.wait_for_calls("editMessageText", 4, WAIT).await;
    for reply in &held {
        let edit = edits
            .iter()
            .find(|e| {
                e.params["message_id"] == json!(reply.message_id)
                    && e.params["chat_id"] == json!(reply.chat_id)
            })
            .unwrap_or_else(|| {
                panic!(
                    "the holding reply {} becomes the card: {edits:#?}",
                    reply.message_id
                )
            });
        let card = edit.params["text"].as_str().unwrap_or_default();
        assert!(
            card.starts_with("🚨") || card.starts_with("⚠️"),
            "verdict first: {card}"
        );
        let buttons = edit.params["reply_markup"].to_string();
        assert!(
            buttons.contains("r:s"),
            "with the card's buttons: {buttons}"
        );
    }
    let taiwanese = &fake.message(taiwan.id, held[3].message_id).unwrap();
    let text = taiwanese["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("截圖中識別到的文字"),
        "Traditional card: {text}"
    );
    assert!(text.contains("165"), "and Taiwan's hotline: {text}");
    // In arrival order, each holding reply precedes the edit that carries its card.
    let calls = fake.calls();
    let position = |method: &str, chat: i64, id: i64| {
        calls.iter().position(|c| {
            c.method == method
                && c.params["chat_id"] == json!(chat)
                && (c.params["message_id"] == json!(id)
                    || c.params["reply_parameters"]["message_id"] == json!(id))
        })
    };
    for ((chat, message), reply) in asked.iter().zip(&held) {
        let sent = position("sendMessage", *chat, *message).expect("holding reply sent");
        let card = position("editMessageText", *chat, reply.message_id).expect("card edited");
        assert!(sent < card, "holding reply first");
    }
    fake.assert_no_unexpected_calls();
}
