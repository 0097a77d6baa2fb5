//! Server-side SVG charts: one stacked bar per day, one colour per series, a legend.
//!
//! Invariants: pure (values in, markup out); labels are escaped by maud.

use std::collections::BTreeMap;

use maud::{Markup, html};

const WIDTH: u64 = 640;
const HEIGHT: u64 = 180;
const LEGEND: u64 = 18;
const COLOURS: &[&str] = &[
    "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// A stacked bar chart of `series` over `days` (days since the epoch).
pub fn stacked(title: &str, days: &[u64], series: &BTreeMap<String, Vec<u64>>) -> Markup {
    let totals: Vec<u64> = (0..days.len())
        .map(|i| series.values().map(|v| v[i]).sum())
        .collect();
    let top = totals.iter().copied().max().unwrap_or(0).max(1);
    let bar = WIDTH / (days.len() as u64).max(1);
    let legend_height = LEGEND * series.len() as u64;
    let mut rects = Vec::new();
    for i in 0..days.len() {
        let mut base = HEIGHT;
        for (k, (name, values)) in series.iter().enumerate() {
            let h = values[i] * HEIGHT / top;
            if h > 0 {
                let x = i as u64 * bar + 1;
                rects.push((
                    x,
                    base - h,
                    h,
                    COLOURS[k % COLOURS.len()],
                    format!("{name}: {}", values[i]),
                ));
                base -= h;
            }
        }
    }
    let width = bar.saturating_sub(2).max(1);
    html! {
        figure {
            figcaption { (title) }
            svg xmlns="http://www.w3.org/2000/svg" width=(WIDTH) height=(HEIGHT + 20 + legend_height)
                role="img" aria-label=(title) {
                @for (x, y, h, colour, label) in &rects {
                    rect x=(x) y=(y) width=(width) height=(h) fill=(colour) { title { (label) } }
                }
                @for (i, day) in days.iter().enumerate() {
                    @if i % 7 == 0 {
                        text x=(i as u64 * bar) y=(HEIGHT + 14) font-size="10" { (day_label(*day)) }
                    }
                }
                @for (k, name) in series.keys().enumerate() {
                    rect x="0" y=(HEIGHT + 20 + LEGEND * k as u64) width="12" height="12"
                        fill=(COLOURS[k % COLOURS.len()]) {}
                    text x="18" y=(HEIGHT + 30 + LEGEND * k as u64) font-size="12" { (name) }
                }
            }
        }
    }
}

/// `MM-DD` of a day since the epoch (civil calendar, UTC).
fn day_label(day: u64) -> String {
    // Howard Hinnant's days-from-civil inverse.
    let z = day as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{m:02}-{d:02}")
}
