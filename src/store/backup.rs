//! Backup and restore of the whole data directory: every sled tree (reports, pending
//! pages, reputation, reporters, fingerprints, decisions and the audit log, ignored
//! reporters, counters, prefs and group settings, tokens, inbox, outbox, the model
//! blob in `meta`) and the reporter-hash key, in one versioned file.
//!
//! Invariants: a backup is a `BackupRecord` (postcard; first byte its version), read
//! tree by tree while the store stays online (a write racing the backup may be in one
//! tree and not yet in the next; take it when curators are idle for an exact one); restore
//! only ever writes into a data directory that holds no store yet (never over live
//! data), puts back the key first and returns once everything is flushed.

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::records::{decode, encode};
use super::{Store, StoreOptions, secret};

/// A backup file's content. Append-only.
#[derive(Serialize, Deserialize)]
enum BackupRecord {
    V1(BackupV1),
}

/// Version 1: the key and every tree as ordered key-value pairs.
#[derive(Serialize, Deserialize)]
struct BackupV1 {
    schema: u32,
    reporter_key: [u8; 32],
    trees: Vec<TreeDump>,
}

/// One sled tree.
#[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
pub(crate) struct TreeDump {
    pub name: Vec<u8>,
    pub entries: Vec<(Vec<u8>, Vec<u8>)>,
}

/// What a restore put back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Restored {
    /// Trees written.
    pub trees: usize,
    /// Records written over all trees.
    pub records: usize,
}

/// sled's own default tree, which the store never writes.
const SLED_DEFAULT_TREE: &[u8] = b"__sled__default";

impl Store {
    /// Writes a backup of everything in the store to `out`.
    pub fn backup(&self, out: &mut impl Write) -> Result<(), StoreError> {
        let record = BackupRecord::V1(BackupV1 {
            schema: super::CURRENT_VERSION,
            reporter_key: self.inner.key.0,
            trees: self.dump()?,
        });
        let bytes = encode("backup", &record)?;
        out.write_all(&bytes).map_err(|source| StoreError::Io {
            action: "write backup",
            path: "-".into(),
            reason: source,
        })
    }

    /// Every tree's entries, by tree name (sled's default tree left out).
    pub(crate) fn dump(&self) -> Result<Vec<TreeDump>, StoreError> {
        let mut trees = Vec::new();
        for name in self.db().tree_names() {
            if name.as_ref() == SLED_DEFAULT_TREE {
                continue;
            }
            let tree = self.db().open_tree(&name)?;
            let mut entries = Vec::new();
            for item in tree.iter() {
                let (key, value) = item?;
                entries.push((key.to_vec(), value.to_vec()));
            }
            trees.push(TreeDump {
                name: name.to_vec(),
                entries,
            });
        }
        trees.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(trees)
    }

    /// Restores the backup read from `input` into `dir`, which must hold no store yet.
    pub fn restore(dir: &Path, input: &mut impl Read) -> Result<Restored, StoreError> {
        if dir.join("db").exists() || dir.join(secret::KEY_FILE).exists() {
            return Err(StoreError::InvalidInput(format!(
                "{} already holds a store; restore into an empty data directory \
                 (move the old one away first)",
                dir.display()
            )));
        }
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|source| StoreError::Io {
                action: "read backup",
                path: "-".into(),
                reason: source,
            })?;
        let BackupRecord::V1(backup) = decode("backup", b"file", &bytes)?;
        if backup.schema > super::CURRENT_VERSION {
            return Err(StoreError::UnsupportedSchema {
                found: backup.schema,
                supported: super::CURRENT_VERSION,
            });
        }
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            action: "create directory",
            path: dir.to_owned(),
            reason: source,
        })?;
        secret::write_key(dir, backup.reporter_key)?;
        let db = super::open_db(sled::Config::new().path(dir.join("db")))?;
        let mut restored = Restored {
            trees: 0,
            records: 0,
        };
        for tree in backup.trees {
            let target = db.open_tree(&tree.name)?;
            let mut batch = sled::Batch::default();
            restored.records += tree.entries.len();
            for (key, value) in tree.entries {
                batch.insert(key, value);
            }
            target.apply_batch(batch)?;
            restored.trees += 1;
        }
        db.flush()?;
        drop(db);
        // Opening checks (and, for an older backup, migrates) the schema.
        drop(Store::open(dir, StoreOptions::default())?);
        Ok(restored)
    }
}
