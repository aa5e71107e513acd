//! The server's trust boundary (issue 13), attacked the way an outsider would, over real HTTP on
//! SQLite and PostgreSQL: guessing an order's phone digits, reusing another buyer's request
//! key, flooding a producer with anonymous orders, uploading a web page or a GPS-tagged photo
//! straight to the API, framing or sniffing the pages, signing a browser in from another site,
//! planting formulas in the dashboard's CSV files, and finding a producer who never consented
//! to publication on any public page.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod consent;
mod exports;
mod orders;
mod pages;
mod photos;

use common::*;
use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::producers::NewProducer;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::sync::wire;
use sentra_core::{Account, Id, Role, Sentra};

/// A producer's phone with one listed product (with a photo taken by the phone's camera),
/// synced to the server.
pub struct Shop {
    pub sentra: Sentra,
    pub session: Session,
    pub producer: Id,
    pub product: Id,
    pub variant: Id,
    /// The product photo's thumbnail, as the storefront links it.
    pub thumb: String,
    _dir: tempfile::TempDir,
}

struct NoProgress;
impl ProgressListener for NoProgress {
    fn on_progress(&self, _: SyncProgress) {}
}

/// Syncs a phone through its engine over HTTP (photos included); the sync must complete.
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

/// A producer called `business` registers on their phone (with or without consent to be
/// published), lists `product` with a photo from a real phone camera (EXIF and GPS included,
/// which the phone strips), and syncs.
pub async fn shop(
    server: &Server,
    phone: &str,
    business: &str,
    product: &str,
    consent: bool,
) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let sentra = Sentra::open(&dir.path().join("sentra.db")).unwrap();
    let producer = sentra
        .register_producer(&NewProducer {
            business_name: business.into(),
            owner_name: "Pemilik".into(),
            phone: phone.into(),
            address: "Jl. Rahasia 9".into(),
            region_code: "3327".into(),
            sector: "fashion_textiles".into(),
            workforce: 3,
            consent_publish: consent,
            consent_date: consent.then(|| "2026-11-01".into()),
            ..Default::default()
        })
        .unwrap();
    account(server, phone, "246810", Role::Producer, Some(producer)).await;
    let session = sign_in_phone(server, &sentra, phone).await;
    let product = sentra
        .create_product(&NewProduct {
            producer_id: producer.to_string(),
            name: product.into(),
            description: "Tenunan tangan".into(),
            category: "Kain Tenun".into(),
            unit: "pcs".into(),
            price: 85_000,
            min_order: 1,
            status: "listed".into(),
            variants: vec![NewVariant {
                sku: "K-1".into(),
                options: Vec::new(),
                price: None,
                initial_stock: 50,
            }],
            ..Default::default()
        })
        .unwrap();
    let camera = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bindings/fixtures/phone-photo.jpg");
    let photo = sentra.add_photo(product, &camera).unwrap();
    let variant = sentra.product(product).unwrap().variants[0].id;
    sync(server, &sentra, &session.token).await;
    Shop {
        sentra,
        session,
        producer,
        product,
        variant,
        thumb: photo.thumb_hash.unwrap_or(photo.hash),
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

/// A GET as a browser with no account.
pub async fn get(server: &Server, path: &str) -> Answer {
    send(server.client.get(format!("{}{path}", server.url))).await
}

/// The body as text.
pub fn text(answer: &Answer) -> String {
    String::from_utf8_lossy(&answer.body).into_owned()
}

/// A buyer's order through the API, for `quantity` of the shop's variant.
pub fn order_body(shop: &Shop, key: &str, buyer: &str, phone: &str, quantity: i64) -> String {
    serde_json::json!({
        "key": key,
        "producer_id": shop.producer.to_string(),
        "buyer": {"name": buyer, "phone": phone, "regency_code": "3302",
                  "address": "Jl. Pembeli 1, Purwokerto"},
        "note": "",
        "lines": [{"variant_id": shop.variant.to_string(), "quantity": quantity}],
    })
    .to_string()
}

/// `POST /v1/orders` with a JSON body.
pub async fn place(server: &Server, body: String) -> Answer {
    send(
        server
            .client
            .post(format!("{}/v1/orders", server.url))
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

/// Signs in at `/masuk` as a browser of this site; the `Cookie` header to send afterwards.
pub async fn web_sign_in(server: &Server, login: &str, secret: &str) -> String {
    let answer = send(
        server
            .client
            .post(format!("{}/masuk", server.url))
            .header("sec-fetch-site", "same-origin")
            .form(&[("login", login), ("secret", secret), ("lanjut", "/dasbor")]),
    )
    .await;
    assert_eq!(answer.status, 303, "{login}: {}", text(&answer));
    let cookie = answer.headers["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}
