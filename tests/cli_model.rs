//! The base model and the source-held-out evaluation through the real binary: a model
//! file that is missing, corrupt or of another version stops start-up naming the file;
//! `train` is reproducible and names a bad training line; the shipped model loads and
//! assists; `eval --split-by source` keeps each source in one fold and `--learn`
//! trains per fold.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn sellerguard(args: &[&str], model: Option<&str>) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sellerguard"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SELLERGUARD_RULES_DIR")
        .env("SELLERGUARD_DATA_DIR", "/nonexistent/sellerguard-test");
    match model {
        Some(path) => command.env("SELLERGUARD_MODEL_FILE", path),
        None => command.env_remove("SELLERGUARD_MODEL_FILE"),
    };
    let out = command.output().expect("runs the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

const TRAINING: &str = concat!(
    "{\"text\":\"您的ETC已失效，请点击链接认证\",\"label\":\"scam\",\"source\":\"a\"}\n",
    "{\"text\":\"Your parcel is held, pay the fee at http://x.top\",\"label\":\"scam\",\"source\":\"a\"}\n",
    "{\"text\":\"【招商银行】您账户1234支出人民币100.00元\",\"label\":\"legit\",\"source\":\"b\"}\n",
    "{\"text\":\"Your code is 123456. Do not share it.\",\"label\":\"legit\",\"source\":\"b\"}\n",
    "{\"text\":\"免费开店加微信 amz888\",\"label\":\"scam\",\"source\":\"c\"}\n",
    "{\"text\":\"Your order has shipped\",\"label\":\"legit\",\"source\":\"c\"}\n",
);

#[test]
fn a_bad_model_file_stops_start_up_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.bin").display().to_string();
    let corrupt = write(dir.path(), "corrupt.bin", b"not a model at all");
    let mut other =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/model.bin")).unwrap();
    other[4] = 7;
    let other = write(dir.path(), "other.bin", &other);
    for (path, why) in [
        (&missing, "cannot read it"),
        (&corrupt, "not a sellerguard model file"),
        (&other, "model format version 7"),
    ] {
        let (code, stdout, stderr) = sellerguard(&["check", "hello"], Some(path));
        assert_eq!(code, 2, "{stdout}");
        assert!(
            stderr.contains(&format!("model file {path}: {why}")),
            "{stderr}"
        );
    }
}

#[test]
fn the_shipped_model_loads_and_can_be_turned_off() {
    let (code, stdout, stderr) = sellerguard(
        &[
            "check",
            "--json",
            "您的ETC卡已失效，请点击 http://etc-rz.top 认证，逾期将停用",
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let verdict: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(verdict["level"], "high", "{stdout}");
    let (_, without, _) = sellerguard(&["check", "--json", "hello"], Some(""));
    let without: Value = serde_json::from_str(&without).unwrap();
    assert!(
        without["signals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["rule_id"] != "model.base")
    );
}

#[test]
fn training_is_reproducible_and_names_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "train.jsonl", TRAINING.as_bytes());
    let a = dir.path().join("a.bin").display().to_string();
    let b = dir.path().join("b.bin").display().to_string();
    for out in [&a, &b] {
        let (code, _, stderr) = sellerguard(&["train", "--data", &data, "--out", out], Some(""));
        assert_eq!(code, 0, "{stderr}");
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{a}.manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["sources"][0]["rows"], 6);
    assert_eq!(manifest["sources"][0]["scam"], 3);
    let (code, _, stderr) = sellerguard(&["check", "hello"], Some(&a));
    assert_eq!(code, 0, "a trained model loads: {stderr}");

    let bad = write(
        dir.path(),
        "bad.jsonl",
        b"{\"text\":\"x\",\"label\":\"scam\"}\n{\"text\":\"y\",\"label\":\"maybe\"}\n",
    );
    let (code, _, stderr) = sellerguard(&["train", "--data", &bad, "--out", &a], Some(""));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.jsonl:2: unknown label \"maybe\""),
        "{stderr}"
    );
}

/// `eval --data DATA --split-by source ARGS...` without the shipped model.
fn split_eval(data: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["eval", "--data", data, "--split-by", "source"];
    all.extend_from_slice(args);
    sellerguard(&all, Some(""))
}

#[test]
fn source_folds_keep_sources_together_and_learn_per_fold() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "dev.jsonl", TRAINING.as_bytes());
    let (code, stdout, stderr) = split_eval(&data, &["--folds", "3", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let folds = report["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 3);
    for fold in folds {
        let sources = fold["sources"].as_array().unwrap();
        assert_eq!(sources.len(), 1, "one source per fold here: {fold}");
        assert_eq!(sources[0][1], 2);
    }
    let (code, stdout, stderr) = split_eval(&data, &["--learn", "--fold", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("## fold 1 of 2:"), "{stdout}");
    assert!(!stdout.contains("## all folds"), "{stdout}");
    let (code, stdout, stderr) = sellerguard(
        &[
            "eval",
            "--data",
            &data,
            "--exclude-source",
            "a",
            "--no-model",
            "--json",
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["overall"]["tp"].as_u64().unwrap() + report["overall"]["fn"].as_u64().unwrap(),
        1,
        "source a's two scams are left out: {stdout}"
    );
    let (code, _, stderr) = split_eval(&data, &["--fold", "5"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--fold 5 is out of range"), "{stderr}");
}
