//! Finding the text lines of a screenshot before anything is recognised.
//!
//! A row holds ink when some of its pixels differ strongly from the row's most
//! common value (its background: page, chat bubble or bar), so coloured bubbles
//! and bars are not mistaken for text. Consecutive ink rows form a band; a band
//! is cut where a horizontal gap is wider than `GAP_IN_HEIGHTS` band heights
//! (clock and icons of a status bar, side-by-side items), giving `Segment`s in
//! reading order (top to bottom, then left to right). Pure: no Tesseract here.

use image::GrayImage;

/// How far a pixel must be from its row's background to count as ink (0..=255).
const INK_CONTRAST: i16 = 60;

/// Bands thinner than this many pixels are specks or rules, not text.
const MIN_BAND_HEIGHT: u32 = 5;

/// A horizontal gap wider than this many band heights separates two segments
/// (word spaces are well under one height).
const GAP_IN_HEIGHTS: u32 = 2;

/// Margin kept around a segment, in pixels, so glyph edges are not cut.
const MARGIN: u32 = 4;

/// A rectangle of the image holding one piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    /// Index of the band (text line, or lines when they touch) it belongs to.
    pub band: usize,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The ink mask of one image: which pixels differ from their row's background.
struct Ink<'a> {
    gray: &'a GrayImage,
    background: Vec<u8>,
}

impl<'a> Ink<'a> {
    fn new(gray: &'a GrayImage) -> Self {
        let background = (0..gray.height()).map(|y| row_mode(gray, y)).collect();
        Ink { gray, background }
    }

    fn at(&self, x: u32, y: u32) -> bool {
        let value = i16::from(self.gray.get_pixel(x, y).0[0]);
        (value - i16::from(self.background[y as usize])).abs() > INK_CONTRAST
    }

    /// Whether row `y` holds enough ink to be part of a text line (JPEG noise aside).
    fn row_has_ink(&self, y: u32) -> bool {
        let needed = (self.gray.width() / 300).max(2);
        (0..self.gray.width()).filter(|&x| self.at(x, y)).count() as u32 >= needed
    }

    fn column_has_ink(&self, x: u32, top: u32, bottom: u32) -> bool {
        (top..bottom).any(|y| self.at(x, y))
    }
}

/// The most common value of row `y`.
fn row_mode(gray: &GrayImage, y: u32) -> u8 {
    let mut counts = [0u32; 256];
    for x in 0..gray.width() {
        counts[usize::from(gray.get_pixel(x, y).0[0])] += 1;
    }
    (0..=255u8)
        .max_by_key(|&value| counts[usize::from(value)])
        .unwrap_or(255)
}

/// Runs of `true` in `flags` as half-open ranges.
fn runs(flags: impl Iterator<Item = bool>) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut end = 0;
    for (index, flag) in flags.enumerate() {
        let index = index as u32;
        match (flag, start) {
            (true, None) => start = Some(index),
            (false, Some(first)) => {
                out.push((first, index));
                start = None;
            }
            _ => {}
        }
        end = index + 1;
    }
    if let Some(first) = start {
        out.push((first, end));
    }
    out
}

/// The text segments of `gray`, in reading order.
pub(crate) fn segments(gray: &GrayImage) -> Vec<Segment> {
    let ink = Ink::new(gray);
    let (width, height) = gray.dimensions();
    let bands = runs((0..height).map(|y| ink.row_has_ink(y)));
    let mut out = Vec::new();
    for (top, bottom) in bands.into_iter().filter(|b| b.1 - b.0 >= MIN_BAND_HEIGHT) {
        let band_height = bottom - top;
        let columns = runs((0..width).map(|x| ink.column_has_ink(x, top, bottom)));
        let y = top.saturating_sub(MARGIN);
        let segment_height = (bottom + MARGIN).min(height) - y;
        let band = out.last().map_or(0, |last: &Segment| last.band + 1);
        for (left, right) in split_at_gaps(&columns, band_height * GAP_IN_HEIGHTS) {
            let x = left.saturating_sub(MARGIN);
            out.push(Segment {
                band,
                x,
                y,
                width: (right + MARGIN).min(width) - x,
                height: segment_height,
            });
        }
    }
    out
}

/// Groups ink column runs into pieces separated by gaps of at least `gap` pixels.
fn split_at_gaps(columns: &[(u32, u32)], gap: u32) -> Vec<(u32, u32)> {
    let mut pieces: Vec<(u32, u32)> = Vec::new();
    for &(left, right) in columns {
        match pieces.last_mut() {
            Some(last) if left - last.1 < gap => last.1 = right,
            _ => pieces.push((left, right)),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A white image with black boxes at (x, y, width, height).
    fn page(width: u32, height: u32, boxes: &[(u32, u32, u32, u32)]) -> GrayImage {
        let mut image = GrayImage::from_pixel(width, height, Luma([255]));
        for &(x, y, w, h) in boxes {
            for yy in y..y + h {
                for xx in x..x + w {
                    image.put_pixel(xx, yy, Luma([0]));
                }
            }
        }
        image
    }

    fn rects(segments: &[Segment]) -> Vec<(usize, u32, u32, u32, u32)> {
        segments
            .iter()
            .map(|s| (s.band, s.x, s.y, s.width, s.height))
            .collect()
    }

    #[test]
    fn lines_and_wide_gaps_make_segments() {
        // Two "words" close together on one line, a far icon, and a second line.
        let image = page(
            300,
            100,
            &[
                (10, 10, 30, 10),
                (45, 10, 30, 10),
                (250, 12, 20, 6),
                (10, 50, 100, 12),
            ],
        );
        assert_eq!(
            rects(&segments(&image)),
            vec![(0, 6, 6, 73, 18), (0, 246, 6, 28, 18), (1, 6, 46, 108, 20),]
        );
    }

    #[test]
    fn bubbles_and_specks_are_not_text() {
        // A light gray bubble with one line of text in it, and a 2-pixel speck.
        let mut image = page(200, 120, &[(20, 40, 60, 12), (150, 100, 2, 2)]);
        for y in 30..70 {
            for x in 10..190 {
                if image.get_pixel(x, y).0[0] == 255 {
                    image.put_pixel(x, y, Luma([225]));
                }
            }
        }
        assert_eq!(rects(&segments(&image)), vec![(0, 16, 36, 68, 20)]);
    }

    #[test]
    fn blank_image_has_no_segments() {
        assert!(segments(&page(50, 50, &[])).is_empty());
    }
}
