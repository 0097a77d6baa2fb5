//! `sellerguard rules check`: compile every rule file and run every rule's examples;
//! `sellerguard rules explain`: which cues and rules one message fires, for whoever
//! writes rules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::classify::Message;
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
    /// Show which cues (`cue.*` and built-in `@` cues) and rules one message fires.
    Explain {
        /// Rule folder (default: rules_dir from the settings).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The message (standard input when absent).
        text: Option<String>,
    },
}

pub fn run(settings: &Settings, command: RulesCommand) -> anyhow::Result<ExitCode> {
    match command {
        RulesCommand::Check { dir } => check(settings, dir),
        RulesCommand::Explain { dir, text } => explain(settings, dir, text),
    }
}

fn check(settings: &Settings, dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
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

fn explain(
    settings: &Settings,
    dir: Option<PathBuf>,
    text: Option<String>,
) -> anyhow::Result<ExitCode> {
    let text = super::check::read_message(text)?;
    let dir = dir.map_or_else(|| settings.rules_dir.clone(), Source::Path);
    let channels = triage::load_channels(&settings.channels_file)?;
    let (classifier, _) = triage::compile_dir(&dir, channels)?;
    let message = Message::text(&text);
    let mut out = format!("cues: {}\n", classifier.fired_cues(message).join(" "));
    let verdict = classifier.classify(message);
    for signal in &verdict.signals {
        out += &format!("rule: {} {:+}\n", signal.rule_id, signal.weight);
    }
    out += &format!("verdict: {} {}\n", verdict.level.as_str(), verdict.score);
    super::print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}
