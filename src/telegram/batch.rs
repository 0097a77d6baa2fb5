//! Debouncing: an album, or several messages forwarded together, arrive as separate
//! updates; they are collected per key for a short window and judged as one. Group
//! deletions are collected the same way, so a burst gets one notice, and so are the
//! dry-run reports held back from an admin, so they get one summary.
//!
//! Invariants: items join batches synchronously in the order their callers add them;
//! the first item of a key opens the window and its caller starts the one task that
//! flushes it; shutdown flushes at once (in-flight batches still get their answer).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;

use tokio::time::Instant;

use super::incoming::IncomingMessage;

/// Pending batches by key (by default a chat id): items of type `T` (by default a
/// message with the update it came in).
pub struct Batcher<T = (i64, IncomingMessage), K = i64> {
    pending: Mutex<HashMap<K, Vec<T>>>,
}

impl<T, K> Default for Batcher<T, K> {
    fn default() -> Self {
        Self {
            pending: Mutex::new(HashMap::new()),
        }
    }
}

impl<T, K: Eq + Hash> Batcher<T, K> {
    /// Adds `item` to the batch of `key`; true when it opened a new batch.
    pub fn add(&self, key: K, item: T) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let opened = !pending.contains_key(&key);
        pending.entry(key).or_default().push(item);
        opened
    }

    /// Waits until `until` (or `cancelled`) and takes the batch of `key`.
    pub async fn take_at(
        &self,
        key: K,
        until: Instant,
        cancelled: impl Future<Output = ()>,
    ) -> Vec<T> {
        tokio::select! {
            () = tokio::time::sleep_until(until) => {}
            () = cancelled => {}
        }
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.remove(&key).unwrap_or_default()
    }
}
