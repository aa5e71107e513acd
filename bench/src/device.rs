//! A phone as the benchmarks drive it: the real `Sentra` store and engine, the real
//! `HttpTransport`, and the same product values the PouchDB peer writes (`pouchdb/client.js`).

use crate::error::{BenchError, Result};
use sentra_core::catalogue::{NewProduct, NewVariant, ProductPatch};
use sentra_core::producers::NewProducer;
use sentra_core::sync::engine::SyncReport;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::{Id, Sentra};

/// The producer's phone number (their login) and PIN in every benchmark.
pub const LOGIN: &str = "0812-2750-1234";
/// The PIN.
pub const PIN: &str = "135790";

struct Quiet;
impl ProgressListener for Quiet {
    fn on_progress(&self, _: SyncProgress) {}
}

/// Registers the benchmark's producer on this phone (offline) and returns their id.
pub fn register(sentra: &Sentra) -> Result<Id> {
    Ok(sentra.register_producer(&NewProducer {
        business_name: "Konveksi Rowosari Jaya".into(),
        owner_name: "Siti Aminah".into(),
        phone: LOGIN.into(),
        region_code: "3327".into(),
        sector: "fashion_textiles".into(),
        ..Default::default()
    })?)
}

/// Product `i`: about 300 bytes of JSON, the fields PouchDB's documents carry too.
pub fn product(producer: Id, i: usize) -> NewProduct {
    NewProduct {
        producer_id: producer.to_string(),
        name: format!("Kaos Batik Pekalongan {i}"),
        description: "Kaos katun motif batik cap, dijahit di Rowosari.".into(),
        category: "Pakaian".into(),
        unit: "pcs".into(),
        price: 50_000 + (i as i64 % 97) * 1_000,
        min_order: 1,
        status: "listed".into(),
        variants: vec![NewVariant {
            initial_stock: (i % 40) as i64,
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Makes `count` products offline; returns their ids in order.
pub fn fill(sentra: &Sentra, producer: Id, count: usize) -> Result<Vec<Id>> {
    (0..count)
        .map(|i| Ok(sentra.create_product(&product(producer, i))?))
        .collect()
}

/// Edits products as PouchDB's peer does: price up Rp 500 and one more in stock.
pub fn edit(sentra: &Sentra, products: &[Id]) -> Result<()> {
    for id in products {
        let current = sentra.product(*id)?;
        sentra.edit_product(
            *id,
            &ProductPatch {
                price: Some(current.price + 500),
                ..Default::default()
            },
        )?;
        if let Some(variant) = current.variants.first() {
            sentra.adjust_stock(variant.id, 1)?;
        }
    }
    Ok(())
}

/// Signs this phone in directly at the server (not through the shaped link) and returns a
/// transport to `via` (the proxy) carrying its token.
pub async fn sign_in(sentra: &Sentra, server: &str, via: &str) -> Result<HttpTransport> {
    let (_, answer) = HttpTransport::sign_in(server, sentra.device_id(), LOGIN, PIN)
        .await
        .map_err(|e| BenchError::Setup(format!("sign in: {e}")))?;
    Ok(HttpTransport::new(via, &answer.token))
}

/// One sync as the app's background worker runs it (default options).
pub async fn sync(sentra: &Sentra, transport: &HttpTransport) -> Result<SyncReport> {
    let report = sentra
        .sync(
            transport,
            &SyncOptions::default(),
            None::<&Quiet>,
            &CancelToken::new(),
        )
        .await?;
    Ok(report)
}
