//! Writes a generated rule pack and a benchmark corpus to a folder, for start-up and
//! memory measurements of the real binary and for `scripts/bench-hyperscan.py`.
//!
//! `cargo run --release --example synthetic_rules -- N DIR` writes `DIR/rules/generated-NN.toml`
//! (1,000 rules a file, under the rule-file cap)
//! (the shipped rule files are copied beside it, so `--config-dir DIR` loads both),
//! `DIR/patterns.txt` (the N regexes in Hyperscan syntax, one a line) and
//! `DIR/corpus.txt` (the fixtures' messages, normalised as the classifier sees them,
//! cycled to 5,000 lines). The rules are the ones `benches/rule_scale.rs` measures.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sellerguard::classify::normalize::Normalized;
use sellerguard::config::{self, Settings};

#[path = "../benches/support/corpus.rs"]
mod corpus;
#[path = "../benches/support/synthetic.rs"]
mod synthetic;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(dir)) = (args.first().and_then(|n| n.parse().ok()), args.get(1)) else {
        eprintln!("usage: synthetic_rules N DIR");
        return ExitCode::from(2);
    };
    match write(n, Path::new(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synthetic_rules: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn write(n: usize, dir: &Path) -> anyhow::Result<()> {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules)?;
    for (name, text) in config::read_rule_files(&Settings::builtin().rules_dir)? {
        let file = Path::new(&name).file_name().map(PathBuf::from);
        std::fs::write(rules.join(file.unwrap_or_else(|| name.into())), text)?;
    }
    for (i, text) in synthetic::rule_files(n, 1_000).iter().enumerate() {
        std::fs::write(rules.join(format!("generated-{i:02}.toml")), text)?;
    }
    let patterns: Vec<String> = synthetic::patterns(n)
        .iter()
        .map(|p| synthetic::hyperscan_pattern(p))
        .collect();
    std::fs::write(dir.join("patterns.txt"), patterns.join("\n") + "\n")?;
    let texts: Vec<String> = corpus::fixture_texts()
        .iter()
        .map(|t| Normalized::new(t).as_str().to_string())
        .collect();
    let corpus: Vec<&str> = texts
        .iter()
        .map(String::as_str)
        .cycle()
        .take(5_000)
        .collect();
    std::fs::write(dir.join("corpus.txt"), corpus.join("\n") + "\n")?;
    Ok(())
}
