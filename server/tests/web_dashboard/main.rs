//! The officials' dashboard, web sign-in and the facilitators' tools, over real HTTP on
//! loopback, the way a browser without JavaScript uses them: form POSTs, a session cookie,
//! redirects checked rather than followed. Phones are the real core, syncing over HTTP.
//!
//! Every case runs on embedded SQLite and on a real PostgreSQL (when `SENTRA_TEST_POSTGRES`
//! names one, as `scripts/test` does).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod cooperative;
mod demo;
mod figures;
mod filters_and_map;
mod regency_map;
mod sale_voids;
mod signing_in;
mod tools;

use common::*;
use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::producers::NewProducer;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::sync::wire::LoginResponse;
use sentra_core::{Account, Id, Role, Sentra};
use std::collections::HashMap;

/// A phone: the real core on its own database, signed in.
pub struct Phone {
    pub sentra: Sentra,
    pub token: String,
    pub _dir: tempfile::TempDir,
}

/// A fresh phone, not signed in.
pub fn unsigned_phone() -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let sentra = Sentra::open(&dir.path().join("sentra.db")).unwrap();
    Phone {
        sentra,
        token: String::new(),
        _dir: dir,
    }
}

/// Signs the phone in through `/v1/login`.
pub async fn phone_sign_in(server: &Server, phone: &mut Phone, login: &str, secret: &str) {
    let answer = login_attempt(server, phone.sentra.device_id(), login, secret).await;
    assert_eq!(answer.status, 200, "{login}");
    let signed_in: LoginResponse = answer.decode();
    phone
        .sentra
        .set_account(Account {
            user_id: signed_in.user_id,
            role: signed_in.role,
        })
        .unwrap();
    phone.token = signed_in.token;
}

struct NoProgress;
impl ProgressListener for NoProgress {
    fn on_progress(&self, _: SyncProgress) {}
}

/// One full sync of the phone.
pub async fn sync(server: &Server, phone: &Phone) {
    let transport = HttpTransport::new(&server.url, &phone.token);
    let report = phone
        .sentra
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

/// A producer who registered themselves on their own phone, signed in, with one listed product
/// (one variant, `price` rupiah, 50 in stock), synced. Returns the phone, the producer and the
/// variant.
pub async fn seller(
    server: &Server,
    name: &str,
    phone_no: &str,
    regency: &str,
    price: i64,
) -> (Phone, Id, Id) {
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&NewProducer {
            business_name: name.into(),
            owner_name: "Pemilik".into(),
            phone: phone_no.into(),
            address: "Jl. Desa 1".into(),
            region_code: regency.into(),
            sector: "fashion_textiles".into(),
            workforce: 4,
            consent_publish: true,
            consent_date: Some("2026-11-01".into()),
            ..Default::default()
        })
        .unwrap();
    account(server, phone_no, "112233", Role::Producer, Some(me)).await;
    phone_sign_in(server, &mut phone, phone_no, "112233").await;
    let product = phone
        .sentra
        .create_product(&NewProduct {
            producer_id: me.to_string(),
            name: format!("Produk {name}"),
            description: "Buatan tangan".into(),
            category: "Pakaian".into(),
            unit: "pcs".into(),
            price,
            min_order: 1,
            status: "listed".into(),
            variants: vec![NewVariant {
                initial_stock: 50,
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap();
    let variant = phone.sentra.product(product).unwrap().variants[0].id;
    sync(server, &phone).await;
    (phone, me, variant)
}

/// A GET as a browser with this cookie (or none): status, `Location`, body.
pub async fn get(server: &Server, path: &str, cookie: Option<&str>) -> (u16, String, String) {
    let mut request = server.client.get(format!("{}{path}", server.url));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let answer = send(request).await;
    let location = answer
        .headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        answer.status,
        location,
        String::from_utf8(answer.body).unwrap(),
    )
}

/// A form POST as a browser: status, `Location`, `Set-Cookie`, body.
pub async fn post_form(
    server: &Server,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, String, String, String) {
    let mut request = server
        .client
        .post(format!("{}{path}", server.url))
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let answer = send(request).await;
    let header = |name: &str| {
        answer
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    (
        answer.status,
        header("location"),
        header("set-cookie"),
        String::from_utf8(answer.body).unwrap(),
    )
}

/// Signs in at `/masuk` as a browser; the `Cookie` header to send afterwards.
pub async fn web_sign_in(server: &Server, login: &str, secret: &str) -> String {
    let (status, location, set_cookie, body) = post_form(
        server,
        "/masuk",
        None,
        &[("login", login), ("secret", secret), ("lanjut", "/dasbor")],
    )
    .await;
    assert_eq!(status, 303, "{login}: {body}");
    assert_eq!(location, "/dasbor");
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Makes an official's account (all regions) and signs it in on the web; returns its cookie.
pub async fn official_cookie(server: &Server, login: &str, secret: &str) -> String {
    account(server, login, secret, Role::Official, None).await;
    web_sign_in(server, login, secret).await
}

/// The value of the input named `name` in a page.
pub fn input_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..at + html[at..].find('>').unwrap()];
    let value = tag.split("value=\"").nth(1).unwrap_or("");
    value[..value.find('"').unwrap_or(0)].to_owned()
}

/// A CSV export read the way Excel with Indonesian settings reads it (a UTF-8 byte-order mark,
/// then `;`-separated cells), as rows keyed by column, the first column (`Kode`) naming each
/// row.
pub async fn csv_export(
    server: &Server,
    cookie: &str,
    path: &str,
) -> HashMap<String, HashMap<String, String>> {
    let (status, _, body) = get(server, path, Some(cookie)).await;
    assert_eq!(status, 200, "{path}: {body}");
    let body = body
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("{path} has no byte-order mark: {body:?}"));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&headers[..2], ["Kode", "Nama"], "{path}");
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: HashMap<String, String> = headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect();
            (r[0].to_owned(), row)
        })
        .collect()
}

/// One figure of a CSV row.
pub fn cell(rows: &HashMap<String, HashMap<String, String>>, row: &str, column: &str) -> i64 {
    rows.get(row)
        .unwrap_or_else(|| panic!("no row {row} in {rows:?}"))
        .get(column)
        .unwrap_or_else(|| panic!("no column {column}"))
        .parse()
        .unwrap()
}
