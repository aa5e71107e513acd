//! Shared fixtures for the cross-crate suites in `tests/tests/`: realistic producers and
//! products from the villages in the brief.

pub mod fuzz;

use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::producers::NewProducer;

/// A garment maker in Rowosari, Pemalang.
pub fn rowosari_jeans_maker() -> NewProducer {
    NewProducer {
        business_name: "Konveksi Rowosari Jaya".into(),
        owner_name: "Siti Aminah".into(),
        phone: "0812-2750-1234".into(),
        address: "Jl. Raya Rowosari No. 12".into(),
        region_code: "3327".into(),
        sector: "fashion_textiles".into(),
        workforce: 14,
        year_founded: Some(2009),
        nib: Some("9120001234567".into()),
        certifications: vec![],
        consent_publish: true,
        consent_date: Some("2026-11-01".into()),
        activation_pin: None,
    }
}

/// Jeans in three sizes and two washes, 10 pieces of each in stock.
pub fn jeans(producer_id: &str) -> NewProduct {
    let mut variants = Vec::new();
    for size in ["30", "32", "34"] {
        for wash in ["Biru", "Hitam"] {
            variants.push(NewVariant {
                sku: String::new(),
                options: vec![size.into(), wash.into()],
                price: None,
                initial_stock: 10,
            });
        }
    }
    NewProduct {
        producer_id: producer_id.into(),
        name: "Celana Jeans Rowosari".into(),
        description: "Jeans denim 14 oz, jahitan rapi, produksi Rowosari.".into(),
        category: "Pakaian".into(),
        unit: "pcs".into(),
        price: 125_000,
        min_order: 1,
        weight_g: 650,
        length_cm: 30,
        width_cm: 25,
        height_cm: 4,
        status: "listed".into(),
        tiers: vec!["Ukuran".into(), "Warna".into()],
        variants,
    }
}

/// A photo of pseudo-random noise, different for every `seed`: it compresses badly, so each one
/// makes new, sizeable files (for filling a disk).
pub fn noise_photo(seed: usize, width: u32, height: u32) -> image::RgbImage {
    let seed = seed as u32;
    image::RgbImage::from_fn(width, height, |x, y| {
        let v = (x.wrapping_mul(7_919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(31))
            .wrapping_mul(2_654_435_761);
        image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
    })
}
