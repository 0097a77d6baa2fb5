//! Verdict regression tests with the shipped rules, channels and model: every own hard
//! negative stays unflagged, every own seller scam is flagged, and one table of the
//! message kinds issue 9 names (written in our own words, never copied from a dataset)
//! gets the level it should, in both languages. These are regression tests, not an
//! accuracy claim (EVALUATION.md measures accuracy on held-out real messages).

use sellerguard::classify::{Lang, Level, Message};
use sellerguard::config::Settings;
use sellerguard::eval::dataset::{self, LabelMap};
use sellerguard::triage::{Card, Region, Triage};

fn triage() -> Triage {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let settings = Settings::builtin();
    Triage::load(&settings).expect("the shipped rules, channels and model load")
}

fn level(triage: &Triage, text: &str) -> Level {
    triage.check(Message::text(text)).level
}

#[test]
fn own_fixtures_keep_their_labels() {
    let triage = triage();
    for file in [
        "tests/fixtures/hard_negatives.jsonl",
        "tests/fixtures/seller_scams.jsonl",
    ] {
        let rows = dataset::load(file.as_ref(), &LabelMap::default()).unwrap();
        let wrong: Vec<&str> = rows
            .iter()
            .filter(|r| triage.check(Message::text(&r.text)).level.is_flagged() != r.positive)
            .map(|r| r.text.as_str())
            .collect();
        assert!(wrong.is_empty(), "{file}: {wrong:#?}");
    }
}

#[test]
fn the_kinds_the_issue_names() {
    use Level::{High, Low, Medium};
    let triage = triage();
    let cases: &[(&str, Level)] = &[
        // Masked, implied or missing links.
        (
            "【车辆中心】您的ETC已过期，为免影响通行，请点击**网址完成认证",
            High,
        ),
        (
            "Your account has been limited. Please verify your information to avoid suspension. [link]",
            Medium,
        ),
        (
            "Your PayPal account has been limited. Please confirm your information to restore it.",
            Medium,
        ),
        // Look-alike domains.
        (
            "Amazon: your seller account is suspended, verify at https://arnazom-seller.com/login",
            High,
        ),
        // Chinese impersonation with a deadline and platform notices.
        (
            "【医保局】您的医保卡即将失效，请于今日内点击 http://yb-rz.cc 办理认证",
            High,
        ),
        (
            "蝦皮通知：您的賣場未驗證，買家無法下單，請加LINE客服處理",
            High,
        ),
        ("【淘宝】您的店铺因审核未通过即将清退，请扫码认证", High),
        ("高薪兼职，日结300元，在家刷单即可，加微信 jz8899", High),
        (
            "您好，我是亚马逊平台的工作人员，您的店铺存在违规风险，请下载APP进行审核",
            High,
        ),
        ("这是工程图纸，请查收 http://tuzhi-view.top/a.apk", Medium),
        (
            "房东：我换号码了，这个月房租打到新账户 6222 0000 1234 5678",
            Medium,
        ),
        (
            "跨境电商无货源一件代发，零经验开店，月入过万，加V详聊",
            Medium,
        ),
        // English.
        (
            "Order #113-8736 confirmed! Total: $2249.78. Questions? Call 8557672244.",
            Medium,
        ),
        (
            "Zelle: We noticed you received $500. Upgrade to a business account to accept it.",
            Medium,
        ),
        (
            "Chase: Did you attempt a $1,250.00 purchase at Best Buy? Reply YES or NO",
            Medium,
        ),
        (
            "Customs: your package has unpaid import duty of $2.99. Pay at customs-fee-pay.com",
            High,
        ),
        (
            "Subject: Invoice #4821 overdue. Please see attached invoice and remit payment today.",
            Medium,
        ),
        // Genuine look-alikes stay low.
        (
            "【中国银行】您尾号1234的账户于12月1日支出人民币300.00元，余额8,120.50元。",
            Low,
        ),
        (
            "Your Amazon verification code is 730214. Do not share this code with anyone.",
            Low,
        ),
        (
            "Chase: unusual activity on your card ending 1234. Review it at https://www.chase.com/verify",
            Low,
        ),
        (
            "【中国联通】您本月账单22.40元，详情请点击 https://u.10010.cn/abc",
            Low,
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(text, want)| {
            let got = level(&triage, text);
            let ok = if *want == Medium {
                got >= Medium
            } else {
                got == *want
            };
            (!ok).then(|| format!("{got:?} (want {want:?}): {text}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn member_warnings_are_not_the_scam() {
    let triage = triage();
    for text in [
        "大家注意，这些都是骗子：我是亚马逊招商经理，免费开店，加微信 amz888",
        "PSA: got this text today, don't click it. 'USPS: your parcel is held, pay at usps-fee.top'",
        "Got a text saying my Seller Central account would be suspended unless I verified through a bit.ly link. Obviously fake.",
    ] {
        let verdict = triage.check(Message::text(text));
        assert!(verdict.warns_about_scam(), "{text}");
        assert!(!verdict.level.is_flagged(), "{:?}: {text}", verdict.level);
        // Never a green tick: the card says it is a warning about a scam.
        let card = Card::new(&verdict, triage.advice(), Lang::En, Region::Unknown);
        assert_eq!(card.marker(), "ℹ️", "{text}");
        assert!(
            card.headline.starts_with("A scam warning"),
            "{}",
            card.headline
        );
    }
    let recovery = triage.check(Message::text("被骗了？我们专业追回损失，加微信 zh888 咨询"));
    assert!(!recovery.warns_about_scam());
}
