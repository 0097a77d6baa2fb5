//! Group notices an admin can undo: every warning and deletion notice carries a "not
//! a scam" button; deletions within `notice_window` of the first share one notice.
//!
//! Invariants: every deleted message is named in exactly one notice (alone, or in its
//! burst's summary); only the group's admins can undo; an undo goes to the report
//! sink as a group admin's "not a scam" (which teaches and logs), then withdraws the
//! warning or posts the deleted text again; a second press changes nothing. Button
//! data is `g:n:<index>` (the index into the notice's messages).

use std::sync::Arc;

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use tracing::Instrument;

use super::commands;
use super::context::{Acted, Ctx};
use super::incoming::{Callback, IncomingMessage};
use super::private::HandlerResult;
use super::render::{self, Key};
use super::send::Target;
use crate::classify::Lang;
use crate::triage::feedback::{Report, ReportKind};

/// Most "not a scam" buttons on one summary notice.
const MAX_BUTTONS: usize = 10;
/// Buttons per keyboard row on a summary notice.
const PER_ROW: usize = 5;

/// Replies to `message` with the short group card and a "not a scam" button.
pub async fn warn(ctx: &Ctx, message: &IncomingMessage, mut acted: Acted) {
    let chat_id = message.chat.id;
    let target = Target::reply(chat_id, message.message_id, message.topic_id);
    let html = render::group_card(&acted.card, &ctx.me_username);
    let buttons = keyboard(std::slice::from_ref(&acted), acted.card.lang);
    if let Some(id) = ctx.send(&target, html, Some(buttons)).await {
        acted.warning = Some(id);
        ctx.notices.put(chat_id, id, vec![acted]);
    }
}

/// Records a deleted message; the first deletion of a burst starts the task that
/// posts the burst's one notice when `notice_window` has passed.
pub fn deleted(ctx: &Arc<Ctx>, chat_id: i64, topic_id: Option<i32>, acted: Acted) {
    if !ctx.deletions.add(chat_id, acted) {
        return;
    }
    let until = tokio::time::Instant::now() + ctx.options.notice_window;
    let task_ctx = Arc::clone(ctx);
    let span = tracing::info_span!("deletion notice", chat_id);
    let flush = async move {
        let removed = task_ctx
            .deletions
            .take_at(chat_id, until, task_ctx.shutdown.cancelled())
            .await;
        post_notice(&task_ctx, chat_id, topic_id, removed).await;
    };
    ctx.tasks.spawn(flush.instrument(span));
}

/// Posts the one notice for `removed` (a single notice, or a summary).
async fn post_notice(ctx: &Ctx, chat_id: i64, topic_id: Option<i32>, removed: Vec<Acted>) {
    let Some(last) = removed.last() else {
        return;
    };
    let lang = last.card.lang;
    let html = match removed.as_slice() {
        [one] => render::deleted_notice(&one.card, &one.sender),
        many => {
            let lines: Vec<(&str, &_)> =
                many.iter().map(|a| (a.sender.as_str(), &a.card)).collect();
            render::deletions_summary(&lines, lang)
        }
    };
    let target = Target {
        chat_id,
        topic_id,
        ..Target::default()
    };
    if let Some(id) = ctx
        .send(&target, html, Some(keyboard(&removed, lang)))
        .await
    {
        ctx.notices.put(chat_id, id, removed);
    }
}

/// One "not a scam" button per message not undone yet (numbered on a summary).
fn keyboard(acted: &[Acted], lang: Lang) -> InlineKeyboardMarkup {
    if let [one] = acted {
        if one.undone {
            return InlineKeyboardMarkup::default();
        }
        let button = InlineKeyboardButton::callback(render::text(Key::NotAScam, lang), "g:n:0");
        return InlineKeyboardMarkup::new([[button]]);
    }
    let buttons: Vec<InlineKeyboardButton> = acted
        .iter()
        .enumerate()
        .take(MAX_BUTTONS)
        .filter(|(_, a)| !a.undone)
        .map(|(i, _)| InlineKeyboardButton::callback(format!("↩️ {}", i + 1), format!("g:n:{i}")))
        .collect();
    InlineKeyboardMarkup::new(buttons.chunks(PER_ROW).map(<[_]>::to_vec))
}

/// A press on "not a scam" (`index` is the data after `g:n:`).
pub async fn undo(
    ctx: &Ctx,
    callback: &Callback,
    notice: &IncomingMessage,
    index: &str,
) -> HandlerResult {
    if !ctx.pressed_by_admin(callback, notice).await {
        return Ok(());
    }
    let chat_id = notice.chat.id;
    let user_lang = ctx.user_lang(callback.from.id, callback.from.language_code.as_deref());
    let remembered = ctx.notices.get(chat_id, notice.message_id);
    let index = index.parse::<usize>().ok();
    let (Some(mut acted), Some(index)) = (remembered, index) else {
        ctx.answer(
            &callback.id,
            Some(render::text(Key::CardExpired, user_lang)),
        )
        .await;
        return Ok(());
    };
    let Some(item) = acted.get_mut(index) else {
        ctx.answer(
            &callback.id,
            Some(render::text(Key::CardExpired, user_lang)),
        )
        .await;
        return Ok(());
    };
    let lang = item.card.lang;
    if item.undone {
        ctx.answer(&callback.id, Some(render::text(Key::AlreadyUndone, lang)))
            .await;
        return Ok(());
    }
    item.undone = true;
    let item = item.clone();
    ctx.notices.put(chat_id, notice.message_id, acted.clone());
    let report = Report {
        kind: ReportKind::NotAScam,
        reporter_id: callback.from.id,
        chat_id,
        text: item.judged.text.text.clone(),
        hidden_links: item.judged.text.hidden_links.clone(),
        level: Some(item.judged.level),
        family: item.judged.family,
        origin: None,
    };
    if let Err(error) = ctx.deps.reports.report(report) {
        tracing::error!(
            chat_id,
            "a group admin's \"not a scam\" was not recorded: {error}"
        );
    }
    ctx.answer(&callback.id, None).await;
    let admin = &callback.from.first_name;
    if item.warning.is_some() {
        let html = render::warning_withdrawn(admin, lang);
        let none = InlineKeyboardMarkup::default();
        commands::edit(ctx, chat_id, notice.message_id, html, none).await;
        return Ok(());
    }
    let target = Target::reply(chat_id, notice.message_id, notice.topic_id);
    let html = render::restored(admin, &item.sender, &item.judged.text.text, lang);
    ctx.send(&target, html, None).await;
    let markup = keyboard(&acted, lang);
    commands::edit_markup(ctx, chat_id, notice.message_id, markup).await;
    Ok(())
}
