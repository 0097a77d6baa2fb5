//! `sellerguard init DIR`: writes the built-in defaults into a config directory for an
//! operator to edit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::config::{self, CONFIG_DIR_VAR};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The config directory to create (or fill).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Replace files that already exist.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let written = config::write_defaults(&args.dir, args.force)?;
    let dir = args.dir.display();
    super::print_out(&format!(
        "wrote {} files to {dir}: sellerguard.toml, rules/, channels.toml, advice.toml, \
         notice_prior.jsonl, model.bin\n\
         Edit them, then run with --config-dir {dir} (or {CONFIG_DIR_VAR}={dir}); a file you \
         delete falls back to the built-in one.\n",
        written.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}
