//! The store's one error type.
//!
//! Invariants: every failure that can come from disk (corrupt record, unknown schema
//! version, unreadable key file) is a value here naming what and where; nothing in the
//! store panics on data it read back.

use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong inside the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A file-system operation on the data directory failed.
    #[error("{action} {path}: {reason}")]
    Io {
        /// What the store was doing.
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error (in the message, so not a `source`: chains never repeat).
        reason: std::io::Error,
    },
    /// sled itself reported an error (in the message, not as a `source`).
    #[error("database error: {0}")]
    Sled(sled::Error),
    /// The database was written by a newer (or unknown) schema version.
    #[error(
        "database schema version {found} is not supported by this build (supports up to {supported}); \
         upgrade sellerguard or restore a backup"
    )]
    UnsupportedSchema {
        /// The version found on disk.
        found: u32,
        /// The newest version this build understands.
        supported: u32,
    },
    /// A record read back from disk could not be decoded.
    #[error("corrupt record in tree `{tree}` at key {key}: {detail}")]
    Corrupt {
        /// The sled tree holding the record.
        tree: &'static str,
        /// The key, rendered for humans (hex or text).
        key: String,
        /// What was wrong with it.
        detail: String,
    },
    /// The reporter-hash key file is missing, malformed or unusable.
    #[error("reporter key file {path}: {detail}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What was wrong with it.
        detail: String,
    },
    /// No report with this id exists.
    #[error("no report {0}")]
    ReportNotFound(crate::store::ReportId),
    /// The caller passed a value the store cannot keep.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A durable flush failed; the write may not survive a crash.
    #[error("flush to disk failed: {0}")]
    FlushFailed(String),
    /// Serialising a record failed (a bug, not a data problem).
    #[error("cannot encode {what}: {detail}")]
    Encode {
        /// The kind of record.
        what: &'static str,
        /// The encoder's message.
        detail: String,
    },
}

impl From<sled::Error> for StoreError {
    fn from(error: sled::Error) -> Self {
        Self::Sled(error)
    }
}

impl StoreError {
    /// Build a [`StoreError::Corrupt`] for `key` in `tree`.
    pub(crate) fn corrupt(tree: &'static str, key: &[u8], detail: impl ToString) -> Self {
        StoreError::Corrupt {
            tree,
            key: render_key(key),
            detail: detail.to_string(),
        }
    }
}

/// Render a key as text when it is printable ASCII, hex otherwise.
fn render_key(key: &[u8]) -> String {
    if !key.is_empty() && key.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("{:?}", String::from_utf8_lossy(key))
    } else {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        format!("0x{hex}")
    }
}
