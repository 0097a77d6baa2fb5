//! Labelled message files: JSON Lines (`text`, `label`, optional `category`), TSV
//! (`label<TAB>text`, the UCI layout, optional header) and CSV with a header naming
//! the label and text columns (case-insensitive).
//!
//! Invariants: every row keeps its 1-based line number; a malformed row or an unknown
//! label is an error naming the line, never a skipped row.

use std::path::Path;

use serde_json::Value;

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line where the row starts.
    pub line: usize,
    /// The message.
    pub text: String,
    /// Whether it is a scam (positive).
    pub positive: bool,
    /// Its category: the file's category column, else the raw label.
    pub category: String,
    /// Where it came from (the JSON Lines `source` field), empty when the file has none.
    pub source: String,
}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    JsonLines,
    /// `label<TAB>text`.
    Tsv,
    /// Comma-separated with a header.
    Csv,
}

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why (in the message, so not a `source`: chains never repeat).
        reason: std::io::Error,
    },
    /// A row is malformed or has an unknown label.
    #[error("{path}:{line}: {message}")]
    Row {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Extra label mappings: raw labels starting with these prefixes (case-insensitive)
/// are positive or negative, before the standard label names are tried.
#[derive(Debug, Clone, Default)]
pub struct LabelMap {
    /// Prefixes of positive labels.
    pub positive: Vec<String>,
    /// Prefixes of negative labels.
    pub negative: Vec<String>,
}

impl LabelMap {
    /// Whether `raw` is a positive label, or `None` if it is unknown.
    pub fn parse(&self, raw: &str) -> Option<bool> {
        let label = raw.trim().to_lowercase();
        let starts = |prefixes: &[String]| {
            prefixes
                .iter()
                .any(|p| label.starts_with(&p.to_lowercase()))
        };
        if starts(&self.positive) {
            return Some(true);
        }
        if starts(&self.negative) {
            return Some(false);
        }
        match label.as_str() {
            "scam" | "spam" | "smishing" | "fraud" | "1" | "true" => Some(true),
            "legit" | "ham" | "normal" | "0" | "false" => Some(false),
            _ => None,
        }
    }
}

/// Loads a labelled file, choosing the format from its extension, else its content.
pub fn load(path: &Path, labels: &LabelMap) -> Result<Vec<Row>, DatasetError> {
    let (name, text) = read(path)?;
    parse(&name, &text, labels)
}

/// The name (`path` as shown) and text of a labelled file, for [`parse`]; bytes that
/// are not UTF-8 become U+FFFD.
pub fn read(path: &Path) -> Result<(String, String), DatasetError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|reason| DatasetError::Read {
        path: name.clone(),
        reason,
    })?;
    Ok((name, String::from_utf8_lossy(&bytes).into_owned()))
}

/// Parses a labelled file's text; `name` (a path or "built-in NAME") chooses the format
/// by its extension, else the content does, and names the file in errors.
pub fn parse(name: &str, text: &str, labels: &LabelMap) -> Result<Vec<Row>, DatasetError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let ctx = Ctx { path: name, labels };
    match detect(Path::new(name), text) {
        Format::JsonLines => ctx.json_lines(text),
        Format::Tsv => ctx.tsv(text),
        Format::Csv => ctx.csv(text),
    }
}

/// The format of a file.
pub fn detect(path: &Path, text: &str) -> Format {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .as_deref()
    {
        Some("jsonl" | "json" | "ndjson") => return Format::JsonLines,
        Some("tsv" | "tab") => return Format::Tsv,
        Some("csv") => return Format::Csv,
        _ => {}
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim_start().starts_with('{') {
        Format::JsonLines
    } else if first.contains('\t') {
        Format::Tsv
    } else {
        Format::Csv
    }
}

struct Ctx<'a> {
    path: &'a str,
    labels: &'a LabelMap,
}

impl Ctx<'_> {
    fn error(&self, line: usize, message: impl Into<String>) -> DatasetError {
        DatasetError::Row {
            path: self.path.to_string(),
            line,
            message: message.into(),
        }
    }

    fn row(
        &self,
        line: usize,
        text: &str,
        label: &str,
        category: Option<&str>,
        source: Option<&str>,
    ) -> Result<Row, DatasetError> {
        let positive = self.labels.parse(label).ok_or_else(|| {
            self.error(
                line,
                format!(
                    "unknown label {label:?} (positive: scam, spam, smishing, fraud, 1, true; \
                     negative: legit, ham, normal, 0, false; or map it with --positive/--negative PREFIX)"
                ),
            )
        })?;
        let category = category.filter(|c| !c.trim().is_empty()).unwrap_or(label);
        Ok(Row {
            line,
            text: text.to_string(),
            positive,
            category: category.trim().to_lowercase(),
            source: source.unwrap_or_default().trim().to_string(),
        })
    }

    fn json_lines(&self, text: &str) -> Result<Vec<Row>, DatasetError> {
        let mut rows = Vec::new();
        for (n, line) in numbered_lines(text) {
            let value: Value =
                serde_json::from_str(line).map_err(|e| self.error(n, format!("not JSON: {e}")))?;
            let field = |name: &str| value.get(name).and_then(scalar);
            let text = value
                .get("text")
                .and_then(Value::as_str)
                .ok_or_else(|| self.error(n, "missing string field \"text\""))?;
            let label = field("label").ok_or_else(|| self.error(n, "missing field \"label\""))?;
            rows.push(self.row(
                n,
                text,
                &label,
                field("category").as_deref(),
                field("source").as_deref(),
            )?);
        }
        Ok(rows)
    }

    fn tsv(&self, text: &str) -> Result<Vec<Row>, DatasetError> {
        let mut rows = Vec::new();
        for (n, line) in numbered_lines(text) {
            let (label, message) = line
                .split_once('\t')
                .ok_or_else(|| self.error(n, "expected label<TAB>text"))?;
            if n == 1
                && matches!(
                    label.trim().to_lowercase().as_str(),
                    "label" | "category" | "class"
                )
            {
                continue;
            }
            rows.push(self.row(n, message, label, None, None)?);
        }
        Ok(rows)
    }

    fn csv(&self, text: &str) -> Result<Vec<Row>, DatasetError> {
        // The csv crate miscounts lines after a CRLF header; LF is equivalent here.
        let text = text.replace("\r\n", "\n");
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| self.error(1, format!("bad CSV header: {e}")))?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| headers.iter().position(|h| h == n))
        };
        let text_col = find(&[
            "text",
            "content",
            "message",
            "sms",
            "smses",
            "sms translation",
            "msg",
        ])
        .ok_or_else(|| {
            self.error(
                1,
                format!("no text column in header {headers:?} (expected text or content)"),
            )
        })?;
        let label_col = find(&["label", "labels", "class", "category"]).ok_or_else(|| {
            self.error(
                1,
                format!("no label column in header {headers:?} (expected label)"),
            )
        })?;
        let category_col = find(&["subcategory", "category"]).filter(|&c| c != label_col);
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line() as usize);
                self.error(line, format!("bad CSV row: {e}"))
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let get = |col: usize| record.get(col).unwrap_or("");
            let category = category_col.map(get);
            rows.push(self.row(line, get(text_col), get(label_col), category, None)?);
        }
        Ok(rows)
    }
}

/// Puts neutral stand-ins back for the anonymisation placeholders of the FBS corpus
/// (`URL`/`URLxxxx` -> an unofficial link, `CELLPHONE` -> a mobile number, `PHONE` -> a
/// landline), so link and phone cues can fire as they would on the original messages.
pub fn restore_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    for (i, token) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let replacement =
            if token.starts_with("URL") && token[3..].bytes().all(|b| b.is_ascii_alphanumeric()) {
                "http://link.example.top/x"
            } else if token == "CELLPHONE" {
                "13800000000"
            } else if token == "PHONE" {
                "02000000000"
            } else {
                token
            };
        out.push_str(replacement);
    }
    out
}

/// The non-blank lines of `text` with their 1-based line numbers.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
}

/// A JSON string, number or boolean as text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(name: &str, content: &str) -> Result<Vec<Row>, DatasetError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        load(&path, &LabelMap::default())
    }

    #[test]
    fn reads_each_format() {
        let rows = load_str("a.jsonl", "{\"text\":\"hi\",\"label\":\"legit\",\"category\":\"chat\"}\n\n{\"text\":\"win\",\"label\":1}\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].positive, rows[0].category.as_str()),
            (false, "chat")
        );
        assert_eq!((rows[1].line, rows[1].positive), (3, true));

        let rows = load_str("SMSSpamCollection", "ham\tok then\nspam\tWIN now\n").unwrap();
        assert_eq!(
            rows.iter().map(|r| r.positive).collect::<Vec<_>>(),
            [false, true]
        );

        let rows = load_str(
            "d.csv",
            "LABEL,TEXT,URL\r\nham,\"hello, you\",No\r\nSmishing,\"click\nhere\",yes\r\n",
        )
        .unwrap();
        assert_eq!(rows[0].text, "hello, you");
        assert_eq!(
            (rows[1].positive, rows[1].category.as_str(), rows[1].line),
            (true, "smishing", 3)
        );
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err = load_str(
            "a.jsonl",
            "{\"text\":\"x\",\"label\":\"legit\"}\n{\"text\":\"y\",\"label\":\"maybe\"}\n",
        )
        .unwrap_err();
        assert!(err.to_string().ends_with(&format!(
            "a.jsonl:2: {}",
            err.to_string().split(":2: ").nth(1).unwrap()
        )));
        assert!(err.to_string().contains("unknown label \"maybe\""), "{err}");
        let err = load_str("a.jsonl", "not json\n").unwrap_err().to_string();
        assert!(err.contains(":1: not JSON"), "{err}");
        let err = load_str("a.csv", "foo,bar\n1,2\n").unwrap_err().to_string();
        assert!(err.contains(":1: no text column"), "{err}");
        let err = load_str("a.tsv", "ham\tok\nno tab here\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(":2: expected label<TAB>text"), "{err}");
    }

    #[test]
    fn placeholders_become_neutral_indicators() {
        assert_eq!(
            restore_placeholders("请 登录 URLabc 或 致电 CELLPHONE PHONE URLs"),
            "请 登录 http://link.example.top/x 或 致电 13800000000 02000000000 http://link.example.top/x"
        );
        assert_eq!(restore_placeholders("CURL URL."), "CURL URL.");
    }

    #[test]
    fn label_map_prefixes_come_first() {
        let map = LabelMap {
            positive: vec!["FR:".into()],
            negative: vec!["ad:".into()],
        };
        assert_eq!(map.parse("FR:Phishing(Bank)"), Some(true));
        assert_eq!(map.parse("AD:Retail"), Some(false));
        assert_eq!(map.parse("Spam"), Some(true));
        assert_eq!(map.parse("other"), None);
    }
}
