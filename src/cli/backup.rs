//! `sellerguard backup FILE` (through the running service when there is one, else from
//! the store) and `sellerguard restore FILE` (into an empty data directory, with no
//! service running).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::backend;
use super::client::ServiceClient;
use crate::config::Settings;
use crate::triage::backup;

/// Writes a backup to `file` (via a temporary file beside it, renamed once complete).
pub fn run_backup(settings: &Settings, file: &Path) -> anyhow::Result<ExitCode> {
    let backend = backend::open(settings)?;
    let tmp = file.with_extension("partial");
    let mut out =
        std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    backend.backup(&mut out)?;
    out.sync_all()?;
    drop(out);
    std::fs::rename(&tmp, file).with_context(|| format!("cannot write {}", file.display()))?;
    super::print_out(&format!("backed up the store to {}\n", file.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// Restores `file` into the (empty) data directory.
pub fn run_restore(settings: &Settings, file: &Path) -> anyhow::Result<ExitCode> {
    if ServiceClient::connect(&settings.data_dir)?.is_some() {
        bail!(
            "a service is running on {}; stop it before restoring",
            settings.data_dir.display()
        );
    }
    let mut input =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let restored = backup::restore(&settings.data_dir, &mut input)?;
    super::print_out(&format!(
        "restored {} record(s) in {} tree(s) into {}\n",
        restored.records,
        restored.trees,
        settings.data_dir.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
