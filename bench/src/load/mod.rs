//! Benchmark 4: server load. Simulated devices, concurrent on loopback, each running sync
//! cycles (push 20 entries, then pull) against a `sentra-server serve` process, on SQLite and
//! then on PostgreSQL. Bounded: a fixed number of cycles per device and an overall time limit,
//! and only ever a loopback address.
//!
//! On PostgreSQL the largest device count runs again with 2 and 3 server processes on the same
//! database (each with its own port and data directory), side by side with one: in a run, the
//! `i`th device keeps to server `i mod N` for all its pushes and pulls, as a balancer with sticky
//! sessions would send it. SQLite stays one server (it is one file on one machine).
//!
//! A simulated device speaks the real protocol (`sentra_core::sync::wire`: zstd JSON, bearer
//! token bound to its device id) without a store of its own: its entries are product creations
//! as the core writes them (taken from a real phone's outbox), each with a fresh id and the
//! device's own producer. Its pushes are encoded before the run starts (a phone does that on its
//! own CPU, not on the server's), so the cores the server is measured on carry only the
//! generator's HTTP, its pulls and the reading of answers.

use crate::error::{BenchError, Result};
use crate::measure::percentile;
use crate::report::Section;
use crate::server::{Backend, ServerProcess};
use sentra_core::sync::wire::{
    self, Change, LoginRequest, LoginResponse, PullRequest, PullResponse, PushEntry, PushRequest,
    PushResponse,
};
use sentra_core::{Id, Sentra};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod section;

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
    /// Server counts on PostgreSQL for the largest device count (1, 2, 3; always with 1, the
    /// anchor the others are divided by).
    pub servers: Vec<usize>,
    /// Rounds: every run of every backend, again and again, the backends taking turns to go
    /// first, so that each ratio compares runs of the same moment (figures are the medians).
    pub rounds: usize,
    /// The longest one run may take.
    pub limit: Duration,
}

const PIN: &str = "135790";

/// Parses `--servers 1,2,3`: server counts from 1 to 8, sorted, each once, and 1 among them.
pub fn server_counts(text: &str) -> Result<Vec<usize>> {
    let mut counts = text
        .split(',')
        .map(|n| match n.trim().parse::<usize>() {
            Ok(n) if (1..=8).contains(&n) => Ok(n),
            _ => Err(BenchError::Usage(format!(
                "--servers: {n:?} is not a server count from 1 to 8"
            ))),
        })
        .collect::<Result<Vec<usize>>>()?;
    counts.sort_unstable();
    counts.dedup();
    if counts.first() != Some(&1) {
        return Err(BenchError::Usage(
            "--servers must include 1: the other counts are compared with it".into(),
        ));
    }
    Ok(counts)
}

/// The runs on one backend, in order, as (devices, servers): each device count with one
/// server, and the largest again with each server count when several servers can share it.
fn plan(devices: &[usize], servers: &[usize], shared: bool) -> Vec<(usize, usize)> {
    let most = devices.iter().copied().max().unwrap_or(0);
    let mut runs = Vec::new();
    for &n in devices {
        if n == most && shared {
            runs.extend(servers.iter().map(|&s| (n, s)));
        } else {
            runs.push((n, 1));
        }
    }
    runs
}

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
    servers: usize,
    applied: u64,
    failures: u64,
    wall: Duration,
    p50: Duration,
    p99: Duration,
    /// Each server's peak RSS, in KiB.
    peak_rss_kib: Vec<i64>,
    /// The CPU time the server processes used during the cycles (together).
    server_cpu: Duration,
    /// The CPU time the load generator (this process) used during the cycles.
    generator_cpu: Duration,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.applied as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Entries applied per second of the server processes' CPU time: what one core busy with
    /// nothing else would ingest.
    fn per_cpu_second(&self) -> f64 {
        self.applied as f64 / self.server_cpu.as_secs_f64().max(1e-9)
    }

    /// Each server's peak RSS: `223.2 MB`, or `201.0 / 198.4 MB` for two.
    fn rss(&self) -> String {
        let each: Vec<String> = self
            .peak_rss_kib
            .iter()
            .map(|k| format!("{:.1}", *k as f64 / 1024.0))
            .collect();
        format!("{} MB", each.join(" / "))
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
    post_encoded(http, url, token, body).await
}

/// Posts a body already encoded as the wire wants it (zstd JSON).
async fn post_encoded<A: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: Vec<u8>,
) -> std::result::Result<A, String> {
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

/// A device's pushes for every cycle of a run, encoded before the run starts: a phone builds
/// and compresses its batch on its own CPU, so the load generator does that work before the
/// clock starts rather than on the cores the server is measured on. Each entry is a template
/// change with a fresh id and the device's own producer, at the device's next seq.
fn push_bodies(
    device: &mut Device,
    template: &[Change],
    settings: &Settings,
) -> Result<Vec<Vec<u8>>> {
    (0..settings.cycles)
        .map(|_| {
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
            Ok(wire::encode(&push)?)
        })
        .collect()
}

/// One device's cycles, each pushing one of `pushes` and then pulling from the device's
/// cursor: returns entries applied, failures and each cycle's time.
async fn cycles(
    http: reqwest::Client,
    base: String,
    mut device: Device,
    pushes: Vec<Vec<u8>>,
    start: Arc<tokio::sync::Barrier>,
) -> (Device, u64, u64, Vec<Duration>) {
    start.wait().await;
    let (mut applied, mut failures, mut times) = (0, 0, Vec::new());
    for body in pushes {
        let began = Instant::now();
        let url = format!("{base}/v1/sync/push");
        match post_encoded::<PushResponse>(&http, &url, &device.token, body).await {
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

/// One backend's server data and simulated devices, kept from round to round (the database
/// grows from run to run, as a real server's does).
struct Rig {
    backend: Backend,
    dir: tempfile::TempDir,
    devices: Vec<Device>,
}

impl Rig {
    /// The server's data with an account for each device (the most any run uses).
    async fn new(settings: &Settings, backend: &Backend) -> Result<Rig> {
        let most = settings.devices.iter().copied().max().unwrap_or(0);
        let dir = tempfile::tempdir()?;
        let devices: Vec<Device> = (0..most)
            .map(|_| Device {
                id: Id::new(),
                producer: Id::new(),
                token: String::new(),
                seq: 0,
                cursor: None,
            })
            .collect();
        eprintln!("== load, {}: creating {most} accounts", backend.name());
        let data = dir.path().join("server");
        let state_backend = backend.clone();
        let producers: Vec<Id> = devices.iter().map(|d| d.producer).collect();
        tokio::task::spawn_blocking(move || -> Result<()> {
            let state = crate::server::open_state(&data, &state_backend)?;
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
        Ok(Rig {
            backend: backend.clone(),
            dir,
            devices,
        })
    }

    /// One round: every run of this backend's plan, in order.
    async fn round(
        &mut self,
        settings: &Arc<Settings>,
        template: &Arc<Vec<Change>>,
        http: &reqwest::Client,
    ) -> Result<Vec<Figures>> {
        let backend = &self.backend;
        let shared = matches!(backend, Backend::Postgres(_));
        let mut figures = Vec::new();
        for (n, count) in plan(&settings.devices, &settings.servers, shared) {
            // Server k keeps its own data directory (photos, its read model) from run to run;
            // the first one's is where the accounts were made.
            let servers = (0..count)
                .map(|k| match k {
                    0 => ServerProcess::start(&self.dir.path().join("server"), backend),
                    k => {
                        ServerProcess::start(&self.dir.path().join(format!("server-{k}")), backend)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            let urls: Vec<String> = servers.iter().map(ServerProcess::url).collect();
            for (i, device) in self.devices.iter_mut().enumerate().take(n) {
                if device.token.is_empty() {
                    sign_in(http, &urls[0], device, i).await?;
                }
            }
            eprintln!(
                "== load, {}: {n} devices × {} cycles, {count} server(s)",
                backend.name(),
                settings.cycles
            );
            let start = Arc::new(tokio::sync::Barrier::new(n + 1));
            let mut tasks = tokio::task::JoinSet::new();
            for (i, mut device) in self.devices.drain(..n).enumerate() {
                let pushes = push_bodies(&mut device, template, settings)?;
                tasks.spawn(cycles(
                    http.clone(),
                    urls[i % count].clone(),
                    device,
                    pushes,
                    start.clone(),
                ));
            }
            let cpu_before = cpu_of(&servers)?;
            let generator_before = crate::measure::cpu_time(std::process::id())?;
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
            let server_cpu = cpu_of(&servers)?.saturating_sub(cpu_before);
            let generator_cpu =
                crate::measure::cpu_time(std::process::id())?.saturating_sub(generator_before);
            if finished.is_err() {
                tasks.abort_all();
                return Err(BenchError::Run(format!(
                    "{n} devices did not finish within {:?}",
                    settings.limit
                )));
            }
            let peak_rss_kib = servers
                .iter()
                .map(ServerProcess::peak_rss_kib)
                .collect::<Result<Vec<_>>>()?;
            for server in servers {
                server.stop()?;
            }
            if done.len() != n {
                return Err(BenchError::Run(format!(
                    "{} of {n} devices' tasks failed",
                    n - done.len()
                )));
            }
            done.append(&mut self.devices);
            self.devices = done;
            figures.push(Figures {
                devices: n,
                servers: count,
                applied,
                failures,
                wall,
                p50: percentile(&times, 50.0),
                p99: percentile(&times, 99.0),
                peak_rss_kib,
                server_cpu,
                generator_cpu,
            });
        }
        Ok(figures)
    }
}

/// The order the backends run in, in round `round` (from 0): as given in even rounds and the
/// other way round in odd ones, so that no backend always goes first.
fn order(backends: usize, round: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..backends).collect();
    if round % 2 == 1 {
        order.reverse();
    }
    order
}

/// The CPU time the server processes have used so far, together.
fn cpu_of(servers: &[ServerProcess]) -> Result<Duration> {
    servers.iter().map(ServerProcess::cpu_time).sum()
}

/// Every backend's runs, round after round.
struct Rounds {
    /// The backends' names, in the settings' order.
    names: Vec<&'static str>,
    /// `runs[round][backend]`: that backend's runs in that round, in plan order.
    runs: Vec<Vec<Vec<Figures>>>,
}

/// Runs every backend, round after round, and writes the section.
pub async fn run(settings: Settings, command_line: &str) -> Result<Section> {
    let settings = Arc::new(settings);
    let template = Arc::new(template(settings.entries)?);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let mut rigs = Vec::new();
    for backend in &settings.backends {
        rigs.push(Rig::new(&settings, backend).await?);
    }
    let mut rounds = Rounds {
        names: settings.backends.iter().map(Backend::name).collect(),
        runs: Vec::new(),
    };
    for round in 0..settings.rounds {
        let mut runs = vec![Vec::new(); rigs.len()];
        for b in order(rigs.len(), round) {
            eprintln!(
                "== load, round {} of {}: {}",
                round + 1,
                settings.rounds,
                rigs[b].backend.name()
            );
            runs[b] = rigs[b].round(&settings, &template, &http).await?;
        }
        rounds.runs.push(runs);
    }
    Ok(section::write(&settings, &rounds, command_line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_counts_are_sorted_once_each_and_always_include_one_server() {
        assert_eq!(server_counts("1,2,3").unwrap(), vec![1, 2, 3]);
        assert_eq!(server_counts(" 3, 1,2,2 ").unwrap(), vec![1, 2, 3]);
        assert_eq!(server_counts("1").unwrap(), vec![1]);
        assert!(server_counts("2,3").is_err(), "no anchor to divide by");
        assert!(server_counts("0,1").is_err());
        assert!(server_counts("1,9").is_err());
        assert!(server_counts("1,two").is_err());
        assert!(server_counts("").is_err());
    }

    #[test]
    fn the_backends_take_turns_to_go_first() {
        assert_eq!(order(2, 0), vec![0, 1]);
        assert_eq!(order(2, 1), vec![1, 0]);
        assert_eq!(order(2, 2), vec![0, 1]);
        assert_eq!(order(1, 1), vec![0]);
    }

    #[test]
    fn postgres_runs_its_largest_device_count_with_each_server_count_and_sqlite_with_one() {
        assert_eq!(
            plan(&[100, 1_000], &[1, 2, 3], true),
            vec![(100, 1), (1_000, 1), (1_000, 2), (1_000, 3)]
        );
        assert_eq!(
            plan(&[100, 1_000], &[1, 2, 3], false),
            vec![(100, 1), (1_000, 1)]
        );
        assert_eq!(
            plan(&[5, 20], &[1, 2], true),
            vec![(5, 1), (20, 1), (20, 2)]
        );
    }
}
