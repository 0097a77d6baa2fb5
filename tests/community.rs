//! The triage service with a real sled store in a temp dir: anti-abuse limits,
//! curation teaching and un-teaching, forgetting, durability across a reopen, and
//! learning that never makes a genuine notice suspicious.

use std::num::NonZeroU32;

use sellerguard::classify::{Family, Level, Message};
use sellerguard::config::{CommunitySettings, Settings};
use sellerguard::eval::dataset::{self, LabelMap};
use sellerguard::store::ReportSource;
use sellerguard::triage::{Curator, Origin, Review, ReviewTrigger, Triage, TriageError};

const SCAM: &str = "Your parcel is held at customs. Pay the fee at http://parcel-fee.top/x or call +44 7700 900123";
/// A message that only shares the reported contact number.
const NEUTRAL: &str = "Hi, this is Tom from the warehouse, call me back on +44 7700 900123 please";

fn settings() -> Settings {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    Settings::builtin()
}

fn community(reports_per_hour: u32) -> CommunitySettings {
    CommunitySettings {
        min_reporters: 3,
        reports_per_hour: NonZeroU32::new(reports_per_hour).expect("a positive limit"),
        retention_days: 90,
    }
}

fn service(dir: &tempfile::TempDir) -> Triage {
    Triage::load(&settings())
        .unwrap()
        .with_store_at(dir.path(), community(20))
        .unwrap()
}

/// A curator acting from the command line.
fn curator(name: &str) -> Curator {
    Curator {
        name: name.into(),
        origin: Origin::Cli,
    }
}

fn signal_ids(service: &Triage, text: &str) -> Vec<String> {
    service
        .check(Message::text(text))
        .signals
        .iter()
        .map(|s| s.rule_id.clone())
        .collect()
}

fn report(service: &Triage, text: &str, who: &str) -> sellerguard::triage::Reported {
    service
        .report(Message::text(text), who, ReportSource::Private)
        .expect("report accepted")
}

#[test]
fn one_person_reporting_many_times_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir);
    // Variants of the message, so each is a new report (the same one again is refused).
    for n in 0..15 {
        report(&s, &format!("{SCAM} ({n})"), "mallory");
    }
    assert!(
        !signal_ids(&s, NEUTRAL)
            .iter()
            .any(|id| id.starts_with("community."))
    );
    assert_eq!(s.check(Message::text(NEUTRAL)).level, Level::Low);
}

#[test]
fn distinct_reporters_count_but_alone_never_make_high() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir);
    let mut triggers = Vec::new();
    for who in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"] {
        triggers.extend(report(&s, SCAM, who).needs_review);
    }
    assert!(
        triggers.contains(&ReviewTrigger::Indicator {
            key: "phone:+447700900123".into(),
            reporters: 3
        }),
        "{triggers:?}"
    );
    let verdict = s.check(Message::text(NEUTRAL));
    assert!(
        verdict
            .signals
            .iter()
            .any(|s| s.rule_id == "community.reported-indicator"),
        "{verdict:?}"
    );
    assert!(
        verdict.level < Level::High,
        "reports alone must not make another message high: {}",
        verdict.score
    );
}

#[test]
fn reporters_are_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let s = Triage::load(&settings())
        .unwrap()
        .with_store_at(dir.path(), community(5))
        .unwrap();
    for n in 0..5 {
        report(&s, &format!("{SCAM} #{n}"), "eager");
    }
    let err = s
        .report(Message::text(SCAM), "eager", ReportSource::Group)
        .unwrap_err();
    assert!(
        matches!(err, TriageError::RateLimited { limit } if limit.get() == 5),
        "{err}"
    );
    report(&s, SCAM, "someone-else");
    assert!(matches!(
        s.report(Message::text("  "), "x", ReportSource::Private),
        Err(TriageError::Empty)
    ));
}

#[test]
fn a_confirmed_contact_carries_its_family_into_later_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir);
    let scam = "您的包裹被海关扣留，请缴纳清关费用，联系客服 +44 7700 900123 或访问 http://parcel-fee.top/x";
    let family = s.check(Message::text(scam)).family;
    assert_eq!(family, Some(Family::LogisticsFee));
    let id = report(&s, scam, "a").id;
    s.review(id, Review::Confirm, &curator("admin"), "customs fee scam")
        .unwrap();
    let later = s.check(Message::text(NEUTRAL));
    assert_eq!(later.level, Level::High, "{later:?}");
    assert_eq!(
        later.family, family,
        "the confirmed family's advice follows"
    );
}

#[test]
fn one_person_reporting_one_message_again_is_a_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir);
    let first = report(&s, SCAM, "mallory");
    let again = s.report(Message::text(SCAM), "mallory", ReportSource::Group);
    assert!(
        matches!(again, Err(TriageError::AlreadyAnswered { first: Some(id) }) if id == first.id),
        "{again:?}"
    );
    assert!(
        !s.first_answer("mallory", SCAM).unwrap(),
        "a later 👍 counts no more"
    );
    assert!(s.first_answer("someone", SCAM).unwrap());
    assert_eq!(s.stats().unwrap().reports_stored, 1);
}

#[test]
fn the_first_decision_stands_and_a_rejection_never_allow_lists() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir);
    let first = report(&s, SCAM, "a").id;
    for who in ["b", "c", "d", "e"] {
        report(&s, SCAM, who);
    }
    s.review(first, Review::Confirm, &curator("admin"), "fake customs")
        .unwrap();
    let edited = SCAM
        .replace("900123", "900999")
        .replace("parcel-fee.top/x", "fee-pay.top/q");
    let before = s.check(Message::text(&edited));
    assert!(
        before
            .signals
            .iter()
            .any(|x| x.rule_id == "community.near-duplicate"),
        "{before:?}"
    );
    assert_eq!(before.level, Level::High);

    let second = s.review(
        first,
        Review::Reject,
        &curator("other-admin"),
        "it was the real courier",
    );
    assert!(
        matches!(&second, Err(TriageError::AlreadyDecided { by, .. }) if by == "admin"),
        "{second:?}"
    );
    assert_eq!(
        s.stats().unwrap().confirmed,
        1,
        "the second press changed nothing"
    );
    s.reopen(first, &curator("admin"), "pressed the wrong button")
        .unwrap();
    s.review(
        first,
        Review::Reject,
        &curator("admin"),
        "it was the real courier",
    )
    .unwrap();
    let after = s.check(Message::text(NEUTRAL));
    let ids: Vec<_> = after.signals.iter().map(|x| x.rule_id.as_str()).collect();
    assert!(!ids.contains(&"community.allowed-indicator"), "{ids:?}");
    assert!(
        ids.contains(&"community.reported-indicator"),
        "the number's other reports still count: {ids:?}"
    );
    assert!(after.level >= Level::Medium, "{after:?}");
    assert_eq!(
        s.stats().unwrap().pending,
        4,
        "its other reports stay pending"
    );
    let again = s.check(Message::text(&edited));
    assert!(
        !again
            .signals
            .iter()
            .any(|x| x.rule_id == "community.near-duplicate"),
        "{again:?}"
    );
}

#[test]
fn ignored_reporters_stop_counting_and_forget_removes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir);
    let troll = report(&s, SCAM, "troll").id;
    s.ignore_reporter_of(troll, &curator("admin"), "spams reports")
        .unwrap();
    report(&s, &format!("{SCAM}!"), "troll");
    report(&s, SCAM, "b");
    assert!(!signal_ids(&s, NEUTRAL).contains(&"community.reported-indicator".to_string()));
    report(&s, SCAM, "c");
    report(&s, SCAM, "d");
    assert!(signal_ids(&s, NEUTRAL).contains(&"community.reported-indicator".to_string()));

    // Ignoring works from then on: the troll's first report still counts (reject it to
    // undo it). Forgetting two reporters takes the indicator back under the threshold.
    assert_eq!(s.forget("d").unwrap(), 1);
    assert_eq!(s.forget("c").unwrap(), 1);
    assert!(!signal_ids(&s, NEUTRAL).contains(&"community.reported-indicator".to_string()));
    let stats = s.stats().unwrap();
    assert_eq!(stats.reports_stored, 3);
}

#[test]
fn reports_survive_a_reopen_and_pending_is_grouped() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<_> = {
        let s = service(&dir);
        let mut ids = vec![report(&s, SCAM, "a").id, report(&s, SCAM, "b").id];
        ids.push(report(&s, "免费开店，加微信 amz_vip888 详谈，名额有限", "c").id);
        ids
    };
    let s = service(&dir);
    let groups = s.pending(100).unwrap();
    let all: Vec<_> = groups
        .iter()
        .flat_map(|g| g.reports.iter().map(|r| r.id))
        .collect();
    for id in &ids {
        assert!(all.contains(id), "{id} lost after reopen");
    }
    let parcel = groups
        .iter()
        .find(|g| g.reports.len() == 2)
        .expect("the two parcel reports group together");
    assert!(
        parcel.key.starts_with("url:") || parcel.key.starts_with("phone:"),
        "{}",
        parcel.key
    );
}

/// Near-duplicate texts with no link, number or ID (each pair at least 0.77 similar):
/// only the cluster trigger applies.
const WAVE: [&str; 4] = [
    "恭喜您的店铺入选亚马逊官方扶持计划，免费开通全球站点并获得流量扶持，专属经理一对一指导运营，名额有限请尽快回复本消息领取资格",
    "恭喜您的店铺入选亚马逊官方扶持计划，免费开通欧洲站点并获得流量扶持，专属经理一对一指导运营，名额有限请尽快回复本消息领取资格",
    "恭喜您的店铺入选亚马逊官方扶持计划，免费开通全球站点并获得流量扶持，专属经理一对一指导运营，名额有限请马上回复本消息领取资格",
    "恭喜你的店铺入选亚马逊官方扶持计划，免费开通全球站点并获得流量扶持，专属经理一对一指导运营，名额有限请尽快回复本消息领取资格",
];

fn cluster_triggers(reported: &sellerguard::triage::Reported) -> Vec<usize> {
    reported
        .needs_review
        .iter()
        .filter_map(|t| match t {
            ReviewTrigger::Cluster { size } => Some(*size),
            _ => None,
        })
        .collect()
}

#[test]
fn a_wave_of_similar_reports_asks_for_review_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let first = {
        let s = service(&dir);
        let a = report(&s, WAVE[0], "a");
        assert!(cluster_triggers(&a).is_empty());
        assert!(cluster_triggers(&report(&s, WAVE[1], "b")).is_empty());
        a.id
    };
    // After a restart the window of recent pending reports is rebuilt from the store,
    // and a reviewed report leaves it: WAVE[1] is still pending, WAVE[0] no longer.
    let s = service(&dir);
    s.review(first, Review::Reject, &curator("admin"), "")
        .unwrap();
    assert!(cluster_triggers(&report(&s, WAVE[2], "c")).is_empty());
    assert_eq!(cluster_triggers(&report(&s, WAVE[3], "d")), [3]);
}

#[test]
fn blocking_and_allowing_indicators_directly() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir);
    assert_eq!(
        s.judge_indicator("+44 7700 900123", true, &curator("admin"), "")
            .unwrap(),
        "phone:+447700900123"
    );
    assert!(signal_ids(&s, NEUTRAL).contains(&"community.confirmed-indicator".to_string()));
    assert_eq!(
        s.judge_indicator("wechat:AMZ_vip888", false, &curator("admin"), "")
            .unwrap(),
        "wechat:amz_vip888"
    );
    assert!(matches!(
        s.judge_indicator("hello", true, &curator("admin"), ""),
        Err(TriageError::NotAnIndicator(_))
    ));
}

#[test]
fn learning_from_a_corpus_never_flags_genuine_notices() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let load = |f: &str| dataset::load(&root.join(f), &LabelMap::default()).unwrap();
    let negatives = load("tests/fixtures/hard_negatives.jsonl");
    let flagged_before: Vec<_> = negatives
        .iter()
        .filter(|r| s.check(Message::text(&r.text)).level.is_flagged())
        .collect();
    assert!(
        flagged_before.is_empty(),
        "hard negatives flagged by rules: {flagged_before:?}"
    );

    // Scams plus everyday chat, the shape of public corpora: no notices on the legitimate side.
    let mut training: Vec<(String, bool)> = load("tests/fixtures/seller_scams.jsonl")
        .into_iter()
        .map(|r| (r.text, true))
        .collect();
    for chat in [
        "ok see you at lunch",
        "are you coming tonight?",
        "今天晚上一起吃饭吗",
        "明天开会记得带电脑",
        "I'll call you later",
        "thanks, got it",
        "好的，收到",
        "路上堵车，晚点到",
        "happy birthday!!",
        "where are you now",
        "我到楼下了",
        "can you send me the photos from yesterday",
    ] {
        training.push((chat.to_string(), false));
    }
    let summary = s
        .import(&training, true, "test-corpus", &Curator::cli())
        .unwrap();
    assert_eq!(summary.legitimate, 12);
    let flagged_after: Vec<_> = negatives
        .iter()
        .filter_map(|r| {
            let v = s.check(Message::text(&r.text));
            v.level.is_flagged().then(|| {
                (
                    r.text.clone(),
                    v.score,
                    v.signals
                        .iter()
                        .map(|s| s.rule_id.clone())
                        .collect::<Vec<_>>(),
                )
            })
        })
        .collect();
    assert!(
        flagged_after.is_empty(),
        "learning flagged genuine notices: {flagged_after:#?}"
    );
}
