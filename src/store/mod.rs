//! The store: the only home of sled. Reports (with where they were filed from), indicator
//! reputation, fingerprints, the admin decision log (the curators' audit log), ignored
//! reporters, counters, the model blob, curators' API tokens (hashed), and the bot's
//! update inbox and reply outbox, in one data dir.
//!
//! Layout of the data directory: `db/` is the sled database (schema version in tree
//! `meta`), `reporter.key` is the 32-byte reporter-hash secret (mode 0600). The trees and
//! their keys are described in `docs/store.md` and `keys.rs`.
//!
//! Invariants: every method that changes a report, an indicator's admin state, the
//! decision log, the ignore list or the model returns only after its change is flushed
//! to disk (group commit, see `durability.rs`); report-related trees and the counters
//! change together in one sled transaction, so a crash leaves them consistent; no raw
//! reporter identity is ever stored. This module imports nothing else of the crate.

mod admin;
mod answers;
mod backup;
mod durability;
mod error;
mod fingerprints;
mod inbox;
mod indicators;
mod keys;
mod origins;
mod outbox;
mod pending;
mod prefs;
mod records;
mod removal;
mod reports;
mod schema;
mod secret;
mod stats;
mod tokens;
mod types;

#[cfg(test)]
mod tests;

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

pub use backup::Restored;
pub use error::StoreError;
pub use inbox::{OpenUpdate, QuarantinedUpdate};
pub use outbox::{OwedReply, Replaced, ReplyKey, StoredReply};
pub use prefs::{StoredChatPrefs, StoredUserPrefs};
pub use reports::Decided;
pub use schema::CURRENT_VERSION;
pub use types::{
    AdminState, Decision, FingerprintKind, IndicatorReputation, NewReport, Report, ReportId,
    ReportOrigin, ReportSource, ReportStatus, ReporterHash, Stats, StoredFingerprint, StoredToken,
};

use durability::GroupCommit;
use secret::ReporterKey;

/// Tuning for [`Store::open`].
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// sled's page-cache budget in bytes (sled's real usage runs somewhat above it).
    pub cache_capacity: u64,
    /// sled's own background flush interval; `None` disables it (writes still flush).
    pub background_flush_ms: Option<u64>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            cache_capacity: 64 * 1024 * 1024,
            background_flush_ms: Some(500),
        }
    }
}

/// Handle to the data directory; cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    db: sled::Db,
    trees: Trees,
    key: ReporterKey,
    commit: GroupCommit,
    /// Serialises report transactions: sled commits them one at a time anyway, and
    /// holding this instead stops concurrent writers from conflicting and retrying.
    write_lock: Mutex<()>,
}

/// Every sled tree the store uses.
pub(crate) struct Trees {
    pub meta: sled::Tree,
    pub reports: sled::Tree,
    pub pending: sled::Tree,
    pub indicators: sled::Tree,
    pub indicator_reporters: sled::Tree,
    pub fingerprints: sled::Tree,
    pub counters: sled::Tree,
    pub origins: sled::Tree,
    pub decisions: sled::Tree,
    pub ignored: sled::Tree,
    pub prefs: sled::Tree,
    pub updates_open: sled::Tree,
    pub updates_done: sled::Tree,
    pub updates_quarantine: sled::Tree,
    pub replies_owed: sled::Tree,
    pub replies_settled: sled::Tree,
    pub tokens: sled::Tree,
    pub answers: sled::Tree,
}

/// The transactional view of the trees a report mutation touches.
pub(crate) struct Tx<'a> {
    pub reports: &'a TransactionalTree,
    pub pending: &'a TransactionalTree,
    pub indicators: &'a TransactionalTree,
    pub indicator_reporters: &'a TransactionalTree,
    pub fingerprints: &'a TransactionalTree,
    pub counters: &'a TransactionalTree,
    pub origins: &'a TransactionalTree,
    pub decisions: &'a TransactionalTree,
}

/// Result type inside a transaction closure.
pub(crate) type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// Turn a store error into a transaction abort.
pub(crate) fn abort(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
}

/// How long [`open_db`] waits for a just-dropped handle to release sled's file lock.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Open sled, waiting briefly while its file lock is still held.
///
/// sled 0.34 releases its `flock` asynchronously after the last handle drops
/// (spacejam/sled#1234), so an immediate reopen in the same process can fail spuriously.
/// A lock still held after [`LOCK_WAIT`] (another process has the store) is
/// `StoreError::Locked`.
pub(crate) fn open_db(config: sled::Config) -> Result<sled::Db, StoreError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match config.open() {
            Err(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock") => {
                if started.elapsed() >= LOCK_WAIT {
                    return Err(StoreError::Locked);
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            other => return Ok(other?),
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.inner.dir)
            .field("key", &self.inner.key)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Open (or create) the store in `dir`, migrating or refusing its schema version.
    pub fn open(dir: &Path, opts: StoreOptions) -> Result<Store, StoreError> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|reason| StoreError::Io {
                action: "create directory",
                path: dir.to_owned(),
                reason,
            })?;
        let db = open_db(
            sled::Config::new()
                .path(dir.join("db"))
                .cache_capacity(opts.cache_capacity)
                .flush_every_ms(opts.background_flush_ms)
                .mode(sled::Mode::HighThroughput),
        )?;
        let meta = db.open_tree("meta")?;
        schema::ensure_current(&db, &meta)?;
        let key = secret::load_or_create(dir)?;
        let trees = Trees {
            meta,
            reports: db.open_tree("reports")?,
            pending: db.open_tree(schema::PENDING_TREE)?,
            indicators: db.open_tree("indicators")?,
            indicator_reporters: db.open_tree(schema::REPORTERS_TREE)?,
            fingerprints: db.open_tree("fingerprints")?,
            counters: db.open_tree("counters")?,
            origins: db.open_tree(schema::ORIGINS_TREE)?,
            decisions: db.open_tree("decisions")?,
            ignored: db.open_tree("ignored")?,
            prefs: db.open_tree("prefs")?,
            updates_open: db.open_tree("updates_open")?,
            updates_done: db.open_tree("updates_done")?,
            updates_quarantine: db.open_tree("updates_quarantine")?,
            replies_owed: db.open_tree("replies_owed")?,
            replies_settled: db.open_tree("replies_settled")?,
            tokens: db.open_tree("tokens")?,
            answers: db.open_tree("answers")?,
        };
        Ok(Store {
            inner: Arc::new(Inner {
                dir: dir.to_owned(),
                db,
                trees,
                key,
                commit: GroupCommit::default(),
                write_lock: Mutex::new(()),
            }),
        })
    }

    /// The data directory this store lives in.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Keyed hash of a raw reporter identity (e.g. a Telegram user id as text).
    pub fn reporter_hash(&self, raw: &str) -> ReporterHash {
        ReporterHash(*blake3::keyed_hash(&self.inner.key.0, raw.as_bytes()).as_bytes())
    }

    /// Bytes sled currently uses on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.inner.db.size_on_disk()?)
    }

    pub(crate) fn trees(&self) -> &Trees {
        &self.inner.trees
    }

    pub(crate) fn db(&self) -> &sled::Db {
        &self.inner.db
    }

    /// Block until everything this thread wrote so far is on disk (group commit).
    pub(crate) fn durable(&self) -> Result<(), StoreError> {
        self.inner.commit.wait_durable(&self.inner.db)
    }

    /// Removes the entries of `tree` whose time (`at_of` the key and value, unix
    /// seconds) is before `before`; returns how many.
    pub(crate) fn prune_before(
        tree: &sled::Tree,
        before: u64,
        at_of: impl Fn(&[u8], &[u8]) -> Result<u64, StoreError>,
    ) -> Result<usize, StoreError> {
        let mut removed = 0;
        for entry in tree.iter() {
            let (key, value) = entry?;
            if at_of(&key, &value)? < before {
                tree.remove(key)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Run `f` as one transaction over the report-related trees, serialised with other
    /// writers. Not durable by itself: call [`Store::durable`] afterwards.
    pub(crate) fn transact<T>(&self, f: impl Fn(&Tx<'_>) -> TxResult<T>) -> Result<T, StoreError> {
        let t = &self.inner.trees;
        let _guard = self
            .inner
            .write_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let result = (
            &t.reports,
            &t.pending,
            &t.indicators,
            &t.indicator_reporters,
            &t.fingerprints,
            &t.counters,
            &t.origins,
            &t.decisions,
        )
            .transaction(
                |(reports, pending, inds, ind_reps, fps, counters, origins, decisions)| {
                    f(&Tx {
                        reports,
                        pending,
                        indicators: inds,
                        indicator_reporters: ind_reps,
                        fingerprints: fps,
                        counters,
                        origins,
                        decisions,
                    })
                },
            );
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        })
    }
}
