//! Benchmark 4: server load. Simulated devices, concurrent on loopback, each running sync
//! cycles (push 20 entries, then pull) against a `sentra-server serve` process, on SQLite and
//! then on PostgreSQL. Bounded: a fixed number of cycles per device and an overall time limit,
//! and only ever a loopback address.
//!
//! A simulated device speaks the real protocol (`sentra_core::sync::wire`: zstd JSON, bearer
//! token bound to its device id) without a store of its own: its entries are product creations
//! as the core writes them (taken from a real phone's outbox), each with a fresh id and the
//! device's own producer.

use crate::error::{BenchError, Result};
use crate::measure::percentile;
use crate::report::{self, Section, met, thousands};
use crate::server::{Backend, ServerProcess};
use sentra_core::sync::wire::{
    self, Change, LoginRequest, LoginResponse, PullRequest, PullResponse, PushEntry, PushRequest,
    PushResponse,
};
use sentra_core::{Id, Sentra};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The benchmark's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Device counts, run one after the other (100, then 1,000).
    pub devices: Vec<usize>,
    /// Sync cycles per device in each run.
    pub cycles: usize,
    /// Entries pushed per cycle (20).
    pub entries: usize,
    /// The backends, in order.
    pub backends: Vec<Backend>,
    /// The longest one run may take.
    pub limit: Duration,
}

const PIN: &str = "135790";

/// One simulated phone.
struct Device {
    id: Id,
    producer: Id,
    token: String,
    seq: i64,
    cursor: Option<String>,
}

/// One run's figures.
#[derive(Debug, Clone)]
struct Figures {
    devices: usize,
    applied: u64,
    failures: u64,
    wall: Duration,
    p50: Duration,
    p99: Duration,
    peak_rss_kib: i64,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.applied as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// Product creations as the core writes them, to copy with fresh ids.
fn template(entries: usize) -> Result<Vec<Change>> {
    let dir = tempfile::tempdir()?;
    let phone = Sentra::open(&dir.path().join("template.db"))?;
    let me = crate::device::register(&phone)?;
    crate::device::fill(&phone, me, entries)?;
    let batch = phone
        .sync_push_batch(usize::MAX >> 1)?
        .ok_or_else(|| BenchError::Setup("the template phone has nothing to push".into()))?;
    let changes: Vec<Change> = batch
        .entries
        .into_iter()
        .map(|e| e.change)
        .filter(|c| c.entity == "product")
        .collect();
    if changes.len() < entries {
        return Err(BenchError::Setup(
            "too few product entries in the template".into(),
        ));
    }
    Ok(changes)
}

fn login_of(i: usize) -> String {
    format!("0813{:08}", 20_000_000 + i)
}

async fn post<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Q,
) -> std::result::Result<A, String> {
    let body = wire::encode(body).map_err(|e| e.to_string())?;
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header("content-encoding", "zstd")
        .header("authorization", format!("Bearer {token}"))
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    wire::decode(&bytes).map_err(|e| e.to_string())
}

/// One device's cycles: returns entries applied, failures and each cycle's time.
async fn cycles(
    http: reqwest::Client,
    base: String,
    mut device: Device,
    template: Arc<Vec<Change>>,
    settings: Arc<Settings>,
    start: Arc<tokio::sync::Barrier>,
) -> (Device, u64, u64, Vec<Duration>) {
    start.wait().await;
    let (mut applied, mut failures, mut times) = (0, 0, Vec::new());
    for _ in 0..settings.cycles {
        let began = Instant::now();
        let entries = template
            .iter()
            .take(settings.entries)
            .map(|change| {
                device.seq += 1;
                let mut change = change.clone();
                change.id = Id::new();
                change.fields.insert(
                    "producer_id".into(),
                    serde_json::Value::String(device.producer.to_string()),
                );
                PushEntry {
                    seq: device.seq,
                    change,
                }
            })
            .collect();
        let push = PushRequest {
            version: wire::PROTOCOL_VERSION,
            device_id: device.id,
            entries,
        };
        match post::<_, PushResponse>(&http, &format!("{base}/v1/sync/push"), &device.token, &push)
            .await
        {
            Ok(answer) => {
                applied += answer
                    .results
                    .iter()
                    .filter(|r| r.outcome == wire::Outcome::Applied)
                    .count() as u64;
            }
            Err(_) => failures += 1,
        }
        let pull = PullRequest {
            version: wire::PROTOCOL_VERSION,
            device_id: device.id,
            cursor: device.cursor.clone(),
            max_bytes: 2 * 1024 * 1024,
        };
        match post::<_, PullResponse>(&http, &format!("{base}/v1/sync/pull"), &device.token, &pull)
            .await
        {
            Ok(page) => device.cursor = Some(page.next_cursor),
            Err(_) => failures += 1,
        }
        times.push(began.elapsed());
    }
    (device, applied, failures, times)
}

async fn sign_in(http: &reqwest::Client, base: &str, device: &mut Device, i: usize) -> Result<()> {
    let answer: LoginResponse = post(
        http,
        &format!("{base}/v1/login"),
        "",
        &LoginRequest {
            version: wire::PROTOCOL_VERSION,
            device_id: device.id,
            login: login_of(i),
            secret: PIN.into(),
        },
    )
    .await
    .map_err(|e| BenchError::Setup(format!("sign in device {i}: {e}")))?;
    device.token = answer.token;
    Ok(())
}

async fn run_backend(settings: &Arc<Settings>, backend: &Backend) -> Result<Vec<Figures>> {
    let most = settings.devices.iter().copied().max().unwrap_or(0);
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("server");
    let mut devices: Vec<Device> = (0..most)
        .map(|_| Device {
            id: Id::new(),
            producer: Id::new(),
            token: String::new(),
            seq: 0,
            cursor: None,
        })
        .collect();
    eprintln!("== load, {}: creating {most} accounts", backend.name());
    {
        let data = data.clone();
        let backend = backend.clone();
        let producers: Vec<Id> = devices.iter().map(|d| d.producer).collect();
        tokio::task::spawn_blocking(move || -> Result<()> {
            let state = crate::server::open_state(&data, &backend)?;
            // Two threads: argon2id hashing is the slow part, and there are two cores.
            let half = producers.len().div_ceil(2).max(1);
            std::thread::scope(|scope| {
                let jobs: Vec<_> = producers
                    .chunks(half)
                    .enumerate()
                    .map(|(part, chunk)| {
                        let state = &state;
                        scope.spawn(move || -> Result<()> {
                            for (j, producer) in chunk.iter().enumerate() {
                                let i = part * half + j;
                                crate::server::create_producer(
                                    state,
                                    &login_of(i),
                                    PIN,
                                    *producer,
                                )?;
                            }
                            Ok(())
                        })
                    })
                    .collect();
                for job in jobs {
                    job.join()
                        .map_err(|_| BenchError::Setup("account thread panicked".into()))??;
                }
                Ok(())
            })
        })
        .await
        .map_err(|e| BenchError::Setup(e.to_string()))??;
    }
    let template = Arc::new(template(settings.entries)?);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let mut figures = Vec::new();
    for &n in &settings.devices {
        let server = ServerProcess::start(&data, backend)?;
        let base = server.url();
        eprintln!("== load, {}: signing in {n} devices", backend.name());
        for (i, device) in devices.iter_mut().enumerate().take(n) {
            if device.token.is_empty() {
                sign_in(&http, &base, device, i).await?;
            }
        }
        eprintln!(
            "== load, {}: {n} devices × {} cycles",
            backend.name(),
            settings.cycles
        );
        let start = Arc::new(tokio::sync::Barrier::new(n + 1));
        let mut tasks = tokio::task::JoinSet::new();
        for device in devices.drain(..n) {
            tasks.spawn(cycles(
                http.clone(),
                base.clone(),
                device,
                template.clone(),
                settings.clone(),
                start.clone(),
            ));
        }
        start.wait().await;
        let began = Instant::now();
        let mut done = Vec::new();
        let (mut applied, mut failures, mut times) = (0, 0, Vec::new());
        let finished = tokio::time::timeout(settings.limit, async {
            while let Some(joined) = tasks.join_next().await {
                if let Ok((device, a, f, t)) = joined {
                    done.push(device);
                    applied += a;
                    failures += f;
                    times.extend(t);
                }
            }
        })
        .await;
        let wall = began.elapsed();
        if finished.is_err() {
            tasks.abort_all();
            return Err(BenchError::Run(format!(
                "{n} devices did not finish within {:?}",
                settings.limit
            )));
        }
        let peak_rss_kib = server.peak_rss_kib()?;
        server.stop()?;
        done.append(&mut devices);
        devices = done;
        figures.push(Figures {
            devices: n,
            applied,
            failures,
            wall,
            p50: percentile(&times, 50.0),
            p99: percentile(&times, 99.0),
            peak_rss_kib,
        });
    }
    Ok(figures)
}

/// Runs every backend and writes the section.
pub async fn run(settings: Settings, command_line: &str) -> Result<Section> {
    let settings = Arc::new(settings);
    let mut results = Vec::new();
    for backend in &settings.backends {
        results.push((backend.name(), run_backend(&settings, backend).await?));
    }
    let mut section = Section::new("load", "Server load", command_line);
    section.fact(
        "Setup",
        &format!(
            "a `sentra-server serve` process on loopback; each simulated device signs in (its \
             own producer account and device-bound token), then all start together and each runs \
             {} sync cycles: push {} entries (product creations as the core writes them, fresh \
             ids), then pull from its cursor. One run per device count, the server restarted \
             between runs. The load generator runs on the same 2 cores as the server",
            settings.cycles, settings.entries
        ),
    );
    section.fact(
        "Measured",
        "entries applied ÷ the run's wall time (first push to last answer); the p50 and p99 of \
         one cycle (push + pull) as a device sees it; the server's peak RSS (`VmHWM`)",
    );
    section.fact(
        "Goals",
        "ingest ≥ 20,000 entries/s on SQLite, p99 < 500 ms with 1,000 devices, PostgreSQL \
         within 2× of SQLite",
    );
    let most = settings.devices.iter().copied().max().unwrap_or(0);
    let mut rows = Vec::new();
    for (name, figures) in &results {
        for f in figures {
            rows.push(vec![
                (*name).to_owned(),
                thousands(f.devices as u64),
                thousands(f.applied),
                thousands(f.failures),
                report::duration(f.wall),
                format!("{:.0}", f.per_second()),
                report::duration(f.p50),
                report::duration(f.p99),
                format!("{:.1} MB", f.peak_rss_kib as f64 / 1024.0),
            ]);
        }
    }
    section.table(
        &[
            "backend",
            "devices",
            "entries applied",
            "failed requests",
            "wall time",
            "entries/s",
            "cycle p50",
            "cycle p99",
            "server peak RSS",
        ],
        &rows,
    );
    let at = |name: &str| {
        results
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, f)| f.iter().find(|f| f.devices == most))
    };
    let mut goals = Vec::new();
    if let Some(s) = at("SQLite") {
        goals.push(vec![
            format!("SQLite ingest, {most} devices"),
            format!("{:.0} entries/s", s.per_second()),
            "≥ 20,000/s".into(),
            met(Some(s.per_second() >= 20_000.0)),
        ]);
    }
    for (name, _) in &results {
        if let Some(f) = at(name) {
            goals.push(vec![
                format!("{name} cycle p99, {most} devices"),
                report::duration(f.p99),
                "< 500 ms".into(),
                met(Some(f.p99 < Duration::from_millis(500))),
            ]);
        }
    }
    match (at("SQLite"), at("PostgreSQL")) {
        (Some(s), Some(p)) => {
            let r = s.per_second() / p.per_second().max(1e-9);
            goals.push(vec![
                "SQLite's entries/s ÷ PostgreSQL's".into(),
                format!("{r:.2}×"),
                "≤ 2×".into(),
                met(Some(r <= 2.0)),
            ]);
        }
        _ => goals.push(vec![
            "PostgreSQL within 2× of SQLite".into(),
            "not run (no SENTRA_TEST_POSTGRES: run it under scripts/with-postgres)".into(),
            "≤ 2×".into(),
            met(None),
        ]),
    }
    section.table(&["goal", "result", "target", "met"], &goals);
    Ok(section)
}
