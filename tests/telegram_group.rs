//! The bot in groups, supergroups and forum topics over the fake Bot API: one
//! introduction that says whether the bot reads every message, warnings only at the
//! threshold (never low) and within the rate limit, in the group's language, /settings
//! for admins only, delete mode with one notice per burst, "not a scam" for admins,
//! topics and group -> supergroup migration.

mod support;

use sellerguard::classify::{Level, Message};
use sellerguard::triage::feedback::ReportKind;
use sellerguard::triage::prefs::{ChatPrefs, DryRun, Prefs, WarnAt};
use serde_json::json;

use support::app::{HARMLESS, MEDIUM_EN, SCAM_EN, SCAM_ZH, TestApp, Tuning, WAIT};
use support::fake_bot_api::{FakeBotApi, MemberStatus, TestChat, TestUser, callback_data};

#[tokio::test]
async fn the_bot_introduces_itself_once_and_says_it_reads_every_message() {
    let app = TestApp::start().await;
    let group = TestChat::supergroup();
    let alice = TestUser::alice();
    app.fake
        .enqueue_update(app.fake.bot_added_to_group(&group, &alice));
    let sent = app.fake.wait_for_sent(1, WAIT).await;
    assert_eq!(sent[0].chat_id, group.id);
    assert!(
        sent[0].text.contains("I can read every message"),
        "{}",
        sent[0].text
    );
    assert!(!sent[0].text.contains("Privacy mode"), "{}", sent[0].text);

    app.fake
        .enqueue_update(app.fake.bot_added_to_group(&group, &alice));
    let (fake, prefs, _) = app.drain_and_stop().await;
    assert_eq!(fake.sent_messages().len(), 1, "introduced only once");
    assert!(prefs.chat(group.id).unwrap().introduced);
}

#[tokio::test]
async fn without_privacy_rights_the_introduction_says_how_to_fix_it() {
    let fake = FakeBotApi::start().await;
    fake.set_privacy_mode(true);
    let app = TestApp::start_with(fake, Tuning::default()).await;
    let (group, other) = (TestChat::supergroup(), TestChat::group());
    let mut admin = TestUser::new(901, "管理员");
    admin.language_code = Some("zh-hans".into());
    app.fake
        .enqueue_update(app.fake.bot_added_to_group(&group, &TestUser::alice()));
    let intro = app.fake.wait_for_sent(1, WAIT).await.remove(0);
    assert!(intro.text.contains("Privacy mode is on"), "{}", intro.text);
    assert!(intro.text.contains("/setprivacy"), "{}", intro.text);
    app.fake
        .enqueue_update(app.fake.bot_added_to_group(&other, &admin));
    let intro = app.fake.wait_for_sent(2, WAIT).await.remove(1);
    assert!(intro.text.contains("隐私模式已开启"), "{}", intro.text);
    assert!(intro.text.contains("/setprivacy"), "{}", intro.text);
}

#[tokio::test]
async fn only_high_risk_messages_get_a_warning_by_default_in_the_groups_language() {
    let app = TestApp::start().await;
    let group = TestChat::group();
    let (alice, mut bob) = (TestUser::alice(), TestUser::bob());
    bob.language_code = Some("zh-hans".into());
    app.fake
        .enqueue_update(app.fake.group_text(&group, &alice, HARMLESS));
    app.fake
        .enqueue_update(app.fake.group_text(&group, &alice, MEDIUM_EN));
    let scam = app.fake.group_text(&group, &bob, SCAM_ZH);
    let scam_id = scam["message"]["message_id"].as_i64();
    app.fake.enqueue_update(scam);
    let (fake, _, _) = app.drain_and_stop().await;

    let sent = fake.sent_messages();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].reply_to_message_id, scam_id);
    assert!(
        sent[0].text.starts_with("🚨 <b>High risk"),
        "the group writes English, whatever the poster's app says: {}",
        sent[0].text
    );
    assert!(
        sent[0]
            .text
            .contains("href=\"https://t.me/sellerguard_test_bot?start="),
        "a deep link: {}",
        sent[0].text
    );
}

#[tokio::test]
async fn a_chinese_group_is_warned_in_chinese_about_an_english_scam() {
    let app = TestApp::start().await;
    let group = TestChat::supergroup();
    let mut member = TestUser::new(903, "李");
    member.language_code = Some("zh-hans".into());
    for text in ["大家早上好", "今天的订单发货了吗？", "谢谢，已经收到货款了"]
    {
        app.fake
            .enqueue_update(app.fake.group_text(&group, &member, text));
    }
    app.fake
        .enqueue_update(app.fake.group_text(&group, &TestUser::alice(), SCAM_EN));
    let warning = app.fake.wait_for_sent(1, WAIT).await.remove(0);
    assert!(warning.text.starts_with("🚨 <b>高风险"), "{}", warning.text);
    assert!(warning.text.contains("私聊我"), "{}", warning.text);
}

#[tokio::test]
async fn warnings_are_rate_limited_per_group() {
    let tuning = Tuning {
        group_warnings_per_minute: 2,
        ..Tuning::default()
    };
    let app = TestApp::start_with(FakeBotApi::start().await, tuning).await;
    let (group, other) = (TestChat::group(), TestChat::supergroup());
    let alice = TestUser::alice();
    for _ in 0..4 {
        app.fake
            .enqueue_update(app.fake.group_text(&group, &alice, SCAM_EN));
    }
    app.fake
        .enqueue_update(app.fake.group_text(&other, &alice, SCAM_EN));
    let (fake, _, _) = app.drain_and_stop().await;

    let sent = fake.sent_messages();
    assert_eq!(sent.iter().filter(|s| s.chat_id == group.id).count(), 2);
    assert_eq!(sent.iter().filter(|s| s.chat_id == other.id).count(), 1);
}

#[tokio::test]
async fn forum_topics_are_answered_in_their_topic() {
    let app = TestApp::start().await;
    let forum = TestChat::forum();
    app.fake.enqueue_update(
        app.fake
            .forum_topic_text(&forum, &TestUser::alice(), 4, SCAM_EN),
    );

    let sent = app.fake.wait_for_sent(1, WAIT).await;

    assert_eq!(sent[0].message_thread_id, Some(4));
    assert!(sent[0].text.starts_with("🚨"));
}

#[tokio::test]
async fn settings_are_for_admins_and_change_the_threshold() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let group = TestChat::supergroup();
    let (admin, member) = (TestUser::alice(), TestUser::bob());
    fake.set_member(group.id, admin.id, MemberStatus::admin());

    fake.enqueue_update(fake.group_text(&group, &member, "/settings"));
    let refusal = fake.wait_for_sent(1, WAIT).await.remove(0);
    assert!(
        refusal.text.starts_with("Sorry, only group admins"),
        "{}",
        refusal.text
    );

    fake.enqueue_update(fake.group_text(&group, &admin, "/settings@sellerguard_test_bot"));
    let panel = fake.wait_for_sent(2, WAIT).await.remove(1);
    assert!(panel.text.contains("Warn at: high"), "{}", panel.text);
    assert_eq!(
        callback_data(&panel.reply_markup),
        ["s:t", "s:l", "s:d", "s:o", "s:r"]
    );

    fake.enqueue_update(fake.callback_query(&member, &panel.message, "s:t"));
    let answers = fake.wait_for_calls("answerCallbackQuery", 1, WAIT).await;
    assert_eq!(
        answers[0].params["text"],
        "Sorry, only group admins can change my settings."
    );
    assert_eq!(app.prefs.chat(group.id).unwrap().threshold, WarnAt::High);

    // The threshold cycles high -> medium -> high: the button never offers low.
    for (n, expected, shown) in [
        (1, WarnAt::Medium, "Warn at: medium"),
        (2, WarnAt::High, "Warn at: high"),
        (3, WarnAt::Medium, "Warn at: medium"),
    ] {
        fake.enqueue_update(fake.callback_query(&admin, &panel.message, "s:t"));
        fake.wait_for_calls("editMessageText", n, WAIT).await;
        assert_eq!(app.prefs.chat(group.id).unwrap().threshold, expected);
        let edited = fake.message(group.id, panel.message_id).unwrap();
        let text = edited["text"].as_str().unwrap();
        assert!(text.contains(shown), "{edited}");
        let markup = edited["reply_markup"].to_string();
        assert!(!markup.contains("Warn at: low"), "{markup}");
    }

    fake.enqueue_update(fake.callback_query(&admin, &panel.message, "s:o"));
    fake.wait_for_calls("editMessageText", 4, WAIT).await;
    assert!(app.prefs.chat(group.id).unwrap().read_screenshots);

    // At medium, low messages still get nothing.
    fake.enqueue_update(fake.group_text(&group, &member, HARMLESS));

    fake.enqueue_update(fake.group_text(&group, &member, MEDIUM_EN));
    let warning = fake.wait_for_sent(3, WAIT).await.remove(2);
    assert!(warning.text.starts_with("⚠️"), "{}", warning.text);
    let member_checks = fake
        .calls_to("getChatMember")
        .iter()
        .filter(|c| c.params["user_id"] == json!(admin.id))
        .count();
    assert_eq!(member_checks, 1, "admin checks are cached");
}

#[tokio::test]
async fn delete_mode_needs_the_right_and_then_deletes_with_a_notice() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let group = TestChat::supergroup();
    let admin = TestUser::alice();
    fake.set_member(group.id, admin.id, MemberStatus::Creator);
    fake.set_bot_member(group.id, MemberStatus::admin_without_delete());
    fake.enqueue_update(fake.group_text(&group, &admin, "/settings"));
    let panel = fake.wait_for_sent(1, WAIT).await.remove(0);

    fake.enqueue_update(fake.callback_query(&admin, &panel.message, "s:d"));
    let answers = fake.wait_for_calls("answerCallbackQuery", 1, WAIT).await;
    assert!(
        answers[0].params["text"]
            .as_str()
            .unwrap()
            .contains("Delete messages")
    );
    assert!(!app.prefs.chat(group.id).unwrap().delete_scams);

    // With the right (a new settings value, so the cached check is not used).
    app.prefs
        .set_chat(
            group.id,
            ChatPrefs {
                delete_scams: true,
                ..ChatPrefs::default()
            },
        )
        .unwrap();
    let (fake, prefs, reports) = app.drain_and_stop().await;
    fake.set_bot_member(group.id, MemberStatus::admin());
    let app = TestApp::restart(fake, prefs, reports, Tuning::default()).await;
    let scam = app.fake.group_text(&group, &TestUser::bob(), SCAM_EN);
    let scam_id = scam["message"]["message_id"].as_i64().unwrap();
    app.fake.enqueue_update(scam);
    let notice = app.fake.wait_for_sent(2, WAIT).await.remove(1);

    let deletes = app.fake.calls_to("deleteMessage");
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].params["message_id"], json!(scam_id));
    assert!(app.fake.message(group.id, scam_id).is_none());
    assert!(
        notice.text.contains("I removed a message from Bob"),
        "{}",
        notice.text
    );
}

#[tokio::test]
async fn settings_survive_the_group_becoming_a_supergroup() {
    let app = TestApp::start().await;
    let group = TestChat::group();
    let new_id = -1_001_999_000_001;
    let custom = ChatPrefs {
        threshold: WarnAt::Medium,
        introduced: true,
        ..ChatPrefs::default()
    };
    app.prefs.set_chat(group.id, custom.clone()).unwrap();
    app.fake
        .enqueue_update(app.fake.group_migrated(&group, &TestUser::alice(), new_id));
    let (_, prefs, _) = app.drain_and_stop().await;

    assert_eq!(prefs.chat(new_id).unwrap(), custom);
}

#[tokio::test]
async fn group_commands_report_and_check_replies() {
    let app = TestApp::start().await;
    let group = TestChat::supergroup();
    let (alice, bob) = (TestUser::alice(), TestUser::bob());
    let suspicious = app.fake.group_text(&group, &bob, MEDIUM_EN);
    let mut report = app.fake.group_text(&group, &alice, "/report");
    report["message"]["reply_to_message"] = suspicious["message"].clone();
    let mut check = app.fake.group_text(&group, &alice, "/check");
    check["message"]["reply_to_message"] = suspicious["message"].clone();
    app.fake.enqueue_update(suspicious);
    app.fake.enqueue_update(report);
    app.fake.wait_for_sent(1, WAIT).await;
    app.fake.enqueue_update(check);
    let sent = app.fake.wait_for_sent(2, WAIT).await;

    assert!(
        sent[0].text.starts_with("Thank you, your report"),
        "{}",
        sent[0].text
    );
    assert!(sent[1].text.starts_with("⚠️"), "{}", sent[1].text);
    assert!(
        sent[1].reply_markup.is_none() && !sent[1].text.contains("What to do"),
        "the short group card, without the private card's buttons: {sent:#?}"
    );
    assert!(sent[1].text.contains("?start="), "{}", sent[1].text);
    let reports = app.reports.reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].chat_id, group.id);
    assert_eq!(reports[0].text, MEDIUM_EN);
}

#[tokio::test]
async fn a_send_to_an_upgraded_group_goes_to_the_supergroup_and_moves_settings() {
    let app = TestApp::start().await;
    let group = TestChat::group();
    let new_id = -1_001_999_000_002;
    let custom = ChatPrefs {
        introduced: true,
        ..ChatPrefs::default()
    };
    app.prefs.set_chat(group.id, custom.clone()).unwrap();
    app.fake.fail_next(
        "sendMessage",
        400,
        json!({"ok": false, "error_code": 400,
               "description": "Bad Request: group chat was upgraded to a supergroup chat",
               "parameters": {"migrate_to_chat_id": new_id}}),
    );
    app.fake
        .enqueue_update(app.fake.group_text(&group, &TestUser::alice(), SCAM_EN));

    let sent = app.fake.wait_for_sent(1, WAIT).await;

    assert_eq!(sent[0].chat_id, new_id);
    assert!(sent[0].text.starts_with("🚨"));
    assert_eq!(app.prefs.chat(new_id).unwrap(), custom);
}

#[tokio::test]
async fn settings_speak_the_admins_language() {
    let app = TestApp::start().await;
    let group = TestChat::supergroup();
    let mut admin = TestUser::new(901, "管理员");
    admin.language_code = Some("zh-hans".into());
    app.fake
        .set_member(group.id, admin.id, MemberStatus::admin());
    app.fake
        .enqueue_update(app.fake.group_text(&group, &admin, "/settings"));

    let panel = app.fake.wait_for_sent(1, WAIT).await.remove(0);

    assert!(panel.text.contains("警告级别：高"), "{}", panel.text);
    let markup = panel.reply_markup.unwrap();
    assert_eq!(markup["inline_keyboard"][0][0]["text"], "⚠️ 警告级别：高");
}

/// A group in delete mode where the bot may delete, already introduced.
fn delete_mode(app: &TestApp, group: &TestChat, threshold: WarnAt) {
    let prefs = ChatPrefs {
        threshold,
        delete_scams: true,
        introduced: true,
        ..ChatPrefs::default()
    };
    app.prefs.set_chat(group.id, prefs).unwrap();
    app.fake.set_bot_member(group.id, MemberStatus::admin());
}

#[tokio::test]
async fn a_burst_of_scams_in_delete_mode_is_all_deleted_with_one_notice_per_group() {
    let app = TestApp::start().await;
    let (en, zh) = (TestChat::supergroup(), TestChat::group());
    delete_mode(&app, &en, WarnAt::High);
    delete_mode(&app, &zh, WarnAt::High);
    let mut member = TestUser::new(904, "王");
    member.language_code = Some("zh-hans".into());
    app.fake
        .enqueue_update(app.fake.group_text(&zh, &member, "大家好，今天发货吗？"));
    let scams: Vec<_> = (0..8)
        .map(|_| app.fake.group_text(&en, &TestUser::bob(), SCAM_EN))
        .chain((0..3).map(|_| app.fake.group_text(&zh, &TestUser::alice(), SCAM_ZH)))
        .collect();
    let ids: Vec<_> = scams
        .iter()
        .map(|s| s["message"]["message_id"].as_i64().unwrap())
        .collect();
    app.fake.enqueue_updates(scams);
    app.fake.wait_for_calls("deleteMessage", 11, WAIT).await;
    let notices = app.fake.wait_for_sent(2, WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    assert_eq!(
        fake.sent_messages(),
        notices,
        "one notice per group, no more"
    );
    let of = |chat: i64| notices.iter().find(|n| n.chat_id == chat).unwrap();
    assert!(
        of(en.id)
            .text
            .starts_with("🗑 I removed 8 messages that look like scams"),
        "{}",
        of(en.id).text
    );
    assert!(of(en.id).text.contains("8. Bob"), "{}", of(en.id).text);
    assert!(
        of(zh.id).text.starts_with("🗑 我删除了 3 条疑似诈骗消息"),
        "the group writes Chinese: {}",
        of(zh.id).text
    );
    assert_eq!(callback_data(&of(en.id).reply_markup).len(), 8);
    let chats = [en.id; 8].into_iter().chain([zh.id; 3]);
    for (chat, id) in chats.zip(ids) {
        assert!(fake.message(chat, id).is_none(), "message {id} deleted");
    }
}

#[tokio::test]
async fn delete_mode_never_touches_low_and_only_warns_about_medium() {
    let app = TestApp::start().await;
    let group = TestChat::supergroup();
    delete_mode(&app, &group, WarnAt::Medium);
    let alice = TestUser::alice();
    app.fake
        .enqueue_update(app.fake.group_text(&group, &alice, "good morning everyone"));
    app.fake
        .enqueue_update(app.fake.group_text(&group, &alice, HARMLESS));
    app.fake
        .enqueue_update(app.fake.group_text(&group, &alice, MEDIUM_EN));
    let (fake, _, _) = app.drain_and_stop().await;

    assert!(fake.calls_to("deleteMessage").is_empty());
    let sent = fake.sent_messages();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert!(
        sent[0].text.starts_with("⚠️ <b>Medium risk"),
        "{}",
        sent[0].text
    );
}

#[tokio::test]
async fn an_admin_can_say_not_a_scam_to_a_warning_once() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let group = TestChat::supergroup();
    let (admin, member) = (TestUser::alice(), TestUser::bob());
    fake.set_member(group.id, admin.id, MemberStatus::admin());
    fake.enqueue_update(fake.group_text(&group, &member, SCAM_EN));
    let warning = fake.wait_for_sent(1, WAIT).await.remove(0);
    assert_eq!(callback_data(&warning.reply_markup), ["g:n:0"]);

    fake.enqueue_update(fake.callback_query(&member, &warning.message, "g:n:0"));
    let answers = fake.wait_for_calls("answerCallbackQuery", 1, WAIT).await;
    assert_eq!(
        answers[0].params["text"],
        "Sorry, only group admins can change my settings."
    );
    assert!(app.reports.reports().is_empty());

    fake.enqueue_update(fake.callback_query(&admin, &warning.message, "g:n:0"));
    fake.wait_for_calls("editMessageText", 1, WAIT).await;
    let edited = fake.message(group.id, warning.message_id).unwrap();
    let text = edited["text"].as_str().unwrap();
    assert!(
        text.contains("Alice (admin) says this is not a scam"),
        "{text}"
    );
    let reports = app.reports.reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].kind, ReportKind::NotAScam);
    assert_eq!(reports[0].text, SCAM_EN);

    fake.enqueue_update(fake.callback_query(&admin, &warning.message, "g:n:0"));
    let answers = fake.wait_for_calls("answerCallbackQuery", 3, WAIT).await;
    assert_eq!(
        answers[2].params["text"],
        "An admin already said this is not a scam."
    );
    assert_eq!(
        app.reports.reports().len(),
        1,
        "the second press changes nothing"
    );
    fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn an_admin_restores_a_deleted_message_that_was_not_a_scam_in_chinese() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let group = TestChat::supergroup();
    delete_mode(&app, &group, WarnAt::High);
    let mut admin = TestUser::new(905, "管理员");
    admin.language_code = Some("en".into());
    fake.set_member(group.id, admin.id, MemberStatus::admin());
    let scam = fake.group_text(&group, &TestUser::bob(), SCAM_ZH);
    let scam_id = scam["message"]["message_id"].as_i64().unwrap();
    fake.enqueue_update(scam);
    let notice = fake.wait_for_sent(1, WAIT).await.remove(0);
    assert!(fake.message(group.id, scam_id).is_none());
    assert!(
        notice.text.starts_with("🗑 我删除了 Bob 的一条"),
        "{}",
        notice.text
    );
    assert_eq!(callback_data(&notice.reply_markup), ["g:n:0"]);

    fake.enqueue_update(fake.callback_query(&admin, &notice.message, "g:n:0"));
    let restored = fake.wait_for_sent(2, WAIT).await.remove(1);
    assert!(restored.text.contains("不是诈骗"), "{}", restored.text);
    assert!(
        restored
            .text
            .contains(&format!("<blockquote>{SCAM_ZH}</blockquote>")),
        "{}",
        restored.text
    );
    fake.wait_for_calls("editMessageReplyMarkup", 1, WAIT).await;
    let edited = fake.message(group.id, notice.message_id).unwrap();
    assert!(callback_data(&Some(edited["reply_markup"].clone())).is_empty());
    assert_eq!(app.reports.reports()[0].kind, ReportKind::NotAScam);
    fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn a_member_warning_others_is_never_warned_about_or_deleted() {
    let app = TestApp::start().await;
    let group = TestChat::supergroup();
    delete_mode(&app, &group, WarnAt::Medium);
    let alice = TestUser::alice();
    let psa_en = format!("PSA: got this text today, do not fall for it: {SCAM_EN}");
    let psa_zh = format!("大家注意，这些都是骗子：{SCAM_ZH}");
    for psa in [&psa_en, &psa_zh] {
        let verdict = app.running.triage.check(Message::text(psa));
        assert!(verdict.warns_about_scam(), "{psa}");
        assert_eq!(
            verdict.level,
            Level::High,
            "the policy, not the score: {psa}"
        );
        app.fake
            .enqueue_update(app.fake.group_text(&group, &alice, psa));
    }
    let scam = app.fake.group_text(&group, &TestUser::bob(), SCAM_EN);
    let scam_id = scam["message"]["message_id"].as_i64().unwrap();
    app.fake.enqueue_update(scam);
    app.fake.wait_for_sent(1, WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    let deletes = fake.calls_to("deleteMessage");
    assert_eq!(deletes.len(), 1, "only the scam itself: {deletes:#?}");
    assert_eq!(deletes[0].params["message_id"], json!(scam_id));
    let sent = fake.sent_messages();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert!(sent[0].text.contains("from Bob"), "{}", sent[0].text);
}

#[tokio::test]
async fn in_dry_run_nothing_happens_in_the_group_and_the_admin_is_told_privately() {
    let app = TestApp::start().await;
    let fake = &app.fake;
    let (en, zh) = (TestChat::supergroup(), TestChat::group());
    let alice = TestUser::alice();
    let mut wang = TestUser::new(905, "王");
    wang.language_code = Some("zh-hans".into());
    for (group, admin) in [(&en, &alice), (&zh, &wang)] {
        delete_mode(&app, group, WarnAt::High);
        fake.set_member(group.id, admin.id, MemberStatus::admin());
    }
    fake.enqueue_update(fake.group_text(&en, &alice, "/settings"));
    let panel = fake.wait_for_sent(1, WAIT).await.remove(0);
    fake.enqueue_update(fake.callback_query(&alice, &panel.message, "s:r"));
    let answers = fake.wait_for_calls("answerCallbackQuery", 1, WAIT).await;
    let notice = answers[0].params["text"].as_str().unwrap_or_default();
    assert!(notice.starts_with("Dry run on"), "{notice}");
    assert!(notice.chars().count() <= 200, "a button answer: {notice}");
    fake.wait_for_calls("editMessageText", 1, WAIT).await;
    let edited = fake.message(en.id, panel.message_id).unwrap();
    assert!(
        edited["text"].as_str().unwrap().contains("Dry run"),
        "{edited}"
    );
    assert_eq!(app.prefs.chat(en.id).unwrap().dry_run, told(alice.id));
    // The Chinese group turned it on as well (by its admin, Wang).
    let mut zh_prefs = app.prefs.chat(zh.id).unwrap();
    zh_prefs.dry_run = told(wang.id);
    app.prefs.set_chat(zh.id, zh_prefs).unwrap();

    let scam = fake.group_text(&en, &TestUser::bob(), SCAM_EN);
    fake.enqueue_update(scam);
    fake.enqueue_update(fake.group_text(&zh, &TestUser::bob(), SCAM_ZH));
    let (fake, _, _) = app.drain_and_stop().await;

    assert!(fake.calls_to("deleteMessage").is_empty(), "nothing deleted");
    let sent = fake.sent_messages();
    let in_groups: Vec<_> = sent
        .iter()
        .filter(|s| s.chat_id == en.id || s.chat_id == zh.id)
        .filter(|s| s.message_id != panel.message_id)
        .collect();
    assert!(
        in_groups.is_empty(),
        "nothing posted in the groups: {in_groups:#?}"
    );
    let to_alice: Vec<_> = sent.iter().filter(|s| s.chat_id == alice.id).collect();
    assert_eq!(to_alice.len(), 1, "{sent:#?}");
    let dm = &to_alice[0].text;
    assert!(
        dm.starts_with("🚨 <b>High risk"),
        "the verdict line first: {dm}"
    );
    assert!(
        dm.contains("I would have deleted this message from Bob"),
        "{dm}"
    );
    assert!(dm.contains("bit.ly"), "quotes the message: {dm}");
    let to_wang: Vec<_> = sent.iter().filter(|s| s.chat_id == wang.id).collect();
    assert_eq!(to_wang.len(), 1, "{sent:#?}");
    let dm = &to_wang[0].text;
    assert!(dm.starts_with("🚨 <b>高风险"), "{dm}");
    assert!(dm.contains("我本会删除 Bob 的这条消息"), "{dm}");
    fake.assert_no_unexpected_calls();
}

/// Dry run on, telling `admin`.
fn told(admin: i64) -> DryRun {
    DryRun::On {
        report_to: Some(admin),
    }
}

#[tokio::test]
async fn forgetme_forgets_the_dry_run_admin_and_the_group_stays_in_dry_run() {
    let app = TestApp::start_persistent(|_| {}).await;
    let fake = &app.fake;
    let prefs: &dyn Prefs = app.running.triage.as_ref();
    let (group, other) = (TestChat::supergroup(), TestChat::group());
    let (alice, bob) = (TestUser::alice(), TestUser::bob());
    for chat in [&group, &other] {
        fake.set_member(chat.id, alice.id, MemberStatus::admin());
        fake.set_member(chat.id, bob.id, MemberStatus::admin());
    }
    let in_dry_run = |admin: i64| ChatPrefs {
        introduced: true,
        delete_scams: true,
        dry_run: told(admin),
        ..ChatPrefs::default()
    };
    prefs.set_chat(other.id, in_dry_run(bob.id)).unwrap();
    fake.set_bot_member(group.id, MemberStatus::admin());
    prefs.set_chat(group.id, in_dry_run(alice.id)).unwrap();
    fake.enqueue_update(fake.group_text(&group, &TestUser::new(950, "Eve"), SCAM_EN));
    let first = fake.wait_for_sent(1, WAIT).await.remove(0);
    assert_eq!(first.chat_id, alice.id, "the admin is told: {first:#?}");

    fake.enqueue_update(fake.private_text(&alice, "/forgetme"));
    fake.wait_for_sent(2, WAIT).await;
    assert_eq!(
        prefs.chat(group.id).unwrap().dry_run,
        DryRun::On { report_to: None },
        "her id is gone; the group is still in dry run"
    );
    assert_eq!(prefs.chat(other.id).unwrap().dry_run, told(bob.id));
    fake.enqueue_update(fake.group_text(&group, &TestUser::new(950, "Eve"), SCAM_EN));
    fake.enqueue_update(fake.group_text(&group, &bob, "/settings"));
    let panel = fake.wait_for_sent(3, WAIT).await.remove(2);
    let (fake, _, _) = app.drain_and_stop().await;

    assert_eq!(panel.chat_id, group.id);
    assert!(
        panel
            .text
            .contains("the admin who turned it on asked me to forget them, so no one is told"),
        "{}",
        panel.text
    );
    assert_eq!(
        fake.sent_messages().len(),
        3,
        "no DM, no warning: {:#?}",
        fake.sent_messages()
    );
    assert!(fake.calls_to("deleteMessage").is_empty(), "nothing deleted");
}

#[tokio::test]
async fn a_dry_run_admin_gets_five_reports_a_window_then_one_summary() {
    let tuning = Tuning {
        // Five reports paced at one a second fit well inside it.
        dry_run_window: std::time::Duration::from_secs(8),
        ..Tuning::default()
    };
    let app = TestApp::start_with(FakeBotApi::start().await, tuning).await;
    let fake = &app.fake;
    let group = TestChat::supergroup();
    let alice = TestUser::alice();
    delete_mode(&app, &group, WarnAt::Medium);
    let mut prefs = app.prefs.chat(group.id).unwrap();
    prefs.dry_run = told(alice.id);
    app.prefs.set_chat(group.id, prefs).unwrap();
    let scams = (0..8).map(|i| {
        let text = if i % 2 == 0 { SCAM_EN } else { MEDIUM_EN };
        fake.group_text(&group, &TestUser::bob(), text)
    });
    fake.enqueue_updates(scams);
    // Answered after every scam was handled: the group's updates are handled in order.
    fake.enqueue_update(fake.group_text(&group, &TestUser::bob(), "/settings"));

    let sent = fake.wait_for_sent(7, WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    assert_eq!(fake.sent_messages(), sent, "nothing more: {sent:#?}");
    let to_alice: Vec<&str> = sent
        .iter()
        .filter(|s| s.chat_id == alice.id)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(to_alice.len(), 6, "{to_alice:#?}");
    let (one_by_one, summary) = to_alice.split_at(5);
    for (i, report) in one_by_one.iter().enumerate() {
        let would = if i % 2 == 0 {
            "deleted"
        } else {
            "warned about"
        };
        assert!(
            report.contains(&format!("I would have {would} this message")),
            "{report}"
        );
    }
    // Scams 6 to 8: a high one (a deletion) between two medium ones (warnings).
    assert!(
        summary[0].starts_with("🧪 Dry run in “Example Sellers”: and 3 more messages"),
        "{}",
        summary[0]
    );
    assert!(
        summary[0].contains("I would have warned about 2 and deleted 1."),
        "{}",
        summary[0]
    );
    assert!(fake.calls_to("deleteMessage").is_empty());
}
