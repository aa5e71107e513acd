//! The device side of sync, through an in-process relay that plays the server's part of the
//! protocol: it records pushed entries once per (device, sequence), and serves them back in
//! order, paged by bytes. Every phone applies what it pulls with the merge rules, so the tests
//! check that phones converge whatever order they sync in.

use super::relay::{Relay, advance, pull_all, sync};
use super::*;
use sentra_core::catalogue::ProductPatch;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, OrderStatus, Transition};
use sentra_core::sales::NewSale;
use sentra_core::sync::wire::Outcome;

fn shared_product(a: &Phone, b: &Phone, relay: &mut Relay) -> Id {
    let producer = with_producer(a);
    let product = a
        .sentra
        .create_product(&product_input(producer, "Kaos", &[("M", "Hitam", 1)]))
        .unwrap();
    sync(&a.sentra, relay);
    sync(&b.sentra, relay);
    assert_eq!(
        b.sentra.product(product).unwrap(),
        a.sentra.product(product).unwrap()
    );
    product
}

#[test]
fn edits_to_different_fields_on_two_phones_both_survive() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    a.sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(90_000),
                ..Default::default()
            },
        )
        .unwrap();
    advance(&mut relay, &[&a, &b], 1);
    b.sentra
        .edit_product(
            product,
            &ProductPatch {
                name: Some("Kaos Sablon".into()),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&b.sentra, &mut relay);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    for phone in [&a, &b] {
        let p = phone.sentra.product(product).unwrap();
        assert_eq!((p.name.as_str(), p.price), ("Kaos Sablon", 90_000));
    }
}

#[test]
fn the_later_edit_of_one_field_wins_on_every_phone_whatever_the_sync_order() {
    for a_syncs_first in [true, false] {
        let (a, b, mut relay) = (phone(), phone(), Relay::default());
        let product = shared_product(&a, &b, &mut relay);
        a.sentra
            .edit_product(
                product,
                &ProductPatch {
                    price: Some(70_000),
                    ..Default::default()
                },
            )
            .unwrap();
        advance(&mut relay, &[&a, &b], 2);
        b.sentra
            .edit_product(
                product,
                &ProductPatch {
                    price: Some(99_000),
                    ..Default::default()
                },
            )
            .unwrap();
        let (first, second) = if a_syncs_first { (&a, &b) } else { (&b, &a) };
        sync(&first.sentra, &mut relay);
        sync(&second.sentra, &mut relay);
        sync(&first.sentra, &mut relay);
        assert_eq!(a.sentra.product(product).unwrap().price, 99_000);
        assert_eq!(b.sentra.product(product).unwrap().price, 99_000);
    }
}

#[test]
fn two_offline_sales_of_the_last_item_on_two_phones_both_count_and_flag_oversell() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    let variant = a.sentra.product(product).unwrap().variants[0].id;
    for (phone, channel) in [(&a, "market_stall"), (&b, "exhibition")] {
        phone
            .sentra
            .record_sale(&NewSale {
                variant_id: variant.to_string(),
                quantity: 1,
                unit_price: None,
                channel: channel.into(),
                sold_on: "2026-11-22".into(),
            })
            .unwrap();
    }
    for _ in 0..2 {
        sync(&a.sentra, &mut relay);
        sync(&b.sentra, &mut relay);
    }
    for phone in [&a, &b] {
        let v = &phone.sentra.product(product).unwrap().variants[0];
        assert_eq!((v.stock, v.oversold), (-1, true));
        assert_eq!(phone.sentra.recount_stock(variant).unwrap(), -1);
        assert_eq!(
            phone
                .sentra
                .sales("2026-11-22", "2026-11-22", 10)
                .unwrap()
                .len(),
            2
        );
    }
}

/// A facilitator's order for `quantity` of `variant`, taken on `phone`.
fn order_of(phone: &Phone, producer: Id, variant: Id, quantity: i64) -> Id {
    phone
        .sentra
        .create_order(&NewOrder {
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
            request_key: String::new(),
        })
        .unwrap()
}

#[test]
fn an_order_rejected_accepted_and_cancelled_on_three_phones_ends_the_same_everywhere() {
    // Found by the 10,000-case convergence run: which status won depended on the order the
    // transitions arrived in, so two phones settled on different ones.
    let (a, b, c, d, mut relay) = (phone(), phone(), phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    let variant = a.sentra.product(product).unwrap().variants[0].id;
    a.sentra.restock(variant, 9).unwrap();
    let producer = a.sentra.product(product).unwrap().producer_id;
    let order = order_of(&a, producer, variant, 2);
    let everyone = [&a, &b, &c, &d];
    for p in everyone {
        sync(&p.sentra, &mut relay);
    }
    // Offline, A rejects it, B accepts it and C accepts then cancels it; D only watches.
    a.sentra
        .transition_order(
            order,
            &Transition::Reject {
                reason: "stok habis".into(),
            },
        )
        .unwrap();
    b.sentra
        .transition_order(order, &Transition::Accept)
        .unwrap();
    c.sentra
        .transition_order(order, &Transition::Accept)
        .unwrap();
    c.sentra
        .transition_order(
            order,
            &Transition::Cancel {
                reason: "batal".into(),
            },
        )
        .unwrap();
    // The relay's feed holds C's steps, then A's, then B's; D hears them in that order, and C
    // hears A's and B's on top of its own.
    for p in [&c, &a, &b, &d] {
        sync(&p.sentra, &mut relay);
    }
    for p in everyone {
        sync(&p.sentra, &mut relay);
    }
    let statuses: Vec<_> = everyone
        .iter()
        .map(|p| p.sentra.order(order).unwrap().status)
        .collect();
    assert_eq!(statuses, vec![OrderStatus::Cancelled; 4]);
    for p in everyone {
        assert_eq!(
            p.sentra.recount_stock(variant).unwrap(),
            a.sentra.recount_stock(variant).unwrap()
        );
    }
}

#[test]
fn an_order_moved_on_two_phones_ends_at_the_furthest_status_and_holds_stock_once() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    let variant = a.sentra.product(product).unwrap().variants[0].id;
    a.sentra.restock(variant, 9).unwrap();
    let producer = a.sentra.product(product).unwrap().producer_id;
    let order = order_of(&a, producer, variant, 4);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    // Both phones accept it offline; then one ships it and the other, not knowing, cancels.
    a.sentra
        .transition_order(order, &Transition::Accept)
        .unwrap();
    b.sentra
        .transition_order(order, &Transition::Accept)
        .unwrap();
    a.sentra
        .transition_order(
            order,
            &Transition::Ship {
                courier: "JNE".into(),
                tracking_no: "JN1".into(),
            },
        )
        .unwrap();
    b.sentra
        .transition_order(
            order,
            &Transition::Cancel {
                reason: "salah input".into(),
            },
        )
        .unwrap();
    for _ in 0..2 {
        sync(&b.sentra, &mut relay);
        sync(&a.sentra, &mut relay);
    }
    let (on_a, on_b) = (
        a.sentra.order(order).unwrap(),
        b.sentra.order(order).unwrap(),
    );
    assert_eq!(on_a.status, OrderStatus::Shipped);
    assert_eq!(on_b.status, OrderStatus::Shipped);
    assert_eq!(on_b.tracking_no.as_deref(), Some("JN1"));
    // The hold was made on both phones but has one id: counted once. B's cancel released it,
    // and that release (also one id) counts too: the stock equals the movements everywhere.
    assert_eq!(
        a.sentra.recount_stock(variant).unwrap(),
        b.sentra.recount_stock(variant).unwrap()
    );
    assert_eq!(
        a.sentra.product(product).unwrap().variants[0].stock,
        a.sentra.recount_stock(variant).unwrap()
    );
}

#[test]
fn a_resent_batch_and_a_repeated_page_change_nothing() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    a.sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(1_000),
                ..Default::default()
            },
        )
        .unwrap();
    let batch = a.sentra.sync_push_batch(4_096).unwrap().unwrap();
    let first = relay.push(&batch);
    // The response was lost: the phone sends the same batch again.
    let again = relay.push(&batch);
    assert!(
        again
            .results
            .iter()
            .all(|r| r.outcome == Outcome::Duplicate)
    );
    assert_eq!(relay.feed.len(), relay.seen.len(), "applied once");
    a.sentra.sync_settle_push(&again).unwrap();
    a.sentra.sync_settle_push(&first).unwrap();
    assert!(a.sentra.sync_push_batch(4_096).unwrap().is_none());
    let page = relay.pull(&b.sentra.sync_pull_request(1 << 20).unwrap());
    assert!(b.sentra.sync_apply_pull(&page).unwrap() > 0);
    let before = b.sentra.product(product).unwrap();
    assert_eq!(
        b.sentra.sync_apply_pull(&page).unwrap(),
        0,
        "the same page twice"
    );
    assert_eq!(b.sentra.product(product).unwrap(), before);
    assert_eq!(before.price, 1_000);
}

#[test]
fn a_rejected_entry_is_quarantined_with_its_reason_and_the_queue_goes_on() {
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
            quantity: 1,
            unit_price: None,
            channel: "reseller".into(),
            sold_on: "2026-11-22".into(),
        })
        .unwrap();
    a.sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(5_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&a.sentra, &mut relay);
    assert!(
        a.sentra.sync_push_batch(1 << 20).unwrap().is_none(),
        "nothing wedged"
    );
    let held = a.sentra.quarantined().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].entity.as_str(), held[0].code.as_str()),
        ("sale", "forbidden")
    );
    assert!(
        relay
            .feed
            .iter()
            .any(|c| c.entity == "product" && c.op == "update"),
        "later entries went"
    );
}

#[test]
fn a_phone_six_months_ahead_does_not_win_with_edits_made_before_it_synced() {
    let six_months = 182 * 24 * 3_600_000_i64;
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    a.clock.set(relay.now + six_months);
    a.sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(11_000),
                ..Default::default()
            },
        )
        .unwrap();
    advance(&mut relay, &[&a, &b], 1);
    b.sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(22_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&b.sentra, &mut relay);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    assert_eq!(
        a.sentra.product(product).unwrap().price,
        22_000,
        "the truly later edit wins"
    );
    assert_eq!(b.sentra.product(product).unwrap().price, 22_000);
}

#[test]
fn a_phone_six_months_behind_still_wins_with_its_truly_later_edit() {
    let six_months = 182 * 24 * 3_600_000_i64;
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    advance(&mut relay, &[&a, &b], 1);
    b.sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(22_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&b.sentra, &mut relay);
    advance(&mut relay, &[&a, &b], 1);
    a.clock.set(relay.now - six_months);
    a.sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(33_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    assert_eq!(a.sentra.product(product).unwrap().price, 33_000);
    assert_eq!(b.sentra.product(product).unwrap().price, 33_000);
}

/// A push whose answer is lost leaves its entries pending, but the relay holds them with the
/// stamps they left with. When the phone then learns the true time, the correction must not move
/// them: the resent batch is a duplicate, so a moved stamp would live on this phone alone, and an
/// edit from another phone between the two stamps would lose here and win everywhere else.
#[test]
fn entries_that_left_the_phone_keep_their_stamps_when_its_date_is_set_right() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    let price = |price| ProductPatch {
        price: Some(price),
        ..Default::default()
    };
    advance(&mut relay, &[&a, &b], 1);
    b.sentra.edit_product(product, &price(82_000)).unwrap();
    sync(&b.sentra, &mut relay);
    advance(&mut relay, &[&a, &b], 1);
    // A's date is two days behind: its edit is stamped just after the last stamp it saw.
    a.clock.set(relay.now - 2 * 24 * 3_600_000);
    a.sentra.edit_product(product, &price(51_000)).unwrap();
    let batch = a.sentra.sync_push_batch(4_096).unwrap().unwrap();
    relay.push(&batch); // the answer is lost on the way back
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    assert!(a.sentra.sync_push_batch(4_096).unwrap().is_none());
    let on_a = a.sentra.product(product).unwrap();
    assert_eq!(
        on_a,
        b.sentra.product(product).unwrap(),
        "one price everywhere"
    );
    assert_eq!(
        on_a.price, 82_000,
        "the relay holds A's edit with the stamp it left with, before B's"
    );
}

/// The node a phone's clock breaks ties with: the last eight bytes of its device id.
fn node(p: &Phone) -> u64 {
    let id = p.sentra.device_id();
    u64::from_be_bytes(id.as_bytes()[8..].try_into().unwrap())
}

/// A phone whose date was wrong registers a producer, and another phone, whose date then goes
/// wrong, edits it: both are set right within the same millisecond, the registration and the
/// edit each moved to it. The edit must still come after the registration by millisecond and
/// counter, not by device alone: a row keeps its creation clock without its device, so an edit
/// tied with it there would lose on every replica but the editor's.
#[test]
fn an_edit_moved_by_a_clock_correction_stays_after_the_creation_it_edits() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    // The edit is made on the phone whose device would win a tie: the case that diverged.
    let (maker, editor) = if node(&a) < node(&b) { (a, b) } else { (b, a) };
    sync(&editor.sentra, &mut relay);
    let two_days = 2 * 24 * 3_600_000;
    maker.clock.set(relay.now - two_days);
    let producer = with_producer(&maker);
    sync(&maker.sentra, &mut relay);
    sync(&editor.sentra, &mut relay);
    editor.clock.set(relay.now - two_days);
    let address = sentra_core::producers::ProducerPatch {
        address: Some("Jl. Pasar Wage No. 3".into()),
        ..Default::default()
    };
    editor.sentra.edit_producer(producer, &address).unwrap();
    sync(&editor.sentra, &mut relay);
    sync(&maker.sentra, &mut relay);
    for phone in [&maker, &editor] {
        let seen = phone.sentra.producer(producer).unwrap();
        assert_eq!(seen.address, "Jl. Pasar Wage No. 3");
    }
}

/// A correction may move one pending entry onto the stamp a later one carries (the first is put
/// after what the phone has seen, which the second was stamped just after), and then move the
/// later one on. Moving it must move only its own fields' clocks: dragging the first entry's
/// field along left that field, on this phone alone, later than the stamp the server holds, so
/// another phone's edit between the two won everywhere but here.
#[test]
fn moving_a_pending_entry_moves_only_the_clocks_of_its_own_fields() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    // The other phone edits with the same millisecond and counter: it must be the one whose
    // device wins that tie.
    let (mine, other) = if node(&a) < node(&b) { (a, b) } else { (b, a) };
    let producer = with_producer(&mine);
    sync(&mine.sentra, &mut relay);
    sync(&other.sentra, &mut relay);
    let patch =
        |name: Option<&str>, workforce: Option<i64>| sentra_core::producers::ProducerPatch {
            owner_name: name.map(Into::into),
            workforce,
            ..Default::default()
        };
    let sixty_days = 60 * 24 * 3_600_000;
    // My date goes wrong for one edit, and is set right.
    mine.clock.set(relay.now - sixty_days);
    mine.sentra
        .edit_producer(producer, &patch(Some("Ibu Siti"), None))
        .unwrap();
    mine.clock.set(relay.now);
    // The other phone edits twice; I pull (my date is right: nothing to correct) and see it.
    for workforce in [15, 16] {
        other
            .sentra
            .edit_producer(producer, &patch(None, Some(workforce)))
            .unwrap();
    }
    sync(&other.sentra, &mut relay);
    pull_all(&mine.sentra, &relay);
    // My date goes wrong again for a second edit, and I sync before it is set right.
    mine.clock.set(relay.now - sixty_days);
    mine.sentra
        .edit_producer(producer, &patch(None, Some(20)))
        .unwrap();
    sync(&mine.sentra, &mut relay);
    // The other phone, not having pulled, renames the owner in the same millisecond.
    other
        .sentra
        .edit_producer(producer, &patch(Some("Ibu Aminah"), None))
        .unwrap();
    sync(&other.sentra, &mut relay);
    sync(&mine.sentra, &mut relay);
    let (on_mine, on_other) = (
        mine.sentra.producer(producer).unwrap(),
        other.sentra.producer(producer).unwrap(),
    );
    assert_eq!(on_mine, on_other, "one producer everywhere");
    assert_eq!(on_mine.workforce, 20);
}

#[test]
fn a_delete_on_one_phone_beats_an_edit_on_another() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let product = shared_product(&a, &b, &mut relay);
    a.sentra.delete_product(product).unwrap();
    advance(&mut relay, &[&a, &b], 1);
    b.sentra
        .edit_product(
            product,
            &ProductPatch {
                price: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&b.sentra, &mut relay);
    sync(&a.sentra, &mut relay);
    sync(&b.sentra, &mut relay);
    for phone in [&a, &b] {
        assert_eq!(
            phone.sentra.product(product).unwrap_err().code(),
            sentra_core::ErrorCode::NotFound
        );
    }
}

#[test]
fn a_fresh_phone_pulls_a_whole_catalogue_in_byte_sized_pages() {
    let (a, b, mut relay) = (phone(), phone(), Relay::default());
    let producer = with_producer(&a);
    for i in 0..60 {
        a.sentra
            .create_product(&product_input(
                producer,
                &format!("Kaos {i}"),
                &[("M", "Hitam", i)],
            ))
            .unwrap();
    }
    sync(&a.sentra, &mut relay);
    assert!(relay.pushes > 1, "pushes are cut by bytes");
    let mut pages = 0;
    loop {
        let page = relay.pull(&b.sentra.sync_pull_request(2_048).unwrap());
        b.sentra.sync_apply_pull(&page).unwrap();
        pages += 1;
        if !page.more {
            break;
        }
    }
    assert!(pages > 1);
    let query = sentra_core::catalogue::listing::ProductQuery {
        limit: 100,
        ..Default::default()
    };
    let on_a = a.sentra.list_products(&query).unwrap();
    let on_b = b.sentra.list_products(&query).unwrap();
    assert_eq!(on_a, on_b);
    assert_eq!(on_b.len(), 60);
}

/// The same size added on two phones offline is one variant (its id comes from its options),
/// and its fields come out the same on both phones whichever syncs first, even when both phones'
/// clocks read the same instant when they added it (the creation clock keeps no device to break
/// that tie).
#[test]
fn the_same_size_added_on_two_phones_at_the_same_instant_is_one_variant_everywhere() {
    for a_first in [true, false] {
        let (a, b, mut relay) = (phone(), phone(), Relay::default());
        let product = shared_product(&a, &b, &mut relay);
        let add = |p: &Phone, sku: &str, price: i64, stock: i64| {
            p.sentra
                .add_variant(
                    product,
                    &NewVariant {
                        sku: sku.into(),
                        options: vec!["L".into(), "Hitam".into()],
                        price: Some(price),
                        initial_stock: stock,
                    },
                )
                .unwrap()
        };
        let on_a = add(&a, "L-SITI", 90_000, 3);
        let on_b = add(&b, "L-PUTRI", 95_000, 2);
        assert_eq!(on_a, on_b);
        let (first, second) = if a_first { (&a, &b) } else { (&b, &a) };
        sync(&first.sentra, &mut relay);
        sync(&second.sentra, &mut relay);
        sync(&first.sentra, &mut relay);
        let mine = a.sentra.product(product).unwrap();
        assert_eq!(
            mine,
            b.sentra.product(product).unwrap(),
            "a first: {a_first}"
        );
        assert_eq!(mine.variants.len(), 2);
        assert_eq!(mine.variants[1].stock, 5, "both phones' opening stock");
    }
}

/// A size taken off sale on one phone and added again on another that never saw it is on sale
/// everywhere when the add is the later write, and off sale everywhere when the removal is.
#[test]
fn a_size_removed_on_one_phone_and_added_on_another_ends_the_same_everywhere() {
    for add_is_later in [true, false] {
        let (a, b, mut relay) = (phone(), phone(), Relay::default());
        let product = shared_product(&a, &b, &mut relay);
        let large = NewVariant {
            sku: String::new(),
            options: vec!["L".into(), "Hitam".into()],
            price: None,
            initial_stock: 1,
        };
        // B is offline from here and never sees A's L.
        let on_a = a.sentra.add_variant(product, &large).unwrap();
        sync(&a.sentra, &mut relay);
        let (first, second): (&dyn Fn(), &dyn Fn()) =
            (&|| a.sentra.remove_variant(on_a).unwrap(), &|| {
                b.sentra.add_variant(product, &large).unwrap();
            });
        if add_is_later {
            first();
            advance(&mut relay, &[&a, &b], 1);
            second();
        } else {
            second();
            advance(&mut relay, &[&a, &b], 1);
            first();
        }
        sync(&b.sentra, &mut relay);
        sync(&a.sentra, &mut relay);
        sync(&b.sentra, &mut relay);
        let mine = a.sentra.product(product).unwrap();
        assert_eq!(
            mine,
            b.sentra.product(product).unwrap(),
            "add is later: {add_is_later}"
        );
        assert_eq!(mine.variants.len(), if add_is_later { 2 } else { 1 });
    }
}
