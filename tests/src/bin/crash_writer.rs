//! A child process for the crash-safety and full-disk suites: writes to a Sentra database in a
//! loop (with `--photos`, also a new photo per product) and prints a line for every write that
//! returned, until it is killed or a write fails. A failed write prints `error <code>` and exits
//! with status 3.
//!
//! Usage: `crash_writer path/to/sentra.db seed [--photos]`

use sentra_core::Sentra;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, Transition};
use sentra_core::sales::NewSale;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: crash_writer DB SEED [--photos]")?;
    let seed: usize = args
        .next()
        .ok_or("usage: crash_writer DB SEED [--photos]")?
        .parse()?;
    let photos = args.next().as_deref() == Some("--photos");
    match run(&path, seed, photos) {
        Ok(()) => Ok(()),
        Err(err) => {
            println!("error {}", err.code());
            std::process::exit(3);
        }
    }
}

fn run(path: &str, seed: usize, photos: bool) -> Result<(), sentra_core::Error> {
    let sentra = Sentra::open(path.as_ref())?;
    // Source photos are made beside the database, inside the test's own temp dir.
    let scratch = std::path::PathBuf::from(format!("{path}-scratch"));
    if photos {
        std::fs::create_dir_all(&scratch)?;
    }
    let producer = sentra.register_producer(&sentra_tests::rowosari_jeans_maker())?;
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "producer {producer}")?;
    out.flush()?;
    for i in 0.. {
        let product = sentra.create_product(&sentra_tests::jeans(&producer.to_string()))?;
        writeln!(out, "product {product}")?;
        out.flush()?;
        if photos {
            let source = scratch.join("shot.png");
            sentra_tests::noise_photo(seed * 100_000 + i, 200, 150)
                .save(&source)
                .map_err(std::io::Error::other)?;
            let photo = sentra.add_photo(product, &source)?;
            writeln!(out, "photo {}", photo.id)?;
            out.flush()?;
        }
        let variants = sentra.product(product)?.variants;
        let sale = sentra.record_sale(&NewSale {
            variant_id: variants[(i + seed) % variants.len()].id.to_string(),
            quantity: 1 + (i % 3) as i64,
            unit_price: None,
            channel: "market_stall".into(),
            sold_on: "2026-11-22".into(),
        })?;
        writeln!(out, "sale {sale}")?;
        out.flush()?;
        let order = sentra.create_order(&NewOrder {
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
                variant_id: variants[0].id.to_string(),
                quantity: 2,
            }],
            request_key: String::new(),
        })?;
        sentra.transition_order(order, &Transition::Accept)?;
        writeln!(out, "accepted {order}")?;
        out.flush()?;
    }
    Ok(())
}
