//! `sellerguard check`: one message in, a verdict card (or the full verdict as JSON) out;
//! judged by the running service when one holds the data directory.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde_json::{Value, json};

use super::client::ServiceClient;
use crate::classify::{Lang, Message, Verdict};
use crate::config::Settings;
use crate::store::StoreError;
use crate::triage::card::reading_lang;
use crate::triage::metrics::CheckSource;
use crate::triage::{Card, LoadError, MAX_TEXT_BYTES, Region, Triage};

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

impl CheckArgs {
    /// Whether this check reads a screenshot.
    pub(super) fn reads_image(&self) -> bool {
        self.image.is_some()
    }
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
    if let Some(service) = ServiceClient::connect(&settings.data_dir)? {
        let lang = args.lang.map(Lang::as_str);
        let answer = service.post("/api/v1/check", &json!({"text": text, "lang": lang}))?;
        return print_answer(answer, args.lang, args.json);
    }
    let triage = open(settings)?;
    let verdict = triage.check_from(Message::text(&text), CheckSource::Cli);
    let lang = reading_lang(args.lang, verdict.lang, Lang::En);
    print_verdict(&triage, &verdict, lang, args.json, None)
}

/// The service with the data directory's community knowledge, or by rules alone when
/// there is no data directory or another process holds it without answering.
fn open(settings: &Settings) -> anyhow::Result<Triage> {
    match Triage::open_if_exists(settings) {
        Err(LoadError::Store(StoreError::Locked)) => {
            eprintln!(
                "note: {}; judging by the rules alone",
                super::backend::locked(settings)
            );
            Ok(Triage::load(settings)?)
        }
        other => Ok(other?),
    }
}

/// Prints the running service's answer: the card (after the text read from a
/// screenshot), or the JSON without the card.
fn print_answer(mut answer: Value, lang: Option<Lang>, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        if let Some(fields) = answer.as_object_mut() {
            fields.remove("card");
        }
        super::print_out(&(serde_json::to_string_pretty(&answer)? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(read) = answer["ocr_text"].as_str() {
        let zh = lang == Some(Lang::Zh) || (lang.is_none() && answer["lang"] == "zh");
        print_read_text(read, if zh { Lang::Zh } else { Lang::En })?;
    }
    super::print_out(answer["card"].as_str().unwrap_or_default())?;
    Ok(ExitCode::SUCCESS)
}

/// "Text read from the image" and the start of it.
fn print_read_text(read: &str, lang: Lang) -> anyhow::Result<()> {
    let label = if lang == Lang::Zh {
        "从图片中读到的文字"
    } else {
        "Text read from the image"
    };
    super::print_out(&format!(
        "{label}:\n  {}\n\n",
        crate::triage::card::shorten(&read.replace('\n', " "), 300)
    ))?;
    Ok(())
}

/// Why there is no message to judge.
#[derive(Debug, thiserror::Error)]
pub(super) enum InputError {
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
pub(super) fn read_message(arg: Option<String>) -> Result<String, InputError> {
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
    if let Some(service) = ServiceClient::connect(&settings.data_dir)? {
        let fields = [
            ("caption", args.text.as_deref()),
            ("lang", args.lang.map(Lang::as_str)),
        ];
        let answer = service.post_image("/api/v1/check/image", bytes, &fields)?;
        return print_answer(answer, args.lang, args.json);
    }
    let triage = open(settings)?.with_ocr(&settings.ocr)?;
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
    let verdict = triage.check_from(Message::text(&text), CheckSource::Cli);
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
        let mut output = triage.answer(verdict, lang, false);
        output.ocr_text = ocr_text;
        super::print_out(&(serde_json::to_string_pretty(&output)? + "\n"))?;
    } else {
        if let Some(read) = ocr_text {
            print_read_text(read, lang)?;
        }
        super::print_out(&card.to_plain_text())?;
    }
    Ok(ExitCode::SUCCESS)
}
