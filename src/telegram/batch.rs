//! Debouncing: an album, or several messages forwarded together, arrive as separate
//! updates; they are collected per key for a short window and judged as one.
//!
//! Invariants: messages join batches synchronously in update order (the poll loop
//! calls `add`); the first message of a key opens the window and its caller starts
//! the one task that flushes it; shutdown flushes at once (in-flight batches still
//! get their answer).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use tokio::time::Instant;

use super::incoming::IncomingMessage;

/// Messages collected for one key, with the updates they came in.
#[derive(Default)]
pub struct Batch {
    /// The updates, in arrival order.
    pub update_ids: Vec<i64>,
    /// Their messages, in the same order.
    pub messages: Vec<IncomingMessage>,
}

/// Pending batches by key.
#[derive(Default)]
pub struct Batcher {
    pending: Mutex<HashMap<i64, Batch>>,
}

impl Batcher {
    /// Adds `message` of update `update_id` to the batch of `key`; true when it
    /// opened a new batch.
    pub fn add(&self, key: i64, update_id: i64, message: IncomingMessage) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let opened = !pending.contains_key(&key);
        let batch = pending.entry(key).or_default();
        batch.update_ids.push(update_id);
        batch.messages.push(message);
        opened
    }

    /// Waits until `until` (or `cancelled`) and takes the batch of `key`.
    pub async fn take_at(
        &self,
        key: i64,
        until: Instant,
        cancelled: impl Future<Output = ()>,
    ) -> Batch {
        tokio::select! {
            () = tokio::time::sleep_until(until) => {}
            () = cancelled => {}
        }
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.remove(&key).unwrap_or_default()
    }
}
