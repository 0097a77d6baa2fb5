//! `OcrError`: every way reading a screenshot can fail, with a short message a
//! seller can act on in Chinese or English.
//!
//! Display strings are for logs and operators; `user_message` is what the bot
//! may show to the seller and never contains internals.

use thiserror::Error;

/// Why a screenshot could not be read.
#[derive(Debug, Error)]
pub enum OcrError {
    /// The file is larger than `OcrOptions::max_file_bytes`.
    #[error("image is {bytes} bytes, the limit is {limit}")]
    FileTooLarge { bytes: u64, limit: u64 },

    /// The header claims more pixels than `OcrOptions::max_pixels` (checked before decoding).
    #[error("image is {width}x{height} pixels, the limit is {limit} pixels")]
    TooManyPixels { width: u32, height: u32, limit: u64 },

    /// The bytes are not PNG, JPEG, WebP, GIF or BMP.
    #[error("not a supported image format (PNG, JPEG, WebP, GIF, BMP)")]
    UnknownFormat,

    /// The format is known but the data could not be decoded.
    #[error("corrupt image: {0}")]
    Corrupt(String),

    /// The engine ran but found no letters, digits or CJK characters.
    #[error("no readable text in the image")]
    NoText,

    /// The job did not finish within `OcrOptions::timeout` (queue wait included).
    #[error("OCR took longer than {0:?}")]
    Timeout(std::time::Duration),

    /// Every worker is busy and the queue is full.
    #[error("OCR queue is full")]
    Busy,

    /// The sender already has an image being read.
    #[error("the sender already has an image being read")]
    OwnerBusy,

    /// A large image was still being read after its slice while another sender's
    /// image waited: it gave way (its text is too much to read while others wait).
    #[error("a large image gave way to another sender's after {0:?}")]
    GaveWay(std::time::Duration),

    /// The engine could not be started or has stopped, e.g. missing language data.
    /// `packages` names the Debian packages that would fix it, if any.
    #[error("OCR engine unavailable: {reason}")]
    EngineUnavailable { reason: String, packages: String },

    /// Tesseract failed on this image, or the worker panicked while reading it.
    #[error("OCR engine failed: {0}")]
    EngineFailed(String),
}

impl OcrError {
    /// A short explanation for the seller, in Chinese when `zh` is true.
    pub fn user_message(&self, zh: bool) -> &'static str {
        let (zh_text, en_text) = match self {
            OcrError::FileTooLarge { .. } => (
                "图片太大（超过 20 MB），请截取短信部分后重新发送。",
                "The image is too large (over 20 MB). Please crop it to the message and send again.",
            ),
            OcrError::TooManyPixels { .. } => (
                "图片尺寸过大，请发送普通手机截图。",
                "The image dimensions are too large. Please send a normal phone screenshot.",
            ),
            OcrError::UnknownFormat => (
                "无法识别的文件格式，请发送 PNG 或 JPG 截图。",
                "Unsupported file type. Please send a PNG or JPG screenshot.",
            ),
            OcrError::Corrupt(_) => (
                "图片已损坏或不完整，请重新截图发送。",
                "The image is damaged or incomplete. Please take the screenshot again.",
            ),
            OcrError::NoText => (
                "图片中没有识别到文字，请发送清晰的短信截图，或直接转发文字。",
                "No text found in the image. Send a clear screenshot or forward the text itself.",
            ),
            OcrError::Timeout(_) => (
                "识别超时，请稍后重试，或直接转发短信文字。",
                "Reading the image took too long. Try again later or forward the text itself.",
            ),
            OcrError::Busy => (
                "当前识别请求较多，请稍后再试。",
                "Too many images right now. Please try again in a minute.",
            ),
            OcrError::OwnerBusy => (
                "上一张截图还在识别中，请等它的结果出来后再发送下一张。",
                "Your previous screenshot is still being read. Please send the next one after its answer.",
            ),
            OcrError::GaveWay(_) => (
                "这张图片文字太多，无法在不耽误其他用户的情况下读完。请只截取短信部分后重新发送。",
                "This image holds too much text to read without making others wait. Please crop it to the message and send again.",
            ),
            OcrError::EngineUnavailable { .. } | OcrError::EngineFailed(_) => (
                "图片识别暂时不可用，请直接转发短信文字。",
                "Image reading is unavailable right now. Please forward the text itself.",
            ),
        };
        if zh { zh_text } else { en_text }
    }
}
