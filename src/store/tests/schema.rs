//! Tests of opening: schema versions, the reporter key file, corrupt records, reopening.

use std::os::unix::fs::PermissionsExt;

use super::{open_temp, report, small_opts};
use crate::store::schema::{CURRENT_VERSION, VERSION_KEY};
use crate::store::secret::KEY_FILE;
use crate::store::{ReportId, ReporterHash, Store, StoreError, open_db};

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
    assert!(matches!(err, StoreError::Locked), "{err}");
}

/// Writes a schema-1 database by hand: what a version-1 build left on disk.
fn write_v1_store(dir: &std::path::Path) -> (Vec<u64>, ReporterHash) {
    use crate::store::records::{
        AdminStateV1, FingerprintRecord, IndicatorRecord, IndicatorV1, KindV1, ReportRecord,
        ReportV1, SourceV1, StatusV1, encode,
    };
    // The secret file exists in a real v1 data dir; open once to create it, then wipe.
    let (reporter, ids) = {
        let store = Store::open(dir, small_opts()).unwrap();
        (store.reporter_hash("old-timer"), vec![3u64, 4, 1030, 2100])
    };
    std::fs::remove_dir_all(dir.join("db")).unwrap();
    let db = raw_db(dir);
    let tree = |name: &str| db.open_tree(name).unwrap();
    tree("meta")
        .insert(VERSION_KEY, &1u64.to_be_bytes())
        .unwrap();
    for (n, &id) in ids.iter().enumerate() {
        let confirmed = n == 1;
        let old_fp: Vec<u8> = (0..64u64)
            .flat_map(|i| ((i << 32) | 0xffff).to_le_bytes())
            .collect();
        let record = ReportRecord::V1(ReportV1 {
            text: format!("old report {id}"),
            indicators: vec!["phone:+8613800000000".into()],
            fingerprint: old_fp.clone(),
            source: SourceV1::Group,
            reporter: reporter.0,
            created_at: 100 + id,
            status: if confirmed {
                StatusV1::Confirmed
            } else {
                StatusV1::Pending
            },
            status_changed_at: confirmed.then_some(500),
        });
        let key = id.to_be_bytes();
        tree("reports")
            .insert(key, encode("report", &record).unwrap())
            .unwrap();
        let mut by_reporter = reporter.0.to_vec();
        by_reporter.extend_from_slice(&(100 + id).to_be_bytes());
        by_reporter.extend_from_slice(&key);
        tree("by_reporter").insert(by_reporter, &[]).unwrap();
        tree("by_indicator").insert(key, &[]).unwrap();
        if confirmed {
            let fp = FingerprintRecord::V1 {
                kind: KindV1::ConfirmedScam,
                fingerprint: old_fp,
            };
            tree("fingerprints")
                .insert(key, encode("fingerprint", &fp).unwrap())
                .unwrap();
        } else {
            tree("pending")
                .insert(key, &(100 + id).to_be_bytes())
                .unwrap();
        }
    }
    // Indicator reputation: the old-timer (4 reports) and one other reporter.
    let indicator = "phone:+8613800000000";
    let other = [7u8; 32];
    for (who, n) in [(reporter.0, 4u64), (other, 1)] {
        let mut key = (indicator.len() as u16).to_be_bytes().to_vec();
        key.extend_from_slice(indicator.as_bytes());
        key.extend_from_slice(&who);
        tree("indicator_reporters")
            .insert(key, &n.to_be_bytes())
            .unwrap();
    }
    let rep = IndicatorRecord::V1(IndicatorV1 {
        distinct_reporters: 2,
        admin_state: AdminStateV1::None,
        first_seen: 103,
        last_seen: 2200,
    });
    tree("indicators")
        .insert(indicator, encode("indicator", &rep).unwrap())
        .unwrap();
    let counters = tree("counters");
    for (name, n) in [("received", 4u64), ("pending", 3), ("confirmed", 1)] {
        counters.insert(name, &n.to_be_bytes()).unwrap();
    }
    db.flush().unwrap();
    (ids, reporter)
}

#[test]
fn a_version_1_store_is_migrated_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, reporter) = write_v1_store(dir.path());
    let store = Store::open(dir.path(), small_opts()).expect("migrates");
    let pending: Vec<u64> = store
        .pending_reports(None, 10)
        .unwrap()
        .iter()
        .map(|r| r.id.0)
        .collect();
    assert_eq!(pending, [ids[0], ids[2], ids[3]]);
    let old = store.get_report(ReportId(ids[1])).unwrap().unwrap();
    assert_eq!(old.text, format!("old report {}", ids[1]));
    assert_eq!(old.status_changed_at, Some(500));
    assert_eq!(old.reporter, reporter);
    let kept: Vec<_> = store.fingerprints().map(Result::unwrap).collect();
    assert_eq!(kept.len(), 1);
    let want: Vec<u32> = (0..64).collect();
    assert_eq!(kept[0].fingerprint, want, "high 32 bits of each old value");
    assert_eq!(store.stats().unwrap().pending, 3);
    let phone = "phone:+8613800000000";
    let rep = store.indicator_reputation(phone).unwrap().unwrap();
    assert_eq!((rep.distinct_reporters, rep.first_seen), (2, 103));
    assert_eq!(store.forget_reporter(&reporter).unwrap(), 4);
    let rep = store.indicator_reputation(phone).unwrap().unwrap();
    assert_eq!(rep.distinct_reporters, 1, "the other reporter still counts");
    drop(store);

    let db = raw_db(dir.path());
    let names: Vec<String> = db
        .tree_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    for gone in [
        "pending",
        "by_indicator",
        "by_reporter",
        "indicator_reporters",
    ] {
        assert!(!names.iter().any(|n| n == gone), "{gone} in {names:?}");
    }
    let raw = db.open_tree("meta").unwrap().get(VERSION_KEY).unwrap();
    assert_eq!(
        raw.unwrap().as_ref(),
        u64::from(CURRENT_VERSION).to_be_bytes()
    );
}
