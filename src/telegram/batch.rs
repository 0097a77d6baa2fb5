//! Debouncing: an album, or several messages forwarded together, arrive as separate
//! updates; they are collected per key for a short window and judged as one.
//!
//! Invariants: the first message of a key opens the window and starts the one task
//! that will flush it; later messages within the window join it; shutdown flushes
//! at once (in-flight batches still get their answer).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use tokio::time::Instant;

use super::incoming::IncomingMessage;

/// Pending batches by key.
#[derive(Default)]
pub struct Batcher {
    pending: Mutex<HashMap<String, Vec<IncomingMessage>>>,
}

impl Batcher {
    /// Adds `message` under `key`. Returns the future that waits until `until` (or
    /// `cancelled`) and yields the batch, when this message opened the window.
    pub fn add<'a>(
        &'a self,
        key: String,
        message: IncomingMessage,
        until: Instant,
        cancelled: impl Future<Output = ()> + 'a,
    ) -> Option<impl Future<Output = Vec<IncomingMessage>> + 'a> {
        {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(batch) = pending.get_mut(&key) {
                batch.push(message);
                return None;
            }
            pending.insert(key.clone(), vec![message]);
        }
        Some(async move {
            tokio::select! {
                () = tokio::time::sleep_until(until) => {}
                () = cancelled => {}
            }
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.remove(&key).unwrap_or_default()
        })
    }
}
