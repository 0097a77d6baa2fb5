//! The whole app as a value: health over HTTP with and without a bot, start-up that
//! waits out an unreachable Bot API, graceful shutdown that finishes in-flight work,
//! webhook mode, and `sellerguard serve` ending on SIGTERM.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use sellerguard::app::{self, App};
use serde_json::{Value, json};

use support::app::{SCAM_EN, TEST_RULES, TestApp, Tuning, WAIT, settings};
use support::fake_bot_api::{FakeBotApi, TestUser};

async fn health(addr: std::net::SocketAddr) -> (u16, Value) {
    let response = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .expect("GET /healthz");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body");
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

#[tokio::test]
async fn health_reports_rules_and_the_running_bot() {
    let app = TestApp::start().await;

    let (status, body) = health(app.running.http_addr).await;

    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["rules"], 3);
    assert_eq!(body["bot_running"], true);
    let menus = app.fake.calls_to("setMyCommands");
    assert_eq!(menus.len(), 2, "English and Chinese command menus");
    assert_eq!(menus[1].params["language_code"], "zh");
    app.drain_and_stop().await;
}

#[tokio::test]
async fn without_a_token_only_health_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let running = app::start(App::new(settings(dir.path(), None)))
        .await
        .expect("starts without a token");

    let (status, body) = health(running.http_addr).await;

    assert!(!running.has_bot());
    assert_eq!(status, 200);
    assert_eq!(body["bot_running"], false);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn start_up_retries_the_bot_api_until_it_answers() {
    let fake = FakeBotApi::start().await;
    fake.rate_limit_next("getMe", 1);
    fake.rate_limit_next("getMe", 1);

    let app = TestApp::start_with(fake, Tuning::default()).await;

    assert_eq!(
        app.fake.calls_to("getMe").len(),
        3,
        "two refusals, then the answer"
    );
    let (_, body) = health(app.running.http_addr).await;
    assert_eq!(body["bot_running"], true);
    app.drain_and_stop().await;
}

#[tokio::test]
async fn health_fails_while_polling_keeps_failing_and_recovers() {
    let app = TestApp::start().await;
    let polls = app.fake.calls_to("getUpdates").len();
    let conflict = json!({"ok": false, "error_code": 409,
        "description": "Conflict: terminated by other getUpdates request"});
    for _ in 0..4 {
        app.fake.fail_next("getUpdates", 409, conflict.clone());
    }
    // The fourth failing poll arrives only after the third failure was handled.
    app.fake.wait_for_calls("getUpdates", polls + 4, WAIT).await;
    let (status, body) = health(app.running.http_addr).await;
    assert_eq!(
        (status, &body["status"]),
        (503, &json!("failing")),
        "{body}"
    );
    assert_eq!(body["polling_failing"], true);

    // A poll after a successful one means the success was handled.
    app.fake.wait_for_calls("getUpdates", polls + 6, WAIT).await;
    let (status, body) = health(app.running.http_addr).await;
    assert_eq!((status, &body["status"]), (200, &json!("ok")), "{body}");
    app.drain_and_stop().await;
}

#[tokio::test]
async fn shutdown_finishes_a_pending_batch() {
    let tuning = Tuning {
        batch_window: Duration::from_secs(3600),
        ..Tuning::default()
    };
    let app = TestApp::start_with(FakeBotApi::start().await, tuning).await;
    let alice = TestUser::alice();
    app.fake
        .enqueue_updates(app.fake.album(&alice, &["a", "b"], Some(SCAM_EN)));

    let (fake, _, _) = tokio::time::timeout(WAIT, app.drain_and_stop())
        .await
        .expect("shutdown does not wait for the batch window");

    let sent = fake.sent_messages();
    assert_eq!(
        sent.len(),
        1,
        "the album was held, then answered before exit"
    );
    let answer = fake.message(alice.id, sent[0].message_id).unwrap();
    let answer = answer["text"].as_str().unwrap_or_default();
    // The photos were never uploaded: the caption's verdict, then a note says so.
    assert!(answer.starts_with("🚨 <b>"), "{answer}");
    assert!(answer.contains("⚠️ I could not download"), "{answer}");
}

#[test]
fn serve_without_a_token_says_so_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test.toml"), TEST_RULES).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env("SELLERGUARD_RULES_DIR", dir.path())
        .env("SELLERGUARD_DATA_DIR", dir.path().join("data"))
        .env("SELLERGUARD_HTTP_ADDR", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs the binary");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert!(first.contains("TELEGRAM_BOT_TOKEN is not set"), "{first}");
    assert!(first.contains("/healthz"), "{first}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
}

#[test]
fn serve_with_a_bad_setting_exits_2_naming_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SELLERGUARD_ADMIN_IDS", "12,abc")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SELLERGUARD_ADMIN_IDS") && stderr.contains("\"abc\""),
        "{stderr}"
    );
}

#[test]
fn serve_with_a_bad_api_url_exits_2_before_listening() {
    let output = Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TELEGRAM_BOT_TOKEN", "123:ABC")
        .env("TELEGRAM_API_URL", "http://exa mple.com/")
        .env("SELLERGUARD_HTTP_ADDR", "127.0.0.1:0")
        .env("SELLERGUARD_DATA_DIR", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("TELEGRAM_API_URL"), "{stderr}");
    assert!(!stderr.contains("/healthz"), "nothing listened: {stderr}");
}

#[test]
fn a_malformed_log_filter_is_an_error_naming_the_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .args(["check", "hello"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SELLERGUARD_LOG", "sellerguard=loud")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("SELLERGUARD_LOG"), "{stderr}");
}

#[tokio::test]
async fn the_webhook_refuses_a_wrong_secret_before_reading_a_large_body() {
    let app = TestApp::start_webhook().await;
    let url = format!("http://{}/tg/hook", app.running.http_addr);
    let client = reqwest::Client::new();
    let big = vec![b' '; 5 << 20];
    let post = |secret: &'static str| {
        client
            .post(&url)
            .header("X-Telegram-Bot-Api-Secret-Token", secret)
            .body(big.clone())
            .send()
    };

    let wrong = post("wrong").await.unwrap().status().as_u16();
    let right = post("s3cret_token").await.unwrap().status().as_u16();
    app.running.shutdown().await.unwrap();

    assert_eq!(wrong, 401, "refused from the header");
    assert_eq!(right, 413, "a body over 1 MiB is not read whole");
}

#[tokio::test]
async fn webhook_mode_registers_the_hook_and_takes_updates_from_the_web_server() {
    let app = TestApp::start_webhook().await;
    let set = app.fake.wait_for_calls("setWebhook", 1, WAIT).await;
    assert_eq!(set[0].params["url"], "https://bot.example.com/tg/hook");
    assert_eq!(set[0].params["secret_token"], "s3cret_token");
    let alice = TestUser::alice();
    let mut scam = app.fake.private_text(&alice, SCAM_EN);
    scam["update_id"] = json!(41);
    let mut harmless = app.fake.private_text(&alice, support::app::HARMLESS);
    harmless["update_id"] = json!(42);
    let url = format!("http://{}/tg/hook", app.running.http_addr);
    let client = reqwest::Client::new();
    let post = |secret: &str, update: &Value| {
        client
            .post(&url)
            .header("X-Telegram-Bot-Api-Secret-Token", secret)
            .header("content-type", "application/json")
            .body(update.to_string())
            .send()
    };

    let refused = post("wrong", &scam).await.unwrap();
    let accepted = post("s3cret_token", &scam).await.unwrap();
    let again = post("s3cret_token", &scam).await.unwrap();
    let next = post("s3cret_token", &harmless).await.unwrap();
    // Updates are taken over in order, so the redelivery was seen before the next one.
    let sent = app.fake.wait_for_sent(2, WAIT).await;
    app.running.shutdown().await.unwrap();

    for (response, status) in [(refused, 401), (accepted, 200), (again, 200), (next, 200)] {
        assert_eq!(response.status().as_u16(), status);
    }
    assert_eq!(
        app.fake.sent_messages().len(),
        2,
        "a redelivery is not answered twice"
    );
    assert!(sent[0].text.starts_with("🚨"));
    assert!(sent[1].text.starts_with("✅"));
    assert!(
        app.fake.calls_to("getUpdates").is_empty(),
        "no polling in webhook mode"
    );
}

#[tokio::test]
async fn polling_removes_a_webhook_left_set() {
    let fake = FakeBotApi::start().await;
    let bot = teloxide::Bot::new(fake.token()).set_api_url(fake.url());
    teloxide::prelude::Requester::set_webhook(&bot, "https://old.example.com/".parse().unwrap())
        .await
        .unwrap();

    let app = TestApp::start_with(fake, Tuning::default()).await;

    assert_eq!(app.fake.calls_to("deleteWebhook").len(), 1);
    app.drain_and_stop().await;
}
