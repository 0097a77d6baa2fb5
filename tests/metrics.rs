//! `GET /metrics` over real HTTP, parsed by a Prometheus text parser: checks by level,
//! family, language and source (API and the CLI through the running service), the
//! check latency histogram, reports filed, decided and pending, the rule-set
//! version after a reload, and failed Bot API calls by method and code against the
//! fake Bot API. A scrape needs a curator token unless `[http] public_metrics` is on.

mod support;

use std::time::Duration;

use reqwest::Method;
use sellerguard::triage::Curator;
use serde_json::{Value, json};
use support::app::{HARMLESS, SCAM_EN, TestApp, WAIT};
use support::fake_bot_api::TestUser;
use support::service::TestService;

/// Long enough for teloxide's 10 s pause after a 5xx.
const SLOW_WAIT: Duration = Duration::from_secs(60);

/// The parsed exposition.
async fn scrape(service: &TestService) -> prometheus_parse::Scrape {
    let token = Some(service.token.as_str());
    let response = service.call(Method::GET, "/metrics", token, None).await;
    assert_eq!(response.status().as_u16(), 200);
    parse(&response.text().await.unwrap())
}

/// `text` parsed as Prometheus text format.
fn parse(text: &str) -> prometheus_parse::Scrape {
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    prometheus_parse::Scrape::parse(lines).expect("Prometheus text format")
}

/// The value of `name` whose labels include every pair of `labels`.
fn value(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let sample = scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))?;
    match &sample.value {
        prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Untyped(v) => Some(*v),
        prometheus_parse::Value::Histogram(buckets) => buckets.last().map(|b| b.count),
        prometheus_parse::Value::Summary(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_checks_reports_and_rule_reloads() {
    let service = TestService::start(|_| {}).await;
    for text in [SCAM_EN, SCAM_EN, HARMLESS] {
        let (status, _) = service
            .curator(Method::POST, "/api/v1/check", Some(json!({"text": text})))
            .await;
        assert_eq!(status, 200);
    }
    let data = service.dir.path().join("data");
    let by_cli = tokio::task::spawn_blocking(move || support::cli::ok(&data, &["check", SCAM_EN]));
    by_cli.await.unwrap();
    let (_, filed) = service
        .curator(
            Method::POST,
            "/api/v1/reports",
            Some(json!({"text": SCAM_EN, "reporter": "s1"})),
        )
        .await;
    service
        .curator(
            Method::POST,
            "/api/v1/reports",
            Some(json!({"text": HARMLESS, "reporter": "s2"})),
        )
        .await;
    let id = filed["id"].as_str().unwrap();
    let path = format!("/api/v1/reports/{id}/decision");
    service
        .curator(Method::POST, &path, Some(json!({"decision": "confirm"})))
        .await;
    service
        .curator(Method::POST, "/api/v1/rules/reload", None)
        .await;

    let scrape = scrape(&service).await;
    let high_api = [
        ("level", "high"),
        ("family", "logistics-fee"),
        ("lang", "en"),
        ("source", "api"),
    ];
    assert_eq!(
        value(&scrape, "sellerguard_checks_total", &high_api),
        Some(2.0)
    );
    let low_api = [("level", "low"), ("family", "none"), ("source", "api")];
    assert_eq!(
        value(&scrape, "sellerguard_checks_total", &low_api),
        Some(1.0)
    );
    let cli = [("level", "high"), ("source", "cli")];
    assert_eq!(value(&scrape, "sellerguard_checks_total", &cli), Some(1.0));
    let latency = [("source", "api")];
    assert_eq!(
        value(&scrape, "sellerguard_check_seconds", &latency),
        Some(3.0)
    );
    assert_eq!(
        value(&scrape, "sellerguard_reports_filed_total", &[]),
        Some(2.0)
    );
    let confirmed = [("decision", "confirm")];
    assert_eq!(
        value(&scrape, "sellerguard_reports_decided_total", &confirmed),
        Some(1.0)
    );
    assert_eq!(
        value(&scrape, "sellerguard_reports_pending", &[]),
        Some(1.0)
    );
    assert_eq!(value(&scrape, "sellerguard_rules_version", &[]), Some(2.0));
    assert_eq!(value(&scrape, "sellerguard_rules", &[]), Some(3.0));
    assert_eq!(
        value(&scrape, "sellerguard_ocr_jobs_in_flight", &[]),
        Some(0.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_bot_api_calls_are_counted_by_method_and_code() {
    let app = TestApp::start_persistent(|_| {}).await;
    let polls = app.fake.calls_to("getUpdates").len();
    app.fake.refuse_next(
        "getUpdates",
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    );
    app.fake.wait_for_calls("getUpdates", polls + 2, WAIT).await;
    app.fake
        .refuse_next("sendMessage", 500, "Internal Server Error");
    app.fake
        .enqueue_update(app.fake.private_text(&TestUser::alice(), SCAM_EN));
    let sent = app.fake.wait_for_sent(1, SLOW_WAIT).await;
    assert!(sent[0].text.starts_with("🚨"), "{}", sent[0].text);

    let url = format!("http://{}/metrics", app.running.http_addr);
    let token = app
        .running
        .triage
        .create_token("prometheus", &Curator::cli())
        .unwrap();
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    let scrape = parse(&text);
    let errors = "sellerguard_bot_api_errors_total";
    let send_500 = [("method", "sendMessage"), ("code", "500")];
    assert_eq!(value(&scrape, errors, &send_500), Some(1.0), "{text}");
    let poll_409 = [("method", "getUpdates"), ("code", "409")];
    assert_eq!(value(&scrape, errors, &poll_409), Some(1.0), "{text}");
    let samples = scrape.samples.iter().filter(|s| s.metric == errors);
    assert_eq!(samples.count(), 2, "nothing else failed: {text}");
    app.running.shutdown().await.unwrap();
}

#[tokio::test]
async fn metrics_want_a_live_curator_token_unless_public() {
    let service = TestService::start(|_| {}).await;
    for token in [None, Some("not-a-token")] {
        let response = service.call(Method::GET, "/metrics", token, None).await;
        assert_eq!(response.status().as_u16(), 401, "token {token:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{body}");
    }
    let token = Some(service.token.as_str());
    let response = service.call(Method::GET, "/metrics", token, None).await;
    assert_eq!(response.status().as_u16(), 200);
    service
        .running
        .triage
        .revoke_token("alice", &Curator::cli())
        .unwrap();
    let response = service.call(Method::GET, "/metrics", token, None).await;
    assert_eq!(response.status().as_u16(), 401, "a revoked token stops");

    let public = TestService::start(|s| s.http.public_metrics = true).await;
    let response = public.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("sellerguard_rules "), "{text}");
}
