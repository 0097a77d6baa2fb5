//! Source-held-out splits: rows grouped by where they came from, groups dealt into folds.
//!
//! Invariants: every row of one source group lands in the same fold, so a fold's
//! figures are measured on sources nothing was tuned or trained on; the assignment is
//! deterministic (largest group first, each to the fold with the fewest rows, ties by
//! name), so anyone re-running `eval --split-by source` gets the same folds.

use std::collections::BTreeMap;

use super::dataset::Row;

/// The group a `source` belongs to: `github:owner/repo` for a repository file (path and
/// commit dropped), the host for a web page (`github.com/owner/repo` for GitHub
/// threads), else the source itself.
pub fn source_group(source: &str) -> String {
    let source = source.trim();
    if let Some(rest) = source.strip_prefix("github:") {
        let repo = rest.split_whitespace().next().unwrap_or(rest);
        return format!("github:{}", repo.split('@').next().unwrap_or(repo));
    }
    let Some((_, after_scheme)) = source.split_once("://") else {
        return source.to_string();
    };
    let mut parts = after_scheme.split('/');
    let host = parts.next().unwrap_or("");
    let host = host.split(':').next().unwrap_or(host);
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .unwrap_or(host);
    if host == "github.com"
        && let (Some(owner), Some(repo)) = (parts.next(), parts.next())
    {
        return format!("github.com/{owner}/{repo}");
    }
    host.to_string()
}

/// One fold per row (`0..k`), rows of one source group always together.
pub fn assign_folds(rows: &[Row], k: usize) -> Vec<usize> {
    let k = k.max(1);
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows {
        *sizes.entry(source_group(&row.source)).or_default() += 1;
    }
    let mut groups: Vec<(String, usize)> = sizes.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut load = vec![0usize; k];
    let mut fold_of: BTreeMap<String, usize> = BTreeMap::new();
    for (group, size) in groups {
        let fold = (0..k).min_by_key(|&f| (load[f], f)).unwrap_or(0);
        load[fold] += size;
        fold_of.insert(group, fold);
    }
    rows.iter()
        .map(|row| fold_of[&source_group(&row.source)])
        .collect()
}

/// The source groups in each fold, for printing which sources a figure was measured on.
pub fn groups_by_fold(rows: &[Row], folds: &[usize], k: usize) -> Vec<Vec<(String, usize)>> {
    let mut by_fold: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); k.max(1)];
    for (row, &fold) in rows.iter().zip(folds) {
        *by_fold[fold].entry(source_group(&row.source)).or_default() += 1;
    }
    by_fold
        .into_iter()
        .map(|groups| groups.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(source: &str) -> Row {
        Row {
            line: 1,
            text: String::new(),
            positive: false,
            category: String::new(),
            source: source.to_string(),
        }
    }

    #[test]
    fn groups_repositories_and_hosts() {
        for (source, group) in [
            ("github:owner/repo src/a.txt@0123abc", "github:owner/repo"),
            ("github:owner/repo@0123abc", "github:owner/repo"),
            ("https://www.example.com/a/b?c=1", "example.com"),
            ("http://m.news.example.tw:443/x", "news.example.tw"),
            ("https://github.com/a/b/issues/40", "github.com/a/b"),
            ("", ""),
        ] {
            assert_eq!(source_group(source), group, "{source}");
        }
    }

    #[test]
    fn a_group_never_spans_folds_and_folds_are_balanced() {
        let mut rows = Vec::new();
        for (source, n) in [
            ("github:a/a x@1", 30),
            ("github:b/b y@2", 20),
            ("https://c.org/1", 15),
        ] {
            rows.extend((0..n).map(|_| row(source)));
        }
        rows.push(row("https://c.org/2"));
        let folds = assign_folds(&rows, 2);
        assert_eq!(folds, assign_folds(&rows, 2), "deterministic");
        for (r, f) in rows.iter().zip(&folds) {
            let group = source_group(&r.source);
            assert!(
                rows.iter()
                    .zip(&folds)
                    .all(|(o, g)| source_group(&o.source) != group || g == f)
            );
        }
        let sizes = groups_by_fold(&rows, &folds, 2);
        let count = |f: usize| sizes[f].iter().map(|(_, n)| n).sum::<usize>();
        assert_eq!((count(0), count(1)), (30, 36));
    }
}
