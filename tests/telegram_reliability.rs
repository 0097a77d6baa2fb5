//! Nothing lost, nothing stuck: the bot against a faulty Bot API and a hostile network.
//! An out-of-order parallel webhook flood, redelivered after a restart, is answered
//! exactly once; replies survive 500s, a 429 and a restart; `serve` stops within its
//! grace period with a 40 s `retry_after` pending and sends the reply after the next
//! start; an update that does not decode is set aside and polling moves on; a slow
//! answer delays only its own chat; replies owed while the API refuses connections go
//! out, once each, when it is back; `serve` refuses a 5 MB rule file on `/reload` and
//! its memory stays within 10% of before.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sellerguard::config::Settings;
use sellerguard::triage::delivery::Inbox;
use serde_json::{Value, json};

use support::app::{HARMLESS, SCAM_EN, TestApp, WAIT, webhook_mode};
use support::fake_bot_api::{FakeBotApi, SentMessage, TestUser};
use support::serve;

/// Updates in the flood, and how many are posted at once.
const FLOOD: usize = 400;
const PARALLEL: usize = 32;
/// Long enough for teloxide's 10 s pause after each 5xx.
const SLOW_WAIT: Duration = Duration::from_secs(60);

/// `FLOOD` harmless private messages from 20 users, ids 1000.., in a scrambled order.
fn flood(fake: &FakeBotApi) -> Vec<Value> {
    let users: Vec<TestUser> = (0..20).map(|i| TestUser::new(7000 + i, "Seller")).collect();
    let updates: Vec<Value> = (0..FLOOD)
        .map(|n| {
            let mut update = fake.private_text(&users[n % users.len()], HARMLESS);
            update["update_id"] = json!(1000 + n);
            update
        })
        .collect();
    // 7919 is prime and does not divide 400: a permutation far from id order.
    (0..FLOOD)
        .map(|i| updates[(i * 7919) % FLOOD].clone())
        .collect()
}

/// POSTs `updates` to the app's webhook, `PARALLEL` at a time; every status.
async fn post_all(app: &TestApp, updates: Vec<Value>) -> Vec<u16> {
    let url = format!("http://{}/tg/hook", app.running.http_addr);
    let updates = Arc::new(updates);
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..PARALLEL {
        let (url, updates, next, client) =
            (url.clone(), updates.clone(), next.clone(), client.clone());
        workers.spawn(async move {
            let mut statuses = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(update) = updates.get(i) else {
                    return statuses;
                };
                let response = client
                    .post(&url)
                    .header("X-Telegram-Bot-Api-Secret-Token", "s3cret_token")
                    .header("content-type", "application/json")
                    .body(update.to_string())
                    .send()
                    .await
                    .expect("webhook answers");
                statuses.push(response.status().as_u16());
            }
        });
    }
    let mut statuses = Vec::new();
    while let Some(done) = workers.join_next().await {
        statuses.extend(done.expect("poster"));
    }
    statuses
}

/// The check counter once it has reached `at_least` (or after `SLOW_WAIT`), read again
/// a moment later so that a late extra check would show.
async fn checks_reach(app: &TestApp, at_least: u64) -> u64 {
    let checks = || app.running.triage.stats().expect("stats").checks;
    let deadline = Instant::now() + SLOW_WAIT;
    while checks() < at_least && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    checks()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_out_of_order_webhook_flood_is_answered_exactly_once_even_across_a_restart() {
    let fake = FakeBotApi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::persistent_in(fake.clone(), dir, webhook_mode).await;
    fake.wait_for_calls("setWebhook", 1, WAIT).await;
    let updates = flood(&fake);

    let statuses = post_all(&app, updates.clone()).await;
    fake.wait_for_sent(FLOOD, SLOW_WAIT).await;
    // The outbox keys replies by update, so a second handling would not show in the
    // chat; the check counter shows it. (A "⏳ Checking…" holding reply counts as sent
    // before its check is done, so wait for the counter too.)
    let handled = checks_reach(&app, FLOOD as u64).await;
    app.running.shutdown().await.expect("clean shutdown");
    // Telegram redelivers everything after the restart (say our 200s were lost).
    let app = TestApp::persistent_in(fake.clone(), app.dir, webhook_mode).await;
    fake.wait_for_calls("setWebhook", 2, WAIT).await;
    let again = post_all(&app, updates).await;
    let mut last = fake.private_text(&TestUser::alice(), SCAM_EN);
    last["update_id"] = json!(5000);
    let last_status = post_all(&app, vec![last]).await;
    let sent = fake.wait_for_sent(FLOOD + 1, SLOW_WAIT).await;
    let handled_again = checks_reach(&app, FLOOD as u64 + 1).await;
    app.running.shutdown().await.expect("clean shutdown");

    assert_eq!(handled, FLOOD as u64, "each update handled once");
    assert_eq!(
        handled_again,
        FLOOD as u64 + 1,
        "a redelivered update is not handled again"
    );

    assert!(
        statuses
            .iter()
            .chain(&again)
            .chain(&last_status)
            .all(|s| *s == 200)
    );
    assert_eq!(
        fake.sent_messages().len(),
        FLOOD + 1,
        "no update answered twice"
    );
    let answered: HashSet<(i64, Option<i64>)> = sent
        .iter()
        .map(|m| (m.chat_id, m.reply_to_message_id))
        .collect();
    assert_eq!(answered.len(), FLOOD + 1, "every update answered once");
    assert!(sent.last().unwrap().text.starts_with("🚨"));
}

#[tokio::test]
async fn a_reply_refused_with_500s_is_retried_until_the_api_recovers() {
    let app = TestApp::start_persistent(|_| {}).await;
    app.fake
        .refuse_next("sendMessage", 500, "Internal Server Error");
    app.fake
        .refuse_next("sendMessage", 500, "Internal Server Error");
    let alice = TestUser::alice();
    app.fake
        .enqueue_update(app.fake.private_text(&alice, SCAM_EN));
    let sent = app.fake.wait_for_sent(1, SLOW_WAIT).await;
    app.fake
        .refuse_next("sendMessage", 400, "Bad Request: chat not found");
    app.fake
        .enqueue_update(app.fake.private_text(&alice, HARMLESS));

    let (fake, _, _) = app.drain_and_stop().await;

    assert!(sent[0].text.starts_with("🚨"), "{}", sent[0].text);
    // 500, 500, then sent; the second reply's 400 is final: dropped, not retried.
    assert_eq!(fake.calls_to("sendMessage").len(), 4);
    assert_eq!(fake.sent_messages().len(), 1);
}

#[tokio::test]
async fn no_reply_is_lost_across_a_minute_of_500s() {
    const OUTAGE: Duration = Duration::from_secs(60);
    let app = TestApp::start_persistent(|_| {}).await;
    let (alice, bob) = (TestUser::alice(), TestUser::bob());
    app.fake
        .refuse_for("sendMessage", OUTAGE, 500, "Internal Server Error");
    let started = std::time::Instant::now();
    app.fake
        .enqueue_update(app.fake.private_text(&alice, SCAM_EN));
    app.fake
        .enqueue_update(app.fake.private_text(&bob, SCAM_EN));
    app.fake.wait_for_calls("sendMessage", 3, SLOW_WAIT).await;
    app.fake
        .enqueue_update(app.fake.private_text(&alice, HARMLESS));

    let sent = app.fake.wait_for_sent(3, OUTAGE * 3).await;
    let recovered = started.elapsed();
    let (fake, _, _) = app.drain_and_stop().await;

    let refused = fake.calls_to("sendMessage").len() - fake.sent_messages().len();
    println!(
        "a {}s outage: {refused} sendMessage calls refused, all 3 replies sent {:.1}s after the first message",
        OUTAGE.as_secs(),
        recovered.as_secs_f64()
    );
    assert!(recovered >= OUTAGE, "nothing can be sent during the outage");
    assert_eq!(fake.sent_messages().len(), 3, "each reply sent once");
    let to = |chat: i64| -> Vec<String> {
        sent.iter()
            .filter(|m| m.chat_id == chat)
            .map(|m| m.text.clone())
            .collect()
    };
    let alices = to(alice.id);
    assert_eq!(alices.len(), 2);
    assert!(alices[0].starts_with("🚨"), "in the order owed: {alices:?}");
    assert!(!alices[1].starts_with("🚨"), "{alices:?}");
    assert!(to(bob.id)[0].starts_with("🚨"));
}

#[tokio::test]
async fn a_reply_owed_at_shutdown_is_sent_after_the_restart() {
    let fake = FakeBotApi::start().await;
    let grace = |settings: &mut Settings| settings.telegram.shutdown_grace_secs = 1;
    let app = TestApp::persistent_in(fake.clone(), tempfile::tempdir().unwrap(), grace).await;
    fake.rate_limit_next("sendMessage", 40);
    fake.enqueue_update(fake.private_text(&TestUser::alice(), SCAM_EN));
    fake.wait_for_calls("sendMessage", 1, WAIT).await;

    let TestApp { running, dir, .. } = app;
    let asked = Instant::now();
    running.shutdown().await.expect("clean shutdown");
    let stopped_after = asked.elapsed();
    assert!(fake.sent_messages().is_empty());
    let app = TestApp::persistent_in(fake.clone(), dir, |_| {}).await;
    let sent = fake.wait_for_sent(1, WAIT).await;
    app.drain_and_stop().await;

    assert!(
        stopped_after < Duration::from_secs(1),
        "nothing could go out: {stopped_after:?}"
    );
    assert!(sent[0].text.starts_with("🚨"));
    assert_eq!(
        fake.sent_messages().len(),
        1,
        "the update is not answered again"
    );
}

#[tokio::test]
async fn an_undecodable_update_is_set_aside_and_polling_moves_on() {
    let app = TestApp::start_persistent(|_| {}).await;
    let alice = TestUser::alice();
    app.fake
        .enqueue_update(app.fake.private_text(&alice, HARMLESS));
    let poison = app.fake.enqueue_raw_update(concat!(
        r#"{"update_id":{update_id},"message":{"message_id":1,"date":0,"#,
        r#""chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"E"},"#,
        r#""text":"private words \ud800"}}"#
    ));
    app.fake
        .enqueue_update(app.fake.private_text(&TestUser::bob(), SCAM_EN));

    let sent = app.fake.wait_for_sent(2, WAIT).await;
    let aside = app.running.triage.quarantined().expect("inbox readable");
    let health = reqwest::get(format!("http://{}/healthz", app.running.http_addr));
    let health: Value = health.await.unwrap().json().await.unwrap();
    app.drain_and_stop().await;

    assert_eq!(health["quarantined_updates"], 1, "{health}");
    assert!(sent[0].text.starts_with("✅") && sent[1].text.starts_with("🚨"));
    assert_eq!(aside.len(), 1);
    assert_eq!(aside[0].update_id, poison);
    assert!(String::from_utf8_lossy(&aside[0].raw).contains("private words"));
}

#[tokio::test]
async fn serve_stops_within_its_grace_period_with_a_40s_retry_after_pending() {
    let dir = tempfile::tempdir().unwrap();
    serve::prepare(dir.path());
    let fake = FakeBotApi::start().await;
    fake.rate_limit_next("sendMessage", 40);
    let mut child = serve::serve(&fake, dir.path());
    fake.enqueue_update(fake.private_text(&TestUser::alice(), SCAM_EN));
    fake.wait_for_calls("sendMessage", 1, SLOW_WAIT).await;

    serve::signal(&child, "TERM");
    let asked = Instant::now();
    let status = tokio::time::timeout(SLOW_WAIT, child.wait()).await;
    let stopped_after = asked.elapsed();
    let status = status.expect("serve stops").expect("exit status");
    eprintln!("serve stopped {stopped_after:?} after SIGTERM with a 40 s retry_after pending");

    assert!(status.success(), "{status:?}");
    assert!(stopped_after < Duration::from_secs(12), "{stopped_after:?}");
    assert!(fake.sent_messages().is_empty());
    // The owed card goes out after the next start, once.
    let polls = fake.calls_to("getUpdates").len();
    let mut child = serve::serve(&fake, dir.path());
    let sent = fake.wait_for_sent(1, SLOW_WAIT).await;
    fake.wait_for_calls("getUpdates", polls + 2, SLOW_WAIT)
        .await;
    serve::signal(&child, "TERM");
    let status = tokio::time::timeout(SLOW_WAIT, child.wait()).await;
    assert!(status.expect("serve stops").expect("exit status").success());
    assert!(sent[0].text.starts_with("🚨"));
    assert_eq!(
        fake.sent_messages().len(),
        1,
        "the update is not answered again"
    );
}

/// `/healthz` of the app.
async fn health(app: &TestApp) -> Value {
    let url = format!("http://{}/healthz", app.running.http_addr);
    let response = reqwest::get(url).await.expect("health answers");
    response.json().await.expect("health is JSON")
}

/// Polls `/healthz` until `field` is `value`; panics after `timeout`.
async fn wait_for_health(app: &TestApp, field: &str, value: Value, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let seen = health(app).await;
        if seen[field] == value {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{field} never became {value}: {seen}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many sent messages answer each (chat, replied-to message).
fn answers_per_message(fake: &FakeBotApi) -> std::collections::HashMap<(i64, Option<i64>), usize> {
    let mut answers = std::collections::HashMap::new();
    for sent in fake.sent_messages() {
        *answers
            .entry((sent.chat_id, sent.reply_to_message_id))
            .or_default() += 1;
    }
    answers
}

#[tokio::test]
async fn a_slow_answer_delays_only_its_own_chat() {
    let app = TestApp::start_persistent(|_| {}).await;
    let (alice, bob) = (TestUser::alice(), TestUser::bob());
    // Alice's card is answered 4 s late (under the client's 12 s timeout).
    app.fake.slow_next("sendMessage", 1, Duration::from_secs(4));
    app.fake
        .enqueue_update(app.fake.private_text(&alice, SCAM_EN));
    app.fake.wait_for_calls("sendMessage", 1, WAIT).await;
    app.fake
        .enqueue_update(app.fake.private_text(&alice, HARMLESS));
    app.fake
        .enqueue_update(app.fake.private_text(&bob, HARMLESS));

    let first = app.fake.wait_for_sent(1, WAIT).await;
    let sent = app.fake.wait_for_sent(3, WAIT).await;
    app.fake.wait_for_calls("editMessageText", 1, WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    assert_eq!(
        first[0].chat_id, bob.id,
        "Bob does not wait behind Alice's slow answer"
    );
    // Her second message waits for its turn behind the slow card, so it is held
    // ("Checking…", which goes out while the card is still unanswered) and answered
    // in place once the card is out.
    let alices: Vec<&SentMessage> = sent.iter().filter(|m| m.chat_id == alice.id).collect();
    let (held, card) = (alices[0], alices[1]);
    assert_eq!(held.text, "⏳ Checking…", "{alices:#?}");
    assert!(card.text.starts_with("🚨"), "{}", card.text);
    assert!(held.reply_to_message_id > card.reply_to_message_id);
    let answer = fake.message(alice.id, held.message_id).unwrap();
    assert!(
        answer["text"].as_str().unwrap().starts_with("✅"),
        "{answer}"
    );
    assert_eq!(
        fake.calls_to("sendMessage").len(),
        3,
        "a slow answer is not retried"
    );
    assert_eq!(fake.sent_messages().len(), 3);
}

#[tokio::test]
async fn replies_owed_while_the_api_refuses_connections_are_sent_once_it_is_back() {
    let app = TestApp::start_persistent(|_| {}).await;
    let (alice, bob) = (TestUser::alice(), TestUser::bob());
    app.fake.hold("sendMessage");
    app.fake
        .enqueue_update(app.fake.private_text(&alice, SCAM_EN));
    app.fake.wait_for_calls("sendMessage", 1, WAIT).await;

    // The server goes away with Alice's card in flight (never handled), and Bob
    // writes while nothing listens.
    app.fake.go_offline().await;
    app.fake
        .enqueue_update(app.fake.private_text(&bob, HARMLESS));
    wait_for_health(&app, "status", json!("failing"), SLOW_WAIT).await;
    app.fake.release("sendMessage");
    app.fake.come_back().await;
    let sent = app.fake.wait_for_sent(2, SLOW_WAIT).await;
    wait_for_health(&app, "status", json!("ok"), SLOW_WAIT).await;
    let (fake, _, _) = app.drain_and_stop().await;

    assert!(
        sent.iter()
            .any(|m| m.chat_id == alice.id && m.text.starts_with("🚨"))
    );
    assert!(
        sent.iter()
            .any(|m| m.chat_id == bob.id && m.text.starts_with("✅"))
    );
    let answers = answers_per_message(&fake);
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(
        answers.values().all(|n| *n == 1),
        "nothing answered twice: {answers:?}"
    );
}

#[tokio::test]
async fn serve_refuses_a_5_mb_rule_file_on_reload_and_gives_its_memory_back() {
    let dir = tempfile::tempdir().unwrap();
    serve::prepare(dir.path());
    let fake = FakeBotApi::start().await;
    let alice = TestUser::alice();
    let admin = alice.id.to_string();
    let env = [("SELLERGUARD_ADMIN_IDS", admin.as_str())];
    let mut child = serve::serve_with(&fake, dir.path(), &env);
    // A first, good reload: whatever a reload allocates once is in `before`.
    fake.enqueue_update(fake.private_text(&alice, "/reload"));
    let good = fake.wait_for_sent(1, SLOW_WAIT).await;
    let before = serve::rss_kib(&child);
    // 5 MB of regex alternation in one rule file.
    let words: Vec<String> = (0..640_000).map(|n| format!("w{n}")).collect();
    let big = format!("[cue.big]\nregex = ['({})']\n", words.join("|"));
    std::fs::write(dir.path().join("rules/big.toml"), &big).unwrap();
    fake.enqueue_update(fake.private_text(&alice, "/reload"));
    let refused = fake.wait_for_sent(2, SLOW_WAIT).await;
    let after = serve::rss_kib(&child);
    serve::signal(&child, "TERM");
    let status = tokio::time::timeout(SLOW_WAIT, child.wait()).await;
    eprintln!(
        "serve VmRSS {before} KiB before, {after} KiB after refusing a {:.1} MB rule file",
        big.len() as f64 / 1e6
    );

    assert!(status.expect("serve stops").expect("exit").success());
    assert!(good[0].text.contains("Rules reloaded"), "{}", good[0].text);
    assert!(
        refused[1].text.contains("big.toml:1:1"),
        "{}",
        refused[1].text
    );
    assert!(big.len() > 5_000_000);
    assert!(after * 10 <= before * 11, "{before} KiB -> {after} KiB");
}
