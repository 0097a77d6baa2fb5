//! Checking and decoding the uploaded image into the grayscale buffer Tesseract reads.
//!
//! `inspect` only parses the header, so the size and pixel limits are enforced
//! before a single pixel is decoded. `to_gray` yields dark text on a light
//! background: dark-theme screenshots are inverted. No upscaling: on the
//! Telegram-compressed fixtures 1.5x was worse and slower, and 2x cut the mean
//! CER from 5.5% to 3.9% at 2.4x the time (BENCHMARKS.md, "OCR").

use std::io::Cursor;

use image::{GrayImage, ImageError, ImageFormat, ImageReader, Limits};

use super::OcrError;

/// What the header says about an image that passed the limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    pub width: u32,
    pub height: u32,
}

/// The limits an image must respect before it is decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ImageLimits {
    pub max_file_bytes: u64,
    pub max_pixels: u64,
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, OcrError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| OcrError::Corrupt(error.to_string()))?;
    if reader
        .format()
        .is_none_or(|format| !format.reading_enabled())
    {
        return Err(OcrError::UnknownFormat);
    }
    Ok(reader)
}

fn decode_error(error: ImageError) -> OcrError {
    match error {
        ImageError::Unsupported(_) => OcrError::UnknownFormat,
        other => OcrError::Corrupt(other.to_string()),
    }
}

/// Checks file size, format and header dimensions without decoding pixels.
pub(crate) fn inspect(bytes: &[u8], limits: ImageLimits) -> Result<Header, OcrError> {
    let file_bytes = bytes.len() as u64;
    if file_bytes > limits.max_file_bytes {
        return Err(OcrError::FileTooLarge {
            bytes: file_bytes,
            limit: limits.max_file_bytes,
        });
    }
    let (width, height) = reader(bytes)?.into_dimensions().map_err(decode_error)?;
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(OcrError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    Ok(Header { width, height })
}

/// Images with more pixels are scaled down to this many before recognition.
pub(crate) const RECOGNITION_PIXELS: u64 = 12_000_000;

/// Decodes an inspected image to 8-bit gray, dark text on light background, scaled
/// down by a whole factor to at most `RECOGNITION_PIXELS`.
pub(crate) fn to_gray(bytes: &[u8], header: Header) -> Result<GrayImage, OcrError> {
    let mut reader = reader(bytes)?;
    if reader.format() == Some(ImageFormat::Jpeg) && !jpeg_is_complete(bytes) {
        // The JPEG decoder pads a cut-off scan with gray instead of failing.
        return Err(OcrError::Corrupt(
            "JPEG data ends before its end-of-image marker".into(),
        ));
    }
    // Belt and braces after `inspect`: the decoder itself refuses anything bigger.
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(header.width);
    decoder_limits.max_image_height = Some(header.height);
    reader.limits(decoder_limits);
    let mut gray = reader.decode().map_err(decode_error)?.into_luma8();
    let pixels = u64::from(gray.width()) * u64::from(gray.height());
    if pixels > RECOGNITION_PIXELS {
        // The pixel budget: text that needs more pixels than this is not a screenshot.
        let factor = (pixels as f64 / RECOGNITION_PIXELS as f64).sqrt().ceil() as u32;
        gray = shrink(&gray, factor.max(2));
    }
    if is_dark(&gray) {
        image::imageops::invert(&mut gray);
    }
    Ok(gray)
}

/// `gray` scaled down by a whole `factor`: each pixel the mean of a `factor` square
/// (one pass over the image; a partial last row or column of squares is dropped).
fn shrink(gray: &GrayImage, factor: u32) -> GrayImage {
    let (width, height) = (gray.width() / factor, gray.height() / factor);
    let stride = gray.width() as usize;
    let source = gray.as_raw();
    let f = factor as usize;
    let mut sums = vec![0u32; width as usize];
    let mut out = Vec::with_capacity(width as usize * height as usize);
    for row in 0..height as usize {
        sums.iter_mut().for_each(|s| *s = 0);
        for line in source[row * f * stride..].chunks(stride).take(f) {
            for (sum, block) in sums.iter_mut().zip(line.chunks(f)) {
                *sum += block.iter().map(|&p| u32::from(p)).sum::<u32>();
            }
        }
        let area = (f * f) as u32;
        out.extend(sums.iter().map(|&sum| (sum / area) as u8));
    }
    GrayImage::from_raw(width, height, out).expect("buffer matches the dimensions")
}

/// Whether the last scan of a JPEG is followed by an end-of-image marker.
///
/// Entropy-coded data never holds a marker (0xFF is stuffed), so a complete
/// file has FF D9 after its last FF DA (start of scan), embedded thumbnails included.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_marker = |marker: u8| bytes.windows(2).rposition(|pair| pair == [0xFF, marker]);
    match (last_marker(0xDA), last_marker(0xD9)) {
        (Some(scan), Some(end)) => end > scan,
        _ => false,
    }
}

/// A dark-theme screenshot: the mean brightness is below the middle gray.
fn is_dark(gray: &GrayImage) -> bool {
    let pixels = gray.as_raw();
    if pixels.is_empty() {
        return false;
    }
    let sum: u64 = pixels.iter().map(|&p| u64::from(p)).sum();
    sum / (pixels.len() as u64) < 128
}

#[cfg(test)]
mod shrink_tests {
    use super::*;

    #[test]
    fn shrinking_averages_whole_squares() {
        let pixels: Vec<u8> = (0..30).map(|i| i as u8 * 8).collect();
        let gray = GrayImage::from_raw(6, 5, pixels).unwrap();
        let small = shrink(&gray, 2);
        assert_eq!(small.dimensions(), (3, 2));
        // Top-left square: 0, 8, 48, 56.
        assert_eq!(small.get_pixel(0, 0).0, [28]);
        assert_eq!(small.get_pixel(2, 1).0, [156]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_images_are_inverted() {
        let dark = GrayImage::from_pixel(4, 4, image::Luma([10]));
        let light = GrayImage::from_pixel(4, 4, image::Luma([240]));
        assert!(is_dark(&dark));
        assert!(!is_dark(&light));
    }

    #[test]
    fn truncated_jpegs_are_incomplete() {
        let cases: [(&[u8], bool); 5] = [
            (&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0xD9], true),
            (&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0xD9, 0, 0], true),
            (&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0x00], false),
            // A thumbnail's end marker does not complete the main scan.
            (&[0xFF, 0xDA, 0xFF, 0xD9, 0xFF, 0xDA, 1, 2], false),
            (&[0xFF, 0xD8], false),
        ];
        for (bytes, complete) in cases {
            assert_eq!(jpeg_is_complete(bytes), complete, "{bytes:02x?}");
        }
    }
}
