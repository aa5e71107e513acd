//! Voiding a mistyped direct sale: the void syncs as its own entry, counts once, and the ledger,
//! the stock and the totals agree on every phone; stock corrections carry their reason.

use super::relay::{Relay, pull_all, sync};
use super::*;
use sentra_core::ErrorCode;
use sentra_core::sales::{NewSale, Period};
use sentra_core::sync::rules;
use sentra_core::sync::wire::Change;

/// A product with one size holding `stock`, made on `a` and pulled by `b`; its variant.
fn shared_variant(a: &Phone, b: &Phone, relay: &mut Relay, stock: i64) -> (Id, Id) {
    let producer = with_producer(a);
    let product = a
        .sentra
        .create_product(&product_input(
            producer,
            "Kaos Batik",
            &[("M", "Hitam", stock)],
        ))
        .unwrap();
    sync(&a.sentra, relay);
    sync(&b.sentra, relay);
    (product, a.sentra.product(product).unwrap().variants[0].id)
}

fn sell(phone: &Phone, variant: Id, quantity: i64) -> Id {
    phone
        .sentra
        .record_sale(&NewSale {
            variant_id: variant.to_string(),
            quantity,
            unit_price: None,
            channel: "market_stall".into(),
            sold_on: "2026-11-22".into(),
        })
        .unwrap()
}

fn stock(phone: &Phone, product: Id) -> i64 {
    phone.sentra.product(product).unwrap().variants[0].stock
}

fn revenue(phone: &Phone) -> i64 {
    phone
        .sentra
        .sales_summary(Period::Month, "2026-11-01", "2026-11-30")
        .unwrap()
        .iter()
        .map(|s| s.revenue)
        .sum()
}

#[test]
fn a_sale_voided_on_another_phone_leaves_the_totals_and_gives_its_units_back_everywhere() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let (product, variant) = shared_variant(&a, &b, &mut relay, 5);
    let kept = sell(&a, variant, 1);
    let mistyped = sell(&a, variant, 3);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    assert_eq!(stock(&b, product), 1);

    b.sentra
        .void_sale(&mistyped.to_string(), "salah ketik")
        .unwrap();
    assert_eq!(stock(&b, product), 4, "the units are back at once, offline");
    sync(&b.sentra, &mut relay);
    sync(&a.sentra, &mut relay);

    for phone in [&a, &b] {
        assert_eq!(stock(phone, product), 4);
        assert_eq!(phone.sentra.recount_stock(variant).unwrap(), 4);
        assert_eq!(revenue(phone), 85_000, "only the kept sale counts");
        let sales = phone.sentra.sales("2026-11-22", "2026-11-22", 10).unwrap();
        assert_eq!(sales.iter().map(|s| s.id).collect::<Vec<_>>(), vec![kept]);
        let history = phone
            .sentra
            .sales_history("2026-11-01", "2026-11-30", 10)
            .unwrap();
        assert_eq!(history.len(), 2, "the history keeps the voided sale");
        let voided = history.iter().find(|e| e.sale.id == mistyped).unwrap();
        assert!(voided.voided_at.is_some());
        assert_eq!(voided.void_reason.as_deref(), Some("salah ketik"));
        assert_eq!(voided.product_name, "Kaos Batik");
        assert_eq!(voided.options, vec!["M".to_string(), "Hitam".to_string()]);
        let history = phone.sentra.stock_history(variant, 10).unwrap();
        assert_eq!(history.iter().filter(|m| m.kind == "void").count(), 1);
    }
    assert_eq!(
        relay
            .feed
            .iter()
            .filter(|c| c.entity == "sale_void")
            .count(),
        1,
        "the void is its own entry"
    );
    assert!(
        !relay
            .feed
            .iter()
            .any(|c| c.entity == "stock_movement" && c.fields["kind"] == "void"),
        "its movement is made where it lands, never sent"
    );
}

#[test]
fn the_same_sale_voided_on_two_phones_offline_counts_once() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let (product, variant) = shared_variant(&a, &b, &mut relay, 5);
    let sale = sell(&a, variant, 2);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    a.sentra.void_sale(&sale.to_string(), "").unwrap();
    b.sentra.void_sale(&sale.to_string(), "dobel").unwrap();
    for _ in 0..2 {
        sync(&a.sentra, &mut relay);
        sync(&b.sentra, &mut relay);
    }
    for phone in [&a, &b] {
        assert_eq!(stock(phone, product), 5, "given back once, not twice");
        assert_eq!(phone.sentra.recount_stock(variant).unwrap(), 5);
        assert_eq!(revenue(phone), 0);
    }
}

#[test]
fn a_void_pulled_before_its_sale_still_gives_the_units_back_once() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let (product, variant) = shared_variant(&a, &b, &mut relay, 5);
    let sale = sell(&a, variant, 2);
    a.sentra.void_sale(&sale.to_string(), "").unwrap();
    sync(&a.sentra, &mut relay);
    // A third phone whose pages bring the void before the sale.
    let c = phone();
    let at = |entity: &str| relay.feed.iter().position(|x| x.entity == entity).unwrap();
    let (sale_at, void_at) = (at("sale"), at("sale_void"));
    relay.feed.swap(sale_at, void_at);
    pull_all(&c.sentra, &relay);
    pull_all(&c.sentra, &relay);
    assert_eq!(stock(&c, product), 5);
    assert_eq!(c.sentra.recount_stock(variant).unwrap(), 5);
    assert_eq!(revenue(&c), 0);
}

#[test]
fn a_sale_cannot_be_voided_twice_nor_one_that_is_not_here() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let (_, variant) = shared_variant(&a, &b, &mut relay, 5);
    let sale = sell(&a, variant, 1);
    a.sentra.void_sale(&sale.to_string(), "").unwrap();
    let twice = a.sentra.void_sale(&sale.to_string(), "").unwrap_err();
    assert_eq!(twice.code(), ErrorCode::Validation);
    assert_eq!(
        a.sentra
            .void_sale(&Id::new().to_string(), "")
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        a.sentra.void_sale("bukan-id", "").unwrap_err().code(),
        ErrorCode::Validation
    );
    assert_eq!(
        a.sentra
            .void_sale(&sale.to_string(), &"x".repeat(201))
            .unwrap_err()
            .code(),
        ErrorCode::Validation
    );
}

#[test]
fn a_void_under_any_id_but_its_sales_or_a_sent_void_movement_breaks_the_wire_rules() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let (_, variant) = shared_variant(&a, &b, &mut relay, 5);
    let sale = sell(&a, variant, 1);
    a.sentra.void_sale(&sale.to_string(), "").unwrap();
    let honest = a
        .sentra
        .outbox(0, 100)
        .unwrap()
        .into_iter()
        .find(|e| e.entity == "sale_void")
        .unwrap();
    let honest = Change {
        entity: honest.entity,
        id: honest.entity_id,
        op: honest.op,
        fields: honest.fields,
        hlc: honest.hlc,
    };
    assert!(rules::check(&honest).is_ok());
    let mut other_id = honest.clone();
    other_id.id = Id::new();
    assert!(
        rules::check(&other_id).is_err(),
        "a second void of one sale"
    );
    let mut movement = honest.clone();
    movement.entity = "stock_movement".into();
    movement.fields = serde_json::from_value(serde_json::json!({
        "variant_id": variant.to_string(), "kind": "void", "delta": 50,
        "ref_id": sale.to_string(), "at": NOV_22,
    }))
    .unwrap();
    assert!(
        rules::check(&movement).is_err(),
        "a void movement is never sent"
    );
}

#[test]
fn a_stock_correction_keeps_its_reason_on_every_phone() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let (product, variant) = shared_variant(&a, &b, &mut relay, 10);
    a.sentra
        .adjust_stock_with_reason(variant, -2, "  rusak kena air ")
        .unwrap();
    a.sentra.restock(variant, 5).unwrap();
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    assert_eq!(stock(&b, product), 13);
    let history = b.sentra.stock_history(variant, 10).unwrap();
    let adjust = history.iter().find(|m| m.kind == "adjust").unwrap();
    assert_eq!(adjust.reason.as_deref(), Some("rusak kena air"));
    assert_eq!(
        a.sentra
            .adjust_stock_with_reason(variant, -1, &"x".repeat(201))
            .unwrap_err()
            .code(),
        ErrorCode::Validation
    );
    let plain = relay
        .feed
        .iter()
        .find(|c| c.entity == "stock_movement" && c.fields["kind"] == "restock")
        .unwrap();
    assert!(
        !plain.fields.contains_key("reason"),
        "a movement without a reason is as old phones know it"
    );
}
