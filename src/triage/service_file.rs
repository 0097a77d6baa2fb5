//! The file a running service leaves in its data directory (`service.json`) so the
//! command line can find it: its URL and the service's own token for the CLI.
//!
//! Invariants: written mode 0600 (it holds a token) atomically (temp file, rename), only
//! by the process that holds the store, and removed when it stops; a stale file (the
//! process died) is harmless: its token died with the process and nothing answers at
//! its URL.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Secret;

/// The file's name in the data directory.
pub const FILE_NAME: &str = "service.json";

/// Where the running service answers and how the CLI authenticates.
#[derive(Debug, Serialize, Deserialize)]
pub struct ServiceFile {
    /// Format version (1).
    pub version: u32,
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// The service's token for the CLI.
    pub token: String,
    /// The service's process id.
    pub pid: u32,
}

/// The file's path in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Writes the file for a service at `url` with `token`.
pub fn write(data_dir: &Path, url: &str, token: &Secret) -> std::io::Result<()> {
    let file = ServiceFile {
        version: 1,
        url: url.into(),
        token: token.expose().into(),
        pid: std::process::id(),
    };
    let tmp = data_dir.join(format!("{FILE_NAME}.tmp"));
    let mut out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    out.write_all(&serde_json::to_vec(&file).map_err(std::io::Error::other)?)?;
    out.sync_all()?;
    fs::rename(&tmp, path(data_dir))
}

/// Reads the file, `None` when there is none (or it does not parse).
pub fn read(data_dir: &Path) -> Option<ServiceFile> {
    let bytes = fs::read(path(data_dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Removes the file (best effort).
pub fn remove(data_dir: &Path) {
    if let Err(e) = fs::remove_file(path(data_dir))
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("cannot remove {}: {e}", path(data_dir).display());
    }
}
