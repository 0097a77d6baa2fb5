//! The schema version stored in the database and the migration path between versions.
//!
//! Invariants: a fresh database is stamped with [`CURRENT_VERSION`] before any other
//! write; an older database is migrated one version at a time, each step committing its
//! new version number only after its data changes are flushed; a database stamped with a
//! version this build does not know is refused with `UnsupportedSchema`, never touched.

use super::error::StoreError;
use super::keys::id_suffix;
use super::pending;
use super::records::decode_u64;

/// The schema version this build writes.
///
/// - 1: first release.
/// - 2: the pending set moved from one key per report (`pending`) to bitmap pages
///   (`pending_pages`); the per-report indexes `by_indicator` and `by_reporter` were
///   dropped; reports no longer carry a fingerprint and kept fingerprints are 32-bit
///   (old records are read as version 2 in `records.rs`, so they are not rewritten).
pub const CURRENT_VERSION: u32 = 2;

/// The tree holding the pending set since version 2.
pub(crate) const PENDING_TREE: &str = "pending_pages";

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

/// Upgrade the data from `from` to `from + 1`. Each step is idempotent: a crash
/// before the caller stamps the new version just runs it again.
fn migrate_step(db: &sled::Db, from: u32) -> Result<(), StoreError> {
    match from {
        1 => migrate_v1_to_v2(db),
        _ => Err(StoreError::UnsupportedSchema {
            found: from,
            supported: CURRENT_VERSION,
        }),
    }
}

/// Version 1 to 2: build the pending pages from the v1 `pending` tree (flushed before
/// anything is dropped), then drop the trees version 2 no longer has.
fn migrate_v1_to_v2(db: &sled::Db) -> Result<(), StoreError> {
    let old = db.open_tree("pending")?;
    let pages = db.open_tree(PENDING_TREE)?;
    for item in old.iter() {
        let (key, _) = item?;
        pending::mark(&pages, id_suffix("pending", &key)?)?;
    }
    db.flush()?;
    drop(old);
    for name in ["pending", "by_indicator", "by_reporter"] {
        db.drop_tree(name)?;
    }
    db.flush()?;
    Ok(())
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
