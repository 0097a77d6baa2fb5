//! Dry-run reports: in a group in dry-run mode the bot tells the admin who turned it
//! on, privately, what it would have done about each message. A scam wave must not
//! flood that admin's chat (Telegram takes about one message a second per private
//! chat, and every report waits its turn there), so each admin gets at most
//! `dry_run_reports` reports one by one per group and `dry_run_window`; the rest of
//! the window are held and counted, and one summary ("and K more") goes out when the
//! window closes, never silence.
//!
//! Invariants: every message the bot would have acted on is reported one by one or
//! counted in exactly one summary; a window opens with the first report after the
//! previous window closed; shutdown sends the summaries due at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::time::Instant;
use tracing::Instrument;

use super::batch::Batcher;
use super::context::{Acted, Ctx};
use super::incoming::IncomingMessage;
use super::render;
use super::send::Target;
use crate::classify::{Lang, Message};

/// Whose reports about which group: (admin, group chat).
type Pair = (i64, i64);

/// A report held back for the summary.
pub struct Held {
    would_delete: bool,
    group: String,
    lang: Lang,
}

/// The current window of each admin and group, and the reports held back.
#[derive(Default)]
pub struct DryRunReports {
    windows: Mutex<HashMap<Pair, Window>>,
    held: Batcher<Held, Pair>,
}

/// Reports sent one by one in a window, and when it closes.
struct Window {
    until: Instant,
    sent: u32,
}

/// Whether a report goes out now.
#[derive(Debug, PartialEq, Eq)]
enum Admit {
    /// One by one.
    Send,
    /// Held for the summary due at `until`.
    Hold { until: Instant },
}

impl DryRunReports {
    /// Counts one report for `pair` now: sent while the window allows, else held.
    fn admit(&self, pair: Pair, limit: u32, window: std::time::Duration) -> Admit {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        windows.retain(|_, w| w.until > now);
        let current = windows.entry(pair).or_insert(Window {
            until: now + window,
            sent: 0,
        });
        if current.sent < limit {
            current.sent += 1;
            return Admit::Send;
        }
        Admit::Hold {
            until: current.until,
        }
    }
}

/// Tells `admin` privately what the bot would have done about `message` (in their
/// `/lang` choice, else the group's language), or counts it for the window's summary.
pub async fn report(
    ctx: &Arc<Ctx>,
    admin: i64,
    message: &IncomingMessage,
    acted: &Acted,
    would_delete: bool,
) {
    let chosen = ctx.deps.prefs.user(admin).ok().and_then(|p| p.lang);
    let lang = chosen.unwrap_or(acted.card.lang);
    let group = message.chat.title.clone().unwrap_or_default();
    let pair = (admin, message.chat.id);
    let options = &ctx.options;
    match ctx
        .dry_runs
        .admit(pair, options.dry_run_reports, options.dry_run_window)
    {
        Admit::Send => {}
        Admit::Hold { until } => {
            let held = Held {
                would_delete,
                group,
                lang,
            };
            if ctx.dry_runs.held.add(pair, held) {
                summarise_at(ctx, pair, until);
            }
            return;
        }
    }
    let card = match chosen {
        Some(lang) if lang != acted.card.lang => {
            let verdict = ctx.deps.triage.check(Message {
                text: &acted.judged.text.text,
                hidden_links: &acted.judged.text.hidden_links,
            });
            ctx.card_for(&verdict, lang)
        }
        _ => acted.card.clone(),
    };
    let html = render::dry_run_report(
        &card,
        would_delete,
        &group,
        &acted.sender,
        &acted.judged.text.text,
    );
    ctx.send(&private(admin), html, None).await;
}

/// Starts the task that sends `pair`'s summary when its window closes at `until`.
fn summarise_at(ctx: &Arc<Ctx>, pair: Pair, until: Instant) {
    let task_ctx = Arc::clone(ctx);
    let span = tracing::info_span!("dry-run summary", chat_id = pair.1);
    let summary = async move {
        let cancelled = task_ctx.shutdown.cancelled();
        let held = task_ctx.dry_runs.held.take_at(pair, until, cancelled).await;
        let Some(last) = held.last() else {
            return;
        };
        let deletions = held.iter().filter(|h| h.would_delete).count();
        let counts = render::DryRunCounts {
            warnings: held.len() - deletions,
            deletions,
            one_by_one: task_ctx.options.dry_run_reports,
        };
        let html = render::dry_run_summary(&last.group, counts, last.lang);
        task_ctx.send(&private(pair.0), html, None).await;
    };
    ctx.tasks.spawn(summary.instrument(span));
}

/// A private message to `user`.
fn private(user: i64) -> Target {
    Target {
        chat_id: user,
        ..Target::default()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn each_admin_and_group_gets_its_own_window_of_reports() {
        let reports = DryRunReports::default();
        let minute = Duration::from_secs(60);
        let closes = Instant::now() + minute;
        for _ in 0..2 {
            assert_eq!(reports.admit((1, -1), 2, minute), Admit::Send);
        }
        let held = Admit::Hold { until: closes };
        assert_eq!(reports.admit((1, -1), 2, minute), held);
        assert_eq!(
            reports.admit((1, -2), 2, minute),
            Admit::Send,
            "another group"
        );
        assert_eq!(
            reports.admit((2, -1), 2, minute),
            Admit::Send,
            "another admin"
        );
        tokio::time::advance(Duration::from_secs(59)).await;
        assert_eq!(reports.admit((1, -1), 2, minute), held);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(
            reports.admit((1, -1), 2, minute),
            Admit::Send,
            "a new window"
        );
    }
}
