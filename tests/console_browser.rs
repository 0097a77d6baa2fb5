//! The curators' console in a real headless Chromium (Debian `chromium` and
//! `chromium-driver`) driven over WebDriver (fantoccini): a curator logs in with a
//! token, decides a cluster with one click, sees it leave the queue and enter the audit
//! log; a request without a token is refused. Fails (never skips) without chromedriver.

mod support;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::Method;
use serde_json::json;
use support::app::SCAM_EN;
use support::service::TestService;

/// How long chromedriver may take to start and a page to answer.
const WAIT: Duration = Duration::from_secs(30);

/// chromedriver on a free port; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is required (scripts/setup-debian.sh installs chromium-driver)");
    Driver { child, port }
}

/// A headless Chromium session, retried until chromedriver listens (bounded).
async fn browser(driver: &Driver) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}),
    );
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let connected = ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await;
        match connected {
            Ok(client) => return client,
            Err(_) if started.elapsed() < WAIT => {
                // chromedriver is still starting: wait for its port to accept.
                let _ = tokio::net::TcpStream::connect(("127.0.0.1", driver.port)).await;
                tokio::task::yield_now().await;
            }
            Err(e) => panic!("cannot start a Chromium session: {e}"),
        }
    }
}

/// Types `token` into the login form and submits it.
async fn log_in(browser: &Client, token: &str) {
    let field = browser
        .find(Locator::Css("input[name=token]"))
        .await
        .unwrap();
    field.send_keys(token).await.unwrap();
    browser
        .find(Locator::Css("#login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_curator_logs_in_decides_a_cluster_and_finds_it_in_the_audit_log() {
    let service = TestService::start(|_| {}).await;
    let first = service.file_cluster(SCAM_EN).await;

    let anonymous = service.call(Method::GET, "/console", None, None).await;
    assert_eq!(anonymous.status().as_u16(), 401, "no token, no console");
    let forged = service
        .client
        .post(service.url("/console/decide"))
        .form(&[("id", first.as_str()), ("decision", "confirm")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401, "no token, no decision");

    let driver = start_driver();
    let browser = browser(&driver).await;
    browser.goto(&service.url("/console/login")).await.unwrap();
    log_in(&browser, "sg_wrong").await;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#login-failed"))
        .await
        .unwrap();
    log_in(&browser, &service.token).await;
    let group = format!("#group-{first}");
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&group))
        .await
        .unwrap();
    let confirm = format!("{group} button[value=confirm]");
    browser
        .find(Locator::Css(&confirm))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let notice = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#notice"))
        .await
        .unwrap();
    assert!(
        notice.text().await.unwrap().contains('3'),
        "the whole cluster was decided"
    );
    browser
        .find(Locator::Css("#empty"))
        .await
        .expect("the cluster left the queue");

    browser.goto(&service.url("/console/audit")).await.unwrap();
    let audit = browser
        .find(Locator::Css("#audit"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows: Vec<&str> = audit
        .lines()
        .filter(|l| l.contains("confirm") && l.contains("console"))
        .collect();
    assert_eq!(
        rows.len(),
        3,
        "three confirmations by alice from the console: {audit}"
    );
    assert!(rows.iter().all(|r| r.contains("alice")), "{audit}");

    browser
        .goto(&service.url("/console/lang/zh"))
        .await
        .unwrap();
    let page = browser
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("没有待审核的举报"), "{page}");
    browser.goto(&service.url("/console/charts")).await.unwrap();
    let bars = browser.find_all(Locator::Css("svg rect")).await.unwrap();
    assert!(
        !bars.is_empty(),
        "the charts draw the day's reports and decisions"
    );
    browser.close().await.unwrap();
}
