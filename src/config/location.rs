//! Where the settings come from: a settings file, a config directory, or the built-in
//! defaults; and `init`, which writes the editable defaults into a directory.
//!
//! Invariants: a config directory named explicitly must exist; the platform config
//! directory is used only when it exists; `init` never overwrites a file unless told to.

use std::path::{Path, PathBuf};

use super::ConfigError;
use super::builtin::{self, Asset};

/// The settings file's name inside a config directory.
pub const SETTINGS_FILE: &str = "sellerguard.toml";
/// The environment variable naming a config directory.
pub const CONFIG_DIR_VAR: &str = "SELLERGUARD_CONFIG_DIR";

/// Where the settings and editable files are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigLocation {
    /// Everything built in.
    Builtin,
    /// A settings file; files named by it resolve from its folder.
    File(PathBuf),
    /// A config directory: its `sellerguard.toml` (if any) and any of the editable
    /// files under their usual names override the built-in ones.
    Dir(PathBuf),
}

impl ConfigLocation {
    /// `--config FILE`, else `--config-dir DIR`, else `SELLERGUARD_CONFIG_DIR`, else the
    /// platform config directory (`~/.config/sellerguard` on Linux) when it exists,
    /// else the built-in defaults.
    pub fn discover(
        file: Option<PathBuf>,
        dir: Option<PathBuf>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Self {
        if let Some(file) = file {
            return Self::File(file);
        }
        if let Some(dir) = dir.or_else(|| {
            env(CONFIG_DIR_VAR)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        }) {
            return Self::Dir(dir);
        }
        match dirs::config_dir().map(|d| d.join("sellerguard")) {
            Some(dir) if dir.is_dir() => Self::Dir(dir),
            _ => Self::Builtin,
        }
    }

    /// The settings file to read, if any, and the folder relative paths resolve from.
    pub(super) fn settings_file(&self) -> Result<(Option<PathBuf>, Option<PathBuf>), ConfigError> {
        match self {
            Self::Builtin => Ok((None, None)),
            Self::File(file) => {
                let base = file
                    .parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
                Ok((Some(file.clone()), Some(base)))
            }
            Self::Dir(dir) => {
                if !dir.is_dir() {
                    return Err(ConfigError::Invalid {
                        what: dir.display().to_string(),
                        message: format!(
                            "the config directory does not exist (`sellerguard init {}` writes one)",
                            dir.display()
                        ),
                    });
                }
                let file = dir.join(SETTINGS_FILE);
                Ok((file.is_file().then_some(file), Some(dir.clone())))
            }
        }
    }
}

/// Where data lives when the settings do not say: the platform data directory
/// (`~/.local/share/sellerguard` on Linux), else `data` in the working directory.
pub(super) fn default_data_dir() -> PathBuf {
    dirs::data_dir().map_or_else(|| PathBuf::from("data"), |d| d.join("sellerguard"))
}

/// Writes the built-in settings, rules, channels, advice, notice prior and model
/// (with its manifest) into `dir` for an operator to edit; returns the files written.
/// An existing file is an error naming it, unless `overwrite`.
pub fn write_defaults(dir: &Path, overwrite: bool) -> Result<Vec<PathBuf>, ConfigError> {
    let mut files: Vec<(PathBuf, &[u8])> =
        vec![(dir.join(SETTINGS_FILE), builtin::SETTINGS.as_bytes())];
    for asset in Asset::ALL {
        let path = dir.join(asset.file_name());
        match asset {
            Asset::Rules => {
                files.push((path.join("README.md"), builtin::RULES_README.as_bytes()));
                for (name, text) in builtin::RULE_FILES {
                    files.push((path.join(name), text.as_bytes()));
                }
            }
            Asset::Model => {
                let manifest = dir.join(format!("{}.manifest.json", asset.file_name()));
                files.push((path, asset.builtin()));
                files.push((manifest, builtin::MODEL_MANIFEST.as_bytes()));
            }
            _ => files.push((path, asset.builtin())),
        }
    }
    if !overwrite && let Some((path, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(ConfigError::Invalid {
            what: path.display().to_string(),
            message: "already exists; nothing was written (pass --force to replace the defaults)"
                .into(),
        });
    }
    let write_err = |path: &Path, reason| ConfigError::Write {
        path: path.to_path_buf(),
        reason,
    };
    for (path, bytes) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_err(parent, e))?;
        }
        std::fs::write(path, bytes).map_err(|e| write_err(path, e))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
