//! The installed binary run from anywhere: from an empty directory with everything built
//! in, from a config directory written by `init` and edited (by flag, by
//! `SELLERGUARD_CONFIG_DIR`, and as the platform config directory), and with broken
//! config: one clear error whose chain never repeats itself.

use std::path::Path;
use std::process::Command;

/// The binary in `cwd` with a private HOME/XDG tree, so no real config is picked up.
fn sellerguard(cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sellerguard"));
    command
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .env("XDG_CONFIG_HOME", cwd.join("xdg-config"))
        .env("XDG_DATA_HOME", cwd.join("xdg-data"))
        .env_remove("SELLERGUARD_CONFIG_DIR")
        .env_remove("SELLERGUARD_RULES_DIR")
        .env_remove("SELLERGUARD_DATA_DIR")
        .env_remove("SELLERGUARD_MODEL_FILE");
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().expect("runs the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The number of rules `rules check` reports compiling.
fn rule_count(stdout: &str) -> usize {
    stdout
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no rule count in {stdout:?}"))
}

/// Fails when one part of an error chain (`a: b: c`) says again what an earlier part said.
fn assert_no_repeat(stderr: &str) {
    let parts: Vec<&str> = stderr
        .split([':', '\n'])
        .map(str::trim)
        .filter(|p| p.len() >= 12)
        .collect();
    for (i, part) in parts.iter().enumerate() {
        assert!(
            !parts[..i].contains(part),
            "{part:?} is said twice in: {stderr}"
        );
    }
    assert!(stderr.starts_with("error: "), "{stderr}");
}

const EXTRA_RULE: &str = r#"
[cue.local_test_word]
keywords = ["zqxjkbanana"]

[[rule]]
id = "local.test-word"
family = "loan-advance-fee"
weight = 80
all = ["local_test_word"]
explain = { zh = "测试规则。", en = "A test rule." }
examples = { match = ["zqxjkbanana"], no_match = ["banana"] }
"#;

#[test]
fn checks_from_an_empty_directory_with_everything_built_in() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = sellerguard(
        dir.path(),
        &[
            "check",
            "我是亚马逊官方招商经理，免费开店，加微信 amz_vip888",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("高风险"), "{out}");
    let (code, out, err) = sellerguard(dir.path(), &["rules", "check"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(rule_count(&out) > 100, "{out}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "check and rules check write nothing into the working directory"
    );
}

#[test]
fn an_init_directory_is_edited_and_read_by_flag_env_and_platform_dir() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let builtin = rule_count(&sellerguard(cwd, &["rules", "check"], &[]).1);

    let config = cwd.join("xdg-config/sellerguard");
    let (code, out, err) = sellerguard(cwd, &["init", config.to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("--config-dir"), "{out}");
    for name in [
        "sellerguard.toml",
        "channels.toml",
        "advice.toml",
        "model.bin",
        "rules/grammar.toml",
    ] {
        assert!(config.join(name).is_file(), "{name} written");
    }
    let (code, _, err) = sellerguard(cwd, &["init", config.to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");

    std::fs::write(config.join("rules/local.toml"), EXTRA_RULE).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let by_flag = sellerguard(
        elsewhere.path(),
        &["--config-dir", config.to_str().unwrap(), "rules", "check"],
        &[],
    );
    assert_eq!(rule_count(&by_flag.1), builtin + 1, "{}", by_flag.2);
    let by_env = sellerguard(
        elsewhere.path(),
        &["rules", "check"],
        &[("SELLERGUARD_CONFIG_DIR", &config)],
    );
    assert_eq!(rule_count(&by_env.1), builtin + 1, "{}", by_env.2);
    // `cwd` is HOME with XDG_CONFIG_HOME/sellerguard: the platform config dir.
    let (code, out, err) = sellerguard(cwd, &["check", "--json", "zqxjkbanana"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("local.test-word"), "{out}");

    // A settings file with a relative data_dir resolves it from its own folder.
    std::fs::write(config.join("sellerguard.toml"), "data_dir = 'state'\n").unwrap();
    let (code, out, err) = sellerguard(
        elsewhere.path(),
        &[
            "--config-dir",
            config.to_str().unwrap(),
            "reports",
            "add",
            "--text",
            "zqxjkbanana",
            "--reporter",
            "r1",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with('r'), "prints the report id: {out}");
    assert!(
        config.join("state/db").exists(),
        "the data dir is beside the settings file"
    );
}

#[test]
fn broken_config_is_one_clear_error_that_never_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let (code, _, err) = sellerguard(cwd, &["--config-dir", "nowhere", "check", "hi"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("sellerguard init nowhere"), "{err}");
    assert_no_repeat(&err);

    let config = cwd.join("conf");
    sellerguard(cwd, &["init", "conf"], &[]);
    std::fs::write(config.join("rules/broken.toml"), "[[rule]\nid = \n").unwrap();
    let (code, _, err) = sellerguard(cwd, &["--config-dir", "conf", "check", "hi"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("broken.toml:1:"), "{err}");
    assert_no_repeat(&err);

    std::fs::remove_file(config.join("rules/broken.toml")).unwrap();
    std::fs::write(config.join("sellerguard.toml"), "[ocr]\nworkers = 'many'\n").unwrap();
    let (code, _, err) = sellerguard(cwd, &["--config-dir", "conf", "check", "hi"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("sellerguard.toml:2:1: ocr.workers"), "{err}");
    assert_no_repeat(&err);

    std::fs::write(config.join("sellerguard.toml"), "").unwrap();
    std::fs::write(config.join("model.bin"), "not a model").unwrap();
    let (code, _, err) = sellerguard(cwd, &["--config-dir", "conf", "check", "hi"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("model.bin"), "{err}");
    assert_no_repeat(&err);
}
