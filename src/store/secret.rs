//! The secret key behind reporter hashes, kept in the data directory.
//!
//! Invariants: the key is 32 bytes from the OS CSPRNG, generated once on first start and
//! written atomically (temp file, fsync, rename, fsync dir) with mode 0600; an existing
//! key is never regenerated (that would split every reporter in two), and a key file of
//! the wrong size is an error, not a fresh key. The key never appears in `Debug` output.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use super::error::StoreError;

/// File name of the key inside the data directory.
pub(crate) const KEY_FILE: &str = "reporter.key";

/// The keyed-hash secret; wrapped so it never prints.
pub(crate) struct ReporterKey(pub [u8; 32]);

impl std::fmt::Debug for ReporterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReporterKey(<redacted>)")
    }
}

/// Load the key from `dir`, creating it on first start.
pub(crate) fn load_or_create(dir: &Path) -> Result<ReporterKey, StoreError> {
    let path = dir.join(KEY_FILE);
    match fs::File::open(&path) {
        Ok(file) => read_key(&path, file),
        Err(e) if e.kind() == ErrorKind::NotFound => create_key(dir),
        Err(reason) => Err(StoreError::Io {
            action: "open",
            path,
            reason,
        }),
    }
}

fn read_key(path: &Path, mut file: fs::File) -> Result<ReporterKey, StoreError> {
    let io = |action, reason| StoreError::Io {
        action,
        path: path.to_owned(),
        reason,
    };
    let mode = file
        .metadata()
        .map_err(|e| io("stat", e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        // Tighten rather than refuse: the secret must not stay readable by others.
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| io("chmod", e))?;
    }
    let mut bytes = Vec::with_capacity(33);
    file.read_to_end(&mut bytes).map_err(|e| io("read", e))?;
    let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| StoreError::KeyFile {
        path: path.to_owned(),
        detail: format!(
            "expected 32 bytes, found {}; restore it from backup (a new key would change every reporter hash)",
            bytes.len()
        ),
    })?;
    Ok(ReporterKey(key))
}

fn create_key(dir: &Path) -> Result<ReporterKey, StoreError> {
    let path = dir.join(KEY_FILE);
    let tmp = dir.join(format!("{KEY_FILE}.tmp"));
    let io = |action, p: &Path, reason| StoreError::Io {
        action,
        path: p.to_owned(),
        reason,
    };
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| StoreError::KeyFile {
        path: path.clone(),
        detail: format!("OS random generator failed: {e}"),
    })?;
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| io("create", &tmp, e))?;
    file.write_all(&key).map_err(|e| io("write", &tmp, e))?;
    file.sync_all().map_err(|e| io("fsync", &tmp, e))?;
    drop(file);
    fs::rename(&tmp, &path).map_err(|e| io("rename", &path, e))?;
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("fsync", dir, e))?;
    Ok(ReporterKey(key))
}
