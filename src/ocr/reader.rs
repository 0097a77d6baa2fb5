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
//! lines with enough ideographs: the first model reads them, and only when it
//! read a glyph it does not know (below `UNKNOWN`) or was unsure of more than
//! `KEPT_WHEN_UNSURE` words do the other models read them too (otherwise they
//! are not even loaded); the one that left fewer unsure words wins (the first
//! listed on a tie), and the trial lines keep the winner's reading. Segments without a confidently read letter, digit or
//! ideograph are not text (status-bar icons, avatars) and are dropped.
//!
//! A `Reader` lives for one image: it leases each model's engine from the
//! process's `Engines` the first time the image needs it and gives it back when
//! dropped.

use image::GrayImage;
use image::imageops;

use super::OcrError;
use super::engine::{Engine, Extent, Word};
use super::engines::{Engines, Lease};
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

/// An ideograph word read with less confidence than this is a glyph the model does
/// not know: the Simplified model reads Traditional-only characters at 0-3%.
const UNKNOWN: f32 = 10.0;

/// The first Chinese model is kept without a trial of the others when it was unsure
/// of at most this many words on the trial lines and knew every glyph: one doubtful
/// word in two lines is noise (on the fixtures and held-out screenshots the other
/// models were never less unsure then), a page in the other script leaves glyphs
/// the model does not know at all.
const KEPT_WHEN_UNSURE: usize = 1;

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

/// The engines one image is read with, leased on first use.
pub(crate) struct Reader<'a> {
    engines: &'a Engines,
    /// One lease per Chinese (or other ideographic) model, in configured order.
    ideographic: Vec<Option<Lease<'a>>>,
    /// The Latin model's lease.
    latin: Option<Lease<'a>>,
}

impl<'a> Reader<'a> {
    /// A reader for one image; it leases nothing yet.
    pub(crate) fn new(engines: &'a Engines) -> Self {
        Reader {
            engines,
            ideographic: (0..engines.ideographic_models()).map(|_| None).collect(),
            latin: None,
        }
    }

    /// Chinese model `model`'s engine, leased now if this image has not used it yet.
    fn ideographic(&mut self, model: usize) -> Result<&mut Engine, OcrError> {
        let lease = &mut self.ideographic[model];
        if lease.is_none() {
            *lease = Some(self.engines.ideographic(model)?);
        }
        Ok(lease.as_mut().expect("leased just above"))
    }

    /// The Latin engine, leased now if this image has not used it yet; `None` without one.
    fn latin(&mut self) -> Result<Option<&mut Engine>, OcrError> {
        if self.latin.is_none()
            && let Some(lease) = self.engines.latin()
        {
            self.latin = Some(lease?);
        }
        Ok(self.latin.as_deref_mut())
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
        let trials = Trials {
            gray,
            segments: &segments,
            block_height,
        };
        let mut state = State::new(self.ideographic.len());
        let mut readings = Vec::with_capacity(segments.len());
        for segment in &segments {
            if let Some(error) = stop() {
                return Err(error);
            }
            let crop = cut(gray, segment);
            readings.push(self.read_segment(&crop, extent(segment, block_height), &mut state)?);
            if state.choice.ready() {
                self.choose(&trials, &mut readings, &mut state.choice, stop)?;
            }
        }
        // Fewer trial lines than `TRIAL_LINES` (or none): choose from those.
        if state.choice.open() {
            self.choose(&trials, &mut readings, &mut state.choice, stop)?;
        }
        let chosen = state.choice.current();
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
                    let extent = extent(segment, block_height);
                    self.merge_latin(&cut(gray, segment), extent, &mut words, None)?;
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
    /// otherwise with the current Chinese model (the first one on a trial
    /// line, whose Latin runs wait for the choice), Latin runs merged with the
    /// Latin engine's reading.
    fn read_segment(
        &mut self,
        crop: &GrayImage,
        extent: Extent,
        state: &mut State,
    ) -> Result<Reading, OcrError> {
        let mut latin_reading = None;
        if state.latin_first
            && let Some(latin) = self.latin()?
        {
            let words = latin.read(crop, extent)?;
            if mean_confidence(&words).is_some_and(|c| c >= LATIN_FIRST_CONFIDENCE) {
                return Ok(Reading::Done(words));
            }
            latin_reading = Some(words);
        }
        let model = state.choice.current();
        if model >= self.ideographic.len() {
            let words = match (latin_reading, self.latin()?) {
                (Some(words), _) => words,
                (None, Some(latin)) => latin.read(crop, extent)?,
                (None, None) => Vec::new(),
            };
            return Ok(Reading::Done(words));
        }
        let mut words = self.ideographic(model)?.read(crop, extent)?;
        if state.choice.open() && ideographs(&words) >= TRIAL_IDEOGRAPHS {
            state.latin_first = false;
            state.choice.add(unsure_words(&words), has_unknown(&words));
            return Ok(Reading::Trial(vec![words]));
        }
        state.latin_first = self.merge_latin(crop, extent, &mut words, latin_reading)?;
        Ok(Reading::Done(words))
    }

    /// Chooses the Chinese model on the trial lines read so far. Only when the first
    /// model needs a second opinion (`Choice::needs_others`) do the other models read
    /// the trial lines (each reading kept beside the first's); otherwise the first is
    /// chosen and the others are never leased (nor loaded).
    fn choose(
        &mut self,
        trials: &Trials<'_>,
        readings: &mut [Reading],
        choice: &mut Choice,
        stop: &dyn Fn() -> Option<OcrError>,
    ) -> Result<(), OcrError> {
        if !choice.needs_others() {
            choice.choose(&[]);
            return Ok(());
        }
        let mut others = vec![0; self.ideographic.len().saturating_sub(1)];
        for (model, unsure) in (1..).zip(&mut others) {
            for (segment, reading) in trials.segments.iter().zip(readings.iter_mut()) {
                let Reading::Trial(all) = reading else {
                    continue;
                };
                if let Some(error) = stop() {
                    return Err(error);
                }
                let crop = cut(trials.gray, segment);
                let extent = extent(segment, trials.block_height);
                let words = self.ideographic(model)?.read(&crop, extent)?;
                *unsure += unsure_words(&words);
                all.push(words);
            }
        }
        choice.choose(&others);
        Ok(())
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
        if !self.engines.has_latin() {
            return Ok(false);
        }
        let runs = latin::runs(words, SURE);
        if runs.is_empty() {
            return Ok(false);
        }
        let latin_words = match (latin_reading, self.latin()?) {
            (Some(words), _) => words,
            (None, Some(latin)) => latin.read(crop, extent)?,
            (None, None) => return Ok(false),
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

/// What the other Chinese models need to read the trial lines again.
struct Trials<'g> {
    gray: &'g GrayImage,
    segments: &'g [Segment],
    block_height: f32,
}

/// Whether `segment` is read as one line or as a block of touching lines.
fn extent(segment: &Segment, block_height: f32) -> Extent {
    match segment.height as f32 > block_height {
        true => Extent::Block,
        false => Extent::Line,
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
/// The first model reads the trial lines; the others read them only if it was
/// unsure of some word. The least unsure model is chosen, the first listed
/// unless another is less unsure.
struct Choice {
    /// Trial lines read so far.
    trials: usize,
    /// The first model's unsure words on them.
    first_unsure: usize,
    /// Whether the first model read a glyph it does not know on them.
    first_unknown: bool,
    chosen: Option<usize>,
}

impl Choice {
    fn new(models: usize) -> Self {
        Choice {
            trials: 0,
            first_unsure: 0,
            first_unknown: false,
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

    /// Adds a trial line that the first model read with `unsure` unsure words,
    /// `unknown` if one of them holds a glyph it does not know.
    fn add(&mut self, unsure: usize, unknown: bool) {
        self.trials += 1;
        self.first_unsure += unsure;
        self.first_unknown |= unknown;
    }

    /// Whether enough trial lines were read to choose.
    fn ready(&self) -> bool {
        self.open() && self.trials >= TRIAL_LINES
    }

    /// Whether the other models must read the trial lines before the choice: only
    /// when the first read a glyph it does not know or was unsure of more than
    /// `KEPT_WHEN_UNSURE` words (with none, no model can be less unsure).
    fn needs_others(&self) -> bool {
        self.open() && (self.first_unknown || self.first_unsure > KEPT_WHEN_UNSURE)
    }

    /// Chooses from the other models' unsure words on the same trial lines
    /// (`others[0]` is the second model's): the least unsure of them if it was
    /// less unsure than the first, else the first. Without `others`, the first.
    fn choose(&mut self, others: &[usize]) {
        let least = (0..others.len())
            .filter(|&other| others[other] < self.first_unsure)
            .min_by_key(|&other| others[other])
            .map_or(0, |other| other + 1);
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

/// Whether a word with ideographs was read below `UNKNOWN`: a glyph the model does not know.
fn has_unknown(words: &[Word]) -> bool {
    words
        .iter()
        .any(|w| w.confidence < UNKNOWN && w.text.chars().any(text::is_ideograph))
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

    /// A choice after the first model read trial lines with `first` unsure words
    /// each, glyphs it does not know on none of them.
    fn tried(models: usize, first: &[usize]) -> Choice {
        let mut choice = Choice::new(models);
        for &unsure in first {
            assert!(!choice.ready());
            choice.add(unsure, false);
        }
        choice
    }

    #[test]
    fn the_least_unsure_model_is_chosen() {
        let mut choice = tried(2, &[1, 1]);
        assert!(choice.ready() && choice.needs_others());
        choice.choose(&[2]);
        assert_eq!(choice.current(), 0, "ties go to the first model");

        let mut choice = tried(3, &[2, 1]);
        choice.choose(&[1, 1]);
        assert_eq!(choice.current(), 1, "the first of the least unsure");
        assert!(!choice.open() && !choice.ready());

        let mut choice = tried(3, &[2, 1]);
        choice.choose(&[2, 0]);
        assert_eq!(choice.current(), 2);

        let mut choice = Choice::new(2);
        choice.add(1, true);
        assert!(!choice.ready() && choice.needs_others());
        choice.choose(&[0]);
        assert_eq!(choice.current(), 1, "one trial line is enough at the end");
    }

    #[test]
    fn a_sure_first_model_needs_no_other() {
        let choice = tried(2, &[0, 0]);
        assert!(choice.ready());
        assert!(
            !choice.needs_others(),
            "no model can be less unsure than none"
        );

        let choice = tried(2, &[1, 0]);
        assert!(!choice.needs_others(), "one doubtful word is noise");

        let mut choice = tried(2, &[0]);
        choice.add(1, true);
        assert!(choice.needs_others(), "a glyph the model does not know");

        let choice = tried(2, &[]);
        assert!(!choice.needs_others(), "no trial line: the first model");

        let choice = tried(1, &[]);
        assert!(!choice.open() && !choice.needs_others());
    }

    #[test]
    fn a_glyph_read_near_zero_is_unknown() {
        let mut words = vec![word("帳戶", 0), word("shop", 0)];
        assert!(!has_unknown(&words));
        words[1].confidence = 0.0;
        assert!(!has_unknown(&words), "Latin words do not count");
        words[0].confidence = 3.0;
        assert!(has_unknown(&words));
    }

    #[test]
    fn lines_and_confidence() {
        let words = vec![word("您的", 0), word("shop", 0), word("ok", 1)];
        assert_eq!(lines_of(&words), "您的 shop\nok");
        assert_eq!(mean_confidence(&words), Some(90.0));
        assert_eq!(mean_confidence(&[]), None);
    }
}
