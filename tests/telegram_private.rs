//! The bot in private chats, over real HTTP against the fake Bot API: verdict cards in
//! both languages, every kind of forward, hidden links, albums and batched forwards,
//! unsupported content, buttons, commands, blocked users and restarts.

mod support;

use sellerguard::triage::feedback::ReportKind;
use sellerguard::triage::prefs::Prefs;
use serde_json::{Value, json};

use support::app::{HARMLESS, MEDIUM_EN, SCAM_EN, SCAM_ZH, TestApp, Tuning, WAIT};
use support::fake_bot_api::{FakeBotApi, SentMessage, TestChat, TestUser, callback_data};

fn user(id: i64, lang: &str) -> TestUser {
    let mut user = TestUser::new(id, "Seller");
    user.language_code = Some(lang.to_owned());
    user
}

#[tokio::test]
async fn a_scam_gets_an_escaped_html_card_with_buttons_as_a_reply() {
    let app = TestApp::start().await;
    let alice = TestUser::alice();
    let incoming = app.fake.private_text(&alice, SCAM_EN);
    let message_id = incoming["message"]["message_id"].as_i64();
    app.fake.enqueue_update(incoming);

    let sent = app.fake.wait_for_sent(1, WAIT).await;

    let card = &sent[0];
    assert_eq!(card.chat_id, alice.id);
    assert_eq!(card.reply_to_message_id, message_id);
    assert_eq!(card.parse_mode.as_deref(), Some("HTML"));
    assert!(card.text.starts_with("🚨 <b>High risk"), "{}", card.text);
    assert!(
        card.text
            .contains("<b>Why:</b>\n• Asks you to pay a fee &amp; &lt;click&gt; a link"),
        "rule text is escaped: {}",
        card.text
    );
    assert!(card.text.contains("What to do:"), "{}", card.text);
    assert!(card.text.contains("bit.ly (short link"), "{}", card.text);
    let data = callback_data(&card.reply_markup);
    assert_eq!(data, ["r:s", "r:l", "m"]);
    assert!(data.iter().all(|d| d.len() < 64));
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn cards_speak_the_messages_language_and_lang_overrides() {
    let app = TestApp::start().await;
    let cases = [
        (user(501, "zh-hans"), SCAM_ZH, "🚨 <b>高风险"),
        (user(502, "en"), MEDIUM_EN, "⚠️ <b>Medium risk"),
        (user(503, "de"), HARMLESS, "✅ <b>Low risk"),
        (user(504, "zh"), HARMLESS, "✅ <b>Low risk"),
        (user(505, "en"), SCAM_ZH, "🚨 <b>高风险"),
        (user(506, "zh-hant"), SCAM_ZH, "🚨 <b>高風險：很可能是詐騙"),
        (user(507, "zh-TW"), "12345", "✅ <b>低風險"),
        (user(508, "zh-hant"), SCAM_EN, "🚨 <b>High risk"),
    ];
    for (sender, text, _) in &cases {
        app.fake.enqueue_update(app.fake.private_text(sender, text));
    }
    let sent = app.fake.wait_for_sent(cases.len(), WAIT).await;
    for (sender, _, start) in &cases {
        let card = sent
            .iter()
            .find(|s| s.chat_id == sender.id)
            .expect("one card each");
        assert!(card.text.starts_with(start), "{}: {}", sender.id, card.text);
    }

    let traditional = sent.iter().find(|s| s.chat_id == 506).expect("a card");
    assert!(traditional.text.contains("建議"), "{}", traditional.text);
    assert!(
        !traditional.text.contains("建议"),
        "no Simplified left: {}",
        traditional.text
    );
    let buttons = traditional
        .reply_markup
        .as_ref()
        .expect("buttons")
        .to_string();
    assert!(buttons.contains("舉報詐騙"), "{buttons}");

    let zh_user = &cases[0].0;
    app.fake
        .enqueue_update(app.fake.private_text(zh_user, "/lang en"));
    let sent = app.fake.wait_for_sent(cases.len() + 1, WAIT).await;
    assert_eq!(sent.last().unwrap().text, "Language set to English.");
    app.fake
        .enqueue_update(app.fake.private_text(zh_user, SCAM_ZH));
    let sent = app.fake.wait_for_sent(cases.len() + 2, WAIT).await;
    assert!(
        sent.last().unwrap().text.starts_with("🚨 <b>High risk"),
        "{}",
        sent.last().unwrap().text
    );
}

#[tokio::test]
async fn every_kind_of_forward_is_judged() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let original = TestUser::bob();
    let senders: Vec<TestUser> = (0..5).map(|i| user(600 + i, "en")).collect();
    let mut legacy_only = fake.forwarded_from_user(&senders[4], &original, SCAM_EN);
    legacy_only["message"]
        .as_object_mut()
        .unwrap()
        .remove("forward_origin");
    let updates = [
        fake.forwarded_from_user(&senders[0], &original, SCAM_EN),
        fake.forwarded_from_hidden_user(&senders[1], "Customs Office", SCAM_EN),
        fake.forwarded_from_hidden_user_no_name(&senders[2], SCAM_EN),
        fake.forwarded_from_channel(&senders[3], &TestChat::channel(), 77, SCAM_EN),
        legacy_only,
    ];
    fake.enqueue_updates(updates);

    let sent = fake.wait_for_sent(senders.len(), WAIT).await;
    fake.wait_for_calls("editMessageText", senders.len(), WAIT)
        .await;

    for sender in &senders {
        let held = sent
            .iter()
            .find(|s| s.chat_id == sender.id)
            .expect("a reply per forward");
        assert_eq!(held.text, "⏳ Checking…", "a forward waits for its batch");
        let card = now_reads(fake, held);
        assert!(card.starts_with("🚨"), "{}: {card}", sender.id);
    }
}

/// What the bot's message `sent` says now, after any edits.
fn now_reads(fake: &FakeBotApi, sent: &SentMessage) -> String {
    let message = fake
        .message(sent.chat_id, sent.message_id)
        .expect("still there");
    message["text"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn forwards_sent_together_get_one_holding_reply_that_becomes_their_card() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let (en, zh) = (user(711, "en"), user(712, "zh-hans"));
    let original = TestUser::new(713, "Scammer");
    let mut first_ids = Vec::new();
    for (seller, parts) in [
        (
            &en,
            ["Pay the customs fee today", "here: http://bit.ly/abc"],
        ),
        (&zh, ["您的包裹被扣留", "请点击 http://bit.ly/x 缴纳关税"]),
    ] {
        let forwards = parts.map(|part| fake.forwarded_from_user(seller, &original, part));
        first_ids.push(forwards[0]["message"]["message_id"].as_i64());
        fake.enqueue_updates(forwards);
    }

    let sent = fake.wait_for_sent(2, WAIT).await;
    fake.wait_for_calls("editMessageText", 2, WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    assert_eq!(
        fake.sent_messages().len(),
        2,
        "one reply per batch: {sent:#?}"
    );
    let expected = [
        (&en, "⏳ Checking…", "🚨 <b>High risk"),
        (&zh, "⏳ 正在检查…", "🚨 <b>高风险"),
    ];
    for ((seller, holding, card), first) in expected.into_iter().zip(first_ids) {
        let held = sent.iter().find(|s| s.chat_id == seller.id).unwrap();
        assert_eq!(held.text, holding, "in the seller's language");
        assert_eq!(
            held.reply_to_message_id, first,
            "to the batch's first message"
        );
        let now = now_reads(&fake, held);
        assert!(now.starts_with(card), "judged together: {now}");
    }
    fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn a_holding_reply_that_cannot_be_edited_points_to_the_card_sent_anew() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let seller = user(714, "zh-hant");
    fake.refuse_next(
        "editMessageText",
        400,
        "Bad Request: message can't be edited",
    );
    let forward = fake.forwarded_from_user(&seller, &TestUser::new(715, "Scammer"), SCAM_ZH);
    fake.enqueue_update(forward);

    let sent = fake.wait_for_sent(2, WAIT).await;
    fake.wait_for_calls("editMessageText", 2, WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    let (held, card) = (&sent[0], &sent[1]);
    assert_eq!(held.text, "⏳ 正在檢查…", "Traditional for zh-hant");
    assert!(card.text.starts_with("🚨 <b>高風險"), "{}", card.text);
    assert_eq!(card.reply_to_message_id, held.reply_to_message_id);
    assert_eq!(now_reads(&fake, held), "⬇️ 結果見下一條消息。");
    assert_eq!(fake.sent_messages().len(), 2);
}

#[tokio::test]
async fn a_message_waiting_for_its_chat_gets_a_holding_reply_within_a_second() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let alice = TestUser::alice();
    fake.enqueue_update(fake.private_text(&alice, MEDIUM_EN));
    let card = fake.wait_for_sent(1, WAIT).await.remove(0);
    // The chat's next update, a button press, is slow to answer: the message behind
    // it waits for its turn.
    fake.hold("answerCallbackQuery");
    fake.enqueue_update(fake.callback_query(&alice, &card.message, "m"));
    fake.wait_for_calls("answerCallbackQuery", 1, WAIT).await;
    let waiting = fake.private_text(&alice, SCAM_EN);
    let waiting_id = waiting["message"]["message_id"].as_i64();
    fake.enqueue_update(waiting);

    let held = fake.wait_for_sent(2, WAIT).await.remove(1);
    assert!(
        fake.calls_to("editMessageText").is_empty() && fake.calls_to("sendMessage").len() == 2,
        "the press is still unanswered: {:#?}",
        fake.calls()
    );
    fake.release("answerCallbackQuery");
    fake.wait_for_calls("editMessageText", 1, WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    assert_eq!(held.text, "⏳ Checking…");
    assert_eq!(held.reply_to_message_id, waiting_id);
    let now = now_reads(&fake, &held);
    assert!(now.starts_with("🚨 <b>High risk"), "{now}");
    let sent = fake.sent_messages();
    assert_eq!(sent.len(), 3, "card, holding reply, more advice: {sent:#?}");
}

#[tokio::test]
async fn hidden_text_link_targets_are_judged() {
    let app = TestApp::start().await;
    let alice = TestUser::alice();
    let text = "Please pay the customs fee here today";
    app.fake.enqueue_update(
        app.fake
            .text_link(&alice, text, "here", "http://bit.ly/hidden"),
    );

    let sent = app.fake.wait_for_sent(1, WAIT).await;

    assert!(sent[0].text.starts_with("🚨"), "{}", sent[0].text);
    assert!(
        sent[0]
            .text
            .contains("link bit.ly (short link that hides the real address) [hidden link]"),
        "{}",
        sent[0].text
    );
}

#[tokio::test]
async fn quotes_are_judged_with_the_message() {
    let app = TestApp::start().await;
    let alice = TestUser::alice();
    let mut update = app.fake.private_text(&alice, "is this real?");
    update["message"]["quote"] = json!({"text": SCAM_EN, "position": 0});
    app.fake.enqueue_update(update);

    let sent = app.fake.wait_for_sent(1, WAIT).await;

    assert!(sent[0].text.starts_with("🚨"), "{}", sent[0].text);
}

#[tokio::test]
async fn an_album_and_messages_forwarded_together_get_one_card() {
    let app = TestApp::start().await;
    let (alice, bob) = (user(701, "en"), user(702, "en"));
    let original = TestUser::new(703, "Scammer");
    app.fake
        .enqueue_updates(app.fake.album(&alice, &["p1", "p2", "p3"], Some(SCAM_EN)));
    // Neither half is high on its own; together they are.
    app.fake.enqueue_updates([
        app.fake
            .forwarded_from_user(&bob, &original, "Pay the customs fee today"),
        app.fake
            .forwarded_from_user(&bob, &original, "here: http://bit.ly/abc"),
    ]);

    let sent = app.fake.wait_for_sent(2, WAIT).await;
    app.fake.wait_for_calls("editMessageText", 2, WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    let for_alice: Vec<_> = sent.iter().filter(|s| s.chat_id == alice.id).collect();
    let for_bob: Vec<_> = sent.iter().filter(|s| s.chat_id == bob.id).collect();
    assert_eq!(for_alice.len(), 1, "{sent:#?}");
    assert_eq!(for_bob.len(), 1, "{sent:#?}");
    assert_eq!(
        for_alice[0].text, "⏳ Checking…",
        "the album is held, then answered"
    );
    let album = fake.message(alice.id, for_alice[0].message_id).unwrap();
    let album = album["text"].as_str().unwrap_or_default();
    // The album's photos were never uploaded: a note under the verdict says so.
    assert!(album.starts_with("🚨 <b>"), "{album}");
    assert!(
        album.contains("⚠️ I could not download the image"),
        "{album}"
    );
    assert_eq!(for_bob[0].text, "⏳ Checking…", "the forwards are held too");
    let forwards = now_reads(&fake, for_bob[0]);
    assert!(forwards.starts_with("🚨"), "combined: {forwards}");
}

#[tokio::test]
async fn unsupported_content_gets_a_short_helpful_answer() {
    let app = TestApp::start().await;
    let (alice, bob) = (user(801, "en"), user(802, "zh-hans"));
    let mut sticker = app.fake.private_text(&alice, "x");
    let message = sticker["message"].as_object_mut().unwrap();
    message.remove("text");
    message.insert("sticker".into(), json!({"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false}));
    app.fake.enqueue_update(sticker);
    app.fake.enqueue_update(app.fake.photo(&bob, "shot", None));

    let sent = app.fake.wait_for_sent(2, WAIT).await;
    app.fake.wait_for_calls("editMessageText", 1, WAIT).await;

    let to = |id: i64| {
        let reply = sent.iter().find(|s| s.chat_id == id).unwrap();
        let now = app.fake.message(id, reply.message_id).unwrap();
        now["text"].as_str().unwrap_or_default().to_owned()
    };
    assert!(
        to(alice.id).starts_with("I can only check text"),
        "{}",
        to(alice.id)
    );
    // A photo is read (tests/telegram_media.rs); this one was never uploaded.
    assert!(to(bob.id).starts_with("图片下载失败"), "{}", to(bob.id));
}

#[tokio::test]
async fn card_buttons_report_to_the_sink_and_give_more_advice() {
    let app = TestApp::start().await;
    let alice = TestUser::alice();
    app.fake
        .enqueue_update(app.fake.private_text(&alice, SCAM_EN));
    let card = app.fake.wait_for_sent(1, WAIT).await.remove(0);

    app.fake
        .enqueue_update(app.fake.callback_query(&alice, &card.message, "r:s"));
    let answers = app
        .fake
        .wait_for_calls("answerCallbackQuery", 1, WAIT)
        .await;
    assert_eq!(
        answers[0].params["text"],
        "Thank you, your report was recorded for the curators."
    );
    app.fake
        .enqueue_update(app.fake.callback_query(&alice, &card.message, "r:l"));
    app.fake
        .wait_for_calls("answerCallbackQuery", 2, WAIT)
        .await;
    app.fake
        .enqueue_update(app.fake.callback_query(&alice, &card.message, "m"));
    let sent = app.fake.wait_for_sent(2, WAIT).await;

    assert_eq!(sent[1].reply_to_message_id, Some(card.message_id));
    assert!(
        sent[1].text.starts_with("If you already clicked"),
        "more advice adds what the card left out: {}",
        sent[1].text
    );
    let opening: String = sent[1].text.chars().take(60).collect();
    assert!(
        !card.text.contains(&opening),
        "and never repeats it: {}",
        card.text
    );
    let reports = app.reports.reports();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].kind, ReportKind::Scam);
    assert_eq!(reports[0].reporter_id, alice.id);
    assert_eq!(reports[0].text, SCAM_EN);
    assert_eq!(reports[0].level.map(|l| l.as_str()), Some("high"));
    assert_eq!(reports[1].kind, ReportKind::Legitimate);
}

#[tokio::test]
async fn commands_work_in_private_chats() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let alice = TestUser::alice();
    let scam = fake.private_text(&alice, SCAM_EN);
    let scam_message = scam["message"].clone();
    fake.enqueue_update(scam);
    fake.wait_for_sent(1, WAIT).await;

    let mut report = fake.private_text(&alice, "/report");
    report["message"]["reply_to_message"] = scam_message.clone();
    let mut check = fake.private_text(&alice, "/check@sellerguard_test_bot");
    check["message"]["reply_to_message"] = scam_message;
    let steps: [(Value, &str); 7] = [
        (fake.private_text(&alice, "/start"), "👋 Hi!"),
        (fake.private_text(&alice, "/help"), "Forward or paste"),
        (fake.private_text(&alice, "/privacy"), "What I store"),
        (report, "Thank you, your report was recorded"),
        (check, "🚨"),
        (
            fake.private_text(&alice, "/report"),
            "Send this command as a reply",
        ),
        (fake.private_text(&alice, "/forgetme"), "Done: I deleted"),
    ];
    for (n, (update, expected)) in steps.into_iter().enumerate() {
        fake.enqueue_update(update);
        let sent = fake.wait_for_sent(n + 2, WAIT).await;
        let last = &sent.last().unwrap().text;
        assert!(last.starts_with(expected), "step {n}: {last}");
        if n == 0 {
            assert!(last.contains("中文"), "the welcome is bilingual: {last}");
        }
        if n == 3 {
            assert_eq!(app.reports.reports().len(), 1);
        }
    }
    assert!(
        app.reports.reports().is_empty(),
        "/forgetme reached the sink"
    );
}

#[tokio::test]
async fn a_user_who_blocked_the_bot_is_remembered_and_not_retried() {
    let app = TestApp::start().await;
    let alice = TestUser::alice();
    app.fake
        .refuse_next("sendMessage", 403, "Forbidden: bot was blocked by the user");
    app.fake
        .enqueue_update(app.fake.private_text(&alice, SCAM_EN));
    let (fake, prefs, _) = app.drain_and_stop().await;

    assert_eq!(fake.calls_to("sendMessage").len(), 1, "not retried");
    assert!(prefs.user(alice.id).unwrap().blocked);

    let app = TestApp::restart(fake, prefs, Default::default(), Tuning::default()).await;
    app.fake
        .enqueue_update(app.fake.bot_blocked_by_user(&TestUser::bob()));
    let (_, prefs, _) = app.drain_and_stop().await;
    assert!(prefs.user(TestUser::bob().id).unwrap().blocked);
}

#[tokio::test]
async fn an_update_delivered_again_after_a_restart_is_not_answered_twice() {
    let app = TestApp::start().await;
    let alice = TestUser::alice();
    let mut update = app.fake.private_text(&alice, SCAM_EN);
    update["update_id"] = json!(500);
    app.fake.enqueue_update(update.clone());
    app.fake.wait_for_sent(1, WAIT).await;
    let (fake, prefs, reports) = app.drain_and_stop().await;
    assert_eq!(prefs.last_update_id().unwrap(), Some(500));

    let app = TestApp::restart(fake, prefs, reports, Tuning::default()).await;
    let first_poll = app
        .fake
        .calls_to("getUpdates")
        .last()
        .unwrap()
        .params
        .clone();
    assert_eq!(first_poll["offset"], 501, "the cursor survives the restart");
    app.fake.enqueue_update(update);
    app.fake
        .enqueue_update(app.fake.private_text(&alice, HARMLESS));
    let (fake, _, _) = app.drain_and_stop().await;

    let sent = fake.sent_messages();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert!(sent[1].text.starts_with("✅"));
}

#[tokio::test]
async fn a_malformed_update_is_skipped_and_the_loop_goes_on() {
    let app = TestApp::start().await;
    let alice = TestUser::alice();
    app.fake
        .enqueue_update(json!({"message": {"message_id": "not a number", "chat": 5}}));
    app.fake
        .enqueue_update(app.fake.private_text(&alice, HARMLESS));

    let sent = app.fake.wait_for_sent(1, WAIT).await;

    assert_eq!(sent.len(), 1);
    assert!(sent[0].text.starts_with("✅"));
}

#[tokio::test]
async fn a_fake_without_the_bot_token_is_rejected_at_start() {
    let fake = FakeBotApi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = support::app::settings(dir.path(), Some(&fake));
    settings.telegram.bot_token = Some(sellerguard::config::Secret::new("1:WRONG"));
    let running = sellerguard::app::start(sellerguard::app::App::new(settings))
        .await
        .expect("the web part starts");
    let error = running.shutdown().await.expect_err("the bot cannot start");
    assert!(format!("{error:#}").contains("getMe failed"), "{error:#}");
}

#[tokio::test]
async fn updates_of_one_chat_are_handled_in_order() {
    let app = TestApp::start().await;
    let alice = TestUser::alice();
    app.fake.enqueue_updates([
        app.fake.private_text(&alice, "/lang zh"),
        app.fake.private_text(&alice, SCAM_EN),
    ]);

    let sent = app.fake.wait_for_sent(2, WAIT).await;

    assert_eq!(sent[0].text, "已切换为中文。");
    assert!(sent[1].text.starts_with("🚨 <b>高风险"), "{}", sent[1].text);
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_card_still_arrives() {
    let app = TestApp::start().await;
    app.fake.rate_limit_next("sendMessage", 1);
    app.fake
        .enqueue_update(app.fake.private_text(&TestUser::alice(), SCAM_EN));

    let sent = app.fake.wait_for_sent(1, WAIT).await;

    assert!(sent[0].text.starts_with("🚨"));
    assert_eq!(app.fake.calls_to("sendMessage").len(), 2);
}

#[tokio::test]
async fn hotlines_and_reporting_addresses_fit_the_readers_region() {
    let app = TestApp::start().await;
    // (language_code, message, what the card names, what "More advice" names)
    let cases = [
        ("zh-tw", SCAM_ZH, "165反詐騙專線", "165.npa.gov.tw"),
        ("zh-hk", SCAM_ZH, "防騙易熱線18222", "反詐騙協調中心"),
        (
            "en-GB",
            SCAM_EN,
            "Action Fraud 0300 123 2040",
            "Police Scotland on 101",
        ),
        (
            "en-US",
            SCAM_EN,
            "ReportFraud.ftc.gov",
            "forward scam texts to 7726",
        ),
        ("zh-hans", SCAM_ZH, "反诈专线96110", "被骗请拨110报警"),
        ("en", SCAM_EN, "China: 96110", "ReportFraud.ftc.gov"),
        // A Chinese message on an English phone: a Chinese card, the English app's lines.
        ("en", SCAM_ZH, "ReportFraud.ftc.gov 举报", "反诈专线96110"),
    ];
    for (n, (code, text, on_card, in_more)) in cases.into_iter().enumerate() {
        let mut user = TestUser::new(7000 + n as i64, "Seller");
        user.language_code = Some(code.into());
        let before = app.fake.sent_messages().len();
        app.fake.enqueue_update(app.fake.private_text(&user, text));
        let card = app
            .fake
            .wait_for_sent(before + 1, WAIT)
            .await
            .remove(before);
        assert!(card.text.contains(on_card), "{code}: {}", card.text);
        app.fake
            .enqueue_update(app.fake.callback_query(&user, &card.message, "m"));
        let more = app
            .fake
            .wait_for_sent(before + 2, WAIT)
            .await
            .remove(before + 1);
        assert!(more.text.contains(in_more), "{code}: {}", more.text);
    }
    let sent = app.fake.sent_messages();
    let taiwan = &sent[0].text;
    assert!(
        !taiwan.contains("96110") && !taiwan.contains("7726"),
        "a Taiwanese seller gets Taiwan's line only: {taiwan}"
    );
    let uk = &sent[4].text;
    assert!(
        !uk.contains("ReportFraud.ftc.gov"),
        "not the US address: {uk}"
    );
    app.fake.assert_no_unexpected_calls();
}
