//! Runs the real binary on a data directory, from the checkout, with the built-in
//! config (no config directory of the machine is read).

use std::path::Path;
use std::process::Command;

/// `sellerguard ARGS --data-dir DATA`; returns (exit code, stdout, stderr).
pub fn run(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SELLERGUARD_RULES_DIR")
        .env_remove("SELLERGUARD_CONFIG_DIR")
        .env("XDG_CONFIG_HOME", data.with_file_name("xdg-config"))
        .output()
        .expect("runs the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8(out.stderr).expect("UTF-8 errors"),
    )
}

/// As [`run`], asserting success; returns stdout.
pub fn ok(data: &Path, args: &[&str]) -> String {
    let (code, stdout, stderr) = run(data, args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}
