//! The bodies of the fuzz targets in `fuzz/`, shared with their property-test twins in
//! `tests/tests/fuzz_twins.rs`, so CI checks the very code libFuzzer runs. Each takes any bytes
//! and must not panic; a server error (5xx) or a store failure counts as a panic.

use axum::body::Body;
use axum::http::Request;
use sentra_core::sync::wire::{self, LoginRequest, PullRequest, PushRequest, PushResponse};
use sentra_core::{Id, Role, Sentra};
use sentra_server::accounts::Account;
use sentra_server::store::{SqliteStore, Store};
use sentra_server::{AppState, app};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

/// A failure while building a target's world.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

/// 2026-11-22 08:00 WIB, the time the sync target's store runs at.
const NOV_22: i64 = 1_795_309_200_000;

/// Photo ingest: the whole pipeline over any bytes; it may refuse, never panic.
pub fn photo_ingest(data: &[u8]) {
    let _ = sentra_core::photos::process_bytes(data, &sentra_core::photos::Limits::default());
}

/// A store and three accounts for the sync-batch target.
pub struct SyncWorld {
    store: SqliteStore,
    accounts: Vec<Account>,
}

impl SyncWorld {
    /// A fresh store in `dir`.
    pub fn new(dir: &Path) -> Result<SyncWorld, SetupError> {
        let store = SqliteStore::open(&dir.join("server.db"))?;
        let accounts = vec![
            store
                .create_account("admin", "-", Role::Admin, None)?
                .ok_or("login taken")?,
            store
                .create_account("081227501234", "-", Role::Producer, Some(Id::new()))?
                .ok_or("login taken")?,
            store
                .create_account("pendamping", "-", Role::Facilitator, None)?
                .ok_or("login taken")?,
        ];
        Ok(SyncWorld { store, accounts })
    }
}

/// The server's decoding of a sync batch: any bytes read the two ways the server reads a body
/// (zstd JSON, plain JSON), and every entry that decodes pushed as an admin, a producer and a
/// facilitator. A malformed entry must be refused, never fail the store.
pub fn sync_batch(world: &SyncWorld, data: &[u8]) {
    let _ = wire::decode::<PullRequest>(data);
    let _ = wire::decode::<LoginRequest>(data);
    let _ = serde_json::from_slice::<LoginRequest>(data);
    let requests = [
        wire::decode::<PushRequest>(data).ok(),
        serde_json::from_slice::<PushRequest>(data).ok(),
    ];
    for request in requests.into_iter().flatten() {
        let entries = &request.entries[..request.entries.len().min(64)];
        for account in &world.accounts {
            if let Err(err) = world
                .store
                .push(account, request.device_id, entries, NOV_22)
            {
                panic!("the store failed on pushed entries: {err}");
            }
        }
    }
}

/// A real server in process (router, store, replica) with a listed product and a facilitator
/// signed in on the web, for the web-form targets.
pub struct WebWorld {
    runtime: tokio::runtime::Runtime,
    state: AppState,
    product: Id,
    token: String,
    csrf: String,
}

fn now() -> i64 {
    use sentra_core::WallClock;
    sentra_core::SystemClock.now_ms()
}

impl WebWorld {
    /// A fresh server with its data in `dir`.
    pub fn new(dir: &Path) -> Result<WebWorld, SetupError> {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("server.db"))?);
        // Thousands of requests with one session: far past the rate limit, which is not what
        // these targets test (and whose web refusal is a known 500, see docs/reliability.md).
        let state = AppState::new(store.clone(), dir.join("photos")).with_rate_limit(
            sentra_server::limits::RateLimit {
                burst: 1e12,
                per_second: 1e12,
            },
        );
        // A producer with a listed product, pushed by an admin's phone.
        let admin = store
            .create_account("admin", "-", Role::Admin, None)?
            .ok_or("login taken")?;
        let phone = Sentra::open(&dir.join("phone.db"))?;
        phone.set_account(sentra_core::Account {
            user_id: admin.user_id,
            role: Role::Admin,
        })?;
        let producer = phone.register_producer(&crate::rowosari_jeans_maker())?;
        let product = phone.create_product(&crate::jeans(&producer.to_string()))?;
        while let Some(batch) = phone.sync_push_batch(1 << 20)? {
            let results = store.push(&admin, batch.device_id, &batch.entries, now())?;
            phone.sync_settle_push(&PushResponse {
                server_time_ms: now(),
                results,
            })?;
        }
        // A facilitator signed in on the web (the session cookie holds a bearer token).
        let facilitator = store
            .create_account("pendamping", "-", Role::Facilitator, None)?
            .ok_or("login taken")?;
        let token = sentra_server::accounts::new_token();
        store.issue_token(
            facilitator.user_id,
            Id::new(),
            &sentra_server::accounts::token_hash(&token),
            now(),
        )?;
        let csrf =
            blake3::hash(format!("sentra-web-csrf:{token}").as_bytes()).to_hex()[..32].to_owned();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        Ok(WebWorld {
            runtime,
            state,
            product,
            token,
            csrf,
        })
    }

    /// POSTs a form; a server error panics.
    fn post_form(&self, path: &str, cookie: Option<&str>, body: Vec<u8>) -> u16 {
        let mut request = Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(token) = cookie {
            request = request.header("cookie", format!("sentra_sesi={token}"));
        }
        let Ok(request) = request.body(Body::from(body)) else {
            return 400;
        };
        let router = app(self.state.clone());
        let (status, body) = self.runtime.block_on(async move {
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 1 << 22)
                .await
                .unwrap_or_default();
            (status, body)
        });
        assert!(
            !status.is_server_error(),
            "{path}: {status}: {}",
            String::from_utf8_lossy(&body)
        );
        status.as_u16()
    }
}

/// The storefront's order form: any bytes as the body of `POST /p/{id}/pesan`.
pub fn order_form(world: &WebWorld, data: &[u8]) -> u16 {
    let path = format!("/p/{}/pesan", world.product);
    world.post_form(&path, None, data.to_vec())
}

/// The facilitators' CSV import: any bytes as the pasted CSV of `POST /dasbor/impor`.
pub fn csv_import(world: &WebWorld, data: &[u8]) -> u16 {
    let text: String = data.iter().map(|b| format!("%{b:02X}")).collect();
    let body = format!("csrf={}&teks={text}", world.csrf);
    world.post_form("/dasbor/impor", Some(&world.token), body.into_bytes())
}
