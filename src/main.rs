//! The `sellerguard` binary: prepares the process environment for OCR (when the
//! command may read screenshots) and hands over to `cli`.

use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

/// Tesseract's OpenMP ran about 5-10x slower here with more than one thread per engine
/// (BENCHMARKS.md, "OCR"). libgomp reads `OMP_THREAD_LIMIT` when it is loaded, before
/// `main`, so setting it here is too late: a command that may read screenshots
/// (`cli::reads_images`) re-executes the process once with the variable set instead
/// (8-13 ms; the others need not pay it).
const OMP_LIMIT: &str = "OMP_THREAD_LIMIT";

fn main() -> ExitCode {
    if std::env::var_os(OMP_LIMIT).is_none()
        && sellerguard::cli::reads_images(std::env::args_os())
        && let Ok(exe) = std::env::current_exe()
    {
        let mut args = std::env::args_os();
        let mut command = Command::new(exe);
        if let Some(arg0) = args.next() {
            command.arg0(arg0);
        }
        // `exec` only returns on failure; then run on, just slower at OCR.
        let error = command.args(args).env(OMP_LIMIT, "1").exec();
        eprintln!(
            "sellerguard: could not re-execute with {OMP_LIMIT}=1 ({error}); OCR will be slow"
        );
    }
    sellerguard::cli::main()
}
