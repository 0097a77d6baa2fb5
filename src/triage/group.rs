//! Group policy: what the bot does about a judged message in a group (nothing, a
//! warning or a deletion), and which language a group reads.
//!
//! Invariants: a low verdict is never acted on; a verdict below the group's threshold
//! (medium or high, see `WarnAt`) gets nothing; a message that warns others about a
//! scam (`Verdict::warns_about_scam`) is never warned about or deleted, whatever its
//! score; only a high verdict is deleted, and only in delete mode; in dry-run mode
//! nothing is done in the group and the admin who turned it on (unless they asked to
//! be forgotten) is told instead. A
//! group's language is its setting, else the language most of its recent messages are
//! written in, never a poster's app language.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::classify::{Lang, Level, TextLang, Verdict};

use super::prefs::{ChatPrefs, DryRun};

/// Messages remembered per group before older ones count half.
const LANG_MEMORY: u32 = 200;

/// What to do about one message in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAction {
    /// Say nothing.
    Ignore,
    /// Reply with a short warning.
    Warn,
    /// Delete it (a warning when the bot may not delete).
    Delete,
}

/// What the bot does about a group message, and to whom it says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupPlan {
    /// What the bot does (or, in dry-run mode, would do).
    pub action: GroupAction,
    /// On: nothing happens in the group; its admin, if any, is told privately.
    pub dry_run: DryRun,
}

/// The plan for `verdict` in a group with settings `chat`: the action, which in
/// dry-run mode is only reported to the admin who turned dry run on.
pub fn plan(verdict: &Verdict, chat: &ChatPrefs) -> GroupPlan {
    let action = action(verdict, chat);
    GroupPlan {
        action,
        dry_run: match action {
            GroupAction::Ignore => DryRun::Off,
            _ => chat.dry_run,
        },
    }
}

/// What the bot does about `verdict` in a group with settings `chat`.
pub fn action(verdict: &Verdict, chat: &ChatPrefs) -> GroupAction {
    if verdict.level == Level::Low
        || verdict.level < chat.threshold.level()
        || verdict.warns_about_scam()
    {
        return GroupAction::Ignore;
    }
    if chat.delete_scams && verdict.level == Level::High {
        GroupAction::Delete
    } else {
        GroupAction::Warn
    }
}

/// How many recent messages of one group were in each language.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    zh: u32,
    en: u32,
}

/// The languages groups write in, counted per chat in memory (lost on restart: a
/// group's language is learnt again from its next messages).
#[derive(Debug, Default)]
pub struct GroupLangs {
    tallies: Mutex<HashMap<i64, Tally>>,
}

impl GroupLangs {
    /// Counts one message of `chat_id` written in `lang`; returns the language most
    /// of the group writes in now (a tie goes to this message's language; a group
    /// with no Chinese or English message yet reads English).
    pub fn observe(&self, chat_id: i64, lang: TextLang) -> Lang {
        let mut tallies = self.lock();
        let tally = tallies.entry(chat_id).or_default();
        match lang {
            TextLang::Zh => tally.zh += 1,
            TextLang::En => tally.en += 1,
            TextLang::Other => {}
        }
        if tally.zh + tally.en > LANG_MEMORY {
            tally.zh /= 2;
            tally.en /= 2;
        }
        match (tally.zh.cmp(&tally.en), lang) {
            (std::cmp::Ordering::Greater, _) | (std::cmp::Ordering::Equal, TextLang::Zh) => {
                Lang::Zh
            }
            _ => Lang::En,
        }
    }

    /// The language most of `chat_id` writes in, if it wrote anything yet.
    pub fn majority(&self, chat_id: i64) -> Option<Lang> {
        let tallies = self.lock();
        let tally = tallies.get(&chat_id)?;
        match tally.zh.cmp(&tally.en) {
            std::cmp::Ordering::Greater => Some(Lang::Zh),
            std::cmp::Ordering::Less => Some(Lang::En),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// A group became a supergroup: its tally now lives under `to`.
    pub fn move_chat(&self, from: i64, to: i64) {
        let mut tallies = self.lock();
        if let Some(tally) = tallies.remove(&from) {
            tallies.insert(to, tally);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Tally>> {
        self.tallies.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::classify::verdict::MEMBER_WARNING_RULE;
    use crate::classify::{Bilingual, Family, Signal};
    use crate::triage::prefs::WarnAt;

    fn verdict(level: Level) -> Verdict {
        Verdict {
            score: 0,
            level,
            family: None,
            lang: TextLang::En,
            signals: Vec::new(),
            indicators: Vec::new(),
        }
    }

    #[test]
    fn low_is_never_acted_on_and_only_high_is_deleted() {
        let chat = |threshold, delete_scams| ChatPrefs {
            threshold,
            delete_scams,
            ..ChatPrefs::default()
        };
        let cases = [
            (Level::Low, WarnAt::Medium, true, GroupAction::Ignore),
            (Level::Medium, WarnAt::High, true, GroupAction::Ignore),
            (Level::Medium, WarnAt::Medium, false, GroupAction::Warn),
            (Level::Medium, WarnAt::Medium, true, GroupAction::Warn),
            (Level::High, WarnAt::High, false, GroupAction::Warn),
            (Level::High, WarnAt::Medium, true, GroupAction::Delete),
        ];
        for (level, threshold, delete, expected) in cases {
            let got = action(&verdict(level), &chat(threshold, delete));
            assert_eq!(got, expected, "{level:?} at {threshold:?}, delete {delete}");
        }
    }

    #[test]
    fn a_warning_about_a_scam_is_left_alone_however_high_it_scores() {
        let mut psa = verdict(Level::High);
        psa.signals.push(Signal {
            rule_id: MEMBER_WARNING_RULE.to_string(),
            family: Family::Legitimate,
            weight: -5,
            evidence: Vec::new(),
            explanation: Arc::new(Bilingual {
                zh: String::new(),
                en: String::new(),
            }),
        });
        let chat = ChatPrefs {
            delete_scams: true,
            ..ChatPrefs::default()
        };
        assert_eq!(action(&psa, &chat), GroupAction::Ignore);
    }

    #[test]
    fn dry_run_tells_the_admin_what_would_happen_and_only_that() {
        let on = DryRun::On {
            report_to: Some(77),
        };
        let chat = ChatPrefs {
            delete_scams: true,
            dry_run: on,
            ..ChatPrefs::default()
        };
        let high = plan(&verdict(Level::High), &chat);
        assert_eq!((high.action, high.dry_run), (GroupAction::Delete, on));
        let low = plan(&verdict(Level::Low), &chat);
        assert_eq!(
            (low.action, low.dry_run),
            (GroupAction::Ignore, DryRun::Off)
        );
        let live = plan(&verdict(Level::High), &ChatPrefs::default());
        assert_eq!(
            (live.action, live.dry_run),
            (GroupAction::Warn, DryRun::Off)
        );
    }

    #[test]
    fn the_group_language_is_what_most_members_write() {
        let langs = GroupLangs::default();
        assert_eq!(langs.majority(-1), None);
        assert_eq!(langs.observe(-1, TextLang::Other), Lang::En);
        assert_eq!(langs.observe(-1, TextLang::Zh), Lang::Zh);
        assert_eq!(
            langs.observe(-1, TextLang::En),
            Lang::En,
            "a tie: this message's"
        );
        assert_eq!(langs.observe(-1, TextLang::En), Lang::En);
        assert_eq!(langs.observe(-1, TextLang::Zh), Lang::Zh);
        assert_eq!(langs.observe(-1, TextLang::Zh), Lang::Zh);
        assert_eq!(langs.majority(-1), Some(Lang::Zh));
        langs.move_chat(-1, -100);
        assert_eq!(langs.majority(-1), None);
        assert_eq!(langs.majority(-100), Some(Lang::Zh));
        for _ in 0..1000 {
            langs.observe(-100, TextLang::En);
        }
        assert_eq!(langs.majority(-100), Some(Lang::En));
    }
}
