//! Tests of retention (stale pending reports) and forgetting a reporter.

use super::{fake_fingerprint, open_temp, report};
use crate::store::{AdminState, ReportStatus};

#[test]
fn retention_deletes_only_old_pending_reports_and_fixes_counts() {
    let (_dir, store) = open_temp();
    let old_pending = store
        .add_report(&report(&store, "a", &["x:1"], 10))
        .unwrap();
    let old_confirmed = store
        .add_report(&report(&store, "b", &["x:1"], 10))
        .unwrap();
    let new_pending = store
        .add_report(&report(&store, "c", &["x:1"], 100))
        .unwrap();
    store
        .set_status(old_confirmed, ReportStatus::Confirmed, 20, fake_fingerprint)
        .unwrap();

    assert_eq!(store.delete_pending_before(50).unwrap(), 1);
    assert_eq!(store.get_report(old_pending).unwrap(), None);
    assert!(store.get_report(old_confirmed).unwrap().is_some());
    assert!(store.get_report(new_pending).unwrap().is_some());

    let stats = store.stats().unwrap();
    assert_eq!(
        (stats.pending, stats.confirmed, stats.reports_stored),
        (1, 1, 2)
    );
    assert_eq!((stats.reports_received, stats.reports_deleted), (3, 1));
    let rep = store.indicator_reputation("x:1").unwrap().unwrap();
    assert_eq!(rep.distinct_reporters, 2);
    let pending: Vec<_> = store
        .pending_reports(None, 10)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(pending, [new_pending]);
    assert_eq!(store.delete_pending_before(50).unwrap(), 0);
}

#[test]
fn retention_walks_more_than_one_chunk() {
    let (_dir, store) = open_temp();
    let batch: Vec<_> = (0..700).map(|i| report(&store, "a", &["x:1"], i)).collect();
    store.import_reports(&batch).unwrap();
    assert_eq!(store.delete_pending_before(600).unwrap(), 600);
    assert_eq!(store.stats().unwrap().pending, 100);
    assert_eq!(store.pending_reports(None, 1000).unwrap().len(), 100);
}

#[test]
fn forget_removes_reports_and_their_contribution_only() {
    let (_dir, store) = open_temp();
    let gone: Vec<_> = (0..300)
        .map(|i| report(&store, "leaver", &["x:1", "x:only-leaver"], i))
        .collect();
    let gone = store.import_reports(&gone).unwrap();
    store
        .set_status(gone[0], ReportStatus::Confirmed, 5, fake_fingerprint)
        .unwrap();
    let kept = store
        .add_report(&report(&store, "stayer", &["x:1"], 7))
        .unwrap();
    store
        .set_indicator_state("x:1", AdminState::Blocked, 8)
        .unwrap();
    let leaver = store.reporter_hash("leaver");

    assert_eq!(store.forget_reporter(&leaver).unwrap(), 300);
    assert!(
        gone.iter()
            .all(|id| store.get_report(*id).unwrap().is_none())
    );
    assert!(store.get_report(kept).unwrap().is_some());
    assert!(store.export().all(|r| r.unwrap().reporter != leaver));
    assert_eq!(store.fingerprint_count(), 0);
    let rep = store.indicator_reputation("x:1").unwrap().unwrap();
    assert_eq!(
        (rep.distinct_reporters, rep.admin_state),
        (1, AdminState::Blocked)
    );
    assert_eq!(store.indicator_reputation("x:only-leaver").unwrap(), None);
    let stats = store.stats().unwrap();
    assert_eq!(
        (stats.reports_stored, stats.confirmed, stats.pending),
        (1, 0, 1)
    );
    assert_eq!(store.forget_reporter(&leaver).unwrap(), 0);
}
