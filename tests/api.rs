//! The JSON API over real HTTP on 127.0.0.1 against a real sled store: the OpenAPI
//! document lists exactly the routes, curator routes need a live token, errors are
//! `{code, message}` with limits, public checks are off by default and limited per
//! client when on, and the curation flow (report, group, decision, audit, contact
//! look-up, rule reload and dry-run) works end to end.

mod support;

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use support::app::{HARMLESS, SCAM_EN};
use support::service::TestService;

/// Every route the API serves, as (method, path).
const EXPECTED_ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/check"),
    ("post", "/api/v1/check/image"),
    ("post", "/api/v1/reports"),
    ("get", "/api/v1/reports/export"),
    ("post", "/api/v1/reports/import"),
    ("post", "/api/v1/reports/forget"),
    ("post", "/api/v1/reports/purge"),
    ("post", "/api/v1/reports/{id}/decision"),
    ("get", "/api/v1/groups"),
    ("post", "/api/v1/groups/{id}/decision"),
    ("get", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/lookup"),
    ("post", "/api/v1/contacts/block"),
    ("post", "/api/v1/contacts/allow"),
    ("get", "/api/v1/stats"),
    ("get", "/api/v1/audit"),
    ("post", "/api/v1/rules/reload"),
    ("post", "/api/v1/rules/dry-run"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{name}"),
    ("get", "/api/v1/backup"),
];

fn method(name: &str) -> Method {
    name.to_uppercase().parse().expect("an HTTP method")
}

/// The entries of the audit log `audit` (as `GET /api/v1/audit` answers) for `action`.
fn audited<'a>(audit: &'a Value, action: &str) -> Vec<&'a Value> {
    let entries = audit.as_array().expect("a list");
    entries.iter().filter(|e| e["action"] == action).collect()
}

async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("errors are JSON");
    assert!(body["message"].is_string(), "{body}");
    (status, body["code"].as_str().expect("a code").to_owned())
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_and_each_one_is_served() {
    let service = TestService::start(|_| {}).await;
    let (status, doc) = service
        .curator(Method::GET, "/api/v1/openapi.json", None)
        .await;
    assert_eq!(status, 200);
    let listed: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            let ops = ops.as_object().expect("operations");
            ops.keys().map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = EXPECTED_ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(listed, expected);
    for (m, path) in EXPECTED_ROUTES
        .iter()
        .filter(|(_, p)| !p.ends_with("openapi.json"))
    {
        let path = path.replace("{id}", "r1").replace("{name}", "bob");
        let response = service.call(method(m), &path, None, None).await;
        assert_eq!(
            error_code(response).await,
            (401, "unauthorized".into()),
            "{m} {path} is served and needs a token"
        );
    }
    let response = service
        .call(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    assert_eq!(error_code(response).await, (404, "not_found".into()));
}

#[tokio::test]
async fn curator_routes_need_a_live_token() {
    let service = TestService::start(|_| {}).await;
    let stats = |token: Option<String>| {
        let service = &service;
        async move {
            service
                .call(Method::GET, "/api/v1/stats", token.as_deref(), None)
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(stats(None).await, 401);
    assert_eq!(stats(Some("sg_wrong".into())).await, 401);
    assert_eq!(stats(Some(service.token.clone())).await, 200);
    let (status, created) = service
        .curator(Method::POST, "/api/v1/tokens", Some(json!({"name": "bob"})))
        .await;
    assert_eq!(status, 200, "{created}");
    let bob = created["secret"].as_str().expect("a secret").to_owned();
    assert_eq!(stats(Some(bob.clone())).await, 200);
    let (_, listed) = service.curator(Method::GET, "/api/v1/tokens", None).await;
    assert!(
        !listed.to_string().contains(&bob),
        "tokens are listed without secrets"
    );
    let (status, _) = service
        .curator(Method::DELETE, "/api/v1/tokens/bob", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(stats(Some(bob)).await, 401, "a revoked token is refused");
}

#[tokio::test]
async fn checks_answer_verdicts_and_errors_are_stable_codes_with_limits() {
    let service = TestService::start(|_| {}).await;
    let (status, verdict) = service
        .curator(
            Method::POST,
            "/api/v1/check",
            Some(json!({"text": SCAM_EN})),
        )
        .await;
    assert_eq!(status, 200, "{verdict}");
    assert_eq!(verdict["level"], "high");
    assert!(
        verdict["card"].as_str().unwrap().contains("High risk"),
        "{verdict}"
    );
    let (_, low) = service
        .curator(
            Method::POST,
            "/api/v1/check",
            Some(json!({"text": HARMLESS, "lang": "zh"})),
        )
        .await;
    assert_eq!(low["level"], "low");

    let anonymous = service
        .call(
            Method::POST,
            "/api/v1/check",
            None,
            Some(json!({"text": SCAM_EN})),
        )
        .await;
    assert_eq!(
        error_code(anonymous).await,
        (401, "unauthorized".into()),
        "public checks are off by default"
    );

    let token = service.token.as_str();
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            service
                .client
                .post(service.url("/api/v1/check"))
                .json(&json!({"text": "  "})),
            422,
            "empty_text",
        ),
        (
            service
                .client
                .post(service.url("/api/v1/check"))
                .body("{not json"),
            400,
            "bad_request",
        ),
        (
            service
                .client
                .post(service.url("/api/v1/check"))
                .json(&json!({"text": "x", "lang": "fr"})),
            400,
            "bad_request",
        ),
        (
            service
                .client
                .post(service.url("/api/v1/check"))
                .body(vec![b' '; 3 << 20]),
            413,
            "payload_too_large",
        ),
        (
            service
                .client
                .post(service.url("/api/v1/check/image"))
                .multipart(reqwest::multipart::Form::new().part(
                    "image",
                    reqwest::multipart::Part::bytes(b"not an image".to_vec()),
                )),
            422,
            "image_unreadable",
        ),
        (
            service
                .client
                .post(service.url("/api/v1/check/image"))
                .multipart(reqwest::multipart::Form::new().part(
                    "image",
                    reqwest::multipart::Part::bytes(vec![0u8; 21 << 20]),
                )),
            413,
            "image_too_large",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.bearer_auth(token).send().await.expect("answers");
        assert_eq!(error_code(response).await, (status, code.into()));
    }
}

#[tokio::test]
async fn public_checks_when_on_are_limited_per_client() {
    let service = TestService::start(|s| {
        s.http.public_check = true;
        s.http.public_checks_per_minute = 2;
    })
    .await;
    let check = || {
        service.call(
            Method::POST,
            "/api/v1/check",
            None,
            Some(json!({"text": SCAM_EN})),
        )
    };
    assert_eq!(check().await.status().as_u16(), 200);
    assert_eq!(check().await.status().as_u16(), 200);
    assert_eq!(
        error_code(check().await).await,
        (429, "rate_limited".into())
    );
    let (status, _) = service
        .curator(
            Method::POST,
            "/api/v1/check",
            Some(json!({"text": SCAM_EN})),
        )
        .await;
    assert_eq!(status, 200, "a curator is not held to the public limit");
    let stats = service.call(Method::GET, "/api/v1/stats", None, None).await;
    assert_eq!(stats.status().as_u16(), 401, "curator routes stay closed");
}

#[tokio::test]
async fn a_cluster_is_decided_once_audited_and_its_contact_looked_up() {
    let service = TestService::start(|_| {}).await;
    let first = service.file_cluster(SCAM_EN).await;
    let (_, groups) = service.curator(Method::GET, "/api/v1/groups", None).await;
    let group = &groups[0];
    assert_eq!(group["reports"].as_array().unwrap().len(), 3, "{groups}");

    let path = format!("/api/v1/groups/{first}/decision");
    let (status, decided) = service
        .curator(
            Method::POST,
            &path,
            Some(json!({"decision": "confirm", "note": "fake customs"})),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["decided"].as_array().unwrap().len(), 3, "{decided}");
    let (status, again) = service
        .curator(Method::POST, &path, Some(json!({"decision": "reject"})))
        .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (409, Some("already_decided"))
    );
    let (_, groups) = service.curator(Method::GET, "/api/v1/groups", None).await;
    assert_eq!(groups, json!([]), "the cluster left the queue");

    let (_, audit) = service.curator(Method::GET, "/api/v1/audit", None).await;
    let confirms = audited(&audit, "confirm");
    assert_eq!(confirms.len(), 3, "{audit}");
    assert!(
        confirms
            .iter()
            .all(|e| e["actor"] == "alice" && e["origin"] == "api"),
        "{audit}"
    );

    let (status, contact) = service
        .curator(
            Method::GET,
            "/api/v1/contacts/lookup?value=http%3A%2F%2Fbit.ly%2Fx%3Fa%3D1%26b%3D2",
            None,
        )
        .await;
    assert_eq!(status, 200, "{contact}");
    assert_eq!(
        (contact["reports"].as_u64(), contact["reporters"].as_u64()),
        (Some(3), Some(3)),
        "{contact}"
    );
    assert_eq!(contact["status"], "blocked");
    assert!(
        contact["summary"]
            .as_str()
            .unwrap()
            .contains("reported 3 time(s) by 3 people")
    );

    let (status, _) = service
        .curator(
            Method::POST,
            "/api/v1/contacts/allow",
            Some(json!({"value": "sellercentral.amazon.com"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, judged) = service.curator(Method::GET, "/api/v1/contacts", None).await;
    let statuses: BTreeSet<&str> = judged
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, BTreeSet::from(["allowed", "blocked"]), "{judged}");
    let (status, bad) = service
        .curator(
            Method::POST,
            "/api/v1/contacts/block",
            Some(json!({"value": "hello"})),
        )
        .await;
    assert_eq!((status, bad["code"].as_str()), (422, Some("not_a_contact")));
}

#[tokio::test]
async fn a_dry_run_shows_what_a_candidate_folder_changes_and_a_broken_one_is_refused() {
    let service = TestService::start(|_| {}).await;
    let (status, _) = service
        .curator(
            Method::POST,
            "/api/v1/reports",
            Some(json!({"text": SCAM_EN, "reporter": "s1"})),
        )
        .await;
    assert_eq!(status, 200);
    let candidate = service.dir.path().join("candidate");
    std::fs::create_dir_all(&candidate).unwrap();
    std::fs::write(
        candidate.join("only.toml"),
        r#"
[cue.never]
keywords = ["zzzz-never"]

[[rule]]
id = "candidate.never"
family = "logistics-fee"
weight = 10
all = ["never"]
explain = { zh = "从不", en = "Never" }
"#,
    )
    .unwrap();
    let (status, run) = service
        .curator(
            Method::POST,
            "/api/v1/rules/dry-run",
            Some(json!({"dir": candidate})),
        )
        .await;
    assert_eq!(status, 200, "{run}");
    let change = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"].as_str().unwrap().starts_with('r'))
        .expect("the stored report changes");
    assert_eq!(
        (
            change["level_before"].as_str(),
            change["level_after"].as_str()
        ),
        (Some("high"), Some("low"))
    );
    let (_, verdict) = service
        .curator(
            Method::POST,
            "/api/v1/check",
            Some(json!({"text": SCAM_EN})),
        )
        .await;
    assert_eq!(verdict["level"], "high", "a dry-run changes nothing");

    std::fs::write(candidate.join("broken.toml"), "[[rule]\n").unwrap();
    let (status, broken) = service
        .curator(
            Method::POST,
            "/api/v1/rules/dry-run",
            Some(json!({"dir": candidate})),
        )
        .await;
    assert_eq!(
        (status, broken["code"].as_str()),
        (422, Some("rules_invalid")),
        "{broken}"
    );
    let (status, reloaded) = service
        .curator(Method::POST, "/api/v1/rules/reload", None)
        .await;
    assert_eq!(status, 200, "{reloaded}");
    assert_eq!(reloaded["rules"], 3);
}

#[tokio::test]
async fn an_import_is_validated_limited_and_audited_once() {
    let service = TestService::start(|_| {}).await;
    let post = |body: Vec<u8>| {
        service
            .client
            .post(service.url("/api/v1/reports/import"))
            .bearer_auth(&service.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let bad_row = json!({"name": "x.jsonl", "data": "{\"text\": \"a\", \"label\": \"maybe\"}\n"});
    let response = post(bad_row.to_string().into_bytes()).await.unwrap();
    assert_eq!(error_code(response).await, (422, "invalid_input".into()));
    let cases = [
        json!({"name": " ", "data": ""}),
        json!({"name": "x.jsonl", "data": "", "as": "decided"}),
        json!({"name": "x.jsonl", "data": "", "extra": 1}),
    ];
    for body in cases {
        let response = post(body.to_string().into_bytes()).await.unwrap();
        assert_eq!(
            error_code(response).await,
            (400, "bad_request".into()),
            "{body}"
        );
    }
    let response = post(vec![b' '; 65 << 20]).await.unwrap();
    assert_eq!(
        error_code(response).await,
        (413, "payload_too_large".into())
    );
    let (_, audit) = service.curator(Method::GET, "/api/v1/audit", None).await;
    assert!(
        !audit.to_string().contains("reports-import"),
        "nothing imported: {audit}"
    );

    // Over the 2 MiB of other JSON bodies: a corpus gets its own limit.
    let filler = "x".repeat(3 << 20);
    let row = |text: &str, label: &str| json!({"text": text, "label": label}).to_string();
    let data = [
        row(SCAM_EN, "scam"),
        row(HARMLESS, "ham"),
        row(&filler, "ham"),
    ]
    .join("\n");
    let body = json!({"name": "corpus.jsonl", "data": data, "as": "confirmed"});
    let response = post(body.to_string().into_bytes()).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let done: Value = response.json().await.unwrap();
    assert_eq!(done, json!({"reports": 1, "legitimate": 2}));
    let (_, stats) = service.curator(Method::GET, "/api/v1/stats", None).await;
    assert_eq!(stats["confirmed"], 1, "{stats}");
    let (_, audit) = service.curator(Method::GET, "/api/v1/audit", None).await;
    let imports = audited(&audit, "reports-import");
    assert_eq!(imports.len(), 1, "one entry for the whole import: {audit}");
    assert_eq!(imports[0]["target"], "corpus.jsonl");
    assert_eq!(imports[0]["origin"], "api");
    assert_eq!(imports[0]["actor"], "alice");
    assert_eq!(
        imports[0]["note"],
        "1 scam report(s), 2 legitimate row(s), as confirmed"
    );
}
