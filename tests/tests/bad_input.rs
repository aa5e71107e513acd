//! The device's half of the bad-input catalogue, through the public API as an app calls it:
//! numbers out of range are refused with a field-level validation error and change nothing;
//! SQL metacharacters, HTML and control characters are kept as text; a photo path that is not
//! an image is refused; and a pulled change the device cannot store (sent by a buggy or hostile
//! app) is skipped without wedging the pull. The server's half is in
//! `server/tests/bad_input/`; photo bombs and truncated images in `core/src/photos/tests/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

use sentra_core::catalogue::ProductPatch;
use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine};
use sentra_core::sales::NewSale;
use sentra_core::sync::wire::{Change, PullResponse};
use sentra_core::{ErrorCode, Hlc, Id, MAX_QUANTITY, MAX_RUPIAH, Sentra};
use serde_json::json;

fn open() -> (Sentra, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let sentra = Sentra::open(&dir.path().join("sentra.db")).unwrap();
    (sentra, dir)
}

fn outbox_len(sentra: &Sentra) -> usize {
    sentra.outbox(0, 1_000_000).unwrap().len()
}

/// Asserts a validation error naming `field`, and that nothing was written.
fn refused<T: std::fmt::Debug>(
    sentra: &Sentra,
    before: usize,
    result: sentra_core::Result<T>,
    field: &str,
) {
    let err = result.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert!(
        err.fields().iter().any(|f| f.field.contains(field)),
        "{field} not named in {:?}",
        err.fields()
    );
    assert_eq!(outbox_len(sentra), before, "a refusal writes nothing");
}

#[test]
fn numbers_out_of_range_are_refused_field_by_field_and_change_nothing() {
    let (sentra, _dir) = open();
    let producer = sentra
        .register_producer(&sentra_tests::rowosari_jeans_maker())
        .unwrap();
    let jeans = sentra_tests::jeans(&producer.to_string());
    let product = sentra.create_product(&jeans).unwrap();
    let variant = sentra.product(product).unwrap().variants[0].id;
    let before = outbox_len(&sentra);

    for price in [-1, MAX_RUPIAH + 1, i64::MIN, i64::MAX] {
        let mut input = jeans.clone();
        input.price = price;
        refused(&sentra, before, sentra.create_product(&input), "price");
        let patch = ProductPatch {
            price: Some(price),
            ..Default::default()
        };
        refused(
            &sentra,
            before,
            sentra.edit_product(product, &patch),
            "price",
        );
    }
    for weight in [-1, i64::MIN] {
        let mut input = jeans.clone();
        input.weight_g = weight;
        refused(&sentra, before, sentra.create_product(&input), "weight");
    }
    let mut input = jeans.clone();
    input.variants[0].initial_stock = -5;
    refused(&sentra, before, sentra.create_product(&input), "stock");
    for quantity in [0, -1, MAX_QUANTITY + 1, i64::MIN, i64::MAX] {
        let sale = NewSale {
            variant_id: variant.to_string(),
            quantity,
            unit_price: None,
            channel: "market_stall".into(),
            sold_on: "2026-11-22".into(),
        };
        refused(&sentra, before, sentra.record_sale(&sale), "quantity");
        let order = NewOrder {
            producer_id: producer.to_string(),
            channel: "facilitator".into(),
            buyer: Buyer {
                name: "Toko Seragam".into(),
                phone: "0281635123".into(),
                regency_code: "3302".into(),
                address: "Purwokerto".into(),
            },
            note: String::new(),
            lines: vec![NewOrderLine {
                variant_id: variant.to_string(),
                quantity,
            }],
            ..Default::default()
        };
        refused(&sentra, before, sentra.create_order(&order), "quantity");
    }
    for quantity in [0, -1, i64::MIN, i64::MAX] {
        assert_eq!(
            sentra.restock(variant, quantity).unwrap_err().code(),
            ErrorCode::Validation,
            "restock {quantity}"
        );
    }
    for delta in [i64::MIN, i64::MAX] {
        assert_eq!(
            sentra.adjust_stock(variant, delta).unwrap_err().code(),
            ErrorCode::Validation,
            "adjust {delta}"
        );
    }
    assert_eq!(outbox_len(&sentra), before);
    let stock = sentra.product(product).unwrap().variants[0].stock;
    assert_eq!(stock, sentra.recount_stock(variant).unwrap());
}

#[test]
fn sql_metacharacters_html_and_control_characters_are_kept_as_text() {
    let (sentra, _dir) = open();
    let producer = sentra
        .register_producer(&sentra_tests::rowosari_jeans_maker())
        .unwrap();
    let texts = [
        "Robert'); DROP TABLE products; --",
        "\" OR 1=1; SELECT * FROM outbox; --",
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "50% diskon_ \\ ; /* */",
        "Kain tenun \u{202e}terbalik\u{200b}",
    ];
    for text in texts {
        let mut input = sentra_tests::jeans(&producer.to_string());
        input.name = format!("Jeans {text}");
        input.description = text.to_owned();
        let product = sentra.create_product(&input).unwrap();
        let stored = sentra.product(product).unwrap();
        assert_eq!(stored.name, format!("Jeans {text}"));
        assert_eq!(stored.description, text);
    }
    // Search takes any text as words: no SQL, no query-language error.
    for search in texts.iter().copied().chain([
        "\"", "*", "NEAR(", "AND", "OR NOT", "'", "%", "^", ":", "-", "()",
    ]) {
        let found = sentra
            .list_products(&ProductQuery {
                search: Some(search.to_owned()),
                limit: 50,
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("search {search:?}: {e}"));
        assert!(found.len() <= texts.len());
    }
    sentra.check_integrity().unwrap();
}

#[test]
fn a_photo_path_that_is_not_an_image_or_escapes_is_refused_without_a_trace() {
    let (sentra, dir) = open();
    let producer = sentra
        .register_producer(&sentra_tests::rowosari_jeans_maker())
        .unwrap();
    let product = sentra
        .create_product(&sentra_tests::jeans(&producer.to_string()))
        .unwrap();
    let before = outbox_len(&sentra);
    let not_an_image = dir.path().join("catatan.jpg");
    std::fs::write(&not_an_image, b"bukan gambar").unwrap();
    for path in [
        not_an_image,
        dir.path().join("../../../../etc/passwd"),
        dir.path().join("tidak-ada.jpg"),
        dir.path().to_path_buf(),
    ] {
        assert!(
            sentra.add_photo(product, &path).is_err(),
            "{}",
            path.display()
        );
    }
    assert_eq!(outbox_len(&sentra), before);
    assert!(sentra.photos(product).unwrap().is_empty());
    for hash in ["../sentra.db", "..", "/etc/passwd", &"A".repeat(64)] {
        assert_eq!(sentra.photo_path(hash).ok().flatten(), None, "{hash}");
    }
}

/// A phone that registered a producer and listed jeans: the phone, its folder, the product,
/// and the changes it would push (what an honest server would send other phones).
fn an_honest_shop() -> (Sentra, tempfile::TempDir, Id, Vec<Change>) {
    let (source, dir) = open();
    let producer = source
        .register_producer(&sentra_tests::rowosari_jeans_maker())
        .unwrap();
    let product = source
        .create_product(&sentra_tests::jeans(&producer.to_string()))
        .unwrap();
    let good: Vec<Change> = source
        .sync_push_batch(1 << 20)
        .unwrap()
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.change)
        .collect();
    (source, dir, product, good)
}

fn stamped(entity: &str, id: Id, op: &str, fields: serde_json::Value) -> Change {
    Change {
        entity: entity.into(),
        id,
        op: op.into(),
        fields: fields.as_object().cloned().unwrap(),
        hlc: Hlc {
            millis: 1_795_309_200_000,
            counter: 0,
            node: 99,
        },
    }
}

#[test]
fn a_pulled_change_the_device_cannot_store_is_skipped_and_the_pull_goes_on() {
    let (source, _a, product, good) = an_honest_shop();

    let (device, _b) = open();
    let mut changes = vec![
        // Creates missing their fields, values of the wrong type, a reference to nothing.
        stamped("product", Id::new(), "create", json!({"name": "<script>"})),
        stamped(
            "producer",
            Id::new(),
            "create",
            json!({"workforce": "banyak"}),
        ),
        stamped(
            "variant",
            Id::new(),
            "create",
            json!({"product_id": "bukan-id"}),
        ),
        stamped("order", Id::new(), "create", json!({"lines": 7})),
    ];
    changes.extend(good);
    changes.push(stamped(
        "sale",
        Id::new(),
        "append",
        json!({"variant_id": Id::new().to_string(), "quantity": "'; DROP TABLE sales; --"}),
    ));
    // The good changes carry the source phone's real clock, so the server's time is now.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let page = PullResponse {
        server_time_ms: now,
        changes,
        next_cursor: "42".into(),
        more: false,
        reset: false,
        scope: None,
    };
    device.sync_apply_pull(&page).unwrap();
    assert_eq!(
        device.sync_pull_request(1024).unwrap().cursor.as_deref(),
        Some("42"),
        "the cursor moved past the bad changes"
    );
    let copy = device.product(product).unwrap();
    assert_eq!(copy, source.product(product).unwrap());
    assert_eq!(
        device
            .list_products(&ProductQuery {
                limit: 50,
                ..Default::default()
            })
            .unwrap()
            .len(),
        1,
        "only the well-formed product is there"
    );
    device.check_integrity().unwrap();
}

/// What the server refuses, a phone refuses too: a pulled page (from a server that did not
/// check, or an older feed) carrying a variant slipped into another product's id range "at
/// Rp 1", a product moved to another producer, a negative price and a restock of 2^63−1 changes
/// nothing, and the honest changes around them still apply.
#[test]
fn a_pulled_change_outside_the_rules_is_never_merged_even_if_the_server_sent_it() {
    let (source, _a, product, good) = an_honest_shop();
    let variant = source.product(product).unwrap().variants[0].id;
    let later = |entity: &str, id: Id, op: &str, fields: serde_json::Value| {
        let mut change = stamped(entity, id, op, fields);
        // Newer than every honest change, so each would win its merge if it were taken.
        change.hlc.millis = now_ms() + 60_000;
        change
    };
    let other_product = Id::new();
    let mut changes = good;
    changes.extend([
        later(
            "variant",
            Id::child(product),
            "create",
            json!({"product_id": other_product.to_string(), "position": 9, "sku": "MURAH",
                   "option1": "Rp 1", "option2": null, "price": 1}),
        ),
        later(
            "product",
            product,
            "update",
            json!({"producer_id": Id::new().to_string()}),
        ),
        later("product", product, "update", json!({"price": -5000})),
        later(
            "stock_movement",
            Id::new(),
            "append",
            json!({"variant_id": variant.to_string(), "kind": "restock", "delta": i64::MAX,
                   "ref_id": null, "at": now_ms()}),
        ),
    ]);
    let (device, _b) = open();
    device
        .sync_apply_pull(&PullResponse {
            server_time_ms: now_ms(),
            changes,
            next_cursor: "7".into(),
            more: false,
            reset: false,
            scope: None,
        })
        .unwrap();
    assert_eq!(
        device.product(product).unwrap(),
        source.product(product).unwrap(),
        "the product is exactly the honest one: its variants, price, producer and stock"
    );
    device.check_integrity().unwrap();
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}
