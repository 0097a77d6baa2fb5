//! Where the data commands go: the running service (over its API, when it holds the
//! data directory) or the store itself (when no service runs). Both answer the same
//! values, so each command prints one way.
//!
//! Invariants: the store is opened only when no service answers for the data
//! directory; a store locked by a process that does not answer is one sentence.

use std::io::Write;

use anyhow::{Context, anyhow};
use serde_json::{Value, json};

use super::client::ServiceClient;
use crate::classify::Message;
use crate::config::Settings;
use crate::eval::dataset::LabelMap;
use crate::store::{ReportSource, Stats, StoreError};
use crate::triage::answer::ReportAnswer;
use crate::triage::{Curator, ImportSummary, LoadError, ReportId, Review, TokenInfo, Triage};

/// The service, reached one way or the other.
pub enum Backend {
    /// This process opened the store.
    Direct(Box<Triage>),
    /// A running service holds it.
    Service(ServiceClient),
}

/// A pending group: its key and its reports' ids and texts.
pub type PendingRows = Vec<(String, Vec<(String, String)>)>;

/// Connects to the running service of `settings.data_dir`, else opens the store.
pub fn open(settings: &Settings) -> anyhow::Result<Backend> {
    if let Some(client) = ServiceClient::connect(&settings.data_dir)? {
        return Ok(Backend::Service(client));
    }
    match Triage::open(settings) {
        Ok(triage) => Ok(Backend::Direct(Box::new(triage))),
        Err(LoadError::Store(StoreError::Locked)) => Err(locked(settings)),
        Err(e) => Err(e.into()),
    }
}

/// The one sentence for a store held by a process that does not answer.
pub fn locked(settings: &Settings) -> anyhow::Error {
    anyhow!(
        "the data directory {} is in use by another sellerguard process that does not \
         answer as a service; stop it (or start it with `serve`) and try again",
        settings.data_dir.display()
    )
}

impl Backend {
    /// Imports the labelled file `text` called `name`: scam rows as reports
    /// (`confirmed` or pending), legitimate rows too when confirmed.
    pub fn import(
        &self,
        name: &str,
        text: &str,
        labels: &LabelMap,
        confirmed: bool,
    ) -> anyhow::Result<ImportSummary> {
        match self {
            Backend::Direct(t) => {
                Ok(t.import_file(name, text, labels, confirmed, &Curator::cli())?)
            }
            Backend::Service(c) => {
                let body = json!({
                    "name": name,
                    "data": text,
                    "as": if confirmed { "confirmed" } else { "pending" },
                    "positive": labels.positive,
                    "negative": labels.negative,
                });
                let done = c.post("/api/v1/reports/import", &body)?;
                let n = |k: &str| {
                    let n = done[k].as_u64().context("the service answered no count")?;
                    Ok::<_, anyhow::Error>(usize::try_from(n)?)
                };
                Ok(ImportSummary {
                    reports: n("reports")?,
                    legitimate: n("legitimate")?,
                })
            }
        }
    }

    /// Files a report; its id and why curators should look.
    pub fn add_report(&self, text: &str, reporter: &str) -> anyhow::Result<(String, Vec<String>)> {
        match self {
            Backend::Direct(t) => {
                let filed = t.report(Message::text(text), reporter, ReportSource::Private)?;
                let why = filed.needs_review.iter().map(ToString::to_string).collect();
                Ok((filed.id.to_string(), why))
            }
            Backend::Service(c) => {
                let filed = c.post(
                    "/api/v1/reports",
                    &json!({"text": text, "reporter": reporter}),
                )?;
                let why = filed["needs_review"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                Ok((string(&filed["id"]), why))
            }
        }
    }

    /// Pending reports grouped by contact or near-duplicate cluster.
    pub fn pending(&self, limit: usize) -> anyhow::Result<PendingRows> {
        match self {
            Backend::Direct(t) => Ok(t
                .pending(limit)?
                .into_iter()
                .map(|g| {
                    let rows = g.reports.into_iter().map(|r| (r.id.to_string(), r.text));
                    (g.key, rows.collect())
                })
                .collect()),
            Backend::Service(c) => {
                let groups = c.get(&format!("/api/v1/groups?limit={limit}"))?;
                let groups = groups.as_array().cloned().unwrap_or_default();
                Ok(groups
                    .into_iter()
                    .map(|g| {
                        let reports = g["reports"].as_array().cloned().unwrap_or_default();
                        let rows = reports
                            .iter()
                            .map(|r| (string(&r["id"]), string(&r["text"])));
                        (string(&g["key"]), rows.collect())
                    })
                    .collect())
            }
        }
    }

    /// Confirms or rejects one report.
    pub fn review(&self, id: ReportId, review: Review, note: &str) -> anyhow::Result<()> {
        match self {
            Backend::Direct(t) => t.review(id, review, &Curator::cli(), note).map(drop)?,
            Backend::Service(c) => {
                let decision = match review {
                    Review::Confirm => "confirm",
                    Review::Reject => "reject",
                };
                let body = json!({"decision": decision, "note": note});
                c.post(&format!("/api/v1/reports/{id}/decision"), &body)?;
            }
        }
        Ok(())
    }

    /// Ignores the reporter of report `id` from now on.
    pub fn ignore_reporter(&self, id: ReportId, note: &str) -> anyhow::Result<()> {
        match self {
            Backend::Direct(t) => t.ignore_reporter_of(id, &Curator::cli(), note).map(drop)?,
            Backend::Service(c) => {
                let body = json!({"decision": "ignore-reporter", "note": note});
                c.post(&format!("/api/v1/reports/{id}/decision"), &body)?;
            }
        }
        Ok(())
    }

    /// Removes a reporter's reports; how many.
    pub fn forget(&self, reporter: &str) -> anyhow::Result<usize> {
        match self {
            Backend::Direct(t) => Ok(t.forget(reporter)?),
            Backend::Service(c) => {
                count(&c.post("/api/v1/reports/forget", &json!({"reporter": reporter}))?)
            }
        }
    }

    /// Deletes expired pending reports; how many.
    pub fn purge(&self) -> anyhow::Result<usize> {
        match self {
            Backend::Direct(t) => Ok(t.purge_expired()?),
            Backend::Service(c) => count(&c.post("/api/v1/reports/purge", &json!({}))?),
        }
    }

    /// Blocks or allows a contact; its key.
    pub fn judge(&self, value: &str, block: bool, note: &str) -> anyhow::Result<String> {
        match self {
            Backend::Direct(t) => Ok(t.judge_indicator(value, block, &Curator::cli(), note)?),
            Backend::Service(c) => {
                let path = if block { "block" } else { "allow" };
                let body = json!({"value": value, "note": note});
                Ok(string(
                    &c.post(&format!("/api/v1/contacts/{path}"), &body)?["key"],
                ))
            }
        }
    }

    /// Counters.
    pub fn stats(&self) -> anyhow::Result<Stats> {
        match self {
            Backend::Direct(t) => Ok(t.stats()?),
            Backend::Service(c) => {
                let s = c.get("/api/v1/stats")?;
                let n = |k: &str| s[k].as_u64().unwrap_or_default();
                Ok(Stats {
                    reports_received: n("reports_received"),
                    reports_stored: n("reports_stored"),
                    pending: n("pending"),
                    confirmed: n("confirmed"),
                    rejected: n("rejected"),
                    reports_deleted: n("reports_deleted"),
                    checks: n("checks"),
                })
            }
        }
    }

    /// Writes every report to `out` as JSON Lines.
    pub fn export(&self, out: &mut dyn Write) -> anyhow::Result<()> {
        match self {
            Backend::Direct(t) => {
                for report in t.export()? {
                    serde_json::to_writer(&mut *out, &ReportAnswer::from(&report?))?;
                    out.write_all(b"\n")?;
                }
            }
            Backend::Service(c) => out.write_all(&c.get_bytes("/api/v1/reports/export")?)?,
        }
        Ok(())
    }

    /// Writes a backup of the whole store to `out` (online when a service runs).
    pub fn backup(&self, out: &mut dyn Write) -> anyhow::Result<()> {
        match self {
            Backend::Direct(t) => {
                let mut bytes = Vec::new();
                t.backup(&mut bytes)?;
                out.write_all(&bytes)?;
            }
            Backend::Service(c) => out.write_all(&c.get_bytes("/api/v1/backup")?)?,
        }
        Ok(())
    }

    /// Creates a token; its secret.
    pub fn create_token(&self, name: &str) -> anyhow::Result<String> {
        match self {
            Backend::Direct(t) => Ok(t.create_token(name, &Curator::cli())?.expose().to_owned()),
            Backend::Service(c) => Ok(string(
                &c.post("/api/v1/tokens", &json!({"name": name}))?["secret"],
            )),
        }
    }

    /// Every token, without secrets.
    pub fn tokens(&self) -> anyhow::Result<Vec<TokenInfo>> {
        match self {
            Backend::Direct(t) => Ok(t.tokens()?),
            Backend::Service(c) => {
                let tokens = c.get("/api/v1/tokens")?;
                let tokens = tokens.as_array().cloned().unwrap_or_default();
                Ok(tokens
                    .iter()
                    .map(|t| TokenInfo {
                        name: string(&t["name"]),
                        created_at: t["created_at"].as_u64().unwrap_or_default(),
                        revoked_at: t["revoked_at"].as_u64(),
                    })
                    .collect())
            }
        }
    }

    /// Revokes a token.
    pub fn revoke_token(&self, name: &str) -> anyhow::Result<()> {
        match self {
            Backend::Direct(t) => t.revoke_token(name, &Curator::cli())?,
            Backend::Service(c) => {
                c.delete(&format!("/api/v1/tokens/{name}"))?;
            }
        }
        Ok(())
    }
}

fn string(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn count(value: &Value) -> anyhow::Result<usize> {
    let n = value["count"]
        .as_u64()
        .context("the service answered no count")?;
    Ok(usize::try_from(n)?)
}
