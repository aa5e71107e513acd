//! Wrong phone clocks and concurrent order steps, through the real server: a phone's own later
//! edit wins whatever its date did before it synced, an edit made earlier in real time never
//! beats one made later on another phone, and an order's step times are the same on every phone
//! and on the server.

use super::*;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, Order, OrderStatus, Transition};
use sentra_server::orders::OrderView;
use std::sync::atomic::{AtomicI64, Ordering};

on_both_backends!(
    a_price_set_again_offline_wins_everywhere_after_the_date_jumps_three_hours_ahead,
    an_edit_made_after_the_date_moved_back_two_days_loses_to_a_later_edit_on_another_phone,
    a_reject_overruled_by_an_accept_then_a_cancel_shows_the_cancel_time_everywhere,
);

/// The phone's date: the real time moved by whatever the user (or a flat battery) set.
#[derive(Debug, Default)]
struct PhoneDate(AtomicI64);

impl PhoneDate {
    fn moved_by(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl sentra_core::WallClock for PhoneDate {
    fn now_ms(&self) -> i64 {
        sentra_core::SystemClock.now_ms() + self.0.load(Ordering::SeqCst)
    }
}

/// A phone whose date the test moves, signed in as `login_name`.
async fn phone_with_date(
    server: &Server,
    login_name: &str,
    secret: &str,
) -> (Phone, Arc<PhoneDate>) {
    let date = Arc::new(PhoneDate::default());
    let dir = tempfile::tempdir().unwrap();
    let options = sentra_core::OpenOptions {
        wall_clock: date.clone(),
        ..Default::default()
    };
    let sentra = Sentra::open_with(&dir.path().join("sentra.db"), options).unwrap();
    let mut phone = Phone {
        sentra,
        token: String::new(),
        _dir: dir,
    };
    sign_in(server, &mut phone, login_name, secret).await;
    (phone, date)
}

/// A producer with two phones, `a` (whose date the test moves) and `b`, and one listed product
/// both have synced.
async fn two_phones_and_a_product(
    server: &Server,
    phone_no: &str,
) -> (Phone, Arc<PhoneDate>, Phone, Id) {
    let login_name: String = phone_no.chars().filter(char::is_ascii_digit).collect();
    let mut first = unsigned_phone();
    let me = first
        .sentra
        .register_producer(&producer("Batik Tulis Lasem", phone_no))
        .unwrap();
    let kain = first
        .sentra
        .create_product(&product(me, "Kain Batik Lasem", 5))
        .unwrap();
    account(server, phone_no, "864200", Role::Producer, Some(me)).await;
    sign_in(server, &mut first, &login_name, "864200").await;
    sync(server, &first).await;
    let (a, date) = phone_with_date(server, &login_name, "864200").await;
    sync(server, &a).await;
    sync(server, &first).await;
    (a, date, first, kain)
}

fn set_price(phone: &Phone, product: Id, price: i64) {
    phone
        .sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(price),
                ..Default::default()
            },
        )
        .unwrap();
}

/// The storefront's product page.
async fn product_page(server: &Server, product: Id) -> String {
    let response = Client::new()
        .get(format!("{}/p/{product}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn a_price_set_again_offline_wins_everywhere_after_the_date_jumps_three_hours_ahead(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (a, date, b, kain) = two_phones_and_a_product(&server, "0812-3030-4040").await;

    set_price(&a, kain, 90_000);
    sync(&server, &a).await;
    // Offline, the seller changes their mind; then the phone's date jumps three hours ahead
    // before it syncs again.
    set_price(&a, kain, 95_000);
    date.moved_by(3 * 3_600_000);
    sync(&server, &a).await;
    sync(&server, &b).await;

    for phone in [&a, &b] {
        assert_eq!(phone.sentra.product(kain).unwrap().price, 95_000);
        assert!(phone.sentra.pending_counts().unwrap().is_empty());
        assert!(phone.sentra.quarantined().unwrap().is_empty());
    }
    let page = product_page(&server, kain).await;
    assert!(
        page.contains(&sentra_server::web::rupiah(95_000))
            && !page.contains(&sentra_server::web::rupiah(90_000)),
        "the storefront shows the newer price"
    );
}

async fn an_edit_made_after_the_date_moved_back_two_days_loses_to_a_later_edit_on_another_phone(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (a, date, b, kain) = two_phones_and_a_product(&server, "0812-5050-6060").await;

    // Phone A's date is moved back two days; offline, it sets a price. A second later in real
    // time, phone B sets another.
    date.moved_by(-2 * 24 * 3_600_000);
    set_price(&a, kain, 70_000);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    set_price(&b, kain, 80_000);
    sync(&server, &b).await;
    sync(&server, &a).await;
    sync(&server, &b).await;

    for phone in [&a, &b] {
        assert_eq!(
            phone.sentra.product(kain).unwrap().price,
            80_000,
            "the edit made later in real time wins"
        );
        assert!(phone.sentra.quarantined().unwrap().is_empty());
    }
    let page = product_page(&server, kain).await;
    assert!(page.contains(&sentra_server::web::rupiah(80_000)));
}

async fn a_reject_overruled_by_an_accept_then_a_cancel_shows_the_cancel_time_everywhere(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (a, _date, b, kain) = two_phones_and_a_product(&server, "0812-7070-8080").await;
    let variant = a.sentra.product(kain).unwrap().variants[0].id;
    let producer_id = a.sentra.product(kain).unwrap().producer_id;
    let order = a
        .sentra
        .create_order(&NewOrder {
            producer_id: producer_id.to_string(),
            channel: "facilitator".into(),
            buyer: Buyer {
                name: "Toko Kain Rembang".into(),
                phone: "0813-1111-2468".into(),
                regency_code: "3317".into(),
                address: "Jl. Pemuda 5, Rembang".into(),
            },
            note: String::new(),
            lines: vec![NewOrderLine {
                variant_id: variant.to_string(),
                quantity: 1,
            }],
            request_key: String::new(),
        })
        .unwrap();
    sync(&server, &a).await;
    sync(&server, &b).await;

    // Offline, phone A rejects the order and phone B accepts it.
    a.sentra
        .transition_order(
            order,
            &Transition::Reject {
                reason: "stok habis".into(),
            },
        )
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    b.sentra
        .transition_order(order, &Transition::Accept)
        .unwrap();
    sync(&server, &a).await;
    sync(&server, &b).await;
    sync(&server, &a).await;
    let accepted: Vec<Order> = [&a, &b]
        .iter()
        .map(|p| p.sentra.order(order).unwrap())
        .collect();
    for row in &accepted {
        assert_eq!(row.status, OrderStatus::Accepted, "accepted wins");
        assert_eq!(
            row.closed_at, None,
            "the losing reject leaves no close time"
        );
    }
    assert_eq!(accepted[0], accepted[1]);

    // Phone B then cancels it.
    b.sentra
        .transition_order(
            order,
            &Transition::Cancel {
                reason: "pembeli membatalkan".into(),
            },
        )
        .unwrap();
    let cancelled_at = b.sentra.order(order).unwrap().closed_at.unwrap();
    sync(&server, &b).await;
    sync(&server, &a).await;
    let rows: Vec<Order> = [&a, &b]
        .iter()
        .map(|p| p.sentra.order(order).unwrap())
        .collect();
    assert_eq!(rows[0], rows[1], "every phone holds the same row");
    assert_eq!(rows[0].status, OrderStatus::Cancelled);
    assert_eq!(rows[0].closed_at, Some(cancelled_at), "the cancel's time");
    assert!(rows[0].accepted_at.is_some_and(|at| at < cancelled_at));

    // The buyer sees the same steps.
    let code = &rows[0].code;
    let response = Client::new()
        .get(format!("{}/v1/orders/{code}?phone_last4=2468", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let view: OrderView = response.json().await.unwrap();
    assert_eq!(view.status, OrderStatus::Cancelled);
    let last = view.timeline.last().unwrap();
    assert_eq!(
        (last.status, last.at),
        (OrderStatus::Cancelled, cancelled_at)
    );
    assert_eq!(
        view.timeline.iter().map(|s| s.status).collect::<Vec<_>>(),
        [
            OrderStatus::New,
            OrderStatus::Accepted,
            OrderStatus::Cancelled
        ]
    );
}
