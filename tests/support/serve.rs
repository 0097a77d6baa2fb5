//! The real `sellerguard serve` binary as a child process, against the fake Bot API,
//! with its rules and data in a test's temp dir: for tests of signals and crashes.

use std::path::Path;
use std::process::Stdio;

use tokio::process::{Child, Command};

use super::app::TEST_RULES;
use super::fake_bot_api::FakeBotApi;

/// Writes `TEST_RULES` into `dir/rules` (the data goes to `dir/data`).
pub fn prepare(dir: &Path) {
    std::fs::create_dir_all(dir.join("rules")).expect("rules dir");
    std::fs::write(dir.join("rules/test.toml"), TEST_RULES).expect("rule file");
}

/// `sellerguard serve` (long polling) against `fake` with its data in `dir`.
pub fn serve(fake: &FakeBotApi, dir: &Path) -> Child {
    serve_with(fake, dir, &[])
}

/// As [`serve`], with more environment variables (`SELLERGUARD_ADMIN_IDS`, ...).
pub fn serve_with(fake: &FakeBotApi, dir: &Path, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .arg("serve")
        .envs(env.iter().copied())
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

/// The child's resident memory (VmRSS), in KiB.
pub fn rss_kib(child: &Child) -> u64 {
    let pid = child.id().expect("running");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .expect("VmRSS line");
    let kib = line.split_whitespace().nth(1).expect("VmRSS value");
    kib.parse().expect("VmRSS in KiB")
}

/// Sends `signal` (`TERM`, `KILL`) to the child.
pub fn signal(child: &Child, signal: &str) {
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid])
        .status();
    assert!(sent.expect("kill runs").success());
}
