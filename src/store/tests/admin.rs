//! Tests of the decision log, the ignore list, counters and the model blob.

use super::open_temp;
use crate::store::Decision;

fn decision(i: u64) -> Decision {
    Decision {
        actor: "admin:7f3a".into(),
        action: "confirm".into(),
        target: format!("r{i}"),
        note: format!("note {i}"),
        at: 1000 + i,
        origin: "cli".into(),
    }
}

#[test]
fn decision_log_appends_and_paginates_in_order() {
    let (_dir, store) = open_temp();
    let seqs: Vec<_> = (0..5)
        .map(|i| store.log_decision(&decision(i)).unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    let first = store.decisions(None, 3).unwrap();
    let rest = store.decisions(Some(first[2].0), 3).unwrap();
    let all: Vec<_> = first.into_iter().chain(rest).map(|(_, d)| d).collect();
    assert_eq!(all, (0..5).map(decision).collect::<Vec<_>>());
}

#[test]
fn ignore_list_round_trips() {
    let (_dir, store) = open_temp();
    let a = store.reporter_hash("a");
    assert!(!store.is_ignored(&a).unwrap());
    store.ignore_reporter(&a, 50).unwrap();
    assert!(store.is_ignored(&a).unwrap());
    assert_eq!(store.ignored_reporters().unwrap(), [(a, 50)]);
    assert!(store.unignore_reporter(&a).unwrap());
    assert!(!store.unignore_reporter(&a).unwrap());
    assert!(!store.is_ignored(&a).unwrap());
}

#[test]
fn checks_are_counted() {
    let (_dir, store) = open_temp();
    for _ in 0..3 {
        store.record_check().unwrap();
    }
    assert_eq!(store.stats().unwrap().checks, 3);
}

#[test]
fn model_blob_round_trips() {
    let (_dir, store) = open_temp();
    assert_eq!(store.get_model().unwrap(), None);
    store.put_model(&[1, 2, 3]).unwrap();
    store.put_model(&[9; 1000]).unwrap();
    assert_eq!(store.get_model().unwrap(), Some(vec![9; 1000]));
}
