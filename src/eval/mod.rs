//! Evaluation: labelled files in, detection metrics out.
//!
//! Invariants: imports nothing else of the crate; metrics are computed from counts
//! only, so the same numbers come out whichever front end prints them.

pub mod dataset;
pub mod split;

use std::collections::BTreeMap;

use serde::Serialize;

/// Counts of one confusion matrix, with the usual metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Scams flagged.
    pub tp: u64,
    /// Legitimate messages flagged.
    pub fp: u64,
    /// Legitimate messages not flagged.
    pub tn: u64,
    /// Scams not flagged.
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl Confusion {
    /// Adds one outcome.
    pub fn add(&mut self, positive: bool, flagged: bool) {
        match (positive, flagged) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }

    /// Number of rows.
    pub fn n(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }

    /// Share of flagged rows that are scams.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Share of scams flagged.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Share of legitimate messages flagged.
    pub fn false_positive_rate(&self) -> Option<f64> {
        ratio(self.fp, self.fp + self.tn)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> Option<f64> {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// Matthews correlation coefficient.
    pub fn mcc(&self) -> Option<f64> {
        let [tp, fp, tn, fn_] = [self.tp, self.fp, self.tn, self.fn_].map(|v| v as f64);
        let denominator = ((tp + fp) * (tp + fn_) * (tn + fp) * (tn + fn_)).sqrt();
        (denominator > 0.0).then(|| (tp * tn - fp * fn_) / denominator)
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Metrics of one evaluation run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Over all rows.
    pub overall: Confusion,
    /// Per detected language (`zh`, `en`, `other`).
    pub by_lang: BTreeMap<String, Confusion>,
    /// Per category (the category column, else the raw label).
    pub by_category: BTreeMap<String, Confusion>,
    /// Seconds spent classifying.
    pub classify_seconds: f64,
}

impl Report {
    /// Adds one outcome.
    pub fn add(&mut self, positive: bool, flagged: bool, lang: &str, category: &str) {
        self.overall.add(positive, flagged);
        self.by_lang
            .entry(lang.to_string())
            .or_default()
            .add(positive, flagged);
        self.by_category
            .entry(category.to_string())
            .or_default()
            .add(positive, flagged);
    }

    /// Messages classified per second.
    pub fn throughput(&self) -> f64 {
        if self.classify_seconds > 0.0 {
            self.overall.n() as f64 / self.classify_seconds
        } else {
            0.0
        }
    }

    /// A plain-text table.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{:<24} {:>7} {:>6} {:>6} {:>7} {:>6} {:>9} {:>7} {:>7} {:>7} {:>7}\n",
            "slice", "n", "tp", "fp", "tn", "fn", "precision", "recall", "fpr", "f1", "mcc"
        ));
        out.push_str(&line("all", &self.overall));
        for (lang, c) in &self.by_lang {
            out.push_str(&line(&format!("lang={lang}"), c));
        }
        for (category, c) in &self.by_category {
            out.push_str(&line(&format!("category={category}"), c));
        }
        out.push_str(&format!(
            "throughput: {:.0} messages/s (one thread)\n",
            self.throughput()
        ));
        out
    }
}

fn line(name: &str, c: &Confusion) -> String {
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.2}%", v * 100.0));
    let num = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    let name: String = name.chars().take(24).collect();
    format!(
        "{:<24} {:>7} {:>6} {:>6} {:>7} {:>6} {:>9} {:>7} {:>7} {:>7} {:>7}\n",
        name,
        c.n(),
        c.tp,
        c.fp,
        c.tn,
        c.fn_,
        pct(c.precision()),
        pct(c.recall()),
        pct(c.false_positive_rate()),
        num(c.f1()),
        num(c.mcc())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_from_counts() {
        let c = Confusion {
            tp: 8,
            fp: 2,
            tn: 88,
            fn_: 2,
        };
        assert_eq!(c.precision(), Some(0.8));
        assert_eq!(c.recall(), Some(0.8));
        assert!((c.false_positive_rate().unwrap() - 2.0 / 90.0).abs() < 1e-12);
        assert_eq!(c.f1(), Some(0.8));
        let mcc = c.mcc().unwrap();
        assert!((mcc - (8.0 * 88.0 - 4.0) / (10.0_f64 * 10.0 * 90.0 * 90.0).sqrt()).abs() < 1e-12);
        assert_eq!(Confusion::default().recall(), None);
    }

    #[test]
    fn report_slices() {
        let mut r = Report::default();
        r.add(true, true, "zh", "fraud");
        r.add(false, false, "en", "ham");
        assert_eq!(r.overall.n(), 2);
        assert_eq!(r.by_lang["zh"].tp, 1);
        assert!(r.to_text().contains("category=ham"));
    }
}
