//! Tidying Tesseract's output and measuring it against the expected text.
//!
//! Tidying never invents words: it removes the spaces Tesseract puts between
//! CJK characters, gives ASCII punctuation that follows a Chinese character its
//! full-width form (Tesseract reads "，" as ","), gives "(" or "[" paired with
//! "】" the form "【" (and back), drops lines with no letter,
//! digit or ideograph (bubble edges read as "|"), trims lines and collapses
//! runs of blank lines.

use std::ops::Range;

/// Whether `c` is a CJK ideograph, kana, CJK punctuation or a full-width form.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x30FF    // CJK symbols and punctuation, kana
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFF00..=0xFFEF    // full-width forms (，：！（）)
        | 0x20000..=0x3134F  // extensions B..G
    )
}

/// Whether `c` is a CJK ideograph (not punctuation).
pub(crate) fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// The full-width form of ASCII punctuation that Chinese text writes full-width.
fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ':' => '：',
        ';' => '；',
        '!' => '！',
        '?' => '？',
        _ => return None,
    })
}

/// Gives punctuation right after an ideograph (spaces aside) its full-width form.
fn widen_punctuation(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut previous = None;
    for c in line.chars() {
        let widened = full_width(c).filter(|_| previous.is_some_and(is_ideograph));
        out.push(widened.unwrap_or(c));
        if c != ' ' {
            previous = Some(c);
        }
    }
    out
}

/// Gives a bracket paired with a CJK lenticular bracket the same form:
/// Tesseract reads the "【" of "【PChome】" as "(" or "[".
fn pair_lenticular_brackets(line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    for index in 0..chars.len() {
        match chars[index] {
            '】' => {
                let opener = chars[..index]
                    .iter()
                    .rposition(|c| matches!(c, '(' | '[' | '【' | ')' | ']' | '】'));
                if let Some(at) = opener.filter(|&at| matches!(chars[at], '(' | '[')) {
                    chars[at] = '【';
                }
            }
            '【' => {
                let closer = chars[index + 1..]
                    .iter()
                    .position(|c| matches!(c, ')' | ']' | '】' | '(' | '[' | '【'));
                if let Some(at) = closer.filter(|&at| matches!(chars[index + 1 + at], ')' | ']')) {
                    chars[index + 1 + at] = '】';
                }
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Removes spaces between two CJK characters within one line.
fn join_cjk(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = out.chars().next_back();
            let after = chars[i + 1..].iter().find(|&&next| next != ' ');
            if let (Some(before), Some(&after)) = (before, after)
                && is_cjk(before)
                && is_cjk(after)
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Turns Tesseract's raw UTF-8 output into the text a seller saw.
///
/// Lines keep their order and breaks; a run of blank lines becomes one.
pub(crate) fn tidy(raw: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in raw.lines() {
        let mut line = join_cjk(&widen_punctuation(&pair_lenticular_brackets(line.trim())));
        if !has_readable_text(&line) {
            line.clear();
        }
        let previous_blank = lines.last().is_none_or(|last| last.is_empty());
        if line.is_empty() && previous_blank {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    join_wrapped_links(lines).join("\n")
}

/// Joins a link that a narrow chat bubble wrapped onto the next line
/// (`http://amazon-seller-` / `verify.top/x`), so it is read as one address.
fn join_wrapped_links(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        if let Some(previous) = out.last_mut()
            && wraps_into(previous, &line)
        {
            previous.push_str(line.trim_start());
            continue;
        }
        out.push(line);
    }
    out
}

/// Whether `line` ends in a link that continues at the start of `next`.
fn wraps_into(line: &str, next: &str) -> bool {
    let tail = line.rsplit(char::is_whitespace).next().unwrap_or("");
    let head = next
        .trim_start()
        .split(char::is_whitespace)
        .next()
        .unwrap_or("");
    if tail.is_empty() || head.is_empty() || !tail.is_ascii() || !head.is_ascii() {
        return false;
    }
    let starts_link =
        head.starts_with(|c: char| c.is_ascii_alphanumeric() || "/-._?=&%#".contains(c));
    let in_url = tail.contains("://") || tail.starts_with("www.");
    let broken_at_separator = tail.ends_with(['-', '.', '/', '_', '=', '?', '&']);
    starts_link && (in_url || (broken_at_separator && head.contains('.')))
}

/// Whether `text` holds anything a seller could read: a letter, digit or ideograph.
pub(crate) fn has_readable_text(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// Levenshtein distance over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// The byte range of the stretch of `haystack` closest to `needle` in edit
/// distance (ties go to the shortest); `None` when either is empty.
pub(crate) fn closest_substring(haystack: &str, needle: &str) -> Option<Range<usize>> {
    let hay: Vec<(usize, char)> = haystack.char_indices().collect();
    let pattern: Vec<char> = needle.chars().collect();
    if hay.is_empty() || pattern.is_empty() {
        return None;
    }
    // cost[j], start[j]: best alignment of the pattern so far ending before hay[j],
    // starting at hay[start[j]] (the start of the match is free).
    let mut cost: Vec<usize> = vec![0; hay.len() + 1];
    let mut start: Vec<usize> = (0..=hay.len()).collect();
    for (i, &p) in pattern.iter().enumerate() {
        let mut next_cost = vec![i + 1; hay.len() + 1];
        let mut next_start = start.clone();
        for j in 1..=hay.len() {
            let substitute = cost[j - 1] + usize::from(hay[j - 1].1 != p);
            let skip_pattern = cost[j] + 1;
            let skip_hay = next_cost[j - 1] + 1;
            let best = substitute.min(skip_pattern).min(skip_hay);
            next_cost[j] = best;
            next_start[j] = if best == substitute {
                start[j - 1]
            } else if best == skip_pattern {
                start[j]
            } else {
                next_start[j - 1]
            };
        }
        cost = next_cost;
        start = next_start;
    }
    let end = (1..=hay.len()).min_by_key(|&j| (cost[j], j - start[j]))?;
    let byte = |index: usize| hay.get(index).map_or(haystack.len(), |&(b, _)| b);
    Some(byte(start[end])..byte(end))
}

/// Merges two readings of the same Latin text: `chinese` from a Chinese model,
/// `latin` from the Latin one.
///
/// Aligned character by character, the Chinese reading always keeps its CJK
/// punctuation (which the Latin model cannot read). When `latin_surer`, the
/// Latin reading gives everything else. Otherwise it gives what the Chinese
/// models get wrong in Latin text: characters they dropped (`.`, `-`, `/`),
/// punctuation and letter case, while the Chinese reading keeps its letters
/// and digits where the two disagree on which one it is (`l` or `I`) and the
/// characters the Latin reading lost.
pub(crate) fn merge_latin(chinese: &str, latin: &str, latin_surer: bool) -> String {
    let a: Vec<char> = chinese.chars().collect();
    let b: Vec<char> = latin.chars().collect();
    // distance[i][j]: edit distance between a[..i] and b[..j].
    let mut distance = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in distance.iter_mut().enumerate() {
        row[0] = i;
    }
    distance[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitute = distance[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            distance[i][j] = substitute
                .min(distance[i - 1][j] + 1)
                .min(distance[i][j - 1] + 1);
        }
    }
    let (mut i, mut j) = (a.len(), b.len());
    let mut merged = Vec::with_capacity(a.len().max(b.len()));
    while i > 0 || j > 0 {
        let diagonal = i > 0
            && j > 0
            && distance[i][j] == distance[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
        if diagonal {
            let (mine, theirs) = (a[i - 1], b[j - 1]);
            let differ = mine.is_alphanumeric()
                && theirs.is_alphanumeric()
                && !mine.eq_ignore_ascii_case(&theirs);
            let keep_mine = is_cjk(mine) || (differ && !latin_surer);
            merged.push(if keep_mine { mine } else { theirs });
            i -= 1;
            j -= 1;
        } else if j > 0 && (i == 0 || distance[i][j] == distance[i][j - 1] + 1) {
            merged.push(b[j - 1]);
            j -= 1;
        } else {
            if is_cjk(a[i - 1]) || !latin_surer {
                merged.push(a[i - 1]);
            }
            i -= 1;
        }
    }
    merged.iter().rev().collect()
}

/// Character error rate: Levenshtein distance over characters, whitespace
/// removed from both sides, divided by the expected length.
///
/// 0.0 is a perfect read. With an empty `expected` it is 0.0 when `got` is
/// empty too and 1.0 otherwise.
pub fn character_error_rate(expected: &str, got: &str) -> f64 {
    let expected: String = expected.chars().filter(|c| !c.is_whitespace()).collect();
    let got: String = got.chars().filter(|c| !c.is_whitespace()).collect();
    let expected_len = expected.chars().count();
    if expected_len == 0 {
        return if got.is_empty() { 0.0 } else { 1.0 };
    }
    strsim::levenshtein(&expected, &got) as f64 / expected_len as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_links_are_joined() {
        assert_eq!(
            tidy("请登录 http://amazon-seller-\nverify.top/a 验证"),
            "请登录 http://amazon-seller-verify.top/a 验证"
        );
        assert_eq!(
            tidy("visit amazon-seller-\nverify.top now"),
            "visit amazon-seller-verify.top now"
        );
        assert_eq!(tidy("Hello there\nsee you"), "Hello there\nsee you");
        assert_eq!(tidy("余额5,000.\n00元"), "余额5,000.\n00元");
    }

    fn check_tidy(raw: &str, expected: &str) {
        assert_eq!(tidy(raw), expected, "tidy({raw:?})");
    }

    #[test]
    fn tidy_cases() {
        check_tidy("您 的 店 铺 账 户", "您的店铺账户");
        check_tidy("【 亚 马 逊 】 您 好", "【亚马逊】您好");
        check_tidy(
            "请 登 录 amazon-seller.top 验 证",
            "请登录 amazon-seller.top 验证",
        );
        check_tidy("Verify your account now", "Verify your account now");
        check_tidy("资 金 USD 5,600 已", "资金 USD 5,600 已");
        check_tidy("\n\n第一行  \n\n\n\n第 二 行\n\n", "第一行\n\n第二行");
        check_tidy("  ", "");
        check_tidy(
            "提醒: 您的账户异常, 资金已冻结!",
            "提醒：您的账户异常，资金已冻结！",
        );
        check_tidy(
            "Tue 13:15, USD 5,600: ok? 12,800元",
            "Tue 13:15, USD 5,600: ok? 12,800元",
        );
        check_tidy("第一行\n|\n第二行\n—\n", "第一行\n\n第二行");
        check_tidy("(PChome】您的貨款", "【PChome】您的貨款");
        check_tidy(
            "[Shopee】买家 【顺丰速运] 您",
            "【Shopee】买家【顺丰速运】您",
        );
        check_tidy("(see) 【a】 [b]", "(see) 【a】 [b]");
    }

    #[test]
    fn cer_cases() {
        let cases = [
            ("您的店铺", "您的店铺", 0.0),
            ("您的店铺", "您 的\n店 铺", 0.0),
            ("您的店铺", "您的店", 0.25),
            ("abcd", "abxd", 0.25),
            ("ab", "", 1.0),
            ("", "", 0.0),
            ("", "x", 1.0),
        ];
        for (expected, got, rate) in cases {
            let measured = character_error_rate(expected, got);
            assert!(
                (measured - rate).abs() < 1e-9,
                "{expected:?} vs {got:?}: {measured}"
            );
        }
    }

    #[test]
    fn closest_substrings() {
        let cases = [
            (
                "tiktokshop-seller.cc/kyc SgBeKYC",
                "tiktokshop-sellercc/kyc",
                Some("tiktokshop-seller.cc/kyc"),
            ),
            (
                "TikTok Shop#eBz: #&BYPayoneer",
                "Payoneer",
                Some("Payoneer"),
            ),
            (
                "TikTok Shop#eBz: #&BYPayoneer",
                "TikTok Shop",
                Some("TikTok Shop"),
            ),
            ("KRRUIKA SS, ASUSD 5,6008", "USD 5,600", Some("USD 5,600")),
            ("abc", "", None),
        ];
        for (haystack, needle, expected) in cases {
            let found = closest_substring(haystack, needle).map(|range| &haystack[range]);
            assert_eq!(found, expected, "{needle:?}");
        }
    }

    #[test]
    fn latin_readings_merge() {
        let cases = [
            (
                "amazon-sellerverifytop",
                "amazon-seller-verify.top",
                false,
                "amazon-seller-verify.top",
            ),
            (
                "lzd-sellercc/login",
                "Izd-seller.cc/login",
                false,
                "lzd-seller.cc/login",
            ),
            ("92,480.00", "$2,480.00", false, "$2,480.00"),
            ("Suspended", "suspended", false, "suspended"),
            (
                "sf-express-cn.vip/8821",
                "sf-express-cn.vip/r/8821",
                false,
                "sf-express-cn.vip/r/8821",
            ),
            ("USD 5,600", "USD5,600", false, "USD 5,600"),
            ("cs_cn。", "cs_cno", false, "cs_cn。"),
            (
                "shopify-verify.shopy/kyc",
                "shopify-verify.shop/kyc",
                true,
                "shopify-verify.shop/kyc",
            ),
            ("(Goebay_cs_cn。", "@ebay_cs_cno", true, "@ebay_cs_cn。"),
            ("203.0.113.45，", "203.0.113.45", true, "203.0.113.45，"),
        ];
        for (chinese, latin, surer, merged) in cases {
            assert_eq!(
                merge_latin(chinese, latin, surer),
                merged,
                "{chinese:?} + {latin:?}"
            );
        }
    }

    #[test]
    fn readable_text() {
        assert!(has_readable_text("验证"));
        assert!(has_readable_text("a"));
        assert!(!has_readable_text(" |_-.\n"));
    }
}
