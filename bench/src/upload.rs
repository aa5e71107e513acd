//! Benchmark 3: resumable photo upload over "3G bad day", with the connection cut at random
//! points. The real engine and the real server process, through the proxy.

use crate::device;
use crate::error::{BenchError, Result};
use crate::proxy::{Profile, Proxy};
use crate::report::{self, Section, met, thousands};
use crate::server::{Backend, ServerProcess};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sentra_core::Sentra;
use std::path::PathBuf;
use std::time::Instant;

/// The benchmark's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Products, each with its own photo (20).
    pub products: usize,
    /// Cuts (5).
    pub cuts: usize,
    /// JPEGs as a camera wrote them; product `i` takes the `i`-th (sorted by name).
    pub photos: PathBuf,
    /// The link.
    pub profile: Profile,
    /// Seeds the cut points and the losses.
    pub seed: u64,
}

/// Runs the benchmark and writes its section.
pub async fn run(settings: &Settings, command_line: &str) -> Result<Section> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&settings.photos)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    sources.sort();
    if sources.len() < settings.products {
        return Err(BenchError::Setup(format!(
            "{} photos in {}, {} needed",
            sources.len(),
            settings.photos.display(),
            settings.products
        )));
    }
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("server");
    let phone = Sentra::open(&dir.path().join("phone.db"))?;
    let me = device::register(&phone)?;
    {
        let data = data.clone();
        tokio::task::spawn_blocking(move || {
            let state = crate::server::open_state(&data, &Backend::Sqlite)?;
            crate::server::create_producer(&state, device::LOGIN, device::PIN, me)
        })
        .await
        .map_err(|e| BenchError::Setup(e.to_string()))??;
    }
    let mut source_bytes = 0;
    for (i, source) in sources.iter().take(settings.products).enumerate() {
        let product = phone.create_product(&device::product(me, i))?;
        phone.add_photo(product, source)?;
        source_bytes += std::fs::metadata(source)?.len();
    }
    let queue = phone.photo_upload_queue(false)?;
    let photo_bytes: u64 = queue.iter().map(|f| f.bytes.max(0) as u64).sum();
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let mut cuts: Vec<u64> = (0..settings.cuts)
        .map(|_| rng.random_range(1..photo_bytes.max(2)))
        .collect();
    cuts.sort_unstable();

    let server = ServerProcess::start(&data, &Backend::Sqlite)?;
    let proxy = Proxy::start(
        server.addr(),
        settings.profile.clone(),
        cuts.clone(),
        settings.seed,
    )
    .await?;
    let transport = device::sign_in(&phone, &server.url(), &proxy.url()).await?;
    let started = Instant::now();
    let (mut syncs, mut requests, mut engine_photo_bytes) = (0, 0, 0);
    loop {
        syncs += 1;
        let report = device::sync(&phone, &transport).await?;
        requests += report.requests;
        engine_photo_bytes += report.photo_bytes;
        let summary = phone.photo_upload_summary()?;
        if summary.waiting == 0 && summary.uploading == 0 && summary.failed == 0 {
            break;
        }
        if syncs >= 20 {
            return Err(BenchError::Run(format!(
                "photos still waiting after 20 syncs: {summary:?}"
            )));
        }
    }
    let took = started.elapsed();
    let wire = proxy.counts();
    server.stop()?;
    let limit = settings.profile.limit(photo_bytes);
    let ratio = wire.up as f64 / photo_bytes as f64;

    let mut section = Section::new(
        "upload",
        "Resumable photo upload over a cut link",
        command_line,
    );
    section.fact("Link", &settings.profile.describe());
    section.fact(
        "Data",
        &format!(
            "{} products, each with its own photo: {} camera JPEGs ({} bytes, 3,600×2,700 crops of \
             the 12 MP test photo) become {} files to upload (a 1280 px display image and a \
             320 px thumbnail each), {} bytes",
            settings.products,
            settings.products,
            thousands(source_bytes),
            queue.len(),
            thousands(photo_bytes)
        ),
    );
    section.fact(
        "Cuts",
        &format!(
            "the proxy closes the connection carrying upstream byte {} (random points in the photo \
             bytes, seed {}); the engine resumes from the offset the server confirmed",
            cuts.iter()
                .map(|c| thousands(*c))
                .collect::<Vec<_>>()
                .join(", "),
            settings.seed
        ),
    );
    section.fact(
        "Method",
        "the real engine (`Sentra::sync`, default options: thumbnails first, 64 KiB chunks) \
         against a `sentra-server serve` process, synced again until no photo waits (at most 20 \
         syncs); bytes sent are everything the phone sent through the proxy (headers, the \
         product push and every photo chunk, resent ones included)",
    );
    section.table(
        &["figure", "result", "goal", "met"],
        &[
            vec![
                "bytes sent ÷ photo bytes".into(),
                format!(
                    "{ratio:.3}× ({} ÷ {})",
                    thousands(wire.up),
                    thousands(photo_bytes)
                ),
                "≤ 1.1×".into(),
                met(Some(ratio <= 1.1)),
            ],
            vec![
                "photo bytes the engine sent ÷ photo bytes".into(),
                report::ratio(engine_photo_bytes as f64, photo_bytes as f64),
                "(none)".into(),
                "n/a".into(),
            ],
            vec![
                "cuts made".into(),
                format!("{} of {}", wire.cuts, settings.cuts),
                "(none)".into(),
                "n/a".into(),
            ],
            vec![
                "time to upload everything".into(),
                report::duration(took),
                "(none)".into(),
                "n/a".into(),
            ],
            vec![
                "physical limit (photo bytes ÷ rate + one round trip)".into(),
                format!(
                    "{}; the time is {:.2}× it",
                    report::duration(limit),
                    took.as_secs_f64() / limit.as_secs_f64().max(1e-9)
                ),
                "(none)".into(),
                "n/a".into(),
            ],
            vec![
                "syncs, requests, connections".into(),
                format!("{syncs}, {requests}, {}", wire.connections),
                "(none)".into(),
                "n/a".into(),
            ],
        ],
    );
    Ok(section)
}
