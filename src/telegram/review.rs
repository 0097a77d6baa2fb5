//! Review cards in the admin chat and their buttons: a card shows why a report needs
//! a look, the bot's verdict and where the cluster's reports came from; confirm and
//! legitimate decide the whole cluster (the report, its near-duplicates and pending
//! reports sharing an indicator); a decided card offers only an explicit reopen.
//!
//! Invariants: only `admin_ids` decide; the first decision stands: a later press on a
//! decided report is answered with who decided it and when, and changes nothing.
//! Allow-listing is separate from the report's decision: one "✅ Allow <contact>"
//! button per contact nobody judged yet allow-lists that contact only, first decision
//! winning. Button data is `cv:<action>:<report id>` (`c`/`r` on a card, `C`/`R` on
//! the `/pending` list, `o` reopen, `i` ignore reporter) or `cv:a:<report id>:<index>`
//! (allow contact `index` of the report), well under 64 bytes.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::commands;
use super::context::Ctx;
use super::curator::{self, actor, excerpt, is_curator, pick};
use super::incoming::{Callback, Chat, Text, User};
use super::render::{self, escape};
use super::send::Target;
use crate::classify::{Lang, Message};
use crate::triage::feedback::Filed;
use crate::triage::{
    Card, Region, ReportId, ReportSource, ReportStatus, Review, ReviewTrigger, TriageError,
};

/// Characters of a reported text shown on a review card.
const CARD_EXCERPT: usize = 600;

/// Posts one review card to the admin chat when `filed` (reported from `chat`) needs
/// a curator's look.
pub async fn review_card(ctx: &Ctx, filed: &Filed, text: &Text, chat: &Chat) {
    let (Some(chat_id), Some(id)) = (ctx.options.curators.admin_chat_id, filed.id) else {
        return;
    };
    if filed.needs_review.is_empty() {
        return;
    }
    let lang = admin_lang(ctx, chat_id);
    let verdict = ctx.deps.triage.check(Message {
        text: &text.text,
        hidden_links: &text.hidden_links,
    });
    let card = Card::new(&verdict, ctx.deps.triage.advice(), lang, Region::Unknown);
    let indicators: Vec<String> = verdict.indicators.iter().map(|i| i.key()).collect();
    let mut head = format!(
        "🗂 <b>{}</b> <code>{id}</code>",
        pick(lang, "Review needed: report", "需要审核：举报")
    );
    for trigger in &filed.needs_review {
        head.push_str("\n• ");
        head.push_str(&escape(&describe(trigger, lang)));
    }
    head.push_str(&format!(
        "\n<b>{}</b> {} {} [{}/100]",
        pick(lang, "Bot's verdict:", "机器人判断："),
        card.marker(),
        escape(&card.headline),
        card.score
    ));
    head.push_str(&format!(
        "\n<b>{}</b> {}",
        pick(lang, "From:", "来源："),
        escape(&sources(ctx, id, chat, lang))
    ));
    let html = card_html(lang, head, &indicators, &text.text);
    let target = Target {
        chat_id,
        ..Target::default()
    };
    let contacts = ctx.deps.triage.undecided_contacts(id).unwrap_or_default();
    ctx.send(&target, html, Some(undecided(id, lang, true, &contacts)))
        .await;
}

/// Where the cluster of `id` was reported: this report's chat, then counts.
fn sources(ctx: &Ctx, id: ReportId, chat: &Chat, lang: Lang) -> String {
    let this = match (&chat.title, chat.is_group(), lang) {
        (Some(title), true, Lang::En) => format!("this one in the group “{title}”"),
        (Some(title), true, Lang::Zh) => format!("本条来自群组“{title}”"),
        (_, _, Lang::En) => "this one in a private chat".to_owned(),
        (_, _, Lang::Zh) => "本条来自私聊".to_owned(),
    };
    let cluster = ctx.deps.triage.cluster(id).unwrap_or_default();
    let private = cluster
        .iter()
        .filter(|r| r.source == ReportSource::Private)
        .count();
    let groups = cluster
        .iter()
        .filter(|r| r.source == ReportSource::Group)
        .count();
    match lang {
        Lang::En => format!(
            "{this}; {} reports: {private} from private chats, {groups} from groups",
            cluster.len()
        ),
        Lang::Zh => format!(
            "{this}；共 {} 条举报：私聊 {private} 条，群组 {groups} 条",
            cluster.len()
        ),
    }
}

/// The admin chat's language (its group setting), English by default.
fn admin_lang(ctx: &Ctx, chat_id: i64) -> Lang {
    ctx.deps
        .prefs
        .chat(chat_id)
        .ok()
        .and_then(|p| p.lang)
        .unwrap_or(Lang::En)
}

/// A review card: its head (HTML: the report id and why it needs review, or the
/// decision taken), the report's indicators and an excerpt of the message.
fn card_html(lang: Lang, head: String, indicators: &[String], text: &str) -> String {
    let mut html = head;
    if !indicators.is_empty() {
        html.push_str(&format!(
            "\n\n<b>{}</b> {}",
            pick(lang, "Indicators:", "链接和联系方式："),
            escape(&indicators.join(", "))
        ));
    }
    html.push_str(&format!(
        "\n\n<b>{}</b>\n{}",
        pick(lang, "Message:", "消息："),
        escape(&excerpt(text, CARD_EXCERPT))
    ));
    html
}

fn describe(trigger: &ReviewTrigger, lang: Lang) -> String {
    match (trigger, lang) {
        (ReviewTrigger::Indicator { key, reporters }, Lang::En) => {
            format!("{key} was reported by {reporters} different people")
        }
        (ReviewTrigger::Indicator { key, reporters }, Lang::Zh) => {
            format!("{key} 已被 {reporters} 位不同用户举报")
        }
        (ReviewTrigger::Cluster { size }, Lang::En) => {
            format!("{size} pending reports are near-duplicates of this message")
        }
        (ReviewTrigger::Cluster { size }, Lang::Zh) => {
            format!("{size} 条待审核举报与这条消息几乎相同")
        }
    }
}

/// Most allow buttons on one card.
const MAX_ALLOW_BUTTONS: usize = 3;
/// Characters of a contact shown on its allow button.
const CONTACT_LABEL: usize = 24;

/// One "✅ Allow <contact>" row per contact nobody judged yet (`contacts`: index in
/// the report and key), separate from the report's decision; data `cv:a:<id>:<index>`.
fn allow_rows(
    id: ReportId,
    lang: Lang,
    contacts: &[(usize, String)],
) -> Vec<Vec<InlineKeyboardButton>> {
    contacts
        .iter()
        .take(MAX_ALLOW_BUTTONS)
        .map(|(index, key)| {
            let label = format!(
                "{} {}",
                pick(lang, "✅ Allow", "✅ 允许"),
                contact_label(key)
            );
            vec![InlineKeyboardButton::callback(
                label,
                format!("cv:a:{id}:{index}"),
            )]
        })
        .collect()
}

/// A contact as a curator reads it: its value without the kind, cut to fit a button.
fn contact_label(key: &str) -> String {
    let value = key.split_once(':').map_or(key, |(_, value)| value);
    excerpt(value, CONTACT_LABEL)
}

/// The buttons of an undecided card (decisions, then one allow button per contact
/// not judged yet); after "ignore reporter" no ignore button.
fn undecided(
    id: ReportId,
    lang: Lang,
    with_ignore: bool,
    contacts: &[(usize, String)],
) -> InlineKeyboardMarkup {
    let button = |text: &str, action: char| {
        InlineKeyboardButton::callback(text.to_owned(), format!("cv:{action}:{id}"))
    };
    let mut row = vec![
        button(pick(lang, "🚨 Confirm scam", "🚨 确认诈骗"), 'c'),
        button(pick(lang, "✅ Legitimate", "✅ 正规消息"), 'r'),
    ];
    if with_ignore {
        row.push(button(
            pick(lang, "🙈 Ignore reporter", "🙈 忽略举报人"),
            'i',
        ));
    }
    let mut rows = vec![row];
    rows.extend(allow_rows(id, lang, contacts));
    InlineKeyboardMarkup::new(rows)
}

/// The buttons of a decided card: an explicit reopen, and the allow buttons of its
/// contacts nobody judged yet (a rejected report's contacts stay unjudged).
fn decided(id: ReportId, lang: Lang, contacts: &[(usize, String)]) -> InlineKeyboardMarkup {
    let text = pick(lang, "↩️ Reopen", "↩️ 重新审核");
    let mut rows = vec![vec![InlineKeyboardButton::callback(
        text.to_owned(),
        format!("cv:o:{id}"),
    )]];
    rows.extend(allow_rows(id, lang, contacts));
    InlineKeyboardMarkup::new(rows)
}

/// One row of cluster decisions per group listed by `/pending` (numbered from 1).
pub fn pending_buttons(heads: &[ReportId], lang: Lang) -> InlineKeyboardMarkup {
    let rows = heads.iter().enumerate().map(|(n, id)| {
        let n = n + 1;
        vec![
            InlineKeyboardButton::callback(
                format!("🚨 {n} {}", pick(lang, "scam", "诈骗")),
                format!("cv:C:{id}"),
            ),
            InlineKeyboardButton::callback(
                format!("✅ {n} {}", pick(lang, "legitimate", "正规")),
                format!("cv:R:{id}"),
            ),
        ]
    });
    InlineKeyboardMarkup::new(rows)
}

/// Handles a press on a review button (`data` without the `cv:` prefix).
pub async fn button(ctx: &Ctx, callback: &Callback, data: &str) {
    let lang = ctx.user_lang(callback.from.id, callback.from.language_code.as_deref());
    if !is_curator(ctx, callback.from.id) {
        let refusal = pick(
            lang,
            "Only sellerguard curators can decide on reports.",
            "只有 sellerguard 审核员可以处理举报。",
        );
        ctx.answer(&callback.id, Some(refusal)).await;
        return;
    }
    if let Some(contact) = data.strip_prefix("a:") {
        allow_button(ctx, callback, contact, lang).await;
        return;
    }
    let parsed = data
        .split_once(':')
        .and_then(|(action, id)| Some((action, id.parse::<ReportId>().ok()?)));
    let (Some((action, id)), Some(message)) = (parsed, &callback.message) else {
        expired(ctx, callback, lang).await;
        return;
    };
    let who = actor(ctx, &callback.from);
    let triage = &ctx.deps.triage;
    let card_lang = admin_lang(ctx, message.chat.id);
    let decision = match action {
        "c" | "C" => triage.review_cluster(id, Review::Confirm, &who, "telegram"),
        "r" | "R" => triage.review_cluster(id, Review::Reject, &who, "telegram"),
        "o" => triage.reopen(id, &who, "telegram").map(|r| vec![r]),
        "i" => triage
            .ignore_reporter_of(id, &who, "telegram")
            .map(|r| vec![r]),
        _ => {
            ctx.answer(
                &callback.id,
                Some(render::text(render::Key::CardExpired, lang)),
            )
            .await;
            return;
        }
    };
    let reports = match decision {
        Ok(reports) => reports,
        Err(error) => {
            let answer = refused(ctx, &callback.from, &error, lang);
            ctx.answer(&callback.id, Some(&answer)).await;
            return;
        }
    };
    let count = reports.len();
    if matches!(action, "C" | "R") {
        let done = match (action, card_lang) {
            ("C", Lang::En) => format!("🚨 {count} reports confirmed as a scam"),
            ("C", Lang::Zh) => format!("🚨 已确认 {count} 条举报为诈骗"),
            (_, Lang::En) => format!("✅ {count} reports judged legitimate"),
            (_, Lang::Zh) => format!("✅ 已判定 {count} 条举报为正规消息"),
        };
        ctx.answer(&callback.id, Some(&done)).await;
        let (html, markup) = curator::pending(ctx, card_lang);
        commands::edit(ctx, message.chat.id, message.message_id, html, markup).await;
        return;
    }
    ctx.answer(&callback.id, None).await;
    let name = display_name(&callback.from);
    let others = match (count.saturating_sub(1), card_lang) {
        (0, _) => String::new(),
        (n, Lang::En) => format!(", with {n} like it"),
        (n, Lang::Zh) => format!("（连同 {n} 条同类举报）"),
    };
    let decision = match (action, card_lang) {
        ("c", Lang::En) => format!("🚨 Confirmed as a scam by {name}{others}"),
        ("c", Lang::Zh) => format!("🚨 {name} 确认为诈骗{others}"),
        ("r", Lang::En) => format!("✅ Judged legitimate by {name}{others}"),
        ("r", Lang::Zh) => format!("✅ {name} 判定为正规消息{others}"),
        ("o", Lang::En) => format!("↩️ Reopened by {name}"),
        ("o", Lang::Zh) => format!("↩️ {name} 重新打开了审核"),
        (_, Lang::En) => format!("🙈 Reporter ignored by {name}"),
        (_, Lang::Zh) => format!("🙈 {name} 忽略了举报人"),
    };
    let report = &reports[0];
    // Re-rendered from the report, so the card keeps its formatting; the decision
    // takes the place of the review reasons (which are not stored).
    let head = format!(
        "🗂 <b>{}</b> <code>{id}</code>\n<b>{}</b>",
        pick(card_lang, "Report", "举报"),
        escape(&decision)
    );
    let html = card_html(card_lang, head, &report.indicators, &report.text);
    let contacts = triage.undecided_contacts(id).unwrap_or_default();
    let markup = match action {
        "c" | "r" => decided(id, card_lang, &contacts),
        "o" => undecided(id, card_lang, true, &contacts),
        _ => undecided(id, card_lang, false, &contacts),
    };
    commands::edit(ctx, message.chat.id, message.message_id, html, markup).await;
}

/// Answers a press whose card the bot no longer understands.
async fn expired(ctx: &Ctx, callback: &Callback, lang: Lang) {
    let text = render::text(render::Key::CardExpired, lang);
    ctx.answer(&callback.id, Some(text)).await;
}

/// A press on "✅ Allow <contact>" (`data`: `<report id>:<index>`): allow-lists that
/// contact only, answers which one, and redraws the card's buttons without it.
async fn allow_button(ctx: &Ctx, callback: &Callback, data: &str, lang: Lang) {
    let parsed = data
        .split_once(':')
        .and_then(|(id, index)| Some((id.parse::<ReportId>().ok()?, index.parse::<usize>().ok()?)));
    let (Some((id, index)), Some(message)) = (parsed, &callback.message) else {
        expired(ctx, callback, lang).await;
        return;
    };
    let who = actor(ctx, &callback.from);
    let triage = &ctx.deps.triage;
    let key = match triage.allow_contact(id, index, &who, "telegram") {
        Ok(key) => key,
        Err(error) => {
            let answer = refused(ctx, &callback.from, &error, lang);
            ctx.answer(&callback.id, Some(&answer)).await;
            return;
        }
    };
    let done = match lang {
        Lang::En => format!(
            "✅ Allow-listed {} (only this contact; logged)",
            contact_label(&key)
        ),
        Lang::Zh => format!(
            "✅ 已将 {} 加入白名单（仅此联系方式，已记录）",
            contact_label(&key)
        ),
    };
    ctx.answer(&callback.id, Some(&done)).await;
    let card_lang = admin_lang(ctx, message.chat.id);
    let contacts = triage.undecided_contacts(id).unwrap_or_default();
    let pending = ctx
        .deps
        .triage
        .report_status(id)
        .is_ok_and(|s| s == ReportStatus::Pending);
    let markup = if pending {
        undecided(id, card_lang, true, &contacts)
    } else {
        decided(id, card_lang, &contacts)
    };
    commands::edit_markup(ctx, message.chat.id, message.message_id, markup).await;
}

/// How the presser reads the curator who made decision `by` (a log actor).
fn decider_name(ctx: &Ctx, presser: &User, by: &str, lang: Lang) -> String {
    let admins = &ctx.options.curators.admin_ids;
    let decider = admins
        .iter()
        .find(|&&admin| ctx.deps.triage.telegram_actor(admin) == by);
    let name = |admin: i64| {
        let names = ctx.curator_names.lock().unwrap_or_else(|e| e.into_inner());
        names.get(&admin).cloned()
    };
    match (decider, lang) {
        (Some(&admin), Lang::En) if admin == presser.id => "you".to_owned(),
        (Some(&admin), Lang::Zh) if admin == presser.id => "你".to_owned(),
        (Some(&admin), Lang::En) => match name(admin) {
            Some(name) => format!("curator {admin} ({name})"),
            None => format!("curator {admin}"),
        },
        (Some(&admin), Lang::Zh) => match name(admin) {
            Some(name) => format!("审核员 {admin}（{name}）"),
            None => format!("审核员 {admin}"),
        },
        (None, _) => by.to_owned(),
    }
}

/// What to answer when the service refused a decision: for a report or contact
/// decided already, who decided it and when.
fn refused(ctx: &Ctx, presser: &User, error: &TriageError, lang: Lang) -> String {
    if let TriageError::ContactDecided {
        key,
        blocked,
        by,
        at,
    } = error
    {
        let contact = contact_label(key);
        let who = by.as_deref().map(|by| decider_name(ctx, presser, by, lang));
        let when = at.map(utc_minute);
        return match (lang, *blocked, who.zip(when)) {
            (Lang::En, true, _) => {
                format!("{contact} is confirmed as a scam contact; nothing changed.")
            }
            (Lang::Zh, true, _) => format!("{contact} 已被确认为诈骗联系方式，本次操作未做更改。"),
            (Lang::En, false, Some((who, when))) => {
                format!("{contact} was already allow-listed by {who} at {when}; nothing changed.")
            }
            (Lang::Zh, false, Some((who, when))) => {
                format!("{who} 已于 {when} 将 {contact} 加入白名单，本次操作未做更改。")
            }
            (Lang::En, false, None) => {
                format!("{contact} is already allow-listed; nothing changed.")
            }
            (Lang::Zh, false, None) => format!("{contact} 已在白名单中，本次操作未做更改。"),
        };
    }
    let TriageError::AlreadyDecided { status, by, at, .. } = error else {
        return error.to_string();
    };
    let who = decider_name(ctx, presser, by, lang);
    let when = utc_minute(*at);
    let confirmed = *status == ReportStatus::Confirmed;
    match (confirmed, lang) {
        (true, Lang::En) => format!(
            "Already confirmed as a scam by {who} at {when}; nothing changed. Reopen it to change that."
        ),
        (false, Lang::En) => format!(
            "Already judged legitimate by {who} at {when}; nothing changed. Reopen it to change that."
        ),
        (true, Lang::Zh) => {
            format!("{who} 已于 {when} 确认为诈骗，本次操作未做更改；如需更改请先重新审核。")
        }
        (false, Lang::Zh) => {
            format!("{who} 已于 {when} 判定为正规消息，本次操作未做更改；如需更改请先重新审核。")
        }
    }
}

fn display_name(user: &User) -> String {
    if user.first_name.is_empty() {
        user.id.to_string()
    } else {
        user.first_name.clone()
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC` (days to civil date: H. Hinnant's algorithm).
fn utc_minute(at: u64) -> String {
    let days = i64::try_from(at / 86_400).unwrap_or_default();
    let minutes = at % 86_400 / 60;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc_minute;

    #[test]
    fn unix_times_print_as_utc_minutes() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(951_782_400 + 3_661), "2000-02-29 01:01 UTC");
        assert_eq!(utc_minute(1_798_761_599), "2026-12-31 23:59 UTC");
    }
}
