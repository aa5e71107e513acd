//! The random operations a case is made of: products and variants made and edited, stock
//! movements and direct sales, orders and their transitions, producer edits, deletes and photo
//! adds on one phone; or time passing, a phone's date changed, the server restarting, or a
//! faulty sync.

use crate::HOUR;
use crate::model::{Model, orders_of, products_of};
use crate::network::sync;
use crate::world::{Phone, Server, Staff};
use rand::RngExt;
use rand::rngs::StdRng;
use sentra_core::catalogue::{NewVariant, Product, ProductPatch, VariantPatch};
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, Order, OrderStatus, Transition};
use sentra_core::producers::ProducerPatch;
use sentra_core::sales::NewSale;
use std::path::Path;
use std::sync::atomic::Ordering;

/// Operation number `op` of case `seed`: a random operation by `phone` (sometimes repeated on
/// another of `phones` that holds the same thing, as two phones offline do), or on the world
/// around it. Photos are written to `shot` before they are added.
#[allow(clippy::too_many_arguments)] // The whole world of one case.
pub fn perform(
    rng: &mut StdRng,
    seed: u64,
    op: usize,
    phone: &Phone,
    phones: &[Phone],
    staff: &Staff,
    server: &mut Server,
    model: &mut Model,
    shot: &Path,
) {
    let producer = phone.producer;
    match rng.random_range(0..22) {
        0..=2 => {
            let mut input = sentra_tests::jeans(&producer.to_string());
            input.name = format!("Jeans {seed}-{op}");
            input.variants.truncate(rng.random_range(1..=3));
            phone.sentra.create_product(&input).unwrap();
        }
        3 => {
            if let Some(p) = random_product(rng, phone) {
                let patch = match rng.random_range(0..3) {
                    0 => ProductPatch {
                        price: Some(rng.random_range(1..200) * 1_000),
                        ..Default::default()
                    },
                    1 => ProductPatch {
                        name: Some(format!("Jeans {}", rng.random_range(0..1000))),
                        ..Default::default()
                    },
                    _ => ProductPatch {
                        status: Some(
                            ["listed", "unlisted", "draft"][rng.random_range(0..3)].into(),
                        ),
                        ..Default::default()
                    },
                };
                phone.sentra.edit_product(p.id, &patch).unwrap();
            }
        }
        4 => {
            if let Some(p) = random_product(rng, phone) {
                let choice = rng.random_range(0..10);
                if choice < 2 {
                    // Off sale; refused for a product's last variant.
                    let v = &p.variants[rng.random_range(0..p.variants.len())];
                    if let Err(e) = phone.sentra.remove_variant(v.id) {
                        assert_eq!(p.variants.len(), 1, "{e}");
                    }
                } else if choice < 6 {
                    let v = &p.variants[rng.random_range(0..p.variants.len())];
                    let price = rng
                        .random_bool(0.7)
                        .then(|| rng.random_range(1..200) * 1_000);
                    phone
                        .sentra
                        .edit_variant(
                            v.id,
                            &VariantPatch {
                                price: Some(price),
                                sku: None,
                            },
                        )
                        .unwrap();
                } else {
                    // A new variant: a new size in the first wash. A removed size may come back,
                    // and half the time another phone that holds the product adds the same size
                    // before either syncs.
                    let size = format!("{}", 36 + 2 * rng.random_range(0..2));
                    // Another phone of the same producer: a facilitator holding P2's product for a
                    // while (its assigned region) may lose the right to change it before it
                    // syncs, and its change is then rightly refused.
                    let twin = phones
                        .iter()
                        .filter(|other| !std::ptr::eq(*other, phone))
                        .filter(|other| other.producer == p.producer_id)
                        .find(|other| other.sentra.product(p.id).is_ok());
                    let twin = twin.filter(|_| rng.random_bool(0.5));
                    for who in std::iter::once(phone).chain(twin) {
                        let _ = who.sentra.add_variant(
                            p.id,
                            &NewVariant {
                                sku: String::new(),
                                options: vec![size.clone(), "Biru".into()],
                                price: None,
                                initial_stock: rng.random_range(0..5),
                            },
                        );
                    }
                }
            }
        }
        5..=7 => {
            if let Some(p) = random_product(rng, phone) {
                let v = &p.variants[rng.random_range(0..p.variants.len())];
                match rng.random_range(0..3) {
                    0 => {
                        phone
                            .sentra
                            .record_sale(&NewSale {
                                variant_id: v.id.to_string(),
                                quantity: rng.random_range(1..4),
                                unit_price: None,
                                channel: "market_stall".into(),
                                sold_on: "2026-11-22".into(),
                            })
                            .unwrap();
                    }
                    1 => {
                        phone.sentra.restock(v.id, rng.random_range(1..10)).unwrap();
                    }
                    _ => {
                        phone
                            .sentra
                            .adjust_stock(v.id, -rng.random_range(1..3))
                            .unwrap();
                    }
                }
            }
        }
        8 => {
            if let Some(p) = random_product(rng, phone) {
                let v = &p.variants[rng.random_range(0..p.variants.len())];
                let id = phone
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
                        lines: vec![NewOrderLine {
                            variant_id: v.id.to_string(),
                            quantity: 1,
                        }],
                        ..Default::default()
                    })
                    .unwrap();
                model.statuses.entry(id).or_default().push(OrderStatus::New);
            }
        }
        9..=10 => {
            let orders: Vec<Order> = orders_of(&phone.sentra)
                .into_iter()
                .filter(|o| o.producer_id == producer)
                .collect();
            if !orders.is_empty() {
                let order = &orders[rng.random_range(0..orders.len())];
                let change = match rng.random_range(0..5) {
                    0 => Transition::Accept,
                    1 => Transition::Reject {
                        reason: "stok habis".into(),
                    },
                    2 => Transition::Ship {
                        courier: "JNE".into(),
                        tracking_no: "JN1".into(),
                    },
                    3 => Transition::Complete,
                    _ => Transition::Cancel {
                        reason: "batal".into(),
                    },
                };
                match phone.sentra.transition_order(order.id, &change) {
                    Ok(()) => {
                        let now = phone.sentra.order(order.id).unwrap().status;
                        model.statuses.entry(order.id).or_default().push(now);
                    }
                    Err(e) => assert_eq!(e.code(), sentra_core::ErrorCode::InvalidTransition),
                }
            }
        }
        11 => {
            let patch = match rng.random_range(0..3) {
                0 => ProducerPatch {
                    address: Some(format!("Jl. Raya No. {}", rng.random_range(1..99))),
                    ..Default::default()
                },
                1 => ProducerPatch {
                    workforce: Some(rng.random_range(1..50)),
                    ..Default::default()
                },
                _ => ProducerPatch {
                    owner_name: Some(format!("Ibu {}", rng.random_range(0..100))),
                    ..Default::default()
                },
            };
            phone.sentra.edit_producer(producer, &patch).unwrap();
        }
        12 => {
            if rng.random_bool(0.4)
                && let Some(p) = random_product(rng, phone)
            {
                phone.sentra.delete_product(p.id).unwrap();
            }
        }
        13 => {
            if rng.random_bool(0.3)
                && let Some(p) = random_product(rng, phone)
            {
                sentra_tests::noise_photo(op, 48, 36).save(shot).unwrap();
                phone.sentra.add_photo(p.id, shot).unwrap();
            }
        }
        14 => {
            server
                .truth
                .fetch_add(rng.random_range(1..6) * HOUR, Ordering::SeqCst);
        }
        15 => {
            server.restart();
            *model.faults.entry("server restarted").or_default() += 1;
        }
        16 => change_scope(rng, phones, staff, server, model),
        17 => {
            // Someone sets the phone's date, wrong or right again, perhaps while a push's
            // answer is still lost: the next sync corrects its clock.
            phone.set_date(
                crate::world::SKEWS_MS[rng.random_range(0..crate::world::SKEWS_MS.len())],
            );
            *model.faults.entry("date changed").or_default() += 1;
        }
        _ => sync(phone, server, Some(rng), model),
    }
}

/// Scopes change after the phones' first syncs: an admin assigns the facilitator the region
/// where the self-registered producer P2 works (Banyumas, 3302); P2 moves between Banyumas and
/// Cilacap (3301), in or out of that region; or P2 joins the cooperative, whose admin's phone
/// syncs now and then.
fn change_scope(
    rng: &mut StdRng,
    phones: &[Phone],
    staff: &Staff,
    server: &Server,
    model: &mut Model,
) {
    let facilitator = &phones[0];
    let p2 = phones.last().expect("P2's phone");
    let choice = rng.random_range(0..4);
    if choice == 0 {
        sync(&staff.cooperative_admin, server, Some(rng), model);
    } else if choice == 1 && !model.joined {
        staff
            .admin
            .sentra
            .add_member(staff.cooperative, p2.producer)
            .unwrap();
        sync(&staff.admin, server, None, model);
        model.joined = true;
        *model
            .faults
            .entry("producer joined the cooperative")
            .or_default() += 1;
    } else if !model.region_assigned && rng.random_bool(0.5) {
        server
            .store
            .assign_region(facilitator.account.user_id, BANYUMAS)
            .unwrap();
        model.region_assigned = true;
        *model.faults.entry("region assigned").or_default() += 1;
    } else {
        let now = p2.sentra.producer(p2.producer).unwrap().region_code;
        let region = if now.starts_with(BANYUMAS) {
            "3301"
        } else {
            BANYUMAS
        };
        p2.sentra
            .edit_producer(
                p2.producer,
                &ProducerPatch {
                    region_code: Some(region.into()),
                    ..Default::default()
                },
            )
            .unwrap();
        *model.faults.entry("producer moved").or_default() += 1;
    }
}

/// The region an admin may assign the facilitator: P2's at the start.
pub const BANYUMAS: &str = "3302";

fn random_product(rng: &mut StdRng, phone: &Phone) -> Option<Product> {
    let products: Vec<Product> = products_of(&phone.sentra, Some(phone.producer))
        .into_iter()
        .filter(|p| !p.variants.is_empty())
        .collect();
    (!products.is_empty()).then(|| products[rng.random_range(0..products.len())].clone())
}
