//! One Tesseract engine: loaded once with its languages, then reused for many images.
//!
//! The only file that talks to `tesseract-plumbing`. Page segmentation mode 3
//! (fully automatic, no OSD) is set explicitly; the gray buffer is handed over
//! as raw pixels, never re-encoded.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use image::GrayImage;
use tesseract_plumbing::TessBaseApi;
use tesseract_plumbing::tesseract_sys::{
    TessOcrEngineMode_OEM_LSTM_ONLY, TessPageSegMode_PSM_AUTO,
};

use super::OcrError;

/// Where Debian and common builds keep the language data when no path is given.
const DEFAULT_TESSDATA: &[&str] = &[
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
];

/// The resolution reported to Tesseract for every screenshot (70, 150 and 300
/// measured the same within 0.2% CER; 300 was marginally best).
const SOURCE_PPI: i32 = 300;

/// Tesseract's answer for one image, before tidying.
pub(crate) struct Recognized {
    pub text: String,
    pub mean_confidence: Option<f32>,
}

/// A loaded Tesseract engine. Not `Sync`: one thread owns it.
pub(crate) struct Engine {
    api: TessBaseApi,
}

/// The Debian package that ships `language`'s traineddata.
fn debian_package(language: &str) -> String {
    format!("tesseract-ocr-{}", language.replace('_', "-"))
}

fn packages_for(languages: &[&str]) -> String {
    languages
        .iter()
        .map(|l| debian_package(l))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The tessdata directory Tesseract will search, if it can be known.
fn tessdata_dir(datapath: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = datapath {
        return Some(path.to_path_buf());
    }
    if let Some(prefix) = std::env::var_os("TESSDATA_PREFIX") {
        return Some(PathBuf::from(prefix));
    }
    DEFAULT_TESSDATA
        .iter()
        .map(PathBuf::from)
        .find(|dir| dir.is_dir())
}

impl Engine {
    /// Loads `languages` ("chi_sim+eng") from `datapath` or Tesseract's default.
    pub(crate) fn load(languages: &str, datapath: Option<&Path>) -> Result<Engine, OcrError> {
        let wanted: Vec<&str> = languages.split('+').filter(|l| !l.is_empty()).collect();
        let unavailable = |reason: String, missing: &[&str]| OcrError::EngineUnavailable {
            reason,
            packages: packages_for(missing),
        };
        if wanted.is_empty() {
            return Err(unavailable("no OCR language configured".into(), &["eng"]));
        }
        if let Some(dir) = tessdata_dir(datapath) {
            let missing: Vec<&str> = wanted
                .iter()
                .copied()
                .filter(|l| !dir.join(format!("{l}.traineddata")).is_file())
                .collect();
            if !missing.is_empty() {
                let reason = format!(
                    "no language data for {} in {}; install {}",
                    missing.join("+"),
                    dir.display(),
                    packages_for(&missing)
                );
                return Err(unavailable(reason, &missing));
            }
        }
        let language = CString::new(languages)
            .map_err(|_| unavailable("language list contains a NUL byte".into(), &wanted))?;
        let datapath = match datapath {
            Some(path) => Some(
                CString::new(path.as_os_str().as_encoded_bytes())
                    .map_err(|_| unavailable("data path contains a NUL byte".into(), &wanted))?,
            ),
            None => None,
        };
        let mut api = TessBaseApi::create();
        api.init_4(
            datapath.as_deref(),
            Some(&language),
            TessOcrEngineMode_OEM_LSTM_ONLY,
        )
        .map_err(|_| unavailable(format!("Tesseract could not load {languages}"), &wanted))?;
        Ok(Engine { api })
    }

    /// Recognizes the text in a gray image (dark text on light background).
    pub(crate) fn recognize(&mut self, gray: &GrayImage) -> Result<Recognized, OcrError> {
        let failed = |what: &str| OcrError::EngineFailed(what.to_string());
        let width = i32::try_from(gray.width()).map_err(|_| failed("image too wide"))?;
        let height = i32::try_from(gray.height()).map_err(|_| failed("image too tall"))?;
        self.api
            .set_image(gray.as_raw(), width, height, 1, width)
            .map_err(|error| failed(&error.to_string()))?;
        // Phone screenshots carry no usable DPI; say so instead of letting Tesseract warn.
        self.api.set_source_resolution(SOURCE_PPI);
        self.api.set_page_seg_mode(TessPageSegMode_PSM_AUTO);
        self.api
            .recognize()
            .map_err(|error| failed(&error.to_string()))?;
        let text = self
            .api
            .get_utf8_text()
            .map_err(|error| failed(&error.to_string()))?;
        let text = String::from_utf8_lossy(text.as_ref().to_bytes()).into_owned();
        let confidence = self.api.mean_text_conf();
        let mean_confidence = (!text.trim().is_empty()).then_some(confidence as f32);
        Ok(Recognized {
            text,
            mean_confidence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_language_names_its_package() {
        let dir = tempfile::tempdir().unwrap();
        let error = Engine::load("chi_tra+eng", Some(dir.path())).err().unwrap();
        match error {
            OcrError::EngineUnavailable { packages, .. } => {
                assert_eq!(packages, "tesseract-ocr-chi-tra tesseract-ocr-eng");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
