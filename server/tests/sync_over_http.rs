//! Devices (the real core, each on its own database) and the real server on loopback, talking
//! the real protocol over HTTP: sign-in and lockout, scopes, authorisation, idempotent pushes,
//! and convergence.
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
    let router = app(state.clone());
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

on_both_backends!(
    wrong_pins_are_refused_then_locked_out_and_a_token_dies_at_logout,
    a_facilitators_offline_registration_reaches_the_server_and_stays_in_scope,
    a_push_outside_the_accounts_rights_is_rejected_and_changes_nothing,
    a_resent_batch_gets_the_same_answers_and_two_phones_of_one_producer_converge,
    a_phone_months_ahead_is_corrected_before_it_pushes_and_a_future_stamp_is_refused,
    a_photo_upload_cut_halfway_resumes_after_a_restart_and_sends_only_the_rest,
    a_facilitator_assigned_to_a_regency_sees_and_edits_its_producers_and_no_others,
);

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
async fn sync(server: &Server, phone: &Phone) {
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

async fn wrong_pins_are_refused_then_locked_out_and_a_token_dies_at_logout(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "0812-1111-2222",
        "123456",
        Role::Producer,
        Some(Id::new()),
    )
    .await;
    let device = Id::new();
    for _ in 0..4 {
        let response = login(&server, device, "+62 812 1111 2222", "000000").await;
        assert_eq!(response.status(), 401);
        let body: wire::ErrorBody =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(body.code, "bad_credentials");
    }
    let fifth = login(&server, device, "081211112222", "000000").await;
    assert_eq!(fifth.status(), 429, "the fifth wrong PIN locks the account");
    let right = login(&server, device, "081211112222", "123456").await;
    assert_eq!(right.status(), 429, "even the right PIN waits out the lock");

    account(
        &server,
        "pendamping.banyumas",
        "rahasia-kuat",
        Role::Facilitator,
        None,
    )
    .await;
    let phone = phone(&server, "pendamping.banyumas", "rahasia-kuat").await;
    sync(&server, &phone).await;
    let client = Client::new();
    let logout = client
        .post(format!("{}/v1/logout", server.url))
        .header("authorization", format!("Bearer {}", phone.token))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let request = phone.sentra.sync_pull_request(1024).unwrap();
    let replay = post(
        &client,
        &format!("{}/v1/sync/pull", server.url),
        Some(&phone.token),
        wire::encode(&request).unwrap(),
    )
    .await;
    assert_eq!(
        replay.status(),
        401,
        "a token replayed after logout is refused"
    );
}

async fn a_facilitators_offline_registration_reaches_the_server_and_stays_in_scope(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping",
        "rahasia-kuat",
        Role::Facilitator,
        None,
    )
    .await;
    account(
        &server,
        "pendamping.lain",
        "rahasia-lain",
        Role::Facilitator,
        None,
    )
    .await;
    let f = phone(&server, "pendamping", "rahasia-kuat").await;
    let other = phone(&server, "pendamping.lain", "rahasia-lain").await;

    // Offline in the village: register producer C with a product.
    // Offline in the village: register producer C, with the activation PIN C chose.
    let mut narti = producer("Batik Tulis Bu Narti", "0813-2222-3333");
    narti.activation_pin = Some("246810".into());
    let c = f.sentra.register_producer(&narti).unwrap();
    let kain = f
        .sentra
        .create_product(&product(c, "Kain Batik Tulis", 4))
        .unwrap();
    sync(&server, &f).await;
    assert!(
        f.sentra.sync_push_batch(1 << 20).unwrap().is_none(),
        "everything accepted"
    );
    assert!(f.sentra.quarantined().unwrap().is_empty());

    // After that sync C can sign in on their own phone with phone and PIN, and gets what F made.
    let c_phone = phone(&server, "081322223333", "246810").await;
    sync(&server, &c_phone).await;
    assert_eq!(
        c_phone.sentra.product(kain).unwrap().name,
        "Kain Batik Tulis"
    );
    assert_eq!(c_phone.sentra.producer(c).unwrap().phone, "+6281322223333");

    // The PIN's hash went to the server only: no phone is ever sent it.
    let mut request = c_phone.sentra.sync_pull_request(1 << 20).unwrap();
    request.cursor = None;
    let body = wire::encode(&request).unwrap();
    let raw = post(
        &Client::new(),
        &format!("{}/v1/sync/pull", server.url),
        Some(&f.token),
        body,
    )
    .await;
    assert_eq!(raw.status(), 403, "F's token is bound to F's device");
    let body = wire::encode(&request).unwrap();
    let raw = post(
        &Client::new(),
        &format!("{}/v1/sync/pull", server.url),
        Some(&c_phone.token),
        body,
    )
    .await;
    let page: PullResponse = wire::decode(&raw.bytes().await.unwrap()).unwrap();
    assert!(page.changes.iter().any(|ch| ch.entity == "producer"));
    assert!(
        page.changes
            .iter()
            .all(|ch| !ch.fields.contains_key("activation_pin_hash"))
    );
    // A wrong PIN does not open C's account.
    assert_eq!(
        login(&server, Id::new(), "081322223333", "135790")
            .await
            .status(),
        401
    );

    // Another facilitator sees nothing of C.
    sync(&server, &other).await;
    assert!(other.sentra.producer(c).is_err());
    assert!(other.sentra.product(kain).is_err());
}

async fn a_push_outside_the_accounts_rights_is_rejected_and_changes_nothing(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping",
        "rahasia-kuat",
        Role::Facilitator,
        None,
    )
    .await;
    let f = phone(&server, "pendamping", "rahasia-kuat").await;
    let a = f
        .sentra
        .register_producer(&producer("Konveksi A", "0812-0000-0001"))
        .unwrap();
    let b = f
        .sentra
        .register_producer(&producer("Konveksi B", "0812-0000-0002"))
        .unwrap();
    let b_product = f.sentra.create_product(&product(b, "Jeans B", 5)).unwrap();
    sync(&server, &f).await;
    account(&server, "0812-0000-0001", "111111", Role::Producer, Some(a)).await;
    account(&server, "0812-0000-0002", "222222", Role::Producer, Some(b)).await;
    let a_phone = phone(&server, "081200000001", "111111").await;
    let b_phone = phone(&server, "081200000002", "222222").await;
    sync(&server, &b_phone).await;

    // A's phone somehow holds B's product (say, a shared phone before switching accounts) and
    // edits it: the server refuses, the entry is quarantined, and B's price is untouched.
    let page: PullResponse = {
        let client = Client::new();
        // B's own scope, as B's phone would pull it from the start.
        let mut request = b_phone.sentra.sync_pull_request(1 << 20).unwrap();
        request.cursor = None;
        let response = post(
            &client,
            &format!("{}/v1/sync/pull", server.url),
            Some(&b_phone.token),
            wire::encode(&request).unwrap(),
        )
        .await;
        wire::decode(&response.bytes().await.unwrap()).unwrap()
    };
    a_phone.sentra.sync_apply_pull(&page).unwrap();
    a_phone
        .sentra
        .edit_product(
            b_product,
            &ProductPatch {
                price: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &a_phone).await;
    let held = a_phone.sentra.quarantined().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].code, "forbidden");
    sync(&server, &b_phone).await;
    assert_eq!(b_phone.sentra.product(b_product).unwrap().price, 85_000);
    // And A's own scope never carried B's data.
    let fresh = phone(&server, "081200000001", "111111").await;
    sync(&server, &fresh).await;
    assert!(fresh.sentra.product(b_product).is_err());
}

async fn a_resent_batch_gets_the_same_answers_and_two_phones_of_one_producer_converge(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    // A producer registers on their own phone, offline; their account names that producer.
    let mut one = unsigned_phone();
    let me = one
        .sentra
        .register_producer(&producer("Gula Kristal Sumber Manis", "0812-5555-6666"))
        .unwrap();
    account(
        &server,
        "0812-5555-6666",
        "135790",
        Role::Producer,
        Some(me),
    )
    .await;
    sign_in(&server, &mut one, "081255556666", "135790").await;
    let two = phone(&server, "081255556666", "135790").await;

    let gula = one
        .sentra
        .create_product(&product(me, "Gula Kristal 1 kg", 1))
        .unwrap();
    let batch = one.sentra.sync_push_batch(1 << 20).unwrap().unwrap();
    let client = Client::new();
    let url = format!("{}/v1/sync/push", server.url);
    let first = post(
        &client,
        &url,
        Some(&one.token),
        wire::encode(&batch).unwrap(),
    )
    .await;
    let first: PushResponse = wire::decode(&first.bytes().await.unwrap()).unwrap();
    assert!(
        first.results.iter().all(|r| r.outcome == Outcome::Applied),
        "{first:?}"
    );
    let again = post(
        &client,
        &url,
        Some(&one.token),
        wire::encode(&batch).unwrap(),
    )
    .await;
    let again: PushResponse = wire::decode(&again.bytes().await.unwrap()).unwrap();
    assert!(
        again
            .results
            .iter()
            .all(|r| r.outcome == Outcome::Duplicate)
    );
    one.sentra.sync_settle_push(&again).unwrap();

    sync(&server, &two).await;
    let variant = two.sentra.product(gula).unwrap().variants[0].id;
    for phone in [&one, &two] {
        phone
            .sentra
            .record_sale(&NewSale {
                variant_id: variant.to_string(),
                quantity: 1,
                unit_price: None,
                channel: "market_stall".into(),
                sold_on: "2026-11-22".into(),
            })
            .unwrap();
    }
    for _ in 0..2 {
        sync(&server, &one).await;
        sync(&server, &two).await;
    }
    for phone in [&one, &two] {
        let v = &phone.sentra.product(gula).unwrap().variants[0];
        assert_eq!(
            (v.stock, v.oversold),
            (-1, true),
            "both sales of the last kilo count"
        );
    }
    let metrics = Client::new()
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap();
    let metrics = String::from_utf8(metrics.bytes().await.unwrap().to_vec()).unwrap();
    let value = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(value("sentra_push_entries_applied_total") >= 4);
    assert_eq!(
        value("sentra_push_entries_duplicate_total"),
        4,
        "the resent batch"
    );
    assert_eq!(value("sentra_push_entries_rejected_total"), 0);
}

#[derive(Debug)]
struct Ahead(i64);
impl sentra_core::WallClock for Ahead {
    fn now_ms(&self) -> i64 {
        sentra_core::SystemClock.now_ms() + self.0
    }
}

async fn a_phone_months_ahead_is_corrected_before_it_pushes_and_a_future_stamp_is_refused(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let six_months = 182 * 24 * 3_600_000;
    let dir = tempfile::tempdir().unwrap();
    let options = sentra_core::OpenOptions {
        wall_clock: Arc::new(Ahead(six_months)),
        ..Default::default()
    };
    let sentra = Sentra::open_with(&dir.path().join("sentra.db"), options).unwrap();
    let me = sentra
        .register_producer(&producer("Tenun Ikat Troso", "0812-7777-8888"))
        .unwrap();
    sentra
        .create_product(&product(me, "Kain Tenun", 2))
        .unwrap();
    account(
        &server,
        "0812-7777-8888",
        "112233",
        Role::Producer,
        Some(me),
    )
    .await;
    let mut skewed = Phone {
        sentra,
        token: String::new(),
        _dir: dir,
    };
    sign_in(&server, &mut skewed, "081277778888", "112233").await;

    // Straight to push, skipping the engine's first pull: the server refuses the future stamps.
    let batch = skewed.sentra.sync_push_batch(1 << 20).unwrap().unwrap();
    let response = post(
        &Client::new(),
        &format!("{}/v1/sync/push", server.url),
        Some(&skewed.token),
        wire::encode(&batch).unwrap(),
    )
    .await;
    let answer: PushResponse = wire::decode(&response.bytes().await.unwrap()).unwrap();
    // The producer and product are refused for their stamps; what depends on them (the
    // variant, its stock) is then refused as unknown. Nothing is applied.
    assert!(
        answer
            .results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Rejected { .. })),
        "{answer:?}"
    );
    for first in &answer.results[..2] {
        assert!(matches!(&first.outcome, Outcome::Rejected { code, .. } if code == "clock_ahead"));
    }

    // The engine pulls first, learns the server's time and re-stamps what waits: all accepted.
    let fresh_dir = tempfile::tempdir().unwrap();
    let options = sentra_core::OpenOptions {
        wall_clock: Arc::new(Ahead(six_months)),
        ..Default::default()
    };
    let sentra = Sentra::open_with(&fresh_dir.path().join("sentra.db"), options).unwrap();
    let other = sentra
        .register_producer(&producer("Tenun Ikat Troso 2", "0812-7777-9999"))
        .unwrap();
    sentra
        .create_product(&product(other, "Kain Tenun 2", 2))
        .unwrap();
    account(
        &server,
        "0812-7777-9999",
        "112233",
        Role::Producer,
        Some(other),
    )
    .await;
    let mut corrected = Phone {
        sentra,
        token: String::new(),
        _dir: fresh_dir,
    };
    sign_in(&server, &mut corrected, "081277779999", "112233").await;
    sync(&server, &corrected).await;
    assert!(corrected.sentra.quarantined().unwrap().is_empty());
    let offset = corrected.sentra.sync_status().unwrap().clock_offset_ms;
    assert!(
        (offset + six_months).abs() < 60_000,
        "offset {offset} measured"
    );
}

async fn a_photo_upload_cut_halfway_resumes_after_a_restart_and_sends_only_the_rest(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&producer("Gerabah Kasongan", "0812-3434-5656"))
        .unwrap();
    let product_id = phone
        .sentra
        .create_product(&product(me, "Vas Gerabah", 3))
        .unwrap();
    // A noisy photo compresses badly, so its display image spans several chunks.
    let noise = image::RgbImage::from_fn(1600, 1200, |x, y| {
        let v = (x.wrapping_mul(7_919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
        image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
    });
    let source = phone._dir.path().join("vas.png");
    noise.save(&source).unwrap();
    let photo = phone.sentra.add_photo(product_id, &source).unwrap();
    let size = |hash: &str| {
        std::fs::metadata(phone.sentra.photo_path(hash).unwrap().unwrap())
            .unwrap()
            .len() as usize
    };
    let (display, thumb) = (
        size(&photo.hash),
        size(photo.thumb_hash.as_deref().unwrap()),
    );
    assert!(
        display > 3 * sentra_core::sync::engine::PHOTO_CHUNK_BYTES,
        "display image is {display} bytes"
    );
    account(
        &server,
        "0812-3434-5656",
        "998877",
        Role::Producer,
        Some(me),
    )
    .await;
    sign_in(&server, &mut phone, "081234345656", "998877").await;

    // The signal dies about halfway through the display image (a byte budget stands in for it).
    let transport = HttpTransport::new(&server.url, &phone.token);
    let cut = SyncOptions {
        byte_budget: Some(thumb + display / 2),
        ..Default::default()
    };
    let first = phone
        .sentra
        .sync(&transport, &cut, None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(
        first.stopped_by.as_deref(),
        Some("byte_budget"),
        "{first:?}"
    );
    let percent = phone
        .sentra
        .photo_upload_summary()
        .unwrap()
        .uploading_percent
        .unwrap();
    assert!((25..=75).contains(&percent), "cut at {percent}%");

    // The app restarts: the confirmed offset is in the database, so only the rest is sent.
    let Phone {
        sentra,
        token,
        _dir,
    } = phone;
    let path = sentra.path().to_path_buf();
    drop(sentra);
    let phone = Phone {
        sentra: Sentra::open(&path).unwrap(),
        token,
        _dir,
    };
    let transport = HttpTransport::new(&server.url, &phone.token);
    let second = phone
        .sentra
        .sync(
            &transport,
            &SyncOptions::default(),
            None::<&NoProgress>,
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert!(second.completed);
    assert_eq!(
        first.photo_bytes + second.photo_bytes,
        thumb + display,
        "no byte sent twice"
    );
    let stored = std::fs::read(server.state.blob_dir.join(format!("{}.jpg", photo.hash))).unwrap();
    assert_eq!(blake3::hash(&stored).to_hex().as_str(), photo.hash);
    assert_eq!(phone.sentra.photo_upload_summary().unwrap().uploaded, 2);

    // Forged content for a hash, and hashes that are paths, are refused.
    let client = Client::new();
    let forged = "a".repeat(64);
    let response = client
        .put(format!(
            "{}/v1/photos/{forged}?offset=0&total=5",
            server.url
        ))
        .header("authorization", format!("Bearer {}", phone.token))
        .body("bukan")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(!server.state.blob_dir.join(format!("{forged}.jpg")).exists());
    for bad in ["..%2F..%2Fetc%2Fpasswd", "ABC", &"g".repeat(64)] {
        let response = client
            .get(format!("{}/v1/photos/{bad}/status", server.url))
            .header("authorization", format!("Bearer {}", phone.token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_a_server_through_the_real_protocol() {
    let server = server(Backend::Sqlite).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    sentra_server::demo::seed(&server.state, &server.url, work.path())
        .await
        .unwrap();
    let metrics = Client::new()
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap();
    let metrics = String::from_utf8(metrics.bytes().await.unwrap().to_vec()).unwrap();
    let value = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(value("sentra_push_entries_applied_total") > 30);
    assert_eq!(value("sentra_push_entries_rejected_total"), 0);
    assert_eq!(
        value("sentra_photo_chunks_total"),
        10,
        "5 products × (thumbnail + display image)"
    );
    // A producer of the demo signs in on a fresh phone and finds their shop and their sale.
    let mut phone = unsigned_phone();
    sign_in(
        &server,
        &mut phone,
        "0812-2750-1001",
        sentra_server::demo::PRODUCER_PIN,
    )
    .await;
    sync(&server, &phone).await;
    let shop = phone
        .sentra
        .list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(shop.len(), 2);
    assert_eq!(
        phone
            .sentra
            .sales("2026-11-22", "2026-11-22", 10)
            .unwrap()
            .len(),
        1
    );

    // Photos come down only when shown: the rows are here, the files are fetched on demand,
    // checked against their hash, and never queued for upload again.
    let photo = phone.sentra.photos(shop[0].id).unwrap().remove(0);
    let thumb = photo.thumb_hash.unwrap();
    assert!(phone.sentra.photo_path(&thumb).unwrap().is_none());
    let transport = HttpTransport::new(&server.url, &phone.token);
    let path = phone.sentra.fetch_photo(&transport, &thumb).await.unwrap();
    assert_eq!(
        blake3::hash(&std::fs::read(&path).unwrap())
            .to_hex()
            .as_str(),
        thumb
    );
    assert!(phone.sentra.photo_upload_queue(false).unwrap().is_empty());
    let missing = phone
        .sentra
        .fetch_photo(&transport, &"0".repeat(64))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), sentra_core::ErrorCode::Network);
}

/// What a faulty link does to one connection.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// The request never reaches the server.
    LoseRequest,
    /// The server gets the request and answers, but the answer never arrives.
    LoseResponse,
    /// The connection is cut halfway through the request body.
    CutMidBody,
}

/// The request's total length (headers and body), once its headers are in `buf`.
fn request_length(buf: &[u8]) -> Option<usize> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let headers = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let body = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    Some(end + body)
}

/// A TCP proxy in front of the server that applies `faults`, one each, to the first push
/// requests that cross it, and passes everything else through.
async fn faulty_link(upstream: String, faults: Vec<Fault>) -> String {
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let faults = Arc::new(std::sync::Mutex::new(std::collections::VecDeque::from(
        faults,
    )));
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let faults = faults.clone();
            let upstream = upstream.trim_start_matches("http://").to_owned();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                // Answers flow back unless a fault swallows them.
                let swallow = Arc::new(AtomicBool::new(false));
                let swallowing = swallow.clone();
                let back = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = server_read.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        if !swallowing.load(Ordering::SeqCst)
                            && client_write.write_all(&buf[..n]).await.is_err()
                        {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 256 * 1024];
                while let Ok(n) = client_read.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let fault = if buf[..n].starts_with(b"POST /v1/sync/push") {
                        faults.lock().unwrap().pop_front()
                    } else {
                        None
                    };
                    match fault {
                        None => {
                            if server_write.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        Some(Fault::LoseRequest) => break,
                        Some(Fault::CutMidBody) => {
                            let _ = server_write.write_all(&buf[..n / 2]).await;
                            break;
                        }
                        Some(Fault::LoseResponse) => {
                            swallow.store(true, Ordering::SeqCst);
                            let mut have = n;
                            let _ = server_write.write_all(&buf[..n]).await;
                            while request_length(&buf[..have]).is_some_and(|len| have < len) {
                                match client_read.read(&mut buf[have..]).await {
                                    Ok(0) | Err(_) => break,
                                    Ok(m) => {
                                        let _ = server_write.write_all(&buf[have..have + m]).await;
                                        have += m;
                                    }
                                }
                            }
                            // Give the server time to apply it and answer into the void.
                            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                            break;
                        }
                    }
                }
                back.abort();
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_requests_lost_answers_and_cut_bodies_end_with_nothing_lost_and_nothing_twice() {
    let server = server(Backend::Sqlite).await.unwrap();
    let mut seller = unsigned_phone();
    let me = seller
        .sentra
        .register_producer(&producer("Keripik Tempe Bu Yati", "0812-6060-7070"))
        .unwrap();
    for i in 0..30 {
        seller
            .sentra
            .create_product(&product(me, &format!("Keripik Tempe {i}"), 5))
            .unwrap();
    }
    let entries = seller
        .sentra
        .pending_counts()
        .unwrap()
        .iter()
        .map(|p| p.count)
        .sum::<i64>() as u64;
    account(
        &server,
        "0812-6060-7070",
        "445566",
        Role::Producer,
        Some(me),
    )
    .await;
    sign_in(&server, &mut seller, "081260607070", "445566").await;

    // Every first attempt of each kind of request meets a fault; the engine retries.
    let link = faulty_link(
        server.url.clone(),
        vec![
            Fault::LoseRequest,
            Fault::LoseResponse,
            Fault::CutMidBody,
            Fault::LoseResponse,
            Fault::CutMidBody,
        ],
    )
    .await;
    let transport = HttpTransport::new(&link, &seller.token);
    let options = SyncOptions {
        push_batch_bytes: 4 * 1024,
        first_backoff: std::time::Duration::from_millis(10),
        ..Default::default()
    };
    let report = seller
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
    assert!(report.requests > 5, "faults forced retries: {report:?}");
    assert!(
        seller.sentra.sync_push_batch(1 << 20).unwrap().is_none(),
        "nothing left behind"
    );
    assert!(seller.sentra.quarantined().unwrap().is_empty());

    let metrics = Client::new()
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap();
    let metrics = String::from_utf8(metrics.bytes().await.unwrap().to_vec()).unwrap();
    let value = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(
        value("sentra_push_entries_applied_total"),
        entries,
        "each entry applied exactly once"
    );
    assert!(
        value("sentra_push_entries_duplicate_total") > 0,
        "a push answer was lost and the batch resent"
    );

    // Another phone of the same producer gets exactly one copy of everything.
    let other = phone(&server, "081260607070", "445566").await;
    sync(&server, &other).await;
    let shop = other
        .sentra
        .list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(shop.len(), 30);
    assert!(
        shop.iter().all(|p| p.total_stock == 5),
        "no opening stock counted twice"
    );
}

async fn pull_once(server: &Server, phone: &Phone) -> reqwest::Response {
    let request = phone.sentra.sync_pull_request(1024).unwrap();
    let body = wire::encode(&request).unwrap();
    post(
        &Client::new(),
        &format!("{}/v1/sync/pull", server.url),
        Some(&phone.token),
        body,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_floods_the_server_is_slowed_down_and_others_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("server.db")).unwrap();
    let limit = sentra_server::limits::RateLimit {
        burst: 5.0,
        per_second: 0.001,
    };
    let state = AppState::new(Arc::new(store), dir.path().join("photos")).with_rate_limit(limit);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let server = Server {
        url,
        state,
        _dir: dir,
    };
    account(
        &server,
        "pendamping",
        "rahasia-kuat",
        Role::Facilitator,
        None,
    )
    .await;
    let flooding = phone(&server, "pendamping", "rahasia-kuat").await;
    let calm = phone(&server, "pendamping", "rahasia-kuat").await;
    for _ in 0..5 {
        assert_eq!(pull_once(&server, &flooding).await.status(), 200);
    }
    let refused = pull_once(&server, &flooding).await;
    assert_eq!(refused.status(), 429);
    let body: wire::ErrorBody = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    assert_eq!(body.code, "rate_limited");
    assert_eq!(
        pull_once(&server, &calm).await.status(),
        200,
        "another token has its own bucket"
    );
}

async fn a_facilitator_assigned_to_a_regency_sees_and_edits_its_producers_and_no_others(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping.lama",
        "rahasia-lama",
        Role::Facilitator,
        None,
    )
    .await;
    account(
        &server,
        "pendamping.baru",
        "rahasia-baru",
        Role::Facilitator,
        None,
    )
    .await;
    let old = phone(&server, "pendamping.lama", "rahasia-lama").await;
    let mut in_pemalang = producer("Konveksi Pemalang", "0812-9090-0001");
    in_pemalang.region_code = "33.27.05.2001".into();
    let mut in_banyumas = producer("Gula Banyumas", "0812-9090-0002");
    in_banyumas.region_code = "3302".into();
    let p1 = old.sentra.register_producer(&in_pemalang).unwrap();
    let p2 = old.sentra.register_producer(&in_banyumas).unwrap();
    let jeans = old
        .sentra
        .create_product(&product(p1, "Jeans Pemalang", 3))
        .unwrap();
    let gula = old
        .sentra
        .create_product(&product(p2, "Gula Banyumas", 3))
        .unwrap();
    sync(&server, &old).await;

    // The new facilitator takes over Kabupaten Pemalang.
    let (state, login) = (server.state.clone(), "pendamping.baru");
    tokio::task::spawn_blocking(move || state.assign_region(login, "3327").unwrap())
        .await
        .unwrap();
    let (state, login) = (server.state.clone(), "pendamping.baru");
    let bad = tokio::task::spawn_blocking(move || state.assign_region(login, "9999"))
        .await
        .unwrap();
    assert!(bad.is_err(), "an unknown region is refused");
    let new = phone(&server, "pendamping.baru", "rahasia-baru").await;
    sync(&server, &new).await;
    assert!(
        new.sentra.product(jeans).is_ok(),
        "sees the producers of the regency"
    );
    assert!(new.sentra.product(gula).is_err(), "and no others");
    new.sentra
        .edit_product(
            jeans,
            &ProductPatch {
                price: Some(99_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &new).await;
    assert!(
        new.sentra.quarantined().unwrap().is_empty(),
        "may edit them"
    );
    sync(&server, &old).await;
    assert_eq!(old.sentra.product(jeans).unwrap().price, 99_000);
}
