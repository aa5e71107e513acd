//! The local store at phone scale: 50,000 products with 2–6 variants each, in a file on disk.
//!
//! Reports the first listing page p95, FTS prefix search p95, cold open, database bytes per
//! product (photos excluded) with the outbox still pending and after the server acknowledged
//! it, and the time to apply 10,000 pulled changes (another phone's edits: a price edit and a
//! stock movement on each of 5,000 products, in pull pages of about 2 MB as the server cuts
//! them). Targets from the core and benchmark issues: < 2 ms, < 5 ms, < 50 ms, ≤ 1 KB, < 1 s.
//!
//! Run: `cargo bench -p sentra-core --bench catalogue` (`-- --products N --changes N` for other
//! sizes, `--json FILE` to write the figures for `scripts/bench store`). The generated file is
//! kept in `target/bench-data/` and reused by the next run.

#![allow(clippy::expect_used)] // A benchmark that cannot set up has nothing to report.

use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::catalogue::{NewProduct, NewVariant, ProductPatch};
use sentra_core::producers::NewProducer;
use sentra_core::sync::wire::{Change, PullResponse};
use sentra_core::{Id, Sentra};
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

/// Another phone's edits to `changes / 2` products of a copy of the store, as the pages a pull
/// would bring them in: a price edit and a stock movement on each.
fn pulled_pages(store: &Path, work: &Path, changes: usize) -> Vec<PullResponse> {
    let other_path = work.join("other-phone.db");
    let _ = std::fs::remove_file(&other_path);
    let conn = rusqlite::Connection::open(store).expect("open");
    conn.execute("VACUUM INTO ?1", [other_path.to_string_lossy()])
        .expect("copy for the other phone");
    let mut ids = conn
        .prepare("SELECT id FROM products ORDER BY rowid LIMIT ?1")
        .expect("prepare");
    let ids: Vec<Id> = ids
        .query_map([(changes / 2) as i64], |r| r.get::<_, Vec<u8>>(0))
        .expect("ids")
        .map(|blob| {
            let blob = blob.expect("id");
            uuid::Uuid::from_slice(&blob)
                .expect("uuid")
                .to_string()
                .parse()
                .expect("id")
        })
        .collect();
    let other = Sentra::open(&other_path).expect("open the other phone");
    let last = other
        .outbox(0, usize::MAX >> 1)
        .expect("outbox")
        .last()
        .map_or(0, |e| e.seq);
    other.acknowledge(last).expect("acknowledge");
    for id in &ids {
        let product = other.product(*id).expect("product");
        other
            .edit_product(
                *id,
                &ProductPatch {
                    price: Some(product.price + 1_000),
                    ..Default::default()
                },
            )
            .expect("edit");
        other
            .adjust_stock(product.variants[0].id, 3)
            .expect("stock");
    }
    let batch = other
        .sync_push_batch(usize::MAX >> 1)
        .expect("batch")
        .expect("changes");
    let changes: Vec<Change> = batch.entries.into_iter().map(|e| e.change).collect();
    // Pages cut at about 2 MB of JSON, as the server cuts them.
    let mut pages = Vec::new();
    let mut page: Vec<Change> = Vec::new();
    let mut bytes = 0;
    for change in changes {
        bytes += serde_json::to_vec(&change).expect("json").len();
        page.push(change);
        if bytes >= 2 * 1024 * 1024 {
            pages.push(std::mem::take(&mut page));
            bytes = 0;
        }
    }
    if !page.is_empty() {
        pages.push(page);
    }
    let count = pages.len();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    pages
        .into_iter()
        .enumerate()
        .map(|(i, changes)| PullResponse {
            server_time_ms: now_ms,
            changes,
            next_cursor: format!("{}", i + 1),
            more: i + 1 < count,
            reset: false,
            scope: None,
        })
        .collect()
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let products = arg(&args, "--products")
        .and_then(|n| n.parse().ok())
        .unwrap_or(50_000usize);
    let changes = arg(&args, "--changes")
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000usize)
        .min(products * 2);
    let json_out = arg(&args, "--json").map(PathBuf::from);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join(format!("catalogue-{products}.db"));
    let fresh = !path.exists();
    let mut generated_ms = None;
    if fresh {
        let took = generate(&path, products);
        generated_ms = Some(took.as_secs_f64() * 1000.0 / products as f64);
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
    let open_ms = p95(opens).as_secs_f64() * 1e3;
    let page_ms = p95(pages).as_secs_f64() * 1e3;
    let search_ms = p95(searches).as_secs_f64() * 1e3;
    let ranked_ms = p95(ranked).as_secs_f64() * 1e3;
    println!("cold open + first page p95: {open_ms:.2} ms (target < 50 ms)");
    println!("first listing page (50 rows) p95: {page_ms:.3} ms (target < 2 ms)");
    println!("FTS prefix search (50 rows) p95: {search_ms:.3} ms (target < 5 ms)");
    println!(
        "FTS prefix search ranked by relevance (BM25) p95: {ranked_ms:.3} ms (no target; ranks every match)"
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
    let acked = used_bytes(&path) / products as i64;
    println!("bytes per product once the server acknowledged the outbox: {acked} (target ≤ 1024)");
    drop(sentra);

    // Applying pulled changes, on a copy so the kept catalogue stays as generated.
    let work = tempfile::tempdir().expect("tempdir");
    let pages = pulled_pages(&path, work.path(), changes);
    let target_path = work.path().join("this-phone.db");
    rusqlite::Connection::open(&path)
        .expect("open")
        .execute("VACUUM INTO ?1", [target_path.to_string_lossy()])
        .expect("copy");
    let target = Sentra::open(&target_path).expect("open the copy");
    let count: usize = pages.iter().map(|p| p.changes.len()).sum();
    let started = Instant::now();
    let mut altered = 0;
    for page in &pages {
        altered += target.sync_apply_pull(page).expect("apply");
    }
    let apply = started.elapsed();
    println!(
        "applying {count} pulled changes in {} pages: {:.0} ms ({altered} altered local state; target < 1 s)",
        pages.len(),
        apply.as_secs_f64() * 1e3
    );
    if let Some(json_out) = json_out {
        let figures = serde_json::json!({
            "products": products,
            "variants_per_product": "2-6 (4 on average)",
            "generated_ms_per_product": generated_ms,
            "cold_open_p95_ms": open_ms,
            "list_p95_ms": page_ms,
            "search_p95_ms": search_ms,
            "ranked_search_p95_ms": ranked_ms,
            "pending_entries": pending,
            "bytes_per_product_pending": with_outbox / products as i64,
            "bytes_per_product_acknowledged": acked,
            "pulled_changes": count,
            "pulled_pages": pages.len(),
            "pulled_altered": altered,
            "apply_ms": apply.as_secs_f64() * 1e3,
        });
        std::fs::write(&json_out, figures.to_string()).expect("write --json");
    }
}
