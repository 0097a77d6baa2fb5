//! The `sellerguard` binary: prepares the process environment and hands over to `cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        // SAFETY: first statement of main, before any other thread exists. Tesseract's
        // OpenMP was ~10x slower here with more than one thread per engine.
        unsafe { std::env::set_var("OMP_THREAD_LIMIT", "1") };
    }
    sellerguard::cli::main()
}
