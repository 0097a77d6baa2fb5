//! `sellerguard check`: one message in, a verdict card (or the full verdict as JSON) out.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::classify::{Lang, Message, Verdict};
use crate::config::Settings;
use crate::triage::card::reading_lang;
use crate::triage::{Card, MAX_TEXT_BYTES, Region, Triage};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print the full verdict as JSON.
    #[arg(long)]
    json: bool,
    /// Language of explanations and advice: en or zh (default: the message's own
    /// language, English when it is neither).
    #[arg(long, value_parser = super::parse_lang)]
    lang: Option<Lang>,
    /// Read the message from a screenshot (PNG, JPEG, WebP, GIF, BMP); TEXT, if
    /// given, is judged with it as the caption.
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
    /// The message; read from standard input when absent (and no --image).
    text: Option<String>,
}

/// The JSON shape of `check --json`: the verdict, with explanations in one language.
#[derive(Serialize)]
struct CheckOutput<'a> {
    level: &'static str,
    score: u8,
    family: Option<&'static str>,
    lang: &'static str,
    signals: Vec<SignalOutput<'a>>,
    indicators: &'a [crate::classify::Indicator],
    advice: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ocr_text: Option<&'a str>,
}

#[derive(Serialize)]
struct SignalOutput<'a> {
    rule_id: &'a str,
    family: &'static str,
    weight: i32,
    explanation: &'a str,
    evidence: &'a [crate::classify::Evidence],
}

pub fn run(settings: &Settings, args: CheckArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.image {
        return run_image(settings, path, &args);
    }
    let text = match read_message(args.text) {
        Ok(text) => text,
        Err(problem) => {
            eprintln!("error: {problem}");
            return Ok(ExitCode::from(2));
        }
    };
    let triage = Triage::open_if_exists(settings)?;
    let verdict = triage.check(Message::text(&text));
    triage.record_check();
    let lang = reading_lang(args.lang, verdict.lang, Lang::En);
    print_verdict(&triage, &verdict, lang, args.json, None)
}

/// Why there is no message to judge.
#[derive(Debug, thiserror::Error)]
enum InputError {
    #[error(
        "the message is longer than {} bytes (the most `check` reads); send a part of it",
        MAX_TEXT_BYTES
    )]
    TooLong,
    #[error("nothing to check: the message is empty")]
    Empty,
    #[error("the message on standard input is not UTF-8 text")]
    NotText,
    #[error("cannot read standard input: {0}")]
    Read(std::io::Error),
}

/// TEXT, or standard input read to at most `MAX_TEXT_BYTES` + 1 bytes, refused when
/// longer or blank.
fn read_message(arg: Option<String>) -> Result<String, InputError> {
    let text = match arg {
        Some(text) => text,
        None => {
            let mut bytes = Vec::new();
            let limit = u64::try_from(MAX_TEXT_BYTES).unwrap_or(u64::MAX) + 1;
            std::io::stdin()
                .lock()
                .take(limit)
                .read_to_end(&mut bytes)
                .map_err(InputError::Read)?;
            if bytes.len() > MAX_TEXT_BYTES {
                return Err(InputError::TooLong);
            }
            String::from_utf8(bytes).map_err(|_| InputError::NotText)?
        }
    };
    if text.len() > MAX_TEXT_BYTES {
        return Err(InputError::TooLong);
    }
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok(text)
}

/// `check --image`: read the screenshot, then judge its text with any caption.
fn run_image(settings: &Settings, path: &Path, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let triage = Triage::open_if_exists(settings)?.with_ocr(&settings.ocr)?;
    let read = match triage.read_image_blocking(bytes) {
        Ok(read) => read,
        Err(e) => {
            eprintln!(
                "{}: {e}\n{}",
                path.display(),
                e.user_message(args.lang == Some(Lang::Zh))
            );
            return Ok(ExitCode::from(2));
        }
    };
    let text = match &args.text {
        Some(caption) => format!("{caption}\n{}", read.text),
        None => read.text.clone(),
    };
    let verdict = triage.check(Message::text(&text));
    triage.record_check();
    let lang = reading_lang(args.lang, verdict.lang, Lang::En);
    print_verdict(&triage, &verdict, lang, args.json, Some(&read.text))
}

fn print_verdict(
    triage: &Triage,
    verdict: &Verdict,
    lang: Lang,
    json: bool,
    ocr_text: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let card = Card::new(verdict, triage.advice(), lang, Region::Unknown);
    if json {
        let mut output = to_output(verdict, &card, lang);
        output.ocr_text = ocr_text;
        super::print_out(&(serde_json::to_string_pretty(&output)? + "\n"))?;
    } else {
        if let Some(read) = ocr_text {
            let label = if lang == Lang::Zh {
                "从图片中读到的文字"
            } else {
                "Text read from the image"
            };
            super::print_out(&format!(
                "{label}:\n  {}\n\n",
                crate::triage::card::shorten(&read.replace('\n', " "), 300)
            ))?;
        }
        super::print_out(&card.to_plain_text())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn to_output<'a>(verdict: &'a Verdict, card: &Card, lang: Lang) -> CheckOutput<'a> {
    CheckOutput {
        level: verdict.level.as_str(),
        score: verdict.score,
        family: verdict.family.map(|f| f.as_str()),
        lang: verdict.lang.as_str(),
        signals: verdict
            .signals
            .iter()
            .map(|s| SignalOutput {
                rule_id: &s.rule_id,
                family: s.family.as_str(),
                weight: s.weight,
                explanation: s.explanation.get(lang),
                evidence: &s.evidence,
            })
            .collect(),
        indicators: &verdict.indicators,
        advice: card.advice.clone(),
        ocr_text: None,
    }
}
