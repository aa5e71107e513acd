//! Where a sync's time goes: a transport that wraps the real `HttpTransport` and notes each
//! request (when it started and ended, what it carried), for the breakdown the sync benchmark
//! prints beside its figures.

use sentra_core::sync::engine::{Exchange, Transport, TransportError};
use sentra_core::sync::http::HttpTransport;
use sentra_core::sync::pull::{PullHead, PullPage};
use sentra_core::sync::wire::{PhotoAck, PullRequest, PullResponse, PushRequest, PushResponse};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One request as the device saw it.
#[derive(Debug, Clone)]
pub struct Span {
    /// `push`, `push after`, `pull` or `pull range`.
    pub kind: &'static str,
    /// From the trace's start.
    pub started: Duration,
    /// How long until its answer was read (or it failed).
    pub took: Duration,
    /// Entries pushed or changes pulled.
    pub items: usize,
    /// Compressed body bytes up and down (0 for a failed request).
    pub bytes: (usize, usize),
}

/// The real transport, with every request noted.
pub struct Traced {
    inner: HttpTransport,
    origin: Instant,
    spans: Mutex<Vec<Span>>,
}

impl Traced {
    /// Wraps `inner`.
    pub fn new(inner: HttpTransport) -> Self {
        Traced {
            inner,
            origin: Instant::now(),
            spans: Mutex::new(Vec::new()),
        }
    }

    /// The requests noted so far, and forgets them.
    pub fn take(&self) -> Vec<Span> {
        std::mem::take(&mut *self.spans.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Starts counting time from now.
    pub fn restart(&mut self) {
        self.origin = Instant::now();
        self.take();
    }

    async fn note<T>(
        &self,
        kind: &'static str,
        items: usize,
        count: impl Fn(&T) -> usize,
        call: impl std::future::Future<Output = Result<Exchange<T>, TransportError>>,
    ) -> Result<Exchange<T>, TransportError> {
        let started = self.origin.elapsed();
        let result = call.await;
        let (bytes, items) = match &result {
            Ok(e) => ((e.bytes_up, e.bytes_down), items.max(count(&e.value))),
            Err(_) => ((0, 0), items),
        };
        self.spans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Span {
                kind,
                started,
                took: self.origin.elapsed() - started,
                items,
                bytes,
            });
        result
    }
}

impl Transport for Traced {
    async fn push(&self, request: &PushRequest) -> Result<Exchange<PushResponse>, TransportError> {
        self.note(
            "push",
            request.entries.len(),
            |_| 0,
            self.inner.push(request),
        )
        .await
    }

    async fn pull(&self, request: &PullRequest) -> Result<Exchange<PullResponse>, TransportError> {
        self.note(
            "pull",
            0,
            |p: &PullResponse| p.changes.len(),
            self.inner.pull(request),
        )
        .await
    }

    async fn pull_range(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
    ) -> Result<Exchange<PullPage>, TransportError> {
        self.note(
            if until.is_some() {
                "pull range"
            } else {
                "pull"
            },
            0,
            |p: &PullPage| p.page.changes.len(),
            self.inner.pull_range(request, until, ahead),
        )
        .await
    }

    async fn pull_range_telling(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
        head: &PullHead,
    ) -> Result<Exchange<PullPage>, TransportError> {
        self.note(
            if until.is_some() {
                "pull range"
            } else {
                "pull"
            },
            0,
            |p: &PullPage| p.page.changes.len(),
            self.inner.pull_range_telling(request, until, ahead, head),
        )
        .await
    }

    fn pulls_after_push(&self) -> bool {
        self.inner.pulls_after_push()
    }

    async fn pull_after_push(
        &self,
        request: &PullRequest,
        after: i64,
        ahead: usize,
    ) -> Result<Exchange<PullPage>, TransportError> {
        self.note(
            "pull after push",
            0,
            |p: &PullPage| p.page.changes.len(),
            self.inner.pull_after_push(request, after, ahead),
        )
        .await
    }

    async fn upload_chunk(
        &self,
        hash: &str,
        offset: u64,
        total: u64,
        chunk: &[u8],
    ) -> Result<Exchange<PhotoAck>, TransportError> {
        self.inner.upload_chunk(hash, offset, total, chunk).await
    }

    async fn upload_status(&self, hash: &str) -> Result<Exchange<PhotoAck>, TransportError> {
        self.inner.upload_status(hash).await
    }

    async fn download(&self, hash: &str) -> Result<Exchange<Vec<u8>>, TransportError> {
        self.inner.download(hash).await
    }

    fn orders_pushes(&self) -> bool {
        self.inner.orders_pushes()
    }

    fn carries_clock(&self) -> bool {
        self.inner.carries_clock()
    }

    fn server_features(&self) -> Option<String> {
        self.inner.server_features()
    }

    async fn push_with_clock(
        &self,
        request: &PushRequest,
        after: Option<i64>,
        clock_ms: i64,
    ) -> Result<Exchange<PushResponse>, TransportError> {
        self.note(
            if after.is_some() {
                "push after"
            } else {
                "push"
            },
            request.entries.len(),
            |_| 0,
            self.inner.push_with_clock(request, after, clock_ms),
        )
        .await
    }

    async fn push_after(
        &self,
        request: &PushRequest,
        after: i64,
    ) -> Result<Exchange<PushResponse>, TransportError> {
        self.note(
            "push after",
            request.entries.len(),
            |_| 0,
            self.inner.push_after(request, after),
        )
        .await
    }
}

/// The requests in words, one line each, for the log.
pub fn describe(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| {
            format!(
                "  {:>10} at {:>8.3} s took {:>7.3} s: {:>6} items, {:>7} B up, {:>7} B down",
                s.kind,
                s.started.as_secs_f64(),
                s.took.as_secs_f64(),
                s.items,
                s.bytes.0,
                s.bytes.1
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
