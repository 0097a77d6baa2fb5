//! The fixed texts the bot says, one bilingual catalogue: each `Key` with its English
//! and Simplified Chinese text (Traditional is converted from the Simplified when
//! sent, never kept here).

use crate::classify::Lang;

/// One bilingual fixed text.
pub fn text(key: Key, lang: Lang) -> &'static str {
    let (en, zh) = match key {
        Key::Welcome => (
            "👋 Hi! I check messages that may be scams aimed at online sellers.\n\
             Forward me a suspicious message (or paste its text) and I reply with a risk \
             level, the reasons and what to do.\n\n\
             What I store: your language choice, whether you blocked me, and messages you \
             report with the buttons or /report. Messages I check are never written to disk. \
             /privacy explains more; /forgetme deletes what I keep about you.\n\n\
             中文：转发可疑消息给我，我会告诉你风险等级、原因和应对方法。发送 /lang zh 切换中文。",
            "👋 你好！我帮跨境卖家识别诈骗消息。\n\
             把可疑消息转发给我（或粘贴文字），我会回复风险等级、原因和应对建议。\n\n\
             我保存的内容：你的语言设置、你是否屏蔽了我，以及你通过按钮或 /report 举报的消息。\
             被检查的消息不会写入磁盘。详见 /privacy；/forgetme 删除我保存的关于你的数据。\n\n\
             English: forward me a suspicious message and I tell you the risk, why and what to do. \
             Send /lang en for English.",
        ),
        Key::Help => (
            "Forward or paste a message to check it. Several messages forwarded together \
             are judged together.\n\
             /check — reply to a message with it to check that message\n\
             /report — reply to a message to report it as a scam\n\
             /lang en|zh — language\n/privacy — what I store\n/forgetme — delete your data\n\
             In groups, admins use /settings.",
            "转发或粘贴消息即可检查。一起转发的多条消息会合并判断。\n\
             /check — 回复某条消息使用，检查该消息\n/report — 回复某条消息使用，举报为诈骗\n\
             /lang en|zh — 语言\n/privacy — 我保存什么\n/forgetme — 删除你的数据\n\
             群管理员可使用 /settings。",
        ),
        Key::Privacy => (
            "What I store: your language choice; whether you blocked me; in groups, the \
             group's settings; messages you report (text, your user id, the verdict) so \
             curators can improve the rules; that you already answered about a message (a \
             hash of you and of its text, never the text, for 90 days) so it counts once; in \
             a group in dry run, the id of the admin who turned it on. Checked messages are \
             never written to disk; the text under my most recent cards stays in memory only \
             so the buttons work, until a restart. /forgetme deletes your language choice, \
             your reports and your answers, and your id as any group's dry-run admin.",
            "我保存：你的语言设置；你是否屏蔽了我；群组的设置；你举报的消息（文字、你的用户 ID、\
             判断结果），供维护者改进规则；你对某条消息是否已作答（只存你和消息文字的哈希，不存文字，保留90天），\
             以免重复计数；试运行中的群组会保存开启它的管理员 ID。被检查的消息不会写入磁盘；\
             最近结果卡片对应的文字只暂存在内存中，供按钮使用，重启即清除。\
             /forgetme 删除你的语言设置、举报和作答记录，以及你作为群组试运行管理员的 ID。",
        ),
        Key::LangSet => ("Language set to English.", "已切换为中文。"),
        Key::LangUsage => ("Use /lang en or /lang zh.", "用法：/lang en 或 /lang zh。"),
        Key::Forgotten => (
            "Done: I deleted your language choice and your reports.",
            "已删除你的语言设置和举报记录。",
        ),
        Key::ReplyNeeded => (
            "Send this command as a reply to the message you mean.",
            "请回复你要处理的那条消息并发送此命令。",
        ),
        Key::NothingToJudge => (
            "That message has no text I can check.",
            "那条消息没有可检查的文字。",
        ),
        Key::Image => (
            "I could not read this image. Please paste the message text, or forward the \
             original message.",
            "无法读取这张图片。请粘贴消息文字，或直接转发原消息。",
        ),
        Key::Unsupported => (
            "I can only check text. Please forward the message or paste its text.",
            "我只能检查文字。请转发原消息或粘贴其文字。",
        ),
        Key::UnknownCommand => (
            "I do not know that command. /help lists them.",
            "没有这个命令。/help 查看全部命令。",
        ),
        Key::Reported => (
            "Thank you, your report was recorded for the curators.",
            "谢谢，你的举报已记录，将由维护者审核。",
        ),
        Key::AlreadyReported => (
            "You already told me about this message; it counts once.",
            "你已经举报过这条消息，只计一次。",
        ),
        Key::MarkedLegit => (
            "Thank you, noted as legitimate for the curators.",
            "谢谢，已记录为正常消息，将由维护者审核。",
        ),
        Key::ReportFailed => (
            "Sorry, I could not record that right now. Please try again later.",
            "抱歉，暂时无法记录，请稍后再试。",
        ),
        Key::CardExpired => (
            "I no longer have that message; forward it again to report it.",
            "我已找不到那条消息，请重新转发后再举报。",
        ),
        Key::GroupIntro => (
            "👋 Hi! I warn this group about scam messages aimed at sellers. By default I \
             only speak up when a message is very likely a scam, and never about members \
             who warn others. Messages I check are never written to disk.\n\
             Admins: /settings.",
            "👋 大家好！我会提醒本群的卖家注意诈骗消息，默认只在消息很可能是诈骗时发言，\
             不会针对提醒大家防骗的成员。被检查的消息不会写入磁盘。\n\
             管理员可使用 /settings。",
        ),
        Key::ReadsAll => (
            "✅ I can read every message in this group.",
            "✅ 我可以读取本群的每条消息。",
        ),
        Key::PrivacyOn => (
            "⚠️ Privacy mode is on: I only see commands and replies to me, so I cannot \
             check other messages. To fix it, make me an admin of this group, or in \
             @BotFather send /setprivacy, choose me, pick Disable, then remove me and add me \
             again.",
            "⚠️ 隐私模式已开启：我只能看到命令和回复我的消息，无法检查其他消息。\
             解决方法：把我设为本群管理员；或在 @BotFather 发送 /setprivacy，选择我并选 Disable，\
             然后把我移出本群再重新加入。",
        ),
        Key::NotAScam => ("↩️ Not a scam (admins)", "↩️ 不是诈骗（管理员）"),
        Key::AlreadyUndone => (
            "An admin already said this is not a scam.",
            "管理员已判定这不是诈骗。",
        ),
        Key::AdminsOnly => (
            "Sorry, only group admins can change my settings.",
            "抱歉，只有群管理员可以修改我的设置。",
        ),
        Key::NeedDeleteRight => (
            "I need the “Delete messages” admin right first.",
            "请先授予我“删除消息”的管理员权限。",
        ),
        Key::SettingsTitle => ("⚙️ Group settings", "⚙️ 群组设置"),
        Key::Checking => ("⏳ Checking…", "⏳ 正在检查…"),
        Key::AnsweredBelow => ("⬇️ Answered in the next message.", "⬇️ 结果见下一条消息。"),
        Key::DryRunOn => (
            "Dry run on: nothing happens here; I tell you privately what I would do. Start a private chat with me first.",
            "试运行已开启：我不会在群里警告或删除，而是私信告诉你我会怎么做。请先私聊我并点“开始”。",
        ),
        Key::MoreAdviceGone => (
            "Forward the message again for the full advice.",
            "请重新转发该消息以获取完整建议。",
        ),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// Names of the fixed texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// /start.
    Welcome,
    /// /help.
    Help,
    /// /privacy.
    Privacy,
    /// /lang done.
    LangSet,
    /// /lang without a valid argument.
    LangUsage,
    /// /forgetme done.
    Forgotten,
    /// A reply-only command without a reply.
    ReplyNeeded,
    /// The replied message has no text.
    NothingToJudge,
    /// A photo without caption.
    Image,
    /// A sticker, voice, ...
    Unsupported,
    /// An unknown command.
    UnknownCommand,
    /// Report recorded.
    Reported,
    /// The same person answered about the same message before.
    AlreadyReported,
    /// Legitimate mark recorded.
    MarkedLegit,
    /// The report sink failed.
    ReportFailed,
    /// The card's message is no longer known.
    CardExpired,
    /// Introduction in a group.
    GroupIntro,
    /// The bot sees every group message.
    ReadsAll,
    /// Privacy mode hides messages from the bot, and how to fix it.
    PrivacyOn,
    /// The "not a scam" button on group warnings and deletion notices.
    NotAScam,
    /// "Not a scam" pressed again.
    AlreadyUndone,
    /// Non-admin used /settings.
    AdminsOnly,
    /// Delete mode without the right.
    NeedDeleteRight,
    /// /settings header.
    SettingsTitle,
    /// The holding reply while an answer must wait (a screenshot being read).
    Checking,
    /// A holding reply whose answer could not replace it and went out anew.
    AnsweredBelow,
    /// Dry-run mode turned on (a button answer, at most 200 characters).
    DryRunOn,
    /// "More advice" for an unknown card.
    MoreAdviceGone,
}

/// "on"/"off" in `lang`, for settings toggles.
pub fn on_off(on: bool, lang: Lang) -> &'static str {
    match (on, lang == Lang::Zh) {
        (true, true) => "开",
        (false, true) => "关",
        (true, false) => "on",
        (false, false) => "off",
    }
}
