//! The reply outbox's sending side: replies that could not be sent at once wait here
//! and are retried with backoff (a 429's `retry_after` is honoured) until sent or
//! refused for good; at start the replies the service still owes (from before a crash
//! or a restart) are sent, among them answers owed as edits of holding replies, but
//! not holding replies themselves (one still owed at start never went out, or went out
//! unrecorded; its update, handled again, answers without it); at shutdown the queue is
//! flushed for at most the grace period and the rest stays owed in the service for the
//! next start.
//!
//! Invariants: per chat, replies go out in the order they were owed (a chat with a
//! waiting reply queues its new ones behind it); a reply is settled only once sent or
//! refused with a 4xx; the worker never outlives the grace deadline after shutdown.
//! Reply keys come from the update being handled (`in_update`), so handling an
//! update again owes the same keys and sends nothing twice.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::context::Ctx;
use super::intake::blocking;
use super::send::Attempt;
use crate::triage::delivery::{ReplyKey, StoredReply};

/// First retry pause; doubles per attempt up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest pause between two attempts at one reply (unless the server asks longer).
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Attempts before a reply is given up on (about 1.5 hours with the pauses above).
const MAX_ATTEMPTS: u32 = 100;

tokio::task_local! {
    static REPLIES: ReplyScope;
}

/// The update whose replies are being owed, and how many it owed so far.
struct ReplyScope {
    update_id: i64,
    next: AtomicU32,
}

/// Runs `work` as the handling of `update_id`: its replies are keyed by it.
pub fn in_update<F: Future>(update_id: i64, work: F) -> impl Future<Output = F::Output> {
    let scope = ReplyScope {
        update_id,
        next: AtomicU32::new(0),
    };
    REPLIES.scope(scope, work)
}

/// The number of an update's holding reply, apart from its numbered replies.
const HOLDING_SEQ: u32 = u32::MAX;

/// The key of the holding reply ("Checking…") of the update being handled: one per
/// update, apart from its numbered replies, so handling it again sends it not twice.
pub fn holding_key() -> ReplyKey {
    REPLIES
        .try_with(|scope| ReplyKey {
            update_id: scope.update_id,
            seq: HOLDING_SEQ,
        })
        .unwrap_or_else(|_| next_key())
}

/// The key of the next reply owed by the running handler.
pub fn next_key() -> ReplyKey {
    REPLIES
        .try_with(|scope| ReplyKey {
            update_id: scope.update_id,
            seq: scope.next.fetch_add(1, Ordering::Relaxed),
        })
        .unwrap_or_else(|_| ReplyKey {
            // Not from an update: a random key that no restart repeats.
            update_id: i64::MIN,
            seq: getrandom::u32().unwrap_or_default(),
        })
}

/// A reply waiting for its next attempt.
struct Waiting {
    reply: StoredReply,
    attempts: u32,
    due: Instant,
}

/// Replies waiting to be retried.
#[derive(Default)]
pub struct Postman {
    queue: Mutex<BTreeMap<ReplyKey, Waiting>>,
    wake: Notify,
}

impl Postman {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<ReplyKey, Waiting>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `chat_id` has a reply waiting (new ones must queue behind it).
    pub fn waiting_for(&self, chat_id: i64) -> bool {
        self.lock().values().any(|w| w.reply.chat_id == chat_id)
    }

    /// Queues `reply` for an attempt at `due`.
    pub fn defer(&self, key: ReplyKey, reply: StoredReply, attempts: u32, due: Instant) {
        let waiting = Waiting {
            reply,
            attempts,
            due,
        };
        self.lock().insert(key, waiting);
        self.wake.notify_one();
    }

    /// Replies waiting.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// The first reply of a chat that is due by `now`, else when the next one is due.
    fn next(&self, now: Instant) -> Result<(ReplyKey, StoredReply, u32), Option<Instant>> {
        let queue = self.lock();
        let mut seen = std::collections::HashSet::new();
        let mut earliest: Option<Instant> = None;
        for (key, waiting) in queue.iter() {
            if !seen.insert(waiting.reply.chat_id) {
                continue;
            }
            if waiting.due <= now {
                return Ok((*key, waiting.reply.clone(), waiting.attempts));
            }
            earliest = Some(earliest.map_or(waiting.due, |e| e.min(waiting.due)));
        }
        Err(earliest)
    }
}

/// The pause before attempt `attempts + 1`.
fn backoff(attempts: u32) -> Duration {
    let doubled = FIRST_BACKOFF.saturating_mul(2u32.saturating_pow(attempts.saturating_sub(1)));
    doubled.min(MAX_BACKOFF)
}

/// Sends the replies the service still owes, then every reply deferred to the
/// postman, until shutdown plus the grace period.
pub async fn run(ctx: Arc<Ctx>) {
    let outbox = Arc::clone(&ctx.deps.outbox);
    match blocking(move || outbox.owed()).await {
        Ok(owed) => {
            let now = Instant::now();
            for owed in owed {
                if owed.key.seq == HOLDING_SEQ {
                    tracing::info!(
                        update_id = owed.key.update_id,
                        "a stale holding reply dropped"
                    );
                    ctx.settle(owed.key).await;
                    continue;
                }
                ctx.postman.defer(owed.key, owed.reply, 0, now);
            }
        }
        Err(error) => tracing::error!("cannot read the replies owed: {error}"),
    }
    let mut deadline: Option<Instant> = None;
    loop {
        if deadline.is_none() && ctx.shutdown.is_cancelled() {
            deadline = Some(Instant::now() + ctx.options.shutdown_grace);
        }
        if let Some(deadline) = deadline
            && (ctx.postman.len() == 0 || Instant::now() >= deadline)
        {
            break;
        }
        let next = ctx.postman.next(Instant::now());
        let (key, reply, attempts) = match next {
            Ok(found) => found,
            Err(due) => {
                if deadline.is_some_and(|deadline| due.is_none_or(|due| due >= deadline)) {
                    // Nothing more can go out before the deadline.
                    break;
                }
                let until = [due, deadline].into_iter().flatten().min();
                let sleep = async {
                    match until {
                        Some(until) => tokio::time::sleep_until(until).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    () = sleep => {}
                    () = ctx.postman.wake.notified() => {}
                    () = ctx.shutdown.cancelled(), if deadline.is_none() => {}
                }
                continue;
            }
        };
        let attempt = ctx.attempt(&reply);
        let outcome = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, attempt).await {
                Ok(outcome) => outcome,
                Err(_) => break,
            },
            None => attempt.await,
        };
        settle_or_retry(&ctx, key, reply, attempts + 1, outcome).await;
    }
    let left = ctx.postman.len();
    if left > 0 {
        tracing::warn!(
            left,
            "shutting down with replies still owed; they are sent after the restart"
        );
    }
}

async fn settle_or_retry(
    ctx: &Ctx,
    key: ReplyKey,
    reply: StoredReply,
    attempts: u32,
    outcome: Attempt,
) {
    match outcome {
        Attempt::Retry(after) if attempts < MAX_ATTEMPTS => {
            let pause = after.unwrap_or_else(|| backoff(attempts));
            ctx.postman
                .defer(key, reply, attempts, Instant::now() + pause);
        }
        Attempt::Retry(_) => {
            tracing::warn!(chat_id = reply.chat_id, attempts, "giving up on a reply");
            ctx.postman.lock().remove(&key);
            ctx.settle(key).await;
        }
        Attempt::Sent(_) | Attempt::GiveUp => {
            ctx.postman.lock().remove(&key);
            ctx.settle(key).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let pauses: Vec<u64> = (1..=8).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    fn reply(chat_id: i64) -> StoredReply {
        StoredReply {
            chat_id,
            text: "x".into(),
            reply_to: None,
            topic_id: None,
            markup: None,
            replaces: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_chat_waits_for_its_first_reply_while_others_go_ahead() {
        let postman = Postman::default();
        let now = Instant::now();
        let key = |update_id, seq| ReplyKey { update_id, seq };
        postman.defer(key(1, 0), reply(10), 1, now + Duration::from_secs(40));
        postman.defer(key(2, 0), reply(10), 0, now);
        postman.defer(key(3, 0), reply(20), 0, now);
        assert!(postman.waiting_for(10));
        let (first, ..) = postman.next(now).unwrap();
        assert_eq!(first, key(3, 0), "chat 10 waits behind its 429");
        postman.lock().remove(&first);
        assert_eq!(
            postman.next(now).err(),
            Some(Some(now + Duration::from_secs(40)))
        );
    }
}
