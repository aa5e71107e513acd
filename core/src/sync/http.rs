//! The HTTP transport: the wire types over `reqwest`, zstd bodies, one reused connection pool.
//!
//! HTTPS goes through rustls (aws-lc-rs) and the platform's certificate store (no OpenSSL on
//! the phone); plain HTTP serves loopback and tests. Deployments put the server
//! behind a TLS reverse proxy (see docs/SECURITY.md).

use crate::sync::engine::{Exchange, Transport, TransportError};
use crate::sync::wire::{
    self, ErrorBody, PhotoAck, PullRequest, PullResponse, PushRequest, PushResponse,
};
use crate::sync::wire::{LoginRequest, LoginResponse};

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

    /// Signs in (a producer's phone and PIN, or a staff name and password) and returns a
    /// transport carrying the new token, with the server's answer.
    pub async fn sign_in(
        base_url: &str,
        device: crate::Id,
        login: &str,
        secret: &str,
    ) -> Result<(HttpTransport, LoginResponse), TransportError> {
        let mut transport = HttpTransport::new(base_url, "");
        let request = LoginRequest {
            version: wire::PROTOCOL_VERSION,
            device_id: device,
            login: login.to_owned(),
            secret: secret.to_owned(),
        };
        let answer: Exchange<LoginResponse> = transport.exchange("/v1/login", &request).await?;
        transport.token = answer.value.token.clone();
        Ok((transport, answer.value))
    }

    async fn exchange<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        request: &Q,
    ) -> Result<Exchange<A>, TransportError> {
        let body = wire::encode(request).map_err(|e| TransportError::Transient(e.to_string()))?;
        let bytes_up = body.len();
        let request = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "application/json")
            .header("content-encoding", "zstd")
            .body(body);
        let (value, bytes_down) = self.send(request, |bytes| wire::decode(bytes).ok()).await?;
        Ok(Exchange {
            value,
            bytes_up,
            bytes_down,
        })
    }

    /// Sends a request and reads its answer with `read`; sorts failures into transient (worth a
    /// retry) and refused (the server's stable code).
    async fn send<A>(
        &self,
        request: reqwest::RequestBuilder,
        read: impl FnOnce(&[u8]) -> Option<A>,
    ) -> Result<(A, usize), TransportError> {
        let response = request
            .header("authorization", format!("Bearer {}", self.token))
            .send()
            .await
            .map_err(|e| TransportError::Transient(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TransportError::Transient(e.to_string()))?;
        if status.is_success() {
            let value = read(&bytes)
                .ok_or_else(|| TransportError::Transient("unreadable answer".into()))?;
            return Ok((value, bytes.len()));
        }
        let code = serde_json::from_slice::<ErrorBody>(&bytes)
            .map_or_else(|_| format!("http_{}", status.as_u16()), |b| b.code);
        // Too many wrong secrets is the person's to hear about (and to wait out), not a busy
        // server to retry quietly: it keeps its code.
        let sign_in_throttled = matches!(code.as_str(), "too_many_attempts" | "locked_out");
        if status.is_server_error()
            || status.as_u16() == 408
            || (status.as_u16() == 429 && !sign_in_throttled)
        {
            return Err(TransportError::Transient(format!("HTTP {status}")));
        }
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

    async fn upload_chunk(
        &self,
        hash: &str,
        offset: u64,
        total: u64,
        chunk: &[u8],
    ) -> Result<Exchange<PhotoAck>, TransportError> {
        let url = format!(
            "{}/v1/photos/{hash}?offset={offset}&total={total}",
            self.base_url
        );
        let request = self
            .client
            .put(url)
            .header("content-type", "image/jpeg")
            .body(chunk.to_vec());
        let (value, bytes_down) = self
            .send(request, |b| serde_json::from_slice(b).ok())
            .await?;
        Ok(Exchange {
            value,
            bytes_up: chunk.len(),
            bytes_down,
        })
    }

    async fn upload_status(&self, hash: &str) -> Result<Exchange<PhotoAck>, TransportError> {
        let request = self
            .client
            .get(format!("{}/v1/photos/{hash}/status", self.base_url));
        let (value, bytes_down) = self
            .send(request, |b| serde_json::from_slice(b).ok())
            .await?;
        Ok(Exchange {
            value,
            bytes_up: 0,
            bytes_down,
        })
    }

    async fn download(&self, hash: &str) -> Result<Exchange<Vec<u8>>, TransportError> {
        let request = self
            .client
            .get(format!("{}/v1/photos/{hash}", self.base_url));
        let (value, bytes_down) = self.send(request, |b| Some(b.to_vec())).await?;
        Ok(Exchange {
            value,
            bytes_up: 0,
            bytes_down,
        })
    }
}
