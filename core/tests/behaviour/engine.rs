//! The sync engine through an in-process fake transport (the relay, with injected failures):
//! retries with backoff, refusals, progress, cancellation, byte budgets and deadlines.

use super::relay::Relay;
use super::*;
use sentra_core::sync::engine::{
    CancelToken, Exchange, ProgressListener, SyncOptions, SyncProgress, Transport, TransportError,
};
use sentra_core::sync::wire::{PhotoAck, PullRequest, PullResponse, PushRequest, PushResponse};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Fake {
    relay: Mutex<Relay>,
    /// The next this many requests fail as if the signal dropped.
    drop_next: AtomicUsize,
    /// Every request is refused with this code.
    refuse: Option<&'static str>,
    requests: AtomicUsize,
    /// Photo files received so far, by hash.
    photos: Mutex<std::collections::HashMap<String, Vec<u8>>>,
}

impl Fake {
    fn gate(&self) -> Result<(), TransportError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if let Some(code) = self.refuse {
            return Err(TransportError::Refused { code: code.into() });
        }
        let dropped = self
            .drop_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if dropped.is_ok() {
            return Err(TransportError::Transient("connection reset".into()));
        }
        Ok(())
    }
}

fn size<T: serde::Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).unwrap().len()
}

impl Transport for Fake {
    async fn push(&self, request: &PushRequest) -> Result<Exchange<PushResponse>, TransportError> {
        self.gate()?;
        let value = self.relay.lock().unwrap().push(request);
        Ok(Exchange {
            bytes_up: size(request),
            bytes_down: size(&value),
            value,
        })
    }

    async fn pull(&self, request: &PullRequest) -> Result<Exchange<PullResponse>, TransportError> {
        self.gate()?;
        let value = self.relay.lock().unwrap().pull(request);
        Ok(Exchange {
            bytes_up: size(request),
            bytes_down: size(&value),
            value,
        })
    }

    async fn upload_chunk(
        &self,
        hash: &str,
        offset: u64,
        total: u64,
        chunk: &[u8],
    ) -> Result<Exchange<PhotoAck>, TransportError> {
        self.gate()?;
        let mut photos = self.photos.lock().unwrap();
        let held = photos.entry(hash.to_owned()).or_default();
        if held.len() as u64 != offset {
            return Err(TransportError::Refused {
                code: "wrong_offset".into(),
            });
        }
        held.extend_from_slice(chunk);
        let complete = held.len() as u64 == total;
        let value = PhotoAck {
            confirmed: held.len() as u64,
            complete,
        };
        Ok(Exchange {
            value,
            bytes_up: chunk.len(),
            bytes_down: 40,
        })
    }

    async fn download(&self, hash: &str) -> Result<Exchange<Vec<u8>>, TransportError> {
        self.gate()?;
        let bytes = self.photos.lock().unwrap().get(hash).cloned();
        let bytes = bytes.ok_or(TransportError::Refused {
            code: "photo_not_found".into(),
        })?;
        Ok(Exchange {
            bytes_up: 0,
            bytes_down: bytes.len(),
            value: bytes,
        })
    }

    async fn upload_status(&self, hash: &str) -> Result<Exchange<PhotoAck>, TransportError> {
        self.gate()?;
        let confirmed = self
            .photos
            .lock()
            .unwrap()
            .get(hash)
            .map_or(0, |b| b.len() as u64);
        Ok(Exchange {
            value: PhotoAck {
                confirmed,
                complete: false,
            },
            bytes_up: 0,
            bytes_down: 40,
        })
    }
}

fn quick() -> SyncOptions {
    SyncOptions {
        first_backoff: Duration::from_millis(5),
        push_batch_bytes: 2_048,
        pull_page_bytes: 2_048,
        ..Default::default()
    }
}

fn with_products(p: &Phone, n: i64) {
    let producer = with_producer(p);
    for i in 0..n {
        p.sentra
            .create_product(&product_input(
                producer,
                &format!("Kaos {i}"),
                &[("M", "Hitam", i)],
            ))
            .unwrap();
    }
}

struct NoProgress;
impl ProgressListener for NoProgress {
    fn on_progress(&self, _: SyncProgress) {}
}

#[tokio::test]
async fn a_sync_moves_everything_and_reports_what_it_did() {
    let (a, b, fake) = (phone(), phone(), Fake::default());
    with_products(&a, 20);
    let report = a
        .sentra
        .sync(&fake, &quick(), None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert!(report.completed, "{report:?}");
    // 1 producer, 20 products, 20 variants, 19 opening stocks (the first product has none).
    assert_eq!(report.pushed, 60);
    assert!(report.bytes_up > 0 && report.bytes_down > 0);
    assert_eq!(
        report.next_attempt_in_ms,
        15 * 60_000,
        "nothing left: the next periodic sync"
    );
    let report = b
        .sentra
        .sync(&fake, &quick(), None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(report.pulled, 60);
    let status = b.sentra.sync_status().unwrap();
    assert!(status.last_success_ms.is_some());
    assert_eq!(status.last_error, None);
}

#[tokio::test]
async fn a_dropped_signal_is_retried_with_backoff_and_the_sync_still_completes() {
    let (a, fake) = (
        phone(),
        Fake {
            drop_next: AtomicUsize::new(3),
            ..Default::default()
        },
    );
    with_products(&a, 5);
    let report = a
        .sentra
        .sync(&fake, &quick(), None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert!(report.completed);
    assert_eq!(report.requests, fake.requests.load(Ordering::SeqCst));
    assert!(
        report.requests >= 3 + 3,
        "three failures, then pull, push, pull"
    );
    assert!(a.sentra.sync_push_batch(1 << 20).unwrap().is_none());
}

#[tokio::test]
async fn a_refusal_stops_the_sync_keeps_the_outbox_and_backs_off() {
    let (a, fake) = (
        phone(),
        Fake {
            refuse: Some("unauthorized"),
            ..Default::default()
        },
    );
    with_products(&a, 2);
    let before = a.sentra.pending_counts().unwrap();
    let report = a
        .sentra
        .sync(&fake, &quick(), None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert!(!report.completed);
    assert_eq!(report.stopped_by.as_deref(), Some("refused:unauthorized"));
    assert_eq!(report.requests, 1, "a refusal is not retried");
    assert!(report.next_attempt_in_ms >= 60_000);
    assert_eq!(a.sentra.pending_counts().unwrap(), before, "nothing lost");
    assert_eq!(
        a.sentra.sync_status().unwrap().last_error.as_deref(),
        Some("refused:unauthorized")
    );
}

/// Cancels the sync after the first progress report.
struct CancelAfterFirst(CancelToken, Mutex<Vec<SyncProgress>>);
impl ProgressListener for CancelAfterFirst {
    fn on_progress(&self, progress: SyncProgress) {
        self.1.lock().unwrap().push(progress);
        self.0.cancel();
    }
}

#[tokio::test]
async fn progress_arrives_and_cancelling_stops_cleanly_between_requests() {
    let (a, b, fake) = (phone(), phone(), Fake::default());
    with_products(&a, 30);
    let cancel = CancelToken::new();
    let listener = CancelAfterFirst(cancel.clone(), Mutex::new(Vec::new()));
    let options = SyncOptions {
        push_batch_bytes: 1_024,
        ..quick()
    };
    let report = a
        .sentra
        .sync(&fake, &options, Some(&listener), &cancel)
        .await
        .unwrap();
    assert_eq!(report.stopped_by.as_deref(), Some("cancelled"));
    assert!(!listener.1.lock().unwrap().is_empty());
    let left = a
        .sentra
        .pending_counts()
        .unwrap()
        .iter()
        .map(|p| p.count)
        .sum::<i64>();
    assert!(left > 0, "stopped before the end");
    // The next sync finishes the job, with nothing sent twice.
    let report = a
        .sentra
        .sync(&fake, &quick(), None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert!(report.completed);
    b.sentra
        .sync(&fake, &quick(), None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    let query = sentra_core::catalogue::listing::ProductQuery {
        limit: 100,
        ..Default::default()
    };
    assert_eq!(b.sentra.list_products(&query).unwrap().len(), 30);
    let relay = fake.relay.lock().unwrap();
    assert_eq!(
        relay.feed.len(),
        relay.seen.len(),
        "each entry applied once"
    );
}

#[tokio::test]
async fn a_byte_budget_and_a_deadline_stop_a_sync_early_and_the_next_one_finishes() {
    let (a, fake) = (phone(), Fake::default());
    with_products(&a, 30);
    let options = SyncOptions {
        byte_budget: Some(4_000),
        ..quick()
    };
    let report = a
        .sentra
        .sync(&fake, &options, None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(report.stopped_by.as_deref(), Some("byte_budget"));
    assert!(report.bytes_up + report.bytes_down >= 4_000);
    let options = SyncOptions {
        deadline: Duration::ZERO,
        ..quick()
    };
    let report = a
        .sentra
        .sync(&fake, &options, None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(report.stopped_by.as_deref(), Some("deadline"));
    assert_eq!(report.requests, 0);
    let report = a
        .sentra
        .sync(&fake, &quick(), None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert!(report.completed);
    assert!(a.sentra.sync_push_batch(1 << 20).unwrap().is_none());
}

#[tokio::test]
async fn photos_upload_thumbnails_first_and_wait_for_display_images_on_a_metered_network() {
    let (a, fake) = (phone(), Fake::default());
    let producer = with_producer(&a);
    let product = a
        .sentra
        .create_product(&product_input(producer, "Tas Anyaman", &[]))
        .unwrap();
    let photo = a
        .sentra
        .add_photo(product, &jpeg(a.dir.path(), "tas.jpg", 1600, 1200, 4))
        .unwrap();
    let metered = SyncOptions {
        thumbnails_only: true,
        ..quick()
    };
    let report = a
        .sentra
        .sync(&fake, &metered, None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(report.photos_sent, 1, "only the thumbnail");
    let thumb = photo.thumb_hash.clone().unwrap();
    let held: Vec<String> = fake.photos.lock().unwrap().keys().cloned().collect();
    assert_eq!(held, vec![thumb.clone()]);
    assert_eq!(
        a.sentra.photo_upload_summary().unwrap().waiting,
        1,
        "the display image waits for wifi"
    );
    let report = a
        .sentra
        .sync(&fake, &quick(), None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(report.photos_sent, 1);
    let on_server = fake
        .photos
        .lock()
        .unwrap()
        .get(&photo.hash)
        .cloned()
        .unwrap();
    assert_eq!(
        on_server,
        std::fs::read(a.sentra.photo_path(&photo.hash).unwrap().unwrap()).unwrap()
    );
    let summary = a.sentra.photo_upload_summary().unwrap();
    assert_eq!((summary.uploaded, summary.waiting), (2, 0));
}
