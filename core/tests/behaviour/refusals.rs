//! What a producer does about a change the server refused: see it, fix it and send it again, or
//! let it go and take the server's state.

use super::relay::{Relay, sync};
use super::*;
use sentra_core::catalogue::ProductPatch;
use sentra_core::sales::NewSale;

fn price(p: i64) -> ProductPatch {
    ProductPatch {
        price: Some(p),
        ..Default::default()
    }
}

#[test]
fn a_refused_product_is_marked_then_fixed_and_sent_again_with_its_current_values() {
    let (a, mut relay) = (
        phone(),
        Relay {
            reject_entity: Some("product"),
            ..Default::default()
        },
    );
    let producer = with_producer(&a);
    let product = a
        .sentra
        .create_product(&product_input(producer, "Kaos", &[("M", "Hitam", 3)]))
        .unwrap();
    sync(&a.sentra, &mut relay);
    assert_eq!(a.sentra.refused_products().unwrap(), vec![product]);
    let refused = a.sentra.quarantined().unwrap();
    assert_eq!(refused.len(), 1);

    a.sentra.edit_product(product, &price(90_000)).unwrap();
    relay.reject_entity = None;
    a.sentra.resend_refused(refused[0].seq).unwrap();
    assert!(a.sentra.quarantined().unwrap().is_empty());
    assert!(a.sentra.refused_products().unwrap().is_empty());
    sync(&a.sentra, &mut relay);
    let sent: Vec<_> = relay
        .feed
        .iter()
        .filter(|c| c.entity == "product")
        .collect();
    assert_eq!(sent.len(), 1, "one create, carrying the fix");
    assert_eq!(sent[0].op, "create");
    assert_eq!(sent[0].fields["price"], 90_000);

    let b = phone();
    sync(&b.sentra, &mut relay);
    assert_eq!(b.sentra.product(product).unwrap().price, 90_000);
    assert_eq!(b.sentra.product(product).unwrap().variants.len(), 1);
    assert_eq!(
        a.sentra.resend_refused(refused[0].seq).unwrap_err().code(),
        sentra_core::ErrorCode::NotFound
    );
}

#[test]
fn a_refused_edit_is_discarded_and_the_servers_copy_comes_back() {
    let (a, mut relay) = (phone(), Relay::default());
    let producer = with_producer(&a);
    let product = a
        .sentra
        .create_product(&product_input(producer, "Kaos", &[("M", "Hitam", 3)]))
        .unwrap();
    sync(&a.sentra, &mut relay);
    relay.reject_entity = Some("product");
    a.sentra.edit_product(product, &price(1_000)).unwrap();
    sync(&a.sentra, &mut relay);
    relay.reject_entity = None;
    let refused = a.sentra.quarantined().unwrap();
    assert!(
        a.sentra.discard_refused(refused[0].seq).unwrap(),
        "pulls again"
    );
    assert!(a.sentra.quarantined().unwrap().is_empty());
    sync(&a.sentra, &mut relay);
    let back = a.sentra.product(product).unwrap();
    assert_eq!(back.price, 85_000, "the server's price");
    assert_eq!(back.variants.len(), 1);
    assert_eq!(back.variants[0].stock, 3);
}

#[test]
fn a_refused_sale_is_discarded_and_its_stock_comes_back_on_this_phone() {
    let (a, mut relay) = (
        phone(),
        Relay {
            reject_entity: Some("sale"),
            ..Default::default()
        },
    );
    let producer = with_producer(&a);
    let product = a
        .sentra
        .create_product(&product_input(producer, "Kaos", &[("M", "Hitam", 3)]))
        .unwrap();
    let variant = a.sentra.product(product).unwrap().variants[0].id;
    a.sentra
        .record_sale(&NewSale {
            variant_id: variant.to_string(),
            quantity: 2,
            unit_price: None,
            channel: "reseller".into(),
            sold_on: "2026-11-22".into(),
        })
        .unwrap();
    sync(&a.sentra, &mut relay);
    let refused = a.sentra.quarantined().unwrap();
    assert_eq!(refused[0].entity, "sale");
    assert!(!a.sentra.discard_refused(refused[0].seq).unwrap());
    assert!(
        a.sentra
            .sales_history("2026-11-01", "2026-11-30", 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(a.sentra.product(product).unwrap().variants[0].stock, 3);
    assert_eq!(a.sentra.recount_stock(variant).unwrap(), 3);
}
