use super::*;
use sentra_core::catalogue::listing::ProductQuery;
use std::sync::Barrier;

/// The UI reads while a sync worker writes: in WAL mode with one writer and pooled readers,
/// nobody sees "database is locked".
#[test]
fn a_writer_and_several_readers_at_once_never_see_database_locked() {
    let p = phone();
    let producer = with_producer(&p);
    let sentra = &p.sentra;
    let barrier = Barrier::new(5);
    std::thread::scope(|s| {
        s.spawn(|| {
            barrier.wait();
            for i in 0..150 {
                sentra
                    .create_product(&product_input(
                        producer,
                        &format!("Kaos {i}"),
                        &[("M", "Hitam", 3)],
                    ))
                    .unwrap();
            }
        });
        for r in 0..4 {
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                let mut last = 0;
                for i in 0..150 {
                    let query = if (i + r) % 2 == 0 {
                        ProductQuery {
                            limit: 50,
                            ..Default::default()
                        }
                    } else {
                        ProductQuery {
                            search: Some("kaos".into()),
                            limit: 200,
                            ..Default::default()
                        }
                    };
                    let page = sentra.list_products(&query).unwrap();
                    if query.search.is_some() {
                        assert!(page.len() >= last, "readers never go back in time");
                        last = page.len();
                    }
                    sentra.order_tabs().unwrap();
                }
            });
        }
    });
    assert_eq!(
        sentra
            .list_products(&ProductQuery {
                limit: 200,
                ..Default::default()
            })
            .unwrap()
            .len(),
        150
    );
}

/// A second process (another `Sentra` on the same file, as a background worker would be) waits
/// for the lock instead of failing.
#[test]
fn two_handles_on_one_file_take_turns_writing() {
    let p = phone();
    let producer = with_producer(&p);
    let other = Sentra::open_with(
        p.sentra.path(),
        OpenOptions {
            wall_clock: p.clock.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..50 {
                p.sentra
                    .create_product(&product_input(producer, &format!("A {i}"), &[]))
                    .unwrap();
            }
        });
        s.spawn(|| {
            for i in 0..50 {
                other
                    .create_product(&product_input(producer, &format!("B {i}"), &[]))
                    .unwrap();
            }
        });
    });
    let all = p
        .sentra
        .list_products(&ProductQuery {
            limit: 200,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 100);
}
