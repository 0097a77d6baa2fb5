//! The rule parser and compiler on any file text: never panics; a problem always
//! names a position inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sellerguard::classify::{RuleSource, rules};

fuzz_target!(|text: &str| {
    let source = RuleSource {
        name: "fuzz.toml".into(),
        text: text.to_owned(),
    };
    if let Err(errors) = rules::compile(&[source]) {
        let lines = text.lines().count().max(1) + 1;
        for problem in errors.0 {
            assert!(problem.line >= 1 && problem.line <= lines, "{problem:?}");
        }
    }
});
