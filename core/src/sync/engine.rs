//! The sync engine: one background sync, as Android's WorkManager or iOS's BGTaskScheduler
//! runs it, within a deadline and an optional byte budget.
//!
//! A sync pulls first (to learn the server's time and correct a wrong clock before anything
//! leaves; a phone whose server checks its clock on each push skips it, see
//! [`super::server_features`]), then pushes the outbox in batches cut by bytes (two on their way at once when the
//! server applies them in order: [`super::push`]), sends waiting photos, and pulls
//! again if it pushed anything (that pull leaves with the push's last batch when the server
//! can hold it until the push is answered: [`super::pull_after_push`]). Pull pages travel several at once, each range of the feed on its
//! own connection, and are applied in order ([`super::pull`]).
//! A sync with nothing to do is one small request. A transient failure
//! (no signal, a cut connection, a 5xx) is retried with exponential backoff and jitter while the
//! deadline allows; a permanent one (signed out, an app too old) stops the sync. Entries the
//! server refuses are quarantined by [`crate::Sentra::sync_settle_push`] and never block the
//! rest. The report says what moved and when to try next; progress goes to a listener, and a
//! [`CancelToken`] stops the sync between two requests.
//!
//! How bytes travel is a [`Transport`]: HTTP in the app ([`super::http::HttpTransport`]), an
//! in-process fake in tests.

use crate::Sentra;
use crate::error::Result;
use crate::photos::{PhotoFile, UploadState};
use crate::sync::pull::{PullHead, PullPage};
use crate::sync::wire::{PhotoAck, PullRequest, PullResponse, PushRequest, PushResponse};
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One request's answer, with what it cost on the wire.
#[derive(Debug, Clone)]
pub struct Exchange<T> {
    /// The answer.
    pub value: T,
    /// Bytes sent (compressed body).
    pub bytes_up: usize,
    /// Bytes received (compressed body).
    pub bytes_down: usize,
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Worth retrying: no connection, a timeout, a cut body, a server error.
    #[error("network problem: {0}")]
    Transient(String),
    /// Not worth retrying: the server said no (signed out, app too old, bad request).
    #[error("refused by the server: {code}")]
    Refused {
        /// The server's stable error code.
        code: String,
    },
}

/// How bytes reach the server.
pub trait Transport: Send + Sync {
    /// Sends a push batch.
    fn push(
        &self,
        request: &PushRequest,
    ) -> impl Future<Output = Result<Exchange<PushResponse>, TransportError>> + Send;
    /// Asks for a page of changes.
    fn pull(
        &self,
        request: &PullRequest,
    ) -> impl Future<Output = Result<Exchange<PullResponse>, TransportError>> + Send;
    /// Sends bytes `offset..offset + chunk.len()` of a photo file of `total` bytes.
    fn upload_chunk(
        &self,
        hash: &str,
        offset: u64,
        total: u64,
        chunk: &[u8],
    ) -> impl Future<Output = Result<Exchange<PhotoAck>, TransportError>> + Send;
    /// Asks how much of a photo file the server holds.
    fn upload_status(
        &self,
        hash: &str,
    ) -> impl Future<Output = Result<Exchange<PhotoAck>, TransportError>> + Send;
    /// Fetches a complete photo file by hash.
    fn download(
        &self,
        hash: &str,
    ) -> impl Future<Output = Result<Exchange<Vec<u8>>, TransportError>> + Send;
    /// Asks for a page of changes up to the cursor `until` (one the server named ahead), and,
    /// for a page without `until`, for up to `ahead` cursors that cut the rest of the feed into
    /// ranges ([`crate::sync::wire::PULL_AHEAD_HEADER`]). A transport that cannot ask for them
    /// pulls the plain page and names no cursors ahead (it is then never given `until`).
    fn pull_range(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
    ) -> impl Future<Output = Result<Exchange<PullPage>, TransportError>> + Send {
        let _ = (until, ahead);
        async move {
            let exchange = self.pull(request).await?;
            Ok(Exchange {
                value: PullPage {
                    page: exchange.value,
                    ahead: Vec::new(),
                },
                bytes_up: exchange.bytes_up,
                bytes_down: exchange.bytes_down,
            })
        }
    }
    /// [`Transport::pull_range`], telling `head` the page's next cursor and its cursors ahead as
    /// soon as the answer's head arrives, before its body
    /// ([`crate::sync::wire::PULL_NEXT_HEADER`]), so the ranges travel beside the page. A
    /// transport that cannot tells nothing, and the ranges are asked for after the page.
    fn pull_range_telling(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
        head: &PullHead,
    ) -> impl Future<Output = Result<Exchange<PullPage>, TransportError>> + Send {
        let _ = head;
        self.pull_range(request, until, ahead)
    }
    /// Whether this transport can carry the phone's clock on a push
    /// ([`Transport::push_with_clock`]). One that says no is never asked to.
    fn carries_clock(&self) -> bool {
        false
    }
    /// Sends a push batch carrying the phone's time `clock_ms`
    /// ([`crate::sync::wire::DEVICE_CLOCK_HEADER`]), naming the entry `after` it if one may
    /// still be on its way. Only called when [`Transport::carries_clock`].
    fn push_with_clock(
        &self,
        request: &PushRequest,
        after: Option<i64>,
        clock_ms: i64,
    ) -> impl Future<Output = Result<Exchange<PushResponse>, TransportError>> + Send {
        let _ = clock_ms;
        async move {
            match after {
                Some(after) => self.push_after(request, after).await,
                None => self.push(request).await,
            }
        }
    }
    /// Whether this transport can ask for a pull that the server answers only after a push
    /// still on its way ([`Transport::pull_after_push`]). One that says no is never asked to.
    fn pulls_after_push(&self) -> bool {
        false
    }
    /// Asks for the first page of a pull (with up to `ahead` cursors ahead) that the server
    /// computes only once it has answered this device's entry `after`
    /// ([`crate::sync::wire::PULL_AFTER_PUSH_HEADER`]), so it may leave with the push's last
    /// batch. An answer from a server that does not say it waits
    /// ([`crate::sync::wire::PULL_AFTER_PUSH`]) is refused with
    /// [`crate::sync::pull_after_push::IGNORED`]: its page may predate the push. Only called
    /// when [`Transport::pulls_after_push`].
    fn pull_after_push(
        &self,
        request: &PullRequest,
        after: i64,
        ahead: usize,
    ) -> impl Future<Output = Result<Exchange<PullPage>, TransportError>> + Send {
        let _ = (request, after, ahead);
        async move {
            Err(TransportError::Refused {
                code: crate::sync::pull_after_push::IGNORED.to_owned(),
            })
        }
    }
    /// What the server said it does beyond version 1 in its last answer
    /// ([`crate::sync::wire::FEATURES_HEADER`]); `None` before any answer.
    fn server_features(&self) -> Option<String> {
        None
    }
    /// Whether the server, as its last answer said, applies a push batch only after the entry
    /// it follows ([`crate::sync::wire::PUSH_AFTER`]), so the next batch may leave before the
    /// last one is answered. A transport that cannot tell says no: one batch at a time.
    fn orders_pushes(&self) -> bool {
        false
    }
    /// Sends a push batch that the server applies only once it has answered this device's entry
    /// `after` (a batch still on its way). Only called when [`Transport::orders_pushes`].
    fn push_after(
        &self,
        request: &PushRequest,
        after: i64,
    ) -> impl Future<Output = Result<Exchange<PushResponse>, TransportError>> + Send {
        let _ = after;
        self.push(request)
    }
}

/// Photos are sent in chunks of this many bytes; a cut costs at most one chunk.
pub const PHOTO_CHUNK_BYTES: usize = 64 * 1024;

/// Stops a sync between two requests.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that has not been cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the sync to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Where a running sync is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// Entries the server has answered so far.
    pub pushed: usize,
    /// Entries still waiting in the outbox.
    pub to_push: usize,
    /// Changes pulled so far.
    pub pulled: usize,
    /// Bytes sent so far.
    pub bytes_up: usize,
    /// Bytes received so far.
    pub bytes_down: usize,
}

/// Receives progress while a sync runs (from the thread running it).
pub trait ProgressListener: Send + Sync {
    /// Called after every request.
    fn on_progress(&self, progress: SyncProgress);
}

/// How one sync may run.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Stop starting new requests after this long (WorkManager gives about 10 minutes).
    pub deadline: Duration,
    /// Stop starting new requests once this many bytes have moved, if set.
    pub byte_budget: Option<usize>,
    /// Push batches are cut at about this many bytes of JSON.
    pub push_batch_bytes: usize,
    /// How many push batches may be on their way at once, when the server applies them in
    /// order ([`Transport::orders_pushes`]); 1 sends the next only after the last is answered.
    pub push_in_flight: usize,
    /// At most this many bytes of JSON on their way at once: with more batches in flight,
    /// each is cut shorter, so a slow link carries no more at once than it can upload within
    /// one request's time limit.
    pub push_bytes_in_flight: usize,
    /// Pull pages stop at about this many bytes.
    pub pull_page_bytes: usize,
    /// The first retry waits this long; each further one twice as long, with jitter.
    pub first_backoff: Duration,
    /// Send only thumbnails (a metered network, unless the user allows mobile data).
    pub thumbnails_only: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            deadline: Duration::from_secs(9 * 60),
            byte_budget: None,
            // About 2 MB of JSON, some 200 KB compressed: few round trips, and a cut loses
            // at most one batch (resent, it is answered as duplicates).
            push_batch_bytes: 2 * 1024 * 1024,
            // Four: while the server applies one batch and its answer comes back, the next
            // ones keep the link busy, and a lost segment stalls one connection of four, not
            // the link (on a 3G bad day, edits took 1.214x the link's limit with four, median
            // of five rounds, against 1.501x with two: docs/benchmarks.md, `scripts/bench sync`).
            push_in_flight: 4,
            // Two full batches, as when two travelled at once: some 400 KB compressed, under
            // two minutes even at 32 kbit/s.
            push_bytes_in_flight: 4 * 1024 * 1024,
            pull_page_bytes: 2 * 1024 * 1024,
            first_backoff: Duration::from_millis(500),
            thumbnails_only: false,
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Whether everything was pushed and pulled.
    pub completed: bool,
    /// Entries the server applied (or had applied before).
    pub pushed: usize,
    /// Entries the server refused (now quarantined).
    pub rejected: usize,
    /// Changes pulled.
    pub pulled: usize,
    /// Photo files that finished uploading.
    pub photos_sent: usize,
    /// Photo bytes sent (included in `bytes_up`).
    pub photo_bytes: usize,
    /// Bytes sent.
    pub bytes_up: usize,
    /// Bytes received.
    pub bytes_down: usize,
    /// Requests made, retries included.
    pub requests: usize,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// Why it stopped early, if it did (`cancelled`, `deadline`, `byte_budget`, or the error).
    pub stopped_by: Option<String>,
    /// When to try again, in milliseconds from now: soon after a complete sync that left work,
    /// later after failures.
    pub next_attempt_in_ms: u64,
}

pub(super) struct Run<'a, L: ProgressListener + ?Sized> {
    started: Instant,
    pub(super) options: &'a SyncOptions,
    cancel: &'a CancelToken,
    listener: Option<&'a L>,
    pub(super) report: SyncReport,
}

pub(super) enum Stop {
    Cancelled,
    Deadline,
    Budget,
    Failed(TransportError),
}

/// What bounds a sync's requests: its start, options and cancel token, and the bytes moved
/// when a request was started. Copied into each request on its way, so several can be.
#[derive(Clone, Copy)]
pub(super) struct Limits<'a> {
    started: Instant,
    options: &'a SyncOptions,
    cancel: &'a CancelToken,
    moved: usize,
}

impl Limits<'_> {
    fn may_start(&self) -> std::result::Result<(), Stop> {
        if self.cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        if self.started.elapsed() >= self.options.deadline {
            return Err(Stop::Deadline);
        }
        if self.options.byte_budget.is_some_and(|b| self.moved >= b) {
            return Err(Stop::Budget);
        }
        Ok(())
    }

    /// Runs one request, retrying transient failures with backoff while the deadline allows;
    /// also returns how many requests it took.
    pub(super) async fn with_retries<T, F, Fut>(
        self,
        mut send: F,
    ) -> (std::result::Result<Exchange<T>, Stop>, usize)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<Exchange<T>, TransportError>>,
    {
        let mut wait = self.options.first_backoff;
        let mut requests = 0;
        loop {
            if let Err(stop) = self.may_start() {
                return (Err(stop), requests);
            }
            requests += 1;
            match send().await {
                Ok(exchange) => return (Ok(exchange), requests),
                Err(TransportError::Transient(cause)) => {
                    let left = self.options.deadline.saturating_sub(self.started.elapsed());
                    let pause = jitter(wait);
                    if pause >= left || self.cancel.is_cancelled() {
                        return (
                            Err(Stop::Failed(TransportError::Transient(cause))),
                            requests,
                        );
                    }
                    tokio::time::sleep(pause).await;
                    wait = wait.saturating_mul(2).min(Duration::from_secs(60));
                }
                Err(refused) => return (Err(Stop::Failed(refused)), requests),
            }
        }
    }
}

impl<'a, L: ProgressListener + ?Sized> Run<'a, L> {
    /// The limits of a request started now.
    pub(super) fn limits(&self) -> Limits<'a> {
        Limits {
            started: self.started,
            options: self.options,
            cancel: self.cancel,
            moved: self.report.bytes_up + self.report.bytes_down,
        }
    }

    pub(super) fn may_start(&self) -> std::result::Result<(), Stop> {
        self.limits().may_start()
    }

    /// Counts a finished request's attempts and, if it succeeded, its bytes.
    pub(super) fn count<T>(
        &mut self,
        (result, requests): (std::result::Result<Exchange<T>, Stop>, usize),
    ) -> std::result::Result<Exchange<T>, Stop> {
        self.report.requests += requests;
        if let Ok(exchange) = &result {
            self.report.bytes_up += exchange.bytes_up;
            self.report.bytes_down += exchange.bytes_down;
        }
        result
    }

    /// Runs one request, retrying transient failures with backoff while the deadline allows.
    async fn with_retries<T, F, Fut>(&mut self, send: F) -> std::result::Result<Exchange<T>, Stop>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<Exchange<T>, TransportError>>,
    {
        let done = self.limits().with_retries(send).await;
        self.count(done)
    }

    /// Tells the listener where the sync stands. Once cancelled it hears nothing more: the
    /// answer of a push batch already on its way is still recorded (nothing is sent twice), and
    /// the report counts it, but the screen that asked to stop is not told of it.
    pub(super) fn progress(&self, to_push: usize) {
        if self.cancel.is_cancelled() {
            return;
        }
        if let Some(listener) = self.listener {
            listener.on_progress(SyncProgress {
                pushed: self.report.pushed + self.report.rejected,
                to_push,
                pulled: self.report.pulled,
                bytes_up: self.report.bytes_up,
                bytes_down: self.report.bytes_down,
            });
        }
    }
}

/// Entries waiting in the outbox.
pub(super) fn waiting(sentra: &Sentra) -> Result<usize> {
    let count: i64 = sentra.pending_counts()?.iter().map(|p| p.count).sum();
    Ok(usize::try_from(count).unwrap_or(0))
}

/// A pause of 50–100% of `base`, so phones that lost signal together do not retry together.
fn jitter(base: Duration) -> Duration {
    let random = uuid::Uuid::new_v4().as_bytes()[0];
    base / 2 + base.mul_f64(f64::from(random) / 255.0 / 2.0)
}

/// Runs one sync. See the module docs.
pub async fn run<T: Transport, L: ProgressListener + ?Sized>(
    sentra: &Sentra,
    transport: &T,
    options: &SyncOptions,
    listener: Option<&L>,
    cancel: &CancelToken,
) -> Result<SyncReport> {
    let mut run = Run {
        started: Instant::now(),
        options,
        cancel,
        listener,
        report: SyncReport {
            completed: false,
            pushed: 0,
            rejected: 0,
            pulled: 0,
            photos_sent: 0,
            photo_bytes: 0,
            bytes_up: 0,
            bytes_down: 0,
            requests: 0,
            duration_ms: 0,
            stopped_by: None,
            next_attempt_in_ms: 0,
        },
    };
    let outcome = steps(sentra, transport, &mut run).await?;
    if let Some(features) = transport.server_features() {
        super::server_features::remember(sentra, &features)?;
    }
    let bytes = (run.report.bytes_up + run.report.bytes_down) as u64;
    let failures = sentra.note_sync_outcome(outcome.as_ref().err().map(describe), bytes)?;
    let mut report = run.report;
    report.completed = outcome.is_ok();
    report.stopped_by = outcome.err().as_ref().map(describe);
    report.duration_ms = u64::try_from(run.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let pending = sentra
        .pending_counts()?
        .iter()
        .map(|p| p.count)
        .sum::<i64>();
    report.next_attempt_in_ms = if failures > 0 {
        // 1 min, 2, 4, … up to 6 hours after repeated failures.
        60_000u64
            .saturating_mul(1 << failures.min(9))
            .min(6 * 3_600_000)
    } else if pending > 0 {
        0
    } else {
        15 * 60_000
    };
    Ok(report)
}

fn describe(stop: &Stop) -> String {
    match stop {
        Stop::Cancelled => "cancelled".into(),
        Stop::Deadline => "deadline".into(),
        Stop::Budget => "byte_budget".into(),
        Stop::Failed(TransportError::Refused { code }) => format!("refused:{code}"),
        Stop::Failed(TransportError::Transient(_)) => "network".into(),
    }
}

async fn steps<'a, T: Transport, L: ProgressListener + ?Sized>(
    sentra: &Sentra,
    transport: &'a T,
    run: &mut Run<'a, L>,
) -> Result<std::result::Result<(), Stop>> {
    // A phone whose server checks its clock on every push pushes first: the pull before, which
    // only set the clock right, would cost a round trip. A wrong clock is refused before
    // anything is applied, and then the phone pulls (setting it right) and pushes again.
    let clock_checked = transport.carries_clock()
        && waiting(sentra)? > 0
        && super::server_features::checks_clock(sentra)?;
    if !clock_checked && let Err(stop) = super::pull::pull_all(sentra, transport, run, None).await?
    {
        return Ok(Err(stop));
    }
    // The pull after the push leaves with the push's last batch when the server can hold it
    // until the push is answered (see `pull_after_push`).
    let mut early = super::pull_after_push::Early::new(sentra, transport, run)?;
    let mut pushed =
        super::push::push_all(sentra, transport, run, clock_checked, early.as_mut()).await?;
    if let Err(Stop::Failed(TransportError::Refused { code })) = &pushed
        && code == super::wire::CLOCK_WRONG
    {
        early = None;
        if let Err(stop) = super::pull::pull_all(sentra, transport, run, None).await? {
            return Ok(Err(stop));
        }
        pushed = super::push::push_all(sentra, transport, run, false, None).await?;
    }
    if let Err(stop) = pushed {
        return Ok(Err(stop));
    }
    if let Err(stop) = upload_photos(sentra, transport, run).await? {
        return Ok(Err(stop));
    }
    if run.report.pushed + run.report.rejected == 0 {
        // Nothing went up, so nothing new can have been resolved: a no-op sync is one request.
        return Ok(Ok(()));
    }
    let first = early.and_then(super::pull_after_push::Early::into_first);
    super::pull::pull_all(sentra, transport, run, first).await
}

/// Sends waiting photo files, thumbnails first, each from the offset the server confirmed last.
async fn upload_photos<T: Transport, L: ProgressListener + ?Sized>(
    sentra: &Sentra,
    transport: &T,
    run: &mut Run<'_, L>,
) -> Result<std::result::Result<(), Stop>> {
    for file in sentra.photo_upload_queue(run.options.thumbnails_only)? {
        if let Err(stop) = upload_one(sentra, transport, run, &file).await? {
            return Ok(Err(stop));
        }
    }
    Ok(Ok(()))
}

async fn upload_one<T: Transport, L: ProgressListener + ?Sized>(
    sentra: &Sentra,
    transport: &T,
    run: &mut Run<'_, L>,
    file: &PhotoFile,
) -> Result<std::result::Result<(), Stop>> {
    let Some(path) = sentra.photo_path(&file.hash)? else {
        return Ok(Ok(()));
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(_) => {
            sentra.fail_photo_upload(&file.hash, "file_missing")?;
            return Ok(Ok(()));
        }
    };
    let total = bytes.len() as u64;
    let mut offset = match file.state {
        UploadState::Uploading { confirmed_bytes } => u64::try_from(confirmed_bytes).unwrap_or(0),
        _ => 0,
    };
    loop {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let chunk = &bytes[start..(start + PHOTO_CHUNK_BYTES).min(bytes.len())];
        let sent = chunk.len();
        let ack = match run
            .with_retries(|| transport.upload_chunk(&file.hash, offset, total, chunk))
            .await
        {
            Ok(ack) => {
                run.report.photo_bytes += sent;
                ack.value
            }
            // The server holds a different amount (our record was lost or is ahead): ask it.
            Err(Stop::Failed(TransportError::Refused { code })) if code == "wrong_offset" => {
                match run
                    .with_retries(|| transport.upload_status(&file.hash))
                    .await
                {
                    Ok(status) => status.value,
                    Err(stop) => return Ok(Err(stop)),
                }
            }
            Err(Stop::Failed(TransportError::Refused { code })) => {
                sentra.fail_photo_upload(&file.hash, &code)?;
                return Ok(Ok(()));
            }
            Err(stop) => return Ok(Err(stop)),
        };
        offset = ack.confirmed.min(total);
        let confirmed = if ack.complete { total } else { offset };
        sentra.confirm_photo_upload(&file.hash, i64::try_from(confirmed).unwrap_or(i64::MAX))?;
        if ack.complete {
            run.report.photos_sent += 1;
            run.progress(0);
            return Ok(Ok(()));
        }
    }
}
