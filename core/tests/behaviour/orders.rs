use super::*;
use sentra_core::ErrorCode;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, OrderStatus, OrderTab, Transition};

fn buyer() -> Buyer {
    Buyer {
        name: "Dinas Pendidikan Kab. Banyumas".into(),
        phone: "0281 635 123".into(),
        regency_code: "3302".into(),
        address: "Jl. Kabupaten No. 1, Purwokerto".into(),
    }
}

/// A phone with a producer, a product with two variants of 10 each, and one new order for 3 + 2.
fn with_order(p: &Phone) -> (Id, Vec<Id>) {
    let producer = with_producer(p);
    let product = p
        .sentra
        .create_product(&product_input(
            producer,
            "Seragam",
            &[("M", "Putih", 10), ("L", "Putih", 10)],
        ))
        .unwrap();
    let variants: Vec<Id> = p
        .sentra
        .product(product)
        .unwrap()
        .variants
        .iter()
        .map(|v| v.id)
        .collect();
    let order = p
        .sentra
        .create_order(&NewOrder {
            producer_id: producer.to_string(),
            channel: "facilitator".into(),
            buyer: buyer(),
            note: "Kirim sebelum tahun ajaran baru".into(),
            lines: vec![
                NewOrderLine {
                    variant_id: variants[0].to_string(),
                    quantity: 3,
                },
                NewOrderLine {
                    variant_id: variants[1].to_string(),
                    quantity: 2,
                },
            ],
            request_key: String::new(),
        })
        .unwrap();
    (order, variants)
}

/// The variant's stock from its movements; also checks the cached figure agrees.
fn stock(p: &Phone, variant: Id) -> i64 {
    let counted = p.sentra.recount_stock(variant).unwrap();
    let cached = p
        .sentra
        .list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 50,
            ..Default::default()
        })
        .unwrap();
    let product = p.sentra.product(cached[0].id).unwrap();
    let v = product.variants.iter().find(|v| v.id == variant).unwrap();
    assert_eq!(v.stock, counted);
    counted
}

#[test]
fn an_order_is_priced_at_ordering_time_and_starts_new_with_a_24h_deadline() {
    let p = phone();
    let (id, _) = with_order(&p);
    let order = p.sentra.order(id).unwrap();
    assert_eq!(order.status, OrderStatus::New);
    assert_eq!(order.total, 5 * 85_000);
    assert_eq!(order.buyer.phone, "+62281635123");
    assert!(order.code.starts_with("SNT-") && order.code.len() == 12);
    assert_eq!(order.due_at, Some(order.created_at + 24 * 3_600_000));
    assert!(!order.is_overdue(order.created_at + 23 * 3_600_000));
    assert!(order.is_overdue(order.created_at + 25 * 3_600_000));
}

#[test]
fn the_order_and_its_lines_are_one_outbox_entry() {
    let p = phone();
    let (id, _) = with_order(&p);
    let entries: Vec<_> = p
        .sentra
        .outbox(0, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "order")
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entity_id, id);
    assert_eq!(entries[0].fields["lines"].as_array().unwrap().len(), 2);
}

#[test]
fn accepting_holds_stock_and_cancelling_gives_it_back() {
    let p = phone();
    let (id, variants) = with_order(&p);
    p.sentra.transition_order(id, &Transition::Accept).unwrap();
    assert_eq!(stock(&p, variants[0]), 7);
    assert_eq!(stock(&p, variants[1]), 8);
    let order = p.sentra.order(id).unwrap();
    assert_eq!(
        order.due_at,
        Some(order.accepted_at.unwrap() + 48 * 3_600_000)
    );
    p.sentra
        .transition_order(
            id,
            &Transition::Cancel {
                reason: "Pembeli membatalkan".into(),
            },
        )
        .unwrap();
    assert_eq!(stock(&p, variants[0]), 10);
    assert_eq!(stock(&p, variants[1]), 10);
    let order = p.sentra.order(id).unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.reason.as_deref(), Some("Pembeli membatalkan"));
}

#[test]
fn rejecting_a_new_order_needs_a_reason_and_moves_no_stock() {
    let p = phone();
    let (id, variants) = with_order(&p);
    let err = p
        .sentra
        .transition_order(id, &Transition::Reject { reason: " ".into() })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    p.sentra
        .transition_order(
            id,
            &Transition::Reject {
                reason: "Stok bahan habis".into(),
            },
        )
        .unwrap();
    assert_eq!(stock(&p, variants[0]), 10);
    assert_eq!(p.sentra.order(id).unwrap().status, OrderStatus::Rejected);
}

#[test]
fn an_order_goes_through_shipping_to_completion_and_never_back() {
    let p = phone();
    let (id, _) = with_order(&p);
    p.sentra.transition_order(id, &Transition::Accept).unwrap();
    p.sentra
        .transition_order(
            id,
            &Transition::Ship {
                courier: "JNE".into(),
                tracking_no: "JNE0012345".into(),
            },
        )
        .unwrap();
    let shipped = p.sentra.order(id).unwrap();
    assert_eq!(
        (shipped.courier.as_deref(), shipped.tracking_no.as_deref()),
        (Some("JNE"), Some("JNE0012345"))
    );
    p.sentra
        .transition_order(id, &Transition::Complete)
        .unwrap();
    for bad in [
        Transition::Accept,
        Transition::Cancel {
            reason: "terlambat".into(),
        },
        Transition::Reject { reason: "x".into() },
    ] {
        let err = p.sentra.transition_order(id, &bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidTransition);
    }
    assert_eq!(p.sentra.order(id).unwrap().status, OrderStatus::Completed);
}

#[test]
fn shipping_a_new_order_is_an_invalid_transition() {
    let p = phone();
    let (id, _) = with_order(&p);
    let err = p
        .sentra
        .transition_order(
            id,
            &Transition::Ship {
                courier: "JNE".into(),
                tracking_no: "1".into(),
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidTransition);
    assert_eq!(err.to_string(), "an order cannot go from new to shipped");
}

#[test]
fn tabs_count_orders_and_the_overdue_ones() {
    let p = phone();
    let (first, _) = with_order(&p);
    let producer = p.sentra.order(first).unwrap().producer_id;
    let variant = p.sentra.order(first).unwrap().lines[0].variant_id;
    let new_order = || NewOrder {
        producer_id: producer.to_string(),
        channel: "storefront".into(),
        buyer: buyer(),
        note: String::new(),
        lines: vec![NewOrderLine {
            variant_id: variant.to_string(),
            quantity: 1,
        }],
        request_key: String::new(),
    };
    let second = p.sentra.create_order(&new_order()).unwrap();
    let third = p.sentra.create_order(&new_order()).unwrap();
    p.sentra
        .transition_order(second, &Transition::Accept)
        .unwrap();
    p.sentra
        .transition_order(
            third,
            &Transition::Cancel {
                reason: "dobel".into(),
            },
        )
        .unwrap();
    let tabs = p.sentra.order_tabs().unwrap();
    assert_eq!(
        (tabs.to_respond, tabs.to_ship, tabs.cancelled, tabs.overdue),
        (1, 1, 1, 0)
    );
    p.clock.advance_hours(25);
    assert_eq!(
        p.sentra.order_tabs().unwrap().overdue,
        1,
        "the new one is past 24 h"
    );
    p.clock.advance_hours(24);
    assert_eq!(
        p.sentra.order_tabs().unwrap().overdue,
        2,
        "the accepted one is past 48 h"
    );
    let to_ship: Vec<Id> = p
        .sentra
        .orders(OrderTab::ToShip, 0, 50)
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(to_ship, vec![second]);
    assert_eq!(
        p.sentra.orders(OrderTab::Cancelled, 0, 50).unwrap()[0].id,
        third
    );
}

#[test]
fn bad_orders_are_refused_whole() {
    let p = phone();
    let (first, variants) = with_order(&p);
    let producer = p.sentra.order(first).unwrap().producer_id;
    let base = NewOrder {
        producer_id: producer.to_string(),
        channel: "storefront".into(),
        buyer: buyer(),
        note: String::new(),
        lines: vec![NewOrderLine {
            variant_id: variants[0].to_string(),
            quantity: 0,
        }],
        request_key: String::new(),
    };
    let err = p.sentra.create_order(&base).unwrap_err();
    assert_eq!(err.fields()[0].field, "lines.quantity");
    let err = p
        .sentra
        .create_order(&NewOrder {
            lines: vec![],
            ..base.clone()
        })
        .unwrap_err();
    assert_eq!(err.fields()[0].field, "lines");
    let other = NewOrderLine {
        variant_id: Id::new().to_string(),
        quantity: 1,
    };
    let err = p
        .sentra
        .create_order(&NewOrder {
            lines: vec![other],
            ..base.clone()
        })
        .unwrap_err();
    assert_eq!(err.fields()[0].field, "lines.variant_id");
    let mut bad_buyer = base.clone();
    bad_buyer.lines[0].quantity = 1;
    bad_buyer.buyer.phone = "hello".into();
    bad_buyer.buyer.regency_code = "0000".into();
    let err = p.sentra.create_order(&bad_buyer).unwrap_err();
    assert_eq!(err.fields().len(), 2);
    let tabs = p.sentra.order_tabs().unwrap();
    assert_eq!(tabs.to_respond, 1, "only the first order exists");
}

#[test]
fn the_storefront_cannot_order_an_unlisted_product_or_below_the_minimum() {
    let p = phone();
    let producer = with_producer(&p);
    let mut draft = product_input(producer, "Gula Semut", &[]);
    draft.status = "unlisted".into();
    draft.min_order = 10;
    let product = p.sentra.create_product(&draft).unwrap();
    let variant = p.sentra.product(product).unwrap().variants[0].id;
    let order = |channel: &str, quantity| NewOrder {
        producer_id: producer.to_string(),
        channel: channel.into(),
        buyer: buyer(),
        note: String::new(),
        lines: vec![NewOrderLine {
            variant_id: variant.to_string(),
            quantity,
        }],
        request_key: String::new(),
    };
    assert_eq!(
        p.sentra
            .create_order(&order("storefront", 10))
            .unwrap_err()
            .code(),
        ErrorCode::Validation
    );
    let err = p.sentra.create_order(&order("facilitator", 9)).unwrap_err();
    assert_eq!(err.fields()[0].field, "lines.quantity");
    p.sentra.create_order(&order("facilitator", 10)).unwrap();
}

#[test]
fn an_order_sent_twice_with_one_request_key_is_one_order() {
    let p = phone();
    let producer = with_producer(&p);
    let product = p
        .sentra
        .create_product(&product_input(
            producer,
            "Gula kristal",
            &[("1 kg", "Kuning", 50)],
        ))
        .unwrap();
    let variant = p.sentra.product(product).unwrap().variants[0].id;
    let form = NewOrder {
        producer_id: producer.to_string(),
        channel: "storefront".into(),
        buyer: buyer(),
        note: String::new(),
        lines: vec![NewOrderLine {
            variant_id: variant.to_string(),
            quantity: 4,
        }],
        request_key: "0f5b6c1e-form-7a2d".into(),
    };
    let first = p.sentra.create_order(&form).unwrap();
    let outbox_after_first = p.sentra.outbox(0, 1000).unwrap().len();
    let second = p.sentra.create_order(&form).unwrap();
    assert_eq!(first, second, "the same key names the same order");
    assert_eq!(p.sentra.outbox(0, 1000).unwrap().len(), outbox_after_first);
    assert_eq!(p.sentra.order_tabs().unwrap().to_respond, 1);

    // The buyer finds it by its code, in any case; another key makes another order.
    let order = p.sentra.order(first).unwrap();
    let found = p
        .sentra
        .order_by_code(&order.code.to_lowercase())
        .unwrap()
        .unwrap();
    assert_eq!(found.id, first);
    assert_eq!(found.total, 4 * order.lines[0].unit_price);
    let other = p
        .sentra
        .create_order(&NewOrder {
            request_key: "another-form".into(),
            ..form
        })
        .unwrap();
    assert_ne!(other, first);
    assert!(p.sentra.order_by_code("SNT-NOSUCH00").unwrap().is_none());
}
