//! The catalogue of bad input, each with a test, over real HTTP: oversized bodies, the wrong
//! content type or encoding, invalid UTF-8, decompression bombs, numbers out of range, SQL
//! metacharacters, HTML and script in every text field, path traversal and bad hashes in the
//! photo routes, forged hashes, truncated uploads, a token replayed after logout, PIN brute
//! force, and a device id that is not the token's. Every refusal must carry a stable code and
//! change nothing.
//!
//! The device-side half of the catalogue (the core's validation) is in
//! `tests/tests/bad_input.rs`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod photos;
mod sign_in;
mod text;

use common::*;
use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::producers::NewProducer;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::sync::wire::{self, PullRequest, PushRequest};
use sentra_core::{Account, Id, Role, Sentra};

/// A producer's phone with a listed product, synced to the server.
pub struct Shop {
    pub sentra: Sentra,
    pub session: Session,
    pub producer: Id,
    pub product: Id,
    pub variant: Id,
    _dir: tempfile::TempDir,
}

struct NoProgress;
impl ProgressListener for NoProgress {
    fn on_progress(&self, _: SyncProgress) {}
}

/// Syncs a phone through its engine over HTTP; the sync must complete.
pub async fn sync(server: &Server, sentra: &Sentra, token: &str) {
    let transport = HttpTransport::new(&server.url, token);
    let report = sentra
        .sync(
            &transport,
            &SyncOptions::default(),
            None::<&NoProgress>,
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert!(report.completed, "{report:?}");
}

/// A producer registers on their phone, lists a product with `text` in every text field (its
/// first characters where a field is short), and syncs.
pub async fn shop(server: &Server, phone: &str, text: &str) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let sentra = Sentra::open(&dir.path().join("sentra.db")).unwrap();
    let producer = sentra
        .register_producer(&NewProducer {
            business_name: format!("Usaha {text}"),
            owner_name: format!("Pemilik {text}"),
            phone: phone.into(),
            address: format!("Jalan {text}"),
            region_code: "3327".into(),
            sector: "fashion_textiles".into(),
            workforce: 3,
            consent_publish: true,
            consent_date: Some("2026-11-01".into()),
            ..Default::default()
        })
        .unwrap();
    account(server, phone, "246810", Role::Producer, Some(producer)).await;
    let session = sign_in_phone(server, &sentra, phone).await;
    // Short fields get the text's first characters.
    let short: String = text.chars().take(12).collect();
    let product = sentra
        .create_product(&NewProduct {
            producer_id: producer.to_string(),
            name: format!("Kain {text}"),
            description: format!("Deskripsi {text}"),
            category: short.clone(),
            unit: "pcs".into(),
            price: 85_000,
            min_order: 1,
            status: "listed".into(),
            tiers: vec![short.clone()],
            variants: vec![NewVariant {
                sku: short.clone(),
                options: vec![short.clone()],
                price: None,
                initial_stock: 10,
            }],
            ..Default::default()
        })
        .unwrap();
    let variant = sentra.product(product).unwrap().variants[0].id;
    sync(server, &sentra, &session.token).await;
    Shop {
        sentra,
        session,
        producer,
        product,
        variant,
        _dir: dir,
    }
}

/// Signs a phone in with its own device id (tokens are bound to a device).
pub async fn sign_in_phone(server: &Server, sentra: &Sentra, login: &str) -> Session {
    let answer = login_attempt(server, sentra.device_id(), login, "246810").await;
    assert_eq!(answer.status, 200);
    let response: wire::LoginResponse = answer.decode();
    sentra
        .set_account(Account {
            user_id: response.user_id,
            role: response.role,
        })
        .unwrap();
    Session {
        token: response.token,
        device: sentra.device_id(),
        user: response.user_id,
        seq: 1,
    }
}

/// An admin's session, to see the whole feed.
pub async fn admin(server: &Server) -> Session {
    account(server, "admin.pusat", "rahasia-kuat-1", Role::Admin, None).await;
    sign_in(server, "admin.pusat", "rahasia-kuat-1").await
}

/// How many changes the whole feed holds, as the admin sees it.
pub async fn feed_len(server: &Server, admin: &Session) -> usize {
    pull_all(server, admin, None).await.0.len()
}

/// Any bytes as a valid zstd frame of one raw block (the server's codec must take them in
/// before it can refuse what they say).
pub fn zstd_frame(bytes: &[u8]) -> Vec<u8> {
    assert!(
        bytes.len() < 128 * 1024,
        "one raw block holds at most 128 KB"
    );
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd];
    // Single segment, a 4-byte content size, no checksum, no dictionary.
    frame.push(0xa0);
    frame.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    // The last block, raw, of this size.
    let header = 1 | ((bytes.len() as u32) << 3);
    frame.extend_from_slice(&header.to_le_bytes()[..3]);
    frame.extend_from_slice(bytes);
    frame
}

#[test]
fn a_hand_made_zstd_frame_decodes() {
    let json = br#"{"version":1}"#;
    let value: serde_json::Value = wire::decode(&zstd_frame(json)).unwrap();
    assert_eq!(value["version"], 1);
}

fn push_body(device: Id) -> Vec<u8> {
    serde_json::to_vec(&PushRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: device,
        entries: vec![sentra_core::sync::wire::PushEntry {
            seq: 1,
            change: change(
                "organisation",
                Id::new(),
                "create",
                serde_json::json!({"kind": "cluster", "name": "Sentra Baru"}),
            ),
        }],
    })
    .unwrap()
}

async fn raw_push(server: &Server, session: &Session, encoding: &str, body: Vec<u8>) -> Answer {
    let mut request = server
        .client
        .post(format!("{}/v1/sync/push", server.url))
        .header("authorization", format!("Bearer {}", session.token))
        .body(body);
    if !encoding.is_empty() {
        request = request.header("content-encoding", encoding);
    }
    send(request).await
}

on_both_backends!(sql_metacharacters_are_plain_text_everywhere);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_before_it_is_read_and_changes_nothing() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    let before = feed_len(&server, &admin).await;
    // 5 MB of incompressible bytes: past the 4 MB limit on the wire.
    let body: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let answer = raw_push(&server, &admin, "zstd", body).await;
    assert_eq!(answer.status, 413);
    assert_eq!(feed_len(&server, &admin).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wrong_encoding_content_type_or_shape_is_bad_body_and_changes_nothing() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    let before = feed_len(&server, &admin).await;
    let json = push_body(admin.device);
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        // JSON declared as zstd.
        ("json sent as zstd", "zstd", json.clone()),
        // zstd sent with no encoding: read as JSON.
        ("zstd sent as json", "", zstd_frame(&json)),
        // An encoding the server does not speak.
        ("gzip", "gzip", json.iter().rev().copied().collect()),
        ("a form", "", b"entries=1&device_id=x".to_vec()),
        ("xml", "", b"<push><entry/></push>".to_vec()),
        ("empty", "", Vec::new()),
        ("an array", "", b"[1,2,3]".to_vec()),
        (
            "wrong field types",
            "",
            br#"{"version":"1","device_id":7,"entries":{}}"#.to_vec(),
        ),
        ("truncated json", "", json[..json.len() / 2].to_vec()),
        ("truncated zstd", "zstd", zstd_frame(&json)[..20].to_vec()),
    ];
    for (what, encoding, body) in cases {
        let answer = raw_push(&server, &admin, encoding, body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, "bad_body".to_owned()),
            "{what}"
        );
    }
    // The content type is not what decides: JSON under text/plain is still JSON.
    let answer = send(
        server
            .client
            .post(format!("{}/v1/sync/pull", server.url))
            .header("authorization", format!("Bearer {}", admin.token))
            .header("content-type", "text/plain")
            .body(
                serde_json::to_vec(&PullRequest {
                    version: wire::PROTOCOL_VERSION,
                    device_id: admin.device,
                    cursor: None,
                    max_bytes: 4096,
                })
                .unwrap(),
            ),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(feed_len(&server, &admin).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_is_bad_body_in_every_endpoint() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    let mut json = push_body(admin.device);
    // Break a string inside the JSON with bytes that are not UTF-8.
    let at = json.windows(6).position(|w| w == b"Sentra").unwrap();
    json[at..at + 3].copy_from_slice(&[0xff, 0xfe, 0xc3]);
    for (encoding, body) in [("", json.clone()), ("zstd", zstd_frame(&json))] {
        let answer = raw_push(&server, &admin, encoding, body).await;
        assert_eq!((answer.status, answer.code()), (400, "bad_body".into()));
    }
    let login = br#"{"version":1,"device_id":"01a20393-1215-7457-9097-da7ba45b61db","login":"adm"#
        .iter()
        .copied()
        .chain([0xc3, 0x28])
        .chain(br#"","secret":"x"}"#.iter().copied())
        .collect::<Vec<u8>>();
    let answer = send(
        server
            .client
            .post(format!("{}/v1/login", server.url))
            .body(login),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (400, "bad_body".into()));
    let order = send(
        server
            .client
            .post(format!("{}/v1/orders", server.url))
            .header("content-type", "application/json")
            .body(vec![b'{', 0xff, b'}']),
    )
    .await;
    assert_eq!((order.status, order.code()), (400, "bad_body".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decompression_bomb_is_refused_without_being_inflated() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    // 24 MB of JSON compress to a few kilobytes: the server stops inflating at 16 MB.
    let bomb = wire::encode(&" ".repeat(24 << 20)).unwrap();
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    let started = std::time::Instant::now();
    let answer = raw_push(&server, &admin, "zstd", bomb.clone()).await;
    assert_eq!((answer.status, answer.code()), (400, "bad_body".into()));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refused in {:?}",
        started.elapsed()
    );
    let login = send(
        server
            .client
            .post(format!("{}/v1/login", server.url))
            .header("content-encoding", "zstd")
            .body(bomb),
    )
    .await;
    assert_eq!((login.status, login.code()), (400, "bad_body".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_out_of_range_are_refused_or_clamped_never_wrapped() {
    let server = server(Backend::Sqlite).await.unwrap();
    let shop = shop(&server, "081211112222", "biasa").await;
    // A pull asking for more than any page: clamped, answered.
    let body = wire::encode(&PullRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: shop.session.device,
        cursor: Some("-1".into()),
        max_bytes: usize::MAX,
    })
    .unwrap();
    let answer = post_zstd(&server, "/v1/sync/pull", Some(&shop.session.token), body).await;
    assert_eq!(answer.status, 200);
    let page: wire::PullResponse = answer.decode();
    assert!(page.reset, "a cursor the server never gave starts over");
    for cursor in [
        "99999999999999999999999",
        "1e9",
        "NaN",
        "9223372036854775807",
    ] {
        let body = wire::encode(&PullRequest {
            version: wire::PROTOCOL_VERSION,
            device_id: shop.session.device,
            cursor: Some(cursor.into()),
            max_bytes: 0,
        })
        .unwrap();
        let answer = post_zstd(&server, "/v1/sync/pull", Some(&shop.session.token), body).await;
        assert_eq!(answer.status, 200, "{cursor}");
        assert!(answer.decode::<wire::PullResponse>().reset, "{cursor}");
    }
    // A protocol version from the future or the past.
    for version in [0, u32::MAX] {
        let body = wire::encode(&PullRequest {
            version,
            device_id: shop.session.device,
            cursor: None,
            max_bytes: 1024,
        })
        .unwrap();
        let answer = post_zstd(&server, "/v1/sync/pull", Some(&shop.session.token), body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, "unsupported_version".into())
        );
    }
    // Buyers' orders with quantities that are zero, negative or absurd.
    for quantity in [0, -1, i64::MIN, i64::MAX, 1_000_000_000_000] {
        let order = serde_json::json!({
            "key": Id::new().to_string(),
            "producer_id": shop.producer.to_string(),
            "buyer": {"name": "Ibu Ani", "phone": "085711112222", "regency_code": "3302",
                      "address": "Purwokerto"},
            "lines": [{"variant_id": shop.variant.to_string(), "quantity": quantity}],
        });
        let answer = send(
            server
                .client
                .post(format!("{}/v1/orders", server.url))
                .header("content-type", "application/json")
                .body(order.to_string()),
        )
        .await;
        assert_eq!(
            (answer.status, answer.code()),
            (422, "validation".into()),
            "quantity {quantity}"
        );
    }
    // A quantity past i64 is not a number the server reads at all.
    let answer = send(
        server
            .client
            .post(format!("{}/v1/orders", server.url))
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"key":"k","producer_id":"{}","buyer":{{"name":"A","phone":"0857","regency_code":"3302","address":"x"}},"lines":[{{"variant_id":"{}","quantity":99999999999999999999999}}]}}"#,
                shop.producer, shop.variant
            )),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (400, "bad_body".into()));
}

/// Percent-encodes every byte that is not a letter or digit.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn sql_metacharacters_are_plain_text_everywhere(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let nasty = "Robert'); DROP TABLE feed; -- \" OR 1=1 ; SELECT * FROM accounts; \\ %_";
    let shop = shop(&server, "081233334444", nasty).await;
    // Sign-in with injection attempts as the login and as the secret.
    for (login, secret) in [
        ("' OR '1'='1", "' OR '1'='1"),
        ("081233334444' --", "x"),
        ("081233334444", "' OR 1=1 --"),
        ("admin'; DROP TABLE accounts; --", "x"),
    ] {
        let answer = login_attempt(&server, Id::new(), login, secret).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "bad_credentials".into()),
            "{login}"
        );
    }
    // A second phone of the same producer gets the text back exactly.
    let dir = tempfile::tempdir().unwrap();
    let second = Sentra::open(&dir.path().join("sentra.db")).unwrap();
    let signed_in = sign_in_phone(&server, &second, "081233334444").await;
    sync(&server, &second, &signed_in.token).await;
    let product = second.product(shop.product).unwrap();
    assert_eq!(product.name, format!("Kain {nasty}"));
    assert_eq!(product.description, format!("Deskripsi {nasty}"));
    assert_eq!(
        second.producer(shop.producer).unwrap().address,
        format!("Jalan {nasty}")
    );
    // The storefront's search takes the text as words, not as SQL or a query language.
    for q in [
        nasty,
        "\"",
        "' OR 1=1 --",
        "NEAR(",
        "*",
        "AND OR NOT",
        "kain\"*",
        "%",
        "^",
        "{}",
        ":",
    ] {
        let url = format!("{}/?q={}", server.url, percent(q));
        let answer = send(server.client.get(url)).await;
        assert_eq!(answer.status, 200, "search {q:?}");
    }
    // And the server still works.
    sync(&server, &shop.sentra, &shop.session.token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_replayed_after_logout_is_refused() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    let answer = send(
        server
            .client
            .post(format!("{}/v1/logout", server.url))
            .header("authorization", format!("Bearer {}", admin.token)),
    )
    .await;
    assert_eq!(answer.status, 204);
    for path in ["/v1/sync/pull", "/v1/sync/push", "/v1/logout"] {
        let answer = post_zstd(&server, path, Some(&admin.token), Vec::new()).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "unauthorized".into()),
            "{path}"
        );
    }
    // Near misses of a live token are refused too.
    let live = sign_in(&server, "admin.pusat", "rahasia-kuat-1").await;
    let mut flipped = live.token.clone().into_bytes();
    flipped[0] = if flipped[0] == b'a' { b'b' } else { b'a' };
    for token in [
        String::from_utf8(flipped).unwrap(),
        live.token[..live.token.len() - 1].to_owned(),
        format!("{}0", live.token),
        live.token.to_uppercase(),
    ] {
        let session = Session {
            token,
            ..live.clone()
        };
        let answer = pull_page(&server, &session, None).await;
        assert_eq!(answer.status, 401);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_brute_force_meets_the_sign_in_throttle_then_the_rate_limit() {
    let server = server_with(Backend::Sqlite, |state| {
        state.with_rate_limit(sentra_server::limits::RateLimit {
            burst: 5.0,
            per_second: 0.01,
        })
    })
    .await
    .unwrap();
    account(
        &server,
        "081277778888",
        "246810",
        Role::Producer,
        Some(Id::new()),
    )
    .await;
    // Wrong PINs from many devices on one address count against that address for this login.
    for attempt in 0..5 {
        let answer = login_attempt(&server, Id::new(), "0812-7777-8888", "000000").await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "bad_credentials".into()),
            "attempt {attempt}"
        );
    }
    let sixth = login_attempt(&server, Id::new(), "+6281277778888", "111111").await;
    assert_eq!(
        (sixth.status, sixth.code()),
        (429, "too_many_attempts".into())
    );
    assert!(sixth.headers.contains_key("retry-after"));
    let right = login_attempt(&server, Id::new(), "081277778888", "246810").await;
    assert_eq!(
        (right.status, right.code()),
        (429, "too_many_attempts".into()),
        "from this address the right PIN waits too (other addresses: see sign_in.rs)"
    );
    // A stolen token hammering the API meets the per-token rate limit.
    account(
        &server,
        "pendamping",
        "rahasia-kuat-1",
        Role::Facilitator,
        None,
    )
    .await;
    let session = sign_in(&server, "pendamping", "rahasia-kuat-1").await;
    let mut codes = Vec::new();
    for _ in 0..8 {
        let answer = pull_page(&server, &session, None).await;
        codes.push(if answer.status == 200 {
            "ok".to_owned()
        } else {
            answer.code()
        });
    }
    assert_eq!(&codes[..5], ["ok"; 5]);
    assert_eq!(&codes[5..], ["rate_limited"; 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_used_for_another_device_id_is_refused() {
    let server = server(Backend::Sqlite).await.unwrap();
    let mut admin = admin(&server).await;
    let before = feed_len(&server, &admin).await;
    let real = admin.device;
    admin.device = Id::new();
    let pushed = push_raw(
        &server,
        &mut admin,
        vec![change(
            "organisation",
            Id::new(),
            "create",
            serde_json::json!({"kind": "cluster", "name": "Asing"}),
        )],
    )
    .await;
    assert_eq!((pushed.status, pushed.code()), (403, "wrong_device".into()));
    let pulled = pull_page(&server, &admin, None).await;
    assert_eq!((pulled.status, pulled.code()), (403, "wrong_device".into()));
    admin.device = real;
    assert_eq!(feed_len(&server, &admin).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_older_than_its_lifetime_is_refused() {
    let server = server(Backend::Sqlite).await.unwrap();
    let user = account(
        &server,
        "pendamping",
        "rahasia-kuat-1",
        Role::Facilitator,
        None,
    )
    .await;
    let (token, device) = ("a".repeat(64), Id::new());
    let hash = sentra_server::accounts::token_hash(&token);
    let a_year_ago = now_ms() - 365 * 24 * 3_600_000;
    let store = server.state.store.clone();
    tokio::task::spawn_blocking(move || store.issue_token(user, device, &hash, a_year_ago))
        .await
        .unwrap()
        .unwrap();
    let session = Session {
        token,
        device,
        user,
        seq: 1,
    };
    let answer = pull_page(&server, &session, None).await;
    assert_eq!((answer.status, answer.code()), (401, "unauthorized".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_session_over_its_rate_limit_is_told_to_wait_not_shown_a_server_error() {
    let server = server_with(Backend::Sqlite, |state| {
        state.with_rate_limit(sentra_server::limits::RateLimit {
            burst: 2.0,
            per_second: 0.01,
        })
    })
    .await
    .unwrap();
    account(
        &server,
        "pendamping",
        "rahasia-kuat-1",
        Role::Facilitator,
        None,
    )
    .await;
    let session = sign_in(&server, "pendamping", "rahasia-kuat-1").await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let page = send(
            server
                .client
                .get(format!("{}/dasbor/impor", server.url))
                .header("cookie", format!("sentra_sesi={}", session.token)),
        )
        .await;
        statuses.push(page.status);
    }
    assert_eq!(statuses, [200, 200, 429, 429]);
}
