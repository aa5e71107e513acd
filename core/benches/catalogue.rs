//! The local store at phone scale: 50,000 products with 2–6 variants each, in a file on disk.
//!
//! Reports the first listing page p95, FTS prefix search p95, cold open, and database bytes per
//! product (photos excluded), with the outbox still pending and after the server acknowledged
//! it. Targets from the core issue: < 2 ms, < 5 ms, < 50 ms, ≤ 1 KB.
//!
//! Run: `cargo bench -p sentra-core --bench catalogue` (`-- --products N` for another size).
//! The generated file is kept in `target/bench-data/` and reused by the next run.

#![allow(clippy::expect_used)] // A benchmark that cannot set up has nothing to report.

use sentra_core::Sentra;
use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::producers::NewProducer;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const KINDS: [(&str, &str, &str); 12] = [
    ("Kaos", "Pakaian", "pcs"),
    ("Kemeja Batik", "Pakaian", "pcs"),
    ("Celana Jeans", "Pakaian", "pcs"),
    ("Sarung Tenun", "Pakaian", "kodi"),
    ("Tas Anyaman", "Kerajinan", "pcs"),
    ("Gula Kristal", "Makanan", "kg"),
    ("Gula Semut", "Makanan", "kg"),
    ("Kopi Bubuk", "Minuman", "pack"),
    ("Keripik Tempe", "Makanan", "pack"),
    ("Sambal Bawang", "Makanan", "pack"),
    ("Batik Tulis", "Kain", "lusin"),
    ("Gerabah Hias", "Kerajinan", "pcs"),
];
const PLACES: [&str; 8] = [
    "Pekalongan",
    "Rowosari",
    "Banyumas",
    "Purbalingga",
    "Pemalang",
    "Solo",
    "Jepara",
    "Kudus",
];
const QUALITIES: [&str; 6] = [
    "Premium",
    "Asli",
    "Super",
    "Klasik",
    "Motif Parang",
    "Warna Alam",
];
const SIZES: [&str; 6] = ["S", "M", "L", "XL", "XXL", "3XL"];

fn generate(path: &Path, products: usize) -> Duration {
    let started = Instant::now();
    let sentra = Sentra::open(path).expect("open");
    let producers: Vec<String> = (0..50)
        .map(|i| {
            sentra
                .register_producer(&NewProducer {
                    business_name: format!("UMKM {} {i}", PLACES[i % PLACES.len()]),
                    owner_name: "Pemilik Usaha".into(),
                    phone: format!("0812{:08}", 10_000_000 + i),
                    address: "Desa Rowosari RT 02 RW 03".into(),
                    region_code: "3327".into(),
                    sector: "fashion_textiles".into(),
                    workforce: 5,
                    ..Default::default()
                })
                .expect("producer")
                .to_string()
        })
        .collect();
    for i in 0..products {
        let (kind, category, unit) = KINDS[i % KINDS.len()];
        let place = PLACES[(i / KINDS.len()) % PLACES.len()];
        let quality = QUALITIES[(i / 7) % QUALITIES.len()];
        let variants = 2 + i % 5;
        sentra
            .create_product(&NewProduct {
                producer_id: producers[i % producers.len()].clone(),
                name: format!("{kind} {quality} {place} {i}"),
                description: format!(
                    "{kind} buatan perajin {place}. Bahan pilihan, dikerjakan tangan, siap kirim ke seluruh Indonesia."
                ),
                category: category.into(),
                unit: unit.into(),
                price: 10_000 + (i as i64 * 7_919) % 490_000,
                min_order: 1,
                weight_g: 250,
                length_cm: 30,
                width_cm: 20,
                height_cm: 4,
                status: "listed".into(),
                tiers: vec!["Ukuran".into()],
                variants: (0..variants)
                    .map(|v| NewVariant {
                        options: vec![SIZES[v].into()],
                        initial_stock: ((i + v) % 40) as i64,
                        ..Default::default()
                    })
                    .collect(),
            })
            .expect("product");
    }
    started.elapsed()
}

fn p95(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() * 95 / 100]
}

fn used_bytes(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("page size");
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("pages");
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .expect("free");
    (pages - free) * page_size
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let products = args
        .iter()
        .position(|a| a == "--products")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(50_000usize);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join(format!("catalogue-{products}.db"));
    let fresh = !path.exists();
    if fresh {
        let took = generate(&path, products);
        println!(
            "generated {products} products in {:.1} s ({:.2} ms per product, one transaction each)",
            took.as_secs_f64(),
            took.as_secs_f64() * 1000.0 / products as f64
        );
    }

    // Cold open: a new handle on the file, through the first page.
    let mut opens = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let sentra = Sentra::open(&path).expect("open");
        sentra
            .list_products(&ProductQuery {
                limit: 50,
                ..Default::default()
            })
            .expect("page");
        opens.push(started.elapsed());
    }
    let sentra = Sentra::open(&path).expect("open");

    let mut pages = Vec::new();
    for i in 0..500 {
        let started = Instant::now();
        let page = sentra
            .list_products(&ProductQuery {
                limit: 50,
                in_stock: i % 2 == 1,
                ..Default::default()
            })
            .expect("page");
        pages.push(started.elapsed());
        assert_eq!(page.len(), 50);
    }
    let queries = [
        "kaos",
        "ba",
        "gula kri",
        "kopi",
        "tas anyam",
        "pekal",
        "sambal bawang",
        "jeans",
    ];
    let mut searches = Vec::new();
    for i in 0..800 {
        let started = Instant::now();
        let page = sentra
            .list_products(&ProductQuery {
                search: Some(queries[i % queries.len()].into()),
                limit: 50,
                ..Default::default()
            })
            .expect("search");
        searches.push(started.elapsed());
        assert!(!page.is_empty());
    }
    let mut ranked = Vec::new();
    for i in 0..80 {
        let started = Instant::now();
        sentra
            .list_products(&ProductQuery {
                search: Some(queries[i % queries.len()].into()),
                sort: sentra_core::catalogue::listing::Sort::Relevance,
                limit: 50,
                ..Default::default()
            })
            .expect("search");
        ranked.push(started.elapsed());
    }
    let pending = sentra
        .pending_counts()
        .expect("pending")
        .iter()
        .map(|p| p.count)
        .sum::<i64>();
    let with_outbox = used_bytes(&path);
    println!("products: {products}; outbox entries pending: {pending}");
    println!(
        "cold open + first page p95: {:.2} ms (target < 50 ms)",
        p95(opens).as_secs_f64() * 1e3
    );
    println!(
        "first listing page (50 rows) p95: {:.3} ms (target < 2 ms)",
        p95(pages).as_secs_f64() * 1e3
    );
    println!(
        "FTS prefix search (50 rows) p95: {:.3} ms (target < 5 ms)",
        p95(searches).as_secs_f64() * 1e3
    );
    println!(
        "FTS prefix search ranked by relevance (BM25) p95: {:.3} ms (no target; ranks every match)",
        p95(ranked).as_secs_f64() * 1e3
    );
    println!(
        "bytes per product with the outbox pending: {} (target ≤ 1024)",
        with_outbox / products as i64
    );
    if pending > 0 {
        let last = sentra
            .outbox(0, usize::MAX >> 1)
            .expect("outbox")
            .last()
            .map_or(0, |e| e.seq);
        sentra.acknowledge(last).expect("acknowledge");
    }
    println!(
        "bytes per product once the server acknowledged the outbox: {} (target ≤ 1024)",
        used_bytes(&path) / products as i64
    );
}
