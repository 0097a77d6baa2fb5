//! Tests of backup and restore: every record of every tree, and the reporter key, come
//! back byte for byte; restore never writes over an existing store.

use std::collections::BTreeSet;

use super::{fake_fingerprint, open_temp, report, small_opts};
use crate::store::{
    AdminState, Decision, Replaced, ReplyKey, ReportStatus, Store, StoreError, StoredChatPrefs,
    StoredReply, StoredToken, StoredUserPrefs,
};

/// A store with at least one record in every tree it keeps.
fn filled() -> (tempfile::TempDir, Store) {
    let (dir, store) = open_temp();
    let a = store
        .add_report(&report(&store, "alice", &["url:x.top"], 10))
        .unwrap();
    store
        .add_report_once(
            &report(&store, "bob", &["url:x.top", "phone:+1"], 11),
            crate::store::ReportOrigin([7; 32]),
        )
        .unwrap();
    store
        .set_status(a, ReportStatus::Confirmed, 12, fake_fingerprint)
        .unwrap();
    store
        .set_indicator_verdict("url:x.top", AdminState::Blocked, Some("logistics-fee"), 13)
        .unwrap();
    store
        .set_indicator_state("url:good.com", AdminState::Allowed, 14)
        .unwrap();
    store
        .log_decision(&Decision {
            actor: "alice".into(),
            action: "confirm".into(),
            target: a.to_string(),
            note: "fake".into(),
            at: 12,
            origin: "api".into(),
        })
        .unwrap();
    store
        .ignore_reporter(&store.reporter_hash("troll"), 15)
        .unwrap();
    let user = StoredUserPrefs {
        lang: Some("zh".into()),
        blocked: false,
    };
    store
        .set_user_prefs(&store.reporter_hash("tg:1"), &user)
        .unwrap();
    let chat = StoredChatPrefs {
        threshold: "medium".into(),
        lang: Some("en".into()),
        delete_scams: true,
        read_screenshots: true,
        introduced: true,
        dry_run: true,
        dry_run_admin: Some(7),
    };
    store.set_chat_prefs(-100, &chat).unwrap();
    store
        .record_answer(&store.reporter_hash("tg:1"), 42, None, 9)
        .unwrap();
    store.set_cursor("telegram.update", 41).unwrap();
    store.put_model(b"model bytes").unwrap();
    store.record_check().unwrap();
    let hash = store.token_hash("sg_secret");
    let token = StoredToken {
        name: "alice".into(),
        hash,
        created_at: 9,
        revoked_at: None,
    };
    store.put_token(&token).unwrap();
    store.receive_update(7, b"{\"update_id\":7}").unwrap();
    store.receive_update(8, b"{\"update_id\":8}").unwrap();
    store.finish_update(8, 20).unwrap();
    store
        .quarantine_raw(9, b"broken", "does not decode", 21)
        .unwrap();
    let reply = StoredReply {
        chat_id: 5,
        text: "hi".into(),
        reply_to: None,
        topic_id: None,
        markup: None,
        replaces: Some(Replaced {
            message_id: 3,
            note: "below".into(),
        }),
    };
    store
        .owe_reply(
            ReplyKey {
                update_id: 7,
                seq: 0,
            },
            &reply,
        )
        .unwrap();
    store
        .owe_reply(
            ReplyKey {
                update_id: 8,
                seq: 0,
            },
            &reply,
        )
        .unwrap();
    store
        .settle_sent_reply(
            ReplyKey {
                update_id: 8,
                seq: 0,
            },
            22,
            3,
        )
        .unwrap();
    (dir, store)
}

#[test]
fn a_backup_restores_every_record_of_every_tree_and_the_key() {
    let (_dir, store) = filled();
    let before = store.dump().unwrap();
    let empty: BTreeSet<String> = before
        .iter()
        .filter(|t| t.entries.is_empty())
        .map(|t| String::from_utf8_lossy(&t.name).into_owned())
        .collect();
    assert_eq!(empty, BTreeSet::new(), "the fixture fills every tree");
    let mut file = Vec::new();
    store.backup(&mut file).unwrap();

    let target = tempfile::tempdir().unwrap();
    let data = target.path().join("data");
    let restored = Store::restore(&data, &mut file.as_slice()).unwrap();
    assert_eq!(restored.trees, before.len());
    let restored_store = Store::open(&data, small_opts()).unwrap();
    assert_eq!(
        restored_store.dump().unwrap(),
        before,
        "every record, byte for byte"
    );
    assert_eq!(
        restored_store.reporter_hash("alice"),
        store.reporter_hash("alice"),
        "the reporter key came back, so every hash still matches"
    );
    assert_eq!(
        restored_store.token_hash("sg_secret"),
        store.token_hash("sg_secret")
    );
}

#[test]
fn restore_never_writes_over_a_store() {
    let (_dir, store) = filled();
    let mut file = Vec::new();
    store.backup(&mut file).unwrap();
    let (other, _open) = open_temp();
    let err = Store::restore(other.path(), &mut file.as_slice()).unwrap_err();
    assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
    let garbage = tempfile::tempdir().unwrap();
    let err = Store::restore(&garbage.path().join("data"), &mut &b"not a backup"[..]).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
}
