//! The command line: parses arguments (clap), runs one command, maps the outcome to an
//! exit code. Commands only convert input to service calls and results to output.
//!
//! Exit codes: 0 success, 1 the command ran and found problems (`rules check`),
//! 2 bad input or configuration.

mod backend;
mod backup;
mod check;
mod client;
mod eval;
mod init;
mod ocr;
mod reports;
mod rules;
mod serve;
mod token;
mod train;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::classify::Lang;
use crate::config::{ConfigLocation, Settings};

/// Scam triage for cross-border e-commerce sellers.
#[derive(Debug, Parser)]
#[command(name = "sellerguard", version, about)]
pub struct Cli {
    /// Settings file, over the built-in defaults; paths in it resolve from its folder.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "config_dir"
    )]
    config: Option<PathBuf>,
    /// Config directory (as written by `init`): its sellerguard.toml and any of its
    /// files override the built-in ones. Default: SELLERGUARD_CONFIG_DIR, else
    /// ~/.config/sellerguard when it exists, else everything built in.
    #[arg(long, global = true, value_name = "DIR")]
    config_dir: Option<PathBuf>,
    /// Data directory (reports, community knowledge); overrides SELLERGUARD_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Judge one message (TEXT, or standard input when absent).
    Check(check::CheckArgs),
    /// Work with rule files.
    Rules {
        #[command(subcommand)]
        command: rules::RulesCommand,
    },
    /// Measure the classifier on a labelled file (JSON Lines, TSV or CSV).
    Eval(eval::EvalArgs),
    /// Train the base model on labelled files (writes the model and its manifest).
    Train(train::TrainArgs),
    /// File, import, list, review and forget community reports.
    Reports {
        #[command(subcommand)]
        command: reports::ReportsCommand,
    },
    /// Block or allow a link, number or ID directly.
    Indicators {
        #[command(subcommand)]
        command: reports::IndicatorsCommand,
    },
    /// Report and check counters.
    Stats,
    /// Back up the whole store to FILE (through the running service when there is one).
    Backup {
        /// Where to write the backup.
        file: PathBuf,
    },
    /// Restore a backup into an empty data directory (no service running).
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Curators' API tokens: create, list, revoke.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Screenshot reading: accuracy and latency.
    Ocr {
        #[command(subcommand)]
        command: ocr::OcrCommand,
    },
    /// Run the Telegram bot (when TELEGRAM_BOT_TOKEN is set) and the health endpoint.
    Serve,
    /// Write the built-in settings, rules, channels, advice and model into DIR to edit.
    Init(init::InitArgs),
}

/// Parses the process arguments, runs the command and returns its exit code.
/// Whether the command line `args` (program name first) may read screenshots, so the
/// process must start with `OMP_THREAD_LIMIT` set (`main` re-executes itself for it):
/// `serve`, `ocr` and `check --image`. A command line that does not parse does not
/// (`main` reports it without OCR).
pub fn reads_images(args: impl IntoIterator<Item = OsString>) -> bool {
    let Ok(cli) = Cli::try_parse_from(args) else {
        return false;
    };
    // No catch-all: a new command has to say whether it reads screenshots.
    match cli.command {
        Command::Check(args) => args.reads_image(),
        Command::Ocr { .. } | Command::Serve => true,
        Command::Rules { .. }
        | Command::Eval(_)
        | Command::Train(_)
        | Command::Reports { .. }
        | Command::Indicators { .. }
        | Command::Stats
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Token { .. }
        | Command::Init(_) => false,
    }
}

pub fn main() -> ExitCode {
    if let Err(e) = init_tracing() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Init(args) = cli.command {
        return init::run(&args);
    }
    let env = |k: &str| std::env::var(k).ok();
    let location = ConfigLocation::discover(cli.config, cli.config_dir, env);
    let mut settings = Settings::load(&location, env)?;
    if let Some(dir) = cli.data_dir {
        settings.data_dir = dir;
    }
    match cli.command {
        Command::Check(args) => check::run(&settings, args),
        Command::Rules { command } => rules::run(&settings, command),
        Command::Eval(args) => eval::run(&settings, args),
        Command::Train(args) => train::run(&settings, args),
        Command::Reports { command } => reports::run(&backend::open(&settings)?, command),
        Command::Indicators { command } => {
            reports::run_indicators(&backend::open(&settings)?, command)
        }
        Command::Stats => reports::run_stats(&backend::open(&settings)?),
        Command::Backup { file } => backup::run_backup(&settings, &file),
        Command::Restore { file } => backup::run_restore(&settings, &file),
        Command::Token { command } => token::run(&backend::open(&settings)?, command),
        Command::Ocr { command } => ocr::run(&settings, command),
        Command::Serve => serve::run(settings),
        Command::Init(_) => unreachable!("handled before the settings are read"),
    }
}

/// Parses `--lang`.
fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

/// Writes `text` to standard output; a closed pipe (`| head`) ends output quietly.
fn print_out(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Logs to stderr at `SELLERGUARD_LOG` (default `warn`); a filter that does not
/// parse is an error naming the variable.
fn init_tracing() -> Result<(), String> {
    let spec = std::env::var("SELLERGUARD_LOG").unwrap_or_default();
    let spec = if spec.trim().is_empty() {
        "warn"
    } else {
        spec.trim()
    };
    let filter = tracing_subscriber::EnvFilter::builder()
        .parse(spec)
        .map_err(|e| {
            format!("SELLERGUARD_LOG: {spec:?} is not a log filter (e.g. `warn` or `sellerguard=debug`): {e}")
        })?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_commands_that_may_read_screenshots_need_openmp_set_up() {
        let cases: &[(&[&str], bool)] = &[
            (&["serve"], true),
            (&["ocr", "eval", "--dir", "shots"], true),
            (&["check", "--image", "shot.jpg"], true),
            (
                &["--data-dir", "d", "check", "--image", "shot.jpg", "caption"],
                true,
            ),
            (&["check", "your parcel is held"], false),
            (&["check"], false),
            (&["stats"], false),
            (&["rules", "check"], false),
            (&["--version"], false),
            (&["no-such-command"], false),
        ];
        for (args, expected) in cases {
            let line = std::iter::once("sellerguard").chain(args.iter().copied());
            assert_eq!(
                reads_images(line.map(OsString::from)),
                *expected,
                "{args:?}"
            );
        }
    }
}
