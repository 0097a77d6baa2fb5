//! The service as the front ends' memory: `Prefs` and `ReportSink` backed by the sled
//! store, so settings, languages, the update cursor and reports survive a restart.
//!
//! Invariants: Telegram user ids (reporters and curators alike) are turned into keyed
//! hashes (`tg:<id>`) before they reach the store, the same identity reports use, so
//! `/forgetme` removes both; a "scam" report goes through the anti-abuse limits of
//! `Triage::report`; a "looks legitimate" answer is logged for curators, never counted
//! against anyone.

use crate::classify::{Lang, Level, Message};
use crate::store::{Decision, ReportSource, StoreError, StoredChatPrefs, StoredUserPrefs};

use super::feedback::{Filed, Report, ReportError, ReportKind, ReportSink};
use super::prefs::{ChatPrefs, DryRun, Prefs, PrefsError, UserPrefs, WarnAt};
use super::{Triage, TriageError, now};

/// The store cursor holding the last Telegram update taken over.
const UPDATE_CURSOR: &str = "telegram.update";
/// Longest excerpt of a message kept in a feedback log entry.
const FEEDBACK_EXCERPT: usize = 300;

/// The identity a Telegram user reports under.
fn telegram_identity(user_id: i64) -> String {
    format!("tg:{user_id}")
}

impl Triage {
    /// How a Telegram curator appears in the decision log: `telegram:` and the keyed
    /// hash of their identity, never the raw id (without a store, only `telegram`).
    pub fn telegram_actor(&self, user_id: i64) -> String {
        match self.community() {
            Ok(c) => {
                let hash = c.store.reporter_hash(&telegram_identity(user_id));
                format!("telegram:{}", hash.to_hex())
            }
            Err(_) => "telegram".into(),
        }
    }
}

fn prefs_error(e: impl std::fmt::Display) -> PrefsError {
    PrefsError(e.to_string())
}

impl Prefs for Triage {
    fn user(&self, user_id: i64) -> Result<UserPrefs, PrefsError> {
        let c = self.community().map_err(prefs_error)?;
        let hash = c.store.reporter_hash(&telegram_identity(user_id));
        let stored = c
            .store
            .user_prefs(&hash)
            .map_err(prefs_error)?
            .unwrap_or_default();
        Ok(UserPrefs {
            lang: stored.lang.and_then(|l| l.parse::<Lang>().ok()),
            blocked: stored.blocked,
        })
    }

    fn set_user(&self, user_id: i64, prefs: UserPrefs) -> Result<(), PrefsError> {
        let c = self.community().map_err(prefs_error)?;
        let hash = c.store.reporter_hash(&telegram_identity(user_id));
        let stored = StoredUserPrefs {
            lang: prefs.lang.map(|l| l.as_str().to_string()),
            blocked: prefs.blocked,
        };
        c.store.set_user_prefs(&hash, &stored).map_err(prefs_error)
    }

    fn forget_user(&self, user_id: i64) -> Result<(), PrefsError> {
        let c = self.community().map_err(prefs_error)?;
        let hash = c.store.reporter_hash(&telegram_identity(user_id));
        c.store.forget_user_prefs(&hash).map_err(prefs_error)?;
        let groups = c.store.forget_dry_run_admin(user_id).map_err(prefs_error)?;
        if groups > 0 {
            tracing::info!(
                groups,
                "a dry-run admin was forgotten; those groups stay in dry run"
            );
        }
        Ok(())
    }

    fn chat(&self, chat_id: i64) -> Result<ChatPrefs, PrefsError> {
        let c = self.community().map_err(prefs_error)?;
        let Some(stored) = c.store.chat_prefs(chat_id).map_err(prefs_error)? else {
            return Ok(ChatPrefs::default());
        };
        Ok(ChatPrefs {
            threshold: stored
                .threshold
                .parse::<Level>()
                .map_or(WarnAt::High, WarnAt::from_level),
            lang: stored.lang.and_then(|l| l.parse::<Lang>().ok()),
            delete_scams: stored.delete_scams,
            read_screenshots: stored.read_screenshots,
            introduced: stored.introduced,
            dry_run: match stored.dry_run {
                true => DryRun::On {
                    report_to: stored.dry_run_admin,
                },
                false => DryRun::Off,
            },
        })
    }

    fn set_chat(&self, chat_id: i64, prefs: ChatPrefs) -> Result<(), PrefsError> {
        let c = self.community().map_err(prefs_error)?;
        let stored = StoredChatPrefs {
            threshold: prefs.threshold.level().as_str().to_string(),
            lang: prefs.lang.map(|l| l.as_str().to_string()),
            delete_scams: prefs.delete_scams,
            read_screenshots: prefs.read_screenshots,
            introduced: prefs.introduced,
            dry_run: prefs.dry_run.is_on(),
            dry_run_admin: match prefs.dry_run {
                DryRun::On { report_to } => report_to,
                DryRun::Off => None,
            },
        };
        c.store
            .set_chat_prefs(chat_id, &stored)
            .map_err(prefs_error)
    }

    fn move_chat(&self, from: i64, to: i64) -> Result<(), PrefsError> {
        self.community()
            .map_err(prefs_error)?
            .store
            .move_chat_prefs(from, to)
            .map_err(prefs_error)
    }

    fn last_update_id(&self) -> Result<Option<i64>, PrefsError> {
        self.community()
            .map_err(prefs_error)?
            .store
            .cursor(UPDATE_CURSOR)
            .map_err(prefs_error)
    }

    fn set_last_update_id(&self, update_id: i64) -> Result<(), PrefsError> {
        let c = self.community().map_err(prefs_error)?;
        c.store
            .set_cursor(UPDATE_CURSOR, update_id)
            .map_err(prefs_error)
    }
}

impl ReportSink for Triage {
    fn report(&self, report: Report) -> Result<Filed, ReportError> {
        let identity = telegram_identity(report.reporter_id);
        match report.kind {
            ReportKind::Scam => {
                let source = if report.chat_id > 0 {
                    ReportSource::Private
                } else {
                    ReportSource::Group
                };
                let message = Message {
                    text: &report.text,
                    hidden_links: &report.hidden_links,
                };
                let reported = match &report.origin {
                    Some(origin) => self.report_once(message, &identity, source, origin),
                    None => Triage::report(self, message, &identity, source),
                };
                let reported = match reported {
                    Ok(reported) => reported,
                    Err(TriageError::AlreadyAnswered { first }) => {
                        return Ok(Filed {
                            id: first,
                            repeat: true,
                            ..Filed::default()
                        });
                    }
                    Err(error) => return Err(report_error(error)),
                };
                tracing::info!(id = %reported.id, triggers = reported.needs_review.len(), "report filed");
                Ok(Filed {
                    id: Some(reported.id),
                    needs_review: reported.needs_review,
                    repeat: false,
                })
            }
            ReportKind::NotAScam => {
                let level = report.level.map_or("unjudged", Level::as_str);
                let note = format!("bot said {level} in chat {}", report.chat_id);
                self.overruled_in_group(&report.text, &identity, &note)
                    .map_err(report_error)?;
                tracing::info!(chat_id = report.chat_id, "a group admin said not a scam");
                Ok(Filed::default())
            }
            ReportKind::Legitimate => {
                if !self
                    .first_answer(&identity, &report.text)
                    .map_err(report_error)?
                {
                    return Ok(Filed {
                        repeat: true,
                        ..Filed::default()
                    });
                }
                let c = self.community().map_err(report_error)?;
                let hash = c.store.reporter_hash(&identity);
                let excerpt: String = report.text.chars().take(FEEDBACK_EXCERPT).collect();
                let level = report.level.map_or("unjudged", Level::as_str);
                let decision = Decision {
                    actor: hash.to_hex(),
                    action: "feedback-looks-legitimate".into(),
                    target: excerpt,
                    note: format!("bot said {level}"),
                    at: now(),
                    origin: "telegram".into(),
                };
                c.store
                    .log_decision(&decision)
                    .map_err(|e: StoreError| ReportError(e.to_string()))?;
                Ok(Filed::default())
            }
        }
    }

    fn forget(&self, user_id: i64) -> Result<usize, ReportError> {
        Triage::forget(self, &telegram_identity(user_id)).map_err(report_error)
    }
}

fn report_error(e: TriageError) -> ReportError {
    ReportError(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn service(dir: &std::path::Path) -> Triage {
        let settings = Settings::builtin();
        Triage::load(&settings)
            .unwrap()
            .with_store_at(dir, settings.community.clone())
            .unwrap()
    }

    #[test]
    fn preferences_and_reports_survive_a_restart_and_forgetme() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = service(dir.path());
            s.set_user(
                7,
                UserPrefs {
                    lang: Some(Lang::Zh),
                    blocked: false,
                },
            )
            .unwrap();
            let chat = ChatPrefs {
                threshold: WarnAt::Medium,
                dry_run: DryRun::On { report_to: Some(7) },
                ..ChatPrefs::default()
            };
            s.set_chat(-5, chat).unwrap();
            s.move_chat(-5, -1_000_000_005).unwrap();
            s.set_last_update_id(99).unwrap();
            let report = Report {
                kind: ReportKind::Scam,
                reporter_id: 7,
                chat_id: 7,
                text: "我是亚马逊官方招商经理，加微信 amz_vip888".into(),
                hidden_links: Vec::new(),
                level: Some(Level::High),
                family: None,
                origin: None,
            };
            ReportSink::report(&s, report.clone()).unwrap();
            ReportSink::report(
                &s,
                Report {
                    kind: ReportKind::Legitimate,
                    ..report
                },
            )
            .unwrap();
        }
        let s = service(dir.path());
        assert_eq!(s.user(7).unwrap().lang, Some(Lang::Zh));
        assert_eq!(s.chat(-1_000_000_005).unwrap().threshold, WarnAt::Medium);
        assert_eq!(s.chat(-5).unwrap(), ChatPrefs::default());
        let older = StoredChatPrefs {
            threshold: "low".into(),
            lang: None,
            delete_scams: true,
            read_screenshots: false,
            introduced: true,
            dry_run: false,
            dry_run_admin: None,
        };
        s.community()
            .unwrap()
            .store
            .set_chat_prefs(-6, &older)
            .unwrap();
        assert_eq!(
            s.chat(-6).unwrap().threshold,
            WarnAt::Medium,
            "a stored low reads as medium"
        );
        assert_eq!(s.last_update_id().unwrap(), Some(99));
        assert_eq!(s.stats().unwrap().reports_stored, 1);

        assert_eq!(ReportSink::forget(&s, 7).unwrap(), 1);
        s.forget_user(7).unwrap();
        assert_eq!(s.user(7).unwrap(), UserPrefs::default());
        assert_eq!(
            s.chat(-1_000_000_005).unwrap().dry_run,
            DryRun::On { report_to: None },
            "the group stays in dry run, telling no one"
        );
        assert_eq!(s.stats().unwrap().reports_stored, 0);
    }

    #[test]
    fn a_group_admins_not_a_scam_teaches_the_model_and_is_logged() {
        let dir = tempfile::tempdir().unwrap();
        let s = service(dir.path());
        let c = s.community().unwrap();
        let before = c.knowledge.model.read().unwrap().documents();
        let report = Report {
            kind: ReportKind::NotAScam,
            reporter_id: 9,
            chat_id: -100,
            text: "Please pay the customs fee before Friday".into(),
            hidden_links: Vec::new(),
            level: Some(Level::High),
            family: None,
            origin: None,
        };
        ReportSink::report(&s, report).unwrap();
        let after = c.knowledge.model.read().unwrap().documents();
        assert_eq!((after.0, after.1), (before.0, before.1 + 1));
        let logged = c.store.decisions(None, 10).unwrap();
        assert_eq!(logged.len(), 1);
        let (_, decision) = &logged[0];
        assert_eq!(decision.action, "group-not-a-scam");
        assert_eq!(decision.note, "bot said high in chat -100");
        assert_eq!(decision.actor.len(), 64, "a keyed hash, not the raw id");
        assert_eq!(s.stats().unwrap().reports_stored, 0, "nothing to curate");
    }

    #[test]
    fn a_report_handed_in_again_after_a_crash_is_filed_once() {
        let dir = tempfile::tempdir().unwrap();
        let report = |origin: &str| Report {
            kind: ReportKind::Scam,
            reporter_id: 7,
            chat_id: 7,
            text: "Pay the customs fee at http://bit.ly/x today".into(),
            hidden_links: Vec::new(),
            level: Some(Level::High),
            family: None,
            origin: Some(origin.into()),
        };
        let first = ReportSink::report(&service(dir.path()), report("telegram:7:41:7")).unwrap();
        // A crash before the update was marked done: a fresh service (nothing in
        // memory) handles the same update again.
        let s = service(dir.path());
        let again = ReportSink::report(&s, report("telegram:7:41:7")).unwrap();
        let same_process = ReportSink::report(&s, report("telegram:7:41:7")).unwrap();
        assert_eq!(s.stats().unwrap().reports_stored, 1);
        // Another message of the same person about the same text counts once too.
        let other = ReportSink::report(&s, report("telegram:7:42:7")).unwrap();

        assert!(first.id.is_some() && !first.repeat);
        assert_eq!((again.id, again.repeat), (first.id, false), "thanked again");
        assert_eq!((same_process.id, same_process.repeat), (first.id, false));
        assert!(other.repeat);
        assert_eq!(s.stats().unwrap().reports_stored, 1);
        assert_eq!(ReportSink::forget(&s, 7).unwrap(), 1);
        let c = s.community().unwrap();
        assert_eq!(
            c.store
                .report_from(c.store.origin_hash("telegram:7:41:7"))
                .unwrap(),
            None
        );
    }
}
