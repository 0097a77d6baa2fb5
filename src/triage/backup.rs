//! Backup and restore through the service: the whole store (reports, decisions,
//! reputation, blocks, allows, group settings, preferences, the learned model, tokens,
//! the audit log) and its reporter-hash key in one file.
//!
//! Invariants: a backup can be taken while the service runs; a restore writes only
//! into a data directory that holds no store (so it needs the service stopped).

use std::io::{Read, Write};
use std::path::Path;

pub use crate::store::Restored;
use crate::store::Store;

use super::{Triage, TriageError};

impl Triage {
    /// Writes a backup of the store to `out`.
    pub fn backup(&self, out: &mut impl Write) -> Result<(), TriageError> {
        Ok(self.community()?.store.backup(out)?)
    }
}

/// Restores a backup read from `input` into the empty data directory `dir`.
pub fn restore(dir: &Path, input: &mut impl Read) -> Result<Restored, TriageError> {
    Ok(Store::restore(dir, input)?)
}
