//! Curators' tokens and the audit log through the real binary: a secret is printed
//! once and never listed, it authenticates until revoked, and every curator action
//! (token changes, reviews, blocks) lands in the audit log with who, what and where.

mod support;

use std::path::Path;

use sellerguard::config::Settings;
use sellerguard::triage::{Origin, Triage};
use support::cli::{ok, run as sellerguard};

fn service(data: &Path) -> Triage {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let mut settings = Settings::builtin();
    settings.data_dir = data.to_owned();
    Triage::open(&settings).expect("store opens")
}

#[test]
fn a_token_authenticates_until_revoked_and_is_never_listed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let secret = ok(&data, &["token", "create", "--name", "alice"]);
    let secret = secret.trim();
    assert!(secret.starts_with("sg_") && secret.len() > 40, "{secret}");
    let (code, _, stderr) = sellerguard(&data, &["token", "create", "--name", "alice"]);
    assert_eq!(code, 2, "a live name cannot be created twice");
    assert!(stderr.contains("exists already"), "{stderr}");
    let listed = ok(&data, &["token", "list"]);
    assert!(
        listed.contains("alice") && listed.contains("live"),
        "{listed}"
    );
    assert!(!listed.contains(secret), "the secret is never listed");

    let triage = service(&data);
    let who = triage.authenticate(secret, Origin::Api).unwrap();
    assert_eq!(
        who.map(|c| (c.name, c.origin)),
        Some(("alice".into(), Origin::Api))
    );
    assert_eq!(triage.authenticate("sg_guess", Origin::Api).unwrap(), None);
    drop(triage);

    ok(&data, &["token", "revoke", "alice"]);
    let (code, _, stderr) = sellerguard(&data, &["token", "revoke", "alice"]);
    assert_eq!(code, 2, "{stderr}");
    let triage = service(&data);
    assert_eq!(triage.authenticate(secret, Origin::Api).unwrap(), None);
    drop(triage);
    assert!(ok(&data, &["token", "list"]).contains("revoked at"));
}

#[test]
fn every_curator_action_is_in_the_audit_log_with_its_origin() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["token", "create", "--name", "bob"]);
    let id = ok(
        &data,
        &[
            "reports",
            "add",
            "--text",
            "Pay the customs fee at http://bit.ly/x",
            "--reporter",
            "seller-1",
        ],
    );
    let id = id.lines().next().unwrap().trim().to_owned();
    ok(
        &data,
        &["reports", "review", &id, "--confirm", "--note", "fake"],
    );
    ok(&data, &["indicators", "allow", "sellercentral.amazon.com"]);
    ok(&data, &["token", "revoke", "bob"]);

    let triage = service(&data);
    let log: Vec<_> = triage
        .audit(None, 100)
        .unwrap()
        .into_iter()
        .map(|e| {
            let d = e.decision;
            (d.actor, d.action, d.target, d.origin)
        })
        .collect();
    let cli =
        |action: &str, target: &str| ("cli".into(), action.into(), target.into(), "cli".into());
    assert_eq!(
        log,
        vec![
            cli("token-create", "bob"),
            cli("confirm", &id),
            cli("allow", "url:sellercentral.amazon.com"),
            cli("token-revoke", "bob"),
        ]
    );
}
