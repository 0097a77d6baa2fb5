//! OCR for forwarded screenshots: the only home of the Tesseract engine.
//!
//! `Ocr::start` starts workers on dedicated OS threads (never on the async
//! runtime) that share the process's Tesseract engines (`engines`: one model per
//! Chinese language, one for the Latin languages): a read leases the engines its
//! image needs, and a model is loaded only when some picture first needs it (the
//! Traditional one only for a picture the Simplified one reads unsure). Images are checked from their header (file
//! size, format, pixel count) before anything is decoded, converted to 8-bit
//! gray (dark themes inverted) and cut into text segments (`layout`); each
//! segment is read by the model that suits its script (`reader`, `latin`).
//! The output is tidied (no spaces between CJK characters) and every failure
//! is an `OcrError` with a message a seller can read.
//!
//! Tesseract uses OpenMP; the process must run with `OMP_THREAD_LIMIT=1`
//! when it starts (set in `.cargo/config.toml` for tests and benches; the binary
//! re-executes itself with it). This module never touches the environment.
//!
//! Imports nothing else from the crate.

mod engine;
mod engines;
mod error;
mod latin;
mod layout;
mod picture;
mod pool;
mod reader;
mod text;

use std::path::PathBuf;
use std::time::Duration;

pub use engines::LoadedEngines;
pub use error::OcrError;
pub use pool::Ocr;
pub use text::character_error_rate;

/// How the OCR pool runs and what it accepts.
#[derive(Debug, Clone)]
pub struct OcrOptions {
    /// Workers, at least one; each is an OS thread. They share the engines: a
    /// model gets a second engine (~18-51 MiB) only while two reads need it at once.
    pub workers: usize,
    /// Jobs that may wait for a free engine; one more gets `OcrError::Busy`.
    pub queue: usize,
    /// Longest a caller waits for one image, queue wait included.
    pub timeout: Duration,
    /// Largest accepted file; 20 MB is Telegram's getFile limit.
    pub max_file_bytes: u64,
    /// Largest accepted width x height, checked from the header before decoding.
    pub max_pixels: u64,
    /// Tesseract languages joined by `+`, e.g. "chi_sim+chi_tra+eng". Each
    /// Chinese model is its own engine, chosen per image (the first listed wins
    /// ties); the other languages share one engine that reads Latin text.
    pub languages: String,
    /// Directory holding the `.traineddata` files; `None` uses Tesseract's default.
    pub datapath: Option<PathBuf>,
}

impl Default for OcrOptions {
    fn default() -> Self {
        OcrOptions {
            workers: 1,
            queue: 8,
            timeout: Duration::from_secs(10),
            max_file_bytes: 20 * 1024 * 1024,
            max_pixels: 40_000_000,
            languages: "chi_sim+chi_tra+eng".to_string(),
            datapath: None,
        }
    }
}

/// The text read from one image.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrText {
    /// Tidied text, lines in reading order.
    pub text: String,
    /// Tesseract's mean word confidence, 0 to 100; `None` when nothing was recognised.
    pub mean_confidence: Option<f32>,
    /// Width of the image in pixels.
    pub width: u32,
    /// Height of the image in pixels.
    pub height: u32,
    /// Time spent decoding and recognising on the worker (queue wait excluded).
    pub elapsed: Duration,
}
