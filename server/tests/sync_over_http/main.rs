//! Devices (the real core, each on its own database) and the real server on loopback, talking
//! the real protocol over HTTP: sign-in and its throttling, scopes, authorisation, idempotent pushes,
//! and convergence.
//!
//! The cases are in `accounts.rs` (sign-in, scopes, authorisation, rate limits), `faults.rs`
//! (idempotency, clock skew, lost messages), `clocks_and_orders.rs` (a phone's date moved between
//! an edit and its sync, concurrent order steps), `counting.rs` (the real transport, counting
//! what is on its way at once), `clock_check.rs` (pushes that carry the phone's
//! clock), `photos.rs` (uploads, downloads, the demo),
//! `orders.rs` (the buyers' order API), `paging.rs` (pull pages), `pull_ranges.rs` (pull pages
//! several at once), `storefront.rs` (the web
//! storefront), `recovery.rs` (a phone's damaged database rebuilt by resyncing),
//! `scope_changes.rs` (scopes that grow and shrink after a phone's first sync), `variants.rs`
//! (variants added, edited and removed on two phones offline; edits lost to deletes),
//! `selling.rs` (delivery and payment settings, the fee on an order, the paid mark) and
//! `wire_formats.rs` (pages in columns and overlapping push batches, beside old phones).
//!
//! This is also the storage conformance suite: every case runs on embedded SQLite and on a real
//! PostgreSQL (a fresh database per case, on the server named by `SENTRA_TEST_POSTGRES`, which
//! `scripts/test` starts). Without that variable the PostgreSQL cases say so and pass nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

use reqwest::Client;
use sentra_core::catalogue::{NewProduct, NewVariant, ProductPatch};
use sentra_core::producers::NewProducer;
use sentra_core::sales::NewSale;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::sync::wire::{
    self, LoginRequest, LoginResponse, Outcome, PullResponse, PushResponse,
};
use sentra_core::{Account, Id, Role, Sentra};
use sentra_server::store::{PostgresStore, SqliteStore, Store};
use sentra_server::{AppState, app};
use std::sync::Arc;

struct Server {
    url: String,
    state: AppState,
    _dir: tempfile::TempDir,
}

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database on the test PostgreSQL server, or `None` when there is none.
fn postgres_database() -> Option<String> {
    let admin = std::env::var("SENTRA_TEST_POSTGRES").ok()?;
    let name = format!("sentra_t_{}", uuid::Uuid::new_v4().simple());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    Some(format!("{admin} dbname={name}"))
}

async fn server(backend: Backend) -> Option<Server> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(SqliteStore::open(&path).unwrap()),
        Backend::Postgres => {
            let Some(url) = tokio::task::spawn_blocking(postgres_database)
                .await
                .unwrap()
            else {
                println!("SENTRA_TEST_POSTGRES is not set: PostgreSQL case not run");
                return None;
            };
            Arc::new(
                tokio::task::spawn_blocking(move || PostgresStore::connect(&url).unwrap())
                    .await
                    .unwrap(),
            )
        }
    };
    let state = AppState::new(store, dir.path().join("photos"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // As `sentra-server serve` does: each request knows its socket's address.
    let router = app(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Some(Server {
        url,
        state,
        _dir: dir,
    })
}

/// Creates an account (store calls block, so off the async threads).
async fn account(server: &Server, login: &str, secret: &str, role: Role, producer: Option<Id>) {
    let (state, login, secret) = (server.state.clone(), login.to_owned(), secret.to_owned());
    tokio::task::spawn_blocking(move || {
        state
            .create_account(&login, &secret, role, producer)
            .unwrap()
    })
    .await
    .unwrap();
}

/// Runs a case on both backends.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case(super::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$case(super::Backend::Postgres).await;
            }
        }
    )*};
}

/// A phone: its own database, and a token once signed in.
struct Phone {
    sentra: Sentra,
    token: String,
    _dir: tempfile::TempDir,
}

async fn post(client: &Client, url: &str, token: Option<&str>, body: Vec<u8>) -> reqwest::Response {
    let mut request = client
        .post(url)
        .header("content-encoding", "zstd")
        .body(body);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.send().await.unwrap()
}

/// A GET of a page, photo or API path on the server, as a browser or a stranger asks.
async fn get(server: &Server, path: &str) -> reqwest::Response {
    Client::new()
        .get(format!("{}{path}", server.url))
        .send()
        .await
        .unwrap()
}

/// That a photo copy the server made (`bytes`, served at `path` with `etag`) is kept with the
/// photos under `key` (the blob directory, or PostgreSQL's photo table), that the next request
/// gets the same bytes, and that a browser's cached copy is not sent again.
async fn assert_copy_kept(server: &Server, key: String, path: &str, bytes: &[u8], etag: &str) {
    let blobs = server.state.blobs.clone();
    let kept = tokio::task::spawn_blocking(move || blobs.read(&key).unwrap())
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some(bytes), "{path} is kept");
    let again = get(server, path).await;
    assert_eq!(again.bytes().await.unwrap(), bytes, "{path} again");
    let revalidated = Client::new()
        .get(format!("{}{path}", server.url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304, "{path} revalidated");
}

async fn login(server: &Server, device: Id, login: &str, secret: &str) -> reqwest::Response {
    let body = wire::encode(&LoginRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: device,
        login: login.into(),
        secret: secret.into(),
    })
    .unwrap();
    post(
        &Client::new(),
        &format!("{}/v1/login", server.url),
        None,
        body,
    )
    .await
}

async fn phone(server: &Server, login_name: &str, secret: &str) -> Phone {
    let mut phone = unsigned_phone();
    sign_in(server, &mut phone, login_name, secret).await;
    phone
}

fn unsigned_phone() -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let sentra = Sentra::open(&dir.path().join("sentra.db")).unwrap();
    Phone {
        sentra,
        token: String::new(),
        _dir: dir,
    }
}

async fn sign_in(server: &Server, phone: &mut Phone, login_name: &str, secret: &str) {
    let response = login(server, phone.sentra.device_id(), login_name, secret).await;
    assert_eq!(response.status(), 200);
    let signed_in: LoginResponse = wire::decode(&response.bytes().await.unwrap()).unwrap();
    phone
        .sentra
        .set_account(Account {
            user_id: signed_in.user_id,
            role: signed_in.role,
        })
        .unwrap();
    phone.token = signed_in.token;
}

/// One sync by the device's engine over its HTTP transport.
async fn sync(server: &Server, phone: &Phone) -> sentra_core::sync::engine::SyncReport {
    let transport = HttpTransport::new(&server.url, &phone.token);
    let options = SyncOptions {
        push_batch_bytes: 16 * 1024,
        pull_page_bytes: 16 * 1024,
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
    report
}

struct NoProgress;
impl ProgressListener for NoProgress {
    fn on_progress(&self, _: SyncProgress) {}
}

fn producer(name: &str, phone: &str) -> NewProducer {
    NewProducer {
        business_name: name.into(),
        owner_name: "Pemilik".into(),
        phone: phone.into(),
        address: "Desa Rowosari".into(),
        region_code: "3327".into(),
        sector: "fashion_textiles".into(),
        workforce: 3,
        // Consent to publish, so the storefront may show their products.
        consent_publish: true,
        consent_date: Some("2026-11-01".into()),
        ..Default::default()
    }
}

fn product(producer: Id, name: &str, stock: i64) -> NewProduct {
    NewProduct {
        producer_id: producer.to_string(),
        name: name.into(),
        description: "Jahitan rapi".into(),
        category: "Pakaian".into(),
        unit: "pcs".into(),
        price: 85_000,
        min_order: 1,
        status: "listed".into(),
        variants: vec![NewVariant {
            initial_stock: stock,
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// The server's `/metrics` text.
async fn metrics(server: &Server) -> String {
    let response = Client::new()
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap();
    String::from_utf8(response.bytes().await.unwrap().to_vec()).unwrap()
}

/// One counter from `/metrics` text.
fn metric(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap()
        .parse()
        .unwrap()
}

mod accounts;
mod clock_check;
mod clocks_and_orders;
mod counting;
mod faults;
mod leaving;
mod orders;
mod paging;
mod photos;
mod pull_after_push;
mod pull_ranges;
mod recovery;
mod scope_changes;
mod selling;
mod storefront;
mod storefront_buyers;
mod storefront_cards;
mod variants;
mod wire_formats;
