//! Reading a whole screenshot segment by segment, each with the model that suits its script.
//!
//! Each Chinese (ideographic) language is its own engine (`chi_sim`,
//! `chi_tra`); the other languages (`eng`) share one Latin engine. Each
//! segment found by `layout` is read by the chosen Chinese model; its Latin
//! runs (links, ids, English) are merged with the Latin engine's reading of
//! the segment (`latin`), which keeps the `.` and `-` the Chinese models drop.
//! Right after an all-Latin segment the next one is read in Latin first and
//! kept if the Latin engine is sure, so English screenshots are read mostly
//! by the Latin engine alone.
//!
//! Which Chinese model reads an image is chosen on its first `TRIAL_LINES`
//! lines with enough ideographs: every model reads them, and the one that
//! left fewer unsure words wins (the first listed on a tie); the trial lines
//! then keep the winner's reading. Segments without a confidently read letter,
//! digit or ideograph are not text (status-bar icons, avatars) and are dropped.

use std::path::Path;

use image::GrayImage;
use image::imageops;

use super::OcrError;
use super::engine::{self, Engine, Extent, Word};
use super::latin::{self, LatinText};
use super::layout::{self, Segment};
use super::text;

/// Lines with at least this many ideographs decide between the Chinese models.
const TRIAL_IDEOGRAPHS: usize = 4;

/// How many such lines every Chinese model reads before one is chosen.
const TRIAL_LINES: usize = 2;

/// Words with ideographs read with less confidence than this are unsure: a
/// model that does not know the script (Simplified or Traditional) leaves
/// many of them, some near 0.
const SURE: f32 = 70.0;

/// After an all-Latin segment the next one is read in Latin first, and kept
/// when read with at least this confidence (Chinese text reads far lower).
const LATIN_FIRST_CONFIDENCE: f32 = 85.0;

/// A segment without a letter, digit or ideograph read with at least this
/// confidence is not text (status-bar icons and avatars read far lower).
const MIN_SEGMENT_CONFIDENCE: f32 = 50.0;

/// An all-Latin segment takes the Latin engine's reading only when it is at
/// least this confident.
const MIN_LATIN_CONFIDENCE: f32 = 60.0;

/// A segment taller than this many median segment heights holds touching lines.
const BLOCK_IN_HEIGHTS: f32 = 1.6;

/// Most text segments read from one image (a dense 40-megapixel page has thousands;
/// a phone screenshot a few dozen): the text-density budget.
pub(crate) const MAX_SEGMENTS: usize = 400;

/// Tesseract's answer for one image, before tidying.
pub(crate) struct Recognized {
    pub text: String,
    pub mean_confidence: Option<f32>,
}

/// The engines of one worker.
pub(crate) struct Reader {
    /// One engine per Chinese (or other ideographic) model, in configured order.
    ideographic: Vec<Engine>,
    /// Every other language, in one engine.
    latin: Option<Engine>,
}

/// Whether `language` is a model for ideographic text, read on its own engine.
fn is_ideographic(language: &str) -> bool {
    ["chi_", "jpn", "kor"]
        .iter()
        .any(|prefix| language.starts_with(prefix))
}

impl Reader {
    /// Loads the engines for `languages` ("chi_sim+chi_tra+eng").
    pub(crate) fn load(languages: &str, datapath: Option<&Path>) -> Result<Reader, OcrError> {
        let wanted: Vec<&str> = languages.split('+').filter(|l| !l.is_empty()).collect();
        engine::check_installed(&wanted, datapath)?;
        let (ideographic, latin): (Vec<&str>, Vec<&str>) =
            wanted.iter().partition(|l| is_ideographic(l));
        let ideographic = ideographic
            .iter()
            .map(|language| Engine::load(language, datapath))
            .collect::<Result<Vec<_>, _>>()?;
        let latin = match latin.is_empty() {
            true => None,
            false => Some(Engine::load(&latin.join("+"), datapath)?),
        };
        Ok(Reader { ideographic, latin })
    }

    /// Reads every text segment of a gray image (dark text on light background), at
    /// most `MAX_SEGMENTS` of them; `stop` is asked before each segment and ends the
    /// work with its error (the caller's deadline passed or it gave up).
    pub(crate) fn read(
        &mut self,
        gray: &GrayImage,
        stop: &dyn Fn() -> Option<OcrError>,
    ) -> Result<Recognized, OcrError> {
        let mut segments = layout::segments(gray);
        segments.truncate(MAX_SEGMENTS);
        let block_height = median_height(&segments) as f32 * BLOCK_IN_HEIGHTS;
        let extent = |segment: &Segment| match segment.height as f32 > block_height {
            true => Extent::Block,
            false => Extent::Line,
        };
        let mut state = State::new(self.ideographic.len());
        let mut readings = Vec::with_capacity(segments.len());
        for segment in &segments {
            if let Some(error) = stop() {
                return Err(error);
            }
            let crop = cut(gray, segment);
            readings.push(self.read_segment(&crop, extent(segment), &mut state)?);
        }
        let chosen = state.choice.finish();
        let mut text = String::new();
        let mut confidences = Vec::new();
        let mut last_band = None;
        for (segment, reading) in segments.iter().zip(readings) {
            let words = match reading {
                Reading::Done(words) => words,
                Reading::Trial(mut all) => {
                    if let Some(error) = stop() {
                        return Err(error);
                    }
                    let mut words = all.swap_remove(chosen);
                    self.merge_latin(&cut(gray, segment), extent(segment), &mut words, None)?;
                    words
                }
            };
            if !is_text(&words) {
                continue;
            }
            if !text.is_empty() {
                text.push(if last_band == Some(segment.band) {
                    ' '
                } else {
                    '\n'
                });
            }
            text.push_str(&lines_of(&words));
            last_band = Some(segment.band);
            confidences.extend(words.iter().map(|w| w.confidence));
        }
        let mean_confidence = (!confidences.is_empty())
            .then(|| confidences.iter().sum::<f32>() / confidences.len() as f32);
        Ok(Recognized {
            text,
            mean_confidence,
        })
    }

    /// Reads one segment: in Latin first right after an all-Latin segment,
    /// otherwise with the current Chinese model (every Chinese model on a
    /// trial line), Latin runs merged with the Latin engine's reading.
    fn read_segment(
        &mut self,
        crop: &GrayImage,
        extent: Extent,
        state: &mut State,
    ) -> Result<Reading, OcrError> {
        let mut latin_reading = None;
        if state.latin_first
            && let Some(latin) = &mut self.latin
        {
            let words = latin.read(crop, extent)?;
            if mean_confidence(&words).is_some_and(|c| c >= LATIN_FIRST_CONFIDENCE) {
                return Ok(Reading::Done(words));
            }
            latin_reading = Some(words);
        }
        let model = state.choice.current();
        let Some(engine) = self.ideographic.get_mut(model) else {
            return Ok(Reading::Done(match (latin_reading, &mut self.latin) {
                (Some(words), _) => words,
                (None, Some(latin)) => latin.read(crop, extent)?,
                (None, None) => Vec::new(),
            }));
        };
        let mut words = engine.read(crop, extent)?;
        if state.choice.open() && ideographs(&words) >= TRIAL_IDEOGRAPHS {
            state.latin_first = false;
            return self.trial(crop, extent, words, &mut state.choice);
        }
        state.latin_first = self.merge_latin(crop, extent, &mut words, latin_reading)?;
        Ok(Reading::Done(words))
    }

    /// Reads a trial line with the other Chinese models too and counts, for
    /// each model, how unsure it was.
    fn trial(
        &mut self,
        crop: &GrayImage,
        extent: Extent,
        first: Vec<Word>,
        choice: &mut Choice,
    ) -> Result<Reading, OcrError> {
        let mut all = vec![first];
        for engine in self.ideographic.iter_mut().skip(1) {
            all.push(engine.read(crop, extent)?);
        }
        let unsure: Vec<usize> = all.iter().map(|words| unsure_words(words)).collect();
        choice.record(&unsure);
        Ok(Reading::Trial(all))
    }

    /// Merges the Latin runs of a Chinese model's reading with the Latin
    /// engine's (`latin_reading`, or read now). Returns whether the segment is
    /// all Latin.
    fn merge_latin(
        &mut self,
        crop: &GrayImage,
        extent: Extent,
        words: &mut Vec<Word>,
        latin_reading: Option<Vec<Word>>,
    ) -> Result<bool, OcrError> {
        let Some(latin) = &mut self.latin else {
            return Ok(false);
        };
        let runs = latin::runs(words, SURE);
        if runs.is_empty() {
            return Ok(false);
        }
        let latin_words = match latin_reading {
            Some(words) => words,
            None => latin.read(crop, extent)?,
        };
        let all_latin = runs.len() == 1 && runs[0] == (0..words.len());
        if all_latin {
            if let Some(confidence) = mean_confidence(&latin_words)
                && confidence >= MIN_LATIN_CONFIDENCE
            {
                let merged = text::merge_latin(&lines_of(words), &lines_of(&latin_words), true);
                *words = vec![Word {
                    text: merged,
                    line: 0,
                    left: 0,
                    right: crop.width(),
                    confidence,
                }];
            }
            return Ok(true);
        }
        latin::merge_runs(words, runs, &LatinText::new(&latin_words));
        Ok(false)
    }
}

/// What reading a segment left to do once the Chinese model is chosen.
enum Reading {
    /// Final words.
    Done(Vec<Word>),
    /// One reading per Chinese model, Latin runs not yet merged.
    Trial(Vec<Vec<Word>>),
}

/// What reading one image has learned so far.
struct State {
    choice: Choice,
    /// The last segment was all Latin: read the next one in Latin first.
    latin_first: bool,
}

impl State {
    fn new(models: usize) -> Self {
        State {
            choice: Choice::new(models),
            latin_first: false,
        }
    }
}

fn cut(gray: &GrayImage, segment: &Segment) -> GrayImage {
    imageops::crop_imm(gray, segment.x, segment.y, segment.width, segment.height).to_image()
}

/// Whether a segment is text: at least one word with a letter, digit or
/// ideograph was read with confidence (icons and pictures come out as a few
/// unsure marks).
fn is_text(words: &[Word]) -> bool {
    words
        .iter()
        .any(|w| w.confidence >= MIN_SEGMENT_CONFIDENCE && text::has_readable_text(&w.text))
}

/// Which Chinese model reads the image: undecided during the trial lines.
///
/// Every model reads the trial lines; the least unsure one is chosen, the
/// first listed unless another is less unsure.
struct Choice {
    unsure: Vec<usize>,
    trials: usize,
    chosen: Option<usize>,
}

impl Choice {
    fn new(models: usize) -> Self {
        Choice {
            unsure: vec![0; models],
            trials: 0,
            chosen: (models <= 1).then_some(0),
        }
    }

    /// The model that reads the next segment first.
    fn current(&self) -> usize {
        self.chosen.unwrap_or(0)
    }

    fn open(&self) -> bool {
        self.chosen.is_none()
    }

    /// Adds one trial line's unsureness per model; chooses once enough lines were tried.
    fn record(&mut self, unsure: &[usize]) {
        for (total, count) in self.unsure.iter_mut().zip(unsure) {
            *total += count;
        }
        self.trials += 1;
        if self.trials >= TRIAL_LINES {
            self.choose();
        }
    }

    /// The model chosen, choosing now from fewer trial lines if need be.
    fn finish(mut self) -> usize {
        if self.chosen.is_none() {
            self.choose();
        }
        self.current()
    }

    fn choose(&mut self) {
        let least = (1..self.unsure.len())
            .filter(|&model| self.unsure[model] < self.unsure[0])
            .min_by_key(|&model| self.unsure[model])
            .unwrap_or(0);
        self.chosen = Some(least);
    }
}

/// How unsure a model was of the ideographs of a line: the words with
/// ideographs read with less confidence than `SURE` (a count, so that one
/// rare character read at 0 does not outweigh many doubtful ones).
fn unsure_words(words: &[Word]) -> usize {
    words
        .iter()
        .filter(|w| w.confidence < SURE && w.text.chars().any(text::is_ideograph))
        .count()
}

/// Mean word confidence weighted by characters; `None` without words.
pub(super) fn mean_confidence(words: &[Word]) -> Option<f32> {
    let weight = |w: &Word| w.text.chars().count() as f32;
    let total: f32 = words.iter().map(weight).sum();
    (total > 0.0).then(|| words.iter().map(|w| w.confidence * weight(w)).sum::<f32>() / total)
}

fn ideographs(words: &[Word]) -> usize {
    words
        .iter()
        .flat_map(|w| w.text.chars())
        .filter(|&c| text::is_ideograph(c))
        .count()
}

fn median_height(segments: &[Segment]) -> u32 {
    let mut heights: Vec<u32> = segments.iter().map(|s| s.height).collect();
    heights.sort_unstable();
    heights.get(heights.len() / 2).copied().unwrap_or(0)
}

/// The words as text: spaces between words, a line break between lines.
pub(super) fn lines_of(words: &[Word]) -> String {
    let mut out = String::new();
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            out.push(if words[index - 1].line == word.line {
                ' '
            } else {
                '\n'
            });
        }
        out.push_str(&word.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, line: u32) -> Word {
        Word {
            text: text.to_string(),
            line,
            left: 0,
            right: 0,
            confidence: 90.0,
        }
    }

    #[test]
    fn the_least_unsure_model_is_chosen() {
        let mut choice = Choice::new(2);
        choice.record(&[1, 0]);
        assert!(choice.open());
        choice.record(&[0, 1]);
        assert_eq!(choice.current(), 0, "ties go to the first model");

        let mut choice = Choice::new(2);
        choice.record(&[2, 0]);
        choice.record(&[1, 1]);
        assert_eq!(choice.current(), 1);
        assert!(!choice.open());

        let mut choice = Choice::new(2);
        choice.record(&[0, 2]);
        assert_eq!(choice.finish(), 0, "one trial line is enough at the end");
    }

    #[test]
    fn lines_and_confidence() {
        let words = vec![word("您的", 0), word("shop", 0), word("ok", 1)];
        assert_eq!(lines_of(&words), "您的 shop\nok");
        assert_eq!(mean_confidence(&words), Some(90.0));
        assert_eq!(mean_confidence(&[]), None);
    }
}
