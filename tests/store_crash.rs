//! Crash test: a child process writes reports from several threads and prints each
//! acknowledged id; the parent kills it with SIGKILL at different moments, reopens the
//! store and checks that every acknowledged write is there and the store still works.
//!
//! The child is this same test binary re-executed with `--exact child_process_entry`
//! and `SELLERGUARD_CRASH_CHILD_DIR` set; without that variable the entry does nothing.
//! Synchronisation is by reading the child's output, never by sleeping.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

use sellerguard::store::{NewReport, ReportId, ReportSource, ReportStatus, Store, StoreOptions};

const CHILD_ENV: &str = "SELLERGUARD_CRASH_CHILD_DIR";
const WRITERS: u64 = 4;

fn text_for(writer: u64, seq: u64) -> String {
    format!("crash test writer {writer} report {seq}")
}

/// The fingerprint the child keeps for a confirmed report: derived from its text.
fn fingerprint_of(text: &str) -> Vec<u32> {
    text.bytes().map(u32::from).collect()
}

fn new_report(store: &Store, writer: u64, seq: u64) -> NewReport {
    NewReport {
        text: text_for(writer, seq),
        indicators: vec![
            format!("phone:+86{}", seq % 50),
            format!("domain:w{writer}.top"),
        ],
        source: ReportSource::Group,
        reporter: store.reporter_hash(&format!("user-{writer}")),
        at: 1_700_000_000 + seq,
    }
}

/// The child: write forever from several threads, printing `ack <id> <writer> <seq>`
/// after each report is acknowledged and `conf <id>` after each confirmation.
#[test]
fn child_process_entry() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let store = Store::open(Path::new(&dir), StoreOptions::default()).expect("child open");
    thread::scope(|s| {
        for writer in 0..WRITERS {
            let store = store.clone();
            s.spawn(move || {
                for seq in 0.. {
                    let id = store
                        .add_report(&new_report(&store, writer, seq))
                        .expect("add");
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ack {} {writer} {seq}", id.0).expect("stdout");
                    drop(out);
                    if writer == 0 && seq % 5 == 0 {
                        store
                            .set_status(id, ReportStatus::Confirmed, 1, fingerprint_of)
                            .expect("confirm");
                        writeln!(std::io::stdout().lock(), "conf {}", id.0).expect("stdout");
                    }
                }
            });
        }
    });
}

/// What the parent learned from the child's output.
#[derive(Default)]
struct Acks {
    reports: BTreeMap<u64, (u64, u64)>,
    confirmed: Vec<u64>,
}

/// Run one child, SIGKILL it after `kill_after` report acks, and collect every ack it printed.
fn run_child_and_kill(dir: &Path, kill_after: usize, acks: &mut Acks) {
    let exe = std::env::current_exe().expect("current exe");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("piped stdout");
    let lines = BufReader::new(stdout).lines();
    let mut seen = 0;
    let mut killed = false;
    for line in lines {
        let line = line.expect("read child output");
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["ack", id, writer, seq] => {
                let parse = |s: &str| s.parse::<u64>().expect("number in ack");
                acks.reports.insert(parse(id), (parse(writer), parse(seq)));
                seen += 1;
            }
            ["conf", id] => acks.confirmed.push(id.parse().expect("number in conf")),
            _ => continue, // libtest's own chatter
        }
        if seen >= kill_after && !killed {
            child.kill().expect("SIGKILL child");
            killed = true;
            // Keep reading: everything printed before death was acknowledged too.
        }
    }
    child.wait().expect("reap child");
    assert!(killed, "child exited after {seen} acks before being killed");
}

/// Reopen after a crash and check every acknowledged write, then write once more.
fn verify(dir: &Path, acks: &Acks) {
    let store = Store::open(dir, StoreOptions::default()).expect("store opens after SIGKILL");
    for (&id, &(writer, seq)) in &acks.reports {
        let report = store
            .get_report(ReportId(id))
            .expect("readable")
            .unwrap_or_else(|| panic!("acknowledged report {id} lost"));
        assert_eq!(report.text, text_for(writer, seq));
    }
    for &id in &acks.confirmed {
        let report = store.get_report(ReportId(id)).unwrap().unwrap();
        assert_eq!(
            report.status,
            ReportStatus::Confirmed,
            "confirmation of {id} lost"
        );
    }
    // Counters and the report tree moved together, whatever the moment of the kill.
    let stats = store.stats().expect("stats");
    let stored = store
        .export()
        .inspect(|r| assert!(r.is_ok(), "record does not decode: {r:?}"))
        .count() as u64;
    assert_eq!(stats.reports_stored, stored);
    assert!(stored >= acks.reports.len() as u64);
    let mut fingerprints = 0;
    for kept in store.fingerprints() {
        let kept = kept.expect("fingerprint decodes");
        let report = store.get_report(kept.report).unwrap().expect("its report");
        assert_eq!(kept.fingerprint, fingerprint_of(&report.text));
        fingerprints += 1;
    }
    assert_eq!(fingerprints, stats.confirmed);
    let pending = store
        .pending_reports(None, usize::MAX)
        .expect("pending")
        .len() as u64;
    assert_eq!(pending, stats.pending);

    let id = store
        .add_report(&new_report(&store, 99, 0))
        .expect("accepts writes");
    assert!(store.get_report(id).unwrap().is_some());
}

#[test]
fn acknowledged_reports_survive_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut acks = Acks::default();
    for kill_after in [1, 150, 400, 700] {
        run_child_and_kill(dir.path(), kill_after, &mut acks);
        verify(dir.path(), &acks);
    }
    assert!(
        acks.reports.len() >= 1250,
        "only {} acks",
        acks.reports.len()
    );
}
