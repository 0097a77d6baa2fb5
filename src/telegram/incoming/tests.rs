//! Table tests of update parsing: origins, contents, topics, migrations, malformed input.

use serde_json::json;

use super::*;

fn message(extra: Value) -> Value {
    let mut message = json!({
        "message_id": 7,
        "from": {"id": 42, "is_bot": false, "first_name": "A", "language_code": "zh-hans"},
        "chat": {"id": 42, "first_name": "A", "type": "private"},
        "date": 1,
    });
    message
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({"update_id": 9, "message": message})
}

fn parsed(extra: Value) -> IncomingMessage {
    match parse(&message(extra)).expect("parses").incoming {
        Incoming::Message(m) => m,
        other => panic!("{other:?}"),
    }
}

#[test]
fn forward_origins_and_legacy_fields() {
    let cases = [
        (
            json!({"forward_origin": {"type": "user", "sender_user": {"id": 1, "is_bot": false, "first_name": "U"}, "date": 1}}),
            Origin::User("U".into()),
        ),
        (
            json!({"forward_origin": {"type": "hidden_user", "sender_user_name": "H", "date": 1}}),
            Origin::HiddenUser(Some("H".into())),
        ),
        (
            json!({"forward_origin": {"type": "hidden_user", "date": 1}, "forward_date": 1}),
            Origin::HiddenUser(None),
        ),
        (
            json!({"forward_origin": {"type": "chat", "sender_chat": {"id": -5, "title": "G", "type": "supergroup"}, "date": 1}}),
            Origin::Chat("G".into()),
        ),
        (
            json!({"forward_origin": {"type": "channel", "chat": {"id": -100, "title": "C", "type": "channel"}, "message_id": 3, "date": 1}}),
            Origin::Channel("C".into()),
        ),
        (
            json!({"forward_from": {"id": 1, "is_bot": false, "first_name": "L"}, "forward_date": 1}),
            Origin::User("L".into()),
        ),
        (
            json!({"forward_sender_name": "S", "forward_date": 1}),
            Origin::HiddenUser(Some("S".into())),
        ),
        (
            json!({"forward_from_chat": {"id": -100, "title": "LC", "type": "channel"}, "forward_date": 1}),
            Origin::Channel("LC".into()),
        ),
    ];
    for (fields, expected) in cases {
        let mut fields = fields;
        fields["text"] = json!("pay here");
        let m = parsed(fields.clone());
        assert_eq!(m.origin, Some(expected), "{fields}");
        assert_eq!(m.judgeable().unwrap().text, "pay here");
    }
}

#[test]
fn contents() {
    let text_link = json!({"text": "click here", "entities": [
        {"offset": 6, "length": 4, "type": "text_link", "url": "http://x.example/"},
        {"offset": 0, "length": 5, "type": "bold"}]});
    let m = parsed(text_link);
    assert_eq!(
        m.content,
        Content::Text(Text {
            text: "click here".into(),
            hidden_links: vec!["http://x.example/".into()]
        })
    );

    let caption = parsed(
        json!({"photo": [], "caption": "fee", "caption_entities": [{"offset": 0, "length": 3, "type": "text_link", "url": "u"}]}),
    );
    assert_eq!(caption.judgeable().unwrap().hidden_links, ["u"]);
    assert_eq!(parsed(json!({"photo": []})).content, Content::Image);
    assert_eq!(
        parsed(json!({"document": {"mime_type": "image/png"}})).content,
        Content::Image
    );
    assert_eq!(
        parsed(json!({"document": {"mime_type": "application/pdf"}})).content,
        Content::Unsupported("document")
    );
    assert_eq!(
        parsed(json!({"voice": {}})).content,
        Content::Unsupported("voice")
    );
    assert_eq!(
        parsed(json!({"new_chat_members": []})).content,
        Content::Service
    );
    assert_eq!(
        parsed(json!({"text": "/Lang@SomeBot  zh "})).content,
        Content::Command {
            name: "lang".into(),
            addressee: Some("SomeBot".into()),
            args: "zh".into()
        }
    );
    assert!(matches!(
        parsed(json!({"text": "/ not a command"})).content,
        Content::Text(_)
    ));
}

#[test]
fn quotes_topics_and_migrations() {
    let m = parsed(json!({"text": "real?", "quote": {"text": "pay now", "position": 0}}));
    assert_eq!(m.judgeable().unwrap().text, "real?\n\npay now");
    let topic = parsed(json!({"text": "t", "message_thread_id": 4, "is_topic_message": true}));
    assert_eq!(topic.topic_id, Some(4));
    let reply_thread = parsed(json!({"text": "t", "message_thread_id": 4}));
    assert_eq!(
        reply_thread.topic_id, None,
        "a reply thread is not a forum topic"
    );
    let migrated = parsed(json!({"migrate_to_chat_id": -1001}));
    assert_eq!(migrated.migrate_to_chat_id, Some(-1001));
}

#[test]
fn malformed_updates_name_their_id_and_unknown_kinds_pass() {
    let error = parse(&json!({"update_id": 5, "message": {"message_id": "x"}})).unwrap_err();
    assert_eq!(error.update_id, Some(5));
    assert!(
        parse(&json!({"message": {}}))
            .unwrap_err()
            .update_id
            .is_none()
    );
    let other = parse(&json!({"update_id": 6, "edited_message": {}})).unwrap();
    assert_eq!(other.incoming, Incoming::Other("edited_message".into()));
    let blocked = parse(&json!({"update_id": 7, "my_chat_member": {
        "chat": {"id": 1, "type": "private"}, "from": {"id": 1, "is_bot": false, "first_name": "F"},
        "date": 0, "old_chat_member": {"status": "member"}, "new_chat_member": {"status": "kicked", "until_date": 0}}})).unwrap();
    let Incoming::MyMembership(change) = blocked.incoming else {
        panic!()
    };
    assert_eq!(change.new_status, "kicked");
    assert!(!change.joined());
}

#[test]
fn images_pick_the_largest_photo_size_within_the_download_limit() {
    let size = |id: &str, side: u64, bytes: u64| json!({"file_id": id, "file_unique_id": id, "width": side, "height": side, "file_size": bytes});
    let image = |file_id: &str, file_size: u64| {
        Some(ImageFile {
            file_id: file_id.into(),
            file_size: Some(file_size),
        })
    };
    let big = DOWNLOAD_LIMIT + 1;
    let cases = [
        (
            json!({"photo": [size("s", 90, 1_000), size("l", 1280, 90_000), size("m", 800, 50_000)]}),
            image("l", 90_000),
        ),
        (
            json!({"photo": [size("s", 90, 1_000), size("m", 800, 50_000), size("l", 4000, big)]}),
            image("m", 50_000),
        ),
        (
            json!({"photo": [size("l", 4000, big + 1), size("s", 2000, big)]}),
            image("s", big),
        ),
        (
            json!({"document": {"file_id": "d", "file_unique_id": "d", "mime_type": "image/png", "file_size": big}}),
            image("d", big),
        ),
        (
            json!({"document": {"file_id": "d", "file_unique_id": "d", "mime_type": "application/pdf", "file_size": 5}}),
            None,
        ),
        (json!({"text": "hi"}), None),
    ];
    for (extra, expected) in cases {
        assert_eq!(parsed(extra.clone()).image, expected, "{extra}");
    }
}
