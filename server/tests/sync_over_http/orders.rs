//! Orders placed by buyers through the server's order API, followed to the producer's phone and
//! back.

use super::*;
use sentra_core::orders::{OrderStatus, OrderTab, Transition};
use sentra_server::orders::{OrderView, Placed};

on_both_backends!(
    an_order_placed_through_the_server_reaches_the_phone_and_the_server_sees_it_shipped,
    a_bad_order_is_refused_with_the_field_and_a_wrong_lookup_reveals_nothing,
);

/// A producer with a listed product of one variant holding `stock`, synced to the server.
async fn seller(server: &Server, phone_no: &str, stock: i64) -> (Phone, Id, Id) {
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&producer("Jeans Rowosari", phone_no))
        .unwrap();
    account(server, phone_no, "246810", Role::Producer, Some(me)).await;
    sign_in(server, &mut phone, phone_no, "246810").await;
    let product = phone
        .sentra
        .create_product(&product(me, "Celana Jeans Slim", stock))
        .unwrap();
    let variant = phone.sentra.product(product).unwrap().variants[0].id;
    sync(server, &phone).await;
    (phone, me, variant)
}

fn order_json(key: &str, producer: Id, variant: Id, quantity: i64) -> serde_json::Value {
    serde_json::json!({
        "key": key,
        "producer_id": producer.to_string(),
        "buyer": {
            "name": "Toko Berkah Purwokerto",
            "phone": "0813-2222-4321",
            "regency_code": "3302",
            "address": "Jl. Jend. Sudirman 10, Purwokerto",
        },
        "note": "Tolong dibungkus rapi",
        "lines": [{"variant_id": variant.to_string(), "quantity": quantity}],
    })
}

async fn place(server: &Server, body: &serde_json::Value) -> reqwest::Response {
    Client::new()
        .post(format!("{}/v1/orders", server.url))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn lookup(server: &Server, code: &str, last4: &str) -> reqwest::Response {
    Client::new()
        .get(format!(
            "{}/v1/orders/{code}?phone_last4={last4}",
            server.url
        ))
        .send()
        .await
        .unwrap()
}

async fn an_order_placed_through_the_server_reaches_the_phone_and_the_server_sees_it_shipped(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me, variant) = seller(&server, "0812-7777-1000", 10).await;

    // A buyer orders 3, and the form is sent twice (a double tap): one order.
    let body = order_json("form-3f9c", me, variant, 3);
    let first = place(&server, &body).await;
    assert_eq!(first.status(), 201);
    let placed: Placed = first.json().await.unwrap();
    assert_eq!(placed.status, OrderStatus::New);
    assert_eq!(placed.total, 3 * 85_000);
    let again: Placed = place(&server, &body).await.json().await.unwrap();
    assert_eq!(again.order_id, placed.order_id);
    assert_eq!(again.code, placed.code);

    // The producer's phone gets it on its next sync, once.
    sync(&server, &phone).await;
    let tabs = phone.sentra.order_tabs().unwrap();
    assert_eq!(tabs.to_respond, 1, "{tabs:?}");
    let on_phone = &phone.sentra.orders(OrderTab::ToRespond, 0, 10).unwrap()[0];
    assert_eq!(on_phone.code, placed.code);
    assert_eq!(on_phone.buyer.regency_code, "3302");

    // The producer accepts and ships it; the next sync tells the server.
    phone
        .sentra
        .transition_order(on_phone.id, &Transition::Accept)
        .unwrap();
    phone
        .sentra
        .transition_order(
            on_phone.id,
            &Transition::Ship {
                courier: "JNE".into(),
                tracking_no: "JNE0123456789".into(),
            },
        )
        .unwrap();
    sync(&server, &phone).await;

    let seen = lookup(&server, &placed.code, "4321").await;
    assert_eq!(seen.status(), 200);
    let view: OrderView = seen.json().await.unwrap();
    assert_eq!(view.status, OrderStatus::Shipped);
    assert_eq!(view.tracking_no.as_deref(), Some("JNE0123456789"));
    // The buyer sees what they ordered, by name.
    assert_eq!(view.lines.len(), 1);
    assert!(
        view.lines[0].name.starts_with("Celana Jeans Slim"),
        "{:?}",
        view.lines
    );
    assert_eq!(view.lines[0].quantity, 3);
    let steps: Vec<OrderStatus> = view.timeline.iter().map(|s| s.status).collect();
    assert_eq!(
        steps,
        [
            OrderStatus::New,
            OrderStatus::Accepted,
            OrderStatus::Shipped
        ]
    );
    // The stock held for it is counted once on the phone: 10 - 3.
    assert_eq!(phone.sentra.recount_stock(variant).unwrap(), 7);
}

async fn a_bad_order_is_refused_with_the_field_and_a_wrong_lookup_reveals_nothing(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me, variant) = seller(&server, "0812-7777-2000", 5).await;

    for quantity in [0, -2] {
        let refused = place(&server, &order_json("q", me, variant, quantity)).await;
        assert_eq!(refused.status(), 422);
        let body: wire::ErrorBody = refused.json().await.unwrap();
        assert_eq!(body.code, "validation");
        assert_eq!(body.fields[0].field, "lines.quantity");
        assert!(!body.fields[0].message.is_empty());
    }
    let mut bad_phone = order_json("p", me, variant, 1);
    bad_phone["buyer"]["phone"] = "12345".into();
    let body: wire::ErrorBody = place(&server, &bad_phone).await.json().await.unwrap();
    assert_eq!(body.fields[0].field, "buyer.phone");

    // An unlisted product cannot be ordered from the storefront.
    let hidden = phone
        .sentra
        .create_product(&NewProduct {
            status: "draft".into(),
            ..product(me, "Contoh belum dijual", 5)
        })
        .unwrap();
    let hidden_variant = phone.sentra.product(hidden).unwrap().variants[0].id;
    sync(&server, &phone).await;
    let refused = place(&server, &order_json("h", me, hidden_variant, 1)).await;
    assert_eq!(refused.status(), 422);
    let body: wire::ErrorBody = refused.json().await.unwrap();
    assert_eq!(body.fields[0].field, "lines.variant_id");

    // Not JSON at all.
    let garbage = Client::new()
        .post(format!("{}/v1/orders", server.url))
        .body("quantity=1")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);

    // Nothing was ordered, and a right code with wrong digits looks like a wrong code.
    sync(&server, &phone).await;
    assert_eq!(phone.sentra.order_tabs().unwrap().to_respond, 0);
    let placed: Placed = place(&server, &order_json("ok", me, variant, 1))
        .await
        .json()
        .await
        .unwrap();
    let wrong_digits = lookup(&server, &placed.code, "0000").await;
    let wrong_code = lookup(&server, "SNT-00000000", "4321").await;
    assert_eq!(wrong_digits.status(), 404);
    assert_eq!(wrong_code.status(), 404);
    assert_eq!(
        wrong_digits.bytes().await.unwrap(),
        wrong_code.bytes().await.unwrap()
    );
    assert_eq!(lookup(&server, &placed.code, "4321").await.status(), 200);
}
