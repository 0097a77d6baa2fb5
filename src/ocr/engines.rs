//! The process's Tesseract engines, shared by every worker: per model, idle engines
//! that a read checks out and gives back, loaded on first need.
//!
//! A Tesseract engine is `Send` but not `Sync`, so engines are not shared while in
//! use: a read leases one engine of each model it needs, for the whole image, and
//! returns it when done. A model gets a second engine only when two reads need it
//! at the same moment, so a process holds at most one engine per model and worker,
//! and usually one per model. `Engines::load` loads one engine of the primary models
//! (the first Chinese model and the Latin one, which nearly every screenshot needs)
//! so that broken language data fails at start and the first read is warm; the other
//! Chinese models load when a picture first needs them (`reader`: the Traditional
//! model only when the Simplified one read a glyph it does not know, or more than
//! one unsure word, on the trial lines).

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::OcrError;
use super::engine::{self, Engine};

/// One model's engines: the idle ones, and how many exist.
struct Shelf {
    language: String,
    idle: Mutex<Vec<Engine>>,
    loaded: AtomicUsize,
}

impl Shelf {
    fn new(language: String) -> Self {
        Shelf {
            language,
            idle: Mutex::new(Vec::new()),
            loaded: AtomicUsize::new(0),
        }
    }

    /// An idle engine, or a new one when every engine of this model is in use.
    fn take(&self, datapath: Option<&Path>) -> Result<Engine, OcrError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        if let Some(engine) = idle {
            return Ok(engine);
        }
        // Loaded outside the lock: another worker may take an idle engine meanwhile.
        let engine = Engine::load(&self.language, datapath)?;
        self.loaded.fetch_add(1, Ordering::SeqCst);
        Ok(engine)
    }

    fn give_back(&self, engine: Engine) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(engine);
    }
}

/// A model's name and how many of its engines the process has loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedEngines {
    /// Tesseract language(s) of the model, e.g. "chi_tra" or "eng".
    pub language: String,
    /// Engines loaded so far (each ~18-51 MiB with the Debian models).
    pub loaded: usize,
}

/// Every model's engines. `Sync`: workers share one `Engines` behind an `Arc`.
pub(crate) struct Engines {
    datapath: Option<PathBuf>,
    /// One shelf per Chinese (or other ideographic) model, in configured order.
    ideographic: Vec<Shelf>,
    /// Every other language, as one model.
    latin: Option<Shelf>,
}

/// Whether `language` is a model for ideographic text, read on its own engine.
fn is_ideographic(language: &str) -> bool {
    ["chi_", "jpn", "kor"]
        .iter()
        .any(|prefix| language.starts_with(prefix))
}

impl Engines {
    /// Checks that every language of `languages` ("chi_sim+chi_tra+eng") is installed
    /// and loads one engine of the first ideographic model and of the Latin one.
    pub(crate) fn load(languages: &str, datapath: Option<&Path>) -> Result<Engines, OcrError> {
        let wanted: Vec<&str> = languages.split('+').filter(|l| !l.is_empty()).collect();
        engine::check_installed(&wanted, datapath)?;
        let (ideographic, latin): (Vec<&str>, Vec<&str>) =
            wanted.iter().partition(|l| is_ideographic(l));
        let engines = Engines {
            datapath: datapath.map(Path::to_path_buf),
            ideographic: ideographic
                .iter()
                .map(|l| Shelf::new(l.to_string()))
                .collect(),
            latin: (!latin.is_empty()).then(|| Shelf::new(latin.join("+"))),
        };
        for shelf in engines.ideographic.iter().take(1).chain(&engines.latin) {
            let engine = shelf.take(engines.datapath.as_deref())?;
            shelf.give_back(engine);
        }
        Ok(engines)
    }

    /// How many Chinese (ideographic) models there are.
    pub(crate) fn ideographic_models(&self) -> usize {
        self.ideographic.len()
    }

    /// Whether there is a Latin model.
    pub(crate) fn has_latin(&self) -> bool {
        self.latin.is_some()
    }

    /// An engine of Chinese model `model` (an index in configured order), until dropped.
    pub(crate) fn ideographic(&self, model: usize) -> Result<Lease<'_>, OcrError> {
        let shelf = self
            .ideographic
            .get(model)
            .ok_or_else(|| OcrError::EngineFailed(format!("no Chinese model number {model}")))?;
        self.lease(shelf)
    }

    /// An engine of the Latin model, until dropped; `None` without one.
    pub(crate) fn latin(&self) -> Option<Result<Lease<'_>, OcrError>> {
        self.latin.as_ref().map(|shelf| self.lease(shelf))
    }

    fn lease<'a>(&'a self, shelf: &'a Shelf) -> Result<Lease<'a>, OcrError> {
        let engine = shelf.take(self.datapath.as_deref())?;
        Ok(Lease {
            shelf,
            engine: Some(engine),
        })
    }

    /// Each model and how many engines of it are loaded, Chinese models first.
    pub(crate) fn loaded(&self) -> Vec<LoadedEngines> {
        self.ideographic
            .iter()
            .chain(&self.latin)
            .map(|shelf| LoadedEngines {
                language: shelf.language.clone(),
                loaded: shelf.loaded.load(Ordering::SeqCst),
            })
            .collect()
    }
}

/// One engine checked out for one read; back on its shelf when dropped.
pub(crate) struct Lease<'a> {
    shelf: &'a Shelf,
    /// `Some` until dropped.
    engine: Option<Engine>,
}

impl Deref for Lease<'_> {
    type Target = Engine;

    fn deref(&self) -> &Engine {
        self.engine
            .as_ref()
            .expect("a lease holds its engine until dropped")
    }
}

impl DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Engine {
        self.engine
            .as_mut()
            .expect("a lease holds its engine until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(engine) = self.engine.take() else {
            return;
        };
        // An engine whose read panicked is not trusted again: it is freed, and the
        // next read that needs one loads a new one.
        if std::thread::panicking() {
            self.shelf.loaded.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        self.shelf.give_back(engine);
    }
}
