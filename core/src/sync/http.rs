//! The HTTP transport: the wire types over `reqwest`, zstd bodies, one reused connection pool.
//!
//! TLS is not compiled in yet (plain HTTP to a loopback or LAN server); deployments put Sentra
//! behind a TLS reverse proxy, and the rustls client is the next step for the apps.

use crate::sync::engine::{Exchange, Transport, TransportError};
use crate::sync::wire::{self, ErrorBody, PullRequest, PullResponse, PushRequest, PushResponse};

/// Talks to a Sentra server at `base_url` with a bearer token.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    base_url: String,
    token: String,
}

impl HttpTransport {
    /// A transport for `base_url` (such as `http://127.0.0.1:8080`) and a signed-in token.
    pub fn new(base_url: &str, token: &str) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(20))
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap_or_default();
        HttpTransport {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        }
    }

    async fn exchange<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        request: &Q,
    ) -> Result<Exchange<A>, TransportError> {
        let body = wire::encode(request).map_err(|e| TransportError::Transient(e.to_string()))?;
        let bytes_up = body.len();
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "application/json")
            .header("content-encoding", "zstd")
            .header("authorization", format!("Bearer {}", self.token))
            .body(body)
            .send()
            .await
            .map_err(|e| TransportError::Transient(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TransportError::Transient(e.to_string()))?;
        if status.is_success() {
            let value =
                wire::decode(&bytes).map_err(|e| TransportError::Transient(e.to_string()))?;
            return Ok(Exchange {
                value,
                bytes_up,
                bytes_down: bytes.len(),
            });
        }
        if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
            return Err(TransportError::Transient(format!("HTTP {status}")));
        }
        let code = serde_json::from_slice::<ErrorBody>(&bytes)
            .map_or_else(|_| format!("http_{}", status.as_u16()), |b| b.code);
        Err(TransportError::Refused { code })
    }
}

impl Transport for HttpTransport {
    async fn push(&self, request: &PushRequest) -> Result<Exchange<PushResponse>, TransportError> {
        self.exchange("/v1/sync/push", request).await
    }

    async fn pull(&self, request: &PullRequest) -> Result<Exchange<PullResponse>, TransportError> {
        self.exchange("/v1/sync/pull", request).await
    }
}
