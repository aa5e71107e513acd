//! The pull after a push, sent with the push's last batch: a pull that names an entry of a push
//! still on its way is answered only once that push is, so its page sees what the push changed
//! (a facilitator's own registration grows its scope), and a phone whose transport gets no
//! such answer pulls again after the push, as before.

use super::*;
use sentra_core::sync::engine::{Exchange, Transport, TransportError};
use sentra_core::sync::pull::PullPage;
use sentra_core::sync::wire::{PhotoAck, PullRequest, PushRequest};
use std::sync::atomic::{AtomicUsize, Ordering};

on_both_backends!(
    a_pull_naming_a_push_on_its_way_is_answered_after_it_with_the_scope_it_grew,
    a_facilitator_registering_offline_keeps_the_producer_when_its_pull_leaves_with_the_push,
    a_phone_whose_early_pull_is_not_held_pulls_again_after_the_push,
    a_pull_naming_no_readable_entry_is_a_bad_body,
);

/// A facilitator account, signed in on a fresh phone.
async fn facilitator(server: &Server, login: &str) -> Phone {
    account(server, login, "rahasia-pendamping", Role::Facilitator, None).await;
    phone(server, login, "rahasia-pendamping").await
}

/// A raw pull by `phone` from its stored cursor, with `headers`.
fn raw_pull(
    server: &Server,
    phone: &Phone,
    headers: Vec<(&'static str, String)>,
) -> impl std::future::Future<Output = reqwest::Response> + Send + 'static {
    let body = wire::encode(&phone.sentra.sync_pull_request(1 << 20).unwrap()).unwrap();
    let mut request = Client::new()
        .post(format!("{}/v1/sync/pull", server.url))
        .header("content-encoding", "zstd")
        .header("authorization", format!("Bearer {}", phone.token))
        .body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    async move { request.send().await.unwrap() }
}

/// A raw push of `phone`'s whole outbox: the answer's status and body.
async fn raw_push(server: &Server, phone: &Phone, batch: &PushRequest) -> PushResponse {
    let response = Client::new()
        .post(format!("{}/v1/sync/push", server.url))
        .header("content-encoding", "zstd")
        .header("authorization", format!("Bearer {}", phone.token))
        .body(wire::encode(batch).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    wire::decode(&response.bytes().await.unwrap()).unwrap()
}

async fn a_pull_naming_a_push_on_its_way_is_answered_after_it_with_the_scope_it_grew(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let me = facilitator(&server, "pendamping.awal").await;
    sync(&server, &me).await;
    let mine = me
        .sentra
        .register_producer(&producer("Anyaman Pandan Bu Tini", "0812-7070-0101"))
        .unwrap();
    me.sentra
        .create_product(&product(mine, "Tikar Pandan", 4))
        .unwrap();
    let batch = me.sentra.sync_push_batch(1 << 20).unwrap().unwrap();
    let last = batch.entries.last().unwrap().seq;

    // The pull leaves first, naming the push's last entry: it waits for the push.
    let pull = tokio::spawn(raw_pull(
        &server,
        &me,
        vec![(wire::PULL_AFTER_PUSH_HEADER, last.to_string())],
    ));
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(!pull.is_finished(), "the pull waits for the push it names");
    let answer = raw_push(&server, &me, &batch).await;
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied));

    let pulled = pull.await.unwrap();
    assert_eq!(pulled.status(), 200);
    let features = pulled.headers()[wire::FEATURES_HEADER].to_str().unwrap();
    assert!(
        features.split(',').any(|f| f == wire::PULL_AFTER_PUSH),
        "the answer says the server held it: {features}"
    );
    let page: PullResponse = wire::decode(&pulled.bytes().await.unwrap()).unwrap();
    assert!(!page.reset, "nothing to pull again");
    assert!(
        page.scope.as_ref().is_some_and(|s| s.contains(&mine)),
        "computed after the push: its scope names the producer just registered: {:?}",
        page.scope
    );
}

/// The real transport, counting the pulls that left with a push, refusing them as never held
/// when told to (`hold: false`: as if the server answered without waiting), and noting the
/// cursor every other pull started from.
struct Early {
    inner: HttpTransport,
    hold: bool,
    early: AtomicUsize,
    early_from: std::sync::Mutex<Vec<Option<String>>>,
    plain_from: std::sync::Mutex<Vec<Option<String>>>,
}

impl Early {
    /// How many pulls asked again for the page an early pull asked for.
    fn asked_again(&self) -> usize {
        let early = self.early_from.lock().unwrap();
        self.plain_from
            .lock()
            .unwrap()
            .iter()
            .filter(|c| early.contains(c))
            .count()
    }
}

impl Transport for Early {
    async fn push(&self, request: &PushRequest) -> Result<Exchange<PushResponse>, TransportError> {
        self.inner.push(request).await
    }

    async fn pull(&self, request: &PullRequest) -> Result<Exchange<PullResponse>, TransportError> {
        self.inner.pull(request).await
    }

    async fn pull_range(
        &self,
        request: &PullRequest,
        until: Option<&str>,
        ahead: usize,
    ) -> Result<Exchange<PullPage>, TransportError> {
        self.plain_from.lock().unwrap().push(request.cursor.clone());
        self.inner.pull_range(request, until, ahead).await
    }

    fn pulls_after_push(&self) -> bool {
        true
    }

    async fn pull_after_push(
        &self,
        request: &PullRequest,
        after: i64,
        ahead: usize,
    ) -> Result<Exchange<PullPage>, TransportError> {
        self.early.fetch_add(1, Ordering::SeqCst);
        self.early_from.lock().unwrap().push(request.cursor.clone());
        if !self.hold {
            return Err(TransportError::Refused {
                code: sentra_core::sync::pull_after_push::IGNORED.to_owned(),
            });
        }
        self.inner.pull_after_push(request, after, ahead).await
    }

    fn orders_pushes(&self) -> bool {
        self.inner.orders_pushes()
    }

    async fn push_after(
        &self,
        request: &PushRequest,
        after: i64,
    ) -> Result<Exchange<PushResponse>, TransportError> {
        self.inner.push_after(request, after).await
    }

    fn server_features(&self) -> Option<String> {
        self.inner.server_features()
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
        self.inner.push_with_clock(request, after, clock_ms).await
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

/// One sync of `phone` through an [`Early`] transport.
async fn sync_through(
    server: &Server,
    phone: &Phone,
    hold: bool,
) -> (sentra_core::sync::engine::SyncReport, Early) {
    let transport = Early {
        inner: HttpTransport::new(&server.url, &phone.token),
        hold,
        early: AtomicUsize::new(0),
        early_from: Default::default(),
        plain_from: Default::default(),
    };
    let options = SyncOptions {
        push_batch_bytes: 2 * 1024,
        pull_page_bytes: 4 * 1024,
        ..Default::default()
    };
    let report = phone
        .sentra
        .sync(
            &transport,
            &options,
            None::<&NoProgress>,
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert!(report.completed, "{report:?}");
    (report, transport)
}

async fn a_facilitator_registering_offline_keeps_the_producer_when_its_pull_leaves_with_the_push(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let me = facilitator(&server, "pendamping.cepat").await;
    // The first sync teaches the phone what its server does.
    let (_, first) = sync_through(&server, &me, true).await;
    assert_eq!(first.early.load(Ordering::SeqCst), 0, "nothing was pushed");
    let mine = me
        .sentra
        .register_producer(&producer("Gerabah Kasongan", "0812-7070-0202"))
        .unwrap();
    let made: Vec<Id> = (0..20)
        .map(|i| {
            me.sentra
                .create_product(&product(mine, &format!("Kendi {i}"), 3))
                .unwrap()
        })
        .collect();
    let (report, transport) = sync_through(&server, &me, true).await;
    assert_eq!(report.pushed, 1 + 20 * 3, "{report:?}");
    assert_eq!(
        transport.early.load(Ordering::SeqCst),
        1,
        "the pull left with the push's last batch"
    );
    assert_eq!(
        transport.asked_again(),
        0,
        "its page was not asked for again after the push: {report:?}"
    );
    assert!(me.sentra.sync_push_batch(1 << 20).unwrap().is_none());
    assert!(me.sentra.producer(mine).is_ok(), "the registration stays");
    assert!(
        made.iter().all(|p| me.sentra.product(*p).is_ok()),
        "and its products"
    );

    // Another phone of the same facilitator sees them all.
    let other = phone(&server, "pendamping.cepat", "rahasia-pendamping").await;
    sync(&server, &other).await;
    assert!(other.sentra.producer(mine).is_ok());
    assert!(made.iter().all(|p| other.sentra.product(*p).is_ok()));
}

async fn a_phone_whose_early_pull_is_not_held_pulls_again_after_the_push(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let me = facilitator(&server, "pendamping.lambat").await;
    sync_through(&server, &me, false).await;
    let mine = me
        .sentra
        .register_producer(&producer("Batik Cap Pak Darto", "0812-7070-0303"))
        .unwrap();
    let made = me
        .sentra
        .create_product(&product(mine, "Kain Batik Cap", 5))
        .unwrap();
    let (report, transport) = sync_through(&server, &me, false).await;
    assert_eq!(report.pushed, 1 + 3, "{report:?}");
    assert_eq!(transport.early.load(Ordering::SeqCst), 1, "it was tried");
    assert_eq!(
        transport.asked_again(),
        1,
        "then the same page was asked for after the push"
    );
    assert!(me.sentra.product(made).is_ok());
    assert!(me.sentra.producer(mine).is_ok(), "the registration stays");
}

async fn a_pull_naming_no_readable_entry_is_a_bad_body(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let me = facilitator(&server, "pendamping.salah").await;
    for value in ["besok", "-3", ""] {
        let answer = raw_pull(
            &server,
            &me,
            vec![(wire::PULL_AFTER_PUSH_HEADER, value.to_owned())],
        )
        .await;
        assert_eq!(answer.status(), 400, "{value:?}");
        let body: serde_json::Value =
            serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
        assert_eq!(body["code"], "bad_body", "{value:?}: {body}");
    }
}
