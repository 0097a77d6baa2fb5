//! The normaliser on any text: never panics, and every normalised byte maps back to a
//! span of the original that lies on character boundaries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sellerguard::classify::normalize::Normalized;

fuzz_target!(|text: &str| {
    let normalized = Normalized::new(text);
    let len = normalized.as_str().len();
    for (start, end) in [(0, len), (0, len / 2), (len / 2, len)] {
        let span = normalized.original_span(start..end);
        assert!(span.start <= span.end && span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
    }
});
