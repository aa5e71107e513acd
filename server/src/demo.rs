//! `sentra-server demo`: a server with data shaped like the brief's, which simulated phones
//! pushed through the real protocol. A facilitator in Pemalang registers the 146 garment makers
//! of Rowosari (21 clusters, 1,092 workers) and the crystal-sugar makers of a Banyumas
//! cooperative, lists their few hundred products with camera-sized photos, records months of
//! their market sales, and syncs. One producer then signs in on their own phone, gets their
//! shop, records a sale and syncs it back. The server's admin makes the clusters and the
//! cooperative; buyers order from the storefront (the facilitator's phone accepts, ships or
//! rejects), the facilitator enters orders taken by phone, and a buyer's bulk request to the
//! cooperative is split among its members while a second waits.
//!
//! Who and what is in it: `demo/people.rs`; the photos: `demo/pictures.rs` (ten pictures drawn
//! once per machine, each taken in through the photo pipeline once and shared by the products
//! that look alike, so start-up stays a few seconds).

mod people;
mod pictures;

use crate::AppState;
use crate::bulk::{self, BulkRequest};
use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, Transition};
use sentra_core::producers::NewProducer;
use sentra_core::sales::NewSale;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::{Account, Id, Role, Sentra};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::Instant;

/// The demo's sign-ins, printed for whoever runs it.
pub const FACILITATOR: (&str, &str) = ("pendamping.pemalang", "demo-pemalang");
/// The official's sign-in (the dashboard, `/dasbor`).
pub const OFFICIAL: (&str, &str) = ("dinas.jateng", "demo-dinas");
/// The Banyumas cooperative's admin (its bulk orders, `/koperasi/…/permintaan`).
pub const COOPERATIVE_ADMIN: (&str, &str) = ("admin.koperasi", "demo-koperasi");
/// The PIN of the demo producers who have an account of their own.
pub const PRODUCER_PIN: &str = "123456";
/// The producers with an account of their own (the rest are kept by the facilitator).
pub const PRODUCERS_WITH_ACCOUNTS: [&str; 3] =
    ["0812-2750-1001", "0812-2750-1002", "0813-2900-2001"];

struct Quiet;
impl ProgressListener for Quiet {
    fn on_progress(&self, _: SyncProgress) {}
}

type DemoResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A registered demo producer: their id, their products' variants (first product first).
struct Listed {
    producer: Id,
    phone: String,
    regency: &'static str,
    cluster: Option<usize>,
    variants: Vec<Vec<Id>>,
}

/// Today's date in Western Indonesia Time, minus `days`, as `YYYY-MM-DD`.
fn days_ago(days: i64) -> String {
    let day = (time::OffsetDateTime::now_utc() + time::Duration::hours(7)
        - time::Duration::days(days))
    .date();
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// Registers every maker on the facilitator's phone with their products (each photo taken in
/// once, then shared) and months of market sales.
fn register_all(phone: &Sentra) -> DemoResult<Vec<Listed>> {
    let pictures = pictures::pictures(&std::env::temp_dir().join("sentra-demo-photos-v2"))?;
    let mut taken: Vec<Option<sentra_core::photos::Photo>> = vec![None; pictures.len()];
    let mut listed = Vec::new();
    for (i, maker) in people::makers().into_iter().enumerate() {
        let producer = phone.register_producer(&NewProducer {
            business_name: maker.business.clone(),
            owner_name: maker.owner.clone(),
            phone: maker.phone.clone(),
            address: if maker.regency == "3327" {
                format!(
                    "Dukuh {}, Desa Rowosari, Ulujami",
                    people::CLUSTERS[maker.cluster.unwrap_or(0)]
                )
            } else {
                "Desa Pageraji, Cilongok".to_owned()
            },
            region_code: maker.regency.into(),
            sector: maker.sector.into(),
            workforce: maker.workforce,
            year_founded: Some(1995 + (i as i64 * 7) % 28),
            consent_publish: true,
            consent_date: Some("2026-08-01".into()),
            ..Default::default()
        })?;
        let mut variants = Vec::new();
        for (name, category, unit, price, sizes, picture) in &maker.products {
            let product = phone.create_product(&NewProduct {
                producer_id: producer.to_string(),
                name: (*name).into(),
                description: format!("{name} buatan {}.", maker.business),
                category: (*category).into(),
                unit: (*unit).into(),
                price: *price,
                min_order: 1,
                weight_g: if *category == "Makanan" { 1_000 } else { 500 },
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
            match &taken[*picture] {
                Some(photo) => {
                    phone.share_photo(product, photo)?;
                }
                None => taken[*picture] = Some(phone.add_photo(product, &pictures[*picture])?),
            }
            variants.push(
                phone
                    .product(product)?
                    .variants
                    .iter()
                    .map(|v| v.id)
                    .collect(),
            );
        }
        listed.push(Listed {
            producer,
            phone: maker.phone,
            regency: maker.regency,
            cluster: maker.cluster,
            variants,
        });
    }
    // Market sales the facilitator noted on visits over the last three months.
    let channels = ["market_stall", "reseller", "exhibition", "market_stall"];
    // (Not the first maker's: she keeps her own ledger on her own phone.)
    for (i, maker) in listed.iter().enumerate().skip(1) {
        for k in 0..(2 + i % 3) {
            let product = &maker.variants[k % maker.variants.len()];
            phone.record_sale(&NewSale {
                variant_id: product[(i + k) % product.len()].to_string(),
                quantity: 1 + ((i + k) % 5) as i64,
                unit_price: None,
                channel: channels[(i + k) % channels.len()].into(),
                sold_on: days_ago(2 + ((i * 13 + k * 29) % 88) as i64),
            })?;
        }
    }
    Ok(listed)
}

/// Fills a running server at `url` with the demo data. `work` holds the simulated phones.
pub async fn seed(state: &AppState, url: &str, work: &Path) -> DemoResult<()> {
    let started = Instant::now();
    let options = SyncOptions::default();
    let cancel = CancelToken::new();
    let account =
        |state: AppState, login: String, secret: &'static str, role: Role, producer: Option<Id>| {
            tokio::task::spawn_blocking(move || {
                state.create_account(&login, secret, role, producer)
            })
        };
    account(
        state.clone(),
        FACILITATOR.0.into(),
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
    let phone = std::sync::Arc::new(phone);
    let listed = {
        let phone = phone.clone();
        tokio::task::spawn_blocking(move || register_all(&phone)).await??
    };
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "the facilitator's phone registered everyone, offline"
    );
    let report = phone
        .sync(&transport, &options, None::<&Quiet>, &cancel)
        .await?;
    tracing::info!(
        pushed = report.pushed,
        photos = report.photos_sent,
        seconds = started.elapsed().as_secs_f64(),
        "facilitator's phone synced"
    );

    // Three producers activate accounts of their own; the first signs in on her own phone.
    for login in PRODUCERS_WITH_ACCOUNTS {
        let producer = listed.iter().find(|l| l.phone == login).map(|l| l.producer);
        account(
            state.clone(),
            login.into(),
            PRODUCER_PIN,
            Role::Producer,
            producer,
        )
        .await??;
    }
    let login = PRODUCERS_WITH_ACCOUNTS[0];
    let own = Sentra::open(&work.join("producer.db"))?;
    let (own_transport, signed_in) =
        HttpTransport::sign_in(url, own.device_id(), login, PRODUCER_PIN).await?;
    own.set_account(Account {
        user_id: signed_in.user_id,
        role: signed_in.role,
    })?;
    own.sync(&own_transport, &options, None::<&Quiet>, &cancel)
        .await?;
    let first_variant = listed[0].variants[0][0];
    own.record_sale(&NewSale {
        variant_id: first_variant.to_string(),
        quantity: 2,
        unit_price: None,
        channel: "market_stall".into(),
        sold_on: "2026-11-22".into(),
    })?;
    let report = own
        .sync(&own_transport, &options, None::<&Quiet>, &cancel)
        .await?;
    tracing::info!(pushed = report.pushed, "producer's phone synced");

    // The official and the cooperative's admin; Rowosari's clusters and the Banyumas
    // cooperative, made by the server's admin.
    account(
        state.clone(),
        OFFICIAL.0.into(),
        OFFICIAL.1,
        Role::Official,
        None,
    )
    .await??;
    let admin = account(
        state.clone(),
        COOPERATIVE_ADMIN.0.into(),
        COOPERATIVE_ADMIN.1,
        Role::CooperativeAdmin,
        None,
    )
    .await??;
    let clusters: Vec<(usize, Id)> = listed
        .iter()
        .filter_map(|l| l.cluster.map(|c| (c, l.producer)))
        .collect();
    let sugar: Vec<Id> = listed
        .iter()
        .filter(|l| l.regency == "3302")
        .map(|l| l.producer)
        .collect();
    let seeded = state.clone();
    let cooperative = tokio::task::spawn_blocking(move || -> Result<Id, crate::error::ApiError> {
        seeded.replica()?.act(|core| {
            for (index, name) in people::CLUSTERS.iter().enumerate() {
                let cluster = core.create_organisation(
                    "cluster",
                    &format!("Sentra Jeans Rowosari — {name}"),
                    "3327",
                )?;
                for (_, member) in clusters.iter().filter(|(c, _)| *c == index) {
                    core.add_member(cluster, *member)?;
                }
            }
            let cooperative =
                core.create_organisation("cooperative", "Koperasi Gula Kristal Banyumas", "3302")?;
            for member in &sugar {
                core.add_member(cooperative, *member)?;
            }
            core.add_admin(cooperative, admin.user_id)?;
            Ok(cooperative)
        })
    })
    .await??;

    // Buyers order from the storefront, each from their own address; the first order goes to
    // the producer with her own phone, who accepts it there.
    let mut placed = Vec::new();
    for j in 0..40usize {
        let maker = if j == 0 {
            &listed[0]
        } else {
            &listed[1 + (j * 17) % (listed.len() - 1)]
        };
        let (name, phone_no, regency, address) = people::BUYERS[j % people::BUYERS.len()];
        let product = &maker.variants[j % maker.variants.len()];
        let request = crate::orders::OrderRequest {
            key: format!("demo-order-{}", j + 1),
            producer_id: maker.producer.to_string(),
            buyer: Buyer {
                name: name.into(),
                phone: phone_no.into(),
                regency_code: regency.into(),
                address: address.into(),
            },
            note: if j == 0 {
                "Mohon dikirim minggu ini".into()
            } else {
                String::new()
            },
            lines: vec![NewOrderLine {
                variant_id: product[j % product.len()].to_string(),
                quantity: 1 + (j % 4) as i64,
            }],
        };
        let ordering = state.clone();
        let client = crate::limits::ClientAddress::of(Some(IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            1,
            j as u8 + 1,
        ))));
        let order = tokio::task::spawn_blocking(move || {
            crate::orders::place_order(&ordering, client, request)
        })
        .await??;
        placed.push((maker.producer, order));
    }
    own.sync(&own_transport, &options, None::<&Quiet>, &cancel)
        .await?;
    own.transition_order(placed[0].1.id, &Transition::Accept)?;
    own.sync(&own_transport, &options, None::<&Quiet>, &cancel)
        .await?;
    tracing::info!(code = %placed[0].1.code, "a buyer's order was placed and accepted");

    // The facilitator's phone gets the others: most accepted, half of those shipped, one
    // rejected; and orders the facilitator took by phone are entered.
    phone
        .sync(&transport, &options, None::<&Quiet>, &cancel)
        .await?;
    for (j, (_, order)) in placed.iter().enumerate().skip(1) {
        if j % 9 == 0 {
            phone.transition_order(
                order.id,
                &Transition::Reject {
                    reason: "Stok bahan habis".into(),
                },
            )?;
            continue;
        }
        if j % 5 == 4 {
            continue; // still waiting for an answer
        }
        phone.transition_order(order.id, &Transition::Accept)?;
        if j % 2 == 0 {
            phone.transition_order(
                order.id,
                &Transition::Ship {
                    courier: ["JNE", "J&T", "SiCepat", "Pos Indonesia"][j % 4].into(),
                    tracking_no: format!("DEMO{:08}", 40_000 + j * 37),
                },
            )?;
        }
    }
    for j in 0..10usize {
        let maker = &listed[3 + (j * 29) % (listed.len() - 3)];
        let (name, phone_no, regency, address) = people::BUYERS[(j + 3) % people::BUYERS.len()];
        phone.create_order(&NewOrder {
            producer_id: maker.producer.to_string(),
            channel: "facilitator".into(),
            buyer: Buyer {
                name: name.into(),
                phone: phone_no.into(),
                regency_code: regency.into(),
                address: address.into(),
            },
            note: "Dipesan lewat telepon ke pendamping".into(),
            lines: vec![NewOrderLine {
                variant_id: maker.variants[0][0].to_string(),
                quantity: 2 + j as i64,
            }],
            request_key: format!("demo-facilitator-{j}"),
        })?;
    }
    phone
        .sync(&transport, &options, None::<&Quiet>, &cancel)
        .await?;

    // A buyer asks the cooperative for a ton of sugar, split among three members; a second
    // request waits for the admin.
    let sugar_makers: Vec<(Id, Id)> = listed
        .iter()
        .filter(|l| l.regency == "3302")
        .take(3)
        .map(|l| (l.producer, l.variants[0][0]))
        .collect();
    let splitting = state.clone();
    tokio::task::spawn_blocking(move || -> Result<(), crate::error::ApiError> {
        let buyer = |name: &str, phone: &str, regency: &str, address: &str| Buyer {
            name: name.into(),
            phone: phone.into(),
            regency_code: regency.into(),
            address: address.into(),
        };
        let first = bulk::submit(
            &splitting,
            cooperative,
            "demo-bulk-1",
            BulkRequest {
                buyer: buyer(
                    "CV Sumber Pangan",
                    "0812-8800-1207",
                    "1275",
                    "Jl. Gatot Subroto 40, Medan",
                ),
                request: "Gula kristal kelapa, kemasan 1 kg".into(),
                quantity: 1_000,
                unit: "kg".into(),
                note: "Dikirim akhir bulan, bayar transfer".into(),
            },
        )?
        .map_err(|_| crate::error::ApiError::BadBody)?;
        let split: Vec<(Id, Vec<NewOrderLine>)> = sugar_makers
            .iter()
            .zip([400, 350, 250])
            .map(|((member, variant), quantity)| {
                (
                    *member,
                    vec![NewOrderLine {
                        variant_id: variant.to_string(),
                        quantity,
                    }],
                )
            })
            .collect();
        bulk::allocate(&splitting, &first, &split)?;
        bulk::submit(
            &splitting,
            cooperative,
            "demo-bulk-2",
            BulkRequest {
                buyer: buyer(
                    "Dinas Koperasi Kab. Banyumas",
                    "0281-555-9876",
                    "3302",
                    "Jl. Pemuda 1, Purwokerto",
                ),
                request: "Gula semut organik untuk pameran UMKM".into(),
                quantity: 200,
                unit: "pack".into(),
                note: String::new(),
            },
        )?
        .map_err(|_| crate::error::ApiError::BadBody)?;
        Ok(())
    })
    .await??;
    tracing::info!(
        producers = listed.len(),
        orders = placed.len(),
        seconds = started.elapsed().as_secs_f64(),
        "demo data ready"
    );
    Ok(())
}
