//! The schema version stored in the database and the migration path between versions.
//!
//! Invariants: a fresh database is stamped with [`CURRENT_VERSION`] before any other
//! write; an older database is migrated one version at a time, each step committing its
//! new version number only after its data changes are flushed; a database stamped with a
//! version this build does not know is refused with `UnsupportedSchema`, never touched.

use super::error::StoreError;
use super::keys::id_suffix;
use super::pending;
use super::records::{ReporterCountV1, ReportersRecord, decode_u64, encode};

/// The schema version this build writes.
///
/// - 1: first release.
/// - 2: the pending set moved from one key per report (`pending`) to bitmap pages
///   (`pending_pages`); an indicator's reporters moved from one key per pair
///   (`indicator_reporters`) to one list per indicator (`reporters_by_indicator`); the
///   per-report indexes `by_indicator` and `by_reporter` were dropped; reports no
///   longer carry a fingerprint and kept fingerprints are 32-bit (old records are read
///   as version 2 in `records.rs`, so they are not rewritten).
/// - 3: reports filed by the bot keep where they came from (`ReportRecord::V3`), and
///   `report_origins` maps each recent origin to its report; nothing is rewritten
///   (older reports read as V3 without an origin), the stamp only keeps a version-2
///   build from reading records it does not know.
pub const CURRENT_VERSION: u32 = 3;

/// The tree holding the pending set since version 2.
pub(crate) const PENDING_TREE: &str = "pending_pages";
/// The tree mapping report origins to reports since version 3.
pub(crate) const ORIGINS_TREE: &str = "report_origins";
/// The tree holding each indicator's reporters since version 2.
pub(crate) const REPORTERS_TREE: &str = "reporters_by_indicator";

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
        // Version 3 only adds a tree (created empty on open) and a record version.
        2 => Ok(()),
        _ => Err(StoreError::UnsupportedSchema {
            found: from,
            supported: CURRENT_VERSION,
        }),
    }
}

/// Version 1 to 2: build the pending pages and the reporter lists from the v1 trees
/// (flushed before anything is dropped), then drop the trees version 2 no longer has.
fn migrate_v1_to_v2(db: &sled::Db) -> Result<(), StoreError> {
    let old = db.open_tree("pending")?;
    let pages = db.open_tree(PENDING_TREE)?;
    for item in old.iter() {
        let (key, _) = item?;
        pending::mark(&pages, id_suffix("pending", &key)?)?;
    }
    drop(old);
    migrate_reporter_pairs(db)?;
    db.flush()?;
    for name in [
        "pending",
        "by_indicator",
        "by_reporter",
        "indicator_reporters",
    ] {
        db.drop_tree(name)?;
    }
    db.flush()?;
    Ok(())
}

/// v1 `indicator_reporters` (key: u16 BE length + indicator + 32-byte reporter hash;
/// value: u64 BE count) into one sorted list per indicator. Keys of one indicator are
/// contiguous and sorted by hash, so one pass builds each list in order.
fn migrate_reporter_pairs(db: &sled::Db) -> Result<(), StoreError> {
    let old = db.open_tree("indicator_reporters")?;
    let lists = db.open_tree(REPORTERS_TREE)?;
    let mut current: Option<(Vec<u8>, Vec<ReporterCountV1>)> = None;
    let write = |indicator: &[u8], list: Vec<ReporterCountV1>| -> Result<(), StoreError> {
        let bytes = encode("indicator reporters", &ReportersRecord::V1(list))?;
        lists.insert(indicator, bytes)?;
        Ok(())
    };
    for item in old.iter() {
        let (key, raw) = item?;
        let bad = || StoreError::corrupt("indicator_reporters", &key, "not a v1 pair key");
        let len = usize::from(u16::from_be_bytes(
            key.get(..2)
                .ok_or_else(bad)?
                .try_into()
                .map_err(|_| bad())?,
        ));
        let indicator = key.get(2..2 + len).ok_or_else(bad)?;
        let reporter: [u8; 32] = key
            .get(2 + len..)
            .and_then(|h| h.try_into().ok())
            .ok_or_else(bad)?;
        let reports = decode_u64("indicator_reporters", &key, &raw)?;
        let entry = ReporterCountV1 { reporter, reports };
        match &mut current {
            Some((name, list)) if name.as_slice() == indicator => list.push(entry),
            _ => {
                if let Some((name, list)) = current.take() {
                    write(&name, list)?;
                }
                current = Some((indicator.to_vec(), vec![entry]));
            }
        }
    }
    if let Some((name, list)) = current {
        write(&name, list)?;
    }
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
