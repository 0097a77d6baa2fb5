//! The command line while `serve` runs: the service (the app on port 0 over a real
//! store in a temp data dir) writes its service file, and the data commands run by
//! the real binary on the same data directory go through its API and succeed (`reports
//! import` too, validated and audited as when it opens the store itself); once it
//! stops the file is gone, and a store held by a process that does not answer is one
//! clear sentence.

mod support;

use std::path::Path;

use sellerguard::config::Settings;
use sellerguard::triage::Triage;
use support::app::SCAM_EN;
use support::service::TestService;

/// Runs the binary off the async threads (the service answers it meanwhile).
async fn sellerguard(data: &Path, args: &[&str]) -> (i32, String, String) {
    let data = data.to_owned();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        support::cli::run(&data, &args)
    })
    .await
    .unwrap()
}

async fn ok(data: &Path, args: &[&str]) -> String {
    let (code, stdout, stderr) = sellerguard(data, args).await;
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_commands_go_through_the_running_service() {
    let service = TestService::start(|_| {}).await;
    let data = service.dir.path().join("data");
    let file = data.join("service.json");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "the service file holds a token");

    let added = ok(
        &data,
        &[
            "reports",
            "add",
            "--text",
            SCAM_EN,
            "--reporter",
            "seller-1",
        ],
    )
    .await;
    let id = added.lines().next().unwrap().trim().to_owned();
    assert!(ok(&data, &["reports", "pending"]).await.contains(&id));
    ok(
        &data,
        &["reports", "review", &id, "--confirm", "--note", "fake"],
    )
    .await;
    ok(&data, &["indicators", "block", "wechat:amz_vip888"]).await;
    let stats = ok(&data, &["stats"]).await;
    assert!(
        stats.contains("reports received: 1") && stats.contains("confirmed 1"),
        "{stats}"
    );
    let export = ok(&data, &["reports", "export"]).await;
    assert!(
        export.contains(&format!("\"id\":\"{id}\"")) && export.contains("\"status\":\"confirmed\""),
        "{export}"
    );
    let verdict = ok(&data, &["check", "--json", SCAM_EN]).await;
    let verdict: serde_json::Value = serde_json::from_str(&verdict).unwrap();
    assert_eq!(verdict["level"], "high");
    assert!(
        verdict.get("card").is_none(),
        "check --json keeps its shape"
    );
    assert!(ok(&data, &["token", "list"]).await.contains("alice"));
    let backup = service.dir.path().join("store.backup");
    ok(&data, &["backup", backup.to_str().unwrap()]).await;
    assert!(std::fs::metadata(&backup).unwrap().len() > 0);
    let corpus = write_corpus(service.dir.path());
    let corpus = corpus.to_str().unwrap();
    let imported = ok(
        &data,
        &["reports", "import", "--data", corpus, "--as", "confirmed"],
    )
    .await;
    assert!(
        imported.contains("imported 2 scam report(s) and 1 legitimate row(s)"),
        "{imported}"
    );

    let audit = service.running.triage.audit(None, 100).unwrap();
    let by_cli: Vec<_> = audit
        .iter()
        .filter(|e| e.decision.origin == "cli" && e.decision.actor == "cli")
        .map(|e| (e.decision.action.as_str(), e.decision.target.as_str()))
        .collect();
    let expected = [
        ("token-create", "alice"),
        ("confirm", id.as_str()),
        ("block", "wechat:amz_vip888"),
        ("reports-import", corpus),
    ];
    assert_eq!(
        by_cli, expected,
        "the test helper made alice's token from the CLI"
    );

    let stopped = service.running.shutdown().await;
    stopped.expect("clean shutdown");
    assert!(!file.exists(), "the service file goes with the service");

    let copy = service.dir.path().join("restored");
    let backup = backup.to_str().unwrap();
    let (code, _, stderr) = sellerguard(&data, &["restore", backup]).await;
    assert_eq!(code, 2, "never over a store");
    assert!(stderr.contains("already holds a store"), "{stderr}");
    ok(&copy, &["restore", backup]).await;
    assert_eq!(
        ok(&copy, &["reports", "export"]).await,
        export,
        "the online backup restores"
    );
    assert!(ok(&copy, &["token", "list"]).await.contains("alice"));
    assert!(ok(&copy, &["stats"]).await.contains("confirmed 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_held_by_a_silent_process_is_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let mut settings = Settings::builtin();
    settings.data_dir = data.clone();
    let _held = Triage::open(&settings).unwrap();
    let (code, stdout, stderr) = sellerguard(&data, &["stats"]).await;
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("is in use by another sellerguard process"),
        "{stderr}"
    );
    assert!(!stderr.contains("database error"), "{stderr}");
    let (code, stdout, stderr) = sellerguard(&data, &["check", SCAM_EN]).await;
    assert_eq!(code, 0, "check judges by the rules alone: {stderr}");
    assert!(stdout.contains("High risk"), "{stdout}");
    assert!(stderr.contains("judging by the rules alone"), "{stderr}");
}

/// Two scam rows and one legitimate row as JSON Lines in `dir`.
fn write_corpus(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("corpus.jsonl");
    let rows = [
        serde_json::json!({"text": SCAM_EN, "label": "scam"}),
        serde_json::json!({"text": "Pay the customs fee at http://fee-pay.top now", "label": "spam"}),
        serde_json::json!({"text": "Your order shipped, thanks for shopping", "label": "ham"}),
    ];
    let lines: Vec<String> = rows.iter().map(ToString::to_string).collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// How many reports `reports export` lists, and how many of them are pending.
async fn exported(data: &Path) -> (usize, usize) {
    let export = ok(data, &["reports", "export"]).await;
    let lines = export.lines().count();
    let pending = export.matches("\"status\":\"pending\"").count();
    (lines, pending)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_import_through_the_service_is_the_direct_import() {
    let service = TestService::start(|_| {}).await;
    let data = service.dir.path().join("data");
    let bad = service.dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"text\": \"a\", \"label\": \"scam\"}\n{\"text\": \"b\", \"label\": \"maybe\"}\n",
    )
    .unwrap();
    let (code, _, stderr) = sellerguard(
        &data,
        &["reports", "import", "--data", bad.to_str().unwrap()],
    )
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("bad.jsonl:2: unknown label \"maybe\""),
        "the file and line, as the direct path says: {stderr}"
    );
    assert!(
        ok(&data, &["reports", "export"]).await.is_empty(),
        "nothing imported"
    );

    let corpus = write_corpus(service.dir.path());
    let corpus = corpus.to_str().unwrap();
    let args = ["reports", "import", "--data", corpus];
    let first = ok(&data, &args).await;
    assert!(
        first.contains("imported 2 scam report(s) and 0 legitimate"),
        "{first}"
    );
    assert_eq!(exported(&data).await, (2, 2), "pending by default");
    assert!(
        ok(&data, &["reports", "pending"])
            .await
            .contains("customs fee")
    );
    ok(&data, &args).await;
    let through_service = exported(&data).await;

    let audit = service.running.triage.audit(None, 100).unwrap();
    let imports: Vec<_> = audit
        .iter()
        .filter(|e| e.decision.action == "reports-import")
        .map(|e| {
            (
                e.decision.target.as_str(),
                e.decision.note.as_str(),
                e.decision.origin.as_str(),
            )
        })
        .collect();
    let note = "2 scam report(s), 0 legitimate row(s), as pending";
    assert_eq!(imports, [(corpus, note, "cli"), (corpus, note, "cli")]);
    service.running.shutdown().await.expect("clean shutdown");

    let direct = service.dir.path().join("direct");
    for _ in 0..2 {
        ok(&direct, &args).await;
    }
    assert_eq!(
        exported(&direct).await,
        through_service,
        "a second import does what the direct path does"
    );
}
