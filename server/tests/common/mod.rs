//! The harness shared by the adversarial suites (`authorisation/`, `bad_input/`): a real server on
//! loopback over SQLite or a throwaway PostgreSQL, sessions signed in through `/v1/login`, and
//! hand-made wire requests, so a test can send what no honest device would.

#![allow(dead_code)] // Each suite uses its own part of the harness.

use reqwest::Client;
use sentra_core::sync::clock::Hlc;
use sentra_core::sync::wire::{
    self, Change, ErrorBody, LoginRequest, LoginResponse, PullRequest, PullResponse, PushEntry,
    PushRequest, PushResponse,
};
use sentra_core::{Id, Role};
use sentra_server::store::{PostgresStore, SqliteStore, Store};
use sentra_server::{AppState, app};
use std::sync::Arc;

/// A server on loopback and its state.
pub struct Server {
    pub url: String,
    pub state: AppState,
    pub client: Client,
    pub dir: tempfile::TempDir,
}

/// The storage backend a case runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
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

/// A server on a fresh database; `None` (said aloud) when PostgreSQL is wanted but absent.
pub async fn server(backend: Backend) -> Option<Server> {
    server_with(backend, |state| state).await
}

/// A server whose state `tune` may change first (rate limits, …).
pub async fn server_with(
    backend: Backend,
    tune: impl FnOnce(AppState) -> AppState,
) -> Option<Server> {
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
    let state = tune(AppState::new(store, dir.path().join("photos")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // As `sentra-server serve` does: each request knows its socket's address (sign-in attempts
    // are throttled by it).
    let router = app(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    // The core's transport installs the TLS crypto provider (ring) that every reqwest client
    // of this build needs, so one is made first.
    let _ = sentra_core::sync::http::HttpTransport::new(&url, "");
    Some(Server {
        url,
        state,
        // A redirect is an answer to check, not to follow.
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        dir,
    })
}

/// Runs a case on both backends.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$case($crate::common::Backend::Postgres).await;
            }
        }
    )*};
}

/// Creates an account (argon2 hashing blocks, so off the async threads); its user id.
pub async fn account(
    server: &Server,
    login: &str,
    secret: &str,
    role: Role,
    producer: Option<Id>,
) -> Id {
    let (state, login, secret) = (server.state.clone(), login.to_owned(), secret.to_owned());
    tokio::task::spawn_blocking(move || {
        state
            .create_account(&login, &secret, role, producer)
            .unwrap()
            .user_id
    })
    .await
    .unwrap()
}

/// A signed-in device: its token, device id, user id and next outbox sequence.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub device: Id,
    pub user: Id,
    pub seq: i64,
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The stable error code of a failed request (panics when the body is not an ErrorBody).
    pub fn code(&self) -> String {
        let body: ErrorBody = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: not an error body ({e}): {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        });
        body.code
    }

    /// A zstd body decoded.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> T {
        wire::decode(&self.body).unwrap_or_else(|e| panic!("status {}: {e}", self.status))
    }
}

/// Sends any request and reads the whole answer. A pooled connection the server closed just
/// before it was reused (hyper's keep-alive race) is retried once on a new one; every other
/// failure to get an answer is the test's failure.
pub async fn send(request: reqwest::RequestBuilder) -> Answer {
    let retry = request.try_clone();
    let response = match (request.send().await, retry) {
        (Ok(response), _) => response,
        (Err(err), Some(retry)) if err.is_request() && !err.is_timeout() => {
            retry.send().await.unwrap()
        }
        (Err(err), _) => panic!("{err:?}"),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// POSTs a zstd body, with a token when given.
pub async fn post_zstd(server: &Server, path: &str, token: Option<&str>, body: Vec<u8>) -> Answer {
    let mut request = server
        .client
        .post(format!("{}{path}", server.url))
        .header("content-encoding", "zstd")
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    send(request).await
}

/// Signs in on a new device through `/v1/login`.
pub async fn sign_in(server: &Server, login: &str, secret: &str) -> Session {
    let device = Id::new();
    let answer = login_attempt(server, device, login, secret).await;
    assert_eq!(answer.status, 200, "{login}: {:?}", answer.code());
    let response: LoginResponse = answer.decode();
    Session {
        token: response.token,
        device,
        user: response.user_id,
        seq: 1,
    }
}

/// One `/v1/login` attempt.
pub async fn login_attempt(server: &Server, device: Id, login: &str, secret: &str) -> Answer {
    let body = wire::encode(&LoginRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: device,
        login: login.into(),
        secret: secret.into(),
    })
    .unwrap();
    post_zstd(server, "/v1/login", None, body).await
}

/// A server that believes `X-Forwarded-For` from loopback, as behind a reverse proxy there, so
/// a test can speak from any client address with [`login_attempt_from`].
pub async fn server_behind_proxy(backend: Backend) -> Option<Server> {
    server_with(backend, |state| {
        state.with_trusted_proxies(
            sentra_server::limits::TrustedProxies::parse("127.0.0.1").unwrap(),
        )
    })
    .await
}

/// One `/v1/login` attempt from the client `address`, as the trusted proxy reports it.
pub async fn login_attempt_from(
    server: &Server,
    address: &str,
    device: Id,
    login: &str,
    secret: &str,
) -> Answer {
    let body = wire::encode(&LoginRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: device,
        login: login.into(),
        secret: secret.into(),
    })
    .unwrap();
    let request = server
        .client
        .post(format!("{}/v1/login", server.url))
        .header("content-encoding", "zstd")
        .header("content-type", "application/json")
        .header("x-forwarded-for", address)
        .body(body);
    send(request).await
}

/// The wall clock now (Unix ms).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A change made by hand, stamped now.
pub fn change(entity: &str, id: Id, op: &str, fields: serde_json::Value) -> Change {
    Change {
        entity: entity.into(),
        id,
        op: op.into(),
        fields: fields.as_object().cloned().unwrap_or_default(),
        hlc: Hlc {
            millis: now_ms(),
            counter: 0,
            node: 7,
        },
    }
}

/// Pushes changes as the session's next entries; the raw answer.
pub async fn push_raw(server: &Server, session: &mut Session, changes: Vec<Change>) -> Answer {
    let entries = changes
        .into_iter()
        .map(|change| {
            session.seq += 1;
            PushEntry {
                seq: session.seq - 1,
                change,
            }
        })
        .collect();
    let body = wire::encode(&PushRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: session.device,
        entries,
    })
    .unwrap();
    post_zstd(server, "/v1/sync/push", Some(&session.token), body).await
}

/// Pushes changes that must all be applied.
pub async fn push_applied(server: &Server, session: &mut Session, changes: Vec<Change>) {
    let answer = push_raw(server, session, changes).await;
    assert_eq!(answer.status, 200);
    let response: PushResponse = answer.decode();
    for result in &response.results {
        assert_eq!(
            result.outcome,
            wire::Outcome::Applied,
            "entry {}",
            result.seq
        );
    }
}

/// One pull page as the session, after `cursor`.
pub async fn pull_page(server: &Server, session: &Session, cursor: Option<String>) -> Answer {
    let body = wire::encode(&PullRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: session.device,
        cursor,
        max_bytes: 1 << 20,
    })
    .unwrap();
    post_zstd(server, "/v1/sync/pull", Some(&session.token), body).await
}

/// Every change after `cursor` that the session sees, and the cursor after them.
pub async fn pull_all(
    server: &Server,
    session: &Session,
    mut cursor: Option<String>,
) -> (Vec<Change>, Option<String>) {
    let mut changes = Vec::new();
    loop {
        let answer = pull_page(server, session, cursor.clone()).await;
        assert_eq!(answer.status, 200, "{}", answer.code());
        let page: PullResponse = answer.decode();
        changes.extend(page.changes);
        cursor = Some(page.next_cursor);
        if !page.more {
            return (changes, cursor);
        }
    }
}

/// Whole, valid fields for every kind of entry, as an honest phone's local write makes them, so
/// a suite can send exactly one thing wrong.
pub mod valid {
    use sentra_core::Id;
    use serde_json::{Value, json};

    /// A producer registered by `by` (`self` or a facilitator's user id).
    pub fn producer(by: &str) -> Value {
        json!({
            "business_name": "Konveksi Baru", "owner_name": "Bu Siti", "phone": "+6281234500001",
            "address": "Jl. Raya Rowosari 1", "region_code": "3327", "sector": "fashion_textiles",
            "workforce": 4, "year_founded": 2015, "nib": null, "certifications": "",
            "consent_publish": 1, "consent_date": "2026-11-01", "registered_by": by,
            "created_at": super::now_ms(),
        })
    }

    /// A cluster or cooperative.
    pub fn organisation(kind: &str, name: &str) -> Value {
        json!({"kind": kind, "name": name, "region_code": "3327", "created_at": super::now_ms()})
    }

    /// A listed product of `producer` with one tier.
    pub fn product(producer: Id, name: &str) -> Value {
        json!({
            "producer_id": producer.to_string(), "name": name, "description": "Katun, jahit rapi",
            "category": "Pakaian", "unit": "pcs", "price": 85000, "min_order": 1,
            "weight_g": 250, "length_cm": 30, "width_cm": 20, "height_cm": 3,
            "status": "listed", "tier1": "Ukuran", "tier2": null, "created_at": super::now_ms(),
        })
    }

    /// A new variant of `product`: its id (a child of the product's) and fields.
    pub fn variant(product: Id, option: &str) -> (Id, Value) {
        (
            Id::child(product),
            json!({
                "product_id": product.to_string(), "position": 1, "sku": option,
                "option1": option, "option2": null, "price": null,
            }),
        )
    }

    /// A photo of `owner` (a product or a producer).
    pub fn photo(owner: Id) -> Value {
        json!({
            "owner_id": owner.to_string(), "position": 0,
            "hash": blake3::hash(owner.as_bytes()).to_hex().to_string(), "thumb_hash": null,
        })
    }

    /// A new order of one unit of `variant` at Rp 85.000 from `producer`.
    pub fn order(producer: Id, variant: Id) -> Value {
        json!({
            "code": "SNT-7K3M9P2Q", "producer_id": producer.to_string(), "channel": "facilitator",
            "status": "new", "buyer_name": "Pak Budi", "buyer_phone": "+6281298765432",
            "buyer_regency": "3374", "buyer_address": "Jl. Pemuda 5, Semarang", "note": "",
            "total": 85000, "created_at": super::now_ms(),
            "lines": [{"variant_id": variant.to_string(), "quantity": 1, "unit_price": 85000}],
        })
    }

    /// A restock of `variant`.
    pub fn movement(variant: Id) -> Value {
        json!({
            "variant_id": variant.to_string(), "kind": "restock", "delta": 5, "ref_id": null,
            "at": super::now_ms(),
        })
    }

    /// A direct sale of `variant`.
    pub fn sale(variant: Id) -> Value {
        json!({
            "variant_id": variant.to_string(), "quantity": 2, "unit_price": 85000,
            "channel": "market_stall", "sold_on": "2026-11-20", "created_at": super::now_ms(),
        })
    }
}

/// A photo as the app uploads it: a `side`-pixel square of noise (`seed` picks it) made into
/// a JPEG by the core's own pipeline (upright, no metadata, only a JFIF header).
pub fn clean_jpeg(seed: u32, side: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let pixels = image::RgbImage::from_fn(side, side, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    pixels.write_to(&mut png, image::ImageFormat::Png).unwrap();
    sentra_core::photos::process_bytes(png.get_ref(), &Default::default())
        .unwrap()
        .display
        .bytes
}
