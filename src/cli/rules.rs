//! `sellerguard rules check`: compile every rule file and run every rule's examples.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::config::{Settings, Source};
use crate::triage::{self, LoadError};

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Compile the rule files and run their examples; print `file:line:col: code: message`.
    Check {
        /// Rule folder (default: rules_dir from the settings).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

pub fn run(settings: &Settings, command: RulesCommand) -> anyhow::Result<ExitCode> {
    let RulesCommand::Check { dir } = command;
    let dir = dir.map_or_else(|| settings.rules_dir.clone(), Source::Path);
    let channels = triage::load_channels(&settings.channels_file)?;
    let (classifier, mut problems) = match triage::compile_dir(&dir, channels) {
        Ok(compiled) => compiled,
        Err(LoadError::Rules(errors)) => {
            super::print_out(&format!("{errors}\n"))?;
            eprintln!("{} problem(s) in {dir}", errors.0.len());
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    problems.extend(classifier.check_examples());
    for p in &problems {
        super::print_out(&format!("{p}\n"))?;
    }
    if problems.is_empty() {
        super::print_out(&format!(
            "{} rules compiled, every example behaves as declared\n",
            classifier.rules().len()
        ))?;
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} problem(s) in {dir}", problems.len());
        Ok(ExitCode::from(1))
    }
}
