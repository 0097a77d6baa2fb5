//! Build script: lists the shipped rule files so the binary can carry them
//! (`src/config/builtin.rs`), and reruns when the rule folder changes.
//!
//! Invariant: every `rules/*.toml` is embedded, sorted by name; nothing else is.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut names: Vec<String> = std::fs::read_dir(&rules)
        .expect("the rules folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut out = String::from("/// The shipped rule files: name and text, sorted by name.\n");
    out.push_str("pub(super) const RULE_FILES: &[(&str, &str)] = &[\n");
    for name in names {
        let path = rules.join(&name);
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write to a string");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(dest.join("builtin_rules.rs"), out).expect("write the rule list");
}
