//! The Telegram update parser on any bytes: the raw-JSON step and `incoming::parse`
//! never panic, and an update that parses keeps its `update_id`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sellerguard::telegram::incoming;
use sellerguard::triage::delivery::update_id_of;

fuzz_target!(|bytes: &[u8]| {
    let id = update_id_of(bytes);
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    if let Ok(update) = incoming::parse(&raw) {
        assert_eq!(Some(update.update_id), raw["update_id"].as_i64());
        assert_eq!(id, Some(update.update_id));
    }
});
