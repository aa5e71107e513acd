//! Bytes and requests on the wire for the sync issue's three figures, through the real engine,
//! the real HTTP transport and the real server (SQLite) on loopback:
//! pushing 10,000 products from one device, a fresh device pulling them, and a no-op sync.
//!
//! Run: `cargo bench -p sentra-server --bench sync_wire` (`-- --products N` for another size).
//! Anchor (measured on this machine, `../shared/BRIEF.md`): PouchDB pushes 10,000 docs of
//! ~300 bytes in 403 requests and 5.2 MB. Goal: ≤ 20 requests and ≤ 1.3 MB.

#![allow(clippy::expect_used, clippy::unwrap_used)] // A benchmark that cannot run has nothing to report.

use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::producers::NewProducer;
use sentra_core::sync::engine::{
    CancelToken, ProgressListener, SyncOptions, SyncProgress, SyncReport,
};
use sentra_core::sync::http::HttpTransport;
use sentra_core::sync::wire::{self, LoginRequest, LoginResponse};
use sentra_core::{Role, Sentra};
use sentra_server::store::SqliteStore;
use sentra_server::{AppState, app};
use std::sync::Arc;

struct Quiet;
impl ProgressListener for Quiet {
    fn on_progress(&self, _: SyncProgress) {}
}

async fn login(url: &str, sentra: &Sentra, login: &str) -> String {
    let body = wire::encode(&LoginRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: sentra.device_id(),
        login: login.into(),
        secret: "135790".into(),
    })
    .unwrap();
    let response = reqwest::Client::new()
        .post(format!("{url}/v1/login"))
        .header("content-encoding", "zstd")
        .body(body)
        .send()
        .await
        .unwrap();
    let signed_in: LoginResponse = wire::decode(&response.bytes().await.unwrap()).unwrap();
    signed_in.token
}

fn line(what: &str, r: &SyncReport) {
    println!(
        "{what:<34} {:>6} requests {:>10} bytes up {:>10} bytes down {:>8} ms",
        r.requests, r.bytes_up, r.bytes_down, r.duration_ms
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let products: usize = args
        .iter()
        .position(|a| a == "--products")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("server.db")).unwrap();
    let state = AppState::new(Arc::new(store), dir.path().join("photos"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let one = Sentra::open(&dir.path().join("one.db")).unwrap();
    let me = one
        .register_producer(&NewProducer {
            business_name: "Konveksi Rowosari Jaya".into(),
            owner_name: "Siti Aminah".into(),
            phone: "0812-2750-1234".into(),
            region_code: "3327".into(),
            sector: "fashion_textiles".into(),
            ..Default::default()
        })
        .unwrap();
    for i in 0..products {
        // One variant each, so a product is about as big as the anchor's 300-byte document.
        one.create_product(&NewProduct {
            producer_id: me.to_string(),
            name: format!("Kaos Batik Pekalongan {i}"),
            description: "Kaos katun motif batik cap, dijahit di Rowosari.".into(),
            category: "Pakaian".into(),
            unit: "pcs".into(),
            price: 50_000 + (i as i64 % 97) * 1_000,
            min_order: 1,
            status: "listed".into(),
            variants: vec![NewVariant {
                initial_stock: (i % 40) as i64,
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap();
    }
    let entries = one
        .pending_counts()
        .unwrap()
        .iter()
        .map(|p| p.count)
        .sum::<i64>();
    {
        let state = state.clone();
        tokio::task::spawn_blocking(move || {
            state
                .create_account("0812-2750-1234", "135790", Role::Producer, Some(me))
                .unwrap();
        })
        .await
        .unwrap();
    }
    let token = login(&url, &one, "081227501234").await;
    let options = SyncOptions::default();
    let cancel = CancelToken::new();
    println!(
        "{products} products ({entries} outbox entries: producer, products, variants, opening stock)"
    );
    let push = one
        .sync(
            &HttpTransport::new(&url, &token),
            &options,
            None::<&Quiet>,
            &cancel,
        )
        .await
        .unwrap();
    assert!(push.completed, "{push:?}");
    line("push everything (pull, push, pull)", &push);

    let two = Sentra::open(&dir.path().join("two.db")).unwrap();
    let token_two = login(&url, &two, "081227501234").await;
    let pull = two
        .sync(
            &HttpTransport::new(&url, &token_two),
            &options,
            None::<&Quiet>,
            &cancel,
        )
        .await
        .unwrap();
    assert!(pull.completed, "{pull:?}");
    line("fresh device pulls everything", &pull);

    let noop = two
        .sync(
            &HttpTransport::new(&url, &token_two),
            &options,
            None::<&Quiet>,
            &cancel,
        )
        .await
        .unwrap();
    line("no-op sync", &noop);
    println!(
        "push against PouchDB's 403 requests / 5.2 MB: {:.3}× requests, {:.3}× bytes",
        push.requests as f64 / 403.0,
        (push.bytes_up + push.bytes_down) as f64 / 5_200_000.0
    );
}
