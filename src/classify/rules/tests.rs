//! The matching engine against a reference matcher that runs every regex on its own,
//! in index order, with `regex::Regex::find`: same cue hits, same spans and the same
//! fired rules on every fixture message and every rule example, with the shipped
//! rules and with 2,000 generated ones.

use std::path::Path;

use super::{LANG_EN, LANG_ZH, RuleSet, RuleSource, compile};
use crate::classify::normalize::Normalized;

#[path = "../../../benches/support/synthetic.rs"]
mod synthetic;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files of `dir` (from the crate root) ending in `.ext`, sorted; never none.
fn files_in(dir: &str, ext: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
        .expect("the folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .{ext} files in {dir}");
    files
}

fn shipped_rules() -> Vec<RuleSource> {
    files_in("rules", "toml")
        .into_iter()
        .map(|p| RuleSource {
            name: p.display().to_string(),
            text: std::fs::read_to_string(&p).expect("rule file"),
        })
        .collect()
}

/// Every message of `tests/fixtures/*.jsonl` and every rule example.
fn texts(set: &RuleSet) -> Vec<String> {
    let mut texts: Vec<String> = set
        .rules
        .iter()
        .flat_map(|r| r.examples.iter().map(|e| e.text.clone()))
        .collect();
    for file in files_in("tests/fixtures", "jsonl") {
        for line in std::fs::read_to_string(&file).expect("fixture").lines() {
            let row: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            texts.push(row["text"].as_str().expect("a text field").to_string());
        }
    }
    texts
}

fn fired_ids(set: &RuleSet, hits: &[Option<super::Hit>]) -> Vec<String> {
    let fired = set.fire(hits, LANG_ZH | LANG_EN);
    fired.iter().map(|f| f.rule.id.clone()).collect()
}

fn check_same_as_reference(sources: &[RuleSource]) -> usize {
    let (set, _) = compile(sources).expect("rules compile");
    let mut fired = 0;
    for text in texts(&set) {
        let normalized = Normalized::new(&text);
        let to_original = |r| normalized.original_span(r);
        let mut engine = vec![None; set.cue_count()];
        set.match_cues(normalized.as_str(), to_original, &mut engine);
        let mut reference = vec![None; set.cue_count()];
        set.matcher
            .match_cues_reference(normalized.as_str(), to_original, &mut reference);
        assert_eq!(engine, reference, "cue hits differ on {text:?}");
        let ids = fired_ids(&set, &engine);
        assert_eq!(
            ids,
            fired_ids(&set, &reference),
            "fired rules differ on {text:?}"
        );
        fired += ids.len();
    }
    fired
}

#[test]
fn shipped_rules_hit_as_every_regex_alone() {
    let fired = check_same_as_reference(&shipped_rules());
    assert!(fired > 100, "the fixtures fire shipped rules ({fired})");
}

#[test]
fn generated_rules_hit_as_every_regex_alone() {
    let mut sources = shipped_rules();
    sources.push(RuleSource {
        name: "generated.toml".into(),
        text: synthetic::rule_file(2_000),
    });
    let fired = check_same_as_reference(&sources);
    assert!(fired > 100, "the fixtures fire generated rules ({fired})");
}
