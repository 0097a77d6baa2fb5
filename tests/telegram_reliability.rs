//! Nothing lost, nothing stuck: the bot against a faulty Bot API and a hostile network.
//! An out-of-order parallel webhook flood, redelivered after a restart, is answered
//! exactly once; replies survive 500s, a 429 and a restart; `serve` stops within its
//! grace period with a 40 s `retry_after` pending and sends the reply after the next
//! start; an update that does not decode is set aside and polling moves on.

mod support;

use std::collections::HashSet;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sellerguard::config::Settings;
use sellerguard::triage::delivery::Inbox;
use serde_json::{Value, json};
use tokio::process::Command;

use support::app::{HARMLESS, SCAM_EN, TEST_RULES, TestApp, WAIT, webhook_mode};
use support::fake_bot_api::{FakeBotApi, TestUser};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_out_of_order_webhook_flood_is_answered_exactly_once_even_across_a_restart() {
    let fake = FakeBotApi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::persistent_in(fake.clone(), dir, webhook_mode).await;
    fake.wait_for_calls("setWebhook", 1, WAIT).await;
    let updates = flood(&fake);

    let statuses = post_all(&app, updates.clone()).await;
    fake.wait_for_sent(FLOOD, SLOW_WAIT).await;
    app.running.shutdown().await.expect("clean shutdown");
    // Telegram redelivers everything after the restart (say our 200s were lost).
    let app = TestApp::persistent_in(fake.clone(), app.dir, webhook_mode).await;
    fake.wait_for_calls("setWebhook", 2, WAIT).await;
    let again = post_all(&app, updates).await;
    let mut last = fake.private_text(&TestUser::alice(), SCAM_EN);
    last["update_id"] = json!(5000);
    let last_status = post_all(&app, vec![last]).await;
    let sent = fake.wait_for_sent(FLOOD + 1, SLOW_WAIT).await;
    app.running.shutdown().await.expect("clean shutdown");

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

/// `sellerguard serve` against `fake` with its data in `dir`.
fn serve(fake: &FakeBotApi, dir: &std::path::Path) -> tokio::process::Child {
    Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TELEGRAM_BOT_TOKEN", fake.token())
        .env("TELEGRAM_API_URL", fake.url().as_str())
        .env("SELLERGUARD_RULES_DIR", dir.join("rules"))
        .env("SELLERGUARD_DATA_DIR", dir.join("data"))
        .env("SELLERGUARD_HTTP_ADDR", "127.0.0.1:0")
        .env_remove("TELEGRAM_WEBHOOK_URL")
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("runs the binary")
}

fn sigterm(child: &tokio::process::Child) {
    let pid = child.id().expect("running").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    assert!(killed.expect("kill runs").success());
}

#[tokio::test]
async fn serve_stops_within_its_grace_period_with_a_40s_retry_after_pending() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/test.toml"), TEST_RULES).unwrap();
    let fake = FakeBotApi::start().await;
    fake.rate_limit_next("sendMessage", 40);
    let mut child = serve(&fake, dir.path());
    fake.enqueue_update(fake.private_text(&TestUser::alice(), SCAM_EN));
    fake.wait_for_calls("sendMessage", 1, SLOW_WAIT).await;

    sigterm(&child);
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
    let mut child = serve(&fake, dir.path());
    let sent = fake.wait_for_sent(1, SLOW_WAIT).await;
    fake.wait_for_calls("getUpdates", polls + 2, SLOW_WAIT)
        .await;
    sigterm(&child);
    let status = tokio::time::timeout(SLOW_WAIT, child.wait()).await;
    assert!(status.expect("serve stops").expect("exit status").success());
    assert!(sent[0].text.starts_with("🚨"));
    assert_eq!(
        fake.sent_messages().len(),
        1,
        "the update is not answered again"
    );
}
