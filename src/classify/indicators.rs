//! Indicator extraction: links, phone numbers, e-mail addresses and chat IDs.
//!
//! Works on normalised text (lower case, look-alikes folded, split digits joined) and
//! reports spans of the original text. Official-ness is decided against `Channels`;
//! a host whose original spelling was not plain ASCII is never official.
//!
//! Invariant: linear in the input (up to a log factor): each regex scans once, a
//! found indicator is deduplicated through a hash set and overlaps are looked up in
//! an ordered map of merged spans, never by scanning everything found so far.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use regex::Regex;

use super::channels::Channels;
use super::normalize::Normalized;
use super::verdict::{Evidence, Indicator, IndicatorKind};

/// Compiled extractors; built once per classifier.
#[derive(Debug)]
pub struct Extractor {
    url: Regex,
    email: Regex,
    wechat: Regex,
    qq: Regex,
    telegram_link: Regex,
    telegram_handle: Regex,
    whatsapp: Regex,
}

/// Hosts that carry a chat handle rather than a web page.
const CHAT_LINK_HOSTS: &[&str] = &["t.me", "telegram.me", "telegram.dog", "wa.me"];

impl Extractor {
    /// Compiles the extractors.
    pub fn new() -> Self {
        let re = |p: &str| Regex::new(p).expect("built-in indicator pattern compiles");
        Self {
            url: re(concat!(
                r"(?:(?:https?|hxxps?)(?::/{0,2}| //)\s?)?",
                r"((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,24}|xn--[a-z0-9-]{2,59})",
                r"|\d{1,3}(?:\.\d{1,3}){3})",
                r"(?::\d{2,5})?(?:[/?#][^\s<>'\x22\u{3000}-\u{303F}\u{FF00}-\u{FFEF}]*)?"
            )),
            email: re(r"[a-z0-9][a-z0-9._%+-]{0,63}@((?:[a-z0-9-]+\.)+[a-z]{2,24})"),
            wechat: re(concat!(
                r"(?:微信|v信|薇信|威信|维信|徽信|加薇|(?-u:\b)wei ?xin|(?-u:\b)wechat|(?-u:\b)vx",
                r"|(?-u:\b)wx|加v|\+v|(?-u:\b)v:)",
                r" ?(?:号|id|号码)? ?[:=]? ?([a-z][-_a-z0-9]{5,19}|1[3-9]\d{9})(?-u:\b)"
            )),
            qq: re(r"(?:(?-u:\b)qq|扣扣|企鹅) ?(?:号|群|号码)? ?[:=]? ?(\d{5,11})(?-u:\b)"),
            telegram_link: re(r"(?:t|telegram)\.(?:me|dog)/\+?([a-z0-9_]{4,32})"),
            telegram_handle: re(r"(?:^|[^a-z0-9._%+-])@([a-z][a-z0-9_]{4,31})(?-u:\b)"),
            whatsapp: re(concat!(
                r"wa\.me/\+?(\d{7,15})|whatsapp\.com/send/?\?phone=\+?(\d{7,15})",
                r"|whatsapp ?(?:number|no\.?|号)? ?[:=]? ?(\+?\d{7,15})"
            )),
        }
    }

    /// Every indicator in `text`, then in each hidden link target.
    pub fn extract(
        &self,
        text: &Normalized,
        original: &str,
        hidden_links: &[String],
        channels: &Channels,
    ) -> Vec<Indicator> {
        let mut found = Found::default();
        self.scan(text, Some(original), channels, &mut found);
        for link in hidden_links {
            let normalized = Normalized::new(link);
            self.scan(&normalized, None, channels, &mut found);
        }
        found.list
    }

    /// Extracts from one text; `original` is `None` for hidden link targets.
    fn scan(
        &self,
        text: &Normalized,
        original: Option<&str>,
        channels: &Channels,
        found: &mut Found,
    ) {
        let s = text.as_str();
        let evidence = |range: Range<usize>| {
            original.map(|o| {
                let span = text.original_span(range);
                Evidence {
                    text: o[span.clone()].to_string(),
                    start: span.start,
                    end: span.end,
                }
            })
        };
        let mut taken = Taken::default();

        if s.contains('@') {
            for caps in self.email.captures_iter(s) {
                let whole = caps.get(0).expect("group 0");
                let domain = registrable(&caps[1]).unwrap_or_else(|| caps[1].to_string());
                let official = channels.official_for(&caps[1]).map(|e| e.name.clone());
                found.push(Indicator {
                    kind: IndicatorKind::Email,
                    value: whole.as_str().to_string(),
                    domain: Some(domain),
                    imitates: imitated(channels, &caps[1], official.is_some()),
                    official,
                    shortener: false,
                    hidden: original.is_none(),
                    evidence: evidence(whole.range()),
                });
                taken.push(whole.range());
            }
        }
        for caps in self.telegram_link.captures_iter(s) {
            let whole = caps.get(0).expect("group 0");
            found.push(contact(
                IndicatorKind::Telegram,
                &caps[1],
                original,
                evidence(whole.range()),
            ));
            taken.push(whole.range());
        }
        for caps in self.whatsapp.captures_iter(s) {
            let whole = caps.get(0).expect("group 0");
            let number = (1..=3)
                .find_map(|i| caps.get(i))
                .expect("one group matched");
            let value = format!("+{}", number.as_str().trim_start_matches('+'));
            found.push(contact(
                IndicatorKind::Whatsapp,
                &value,
                original,
                evidence(whole.range()),
            ));
            taken.push(whole.range());
        }
        if s.contains('.') {
            for caps in self.url.captures_iter(s) {
                let whole = caps.get(0).expect("group 0");
                if taken.overlaps(&whole.range()) {
                    continue;
                }
                let host_match = caps.get(1).expect("host group");
                let host = host_match.as_str();
                let has_scheme = whole.start() != host_match.start();
                let is_ip = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                let domain = registrable(host);
                if !has_scheme && (is_ip || domain.is_none()) {
                    continue;
                }
                if CHAT_LINK_HOSTS.contains(&host) {
                    continue;
                }
                let spelled_plain = original
                    .map(|o| o[text.original_span(host_match.range())].is_ascii())
                    .unwrap_or(true);
                let unicode_host = decode_punycode(host);
                let official = (spelled_plain && unicode_host.is_none())
                    .then(|| channels.official_for(host).map(|e| e.name.clone()))
                    .flatten();
                let folded = unicode_host.as_deref().unwrap_or(host);
                let imitates = if official.is_some() {
                    None
                } else {
                    channels
                        .official_for(folded)
                        .or_else(|| channels.imitated_by(folded))
                        .map(|e| e.name.clone())
                };
                found.push(Indicator {
                    kind: IndicatorKind::Url,
                    value: host.to_string(),
                    domain: domain.or_else(|| Some(host.to_string())),
                    official,
                    imitates,
                    shortener: channels.is_shortener(host),
                    hidden: original.is_none(),
                    evidence: evidence(whole.range()),
                });
                taken.push(whole.range());
            }
        }
        for caps in self.wechat.captures_iter(s) {
            let whole = caps.get(0).expect("group 0");
            found.push(contact(
                IndicatorKind::Wechat,
                &caps[1],
                original,
                evidence(whole.range()),
            ));
            taken.push(whole.range());
        }
        for caps in self.qq.captures_iter(s) {
            let whole = caps.get(0).expect("group 0");
            found.push(contact(
                IndicatorKind::Qq,
                &caps[1],
                original,
                evidence(whole.range()),
            ));
            taken.push(caps.get(1).expect("number").range());
        }
        if s.contains('@') {
            for caps in self.telegram_handle.captures_iter(s) {
                let handle = caps.get(1).expect("handle");
                if taken.overlaps(&handle.range()) {
                    continue;
                }
                let range = handle.start() - 1..handle.end();
                found.push(contact(
                    IndicatorKind::Telegram,
                    handle.as_str(),
                    original,
                    evidence(range),
                ));
            }
        }
        for (range, number) in phone_numbers(s) {
            if taken.overlaps(&range) {
                continue;
            }
            let written = original.map(|o| &o[text.original_span(range.clone())]);
            let number = written.map_or(number.clone(), |w| regroup(&number, w));
            found.push(contact(
                IndicatorKind::Phone,
                &number,
                original,
                evidence(range),
            ));
        }
    }
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

/// Indicators found so far, in order, without duplicates.
#[derive(Default)]
struct Found {
    list: Vec<Indicator>,
    seen: HashSet<(IndicatorKind, String)>,
}

impl Found {
    fn push(&mut self, indicator: Indicator) {
        if self.seen.insert((indicator.kind, indicator.value.clone())) {
            self.list.push(indicator);
        }
    }
}

/// Spans of the text already claimed by an indicator, merged: start -> end, disjoint.
#[derive(Default)]
struct Taken {
    spans: BTreeMap<usize, usize>,
}

impl Taken {
    /// Whether `range` shares a byte with a claimed span.
    fn overlaps(&self, range: &Range<usize>) -> bool {
        let before_end = self.spans.range(..range.end).next_back();
        before_end.is_some_and(|(_, &end)| end > range.start)
    }

    /// Claims `range` (a match, never empty), merging it with the spans it overlaps.
    fn push(&mut self, range: Range<usize>) {
        let (mut start, mut end) = (range.start, range.end);
        if start >= end {
            return;
        }
        while let Some((&s, &e)) = self.spans.range(..end).next_back() {
            if e <= start {
                break;
            }
            start = start.min(s);
            end = end.max(e);
            self.spans.remove(&s);
        }
        self.spans.insert(start, end);
    }
}

fn contact(
    kind: IndicatorKind,
    value: &str,
    original: Option<&str>,
    evidence: Option<Evidence>,
) -> Indicator {
    Indicator {
        kind,
        value: value.to_string(),
        domain: None,
        official: None,
        imitates: None,
        shortener: false,
        hidden: original.is_none(),
        evidence,
    }
}

fn imitated(channels: &Channels, host: &str, official: bool) -> Option<String> {
    (!official)
        .then(|| channels.imitated_by(host).map(|e| e.name.clone()))
        .flatten()
}

/// The registrable domain of a host, if its suffix is a known public suffix.
fn registrable(host: &str) -> Option<String> {
    let suffix = psl::suffix(host.as_bytes())?;
    if !suffix.is_known() {
        return None;
    }
    psl::domain_str(host).map(str::to_string)
}

/// The Unicode form of a punycode host, folded like normalised text, when it has one.
fn decode_punycode(host: &str) -> Option<String> {
    if !host.split('.').any(|label| label.starts_with("xn--")) {
        return None;
    }
    let (unicode, result) = idna::domain_to_unicode(host);
    result.ok()?;
    Some(Normalized::new(&unicode).as_str().to_string())
}

/// Phone numbers in normalised text: maximal digit runs (with an optional leading `+`)
/// that read as a Chinese mobile, a Chinese landline or service number, or an
/// international number; and North American numbers written with the area code in
/// parentheses (`+1 (808) 555-0143`, which the normaliser leaves as `(808) 5550143`).
fn phone_numbers(s: &str) -> Vec<(Range<usize>, String)> {
    let bytes = s.as_bytes();
    let latin = !s.chars().any(is_cjk);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let may_open = matches!(bytes[i], b'(' | b'+' | b'1');
        if let Some((range, number)) = may_open.then(|| parenthesised_nanp(s, i)).flatten() {
            i = range.end;
            out.push((range, number));
            continue;
        }
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = &s[start..i];
        let plus = start > 0 && bytes[start - 1] == b'+';
        let letter_before = start > 0 && bytes[start - 1].is_ascii_alphabetic();
        let letter_after = i < bytes.len() && bytes[i].is_ascii_alphabetic();
        if letter_before || letter_after || labelled_as_id(&s[..start]) {
            continue;
        }
        if let Some(value) = classify_number(run, plus, latin) {
            let from = if plus { start - 1 } else { start };
            out.push((from..i, value));
        }
    }
    out
}

/// Labels after which a digit run is a reference, not a phone number
/// (`ID:9988776655`, `UPI ref no. 648724676562`, `订单号 13800138000`).
const ID_LABELS: [&str; 14] = [
    "id",
    "ref",
    "ref no",
    "ref no.",
    "reference",
    "order",
    "order no",
    "txn",
    "utr",
    "订单号",
    "单号",
    "编号",
    "流水号",
    "交易号",
];

/// Whether `before` (the text ahead of a digit run) ends in an ID label, allowing a
/// separator (`:`, `#`, `.`, spaces) between label and number; the label is a whole
/// word (`valid`, `android` are not `id`).
fn labelled_as_id(before: &str) -> bool {
    let label = before.trim_end_matches([' ', ':', '：', '#', '-', '.']);
    ID_LABELS.iter().any(|id| {
        label.ends_with(id)
            && !label[..label.len() - id.len()].ends_with(|c: char| c.is_ascii_alphanumeric())
    })
}

/// A number read as a Chinese mobile but written in North American groups
/// (`1-808-555-0143`, `1.808.555.0143`: one, three, three, four digits) is North
/// American.
fn regroup(number: &str, written: &str) -> String {
    let groups: Vec<usize> = written
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .map(str::len)
        .collect();
    let cn_mobile = number.len() == 14 && number.starts_with("+861");
    if cn_mobile && groups == [1, 3, 3, 4] {
        return classify_nanp(&number[4..]).unwrap_or_else(|| number.to_owned());
    }
    number.to_owned()
}

/// `(808) 5550143`, `(808)5550143`, optionally after `+1 `, `1 ` or `+1`, starting at
/// byte `at` (the `(` or the country code): the number's range and canonical form.
fn parenthesised_nanp(s: &str, at: usize) -> Option<(Range<usize>, String)> {
    let rest = &s[at..];
    let code_len = ["+1 (", "+1(", "+1-(", "1 (", "1(", "1-("]
        .iter()
        .find(|p| rest.starts_with(**p))
        .map_or(0, |p| p.len() - 1);
    let digit_before = at > 0 && s.as_bytes()[at - 1].is_ascii_alphanumeric();
    if digit_before && code_len > 0 {
        return None;
    }
    let body = &rest[code_len..];
    let head = body.as_bytes().get(..5)?;
    if head[0] != b'(' || head[4] != b')' || !head[1..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let area = &body[1..4];
    let after = [" - ", "-", " ", "."]
        .iter()
        .find_map(|sep| body[5..].strip_prefix(sep))
        .unwrap_or(&body[5..]);
    let local_len = after.bytes().take_while(u8::is_ascii_digit).count();
    let followed = after
        .as_bytes()
        .get(local_len)
        .is_some_and(u8::is_ascii_alphanumeric);
    if local_len != 7 || followed {
        return None;
    }
    let number = classify_nanp(&format!("{area}{}", &after[..7]))?;
    let end = s.len() - after.len() + 7;
    Some((at..end, number))
}

/// The canonical form of a digit run that is a phone number; `latin` says the message
/// has no Chinese text, where `1` and a toll-free number (`1-855-...`) is North
/// American rather than a Chinese mobile.
fn classify_number(run: &str, plus: bool, latin: bool) -> Option<String> {
    let is_cn_mobile =
        |d: &str| d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9');
    if run.len() == 11 && run.starts_with('1') {
        // `+1 808 555 0143`: the country code of North America, not a Chinese mobile.
        if let Some(number) = classify_nanp(&run[1..])
            && (plus || latin && !number.starts_with('+'))
        {
            return Some(number);
        }
    }
    if is_cn_mobile(run) {
        return Some(format!("+86{run}"));
    }
    for prefix in ["86", "0086"] {
        if let Some(rest) = run.strip_prefix(prefix)
            && is_cn_mobile(rest)
        {
            return Some(format!("+86{rest}"));
        }
    }
    if plus && (8..=15).contains(&run.len()) {
        return Some(format!("+{run}"));
    }
    if (run.starts_with("400") || run.starts_with("800")) && run.len() == 10 {
        return Some(run.to_string());
    }
    if run.starts_with('0') && !run.starts_with("00") && (10..=12).contains(&run.len()) {
        return Some(format!("+86{}", &run[1..]));
    }
    let nanp = run
        .strip_prefix('1')
        .filter(|r| r.len() == 10)
        .unwrap_or(run);
    classify_nanp(nanp)
}

/// Ten digits that form a North American number: toll-free ones are companies' lines
/// (`1800...`, not mobiles), others `+1...`.
fn classify_nanp(nanp: &str) -> Option<String> {
    let b = nanp.as_bytes();
    let valid = nanp.len() == 10
        && b.iter().all(u8::is_ascii_digit)
        && matches!(b[0], b'2'..=b'9')
        && matches!(b[3], b'2'..=b'9');
    if !valid {
        return None;
    }
    let toll_free = b[0] == b'8' && b[1] == b[2] && matches!(b[1], b'0' | b'3'..=b'8');
    Some(if toll_free {
        format!("1{nanp}")
    } else {
        format!("+1{nanp}")
    })
}

/// Han characters, kana and full-width forms: the message has Chinese (or Japanese) text.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Whether a phone number (canonical form) is a mobile: Chinese mobile or international.
pub fn is_mobile(value: &str) -> bool {
    value.starts_with("+86") && value.len() == 14 && value.as_bytes()[3] == b'1'
        || value.starts_with('+') && !value.starts_with("+86")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::channels::OfficialEntry;

    fn channels() -> Channels {
        Channels::new(
            vec![OfficialEntry {
                name: "Amazon".into(),
                domains: vec!["amazon.com".into()],
                brands: vec!["amazon".into()],
                ..OfficialEntry::default()
            }],
            ["bit.ly".to_string()],
        )
    }

    fn extract(text: &str) -> Vec<Indicator> {
        Extractor::new().extract(&Normalized::new(text), text, &[], &channels())
    }

    fn keys(text: &str) -> Vec<String> {
        extract(text).iter().map(Indicator::key).collect()
    }

    #[test]
    fn finds_each_kind() {
        let cases: &[(&str, &[&str])] = &[
            (
                "登录 https://sellercentral.amazon.com/home 查看",
                &["url:sellercentral.amazon.com"],
            ),
            (
                "验证 amazon-seller-verify.top 立即",
                &["url:amazon-seller-verify.top"],
            ),
            ("call 138 1234 5678 now", &["phone:+8613812345678"]),
            ("致电+86 138-1234-5678", &["phone:+8613812345678"]),
            ("客服 0755-12345678", &["phone:+8675512345678"]),
            ("Call support at 855-804-8470", &["phone:18558048470"]),
            ("call +1 (808) 555-0143 today", &["phone:+18085550143"]),
            (
                "call (808) 555-0143 or 1 (855) 555-0172",
                &["phone:+18085550143", "phone:18555550172"],
            ),
            ("call +1(808)555-0143", &["phone:+18085550143"]),
            ("call +1 808 555 0143", &["phone:+18085550143"]),
            (
                "call (808)-555-0143 or +1-(808)-555-0144",
                &["phone:+18085550143", "phone:+18085550144"],
            ),
            ("call 1 - 808 - 555 - 0143", &["phone:+18085550143"]),
            ("call 1.808.555.0143", &["phone:+18085550143"]),
            ("请拨打 138-1234-5678", &["phone:+8613812345678"]),
            ("Call 1-855-555-0172 to cancel", &["phone:18555550172"]),
            ("请拨打 1-855-555-0172", &["phone:18555550172"]),
            ("请拨打 18555550172", &["phone:+8618555550172"]),
            ("see page (12) 3456789", &[]),
            ("积分( 分) (分分) (1分)", &[]),
            ("加V信：amz_vip888 详谈", &["wechat:amz_vip888"]),
            ("薇信 abc12345", &["wechat:abc12345"]),
            ("加vx amzmanager 了解", &["wechat:amzmanager"]),
            ("QQ号：12345678", &["qq:12345678"]),
            (
                "t.me/amz_helper 或 @amz_service",
                &["telegram:amz_helper", "telegram:amz_service"],
            ),
            ("WhatsApp +44 7700 900123", &["whatsapp:+447700900123"]),
            ("wa.me/8613812345678", &["whatsapp:+8613812345678"]),
            (
                "write to help@amazon-support.top",
                &["email:help@amazon-support.top"],
            ),
            ("bit.ly/3xYz", &["url:bit.ly"]),
            ("log in via http:ow.ly/nPyL308", &["url:ow.ly"]),
            ("visit http //tinyurl.com Zy8u", &["url:tinyurl.com"]),
        ];
        for (text, expected) in cases {
            assert_eq!(keys(text), *expected, "text: {text}");
        }
    }

    #[test]
    fn phone_scanning_never_splits_a_character() {
        let sample = "+1 (分分) 1(８0８)５55 (808) 5550143 +1(一二三)4567890 1 (  ) 积分(1分)+1";
        let normalised = crate::classify::normalize::Normalized::new(sample);
        let text = normalised.as_str();
        for (start, _) in text.char_indices() {
            phone_numbers(&text[start..]);
        }
    }

    #[test]
    fn judges_official_and_imitating_hosts() {
        let found =
            extract("https://sellercentral.amazon.com and http://amaz0n-verify.top and bit.ly/x");
        assert_eq!(found[0].official.as_deref(), Some("Amazon"));
        assert_eq!(found[1].imitates.as_deref(), Some("Amazon"));
        assert!(found[2].shortener);
    }

    #[test]
    fn homograph_host_is_never_official() {
        let found = extract("login at https://аmazon.com/verify");
        assert_eq!(found[0].value, "amazon.com");
        assert_eq!(found[0].official, None);
        assert_eq!(found[0].imitates.as_deref(), Some("Amazon"));
        let found = extract("https://xn--mazon-3ve.com/x");
        assert_eq!(found[0].official, None);
        assert_eq!(found[0].imitates.as_deref(), Some("Amazon"));
    }

    #[test]
    fn evidence_points_at_original_text() {
        let text = "请加 Ｖ信：ａｍｚ＿ｖｉｐ８８８";
        let found = extract(text);
        let ev = found[0].evidence.as_ref().unwrap();
        assert_eq!(&text[ev.start..ev.end], ev.text);
        assert!(ev.text.ends_with("ａｍｚ＿ｖｉｐ８８８"));
    }

    #[test]
    fn hidden_links_are_marked() {
        let found = Extractor::new().extract(
            &Normalized::new("click here"),
            "click here",
            &["https://amazon-verify.top/x".to_string()],
            &channels(),
        );
        assert!(found[0].hidden && found[0].evidence.is_none());
    }

    #[test]
    fn taken_spans_merge_and_answer_overlaps_like_a_scan() {
        let claimed = [5..9, 20..25, 9..12, 0..2, 22..30, 40..41];
        let mut taken = Taken::default();
        for range in claimed.clone() {
            taken.push(range);
        }
        for start in 0..45 {
            for end in start..46 {
                let range = start..end;
                let scan = claimed
                    .iter()
                    .any(|t| t.start < range.end && range.start < t.end);
                assert_eq!(taken.overlaps(&range), scan, "{range:?}");
            }
        }
        assert_eq!(
            taken.spans.len(),
            5,
            "touching spans stay apart: {:?}",
            taken.spans
        );
    }

    #[test]
    fn many_distinct_links_are_each_found_once() {
        let text: String = (0..2000)
            .map(|i| format!("https://shop{i}.example.top/x "))
            .collect();
        let repeated = format!("{text}{text}");
        let found = keys(&repeated);
        assert_eq!(found.len(), 2000);
        assert_eq!(found[1999], "url:shop1999.example.top");
    }

    #[test]
    fn ignores_what_is_not_an_indicator() {
        for text in [
            "余额5,000.00元",
            "order 123-4567890-1234567",
            "e.g. this",
            "v1.2.3",
            "尾号1234",
            "Payment INR 299.00 (ID:9988776655) confirmed",
            "UPI ref no. 648724676562",
            "订单号：13800138000",
        ] {
            assert!(keys(text).is_empty(), "text: {text} gave {:?}", keys(text));
        }
    }
}
