//! `sellerguard check`: one message in, a verdict card (or the full verdict as JSON) out.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::classify::{Lang, Message, Verdict};
use crate::config::Settings;
use crate::triage::{Card, Triage};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print the full verdict as JSON.
    #[arg(long)]
    json: bool,
    /// Language of explanations and advice: en or zh.
    #[arg(long, default_value = "en", value_parser = super::parse_lang)]
    lang: Lang,
    /// The message; read from standard input when absent.
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
    let text = match args.text {
        Some(text) => text,
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading the message from standard input")?;
            text
        }
    };
    let triage = Triage::open_if_exists(settings)?;
    let verdict = triage.check(Message::text(&text));
    triage.record_check();
    let card = Card::new(&verdict, triage.advice(), args.lang);
    if args.json {
        let output = to_output(&verdict, &card, args.lang);
        super::print_out(&(serde_json::to_string_pretty(&output)? + "\n"))?;
    } else {
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
    }
}
