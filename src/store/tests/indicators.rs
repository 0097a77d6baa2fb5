//! Tests of indicator reputation: distinct reporters, admin state, first/last seen.

use super::{open_temp, report};
use crate::store::{AdminState, IndicatorReputation};

/// Add reports `(reporter, at)` all carrying `x:1`, then check its reputation.
fn check(reports: &[(&str, u64)], want_distinct: u64, want_seen: (u64, u64)) {
    let (_dir, store) = open_temp();
    for (who, at) in reports {
        store
            .add_report(&report(&store, who, &["x:1"], *at))
            .unwrap();
    }
    let rep = store
        .indicator_reputation("x:1")
        .unwrap()
        .expect("reported");
    assert_eq!(
        rep,
        IndicatorReputation {
            distinct_reporters: want_distinct,
            admin_state: AdminState::None,
            first_seen: want_seen.0,
            last_seen: want_seen.1,
            family: None,
        },
        "{reports:?}"
    );
}

#[test]
fn distinct_reporters_table() {
    check(&[("a", 10)], 1, (10, 10));
    check(&[("a", 10), ("a", 20), ("a", 5)], 1, (5, 20));
    check(&[("a", 10), ("b", 10), ("a", 11), ("c", 12)], 3, (10, 12));
}

#[test]
fn one_person_reporting_a_hundred_times_counts_once() {
    let (_dir, store) = open_temp();
    let batch: Vec<_> = (0..100)
        .map(|i| report(&store, "spammer", &["x:1"], i))
        .collect();
    store.import_reports(&batch).unwrap();
    store
        .add_report(&report(&store, "other", &["x:1"], 7))
        .unwrap();
    let rep = store.indicator_reputation("x:1").unwrap().unwrap();
    assert_eq!(rep.distinct_reporters, 2);
}

#[test]
fn unknown_indicator_has_no_reputation() {
    let (_dir, store) = open_temp();
    assert_eq!(store.indicator_reputation("x:none").unwrap(), None);
}

#[test]
fn admin_state_is_kept_and_listed() {
    let (_dir, store) = open_temp();
    store
        .add_report(&report(&store, "a", &["x:1", "x:2"], 10))
        .unwrap();
    assert_eq!(
        store
            .set_indicator_state("x:1", AdminState::Blocked, 11)
            .unwrap(),
        AdminState::None
    );
    // Judging an indicator nobody reported creates its record.
    store
        .set_indicator_state("x:good", AdminState::Allowed, 12)
        .unwrap();
    let rep = store.indicator_reputation("x:1").unwrap().unwrap();
    assert_eq!(
        (rep.admin_state, rep.distinct_reporters),
        (AdminState::Blocked, 1)
    );
    let rep = store.indicator_reputation("x:good").unwrap().unwrap();
    assert_eq!(
        (rep.admin_state, rep.distinct_reporters, rep.first_seen),
        (AdminState::Allowed, 0, 12)
    );
    let mut judged: Vec<_> = store.judged_indicators().map(Result::unwrap).collect();
    judged.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        judged,
        [
            ("x:1".to_string(), AdminState::Blocked),
            ("x:good".to_string(), AdminState::Allowed)
        ]
    );
    // Clearing the verdict on an unreported indicator removes it entirely.
    store
        .set_indicator_state("x:good", AdminState::None, 13)
        .unwrap();
    assert_eq!(store.indicator_reputation("x:good").unwrap(), None);
}

#[test]
fn a_blocked_indicator_keeps_its_family_until_its_state_changes() {
    let (_dir, store) = open_temp();
    let family = Some("logistics-fee");
    store
        .set_indicator_verdict("x:1", AdminState::Blocked, family, 10)
        .unwrap();
    let rep = store.indicator_reputation("x:1").unwrap().unwrap();
    assert_eq!(rep.family.as_deref(), family);
    store
        .set_indicator_verdict("x:1", AdminState::Allowed, family, 11)
        .unwrap();
    let rep = store.indicator_reputation("x:1").unwrap().unwrap();
    assert_eq!((rep.admin_state, rep.family), (AdminState::Allowed, None));
}
