//! The real transport, watched: what a phone's engine keeps on its way at once. Pulls: how
//! many at once, how many bounded by a range, how many asked for the first page's cursors.
//! Pushes: how many batches at once and how many bytes of JSON between them.

use super::*;
use sentra_core::sync::engine::{Exchange, Transport, TransportError};
use sentra_core::sync::pull::{PullHead, PullPage};
use sentra_core::sync::wire::{PhotoAck, PullRequest, PushRequest};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Counting {
    inner: HttpTransport,
    /// Pulls on their way now, and the most at any moment.
    pulls_now: AtomicUsize,
    pub most_pulls: AtomicUsize,
    /// Pulls bounded by a range, and pulls that asked for the first page's cursors ahead.
    pub ranged: AtomicUsize,
    pub telling: AtomicUsize,
    /// Push batches and their JSON bytes on their way now, and the most of each at any moment.
    pushes_now: Mutex<(usize, usize)>,
    pub most_pushes: Mutex<(usize, usize)>,
    /// The largest single pushed entry (a batch is cut after the entry that crosses its limit).
    pub largest_entry: AtomicUsize,
}

impl Counting {
    pub fn new(inner: HttpTransport) -> Self {
        Counting {
            inner,
            pulls_now: AtomicUsize::new(0),
            most_pulls: AtomicUsize::new(0),
            ranged: AtomicUsize::new(0),
            telling: AtomicUsize::new(0),
            pushes_now: Mutex::new((0, 0)),
            most_pushes: Mutex::new((0, 0)),
            largest_entry: AtomicUsize::new(0),
        }
    }

    async fn pull<F: std::future::Future>(&self, send: F) -> F::Output {
        let now = self.pulls_now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_pulls.fetch_max(now, Ordering::SeqCst);
        let answer = send.await;
        self.pulls_now.fetch_sub(1, Ordering::SeqCst);
        answer
    }

    async fn push<F: std::future::Future>(&self, request: &PushRequest, send: F) -> F::Output {
        let mut bytes = 0;
        for entry in &request.entries {
            let size = serde_json::to_vec(entry).unwrap().len();
            self.largest_entry.fetch_max(size, Ordering::SeqCst);
            bytes += size;
        }
        {
            let mut now = self.pushes_now.lock().unwrap();
            now.0 += 1;
            now.1 += bytes;
            let mut most = self.most_pushes.lock().unwrap();
            most.0 = most.0.max(now.0);
            most.1 = most.1.max(now.1);
        }
        let answer = send.await;
        let mut now = self.pushes_now.lock().unwrap();
        now.0 -= 1;
        now.1 -= bytes;
        answer
    }
}

impl Transport for Counting {
    async fn push(&self, request: &PushRequest) -> Result<Exchange<PushResponse>, TransportError> {
        Counting::push(self, request, self.inner.push(request)).await
    }

    fn orders_pushes(&self) -> bool {
        self.inner.orders_pushes()
    }

    async fn push_after(
        &self,
        request: &PushRequest,
        after: i64,
    ) -> Result<Exchange<PushResponse>, TransportError> {
        Counting::push(self, request, self.inner.push_after(request, after)).await
    }

    fn carries_clock(&self) -> bool {
        self.inner.carries_clock()
    }

    async fn push_with_clock(
        &self,
        request: &PushRequest,
        after: Option<i64>,
        clock_ms: i64,
    ) -> Result<Exchange<PushResponse>, TransportError> {
        let send = self.inner.push_with_clock(request, after, clock_ms);
        Counting::push(self, request, send).await
    }

    fn server_features(&self) -> Option<String> {
        self.inner.server_features()
    }

    async fn pull(&self, request: &PullRequest) -> Result<Exchange<PullResponse>, TransportError> {
        Counting::pull(self, self.inner.pull(request)).await
    }

    async fn pull_range(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
    ) -> Result<Exchange<PullPage>, TransportError> {
        if until.is_some() {
            self.ranged.fetch_add(1, Ordering::SeqCst);
        }
        Counting::pull(self, self.inner.pull_range(request, until, ahead)).await
    }

    async fn pull_range_telling(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
        head: &PullHead,
    ) -> Result<Exchange<PullPage>, TransportError> {
        self.telling.fetch_add(1, Ordering::SeqCst);
        let send = self.inner.pull_range_telling(request, until, ahead, head);
        Counting::pull(self, send).await
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
        let send = self.inner.pull_after_push(request, after, ahead);
        Counting::pull(self, send).await
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
}
