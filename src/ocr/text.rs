//! Tidying Tesseract's output and measuring it against the expected text.
//!
//! Tidying never invents words: it removes the spaces Tesseract puts between
//! CJK characters, gives ASCII punctuation that follows a Chinese character its
//! full-width form (Tesseract reads "，" as ","), gives "(" or "[" paired with
//! "】" the form "【" (and back), drops lines with no letter,
//! digit or ideograph (bubble edges read as "|"), trims lines and collapses
//! runs of blank lines.

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
fn is_ideograph(c: char) -> bool {
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
    fn readable_text() {
        assert!(has_readable_text("验证"));
        assert!(has_readable_text("a"));
        assert!(!has_readable_text(" |_-.\n"));
    }
}
