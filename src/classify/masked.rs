//! Links a message points to without showing them: masked by whoever quoted it
//! (`XXX`, `***.***.cn`, `[link]`, `某某网址`, `(此处为链接)`), cut by OCR, or only
//! implied ("click the link below", "tap here", "扫码"). A quoted scam lost its link; the
//! original carried one, so the masked link counts as a channel.
//!
//! Invariants: matches normalised text (lower case, Simplified); pure and infallible.

use std::ops::Range;

use regex::Regex;

/// The masks and link-implying phrases, compiled once per classifier.
#[derive(Debug)]
pub struct MaskedLinks {
    pattern: Regex,
    /// A negation right before a phrase ("切勿点击短信链接", "do not click the link"):
    /// the message warns against a link rather than pointing to one.
    negated: Regex,
}

/// Negations that turn a link phrase into a warning, matched at the end of the few
/// characters before it.
const NEGATIONS: &str = r"(?:勿|不要|别|不会|不得|谨防|警惕|切莫|(?-u:\b)(?:never|not|don't|dont|avoid))\s*(?:随意|轻易|随便|陌生|可疑|任何)?\s*$";

/// How far before a phrase a negation is looked for, in bytes (a few words).
const NEGATION_WINDOW: usize = 24;

const PATTERNS: &[&str] = &[
    // A scheme or www. followed by a mask.
    r"(?:https?://|www\.)\s*(?:x{2,}|\*{2,}|…|\.{3}|#{2,})",
    // A masked host: xxx.xxx.cn, ***.com, xxxx.top.
    r"(?:x{3,}|\*{2,})\.(?:x{2,}|\*{2,}|com|cn|net|top|cc|xyz|vip|shop|info|org|me|co)(?-u:\b)",
    // Placeholders in brackets.
    r"[\[<(（【]\s*(?:link|url|links|hyperlink|link removed|url removed|redacted|removed|\.{3}|…|链接|连结|网址|网站|短链|此处为链接|此处为网址|链接已隐藏)\s*[\]>)）】]",
    // Chinese descriptions of a link that is not shown.
    r"某某?(?:网址|网站|链接|连结|短链)",
    r"(?:\*{2,}|x{2,}|…)\s*(?:网址|网站|链接|连结)",
    r"(?:登录|登陆|至|前往)(?:指定)?(?:网站|网址)",
    r"(?:此处|这里)(?:为|是)?(?:链接|连结|网址)",
    r"(?:链接|连结|网址|地址|网站)(?:地址)?\s*[:：]\s*(?:x{2,}|\*{2,}|…)",
    // "点击 XXX 填写": a masked link named only by its mask.
    // (Not stars, and not after 至: genuine notices mask accounts as `转至***1234`.)
    r"(?:点击|点开|登录|登陆|访问|前往)\s*x{3,}",
    r"(?:点击|点开|打开|戳|点)(?:下方|以下|上方|此|该|这个|短信|如下)?(?:链接|连结|网址|网站|连接)",
    // Not 点击查看 / 点击领取 / 点击进入: app notifications name their own buttons so
    // ("收益已到账，点击查看"); a quoted scam that lost its link says 链接 or names a form.
    r"(?:点击|点此|点这里)(?:办理|登录|认证|验证|处理|填写|申请)",
    r"(?:登录|登陆|访问|进入)(?:以下|下方|如下|指定)(?:网址|网站|链接|连结)",
    r"(?:扫码|扫描二维码|扫描下方二维码|扫一扫|识别二维码)",
    // English phrases that only make sense with a link.
    r"(?-u:\b)(?:click|tap|press)\s+(?:on\s+)?(?:the\s+|this\s+|our\s+)?(?:link|here|below|button|url)(?-u:\b)",
    r"(?-u:\b)(?:visit|follow|open|use|via|through|at)\s+(?:the\s+|this\s+)?(?:link|url)\s*(?:below|above|provided|attached)?(?-u:\b)",
    r"(?-u:\b)(?:link|url)\s+(?:below|above|provided)(?-u:\b)",
    r"(?-u:\b)scan\s+(?:the\s+|this\s+)?qr(?:\s*code)?(?-u:\b)",
    r"(?-u:\b)click(?:ing)?\s+(?:on\s+)?(?:the\s+)?(?:button|link)(?-u:\b)|(?-u:\b)(?:button|link)\s+below(?-u:\b)",
    // An e-mail's button labels, read as text when the mail was forwarded or quoted: the
    // button was a link ("Verify Now", "Release Messages", "Keep Current Password").
    r"(?-u:\b)(?:verify|update|confirm|renew|upgrade|unlock|restore|reactivate|claim|validate|release|activate|redeem|login|log\s+in|sign\s+in)\s+now(?-u:\b)",
    r"(?-u:\b)(?:release|retrieve|recover)\s+(?:your\s+|the\s+)?(?:pending\s+|held\s+)?(?:messages|emails|e-mails|mails)(?-u:\b)",
    r"(?-u:\b)keep\s+(?:current|same|my)\s+password(?-u:\b)",
    r"(?-u:\b)(?:play|listen\s+to)\s+(?:the\s+)?(?:message|voicemail|voice\s+message|audio|recording)(?-u:\b)",
    r"(?-u:\b)submit\s+(?:your\s+)?(?:request|appeal|claim|application)(?-u:\b)",
    r"(?-u:\b)(?:validate|connect|sync|verify)\s+(?:your\s+)?wallet(?-u:\b)|(?-u:\b)(?:verify|update)\s+billing(?-u:\b)|(?-u:\b)download\s+(?:your\s+)?files(?-u:\b)|(?-u:\b)get\s+more\s+storage(?-u:\b)",
    r"(?-u:\b)(?:track\s*(?:&|and)\s*confirm|pay\s*(?:&|and)\s*track|upgrade\s+storage|increase\s+storage)(?-u:\b)",
    // Portuguese and Spanish: "clique aqui", "link abaixo", "haga clic", "siguiente enlace".
    r"(?-u:\b)(?:clique|clicando|clica)\s+(?:aqui|no\s+link|no\s+botao|abaixo)|(?-u:\b)(?:link|botao)\s+abaixo(?-u:\b)",
    r"(?-u:\b)(?:haga|hacer|haz|pulse|haciendo)\s+(?:clic|click)|(?-u:\b)clic\s+aqui|(?-u:\b)(?:siguiente|este)\s+enlace(?-u:\b)",
];

impl MaskedLinks {
    /// Compiles the patterns.
    pub fn new() -> Self {
        let pattern = Regex::new(&PATTERNS.join("|")).expect("the masked-link patterns compile");
        let negated = Regex::new(NEGATIONS).expect("the negations compile");
        Self { pattern, negated }
    }

    /// The first masked or implied link in normalised `text` that is not negated.
    pub fn find(&self, text: &str) -> Option<Range<usize>> {
        self.pattern
            .find_iter(text)
            .find(|m| !self.is_negated(text, m.start()))
            .map(|m| m.range())
    }

    /// Whether a negation ends right before byte `at` of `text`.
    fn is_negated(&self, text: &str, at: usize) -> bool {
        let mut from = at.saturating_sub(NEGATION_WINDOW);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        self.negated.is_match(&text[from..at])
    }
}

impl Default for MaskedLinks {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::normalize::Normalized;

    #[test]
    fn masks_and_implied_links() {
        let masked = MaskedLinks::new();
        for text in [
            "请登录 http://xxx 更新资料",
            "访问 ***.***.cn 处理",
            "Your account is on hold: [link]",
            "verify at [...] today",
            "请点击某某网址认证",
            "详情见(此处为链接)",
            "链接地址：XXX",
            "Click the link below to restore access",
            "Tap here to update your address",
            "請掃碼認證賣場",
            "Scan the QR code to confirm",
            "点击链接领取补贴",
            "請立即點擊連結更新資料",
            "請點擊 XXX 填寫帳戶資料",
            "Your messages are on hold. Release Messages",
            "Your password expires today. Keep Current Password",
            "Secure your account by clicking the button below.",
            "Payment declined.\nVerify Now\nThe team",
            "Listen to the voicemail: Play Message",
            "atualize seus dados clicando no link abaixo",
            "verifique su identidad haciendo clic en el siguiente enlace",
        ] {
            let normalized = Normalized::new(text);
            assert!(masked.find(normalized.as_str()).is_some(), "{text}");
        }
        for text in [
            "Your code is 123456. Do not share it.",
            "xxx was great yesterday",
            "the link between sales and ads",
            "您尾号1234的账户转账至***5678，金额100.00元",
            "已收到您的付款，谢谢",
            "请登录个人所得税App办理，切勿点击短信链接。",
            "Never click the link in a text that asks for your PIN.",
            "不要随意点击陌生链接",
            "You can secure your account in the app settings.",
            "余额宝收益到账 昨日收益0.52元，点击查看详情",
            "您有一张满20减5元优惠券即将到期，点击领取使用",
            "Call now on 0800 123 456",
        ] {
            let normalized = Normalized::new(text);
            assert!(masked.find(normalized.as_str()).is_none(), "{text}");
        }
    }
}
