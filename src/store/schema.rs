//! The schema version stored in the database and the migration path between versions.
//!
//! Invariants: a fresh database is stamped with [`CURRENT_VERSION`] before any other
//! write; an older database is migrated one version at a time, each step committing its
//! new version number only after its data changes are flushed; a database stamped with a
//! version this build does not know is refused with `UnsupportedSchema`, never touched.

use super::error::StoreError;
use super::records::decode_u64;

/// The schema version this build writes.
pub const CURRENT_VERSION: u32 = 1;

/// Key of the version stamp in the `meta` tree.
pub(crate) const VERSION_KEY: &[u8] = b"schema_version";

/// Read the stamp, then migrate or stamp so the db is at [`CURRENT_VERSION`].
pub(crate) fn ensure_current(db: &sled::Db, meta: &sled::Tree) -> Result<(), StoreError> {
    let found = match meta.get(VERSION_KEY)? {
        Some(raw) => version_from(&raw)?,
        None if is_fresh(db)? => {
            write_version(meta, CURRENT_VERSION)?;
            db.flush()?;
            return Ok(());
        }
        None => {
            return Err(StoreError::corrupt(
                "meta",
                VERSION_KEY,
                "database holds data but no schema version",
            ));
        }
    };
    if found == 0 || found > CURRENT_VERSION {
        return Err(StoreError::UnsupportedSchema {
            found,
            supported: CURRENT_VERSION,
        });
    }
    let mut version = found;
    while version < CURRENT_VERSION {
        migrate_step(db, version)?;
        version += 1;
        write_version(meta, version)?;
        db.flush()?;
    }
    Ok(())
}

/// Upgrade the data from `from` to `from + 1`. The hook for future versions.
fn migrate_step(_db: &sled::Db, from: u32) -> Result<(), StoreError> {
    // v1 is the first version: nothing older exists, so no step is defined yet. A v2
    // adds a `match from { 1 => migrate_v1_to_v2(db), .. }` here that rewrites records
    // or builds new indexes; its test opens a v1 fixture and checks every record.
    Err(StoreError::UnsupportedSchema {
        found: from,
        supported: CURRENT_VERSION,
    })
}

/// Stored as a u64 BE for room; values above u32 are unsupported by definition.
fn version_from(raw: &[u8]) -> Result<u32, StoreError> {
    let v = decode_u64("meta", VERSION_KEY, raw)?;
    Ok(u32::try_from(v).unwrap_or(u32::MAX))
}

pub(crate) fn write_version(meta: &sled::Tree, version: u32) -> Result<(), StoreError> {
    meta.insert(VERSION_KEY, &u64::from(version).to_be_bytes())?;
    Ok(())
}

/// True when no tree other than sled's default one holds anything.
fn is_fresh(db: &sled::Db) -> Result<bool, StoreError> {
    for name in db.tree_names() {
        if db.open_tree(&name)?.first()?.is_some() {
            return Ok(false);
        }
    }
    Ok(true)
}
