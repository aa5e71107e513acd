//! Behaviour tests of sentra-core, through its public API, one module per domain.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

mod catalogue;
mod clock_and_outbox;
mod concurrency;
mod convergence;
mod engine;
mod memberships;
mod orders;
mod photos;
mod producers;
mod recovery;
mod refusals;
mod relay;
mod sale_voids;
mod sales;
mod selling;
mod store;
mod sync;

use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::producers::NewProducer;
use sentra_core::{Account, Id, OpenOptions, Role, Sentra, WallClock};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tempfile::TempDir;

/// 2026-11-22 08:00 WIB.
const NOV_22: i64 = 1_795_309_200_000;

/// A wall clock the test moves by hand.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn advance_hours(&self, hours: i64) {
        self.0.fetch_add(hours * 3_600_000, Ordering::SeqCst);
    }
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl WallClock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A fresh database in a temp dir, on a clock the test controls.
pub struct Phone {
    pub sentra: Sentra,
    pub clock: Arc<ManualClock>,
    pub dir: TempDir,
}

pub fn phone() -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock(AtomicI64::new(NOV_22)));
    let sentra = Sentra::open_with(
        &dir.path().join("sentra.db"),
        OpenOptions {
            wall_clock: clock.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    Phone { sentra, clock, dir }
}

pub fn facilitator_phone() -> (Phone, Id) {
    let p = phone();
    let user = Id::new();
    p.sentra
        .set_account(Account {
            user_id: user,
            role: Role::Facilitator,
        })
        .unwrap();
    (p, user)
}

pub fn producer_input(name: &str) -> NewProducer {
    NewProducer {
        business_name: name.into(),
        owner_name: "Siti Aminah".into(),
        phone: "0812-2750-1234".into(),
        address: "Jl. Raya Rowosari No. 12".into(),
        region_code: "3327".into(),
        sector: "fashion_textiles".into(),
        workforce: 14,
        year_founded: Some(2009),
        nib: None,
        certifications: vec!["halal".into()],
        consent_publish: true,
        consent_date: Some("2026-11-01".into()),
        activation_pin: None,
    }
}

pub fn product_input(producer: Id, name: &str, variants: &[(&str, &str, i64)]) -> NewProduct {
    NewProduct {
        producer_id: producer.to_string(),
        name: name.into(),
        description: "Produksi rumahan, bahan pilihan.".into(),
        category: "Pakaian".into(),
        unit: "pcs".into(),
        price: 85_000,
        min_order: 1,
        weight_g: 300,
        length_cm: 30,
        width_cm: 20,
        height_cm: 5,
        status: "listed".into(),
        tiers: if variants.is_empty() {
            vec![]
        } else {
            vec!["Ukuran".into(), "Warna".into()]
        },
        variants: variants
            .iter()
            .map(|(size, colour, stock)| NewVariant {
                sku: String::new(),
                options: vec![(*size).into(), (*colour).into()],
                price: None,
                initial_stock: *stock,
            })
            .collect(),
    }
}

/// A phone with one producer; returns the producer id.
pub fn with_producer(p: &Phone) -> Id {
    p.sentra
        .register_producer(&producer_input("Konveksi Rowosari Jaya"))
        .unwrap()
}

/// A camera-like JPEG of `w`×`h` with a smooth gradient, written to `dir/name`.
pub fn jpeg(dir: &Path, name: &str, w: u32, h: u32, seed: u8) -> PathBuf {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, seed])
    });
    let path = dir.join(name);
    img.save_with_format(&path, image::ImageFormat::Jpeg)
        .unwrap();
    path
}
