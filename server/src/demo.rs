//! `sentra-server demo`: a server with realistic data that simulated phones pushed through the
//! real protocol: a facilitator in Pemalang registers garment makers of the Rowosari cluster
//! and crystal-sugar makers of a Banyumas cooperative, lists their products with photos, and
//! syncs; then one producer signs in on their own phone, gets their shop, records a market sale
//! and syncs it back.

use crate::AppState;
use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::producers::NewProducer;
use sentra_core::sales::NewSale;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::{Account, Id, Role, Sentra};
use std::path::Path;

/// The demo's sign-ins, printed for whoever runs it.
pub const FACILITATOR: (&str, &str) = ("pendamping.pemalang", "demo-pemalang");
/// The official's sign-in (the dashboard, `/dasbor`).
pub const OFFICIAL: (&str, &str) = ("dinas.jateng", "demo-dinas");
/// The Banyumas cooperative's admin (its bulk orders, `/koperasi/…/permintaan`).
pub const COOPERATIVE_ADMIN: (&str, &str) = ("admin.koperasi", "demo-koperasi");
/// Every demo producer's PIN.
pub const PRODUCER_PIN: &str = "123456";

struct Quiet;
impl ProgressListener for Quiet {
    fn on_progress(&self, _: SyncProgress) {}
}

type DemoResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A product photo made up for the demo: a soft gradient in the product's colours.
fn picture(dir: &Path, name: &str, colour: [u8; 3]) -> DemoResult<std::path::PathBuf> {
    let image = image::RgbImage::from_fn(1600, 1200, |x, y| {
        let shade = |c: u8, t: u32| (u32::from(c) * (600 + t) / 1800).min(255) as u8;
        let t = (x + y) / 4;
        image::Rgb([
            shade(colour[0], t),
            shade(colour[1], t),
            shade(colour[2], t),
        ])
    });
    let path = dir.join(format!("{name}.png"));
    image.save(&path)?;
    Ok(path)
}

/// Name, category, unit, price, sizes (none: one variant) and photo colour.
type DemoProduct = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [&'static str],
    [u8; 3],
);

struct Maker {
    business: &'static str,
    owner: &'static str,
    phone: &'static str,
    regency: &'static str,
    sector: &'static str,
    products: &'static [DemoProduct],
}

const MAKERS: &[Maker] = &[
    Maker {
        business: "Konveksi Rowosari Jaya",
        owner: "Siti Aminah",
        phone: "0812-2750-1001",
        regency: "3327",
        sector: "fashion_textiles",
        products: &[
            (
                "Celana Jeans Reguler",
                "Pakaian",
                "pcs",
                125_000,
                &["28", "30", "32", "34"],
                [40, 70, 140],
            ),
            (
                "Jaket Jeans Unisex",
                "Pakaian",
                "pcs",
                185_000,
                &["M", "L", "XL"],
                [60, 90, 160],
            ),
        ],
    },
    Maker {
        business: "Jeans Ulujami Mandiri",
        owner: "Ahmad Fauzi",
        phone: "0812-2750-1002",
        regency: "3327",
        sector: "fashion_textiles",
        products: &[(
            "Sarung Tenun Goyor",
            "Pakaian",
            "kodi",
            1_400_000,
            &[],
            [150, 40, 60],
        )],
    },
    Maker {
        business: "Gula Kristal Sumber Manis",
        owner: "Sri Wahyuni",
        phone: "0813-2900-2001",
        regency: "3302",
        sector: "processed_agriculture",
        products: &[
            (
                "Gula Kristal Kelapa 1 kg",
                "Makanan",
                "kg",
                28_000,
                &[],
                [190, 140, 60],
            ),
            (
                "Gula Semut Organik 500 g",
                "Makanan",
                "pack",
                22_000,
                &[],
                [160, 110, 50],
            ),
        ],
    },
];

/// Fills a running server at `url` with the demo data. `work` holds the simulated phones.
pub async fn seed(state: &AppState, url: &str, work: &Path) -> DemoResult<()> {
    let options = SyncOptions::default();
    let cancel = CancelToken::new();
    let blocking = |state: AppState,
                    login: &'static str,
                    secret: &'static str,
                    role: Role,
                    producer: Option<Id>| {
        tokio::task::spawn_blocking(move || state.create_account(login, secret, role, producer))
    };
    blocking(
        state.clone(),
        FACILITATOR.0,
        FACILITATOR.1,
        Role::Facilitator,
        None,
    )
    .await??;

    // The facilitator's phone, in the villages, offline.
    let phone = Sentra::open(&work.join("facilitator.db"))?;
    let (transport, signed_in) =
        HttpTransport::sign_in(url, phone.device_id(), FACILITATOR.0, FACILITATOR.1).await?;
    phone.set_account(Account {
        user_id: signed_in.user_id,
        role: signed_in.role,
    })?;
    let mut registered = Vec::new();
    for maker in MAKERS {
        let producer = phone.register_producer(&NewProducer {
            business_name: maker.business.into(),
            owner_name: maker.owner.into(),
            phone: maker.phone.into(),
            address: "Desa binaan".into(),
            region_code: maker.regency.into(),
            sector: maker.sector.into(),
            workforce: 6,
            consent_publish: true,
            consent_date: Some("2026-11-01".into()),
            ..Default::default()
        })?;
        for (name, category, unit, price, sizes, colour) in maker.products {
            let product = phone.create_product(&NewProduct {
                producer_id: producer.to_string(),
                name: (*name).into(),
                description: format!("{name} buatan {}.", maker.business),
                category: (*category).into(),
                unit: (*unit).into(),
                price: *price,
                min_order: 1,
                weight_g: 500,
                length_cm: 30,
                width_cm: 20,
                height_cm: 5,
                status: "listed".into(),
                tiers: if sizes.is_empty() {
                    vec![]
                } else {
                    vec!["Ukuran".into()]
                },
                variants: if sizes.is_empty() {
                    vec![NewVariant {
                        initial_stock: 50,
                        ..Default::default()
                    }]
                } else {
                    sizes
                        .iter()
                        .map(|s| NewVariant {
                            options: vec![(*s).into()],
                            initial_stock: 12,
                            ..Default::default()
                        })
                        .collect()
                },
            })?;
            phone.add_photo(product, &picture(work, &product.to_string(), *colour)?)?;
        }
        registered.push((producer, maker.phone));
    }
    let report = phone
        .sync(&transport, &options, None::<&Quiet>, &cancel)
        .await?;
    tracing::info!(
        pushed = report.pushed,
        photos = report.photos_sent,
        "facilitator's phone synced"
    );

    // Each producer activates an account; the first signs in on their own phone.
    for (producer, login) in &registered {
        blocking(
            state.clone(),
            login,
            PRODUCER_PIN,
            Role::Producer,
            Some(*producer),
        )
        .await??;
    }
    let (producer, login) = registered[0];
    let own = Sentra::open(&work.join("producer.db"))?;
    let (transport, signed_in) =
        HttpTransport::sign_in(url, own.device_id(), login, PRODUCER_PIN).await?;
    own.set_account(Account {
        user_id: signed_in.user_id,
        role: signed_in.role,
    })?;
    own.sync(&transport, &options, None::<&Quiet>, &cancel)
        .await?;
    let shop = own.list_products(&sentra_core::catalogue::listing::ProductQuery {
        producer_id: Some(producer),
        limit: 10,
        ..Default::default()
    })?;
    if let Some(first) = shop.first() {
        let variant = own.product(first.id)?.variants[0].id;
        own.record_sale(&NewSale {
            variant_id: variant.to_string(),
            quantity: 2,
            unit_price: None,
            channel: "market_stall".into(),
            sold_on: "2026-11-22".into(),
        })?;
    }
    let report = own
        .sync(&transport, &options, None::<&Quiet>, &cancel)
        .await?;
    tracing::info!(pushed = report.pushed, "producer's phone synced");

    // The officials and the cooperative's admin, a cluster and a cooperative made by the
    // server's admin, and buyers' orders from the storefront.
    blocking(state.clone(), OFFICIAL.0, OFFICIAL.1, Role::Official, None).await??;
    let admin = blocking(
        state.clone(),
        COOPERATIVE_ADMIN.0,
        COOPERATIVE_ADMIN.1,
        Role::CooperativeAdmin,
        None,
    )
    .await??;
    let members = |regency: &'static str| -> Vec<Id> {
        MAKERS
            .iter()
            .zip(&registered)
            .filter(|(maker, _)| maker.regency == regency)
            .map(|(_, (producer, _))| *producer)
            .collect()
    };
    let (pemalang, banyumas) = (members("3327"), members("3302"));
    let seeded = state.clone();
    tokio::task::spawn_blocking(move || -> Result<(), crate::error::ApiError> {
        seeded.replica()?.act(|core| {
            let cluster = core.create_organisation("cluster", "Sentra Jeans Rowosari", "3327")?;
            for member in &pemalang {
                core.add_member(cluster, *member)?;
            }
            let cooperative =
                core.create_organisation("cooperative", "Koperasi Gula Kristal Banyumas", "3302")?;
            for member in &banyumas {
                core.add_member(cooperative, *member)?;
            }
            core.add_admin(cooperative, admin.user_id)?;
            Ok(())
        })
    })
    .await??;
    if let Some(first) = shop.first() {
        let variant = own.product(first.id)?.variants[0].id;
        let ordering = state.clone();
        let order = tokio::task::spawn_blocking(move || {
            crate::orders::place_order(
                &ordering,
                crate::limits::ClientAddress::of(Some(std::net::Ipv4Addr::LOCALHOST.into())),
                crate::orders::OrderRequest {
                    key: "demo-order-1".into(),
                    producer_id: producer.to_string(),
                    buyer: sentra_core::orders::Buyer {
                        name: "Toko Berkah".into(),
                        phone: "0813-2222-4321".into(),
                        regency_code: "3302".into(),
                        address: "Jl. Jend. Sudirman 10, Purwokerto".into(),
                    },
                    note: "Mohon dikirim minggu ini".into(),
                    lines: vec![sentra_core::orders::NewOrderLine {
                        variant_id: variant.to_string(),
                        quantity: 3,
                    }],
                },
            )
        })
        .await??;
        // The producer's phone gets it and accepts it.
        own.sync(&transport, &options, None::<&Quiet>, &cancel)
            .await?;
        own.transition_order(order.id, &sentra_core::orders::Transition::Accept)?;
        own.sync(&transport, &options, None::<&Quiet>, &cancel)
            .await?;
        tracing::info!(code = %order.code, "a buyer's order was placed and accepted");
    }
    Ok(())
}
