//! A day on a producer's phone, offline: register, list a product, record a market sale, take
//! an order from a facilitator, accept and ship it, and look at what waits to be synced.
//!
//! Run: `cargo run -p sentra-core --example quickstart [path/to/sentra.db]`

use sentra_core::Sentra;
use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::money::format_rupiah;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, Transition};
use sentra_core::producers::NewProducer;
use sentra_core::sales::{NewSale, Period};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "quickstart.db".into());
    let sentra = Sentra::open(path.as_ref())?;

    let producer = sentra.register_producer(&NewProducer {
        business_name: "Konveksi Rowosari Jaya".into(),
        owner_name: "Siti Aminah".into(),
        phone: "0812-2750-1234".into(),
        address: "Jl. Raya Rowosari No. 12, Ulujami".into(),
        region_code: "3327".into(),
        sector: "fashion_textiles".into(),
        workforce: 14,
        year_founded: Some(2009),
        consent_publish: true,
        consent_date: Some("2026-11-01".into()),
        ..Default::default()
    })?;

    let sizes = ["30", "32", "34"];
    let product = sentra.create_product(&NewProduct {
        producer_id: producer.to_string(),
        name: "Kaos Batik Pekalongan".into(),
        description: "Kaos katun dengan motif batik cap, dijahit di Rowosari.".into(),
        category: "Pakaian".into(),
        unit: "pcs".into(),
        price: 85_000,
        min_order: 1,
        weight_g: 250,
        length_cm: 30,
        width_cm: 25,
        height_cm: 3,
        status: "listed".into(),
        tiers: vec!["Ukuran".into()],
        variants: sizes
            .iter()
            .map(|s| NewVariant {
                options: vec![(*s).into()],
                initial_stock: 12,
                ..Default::default()
            })
            .collect(),
    })?;
    let variants = sentra.product(product)?.variants;

    sentra.record_sale(&NewSale {
        variant_id: variants[0].id.to_string(),
        quantity: 2,
        unit_price: None,
        channel: "market_stall".into(),
        sold_on: "2026-11-22".into(),
    })?;

    let order = sentra.create_order(&NewOrder {
        producer_id: producer.to_string(),
        channel: "facilitator".into(),
        buyer: Buyer {
            name: "Toko Seragam Purwokerto".into(),
            phone: "0281 635 123".into(),
            regency_code: "3302".into(),
            address: "Jl. Jend. Soedirman 10, Purwokerto".into(),
        },
        note: "Kirim sebelum Senin".into(),
        lines: vec![NewOrderLine {
            variant_id: variants[1].id.to_string(),
            quantity: 5,
        }],
        request_key: String::new(),
    })?;
    sentra.transition_order(order, &Transition::Accept)?;
    sentra.transition_order(
        order,
        &Transition::Ship {
            courier: "JNE".into(),
            tracking_no: "JNE0012345678".into(),
        },
    )?;

    for row in sentra.list_products(&ProductQuery {
        search: Some("kaos".into()),
        limit: 10,
        ..Default::default()
    })? {
        println!(
            "{}: {} ({} in stock)",
            row.name,
            format_rupiah(row.min_price),
            row.total_stock
        );
    }
    for s in sentra.sales_summary(Period::Day, "2026-11-01", "2026-11-30")? {
        println!(
            "{} {:?}: {} sold, {}",
            s.period,
            s.channel,
            s.quantity,
            format_rupiah(s.revenue)
        );
    }
    let tabs = sentra.order_tabs()?;
    println!(
        "orders: {} to respond, {} to ship, {} shipped",
        tabs.to_respond, tabs.to_ship, tabs.shipped
    );
    for pending in sentra.pending_counts()? {
        println!("waiting to sync: {} × {}", pending.count, pending.entity);
    }
    Ok(())
}
