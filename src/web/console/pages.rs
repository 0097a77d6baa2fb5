//! The console's pages as maud markup: the frame (navigation, language switch), the
//! login form, the review queue, contacts, the audit log, the dry-run and the charts.
//!
//! Invariants: pure (values in, markup out); every text comes from `text`; every
//! value is escaped by maud; every change is a POST form (one click, no script).

use maud::{DOCTYPE, Markup, html};

use super::charts::stacked;
use super::text::{Key, t};
use crate::classify::Lang;
use crate::triage::activity::Activity;
use crate::triage::contacts::ContactRecord;
use crate::triage::dry_run::DryRun;
use crate::triage::{AuditEntry, PendingGroup};

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;max-width:60em}\
nav a{margin-right:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;\
padding:.2em .5em;text-align:left}.group{border:1px solid #999;margin:1em 0;padding:.5em}\
.notice{background:#ffd;padding:.5em}";

/// A page with the navigation.
pub fn frame(lang: Lang, title: Key, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                title { (t(lang, title)) " · " (t(lang, Key::Title)) }
                style { (STYLE) }
            }
            body {
                nav {
                    a href="/console" { (t(lang, Key::Queue)) }
                    a href="/console/contacts" { (t(lang, Key::Contacts)) }
                    a href="/console/audit" { (t(lang, Key::Audit)) }
                    a href="/console/dry-run" { (t(lang, Key::DryRun)) }
                    a href="/console/charts" { (t(lang, Key::Charts)) }
                    a href="/console/lang/zh" { "中文" }
                    a href="/console/lang/en" { "English" }
                    form method="post" action="/console/logout" style="display:inline" {
                        button type="submit" { (t(lang, Key::Logout)) }
                    }
                }
                h1 { (t(lang, title)) }
                (body)
            }
        }
    }
}

/// The login form, with a failure notice when `failed`.
pub fn login(lang: Lang, failed: bool) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head { meta charset="utf-8"; title { (t(lang, Key::LoginTitle)) } style { (STYLE) } }
            body {
                h1 { (t(lang, Key::LoginTitle)) }
                @if failed { p.notice #login-failed { (t(lang, Key::LoginFailed)) } }
                form method="post" action="/console/login" {
                    label { (t(lang, Key::TokenLabel)) " " input type="password" name="token" autocomplete="off"; }
                    " "
                    button #login type="submit" { (t(lang, Key::LoginButton)) }
                }
                p { a href="/console/lang/zh" { "中文" } " · " a href="/console/lang/en" { "English" } }
            }
        }
    }
}

/// The review queue: each group with its reports and one-click decisions.
pub fn queue(lang: Lang, groups: &[PendingGroup], notice: Option<&str>) -> Markup {
    frame(
        lang,
        Key::Queue,
        html! {
            @if let Some(notice) = notice { p.notice #notice { (notice) } }
            @if groups.is_empty() { p #empty { (t(lang, Key::NoPending)) } }
            @for group in groups {
                @let head = group.reports.first().map(|r| r.id.to_string()).unwrap_or_default();
                div.group id={ "group-" (head) } {
                    h2 { code { (group.key) } " — " (group.reports.len()) " " (t(lang, Key::Reports)) }
                    ul {
                        @for report in &group.reports {
                            li { code { (report.id.to_string()) } " " (crate::triage::card::shorten(&report.text, 160)) }
                        }
                    }
                    form method="post" action="/console/decide" {
                        input type="hidden" name="id" value=(head);
                        button type="submit" name="decision" value="confirm" { (t(lang, Key::Confirm)) }
                        " "
                        button type="submit" name="decision" value="reject" { (t(lang, Key::Reject)) }
                        " "
                        button type="submit" name="decision" value="ignore-reporter" { (t(lang, Key::IgnoreReporter)) }
                    }
                }
            }
        },
    )
}

/// Contact look-up, block and allow, and the judged lists.
pub fn contacts(
    lang: Lang,
    found: Option<&ContactRecord>,
    judged: &[(String, &'static str)],
    notice: Option<&str>,
) -> Markup {
    frame(
        lang,
        Key::Contacts,
        html! {
            @if let Some(notice) = notice { p.notice #notice { (notice) } }
            form method="get" action="/console/contacts" {
                input type="text" name="value" placeholder=(t(lang, Key::ContactValue));
                " " button type="submit" { (t(lang, Key::LookUp)) }
            }
            form method="post" action="/console/contacts" {
                input type="text" name="value" placeholder=(t(lang, Key::ContactValue));
                " " button type="submit" name="action" value="block" { (t(lang, Key::Block)) }
                " " button type="submit" name="action" value="allow" { (t(lang, Key::Allow)) }
            }
            @if let Some(c) = found {
                p #contact {
                    code { (c.key) } ": " (c.reports) " / " (c.reporters) " · "
                    (c.first_seen.map_or("-".into(), |s| s.to_string())) " – "
                    (c.last_seen.map_or("-".into(), |s| s.to_string())) " · " (c.status)
                }
            }
            @for (state, key) in [("blocked", Key::Blocked), ("allowed", Key::Allowed)] {
                h2 { (t(lang, key)) }
                @let keys: Vec<&String> = judged.iter().filter(|(_, s)| *s == state).map(|(k, _)| k).collect();
                @if keys.is_empty() { p { (t(lang, Key::NothingJudged)) } }
                ul { @for k in keys { li { code { (k) } } } }
            }
        },
    )
}

/// The audit log, newest first.
pub fn audit(lang: Lang, entries: &[AuditEntry]) -> Markup {
    frame(
        lang,
        Key::Audit,
        html! {
            table #audit {
                tr {
                    th { (t(lang, Key::When)) } th { (t(lang, Key::Who)) } th { (t(lang, Key::What)) }
                    th { (t(lang, Key::Target)) } th { (t(lang, Key::Origin)) } th { (t(lang, Key::Note)) }
                }
                @for e in entries {
                    tr {
                        td { (e.decision.at) } td { (e.decision.actor) } td { (e.decision.action) }
                        td { code { (e.decision.target) } } td { (e.decision.origin) } td { (e.decision.note) }
                    }
                }
            }
        },
    )
}

/// The dry-run form and, after a run, what would change (or the problems).
pub fn dry_run(lang: Lang, dir: &str, result: Option<Result<&DryRun, &str>>) -> Markup {
    frame(
        lang,
        Key::DryRun,
        html! {
            form method="post" action="/console/dry-run" {
                label { (t(lang, Key::RuleFolder)) " " input type="text" name="dir" value=(dir) size="50"; }
                " " button type="submit" { (t(lang, Key::RunDryRun)) }
            }
            @match result {
                Some(Ok(run)) => {
                    p { (run.judged) " " (t(lang, Key::Judged)) }
                    @if run.changes.is_empty() { p { (t(lang, Key::NoChanges)) } }
                    @else {
                        table {
                            tr { th { (t(lang, Key::Source)) } th { } th { (t(lang, Key::Before)) } th { (t(lang, Key::After)) } }
                            @for c in &run.changes {
                                tr {
                                    td { code { (c.source) } } td { (c.excerpt) }
                                    td { (c.level_before) " " (c.family_before.unwrap_or("")) }
                                    td { (c.level_after) " " (c.family_after.unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
                Some(Err(problems)) => { pre.notice { (problems) } }
                None => {}
            }
        },
    )
}

/// Reports and decisions per day.
pub fn charts(lang: Lang, activity: &Activity) -> Markup {
    frame(
        lang,
        Key::Charts,
        html! {
            (stacked(t(lang, Key::ReportsByFamily), &activity.days, &activity.reports_by_family))
            (stacked(t(lang, Key::ReportsByLang), &activity.days, &activity.reports_by_lang))
            (stacked(t(lang, Key::Decisions), &activity.days, &activity.decisions))
        },
    )
}
