//! Group commit: many writers share one `sled::Db::flush`.
//!
//! Invariant: `wait_durable` returns `Ok` only once a flush that *started after the call
//! began* has completed successfully, so everything the caller wrote before calling is
//! on disk. Flushes never overlap; while one runs, newcomers queue for the next one,
//! which then covers all of them at once.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::error::StoreError;

/// Shared flush state.
#[derive(Debug, Default)]
struct State {
    /// A flush is running right now.
    flushing: bool,
    /// Number of flushes started so far (the running one included).
    started: u64,
    /// Number of the latest finished flush.
    completed: u64,
    /// Number of the latest flush that succeeded (everything before it is durable).
    ok_upto: u64,
    /// Error of the latest failed flush.
    last_error: Option<String>,
}

/// Coordinates durable flushes between concurrent writers.
#[derive(Debug, Default)]
pub(crate) struct GroupCommit {
    state: Mutex<State>,
    done: Condvar,
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is plain counters that stay consistent even if a holder panicked.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Block until everything written before this call is durable.
    pub(crate) fn wait_durable(&self, db: &sled::Db) -> Result<(), StoreError> {
        let mut st = self.lock();
        // The first flush to start after this point covers our writes.
        let target = st.started + 1;
        loop {
            if st.ok_upto >= target {
                return Ok(());
            }
            if st.completed >= target {
                let msg = st.last_error.clone().unwrap_or_default();
                return Err(StoreError::FlushFailed(msg));
            }
            if st.flushing {
                st = self.done.wait(st).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            st.flushing = true;
            st.started += 1;
            let mine = st.started;
            drop(st);
            let result = db.flush();
            st = self.lock();
            st.flushing = false;
            st.completed = mine;
            match result {
                Ok(_) => st.ok_upto = mine,
                Err(e) => st.last_error = Some(e.to_string()),
            }
            self.done.notify_all();
        }
    }
}
