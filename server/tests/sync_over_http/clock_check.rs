//! A push that carries the phone's clock is checked before anything in it is applied: a wrong
//! clock, or an entry stamped ahead, is refused whole with `clock_wrong`. A phone that has heard
//! its server checks pushes before it pulls (two requests for a sync that pushes); with a wrong
//! date it is refused, pulls (setting its clock right) and pushes again.

use super::*;
use sentra_core::WallClock;
use sentra_core::sync::clock::Hlc;
use sentra_core::sync::wire::{Change, ErrorBody, PushEntry, PushRequest};
use std::sync::atomic::{AtomicI64, Ordering};

on_both_backends!(
    a_push_naming_a_wrong_clock_or_a_stamp_ahead_is_refused_whole,
    a_phone_that_knows_its_server_checks_pushes_first_and_a_wrong_date_costs_one_pull,
    an_edit_whose_answer_was_lost_keeps_its_stamp_through_a_clock_wrong_refusal,
);

/// A raw push of one new product of `me` stamped at `stamped`, naming the phone's time `clock`.
async fn push_naming(
    server: &Server,
    phone: &Phone,
    me: Id,
    seq: i64,
    stamped: i64,
    clock: Option<i64>,
) -> reqwest::Response {
    let fields = serde_json::json!({
        "producer_id": me.to_string(), "name": "Gula Kristal Banyumas",
        "description": "", "category": "Pangan", "unit": "kg", "price": 18_000,
        "min_order": 1, "weight_g": 1000, "length_cm": 20, "width_cm": 15, "height_cm": 5,
        "status": "listed", "tier1": null, "tier2": null, "created_at": stamped,
    });
    let entry = PushEntry {
        seq,
        change: Change {
            entity: "product".into(),
            id: Id::new(),
            op: "create".into(),
            fields: fields.as_object().cloned().unwrap(),
            hlc: Hlc {
                millis: stamped,
                counter: 0,
                node: 9,
            },
        },
    };
    let body = wire::encode(&PushRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: phone.sentra.device_id(),
        entries: vec![entry],
    })
    .unwrap();
    let mut request = Client::new()
        .post(format!("{}/v1/sync/push", server.url))
        .header("content-encoding", "zstd")
        .header("authorization", format!("Bearer {}", phone.token))
        .body(body);
    if let Some(clock) = clock {
        request = request.header(wire::DEVICE_CLOCK_HEADER, clock.to_string());
    }
    request.send().await.unwrap()
}

fn now() -> i64 {
    sentra_core::SystemClock.now_ms()
}

async fn a_push_naming_a_wrong_clock_or_a_stamp_ahead_is_refused_whole(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let mut seller = unsigned_phone();
    let me = seller
        .sentra
        .register_producer(&producer("Gula Bu Tini", "0857-1212-3434"))
        .unwrap();
    account(
        &server,
        "0857-1212-3434",
        "112233",
        Role::Producer,
        Some(me),
    )
    .await;
    sign_in(&server, &mut seller, "085712123434", "112233").await;
    sync(&server, &seller).await;
    let hour = 3_600_000;

    for (what, stamped, clock) in [
        ("a clock an hour behind", now() - hour, now() - hour),
        ("a clock an hour ahead", now(), now() + hour),
        ("an entry stamped an hour ahead", now() + hour, now()),
    ] {
        let refused = push_naming(&server, &seller, me, 1_000, stamped, Some(clock)).await;
        assert_eq!(refused.status(), 409, "{what}");
        let body: ErrorBody = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
        assert_eq!(body.code, wire::CLOCK_WRONG, "{what}");
        assert!(
            body.message.starts_with("jam ponsel"),
            "Indonesian first: {}",
            body.message
        );
    }
    // Nothing of those was applied: the same entry number is new to the server.
    let right = push_naming(&server, &seller, me, 1_000, now(), Some(now())).await;
    assert_eq!(right.status(), 200);
    let features = right.headers()[wire::FEATURES_HEADER]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        features.split(',').any(|f| f == wire::CLOCK_CHECK),
        "{features}"
    );
    let answer: PushResponse = wire::decode(&right.bytes().await.unwrap()).unwrap();
    assert_eq!(answer.results[0].outcome, Outcome::Applied);
    // Without the header (an old phone), no check, as before.
    let old = push_naming(&server, &seller, me, 1_001, now(), None).await;
    assert_eq!(old.status(), 200);
    // A header that is not a time is a bad request.
    let body = wire::encode(&PushRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: seller.sentra.device_id(),
        entries: vec![],
    })
    .unwrap();
    let garbled = Client::new()
        .post(format!("{}/v1/sync/push", server.url))
        .header("content-encoding", "zstd")
        .header("authorization", format!("Bearer {}", seller.token))
        .header(wire::DEVICE_CLOCK_HEADER, "kemarin")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status(), 400);
}

/// The phone's date, moved by the test.
#[derive(Debug, Default)]
struct PhoneDate(AtomicI64);

impl sentra_core::WallClock for PhoneDate {
    fn now_ms(&self) -> i64 {
        sentra_core::SystemClock.now_ms() + self.0.load(Ordering::SeqCst)
    }
}

/// A producer's phone on a date the test moves, signed in, with one product not yet synced.
async fn seller_with_a_date(server: &Server) -> (Phone, Arc<PhoneDate>, Id) {
    let date = Arc::new(PhoneDate::default());
    let dir = tempfile::tempdir().unwrap();
    let options = sentra_core::OpenOptions {
        wall_clock: date.clone(),
        ..Default::default()
    };
    let mut seller = Phone {
        sentra: Sentra::open_with(&dir.path().join("sentra.db"), options).unwrap(),
        token: String::new(),
        _dir: dir,
    };
    let me = seller
        .sentra
        .register_producer(&producer("Gula Bu Tini", "0857-1212-3434"))
        .unwrap();
    let gula = seller
        .sentra
        .create_product(&product(me, "Gula Kristal", 10))
        .unwrap();
    account(server, "0857-1212-3434", "112233", Role::Producer, Some(me)).await;
    sign_in(server, &mut seller, "085712123434", "112233").await;
    (seller, date, gula)
}

async fn a_phone_that_knows_its_server_checks_pushes_first_and_a_wrong_date_costs_one_pull(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (seller, date, gula) = seller_with_a_date(&server).await;
    let first = sync(&server, &seller).await;
    assert_eq!(
        first.requests, 3,
        "a first sync pulls before it pushes: {first:?}"
    );
    let other = phone(&server, "085712123434", "112233").await;
    sync(&server, &other).await;

    // It has heard its server checks clocks: a push, then the pull after it.
    let edit = |price| {
        seller
            .sentra
            .edit_product(
                gula,
                &ProductPatch {
                    price: Some(price),
                    ..Default::default()
                },
            )
            .unwrap();
    };
    edit(19_000);
    let pushed_first = sync(&server, &seller).await;
    assert_eq!(pushed_first.requests, 2, "{pushed_first:?}");
    assert_eq!(pushed_first.pushed, 1);

    // The date jumps a day ahead before the next edit: refused, pulled, pushed again, pulled.
    date.0.store(24 * 3_600_000, Ordering::SeqCst);
    edit(21_000);
    let refused_once = sync(&server, &seller).await;
    assert_eq!(refused_once.requests, 4, "{refused_once:?}");
    assert_eq!(refused_once.pushed, 1);
    assert!(seller.sentra.quarantined().unwrap().is_empty());
    let offset = seller.sentra.sync_status().unwrap().clock_offset_ms;
    assert!(
        (offset + 24 * 3_600_000).abs() < 60_000,
        "the clock was set right: {offset}"
    );

    // The other phone's later edit wins over it: the refused phone's stamp was not a day ahead.
    other
        .sentra
        .edit_product(
            gula,
            &ProductPatch {
                price: Some(20_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &other).await;
    sync(&server, &seller).await;
    for phone in [&seller, &other] {
        assert_eq!(phone.sentra.product(gula).unwrap().price, 20_000);
    }
}

/// A phone three hours ahead pushes an edit, and the answer is lost: the server holds the edit
/// with its stamp, three hours ahead. The phone's next sync is refused for that stamp
/// (`clock_wrong`), pulls, which sets its clock right, and pushes again, answered as a duplicate.
/// The edit must keep the stamp the server holds: moved on this phone alone, another phone's
/// edit made in between would win here and lose everywhere else.
async fn an_edit_whose_answer_was_lost_keeps_its_stamp_through_a_clock_wrong_refusal(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (seller, date, gula) = seller_with_a_date(&server).await;
    sync(&server, &seller).await;
    let other = phone(&server, "085712123434", "112233").await;
    sync(&server, &other).await;
    let price = |price| ProductPatch {
        price: Some(price),
        ..Default::default()
    };

    date.0.store(3 * 3_600_000, Ordering::SeqCst);
    seller.sentra.edit_product(gula, &price(19_000)).unwrap();
    let batch = seller.sentra.sync_push_batch(1 << 20).unwrap().unwrap();
    let sent = Client::new()
        .post(format!("{}/v1/sync/push", server.url))
        .header("content-encoding", "zstd")
        .header("authorization", format!("Bearer {}", seller.token))
        .body(wire::encode(&batch).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.status(),
        200,
        "applied; the answer never reaches the phone"
    );

    other.sentra.edit_product(gula, &price(20_000)).unwrap();
    sync(&server, &other).await;
    let refused_once = sync(&server, &seller).await;
    assert_eq!(
        refused_once.requests, 4,
        "refused, pulled, pushed, pulled: {refused_once:?}"
    );
    assert!(seller.sentra.quarantined().unwrap().is_empty());
    sync(&server, &other).await;
    let (on_seller, on_other) = (
        seller.sentra.product(gula).unwrap(),
        other.sentra.product(gula).unwrap(),
    );
    assert_eq!(on_seller, on_other, "one price everywhere");
    assert_eq!(
        on_seller.price, 19_000,
        "the stamp the server holds, three hours ahead, beats the other phone's"
    );
}
