//! Tests of opening: schema versions, the reporter key file, corrupt records, reopening.

use std::os::unix::fs::PermissionsExt;

use super::{open_temp, report, small_opts};
use crate::store::schema::{CURRENT_VERSION, VERSION_KEY};
use crate::store::secret::KEY_FILE;
use crate::store::{ReporterHash, Store, StoreError, open_db};

/// The store's sled database in `dir`, opened directly (store must be closed).
fn raw_db(dir: &std::path::Path) -> sled::Db {
    open_db(sled::Config::new().path(dir.join("db"))).unwrap()
}

/// Overwrite the stored schema version of the store in `dir` (store must be closed).
fn stamp(dir: &std::path::Path, version: u64) {
    let db = raw_db(dir);
    db.open_tree("meta")
        .unwrap()
        .insert(VERSION_KEY, &version.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
}

#[test]
fn fresh_store_is_stamped_with_current_version() {
    let (dir, store) = open_temp();
    drop(store);
    let db = raw_db(dir.path());
    let raw = db
        .open_tree("meta")
        .unwrap()
        .get(VERSION_KEY)
        .unwrap()
        .unwrap();
    assert_eq!(raw.as_ref(), u64::from(CURRENT_VERSION).to_be_bytes());
}

#[test]
fn newer_or_unknown_schema_is_a_clear_error() {
    for version in [u64::from(CURRENT_VERSION) + 1, 99, 0, u64::MAX] {
        let (dir, store) = open_temp();
        drop(store);
        stamp(dir.path(), version);
        let err = Store::open(dir.path(), small_opts()).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::UnsupportedSchema {
                    supported: CURRENT_VERSION,
                    ..
                }
            ),
            "{version}: {err}"
        );
        assert!(err.to_string().contains("not supported"), "{err}");
    }
}

#[test]
fn data_without_a_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = raw_db(dir.path());
    db.open_tree("reports").unwrap().insert(b"k", b"v").unwrap();
    drop(db);
    let err = Store::open(dir.path(), small_opts()).unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt { tree: "meta", .. }),
        "{err}"
    );
}

#[test]
fn reports_and_reporter_hashes_survive_reopen() {
    let (dir, store) = open_temp();
    let id = store.add_report(&report(&store, "a", &["x:1"], 3)).unwrap();
    let hash = store.reporter_hash("a");
    drop(store);
    let store = Store::open(dir.path(), small_opts()).unwrap();
    assert_eq!(store.reporter_hash("a"), hash);
    assert_eq!(store.get_report(id).unwrap().unwrap().reporter, hash);
    assert!(store.add_report(&report(&store, "a", &[], 4)).unwrap() > id);
}

#[test]
fn key_file_is_private_and_keys_differ_between_stores() {
    let (dir, store) = open_temp();
    let mode = std::fs::metadata(dir.path().join(KEY_FILE))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let (_other_dir, other) = open_temp();
    assert_ne!(store.reporter_hash("42"), other.reporter_hash("42"));
    assert_ne!(store.reporter_hash("42"), store.reporter_hash("43"));
    let shown = format!("{:?} {store:?}", store.reporter_hash("42"));
    assert!(
        !shown.contains(&store.reporter_hash("42").to_hex()),
        "{shown}"
    );
}

#[test]
fn truncated_key_file_is_an_error_not_a_new_key() {
    let (dir, store) = open_temp();
    drop(store);
    std::fs::write(dir.path().join(KEY_FILE), b"short").unwrap();
    let err = Store::open(dir.path(), small_opts()).unwrap_err();
    assert!(matches!(err, StoreError::KeyFile { .. }), "{err}");
}

#[test]
fn corrupt_record_is_an_error_naming_the_key() {
    let (dir, store) = open_temp();
    let id = store.add_report(&report(&store, "a", &["x:1"], 3)).unwrap();
    drop(store);
    let db = raw_db(dir.path());
    let reports = db.open_tree("reports").unwrap();
    // Version tag 7 does not exist; then a record of the right version but garbage body.
    reports
        .insert(id.0.to_be_bytes(), &[7u8, 1, 2][..])
        .unwrap();
    db.open_tree("indicators")
        .unwrap()
        .insert(b"x:1", &[0u8][..])
        .unwrap();
    drop((reports, db));
    let store = Store::open(dir.path(), small_opts()).unwrap();
    let err = store.get_report(id).unwrap_err();
    let key = format!("0x{:016x}", id.0);
    assert!(
        matches!(&err, StoreError::Corrupt { tree: "reports", key: k, .. } if *k == key),
        "{err}"
    );
    assert!(store.export().any(|r| r.is_err()));
    let err = store.indicator_reputation("x:1").unwrap_err();
    assert!(err.to_string().contains("\"x:1\""), "{err}");
}

#[test]
fn reporter_hash_hex_round_trips() {
    let h = ReporterHash([0xab; 32]);
    assert_eq!(ReporterHash::from_hex(&h.to_hex()), Some(h));
    assert_eq!(ReporterHash::from_hex("zz"), None);
    assert_eq!(format!("{h:?}"), "ReporterHash(abababab…)");
}

#[test]
fn second_open_while_open_is_an_error() {
    let (dir, _store) = open_temp();
    let err = Store::open(dir.path(), small_opts()).unwrap_err();
    assert!(err.to_string().contains("could not acquire lock"), "{err}");
}
