//! Unit tests of the store, one file per area, each on a real sled in a temp dir.
//!
//! Invariant: helpers here build inputs only; every assertion lives in an area file.

mod admin;
mod backup;
mod indicators;
mod removal;
mod reports;
mod schema;

use tempfile::TempDir;

use super::{NewReport, ReportSource, Store, StoreOptions};

/// A fresh store in a fresh temp dir (keep the dir alive as long as the store).
pub(super) fn open_temp() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), small_opts()).expect("open store");
    (dir, store)
}

/// Options suited to tests: small cache, no background flusher thread.
pub(super) fn small_opts() -> StoreOptions {
    StoreOptions {
        cache_capacity: 8 * 1024 * 1024,
        background_flush_ms: None,
    }
}

/// A report by `who` carrying `indicators`, at time `at`.
pub(super) fn report(store: &Store, who: &str, indicators: &[&str], at: u64) -> NewReport {
    NewReport {
        text: format!("scam text from {who} at {at}"),
        indicators: indicators.iter().map(|s| s.to_string()).collect(),
        source: ReportSource::Private,
        reporter: store.reporter_hash(who),
        at,
    }
}

/// A stand-in fingerprint function for `set_status`: deterministic, text-dependent.
pub(super) fn fake_fingerprint(text: &str) -> Vec<u32> {
    text.bytes().map(u32::from).collect()
}
