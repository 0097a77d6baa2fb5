//! `kill -9` of the real `sellerguard serve` in the middle of `/report` traffic: every
//! report the bot said "thank you" for is in the store after the restart, every stored
//! report's reporter is thanked, and nothing is filed or answered twice. And `kill -9`
//! between a holding reply ("Checking…") and the edit that turns it into the card:
//! after the restart the same message becomes the card, whether the answer was still
//! to be worked out (the update is handled again) or already owed as the edit (the
//! outbox redelivers it).
//!
//! The kill lands while reports are still being filed and acknowledgements are owed
//! but held by the fake Bot API (recorded, not handled), so none is in the one window
//! no bot can close: Telegram took a message and the bot died before hearing so.
//! Synchronisation is by waiting for the fake's calls, never by sleeping.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use sellerguard::store::{Store, StoreOptions};
use serde_json::Value;

use support::app::SCAM_EN;
use support::fake_bot_api::{FakeBotApi, SentMessage, TestUser};
use support::serve;

/// Sellers, each filing one `/report`.
const SELLERS: i64 = 120;
/// Acknowledgements let through before the fake starts holding them.
const THANKED_FIRST: usize = 30;
/// Acknowledgements of the second half held (owed, not sent) when the bot is killed,
/// while the rest of that half is still being filed.
const HELD_AT_KILL: usize = 10;
/// Bound on every wait (debug build, shared 2-core machine).
const WAIT: Duration = Duration::from_secs(120);
const THANKS: &str = "Thank you, your report was recorded";

fn seller(n: i64) -> TestUser {
    TestUser::new(9_000 + n, "Seller")
}

/// Seller `n`'s `/report`, as a reply to a scam only they were sent.
fn report_update(fake: &FakeBotApi, n: i64) -> Value {
    let user = seller(n);
    let scam = fake.private_text(&user, &format!("{SCAM_EN} ref {n}"));
    let mut report = fake.private_text(&user, "/report");
    report["message"]["reply_to_message"] = scam["message"].clone();
    report
}

/// How many thank-yous each chat got.
fn thanks_per_chat(fake: &FakeBotApi) -> HashMap<i64, usize> {
    let mut thanks = HashMap::new();
    for sent in fake.sent_messages() {
        assert!(sent.text.starts_with(THANKS), "{}", sent.text);
        *thanks.entry(sent.chat_id).or_default() += 1;
    }
    thanks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_report_traffic_loses_no_acknowledged_report_and_thanks_once() {
    let dir = tempfile::tempdir().unwrap();
    serve::prepare(dir.path());
    let fake = FakeBotApi::start().await;
    let mut child = serve::serve(&fake, dir.path());
    let half = SELLERS / 2;
    for n in 0..half {
        fake.enqueue_update(report_update(&fake, n));
    }
    fake.wait_for_sent(THANKED_FIRST, WAIT).await;
    fake.hold("sendMessage");
    for n in half..SELLERS {
        fake.enqueue_update(report_update(&fake, n));
    }
    let second_half = |call: &support::fake_bot_api::Call| {
        call.params["chat_id"].as_i64() >= Some(seller(half).id)
    };
    fake.wait_for_calls_matching("sendMessage", HELD_AT_KILL, WAIT, second_half)
        .await;
    serve::signal(&child, "KILL");
    child.wait().await.expect("killed");
    let thanked_before = thanks_per_chat(&fake);
    let calls_before = fake.calls_to("sendMessage").len();
    // The held calls die with their connections, unhandled.
    fake.go_offline().await;
    fake.release("sendMessage");
    fake.come_back().await;

    let polls = fake.calls_to("getUpdates").len();
    let mut child = serve::serve(&fake, dir.path());
    fake.wait_for_sent(SELLERS as usize, WAIT).await;
    fake.wait_for_calls("getUpdates", polls + 2, WAIT).await;
    serve::signal(&child, "TERM");
    let status = tokio::time::timeout(WAIT, child.wait()).await;
    assert!(status.expect("serve stops").expect("exit").success());
    let thanked = thanks_per_chat(&fake);
    let second_half_owed = fake
        .calls_to("sendMessage")
        .iter()
        .take(calls_before)
        .filter(|call| second_half(call))
        .count();

    let store = Store::open(&dir.path().join("data"), StoreOptions::default()).unwrap();
    let reports: Vec<_> = store.export().map(Result::unwrap).collect();
    let mut filed = HashMap::new();
    for n in 0..SELLERS {
        let reporter = store.reporter_hash(&format!("tg:{}", seller(n).id));
        let theirs: Vec<_> = reports.iter().filter(|r| r.reporter == reporter).collect();
        assert!(
            theirs
                .iter()
                .all(|r| r.text.ends_with(&format!(" ref {n}"))),
            "{theirs:?}"
        );
        filed.insert(seller(n).id, theirs.len());
    }
    eprintln!(
        "kill -9 after {} thank-yous, with {} more owed ({second_half_owed} of the second \
         half's {half}); after the restart: {} reports stored, {} sellers thanked",
        thanked_before.len(),
        calls_before - thanked_before.len(),
        reports.len(),
        thanked.len(),
    );

    for chat in thanked_before.keys() {
        assert_eq!(
            filed[chat], 1,
            "an acknowledged report is stored: seller {chat}"
        );
    }
    assert_eq!(reports.len(), SELLERS as usize, "every report filed once");
    assert!(filed.values().all(|n| *n == 1), "{filed:?}");
    assert_eq!(thanked.len(), SELLERS as usize, "every reporter thanked");
    assert!(
        thanked.values().all(|n| *n == 1),
        "nobody thanked twice: {thanked:?}"
    );
}

/// Kills `child` and waits until it is gone.
async fn kill(child: &mut tokio::process::Child) {
    serve::signal(child, "KILL");
    child.wait().await.expect("killed");
}

/// Stops `child` with SIGTERM; it must exit cleanly.
async fn stop(mut child: tokio::process::Child) {
    serve::signal(&child, "TERM");
    let status = tokio::time::timeout(WAIT, child.wait()).await;
    assert!(status.expect("serve stops").expect("exit").success());
}

/// The one message the bot sent (a holding reply), as it reads now after any edits.
fn the_one_reply(fake: &FakeBotApi) -> (SentMessage, String) {
    let sent = fake.sent_messages();
    assert_eq!(sent.len(), 1, "one message, edited in place: {sent:#?}");
    let held = sent.into_iter().next().expect("one");
    let now = fake
        .message(held.chat_id, held.message_id)
        .expect("still there");
    let text = now["text"].as_str().unwrap_or_default().to_owned();
    (held, text)
}

/// Starts `serve` on `dir` again, waits for the `edits`th editMessageText and stops it
/// gracefully (an update handled again finishes first, and must send nothing); what
/// the one holding reply became.
async fn restart_until_edited(fake: &FakeBotApi, dir: &std::path::Path, edits: usize) -> String {
    let child = serve::serve(fake, dir);
    fake.wait_for_calls("editMessageText", edits, WAIT).await;
    stop(child).await;
    let (held, card) = the_one_reply(fake);
    assert_eq!(held.text, "⏳ Checking…");
    card
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_a_screenshot_is_held_and_the_restart_edits_the_holding_reply() {
    let dir = tempfile::tempdir().unwrap();
    serve::prepare(dir.path());
    let fake = FakeBotApi::start().await;
    let shot = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ocr");
    let bytes = std::fs::read(shot.join("en_parcel_dark.jpg")).expect("fixture");
    fake.register_file("parcel", &bytes);
    // The download waits, so the bot dies after "Checking…" and before any answer.
    fake.hold("getFile");
    let mut child = serve::serve(&fake, dir.path());
    fake.enqueue_update(fake.photo(&TestUser::alice(), "parcel", None));
    fake.wait_for_sent(1, WAIT).await;
    // The download is asked for only once the holding reply is settled.
    fake.wait_for_calls("getFile", 1, WAIT).await;
    kill(&mut child).await;
    fake.go_offline().await;
    fake.release("getFile");
    fake.come_back().await;

    let card = restart_until_edited(&fake, dir.path(), 1).await;

    // The test rules know no "release fee": what matters is where the card went.
    assert!(card.starts_with("✅ <b>"), "the verdict first: {card}");
    assert!(
        card.contains("🖼 Text read from the screenshot:")
            && card.contains("dhl-customs-release.info"),
        "read after the restart: {card}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_the_edit_of_a_holding_reply_and_the_restart_redelivers_it() {
    let dir = tempfile::tempdir().unwrap();
    serve::prepare(dir.path());
    let fake = FakeBotApi::start().await;
    fake.hold("editMessageText");
    let mut child = serve::serve(&fake, dir.path());
    let (alice, scammer) = (TestUser::alice(), TestUser::new(77, "Scammer"));
    fake.enqueue_update(fake.forwarded_from_user(&alice, &scammer, SCAM_EN));
    fake.wait_for_sent(1, WAIT).await;
    // The edit is owed before it is tried: the bot dies with it in flight.
    fake.wait_for_calls("editMessageText", 1, WAIT).await;
    fake.go_offline().await;
    kill(&mut child).await;
    fake.release("editMessageText");
    fake.come_back().await;
    assert!(
        the_one_reply(&fake).1.starts_with("⏳"),
        "the cut edit was never handled"
    );

    let card = restart_until_edited(&fake, dir.path(), 2).await;

    assert!(card.starts_with("🚨 <b>High risk"), "{card}");
}
