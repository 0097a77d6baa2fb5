//! `sellerguard check` and `sellerguard eval` through the real binary with the shipped
//! rules and config: the verdicts the issue names, stdin input, JSON fields, and eval
//! on all three file formats with clear errors for bad files.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The binary with `args`, shipped rules, no data directory, piped stdio.
fn spawn(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SELLERGUARD_RULES_DIR")
        .env("SELLERGUARD_DATA_DIR", "/nonexistent/sellerguard-test")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs the binary")
}

fn sellerguard(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = spawn(args);
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn check_json(text: &str) -> Value {
    let (code, stdout, stderr) = sellerguard(&["check", "--json", text], None);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("check --json prints JSON")
}

#[test]
fn the_issue_examples() {
    let cases = [
        (
            "我是亚马逊官方招商经理，免费开店注册，提供提现和贷款服务，加微信 amz_vip888 详谈",
            "high",
        ),
        (
            "Hello, I am Amazon's official merchant manager. Free store registration, withdrawal and loan service, add WeChat: amzmanager01",
            "high",
        ),
        (
            "【招商银行】您账户8842于11月20日15:32收入人民币12,500.00元，余额36,210.55元。",
            "low",
        ),
        (
            "Chase: your balance on account ending 4421 is $2,310.55 as of 11/20. Reply STOP to end alerts.",
            "low",
        ),
    ];
    for (text, level) in cases {
        let verdict = check_json(text);
        assert_eq!(verdict["level"], level, "{text}\n{verdict:#}");
    }
}

#[test]
fn json_has_the_documented_fields() {
    let v = check_json("我是亚马逊官方招商经理，加微信 amz_vip888");
    for field in ["level", "score", "family", "signals", "indicators"] {
        assert!(v.get(field).is_some(), "missing {field}: {v:#}");
    }
    let signal = &v["signals"][0];
    for field in ["rule_id", "family", "weight", "explanation", "evidence"] {
        assert!(
            signal.get(field).is_some(),
            "signal missing {field}: {signal:#}"
        );
    }
    assert_eq!(v["indicators"][0]["kind"], "wechat");
}

#[test]
fn reads_standard_input_and_speaks_both_languages() {
    let text = "亚马逊官方客户经理：您的店铺需要激活，请加V信 amz_vip888 办理";
    let (code, zh, _) = sellerguard(&["check", "--lang", "zh"], Some(text));
    assert_eq!(code, 0);
    assert!(zh.starts_with("🚨") || zh.starts_with("⚠️"), "{zh}");
    assert!(zh.contains("建议"), "{zh}");
    let (_, en, _) = sellerguard(&["check", "--lang", "en"], Some(text));
    assert!(en.contains("What to do"), "{en}");
}

#[test]
fn without_lang_the_card_speaks_the_messages_language() {
    let zh = "亚马逊官方客户经理：您的店铺需要激活，请加V信 amz_vip888 办理";
    let (code, out, _) = sellerguard(&["check"], Some(zh));
    assert_eq!(code, 0);
    assert!(out.contains("建议"), "{out}");
    let (_, out, _) = sellerguard(&["check", zh], None);
    assert!(out.contains("建议"), "{out}");
    let (_, out, _) = sellerguard(&["check", "Your parcel is held, pay the fee now"], None);
    assert!(out.contains("What to do"), "{out}");
    let (_, out, _) = sellerguard(&["check", "--json"], Some(zh));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!(
        v["advice"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{v:#}"
    );
}

#[test]
fn bad_arguments_are_clear_errors() {
    let (code, _, stderr) = sellerguard(&["check", "--lang", "fr", "x"], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("fr"), "{stderr}");
}

fn write_temp(name: &str, content: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path.display().to_string())
}

#[test]
fn eval_reads_every_format() {
    let scam = "我是亚马逊官方招商经理，免费开店，加微信 amz_vip888";
    let legit = "【招商银行】您账户8842于11月20日收入人民币500.00元，余额6,210.55元。";
    let files = [
        (
            "set.jsonl",
            format!(
                "{{\"text\":\"{scam}\",\"label\":\"scam\",\"category\":\"imp\"}}\n{{\"text\":\"{legit}\",\"label\":\"legit\"}}\n"
            ),
        ),
        ("SMSSpamCollection", format!("spam\t{scam}\nham\t{legit}\n")),
        (
            "set.csv",
            format!("LABEL,TEXT,URL\r\nsmishing,\"{scam}\",No\r\nham,\"{legit}\",No\r\n"),
        ),
    ];
    for (name, content) in files {
        let (_dir, path) = write_temp(name, &content);
        let (code, stdout, stderr) = sellerguard(&["eval", "--json", "--data", &path], None);
        assert_eq!(code, 0, "{name}: {stderr}");
        let v: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            v["overall"],
            serde_json::json!({"tp": 1, "fp": 0, "tn": 1, "fn": 0}),
            "{name}: {v:#}"
        );
        assert!(v["by_lang"]["zh"].is_object(), "{v:#}");
        assert!(v["throughput"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn eval_writes_errors_and_names_bad_lines() {
    let (dir, path) = write_temp(
        "set.jsonl",
        "{\"text\":\"hello there\",\"label\":\"scam\"}\n",
    );
    let errors = dir.path().join("errors.jsonl");
    let (code, stdout, _) = sellerguard(
        &[
            "eval",
            "--data",
            &path,
            "--errors",
            errors.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("precision"), "{stdout}");
    let written = std::fs::read_to_string(&errors).unwrap();
    let row: Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    assert_eq!(
        (row["line"].as_u64(), row["label"].as_str()),
        (Some(1), Some("scam"))
    );
    assert_eq!(row["verdict"]["level"], "low");

    let (_dir, path) = write_temp(
        "bad.jsonl",
        "{\"text\":\"a\",\"label\":\"ham\"}\n{\"text\":\"b\",\"label\":\"perhaps\"}\n",
    );
    let (code, _, stderr) = sellerguard(&["eval", "--data", &path], None);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.jsonl:2: unknown label \"perhaps\""),
        "{stderr}"
    );
}

#[test]
fn screenshots_are_read_and_judged() {
    let (code, stdout, stderr) = sellerguard(
        &[
            "check",
            "--json",
            "--image",
            "tests/fixtures/ocr/zh_light.jpg",
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["level"], "high", "{v:#}");
    assert!(
        v["ocr_text"]
            .as_str()
            .unwrap()
            .contains("amazon-seller-verify.top"),
        "{v:#}"
    );

    let (code, stdout, _) = sellerguard(
        &[
            "check",
            "--lang",
            "en",
            "--image",
            "tests/fixtures/ocr/en_parcel_dark.jpg",
            "forwarded by a friend",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(stdout.starts_with("Text read from the image"), "{stdout}");
    assert!(stdout.contains("🚨"), "{stdout}");
}

#[test]
fn bad_images_are_refused_politely() {
    for (file, says) in [
        ("bad_bomb.png", "pixels"),
        ("bad_truncated.jpg", "corrupt"),
        ("bad_not_an_image.jpg", "format"),
        ("bad_blank.png", "no readable text"),
    ] {
        let path = format!("tests/fixtures/ocr/{file}");
        let (code, _, stderr) = sellerguard(&["check", "--image", &path], None);
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stderr.to_lowercase().contains(says), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    }
}

#[test]
fn ocr_eval_reports_error_rate_and_latency() {
    let (code, stdout, stderr) = sellerguard(&["ocr", "eval", "--dir", "tests/fixtures/ocr"], None);
    assert_eq!(code, 0, "{stderr}");
    let summary = stdout.lines().last().unwrap();
    assert!(
        summary.starts_with("images: 12  mean CER:") && summary.contains("p99"),
        "{stdout}"
    );
}

#[test]
fn the_binary_runs_with_one_openmp_thread_even_when_unset() {
    // libgomp reads OMP_THREAD_LIMIT when it loads, so `main` re-executes itself with
    // it set; the environment of the running process shows whether that happened.
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .arg("serve")
        .env_remove("OMP_THREAD_LIMIT")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env("SELLERGUARD_HTTP_ADDR", "127.0.0.1:0")
        .env("SELLERGUARD_DATA_DIR", dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let environ = format!("/proc/{}/environ", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut seen = false;
    while !seen && std::time::Instant::now() < deadline {
        let raw = std::fs::read(&environ).unwrap_or_default();
        seen = raw.split(|&b| b == 0).any(|v| v == b"OMP_THREAD_LIMIT=1");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().ok();
    child.wait().ok();
    assert!(
        seen,
        "OMP_THREAD_LIMIT=1 never appeared in the process environment"
    );
}

/// `check` reading `input` from standard input, written from another thread so a
/// child that stops reading early cannot block the test.
fn check_stdin(input: Vec<u8>) -> (i32, String) {
    let mut child = spawn(&["check"]);
    let mut stdin = child.stdin.take().unwrap();
    // The child may stop reading at the cap: a broken pipe here is expected.
    let writer = std::thread::spawn(move || drop(stdin.write_all(&input)));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn input_is_bounded_and_empty_input_is_nothing_to_check() {
    let cap = sellerguard::triage::MAX_TEXT_BYTES;
    let cases: Vec<(Vec<u8>, i32, &str)> = vec![
        (Vec::new(), 2, "nothing to check"),
        (b" \n\t ".to_vec(), 2, "nothing to check"),
        (vec![b'a'; cap + 1], 2, "longer than 1048576 bytes"),
        (vec![b'a'; 8 << 20], 2, "longer than 1048576 bytes"),
        (vec![0xff, 0xfe, b'a'], 2, "not UTF-8"),
        (vec![b'a'; cap], 0, ""),
    ];
    for (input, code, message) in cases {
        let len = input.len();
        let (got, stderr) = check_stdin(input);
        assert_eq!(got, code, "{len} bytes: {stderr}");
        assert!(stderr.contains(message), "{len} bytes: {stderr}");
    }
    let (code, _, stderr) = sellerguard(&["check", "  "], None);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nothing to check"), "{stderr}");
}
