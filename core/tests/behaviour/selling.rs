//! How a producer sells: delivery, payment and contact settings, the fee an order carries, and
//! the paid mark, through the public API and the in-process relay.

use super::relay::{Relay, advance, sync};
use super::*;
use sentra_core::ErrorCode;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, Transition};
use sentra_core::selling::{
    BankAccount, BuyerChoice, Courier, Delivery, Payment, Selling, ZoneRates,
};

fn settings() -> Selling {
    Selling {
        pickup_place: Some("Rumah produksi, Jl. Raya Rowosari No. 12".into()),
        courier: Some(Courier::PerKg(ZoneRates {
            regency: Some(8_000),
            province: Some(12_000),
            national: None,
        })),
        bank: Some(BankAccount {
            bank: "BRI".into(),
            number: "0123-01-000456-50-7".into(),
            holder: "Siti Aminah".into(),
        }),
        qris_hash: None,
        cod: true,
        whatsapp: Some("0812 2750 1234".into()),
    }
}

/// A shop with one product of 300 g in a 30×20×5 cm box (volumetric 500 g), 10 in stock.
fn shop(p: &Phone) -> (Id, Id) {
    let producer = with_producer(p);
    let product = p
        .sentra
        .create_product(&product_input(producer, "Kaos Batik", &[("M", "Biru", 10)]))
        .unwrap();
    let variant = p.sentra.product(product).unwrap().variants[0].id;
    (producer, variant)
}

fn storefront_order(producer: Id, variant: Id, quantity: i64, regency: &str) -> NewOrder {
    NewOrder {
        producer_id: producer.to_string(),
        channel: "storefront".into(),
        buyer: Buyer {
            name: "Rina".into(),
            phone: "0813 1111 2222".into(),
            regency_code: regency.into(),
            address: "Jl. Merdeka 5".into(),
        },
        note: String::new(),
        lines: vec![NewOrderLine {
            variant_id: variant.to_string(),
            quantity,
        }],
        request_key: String::new(),
    }
}

fn pending(s: &Sentra) -> i64 {
    s.pending_counts().unwrap().iter().map(|c| c.count).sum()
}

fn choice(delivery: &str, payment: &str) -> BuyerChoice {
    BuyerChoice {
        delivery: delivery.into(),
        payment: payment.into(),
    }
}

#[test]
fn settings_are_kept_clean_and_reach_another_phone_by_sync() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let (producer, _) = shop(&a);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    a.sentra.set_selling(producer, &settings()).unwrap();
    let kept = a.sentra.selling(producer).unwrap();
    assert_eq!(kept.bank.as_ref().unwrap().number, "012301000456507");
    assert_eq!(kept.whatsapp.as_deref(), Some("+6281227501234"));
    assert!(kept.delivers() && kept.takes_payment());
    // Setting the same again records nothing.
    let waiting = pending(&a.sentra);
    a.sentra.set_selling(producer, &settings()).unwrap();
    assert_eq!(pending(&a.sentra), waiting);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    assert_eq!(b.sentra.selling(producer).unwrap(), kept);
}

#[test]
fn settings_that_break_a_rule_are_refused_with_every_field() {
    let p = phone();
    let (producer, _) = shop(&p);
    let bad = Selling {
        pickup_place: Some("Pasar\nPagi".into()),
        courier: Some(Courier::PerKg(ZoneRates::default())),
        bank: Some(BankAccount {
            bank: "BRI".into(),
            number: "12AB".into(),
            holder: "Siti".into(),
        }),
        qris_hash: Some("not-a-hash".into()),
        cod: false,
        whatsapp: Some("12345".into()),
    };
    let err = p.sentra.set_selling(producer, &bad).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    let mut fields: Vec<&str> = err.fields().iter().map(|f| f.field).collect();
    fields.dedup();
    assert_eq!(
        fields,
        [
            "delivery_pickup",
            "delivery_courier",
            "payment_bank",
            "payment_qris",
            "contact_whatsapp"
        ]
    );
    let too_dear = Selling {
        courier: Some(Courier::Flat(10_000_001)),
        ..Selling::default()
    };
    let err = p.sentra.set_selling(producer, &too_dear).unwrap_err();
    assert_eq!(err.fields()[0].field, "delivery_courier");
    assert_eq!(p.sentra.selling(producer).unwrap(), Selling::default());
}

#[test]
fn a_courier_fee_by_zone_charges_the_volumetric_weight_and_is_in_the_total() {
    let p = phone();
    let (producer, variant) = shop(&p);
    p.sentra.set_selling(producer, &settings()).unwrap();
    // 3 × max(300 g, 30×20×5/6000 kg = 500 g) = 1.5 kg: 2 started kg. Pemalang (3327) to
    // Banyumas (3302) is within Central Java: Rp 12.000/kg.
    let order = p
        .sentra
        .create_order_choosing(
            &storefront_order(producer, variant, 3, "3302"),
            &choice("courier", "bank_transfer"),
        )
        .unwrap();
    let order = p.sentra.order(order).unwrap();
    assert_eq!(order.delivery, Some(Delivery::Courier));
    assert_eq!(order.payment, Some(Payment::BankTransfer));
    assert_eq!(order.delivery_fee, 24_000);
    assert_eq!(order.total, 3 * 85_000 + 24_000);
    // Within Pemalang itself: Rp 8.000/kg.
    let near = p
        .sentra
        .create_order_choosing(
            &storefront_order(producer, variant, 1, "3327"),
            &choice("courier", "cod"),
        )
        .unwrap();
    assert_eq!(p.sentra.order(near).unwrap().delivery_fee, 8_000);
    // Picking up costs nothing.
    let pickup = p
        .sentra
        .create_order_choosing(
            &storefront_order(producer, variant, 3, "3171"),
            &choice("pickup", "cod"),
        )
        .unwrap();
    let pickup = p.sentra.order(pickup).unwrap();
    assert_eq!((pickup.delivery_fee, pickup.total), (0, 3 * 85_000));
    // No rate outside the province: Jakarta (3171) cannot get a courier.
    let err = p
        .sentra
        .create_order_choosing(
            &storefront_order(producer, variant, 1, "3171"),
            &choice("courier", "cod"),
        )
        .unwrap_err();
    assert_eq!(err.fields()[0].field, "delivery");
}

#[test]
fn a_storefront_buyer_chooses_among_what_the_producer_offers() {
    let p = phone();
    let (producer, variant) = shop(&p);
    let order = storefront_order(producer, variant, 1, "3327");
    // No settings: an order as before, with no choice and no fee.
    let plain = p.sentra.create_order(&order).unwrap();
    let plain = p.sentra.order(plain).unwrap();
    assert_eq!(
        (plain.delivery, plain.payment, plain.delivery_fee),
        (None, None, 0)
    );
    p.sentra
        .set_selling(
            producer,
            &Selling {
                pickup_place: Some("Pasar Comal".into()),
                cod: true,
                ..Selling::default()
            },
        )
        .unwrap();
    let err = p.sentra.create_order(&order).unwrap_err();
    let fields: Vec<&str> = err.fields().iter().map(|f| f.field).collect();
    assert_eq!(fields, ["delivery", "payment"]);
    let err = p
        .sentra
        .create_order_choosing(&order, &choice("courier", "qris"))
        .unwrap_err();
    let rules: Vec<(&str, &str)> = err
        .fields()
        .iter()
        .map(|f| (f.field, f.rule.as_str()))
        .collect();
    assert_eq!(rules, [("delivery", "unknown"), ("payment", "unknown")]);
    // A facilitator's order may leave the choice open.
    let by_facilitator = NewOrder {
        channel: "facilitator".into(),
        ..order
    };
    p.sentra.create_order(&by_facilitator).unwrap();
}

#[test]
fn a_paid_mark_syncs_and_the_earliest_mark_wins_on_every_phone() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let (producer, variant) = shop(&a);
    a.sentra.set_selling(producer, &settings()).unwrap();
    let order = a
        .sentra
        .create_order_choosing(
            &storefront_order(producer, variant, 1, "3327"),
            &choice("pickup", "bank_transfer"),
        )
        .unwrap();
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    assert_eq!(
        b.sentra.order(order).unwrap().delivery,
        Some(Delivery::Pickup)
    );
    a.sentra.mark_order_paid(order).unwrap();
    let first = a.sentra.order(order).unwrap().paid_at.unwrap();
    advance(&mut relay, &[&a, &b], 2);
    b.sentra.mark_order_paid(order).unwrap();
    // Marking again changes nothing.
    let waiting = pending(&b.sentra);
    b.sentra.mark_order_paid(order).unwrap();
    assert_eq!(pending(&b.sentra), waiting);
    sync(&b.sentra, &mut relay);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    for phone in [&a, &b] {
        let o = phone.sentra.order(order).unwrap();
        assert_eq!(o.paid_at, Some(first));
        assert_eq!(o.status.as_str(), "new", "paid is beside the status");
    }
    // Accepting after the mark keeps it.
    a.sentra
        .transition_order(order, &Transition::Accept)
        .unwrap();
    assert_eq!(a.sentra.order(order).unwrap().paid_at, Some(first));
}

#[test]
fn a_cancelled_order_cannot_be_marked_paid() {
    let p = phone();
    let (producer, variant) = shop(&p);
    let order = p
        .sentra
        .create_order(&storefront_order(producer, variant, 1, "3327"))
        .unwrap();
    p.sentra
        .transition_order(
            order,
            &Transition::Cancel {
                reason: "Pembeli membatalkan".into(),
            },
        )
        .unwrap();
    let err = p.sentra.mark_order_paid(order).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidTransition);
    assert_eq!(p.sentra.order(order).unwrap().paid_at, None);
}

#[test]
fn a_qris_image_goes_through_the_photo_pipeline_and_replaces_the_last_one() {
    let p = phone();
    let (producer, _) = shop(&p);
    let first = jpeg(p.dir.path(), "qris1.jpg", 900, 1200, 10);
    let photo = p.sentra.set_qris_photo(producer, &first).unwrap();
    assert_eq!(
        p.sentra.selling(producer).unwrap().qris_hash.as_deref(),
        Some(photo.hash.as_str())
    );
    let queued: Vec<String> = p
        .sentra
        .photo_upload_queue(false)
        .unwrap()
        .into_iter()
        .map(|f| f.hash)
        .collect();
    assert!(queued.contains(&photo.hash));
    let second = jpeg(p.dir.path(), "qris2.jpg", 900, 1200, 99);
    let again = p.sentra.set_qris_photo(producer, &second).unwrap();
    assert_ne!(again.hash, photo.hash);
    let hashes: Vec<String> = p
        .sentra
        .photos(producer)
        .unwrap()
        .into_iter()
        .map(|f| f.hash)
        .collect();
    assert_eq!(hashes, [again.hash]);
}
