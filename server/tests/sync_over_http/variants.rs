//! Variants edited on two phones offline, through the real server: the same size added twice is
//! one variant with both stocks, an edit and a removal resolve by the later write, a removed
//! variant keeps its history and cannot be ordered, and a phone whose edit lost to a delete made
//! elsewhere tells its user.

use super::*;
use sentra_core::catalogue::{Product, VariantPatch};
use sentra_core::sync::notices::EDIT_LOST_TO_DELETE;

on_both_backends!(
    the_same_size_added_on_two_phones_offline_is_one_variant_with_both_stocks,
    a_removal_and_a_later_edit_on_another_phone_keep_the_variant_on_sale,
    a_removed_variant_leaves_the_storefront_and_cannot_be_ordered,
    an_edit_that_lost_to_a_delete_made_offline_elsewhere_is_a_notice_on_the_editing_phone,
);

/// A producer with two synced phones and one listed shirt in size M (stock 4).
async fn two_phones_and_a_shirt(server: &Server, phone_no: &str) -> (Phone, Phone, Id) {
    let login_name: String = phone_no.chars().filter(char::is_ascii_digit).collect();
    let mut a = unsigned_phone();
    let me = a
        .sentra
        .register_producer(&producer("Kaos Sablon Pekalongan", phone_no))
        .unwrap();
    let mut shirt = product(me, "Kaos Batik", 0);
    shirt.tiers = vec!["Ukuran".into()];
    shirt.variants = vec![NewVariant {
        options: vec!["M".into()],
        initial_stock: 4,
        ..Default::default()
    }];
    let shirt = a.sentra.create_product(&shirt).unwrap();
    account(server, phone_no, "864200", Role::Producer, Some(me)).await;
    sign_in(server, &mut a, &login_name, "864200").await;
    sync(server, &a).await;
    let b = phone(server, &login_name, "864200").await;
    sync(server, &b).await;
    (a, b, shirt)
}

fn add_size(phone: &Phone, product: Id, size: &str, stock: i64) -> Id {
    phone
        .sentra
        .add_variant(
            product,
            &NewVariant {
                options: vec![size.into()],
                initial_stock: stock,
                ..Default::default()
            },
        )
        .unwrap()
}

/// Sizes with their stock, in the order the phone shows them.
fn sizes(product: &Product) -> Vec<(String, i64)> {
    product
        .variants
        .iter()
        .map(|v| (v.options.join("/"), v.stock))
        .collect()
}

/// The storefront's product page, with its status.
async fn product_page(server: &Server, product: Id) -> (u16, String) {
    let response = Client::new()
        .get(format!("{}/p/{product}", server.url))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn the_same_size_added_on_two_phones_offline_is_one_variant_with_both_stocks(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (a, b, shirt) = two_phones_and_a_shirt(&server, "0812-1414-2525").await;

    // Offline, both phones add size L: one with 3 shirts, the other with 2 (and a lower case l).
    let on_a = add_size(&a, shirt, "L", 3);
    let on_b = add_size(&b, shirt, "l", 2);
    assert_eq!(on_a, on_b, "the same options make the same variant");
    sync(&server, &a).await;
    sync(&server, &b).await;
    sync(&server, &a).await;

    let expected = sizes(&a.sentra.product(shirt).unwrap());
    assert_eq!(expected.len(), 2, "one M and one L: {expected:?}");
    assert_eq!(expected[1].0.to_lowercase(), "l");
    assert_eq!(expected[1].1, 5, "both phones' counted stock");
    assert_eq!(sizes(&b.sentra.product(shirt).unwrap()), expected);
    for phone in [&a, &b] {
        assert!(phone.sentra.quarantined().unwrap().is_empty());
    }
    let (status, page) = product_page(&server, shirt).await;
    assert_eq!(status, 200);
    assert_eq!(
        page.matches("name=\"jumlah_").count(),
        2,
        "the storefront offers M and one L"
    );
    assert!(page.contains(&format!("name=\"jumlah_{on_a}\"")));

    // The product is not stuck: both phones can still add sizes.
    add_size(&a, shirt, "XL", 1);
    add_size(&b, shirt, "S", 1);
    sync(&server, &a).await;
    sync(&server, &b).await;
    sync(&server, &a).await;
    let all = sizes(&a.sentra.product(shirt).unwrap());
    assert_eq!(all.len(), 4, "{all:?}");
    assert_eq!(sizes(&b.sentra.product(shirt).unwrap()), all);
}

async fn a_removal_and_a_later_edit_on_another_phone_keep_the_variant_on_sale(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (a, b, shirt) = two_phones_and_a_shirt(&server, "0812-1515-2626").await;
    let large = add_size(&a, shirt, "L", 3);
    sync(&server, &a).await;
    sync(&server, &b).await;

    // Offline, A takes L off sale; a moment later B changes its price.
    a.sentra.remove_variant(large).unwrap();
    assert_eq!(a.sentra.product(shirt).unwrap().variants.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    b.sentra
        .edit_variant(
            large,
            &VariantPatch {
                price: Some(Some(95_000)),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &a).await;
    sync(&server, &b).await;
    sync(&server, &a).await;

    for phone in [&a, &b] {
        let product = phone.sentra.product(shirt).unwrap();
        let l = product.variants.iter().find(|v| v.id == large);
        assert_eq!(
            l.map(|v| (v.price, v.stock)),
            Some((Some(95_000), 3)),
            "the later edit puts L back on sale, with its stock"
        );
    }

    // Removed later than any edit, it stays removed everywhere.
    b.sentra.remove_variant(large).unwrap();
    sync(&server, &b).await;
    sync(&server, &a).await;
    for phone in [&a, &b] {
        assert_eq!(sizes(&phone.sentra.product(shirt).unwrap()).len(), 1);
    }
    // The last size cannot be removed: a product keeps one variant.
    let m = a.sentra.product(shirt).unwrap().variants[0].id;
    let err = a.sentra.remove_variant(m).unwrap_err();
    assert_eq!(err.code(), sentra_core::ErrorCode::Validation);
    // Adding L again brings it back, with its stock history.
    let again = add_size(&a, shirt, "L", 1);
    assert_eq!(again, large);
    sync(&server, &a).await;
    sync(&server, &b).await;
    let back = b.sentra.product(shirt).unwrap();
    assert_eq!(sizes(&back), vec![("M".into(), 4), ("L".into(), 4)]);
}

async fn a_removed_variant_leaves_the_storefront_and_cannot_be_ordered(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (a, _b, shirt) = two_phones_and_a_shirt(&server, "0812-1616-2727").await;
    let large = add_size(&a, shirt, "XXL", 3);
    sync(&server, &a).await;
    let (_, page) = product_page(&server, shirt).await;
    assert!(page.contains("XXL"), "the storefront offers XXL");

    a.sentra.remove_variant(large).unwrap();
    sync(&server, &a).await;
    let (status, page) = product_page(&server, shirt).await;
    assert_eq!(status, 200);
    assert!(!page.contains("XXL"), "a removed size is not offered");
    let order = serde_json::json!({
        "producer_id": a.sentra.product(shirt).unwrap().producer_id,
        "buyer": {
            "name": "Bu Sari",
            "phone": "0813-2222-3333",
            "regency_code": "3375",
            "address": "Jl. Hayam Wuruk 3, Pekalongan"
        },
        "lines": [{ "variant_id": large, "quantity": 1 }],
        "key": "removed-size-order"
    });
    let response = Client::new()
        .post(format!("{}/v1/orders", server.url))
        .json(&order)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("variant_id"),
        "refused for its variant: {body}"
    );
    // Its stock history stays on the phone that removed it.
    assert!(a.sentra.product_of_variant(large).is_ok());
}

async fn an_edit_that_lost_to_a_delete_made_offline_elsewhere_is_a_notice_on_the_editing_phone(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (a, b, shirt) = two_phones_and_a_shirt(&server, "0812-1717-2828").await;

    // Both offline: A deletes the shirt; a moment later B, not knowing, renames it.
    a.sentra.delete_product(shirt).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    b.sentra
        .edit_product(
            shirt,
            &ProductPatch {
                name: Some("Kaos Batik Lengan Panjang".into()),
                ..Default::default()
            },
        )
        .unwrap();
    // Either order of sync: here the editor syncs first, so the server holds the edit until the
    // delete arrives.
    sync(&server, &b).await;
    sync(&server, &a).await;
    sync(&server, &b).await;

    for phone in [&a, &b] {
        assert!(phone.sentra.product(shirt).is_err(), "the delete wins");
    }
    let notices = b.sentra.notices().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].kind, EDIT_LOST_TO_DELETE);
    assert_eq!(notices[0].entity_id, shirt);
    assert_eq!(notices[0].name, "Kaos Batik Lengan Panjang");
    assert_eq!(b.sentra.sync_status().unwrap().notices, 1);
    assert!(
        a.sentra.notices().unwrap().is_empty(),
        "the phone that deleted lost nothing"
    );
    b.sentra.dismiss_notice(notices[0].id).unwrap();
    assert!(b.sentra.notices().unwrap().is_empty());

    // A delete made after the phone's edit was seen is no loss: no notice.
    let (c, d, other) = two_phones_and_a_shirt(&server, "0812-1818-2929").await;
    d.sentra
        .edit_product(
            other,
            &ProductPatch {
                price: Some(70_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &d).await;
    sync(&server, &c).await;
    c.sentra.delete_product(other).unwrap();
    sync(&server, &c).await;
    sync(&server, &d).await;
    assert!(d.sentra.product(other).is_err());
    assert!(d.sentra.notices().unwrap().is_empty(), "D's edit was seen");
}
