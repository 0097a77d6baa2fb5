//! `sellerguard serve`: runs the bot and the web server until SIGTERM or Ctrl-C.

use std::process::ExitCode;

use crate::config::Settings;

/// Starts a tokio runtime and hands over to `app::serve`.
pub fn run(settings: Settings) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(crate::app::serve(settings))?;
    Ok(ExitCode::SUCCESS)
}
