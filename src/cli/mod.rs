//! The command line: parses arguments (clap), runs one command, maps the outcome to an
//! exit code. Commands only convert input to service calls and results to output.
//!
//! Exit codes: 0 success, 1 the command ran and found problems (`rules check`),
//! 2 bad input or configuration.

mod check;
mod eval;
mod init;
mod ocr;
mod reports;
mod rules;
mod serve;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::classify::Lang;
use crate::config::{ConfigLocation, Settings};
use crate::triage::Triage;

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
        Command::Reports { command } => reports::run(&Triage::open(&settings)?, command),
        Command::Indicators { command } => {
            reports::run_indicators(&Triage::open(&settings)?, command)
        }
        Command::Stats => reports::run_stats(&Triage::open(&settings)?),
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
