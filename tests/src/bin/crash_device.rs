//! A child process for the crash-injection suite: a facilitator's phone that signs in, registers
//! a producer once, then writes, ingests photos and syncs in a loop, printing a line for every
//! write that returned (`product ID`, `photo ID`, `sale ID`) and for every sync (`synced` or
//! `sync-failed`), until it is killed.
//!
//! Usage: `crash_device DB URL LOGIN SECRET SEED MODE`, where MODE is `writes` (local writes
//! only), `photos` (a photo with every product), `sync` (writes with a sync after each),
//! `push` (twenty products, then a sync in small batches, over and over) or `sync-once` (sync
//! until everything is sent, then exit).

use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::{Account, Sentra};
use std::io::Write;
use std::time::Duration;

struct Quiet;
impl ProgressListener for Quiet {
    fn on_progress(&self, _: SyncProgress) {}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, url, login, secret, seed, mode] = args.as_slice() else {
        return Err("usage: crash_device DB URL LOGIN SECRET SEED MODE".into());
    };
    let seed: usize = seed.parse()?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run(db, url, login, secret, seed, mode))
}

fn say(line: String) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

async fn run(
    db: &str,
    url: &str,
    login: &str,
    secret: &str,
    seed: usize,
    mode: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let sentra = Sentra::open(db.as_ref())?;
    // Offline is normal: without the server the phone keeps writing.
    let transport = match HttpTransport::sign_in(url, sentra.device_id(), login, secret).await {
        Ok((transport, answer)) => {
            sentra.set_account(Account {
                user_id: answer.user_id,
                role: answer.role,
            })?;
            Some(transport)
        }
        Err(_) => None,
    };
    let options = SyncOptions {
        deadline: Duration::from_secs(20),
        push_batch_bytes: if mode == "push" { 8 * 1024 } else { 64 * 1024 },
        first_backoff: Duration::from_millis(20),
        ..Default::default()
    };
    let sync = |transport: &HttpTransport| {
        let (sentra, options) = (&sentra, &options);
        let transport = transport.clone();
        async move {
            let report = sentra
                .sync(&transport, options, None::<&Quiet>, &CancelToken::new())
                .await;
            matches!(report, Ok(r) if r.completed)
        }
    };
    if mode == "sync-once" {
        let transport = transport.ok_or("the server is not there")?;
        for _ in 0..20 {
            if sync(&transport).await && sentra.sync_push_batch(1)?.is_none() {
                say("synced".into())?;
                return Ok(());
            }
        }
        return Err("sync did not finish".into());
    }
    let producer = match sentra.producers(false, 0, 1)?.first() {
        Some(p) => p.id,
        None => {
            let id = sentra.register_producer(&sentra_tests::rowosari_jeans_maker())?;
            say(format!("producer {id}"))?;
            id
        }
    };
    let scratch = std::path::PathBuf::from(format!("{db}-scratch"));
    std::fs::create_dir_all(&scratch)?;
    for i in 0.. {
        let burst = if mode == "push" { 20 } else { 1 };
        for _ in 0..burst {
            let product = sentra.create_product(&sentra_tests::jeans(&producer.to_string()))?;
            say(format!("product {product}"))?;
            if mode == "photos" {
                let source = scratch.join("shot.png");
                sentra_tests::noise_photo(seed * 100_000 + i, 320, 240)
                    .save(&source)
                    .map_err(std::io::Error::other)?;
                let photo = sentra.add_photo(product, &source)?;
                say(format!("photo {}", photo.id))?;
            }
            let variants = sentra.product(product)?.variants;
            let sale = sentra.record_sale(&sentra_core::sales::NewSale {
                variant_id: variants[(i + seed) % variants.len()].id.to_string(),
                quantity: 1 + (i % 3) as i64,
                unit_price: None,
                channel: "market_stall".into(),
                sold_on: "2026-11-22".into(),
            })?;
            say(format!("sale {sale}"))?;
        }
        if matches!(mode, "sync" | "push")
            && let Some(transport) = &transport
        {
            say(if sync(transport).await {
                "synced"
            } else {
                "sync-failed"
            }
            .into())?;
        }
    }
    Ok(())
}
