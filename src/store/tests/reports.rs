//! Tests of adding, reading, listing and re-judging reports.

use std::thread;

use super::{fake_fingerprint, open_temp, report};
use crate::store::{FingerprintKind, ReportId, ReportStatus, StoreError};

#[test]
fn added_report_reads_back_whole() {
    let (_dir, store) = open_temp();
    let new = report(
        &store,
        "alice",
        &["phone:+8613812345678", "domain:a.top"],
        100,
    );
    let id = store.add_report(&new).unwrap();
    let got = store.get_report(id).unwrap().expect("stored");
    assert_eq!(got.id, id);
    assert_eq!(got.text, new.text);
    assert_eq!(got.indicators, new.indicators);
    assert_eq!(got.reporter, new.reporter);
    assert_eq!(got.created_at, 100);
    assert_eq!(got.status, ReportStatus::Pending);
    assert_eq!(got.status_changed_at, None);
}

#[test]
fn duplicate_indicators_in_one_report_are_kept_once() {
    let (_dir, store) = open_temp();
    let id = store
        .add_report(&report(&store, "a", &["x:1", "x:2", "x:1"], 5))
        .unwrap();
    assert_eq!(
        store.get_report(id).unwrap().unwrap().indicators,
        ["x:1", "x:2"]
    );
    for ind in ["x:1", "x:2"] {
        let rep = store.indicator_reputation(ind).unwrap().unwrap();
        assert_eq!(rep.distinct_reporters, 1, "{ind}");
    }
}

#[test]
fn ids_are_monotonic_and_round_trip_their_short_form() {
    let (_dir, store) = open_temp();
    let a = store.add_report(&report(&store, "a", &[], 1)).unwrap();
    let b = store.add_report(&report(&store, "a", &[], 2)).unwrap();
    assert!(b > a);
    for id in [
        a,
        b,
        ReportId(0),
        ReportId(35),
        ReportId(36),
        ReportId(u64::MAX),
    ] {
        assert_eq!(id.to_string().parse::<ReportId>(), Ok(id));
    }
    assert_eq!(ReportId(36).to_string(), "r10");
    assert!("r".parse::<ReportId>().is_err());
    assert!("r-1".parse::<ReportId>().is_err());
}

#[test]
fn set_status_returns_old_record_and_moves_counters_and_fingerprints() {
    let (_dir, store) = open_temp();
    let a = store
        .add_report(&report(&store, "a", &["x:1"], 10))
        .unwrap();
    let b = store
        .add_report(&report(&store, "b", &["x:1"], 11))
        .unwrap();
    let old = store
        .set_status(a, ReportStatus::Confirmed, 20, fake_fingerprint)
        .unwrap();
    assert_eq!(old.status, ReportStatus::Pending);
    let old = store
        .set_status(b, ReportStatus::Rejected, 21, fake_fingerprint)
        .unwrap();
    assert_eq!(old.status, ReportStatus::Pending);
    let now = store.get_report(a).unwrap().unwrap();
    assert_eq!(
        (now.status, now.status_changed_at),
        (ReportStatus::Confirmed, Some(20))
    );

    let stats = store.stats().unwrap();
    assert_eq!((stats.pending, stats.confirmed, stats.rejected), (0, 1, 1));
    assert_eq!((stats.reports_received, stats.reports_stored), (2, 2));

    let fps: Vec<_> = store.fingerprints().map(Result::unwrap).collect();
    let kinds: Vec<_> = fps.iter().map(|f| (f.report, f.kind)).collect();
    assert_eq!(
        kinds,
        [
            (a, FingerprintKind::ConfirmedScam),
            (b, FingerprintKind::RejectedLookalike)
        ]
    );
    let text_a = store.get_report(a).unwrap().unwrap().text;
    assert_eq!(fps[0].fingerprint, fake_fingerprint(&text_a));

    store
        .set_status(a, ReportStatus::Pending, 30, fake_fingerprint)
        .unwrap();
    assert_eq!(store.fingerprint_count(), 1);
    assert_eq!(store.pending_reports(None, 10).unwrap().len(), 1);
    assert_eq!(store.stats().unwrap().pending, 1);
}

#[test]
fn set_status_of_missing_report_is_not_found() {
    let (_dir, store) = open_temp();
    let err = store
        .set_status(ReportId(42), ReportStatus::Confirmed, 1, fake_fingerprint)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ReportNotFound(ReportId(42))),
        "{err}"
    );
}

#[test]
fn pending_listing_paginates_in_id_order() {
    let (_dir, store) = open_temp();
    let ids: Vec<_> = (0..7)
        .map(|i| store.add_report(&report(&store, "a", &["x:1"], i)).unwrap())
        .collect();
    store
        .set_status(ids[2], ReportStatus::Confirmed, 9, fake_fingerprint)
        .unwrap();
    let check = |pages: Vec<Vec<ReportId>>, want: Vec<ReportId>| {
        assert_eq!(pages.concat(), want);
        assert!(pages.iter().all(|p| p.len() <= 3));
    };
    let page = |after| -> Vec<ReportId> {
        store
            .pending_reports(after, 3)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    let mut pages = vec![page(None)];
    while let Some(last) = pages.last().unwrap().last().copied() {
        pages.push(page(Some(last)));
    }
    let pending: Vec<_> = ids.iter().copied().filter(|id| *id != ids[2]).collect();
    check(pages, pending);

    assert!(
        store
            .pending_reports(Some(ReportId(u64::MAX)), 3)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_empty_fingerprint_keeps_nothing() {
    let (_dir, store) = open_temp();
    let a = store.add_report(&report(&store, "a", &[], 1)).unwrap();
    store
        .set_status(a, ReportStatus::Confirmed, 2, |_| Vec::new())
        .unwrap();
    assert_eq!(store.fingerprint_count(), 0);
    assert_eq!(store.stats().unwrap().confirmed, 1);
}

#[test]
fn the_pending_set_spans_pages_both_ways() {
    let (_dir, store) = open_temp();
    let batch: Vec<_> = (0..2_500).map(|i| report(&store, "a", &[], i)).collect();
    let ids = store.import_reports(&batch).unwrap();
    for id in ids.iter().step_by(3) {
        store
            .set_status(*id, ReportStatus::Rejected, 9, fake_fingerprint)
            .unwrap();
    }
    let want: Vec<ReportId> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(_, id)| *id)
        .collect();
    let listed: Vec<ReportId> = store
        .pending_reports(None, 10_000)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed, want);
    let after: Vec<ReportId> = store
        .pending_reports(Some(want[1_000]), 5)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(after, want[1_001..1_006]);
    let newest: Vec<ReportId> = store
        .recent_pending(1_200)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    let mut tail = want[want.len() - 1_200..].to_vec();
    tail.reverse();
    assert_eq!(newest, tail);
    assert_eq!(store.stats().unwrap().pending, want.len() as u64);
}

#[test]
fn export_and_import_cover_every_report() {
    let (_dir, store) = open_temp();
    let batch: Vec<_> = (0..50)
        .map(|i| report(&store, "imp", &["x:9"], i))
        .collect();
    let ids = store.import_reports(&batch).unwrap();
    assert_eq!(ids.len(), 50);
    let exported: Vec<_> = store.export().map(|r| r.unwrap().id).collect();
    assert_eq!(exported, ids);
    let rep = store.indicator_reputation("x:9").unwrap().unwrap();
    assert_eq!(rep.distinct_reporters, 1);
}

#[test]
fn concurrent_writers_all_land() {
    let (_dir, store) = open_temp();
    let ids: Vec<ReportId> = thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let store = store.clone();
                s.spawn(move || {
                    (0..25)
                        .map(|i| {
                            let r = report(&store, &format!("w{t}"), &["x:hot"], i);
                            store.add_report(&r).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.len(), 200);
    for id in &ids {
        assert!(store.get_report(*id).unwrap().is_some());
    }
    let stats = store.stats().unwrap();
    assert_eq!((stats.reports_received, stats.pending), (200, 200));
    let rep = store.indicator_reputation("x:hot").unwrap().unwrap();
    assert_eq!(rep.distinct_reporters, 8);
}

#[test]
fn overlong_indicator_is_invalid_input() {
    let (_dir, store) = open_temp();
    let long = "x".repeat(70_000);
    let err = store
        .add_report(&report(&store, "a", &[&long], 1))
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
}

#[test]
fn one_origin_files_one_report_until_it_is_pruned_or_deleted() {
    let (_dir, store) = open_temp();
    let origin = store.origin_hash("telegram:7:41:7");
    let new = report(&store, "alice", &["url:bit.ly/x"], 100);

    let (first, fresh) = store.add_report_once(&new, origin).unwrap();
    let (again, fresh_again) = store.add_report_once(&new, origin).unwrap();
    assert!(fresh && !fresh_again);
    assert_eq!(again, first);
    assert_eq!(store.stats().unwrap().reports_stored, 1);
    assert_eq!(store.report_from(origin).unwrap(), Some(first));
    assert_ne!(origin.0, store.reporter_hash("telegram:7:41:7").0);

    assert_eq!(store.prune_report_origins(100).unwrap(), 0, "not older");
    assert_eq!(store.prune_report_origins(101).unwrap(), 1);
    assert_eq!(store.report_from(origin).unwrap(), None);
    let (second, fresh) = store.add_report_once(&new, origin).unwrap();
    assert!(fresh && second != first);

    assert_eq!(store.forget_reporter(&new.reporter).unwrap(), 2);
    assert_eq!(
        store.report_from(origin).unwrap(),
        None,
        "deleted with its report"
    );
}

#[test]
fn of_deciders_at_the_same_moment_exactly_one_decides_and_the_rest_see_who() {
    use std::sync::{Arc, Barrier};

    use crate::store::{Decided, Decision};
    let (_dir, store) = open_temp();
    let id = store
        .add_report(&report(&store, "alice", &["phone:+15550100"], 100))
        .unwrap();
    let deciders = 8;
    let barrier = Arc::new(Barrier::new(deciders));
    let handles: Vec<_> = (0..deciders)
        .map(|n| {
            let (store, barrier) = (store.clone(), Arc::clone(&barrier));
            thread::spawn(move || {
                let status = if n % 2 == 0 {
                    ReportStatus::Confirmed
                } else {
                    ReportStatus::Rejected
                };
                let decision = Decision {
                    actor: format!("curator{n}"),
                    action: "confirm".into(),
                    target: id.to_string(),
                    note: String::new(),
                    at: 200,
                    origin: "telegram".into(),
                };
                barrier.wait();
                store
                    .decide(id, status, &decision, fake_fingerprint)
                    .unwrap()
            })
        })
        .collect();
    let outcomes: Vec<Decided> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners = outcomes
        .iter()
        .filter(|o| matches!(o, Decided::Now(_)))
        .count();
    assert_eq!(winners, 1, "{outcomes:#?}");
    let stands = store.get_report(id).unwrap().unwrap().status;
    for outcome in &outcomes {
        if let Decided::Already(report) = outcome {
            assert_eq!(report.status, stands, "the losers see what stands");
        }
    }
    let logged = store.decisions(None, 100).unwrap();
    assert_eq!(logged.len(), 1, "one decision logged: {logged:?}");
    let stats = store.stats().unwrap();
    assert_eq!(stats.pending + stats.confirmed + stats.rejected, 1);
}
