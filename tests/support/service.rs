//! Starts the service as `serve` builds it (a real sled store in a temporary data
//! dir, port 0, no bot) and talks to its HTTP API with a real client.

use reqwest::{Client, Method, Response};
use sellerguard::app::{App, RunningApp};
use sellerguard::config::Settings;
use sellerguard::triage::Curator;
use serde_json::Value;
use tempfile::TempDir;

/// A running service and a curator token for it.
pub struct TestService {
    pub running: RunningApp,
    pub dir: TempDir,
    pub token: String,
    pub client: Client,
}

impl TestService {
    /// The service with `configure`d settings and a token named `alice`.
    pub async fn start(configure: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = super::app::settings(dir.path(), None);
        configure(&mut settings);
        let running = sellerguard::app::start(App::persistent(settings).expect("store opens"))
            .await
            .expect("app starts");
        let token = running
            .triage
            .create_token("alice", &Curator::cli())
            .expect("token")
            .expose()
            .to_owned();
        Self {
            running,
            dir,
            token,
            client: Client::new(),
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.http_addr)
    }

    /// `method path` with `token` (none: anonymous) and a JSON `body`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the service answers")
    }

    /// Files `text` as reported by three people (a cluster for review); returns the
    /// first report's id.
    pub async fn file_cluster(&self, text: &str) -> String {
        let mut ids = Vec::new();
        for reporter in ["s1", "s2", "s3"] {
            let body = serde_json::json!({"text": text, "reporter": reporter});
            let (status, filed) = self
                .curator(Method::POST, "/api/v1/reports", Some(body))
                .await;
            assert_eq!(status, 200, "{filed}");
            ids.push(filed["id"].as_str().expect("an id").to_owned());
        }
        ids.swap_remove(0)
    }

    /// As a curator: `method path` with `body`; returns status and JSON.
    pub async fn curator(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let response = self.call(method, path, Some(&self.token), body).await;
        let status = response.status().as_u16();
        let json = response.json().await.unwrap_or(Value::Null);
        (status, json)
    }
}
