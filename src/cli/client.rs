//! The command line as a client of a running service: finds it through the service
//! file in the data directory and calls its JSON API with the service's CLI token.
//!
//! Invariants: reqwest lives only here in the CLI; an error answer becomes one
//! sentence (the API's message), never a chain; a service file nobody answers for
//! (the process died) counts as no service.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, anyhow};
use serde_json::Value;

use crate::config::Secret;
use crate::triage::service_file;

/// How long the CLI waits for the service to answer its first request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one request may take (a backup or dry-run reads the whole store).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// A connection to the running service.
pub struct ServiceClient {
    base: String,
    token: Secret,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl ServiceClient {
    /// The service that holds `data_dir`, when its file is there and it answers.
    pub fn connect(data_dir: &Path) -> anyhow::Result<Option<Self>> {
        let Some(file) = service_file::read(data_dir) else {
            return Ok(None);
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the HTTP client")?;
        let _inside = runtime.enter();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .context("cannot start the HTTP client")?;
        let health = runtime.block_on(http.get(format!("{}/healthz", file.url)).send());
        if health.is_err() {
            return Ok(None);
        }
        Ok(Some(Self {
            base: file.url,
            token: Secret::new(file.token),
            http,
            runtime,
        }))
    }

    /// `GET path` as JSON.
    pub fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.json(self.http.get(self.url(path)))
    }

    /// `POST path` with a JSON `body`, answered as JSON.
    pub fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.json(self.http.post(self.url(path)).json(body))
    }

    /// `DELETE path` as JSON.
    pub fn delete(&self, path: &str) -> anyhow::Result<Value> {
        self.json(self.http.delete(self.url(path)))
    }

    /// `GET path` as raw bytes.
    pub fn get_bytes(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let request = self.http.get(self.url(path));
        self.runtime.block_on(async {
            let response = self.send(request).await?;
            Ok(response.bytes().await?.to_vec())
        })
    }

    /// `POST path` with a multipart form of `image` and text `fields`.
    pub fn post_image(
        &self,
        path: &str,
        image: Vec<u8>,
        fields: &[(&str, Option<&str>)],
    ) -> anyhow::Result<Value> {
        let mut form =
            reqwest::multipart::Form::new().part("image", reqwest::multipart::Part::bytes(image));
        for (name, value) in fields {
            if let Some(value) = value {
                form = form.text(name.to_string(), value.to_string());
            }
        }
        self.json(self.http.post(self.url(path)).multipart(form))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn json(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        self.runtime.block_on(async {
            let response = self.send(request).await?;
            Ok(response.json().await?)
        })
    }

    /// Sends with the token; an error answer becomes its message.
    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
        let response = request
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| anyhow!("the running service at {} did not answer: {e}", self.base))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        match body["message"].as_str() {
            Some(message) => Err(anyhow!("{message}")),
            None => Err(anyhow!("the running service answered {status}")),
        }
    }
}
