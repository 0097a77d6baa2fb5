//! Advice on the safe channel, per scam family and language, from `config/advice.toml`.
//!
//! Invariants: every lookup returns text: a family without its own advice falls back
//! to the general advice; unknown family names in the file are ignored with a warning.

use std::collections::HashMap;

use crate::classify::{Bilingual, Family, Lang};
use crate::config::AdviceFile;

/// Advice texts, looked up by family.
#[derive(Debug, Clone)]
pub struct Advice {
    general: Bilingual,
    already_acted: Bilingual,
    family: HashMap<Family, Bilingual>,
}

impl Advice {
    /// Builds the lookup from the parsed file.
    pub fn from_file(file: AdviceFile) -> Self {
        let bilingual = |t: crate::config::AdviceText| Bilingual { zh: t.zh, en: t.en };
        let mut family = HashMap::new();
        for (name, text) in file.family {
            match name.parse::<Family>() {
                Ok(f) => {
                    family.insert(f, bilingual(text));
                }
                Err(e) => tracing::warn!("advice file: {e}; entry ignored"),
            }
        }
        Self {
            general: bilingual(file.general),
            already_acted: bilingual(file.already_acted),
            family,
        }
    }

    /// The advice for `family` (or the general advice) in `lang`.
    pub fn for_family(&self, family: Option<Family>, lang: Lang) -> &str {
        family
            .and_then(|f| self.family.get(&f))
            .unwrap_or(&self.general)
            .get(lang)
    }

    /// The general advice in `lang`.
    pub fn general(&self, lang: Lang) -> &str {
        self.general.get(lang)
    }

    /// What to do if the user already acted, in `lang`.
    pub fn already_acted(&self, lang: Lang) -> &str {
        self.already_acted.get(lang)
    }
}
