//! The HTTP transport: the wire types over `reqwest`, zstd bodies, one reused connection pool.
//!
//! It asks for pull pages in columns and reads whichever format comes back, asks for and reads
//! cursors ahead and bounded ranges ([`crate::sync::pull`]), and it remembers
//! from each answer whether the server applies pushes in order (see the module docs of
//! [`crate::sync::wire`]), so the engine may keep several batches on their way.
//!
//! HTTPS goes through rustls with bundled roots (`tls.rs` says why; no OpenSSL on the phone);
//! plain HTTP serves loopback and tests. Deployments put the server behind a TLS reverse proxy
//! (see docs/SECURITY.md).

use crate::sync::engine::{Exchange, Transport, TransportError};
use crate::sync::pull::{PullHead, PullPage};
use crate::sync::tls::{self, ExtraRoots};
use crate::sync::wire::{
    self, ErrorBody, PhotoAck, PullRequest, PullResponse, PushRequest, PushResponse,
};
use crate::sync::wire::{ColumnsPage, LoginRequest, LoginResponse};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Talks to a Sentra server at `base_url` with a bearer token.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    base_url: String,
    token: String,
    /// Speak only protocol version 1's bodies and headers, as an app from before columns
    /// and ordered pushes (tests and benchmarks of an old phone against this server).
    version_1_only: bool,
    /// The last push or pull answer named [`wire::PUSH_AFTER`].
    server_orders_pushes: Arc<AtomicBool>,
    /// What the last push or pull answer named in [`wire::FEATURES_HEADER`].
    features: Arc<std::sync::Mutex<Option<String>>>,
}

impl HttpTransport {
    /// A transport for `base_url` (such as `http://127.0.0.1:8080`) and a signed-in token.
    pub fn new(base_url: &str, token: &str) -> Self {
        Self::trusting(base_url, token, &ExtraRoots::none())
    }

    /// A transport that also trusts the CAs in `extra` (a private deployment's own CA).
    pub fn trusting(base_url: &str, token: &str, extra: &ExtraRoots) -> Self {
        let connect = std::time::Duration::from_secs(20);
        let whole = std::time::Duration::from_secs(120);
        // An unparsable extra root leaves the bundled roots alone in charge.
        let client = tls::http_client(extra, connect, whole)
            .or_else(|| tls::http_client(&ExtraRoots::none(), connect, whole))
            .unwrap_or_default();
        HttpTransport {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            version_1_only: false,
            server_orders_pushes: Arc::new(AtomicBool::new(false)),
            features: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    /// The same transport speaking as an app from before columns and ordered pushes: plain
    /// pull pages, one push batch at a time (to test and measure old phones against a server).
    pub fn version_1_only(mut self) -> Self {
        self.version_1_only = true;
        self.server_orders_pushes = Arc::new(AtomicBool::new(false));
        self.features = Arc::new(std::sync::Mutex::new(None));
        self
    }

    /// Signs in (a producer's phone and PIN, or a staff name and password) and returns a
    /// transport carrying the new token, with the server's answer.
    pub async fn sign_in(
        base_url: &str,
        device: crate::Id,
        login: &str,
        secret: &str,
    ) -> Result<(HttpTransport, LoginResponse), TransportError> {
        Self::sign_in_trusting(base_url, &ExtraRoots::none(), device, login, secret).await
    }

    /// [`HttpTransport::sign_in`] to a server whose certificate may also chain to `extra`.
    pub async fn sign_in_trusting(
        base_url: &str,
        extra: &ExtraRoots,
        device: crate::Id,
        login: &str,
        secret: &str,
    ) -> Result<(HttpTransport, LoginResponse), TransportError> {
        let mut transport = HttpTransport::trusting(base_url, "", extra);
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
        self.exchange_with(path, request, &[], |_, bytes| wire::decode(bytes).ok())
            .await
    }

    /// Posts `request` as a zstd JSON body with extra `headers`, and reads the answer with
    /// `read` (given the answer's headers).
    async fn exchange_with<Q: serde::Serialize, A>(
        &self,
        path: &str,
        request: &Q,
        headers: &[(&str, String)],
        read: impl FnOnce(&reqwest::header::HeaderMap, &[u8]) -> Option<A>,
    ) -> Result<Exchange<A>, TransportError> {
        self.exchange_heard(path, request, headers, |_| {}, read)
            .await
    }

    /// [`HttpTransport::exchange_with`], showing a successful answer's headers to `on_head` as
    /// soon as they arrive, before its body.
    async fn exchange_heard<Q: serde::Serialize, A>(
        &self,
        path: &str,
        request: &Q,
        headers: &[(&str, String)],
        on_head: impl FnOnce(&reqwest::header::HeaderMap),
        read: impl FnOnce(&reqwest::header::HeaderMap, &[u8]) -> Option<A>,
    ) -> Result<Exchange<A>, TransportError> {
        let body = wire::encode(request).map_err(|e| TransportError::Transient(e.to_string()))?;
        let bytes_up = body.len();
        let mut request = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "application/json")
            .header("content-encoding", "zstd");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let (value, bytes_down) = self.send(request.body(body), on_head, read).await?;
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
        on_head: impl FnOnce(&reqwest::header::HeaderMap),
        read: impl FnOnce(&reqwest::header::HeaderMap, &[u8]) -> Option<A>,
    ) -> Result<(A, usize), TransportError> {
        let response = request
            .header("authorization", format!("Bearer {}", self.token))
            .send()
            .await
            .map_err(|e| TransportError::Transient(with_causes(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        if status.is_success() {
            on_head(&headers);
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TransportError::Transient(e.to_string()))?;
        if status.is_success() {
            let value = read(&headers, &bytes)
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

impl HttpTransport {
    /// A push, with the entry it follows if one may still be on its way.
    async fn push_following(
        &self,
        request: &PushRequest,
        after: Option<i64>,
        clock_ms: Option<i64>,
    ) -> Result<Exchange<PushResponse>, TransportError> {
        let headers: Vec<(&str, String)> = after
            .map(|after| (wire::PUSH_AFTER_HEADER, after.to_string()))
            .into_iter()
            .chain(clock_ms.map(|ms| (wire::DEVICE_CLOCK_HEADER, ms.to_string())))
            .collect();
        self.exchange_with("/v1/sync/push", request, &headers, |headers, bytes| {
            self.learn(headers);
            wire::decode(bytes).ok()
        })
        .await
    }

    /// Remembers what the server said it does.
    fn learn(&self, headers: &reqwest::header::HeaderMap) {
        if self.version_1_only {
            return;
        }
        let features = headers
            .get(wire::FEATURES_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let orders = features.split(',').any(|f| f.trim() == wire::PUSH_AFTER);
        self.server_orders_pushes.store(orders, Ordering::SeqCst);
        *self.features.lock().unwrap_or_else(|e| e.into_inner()) = Some(features.to_owned());
    }

    /// A pull page, bounded by `until`, with up to `ahead` cursors ahead, held by the server
    /// until it has answered the entry `after_push` if set; with whether the answer names
    /// [`wire::PULL_AFTER_PUSH`] (the server held it).
    async fn pull_with(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
        after_push: Option<i64>,
        head: Option<&PullHead>,
    ) -> Result<Exchange<(PullPage, bool)>, TransportError> {
        let mut headers: Vec<(&str, String)> = Vec::new();
        if !self.version_1_only {
            headers.push((
                wire::PAGE_FORMAT_HEADER,
                crate::sync::columns::COLUMNS.to_owned(),
            ));
            if let Some(until) = until {
                headers.push((wire::PULL_UNTIL_HEADER, until.to_owned()));
            }
            if ahead > 0 {
                headers.push((wire::PULL_AHEAD_HEADER, ahead.to_string()));
            }
            if let Some(after) = after_push {
                headers.push((wire::PULL_AFTER_PUSH_HEADER, after.to_string()));
            }
        }
        let tell = |headers: &reqwest::header::HeaderMap| {
            let next = headers
                .get(wire::PULL_NEXT_HEADER)
                .and_then(|v| v.to_str().ok());
            if let (Some(head), Some(next)) = (head, next) {
                head.tell(next.to_owned(), cursors_ahead(headers));
            }
        };
        self.exchange_heard(
            "/v1/sync/pull",
            request,
            &headers,
            tell,
            |headers, bytes| {
                self.learn(headers);
                let ahead = cursors_ahead(headers);
                let waited = headers
                    .get(wire::FEATURES_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|f| crate::sync::server_features::names(f, wire::PULL_AFTER_PUSH));
                Some((
                    PullPage {
                        page: read_page(headers, bytes)?,
                        ahead,
                    },
                    waited,
                ))
            },
        )
        .await
    }
}

/// The cursors ahead an answer names ([`wire::PULL_AHEAD_HEADER`]), oldest first.
fn cursors_ahead(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get(wire::PULL_AHEAD_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a pull page in whichever format the answer names.
fn read_page(headers: &reqwest::header::HeaderMap, bytes: &[u8]) -> Option<PullResponse> {
    let format = headers
        .get(wire::PAGE_FORMAT_HEADER)
        .and_then(|v| v.to_str().ok());
    if format == Some(crate::sync::columns::COLUMNS) {
        let page: ColumnsPage = wire::decode(bytes).ok()?;
        PullResponse::try_from(page).ok()
    } else {
        wire::decode(bytes).ok()
    }
}

impl Transport for HttpTransport {
    async fn push(&self, request: &PushRequest) -> Result<Exchange<PushResponse>, TransportError> {
        self.push_following(request, None, None).await
    }

    async fn pull(&self, request: &PullRequest) -> Result<Exchange<PullResponse>, TransportError> {
        let exchange = self.pull_range(request, None, 0).await?;
        Ok(Exchange {
            value: exchange.value.page,
            bytes_up: exchange.bytes_up,
            bytes_down: exchange.bytes_down,
        })
    }

    async fn pull_range(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
    ) -> Result<Exchange<PullPage>, TransportError> {
        let exchange = self.pull_with(request, until, ahead, None, None).await?;
        Ok(Exchange {
            value: exchange.value.0,
            bytes_up: exchange.bytes_up,
            bytes_down: exchange.bytes_down,
        })
    }

    async fn pull_range_telling(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
        head: &PullHead,
    ) -> Result<Exchange<PullPage>, TransportError> {
        let exchange = self
            .pull_with(request, until, ahead, None, Some(head))
            .await?;
        Ok(Exchange {
            value: exchange.value.0,
            bytes_up: exchange.bytes_up,
            bytes_down: exchange.bytes_down,
        })
    }

    fn pulls_after_push(&self) -> bool {
        !self.version_1_only
    }

    async fn pull_after_push(
        &self,
        request: &PullRequest,
        after: i64,
        ahead: usize,
    ) -> Result<Exchange<PullPage>, TransportError> {
        let exchange = self
            .pull_with(request, None, ahead, Some(after), None)
            .await?;
        let (page, waited) = exchange.value;
        if !waited {
            return Err(TransportError::Refused {
                code: crate::sync::pull_after_push::IGNORED.to_owned(),
            });
        }
        Ok(Exchange {
            value: page,
            bytes_up: exchange.bytes_up,
            bytes_down: exchange.bytes_down,
        })
    }

    fn orders_pushes(&self) -> bool {
        self.server_orders_pushes.load(Ordering::SeqCst)
    }

    async fn push_after(
        &self,
        request: &PushRequest,
        after: i64,
    ) -> Result<Exchange<PushResponse>, TransportError> {
        self.push_following(request, Some(after), None).await
    }

    fn carries_clock(&self) -> bool {
        !self.version_1_only
    }

    async fn push_with_clock(
        &self,
        request: &PushRequest,
        after: Option<i64>,
        clock_ms: i64,
    ) -> Result<Exchange<PushResponse>, TransportError> {
        self.push_following(request, after, Some(clock_ms)).await
    }

    fn server_features(&self) -> Option<String> {
        if self.version_1_only {
            return None;
        }
        self.features
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
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
            .send(request, |_| {}, |_, b| serde_json::from_slice(b).ok())
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
            .send(request, |_| {}, |_, b| serde_json::from_slice(b).ok())
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
        let (value, bytes_down) = self.send(request, |_| {}, |_, b| Some(b.to_vec())).await?;
        Ok(Exchange {
            value,
            bytes_up: 0,
            bytes_down,
        })
    }
}

/// An error with its causes ("error sending request … : invalid peer certificate: UnknownIssuer"):
/// reqwest's own message stops at the first.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
