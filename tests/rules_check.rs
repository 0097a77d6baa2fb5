//! `sellerguard rules check` through the real binary: broken rule files give every
//! problem as `file:line:col: code: message` (golden file) and exit 1; the shipped
//! rules compile with no warnings and every example behaves as declared; `rules
//! explain` names the cues and rules a message fires.

use std::process::Command;

fn sellerguard(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sellerguard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn rules_check(dir: &str) -> (i32, String, String) {
    sellerguard(&["rules", "check", "--dir", dir])
}

#[test]
fn broken_rule_files_are_reported_not_fatal() {
    let (code, stdout, stderr) = rules_check("tests/fixtures/rules_broken");
    assert_eq!(code, 1, "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let golden = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/rules_broken.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(golden, &stdout).unwrap();
    }
    let expected =
        std::fs::read_to_string(golden).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(stdout, expected);
}

#[test]
fn shipped_rules_compile_cleanly_and_their_examples_pass() {
    let (code, stdout, stderr) = rules_check("rules");
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("rules compiled, every example behaves as declared"),
        "{stdout}"
    );
}

#[test]
fn a_missing_rule_folder_is_a_clear_error() {
    let (code, _, stderr) = rules_check("tests/fixtures/no-such-dir");
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-dir"), "{stderr}");
}

#[test]
fn a_huge_regex_is_refused_with_its_position_before_it_is_compiled() {
    let dir = tempfile::tempdir().unwrap();
    // A 200 KiB alternation of literals: under the compiled-size limit, but minutes
    // and gigabytes to build into the set when a few of them are joined.
    let words: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
    let rule = format!(
        "[cue.big]\nregex = ['(?:{})']\n\n[[rule]]\nid = 't.big'\nfamily = 'logistics-fee'\n\
         weight = 10\nall = ['big']\nexplain = {{ zh = 'x', en = 'x' }}\n",
        words.join("|")
    );
    std::fs::write(dir.path().join("big.toml"), rule).unwrap();

    let (code, stdout, stderr) = rules_check(dir.path().to_str().unwrap());

    assert_eq!(code, 1, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("big.toml:2:10: E004"), "{stdout}");
    assert!(stdout.contains("the most is 16384"), "{stdout}");
}

fn rules_explain(text: &str) -> (i32, String, String) {
    sellerguard(&["rules", "explain", "--dir", "rules", text])
}

#[test]
fn explain_names_the_cues_and_rules_a_message_fires() {
    let text = "Chase: unusual activity on your account, confirm your identity at \
                https://docs.google.com/forms/d/e/1FAIpQLSd/viewform";
    let (code, stdout, stderr) = rules_explain(text);
    assert_eq!(code, 0, "{stderr}");
    let cues = stdout.lines().next().unwrap_or_default();
    assert!(cues.starts_with("cues: "), "{stdout}");
    assert!(cues.split(' ').any(|c| c == "hosted_page"), "{stdout}");
    assert!(cues.split(' ').any(|c| c == "@claimed_sender"), "{stdout}");
    assert!(
        stdout.contains("rule: grammar.sender-hosted-page +72"),
        "{stdout}"
    );
    assert!(stdout.contains("verdict: high"), "{stdout}");

    let (code, _, stderr) = rules_explain("   ");
    assert_eq!(code, 2, "blank input is refused");
    assert!(stderr.contains("nothing to check"), "{stderr}");
}
