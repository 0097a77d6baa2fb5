//! Curators in chat, over real HTTP against the fake Bot API and a REAL sled store
//! (`App::persistent` in a temp data dir): curator commands only for admin ids, review
//! cards in the admin chat when a report needs a look (with the bot's verdict and
//! where the reports came from), cluster decisions from the card and from `/pending`,
//! the first decision standing until an explicit reopen.

mod support;

use sellerguard::classify::{Lang, Level, Message};
use sellerguard::triage::prefs::{ChatPrefs, Prefs};
use serde_json::Value;

use support::app::{SCAM_EN, TestApp, WAIT};
use support::fake_bot_api::{FakeBotApi, SentMessage, TestChat, TestUser, callback_data};

/// A customs-fee scam with its own link (not a shortener).
const PARCEL_SCAM: &str = "Dear seller, your parcel is held at customs. Pay the customs fee at \
    http://parcel-release.top/pay within 24 hours or the package will be returned to the sender.";
/// `PARCEL_SCAM` with a few words changed.
const PARCEL_NEAR: &str = "Dear seller, your parcel is held at customs. Pay the customs fee at \
    http://parcel-release.top/pay within 48 hours or the package will be returned to the sender.";
/// A deposit scam without any link or contact.
const DEPOSIT_SCAM: &str = "Congratulations, your shop was selected for the premium seller \
    programme. To activate it pay the customs fee deposit of 500 dollars by gift card today.";

fn user(id: i64, name: &str, lang: &str) -> TestUser {
    let mut user = TestUser::new(id, name);
    user.language_code = Some(lang.to_owned());
    user
}

fn admin() -> TestUser {
    user(900, "Carol", "en")
}

fn admin_zh() -> TestUser {
    user(901, "Wang", "zh-hans")
}

fn admin_chat() -> TestChat {
    TestChat::supergroup()
}

async fn start() -> TestApp {
    TestApp::start_persistent(|s| {
        s.telegram.admin_ids = vec![admin().id, admin_zh().id];
        s.telegram.admin_chat_id = Some(admin_chat().id);
    })
    .await
}

/// `user` replies `/report` to `text` in their private chat.
fn report(fake: &FakeBotApi, user: &TestUser, text: &str) -> Value {
    let scam = fake.private_text(user, text)["message"].clone();
    let mut update = fake.private_text(user, "/report");
    update["message"]["reply_to_message"] = scam;
    update
}

/// Enqueues `update` and returns the next message the bot sends.
async fn ask(app: &TestApp, update: Value) -> SentMessage {
    let before = app.fake.sent_messages().len();
    app.fake.enqueue_update(update);
    app.fake
        .wait_for_sent(before + 1, WAIT)
        .await
        .remove(before)
}

fn sent_to(fake: &FakeBotApi, chat_id: i64) -> Vec<SentMessage> {
    let sent = fake.sent_messages();
    sent.into_iter().filter(|s| s.chat_id == chat_id).collect()
}

/// Presses `data` on `card` as `user`; returns the answerCallbackQuery parameters.
async fn press(app: &TestApp, user: &TestUser, card: &SentMessage, data: &str) -> Value {
    let before = app.fake.calls_to("answerCallbackQuery").len();
    let update = app.fake.callback_query(user, &card.message, data);
    app.fake.enqueue_update(update);
    let calls = app
        .fake
        .wait_for_calls("answerCallbackQuery", before + 1, WAIT)
        .await;
    calls[before].params.clone()
}

/// Files three reports of `text` by distinct users; returns the one review card.
/// The review card as it stands after its `n`-th edit: text and remaining buttons.
async fn edited(app: &TestApp, card: &SentMessage, n: usize) -> (String, Vec<String>) {
    app.fake.wait_for_calls("editMessageText", n, WAIT).await;
    let edited = app
        .fake
        .message(card.chat_id, card.message_id)
        .expect("card still there");
    let text = edited["text"].as_str().unwrap_or_default().to_owned();
    (text, callback_data(&Some(edited["reply_markup"].clone())))
}

async fn three_reports(app: &TestApp, text: &str) -> SentMessage {
    let before = app.fake.sent_messages().len();
    for id in 1..=3 {
        let reporter = user(1000 + id, "Seller", "en");
        app.fake.enqueue_update(report(&app.fake, &reporter, text));
    }
    let sent = app.fake.wait_for_sent(before + 4, WAIT).await;
    // Each handler posts its card before it thanks the reporter: with all three thanks
    // among the first four messages, every card that would be posted has been.
    let thanks = sent[before..]
        .iter()
        .filter(|s| s.text.contains("report was recorded"))
        .count();
    assert_eq!(thanks, 3, "{sent:#?}");
    let cards = sent_to(&app.fake, admin_chat().id);
    assert_eq!(cards.len(), 1, "one card per cluster: {cards:#?}");
    cards.into_iter().next().expect("a card")
}

#[tokio::test]
async fn without_an_admin_chat_reports_are_kept_but_no_card_is_posted() {
    let app = TestApp::start_persistent(|s| {
        s.telegram.admin_ids = vec![admin().id];
        s.telegram.admin_chat_id = None;
    })
    .await;
    let before = app.fake.sent_messages().len();
    for id in 1..=3 {
        let reporter = user(1000 + id, "Seller", "en");
        app.fake
            .enqueue_update(report(&app.fake, &reporter, PARCEL_SCAM));
    }
    let sent = app.fake.wait_for_sent(before + 3, WAIT).await;
    assert!(
        sent[before..]
            .iter()
            .all(|s| s.text.contains("report was recorded")),
        "{sent:#?}"
    );
    // The third report reached the review threshold; still only the three thanks.
    let stats = ask(&app, app.fake.private_text(&admin(), "/stats")).await;
    assert!(stats.text.contains("pending: 3"), "{}", stats.text);
    assert_eq!(app.fake.sent_messages().len(), before + 4);
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn non_admins_are_refused_and_nothing_changes() {
    let app = start().await;
    let mallory = user(777, "Mallory", "en");
    let commands = [
        "/pending",
        "/stats",
        "/block http://evil-pay.top/x",
        "/allow http://bit.ly/x",
        "/reload",
    ];
    for command in commands {
        let reply = ask(&app, app.fake.private_text(&mallory, command)).await;
        assert!(
            reply.text.contains("only sellerguard curators"),
            "{command}: {}",
            reply.text
        );
    }
    let mallory_zh = user(778, "Mallory", "zh");
    let reply = ask(&app, app.fake.private_text(&mallory_zh, "/stats")).await;
    assert!(
        reply.text.contains("只有 sellerguard 审核员"),
        "{}",
        reply.text
    );

    let verdict = app
        .running
        .triage
        .check(Message::text("Contact http://evil-pay.top/x"));
    assert!(
        verdict
            .signals
            .iter()
            .all(|s| s.rule_id != "community.confirmed-indicator"),
        "a refused /block changes nothing"
    );

    let card = three_reports(&app, PARCEL_SCAM).await;
    let confirm = callback_data(&card.reply_markup).remove(0);
    let answer = press(&app, &mallory, &card, &confirm).await;
    let text = answer["text"].as_str().unwrap_or_default();
    assert!(text.contains("Only sellerguard curators"), "{answer}");
    let stats = app.running.triage.stats().expect("stats");
    assert_eq!((stats.pending, stats.confirmed), (3, 0));
    assert!(app.fake.calls_to("editMessageText").is_empty());
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn block_makes_a_contact_high_and_allow_outweighs_it() {
    let app = start().await;
    let seller = TestUser::alice();
    let contact = "http://parcel-help.top/pay";
    let message = format!("Please contact {contact} about your order");

    let reply = ask(
        &app,
        app.fake
            .private_text(&admin(), &format!("/block {contact}")),
    )
    .await;
    assert!(
        reply.text.contains("Blocked as a scam contact"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("url:"), "{}", reply.text);
    let card = ask(&app, app.fake.private_text(&seller, &message)).await;
    assert!(card.text.starts_with("🚨 <b>High risk"), "{}", card.text);
    assert!(card.text.contains("An admin confirmed"), "{}", card.text);

    let reply = ask(
        &app,
        app.fake
            .private_text(&admin(), &format!("/allow {contact}")),
    )
    .await;
    assert!(reply.text.contains("Allow-listed"), "{}", reply.text);
    let card = ask(&app, app.fake.private_text(&seller, &message)).await;
    assert!(!card.text.starts_with("🚨"), "{}", card.text);
    assert_eq!(
        app.running.triage.check(Message::text(&message)).level,
        Level::Low
    );

    let reply = ask(&app, app.fake.private_text(&admin(), "/allow <hello>")).await;
    assert!(
        reply.text.contains("is not a link, phone number"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("&lt;hello&gt;"),
        "escaped: {}",
        reply.text
    );
    let reply = ask(&app, app.fake.private_text(&admin_zh(), "/block")).await;
    assert!(reply.text.starts_with("用法：/block"), "{}", reply.text);
    let reply = ask(
        &app,
        app.fake
            .private_text(&admin_zh(), "/block wechat:fake_vip1"),
    )
    .await;
    assert!(
        reply.text.contains("已确认为诈骗联系方式"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("wechat:fake_vip1"), "{}", reply.text);
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn three_reporters_make_one_card_and_a_confirmation_teaches() {
    let app = start().await;
    // Curators (and the admin chat) get a command menu with the curator commands.
    let menus = app.fake.calls_to("setMyCommands");
    let commands = |chat: i64, zh: bool| -> Vec<String> {
        let menu = menus
            .iter()
            .find(|m| {
                m.params["scope"]["chat_id"] == chat && (m.params["language_code"] == "zh") == zh
            })
            .unwrap_or_else(|| panic!("no menu for chat {chat} (zh: {zh})"));
        let listed = menu.params["commands"].as_array().expect("commands");
        listed.iter().map(|c| c["command"].to_string()).collect()
    };
    for chat in [admin().id, admin_zh().id, admin_chat().id] {
        for zh in [false, true] {
            let listed = commands(chat, zh);
            assert!(listed.iter().any(|c| c.contains("pending")), "{listed:?}");
            assert!(listed.iter().any(|c| c.contains("check")), "{listed:?}");
        }
    }
    let public = menus
        .iter()
        .find(|m| m.params["scope"].is_null())
        .expect("a default menu");
    assert!(!public.params["commands"].to_string().contains("pending"));
    let card = three_reports(&app, PARCEL_SCAM).await;
    assert!(card.text.contains("Review needed"), "{}", card.text);
    assert!(
        card.text.contains("was reported by 3 different people"),
        "{}",
        card.text
    );
    assert!(
        card.text.contains("3 pending reports are near-duplicates"),
        "{}",
        card.text
    );
    assert!(card.text.contains("parcel-release.top"), "{}", card.text);
    assert!(
        card.text.contains("<b>Bot's verdict:</b> 🚨 High risk"),
        "{}",
        card.text
    );
    assert!(
        card.text
            .contains("this one in a private chat; 3 reports: 3 from private chats, 0 from groups"),
        "{}",
        card.text
    );
    let data = callback_data(&card.reply_markup);
    assert_eq!(data.len(), 4);
    assert!(
        data[0].starts_with("cv:c:r") && data[1].starts_with("cv:r:"),
        "{data:?}"
    );
    assert!(data[2].starts_with("cv:i:"), "{data:?}");
    assert!(
        data[3].starts_with("cv:a:"),
        "an allow button for its link: {data:?}"
    );
    assert!(data.iter().all(|d| d.len() < 64));
    let id = data[0].trim_start_matches("cv:c:").to_owned();

    // A fourth reporter adds to the cluster but posts no second card.
    let fourth = user(1004, "Seller", "en");
    let reply = ask(&app, report(&app.fake, &fourth, PARCEL_SCAM)).await;
    assert!(reply.text.contains("report was recorded"), "{}", reply.text);
    assert_eq!(sent_to(&app.fake, admin_chat().id).len(), 1);

    let pending = ask(&app, app.fake.private_text(&admin(), "/pending")).await;
    assert!(
        pending.text.contains("Pending reports: 4</b> in 1 groups"),
        "reports are counted, not groups: {}",
        pending.text
    );
    assert!(pending.text.contains("× 4"), "{}", pending.text);
    assert!(pending.text.contains(&id), "{}", pending.text);
    assert!(
        pending.text.contains("Dear seller, your parcel"),
        "{}",
        pending.text
    );
    let stats = ask(&app, app.fake.private_text(&admin(), "/stats")).await;
    assert!(stats.text.contains("reports received: 4"), "{}", stats.text);
    assert!(stats.text.contains("pending: 4"), "{}", stats.text);
    let stats = ask(&app, app.fake.private_text(&admin_zh(), "/stats")).await;
    assert!(stats.text.contains("待审核: 4"), "{}", stats.text);

    let answer = press(&app, &admin(), &card, &data[0]).await;
    assert!(answer["text"].is_null(), "{answer}");
    let (text, buttons) = edited(&app, &card, 1).await;
    assert!(
        text.contains("<b>🚨 Confirmed as a scam by Carol, with 3 like it</b>"),
        "the edited card keeps its formatting: {text}"
    );
    assert!(text.contains("<b>Message:</b>"), "{text}");
    assert_eq!(buttons, [format!("cv:o:{id}")], "only an explicit reopen");
    assert_eq!(app.running.triage.stats().expect("stats").confirmed, 4);
    let audit = app.running.triage.audit_latest(4).expect("audit log");
    assert!(
        audit.iter().all(|e| e.decision.action == "confirm"
            && e.decision.origin == "telegram"
            && e.decision.actor.starts_with("telegram:")),
        "each decided report is audited as a Telegram curator's: {audit:?}"
    );

    let other = user(1005, "Other", "en");
    let verdict = ask(&app, app.fake.private_text(&other, PARCEL_NEAR)).await;
    assert!(
        verdict.text.starts_with("🚨 <b>High risk"),
        "{}",
        verdict.text
    );
    assert!(
        verdict.text.contains("% similar to a confirmed scam"),
        "{}",
        verdict.text
    );
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn a_chinese_admin_chat_gets_chinese_cards_and_can_ignore_then_reject() {
    let app = start().await;
    let chat = ChatPrefs {
        lang: Some(Lang::Zh),
        ..ChatPrefs::default()
    };
    app.running
        .triage
        .set_chat(admin_chat().id, chat)
        .expect("chat prefs");
    let card = three_reports(&app, DEPOSIT_SCAM).await;
    assert!(card.text.contains("需要审核"), "{}", card.text);
    assert!(
        card.text.contains("3 条待审核举报与这条消息几乎相同"),
        "{}",
        card.text
    );
    let data = callback_data(&card.reply_markup);

    press(&app, &admin_zh(), &card, &data[2]).await;
    let (text, left) = edited(&app, &card, 1).await;
    assert!(text.contains("<b>🙈 Wang 忽略了举报人</b>"), "{text}");
    assert_eq!(left, data[..2]);

    press(&app, &admin_zh(), &card, &data[1]).await;
    let (text, _) = edited(&app, &card, 2).await;
    assert!(text.contains("Wang 判定为正规消息"), "{text}");
    assert_eq!(app.running.triage.stats().expect("stats").rejected, 3);
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn reload_reports_broken_files_keeps_the_running_rules_and_then_succeeds() {
    let app = start().await;
    let rules = app.dir.path().join("rules");
    let broken = "[[rule]]\nid = \"broken.one\"\nfamily = \"logistics-fee\"\nweight = 50\n\
        all = [\"no_such_cue\"]\nexplain = { zh = \"坏\", en = \"bad\" }\n";
    std::fs::write(rules.join("broken.toml"), broken).expect("write");

    let reply = ask(&app, app.fake.private_text(&admin(), "/reload")).await;
    assert!(reply.text.contains("running rules stay"), "{}", reply.text);
    assert!(
        reply.text.contains("broken.toml:5:"),
        "file:line: {}",
        reply.text
    );
    let card = ask(&app, app.fake.private_text(&TestUser::alice(), SCAM_EN)).await;
    assert!(card.text.starts_with("🚨 <b>High risk"), "{}", card.text);

    // Hundreds of problems are cut to one message, at whole lines.
    let many: String = (0..400)
        .map(|i| broken.replace("broken.one", &format!("broken.n{i}")))
        .collect();
    std::fs::write(rules.join("broken.toml"), many).expect("write");
    let reply = ask(&app, app.fake.private_text(&admin_zh(), "/reload")).await;
    assert!(reply.text.contains("继续使用当前规则"), "{}", reply.text);
    assert!(reply.text.chars().count() <= 4096);
    assert!(reply.text.ends_with("\n…</pre>"), "{}", reply.text);

    std::fs::remove_file(rules.join("broken.toml")).expect("remove");
    let reply = ask(&app, app.fake.private_text(&admin(), "/reload")).await;
    assert!(
        reply.text.contains("Rules reloaded: 3 rules now run"),
        "{}",
        reply.text
    );
    let reply = ask(&app, app.fake.private_text(&admin_zh(), "/reload")).await;
    assert!(reply.text.contains("现在运行 3 条规则"), "{}", reply.text);
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn a_second_curator_press_changes_nothing_until_an_explicit_reopen() {
    let app = start().await;
    let card = three_reports(&app, PARCEL_SCAM).await;
    let data = callback_data(&card.reply_markup);
    press(&app, &admin(), &card, &data[0]).await;
    let (_, after_first) = edited(&app, &card, 1).await;

    // Wang presses "legitimate" on a stale copy of the card (the buttons it had).
    let answer = press(&app, &admin_zh(), &card, &data[1]).await;
    let text = answer["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("审核员 900（Carol）"),
        "who decided, by name: {answer}"
    );
    assert!(
        text.contains("确认为诈骗") && text.contains("UTC"),
        "{answer}"
    );
    let answer = press(&app, &admin(), &card, &data[1]).await;
    let text = answer["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Already confirmed as a scam by you at "),
        "{answer}"
    );
    let stats = app.running.triage.stats().expect("stats");
    assert_eq!((stats.confirmed, stats.rejected), (3, 0));
    assert_eq!(
        app.fake.calls_to("editMessageText").len(),
        1,
        "the card is unchanged"
    );

    press(&app, &admin_zh(), &card, &after_first[0]).await;
    let (text, buttons) = edited(&app, &card, 2).await;
    assert!(
        text.contains("Reopened by Wang"),
        "the admin chat's language: {text}"
    );
    assert_eq!(buttons, data, "decide buttons again");
    let stats = app.running.triage.stats().expect("stats");
    assert_eq!(
        (stats.confirmed, stats.pending),
        (2, 1),
        "only the reopened report"
    );
    press(&app, &admin_zh(), &card, &data[1]).await;
    let (text, _) = edited(&app, &card, 3).await;
    assert!(
        text.contains("<b>✅ Judged legitimate by Wang</b>"),
        "{text}"
    );
    assert_eq!(app.running.triage.stats().expect("stats").rejected, 1);
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn a_cluster_decision_from_pending_clears_every_duplicate() {
    let app = start().await;
    three_reports(&app, PARCEL_SCAM).await;
    for (n, text) in [(1, PARCEL_NEAR), (2, PARCEL_NEAR), (3, DEPOSIT_SCAM)] {
        let reporter = user(2000 + n, "Seller", "zh");
        let reply = ask(&app, report(&app.fake, &reporter, text)).await;
        assert!(reply.text.contains("举报已记录"), "{}", reply.text);
    }
    let pending = ask(&app, app.fake.private_text(&admin(), "/pending")).await;
    assert!(
        pending.text.contains("Pending reports: 6</b> in 2 groups"),
        "{}",
        pending.text
    );
    let data = callback_data(&pending.reply_markup);
    assert_eq!(data.len(), 4, "each group its own buttons: {data:?}");
    assert!(data[0].starts_with("cv:C:") && data[1].starts_with("cv:R:"));

    let answer = press(&app, &admin(), &pending, &data[0]).await;
    assert_eq!(answer["text"], "🚨 5 reports confirmed as a scam");
    let (text, left) = edited(&app, &pending, 1).await;
    assert!(
        text.contains("Pending reports: 1</b> in 1 groups"),
        "{text}"
    );
    assert!(!text.contains("parcel"), "{text}");
    assert_eq!(left.len(), 2);
    let stats = app.running.triage.stats().expect("stats");
    assert_eq!((stats.confirmed, stats.pending), (5, 1));
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn a_rejection_leaves_the_numbers_other_reports_and_reputation_intact() {
    let app = start().await;
    let number_scam = "Dear seller, your parcel is held at customs. Pay the customs fee today, \
        call +44 7700 900123 to release the package before it is returned to the sender.";
    let other = "Hi, this is Tom from the warehouse, call me back on +44 7700 900123 please";
    let card = three_reports(&app, number_scam).await;
    let reporter = user(3000, "Seller", "en");
    ask(&app, report(&app.fake, &reporter, other)).await;
    let reject = callback_data(&card.reply_markup).remove(1);
    press(&app, &admin(), &card, &reject).await;
    let (text, _) = edited(&app, &card, 1).await;
    assert!(
        text.contains("Judged legitimate by Carol, with 2 like it"),
        "{text}"
    );

    let stats = app.running.triage.stats().expect("stats");
    assert_eq!(
        (stats.rejected, stats.pending),
        (3, 1),
        "Tom's report stays pending"
    );
    let verdict = app.running.triage.check(Message::text(other));
    let ids: Vec<_> = verdict.signals.iter().map(|s| s.rule_id.as_str()).collect();
    assert!(!ids.contains(&"community.allowed-indicator"), "{ids:?}");
    assert!(ids.contains(&"community.reported-indicator"), "{ids:?}");
    assert_eq!(
        verdict.level,
        Level::Medium,
        "reported by 4 sellers, not yet confirmed"
    );
    let seller = ask(&app, app.fake.private_text(&TestUser::alice(), other)).await;
    assert!(
        seller
            .text
            .contains("reported by 4 sellers, not yet confirmed"),
        "{}",
        seller.text
    );
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn one_persons_report_and_buttons_on_one_message_count_once() {
    let app = start().await;
    let seller = user(4000, "Seller", "en");
    let card = ask(&app, app.fake.private_text(&seller, PARCEL_SCAM)).await;
    let answer = press(&app, &seller, &card, "r:s").await;
    assert_eq!(
        answer["text"],
        "Thank you, your report was recorded for the curators."
    );
    let reply = ask(&app, report(&app.fake, &seller, PARCEL_SCAM)).await;
    assert!(reply.text.contains("it counts once"), "{}", reply.text);
    let answer = press(&app, &seller, &card, "r:l").await;
    assert_eq!(
        answer["text"],
        "You already told me about this message; it counts once."
    );
    let stats = app.running.triage.stats().expect("stats");
    assert_eq!(stats.reports_received, 1);
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn stats_count_the_bots_own_checks() {
    let app = start().await;
    let seller = TestUser::alice();
    ask(&app, app.fake.private_text(&seller, PARCEL_SCAM)).await;
    ask(&app, app.fake.private_text(&seller, "谢谢，货已收到")).await;
    let stats = ask(&app, app.fake.private_text(&admin(), "/stats")).await;
    assert!(stats.text.contains("checks: 2"), "{}", stats.text);
}

#[tokio::test]
async fn two_curators_pressing_at_the_same_moment_make_exactly_one_decision() {
    let app = start().await;
    three_reports(&app, PARCEL_SCAM).await;
    let (carol, wang) = (admin(), admin_zh());
    let carol_list = ask(&app, app.fake.private_text(&carol, "/pending")).await;
    let wang_list = ask(&app, app.fake.private_text(&wang, "/pending")).await;
    let confirm = callback_data(&carol_list.reply_markup).remove(0);
    let reject = callback_data(&wang_list.reply_markup).remove(1);
    assert!(confirm.starts_with("cv:C:") && reject.starts_with("cv:R:"));
    // Both presses arrive in one getUpdates answer; their private chats run
    // concurrently, so the two decisions race in the service.
    let before = app.fake.calls_to("answerCallbackQuery").len();
    app.fake.enqueue_updates([
        app.fake
            .callback_query(&carol, &carol_list.message, &confirm),
        app.fake.callback_query(&wang, &wang_list.message, &reject),
    ]);
    let answers = app
        .fake
        .wait_for_calls("answerCallbackQuery", before + 2, WAIT)
        .await;
    let texts: Vec<String> = answers[before..]
        .iter()
        .map(|a| a.params["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    let decided: Vec<&String> = texts
        .iter()
        .filter(|t| t.starts_with("🚨 3 reports") || t.starts_with("✅ 3 reports"))
        .collect();
    assert_eq!(decided.len(), 1, "exactly one decision: {texts:?}");
    let refused = texts
        .iter()
        .find(|t| !decided.contains(t))
        .expect("a loser");
    if decided[0].starts_with("🚨") {
        assert!(
            refused.contains("审核员 900") && refused.contains("确认为诈骗"),
            "{texts:?}"
        );
    } else {
        assert!(
            refused.starts_with("Already judged legitimate by curator 901 (Wang) at "),
            "{texts:?}"
        );
    }
    let stats = app.running.triage.stats().expect("stats");
    assert!(
        (stats.confirmed, stats.rejected) == (3, 0) || (stats.confirmed, stats.rejected) == (0, 3),
        "one decision covers the cluster: {stats:?}"
    );
    app.fake.assert_no_unexpected_calls();
}

#[tokio::test]
async fn a_persons_report_counts_once_across_a_restart() {
    let app = start().await;
    let seller = user(4100, "Seller", "en");
    let reply = ask(&app, report(&app.fake, &seller, PARCEL_SCAM)).await;
    assert!(reply.text.contains("report was recorded"), "{}", reply.text);
    app.running.shutdown().await.expect("clean shutdown");

    let fake = app.fake.clone();
    let polls = fake.calls_to("getUpdates").len();
    let app = TestApp::persistent_in(fake, app.dir, |s| {
        s.telegram.admin_ids = vec![admin().id];
    })
    .await;
    app.fake.wait_for_calls("getUpdates", polls + 1, WAIT).await;
    let reply = ask(&app, report(&app.fake, &seller, PARCEL_SCAM)).await;
    assert!(reply.text.contains("it counts once"), "{}", reply.text);
    let stats = app.running.triage.stats().expect("stats");
    assert_eq!(stats.reports_received, 1);
    app.fake.assert_no_unexpected_calls();
}

/// The (label, data) of every button of `markup`.
fn buttons(markup: &Value) -> Vec<(String, String)> {
    let rows = markup["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|b| {
            let text = b["text"].as_str().unwrap_or_default().to_owned();
            (
                text,
                b["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn reject_allow_lists_nothing_and_an_allow_button_allows_exactly_its_contact() {
    let app = start().await;
    let scam = "Dear seller, your parcel is held at customs. Pay the customs fee at \
        http://parcel-release.top/pay or call +44 7700 900123 within 24 hours.";
    let card = three_reports(&app, scam).await;
    let labels = buttons(card.reply_markup.as_ref().expect("buttons"));
    let allow: Vec<&(String, String)> = labels
        .iter()
        .filter(|(_, d)| d.starts_with("cv:a:"))
        .collect();
    assert_eq!(allow.len(), 2, "one allow button per contact: {labels:?}");
    let phone = allow
        .iter()
        .find(|(label, _)| label.starts_with("✅ Allow +447700900123"))
        .unwrap_or_else(|| panic!("a button naming the number: {labels:?}"));
    assert!(
        allow
            .iter()
            .any(|(label, _)| label.starts_with("✅ Allow parcel-release.top")),
        "{labels:?}"
    );
    let reject = &labels[1];
    assert_eq!(reject.0, "✅ Legitimate", "reject is its own button");

    press(&app, &admin(), &card, &reject.1).await;
    let (text, after) = edited(&app, &card, 1).await;
    assert!(text.contains("Judged legitimate by Carol"), "{text}");
    assert_eq!(after.len(), 3, "reopen and both allow buttons: {after:?}");
    let number_only = "call me on +44 7700 900123";
    let link_only = "see http://parcel-release.top/pay";
    let allowed = |text: &str| {
        let verdict = app.running.triage.check(Message::text(text));
        verdict
            .signals
            .iter()
            .any(|s| s.rule_id == "community.allowed-indicator")
    };
    assert!(
        !allowed(number_only) && !allowed(link_only),
        "a rejection allows nothing"
    );

    let answer = press(&app, &admin(), &card, &phone.1).await;
    assert_eq!(
        answer["text"],
        "✅ Allow-listed +447700900123 (only this contact; logged)"
    );
    assert!(allowed(number_only), "the named contact is allowed");
    assert!(!allowed(link_only), "the other contact is not");
    let edits = app
        .fake
        .wait_for_calls("editMessageReplyMarkup", 1, WAIT)
        .await;
    let left = buttons(&edits[0].params["reply_markup"]);
    assert!(
        !left.iter().any(|(_, d)| d == &phone.1) && left.len() == 2,
        "its button is gone: {left:?}"
    );
    let again = press(&app, &admin_zh(), &card, &phone.1).await;
    let text = again["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("审核员 900（Carol） 已于") && text.contains("+447700900123 加入白名单"),
        "first decision wins: {again}"
    );
    let log = app.running.triage.stats().expect("stats");
    assert_eq!(log.rejected, 3);
    app.fake.assert_no_unexpected_calls();
}
