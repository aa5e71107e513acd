//! Three servers under concurrent pushes through random servers, pullers reading through
//! random servers all along, and one server killed (SIGKILL) mid-load and started again: every
//! acknowledged entry reaches every puller and a fresh device exactly once, every server's
//! storefront shows every product, and nothing answers 5xx.

use super::*;
use sentra_core::sync::wire::{self, Outcome, PullRequest, PushEntry, PushRequest, PushResponse};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Devices pushing at once, and the pushes each makes.
const DEVICES: usize = 6;
const PUSHES: usize = 12;

/// The servers' addresses now (one changes when it is started again), and what went wrong.
struct Fleet {
    urls: Mutex<Vec<String>>,
    client: reqwest::Client,
    server_errors: AtomicUsize,
    turn: AtomicUsize,
    /// Pushes answered so far.
    answered: AtomicUsize,
}

impl Fleet {
    /// The next server in turn (a balancer spreading requests).
    fn pick(&self) -> String {
        let urls = self.urls.lock().unwrap();
        urls[self.turn.fetch_add(1, Ordering::Relaxed) % urls.len()].clone()
    }

    /// POSTs a zstd body with a token to some server; its status and body, or `None` when the
    /// server could not be reached (killed), which the caller retries elsewhere.
    async fn post(&self, path: &str, token: &str, body: Vec<u8>) -> Option<(u16, Vec<u8>)> {
        let url = self.pick();
        let response = self
            .client
            .post(format!("{url}{path}"))
            .header("content-encoding", "zstd")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(body)
            .send()
            .await
            .ok()?;
        let status = response.status().as_u16();
        let body = response.bytes().await.ok()?.to_vec();
        if status >= 500 {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
            eprintln!("{url}{path}: {status} {}", String::from_utf8_lossy(&body));
        }
        Some((status, body))
    }

    /// Pulls every page there is now through servers in turn, into `puller`.
    async fn pull(&self, puller: &mut Puller) {
        loop {
            let body = wire::encode(&PullRequest {
                version: wire::PROTOCOL_VERSION,
                device_id: puller.session.device,
                cursor: puller.cursor.clone(),
                max_bytes: 64 * 1024,
            })
            .unwrap();
            let Some((status, body)) = self
                .post("/v1/sync/pull", &puller.session.token, body)
                .await
            else {
                continue;
            };
            if status == 429 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            let page: sentra_core::sync::wire::PullResponse = wire::decode(&body).unwrap();
            puller.seen.extend(page.changes);
            puller.cursor = Some(page.next_cursor);
            if !page.more {
                return;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_pushed_through_at_random_with_one_killed_lose_and_repeat_nothing() {
    let Some(mut cluster) = cluster(3).await else {
        return;
    };
    staff(&cluster).await;
    let first = &cluster.servers[0];
    let mut devices = Vec::new();
    for _ in 0..DEVICES {
        devices.push(sign_in(first, "admin.pusat", "rahasia-kuat-1").await);
    }
    let mut pullers = vec![
        Puller::new(sign_in(first, "admin.pusat", "rahasia-kuat-1").await),
        Puller::new(sign_in(first, "pendamping.satu", "rahasia-kuat-2").await),
    ];
    let fleet = Arc::new(Fleet {
        urls: Mutex::new(cluster.servers.iter().map(|s| s.url.clone()).collect()),
        client: reqwest::Client::new(),
        server_errors: AtomicUsize::new(0),
        turn: AtomicUsize::new(0),
        answered: AtomicUsize::new(0),
    });

    // Each device pushes a shop at a time, and sends a push again (through the next server)
    // until it is answered: its products are acknowledged once answered.
    let mut pushing = tokio::task::JoinSet::new();
    for (n, mut device) in devices.into_iter().enumerate() {
        let fleet = fleet.clone();
        pushing.spawn(async move {
            let mut acknowledged = Vec::new();
            for round in 0..PUSHES {
                let shop = Shop::new();
                let mut changes = shop.producer_changes(&format!("Konveksi {n}-{round}"));
                changes.extend(shop.product_changes(&format!("Kaos {n}-{round}")));
                let entries: Vec<PushEntry> = changes
                    .into_iter()
                    .map(|change| {
                        device.seq += 1;
                        PushEntry {
                            seq: device.seq - 1,
                            change,
                        }
                    })
                    .collect();
                let body = wire::encode(&PushRequest {
                    version: wire::PROTOCOL_VERSION,
                    device_id: device.device,
                    entries,
                })
                .unwrap();
                loop {
                    match fleet
                        .post("/v1/sync/push", &device.token, body.clone())
                        .await
                    {
                        Some((200, answer)) => {
                            let response: PushResponse = wire::decode(&answer).unwrap();
                            assert!(response.results.iter().all(|r| matches!(
                                r.outcome,
                                Outcome::Applied | Outcome::Duplicate
                            )));
                            break;
                        }
                        Some((429, _)) => tokio::time::sleep(Duration::from_millis(500)).await,
                        Some((status, answer)) => {
                            panic!("push: {status} {}", String::from_utf8_lossy(&answer))
                        }
                        None => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
                acknowledged.push(shop.product);
                fleet.answered.fetch_add(1, Ordering::Relaxed);
            }
            acknowledged
        });
    }
    // Pullers read through the servers in turn while the pushes go on.
    let done = Arc::new(AtomicBool::new(false));
    let mut pulling = tokio::task::JoinSet::new();
    for mut puller in pullers.drain(..) {
        let (fleet, done) = (fleet.clone(), done.clone());
        pulling.spawn(async move {
            while !done.load(Ordering::Relaxed) {
                fleet.pull(&mut puller).await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            puller
        });
    }

    // Mid-load, the second server is killed and started again (a new process, a fresh data
    // directory: its replica rebuilds from the feed).
    while fleet.answered.load(Ordering::Relaxed) < DEVICES * PUSHES / 3 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cluster.processes[1].kill().unwrap();
    cluster.processes[1].wait().unwrap();
    let url = url_of(&cluster.database);
    let (child, server) = serve(
        &["--database", &url],
        cluster.servers[0].state.store.clone(),
    )
    .await;
    fleet.urls.lock().unwrap()[1] = server.url.clone();
    cluster.processes[1] = child;
    cluster.servers[1] = server;

    let answered_by_restart = fleet.answered.load(Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    while let Some(products) = pushing.join_next().await {
        acknowledged.extend(products.unwrap());
    }
    done.store(true, Ordering::Relaxed);
    let mut pullers = Vec::new();
    while let Some(puller) = pulling.join_next().await {
        pullers.push(puller.unwrap());
    }
    // A fresh device, and each puller once more, after the last acknowledgement.
    pullers.push(Puller::new(
        sign_in(&cluster.servers[2], "admin.pusat", "rahasia-kuat-1").await,
    ));
    for puller in &mut pullers {
        fleet.pull(puller).await;
        for product in &acknowledged {
            assert_eq!(
                puller.times("product", *product, "create"),
                1,
                "product {product}"
            );
        }
    }
    for server in &cluster.servers {
        for product in &acknowledged {
            let path = format!("/p/{product}");
            assert_eq!(get_page(server, &path).await, 200, "{} {path}", server.url);
        }
    }
    assert_eq!(acknowledged.len(), DEVICES * PUSHES);
    assert!(
        answered_by_restart < DEVICES * PUSHES,
        "the load was over before the server was started again"
    );
    assert_eq!(
        fleet.server_errors.load(Ordering::Relaxed),
        0,
        "5xx answers"
    );
}
