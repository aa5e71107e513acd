//! Benchmark 2: sync against PouchDB over the same shaped link.
//!
//! Sentra: the real engine (`Sentra::sync` with `HttpTransport`) against the real
//! `sentra-server` process, through the proxy. PouchDB: `pouchdb/client.js` (PouchDB, memory
//! adapter, `db.sync`) against `pouchdb/server.js` (express-pouchdb), through an identical proxy.
//! Bytes are what crossed the proxy (bodies and HTTP headers), the same measure for both.
//! Requests: Sentra's engine counts its own; express-pouchdb's are counted by its server.

use crate::device;
use crate::error::{BenchError, Result};
use crate::measure::Spread;
use crate::proxy::{Counts, Profile, Proxy};
use crate::report::{self, Section, met, thousands};
use crate::server::{Backend, ServerProcess};
use sentra_core::Sentra;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The benchmark's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Products pushed new (10,000).
    pub products: usize,
    /// Products edited (1,000).
    pub edits: usize,
    /// Link profiles, each run for both systems.
    pub profiles: Vec<Profile>,
    /// `bench/pouchdb`, with `node_modules` installed.
    pub pouchdb: PathBuf,
    /// Run only Sentra (both apps), print the figures and write nothing: for trying changes.
    pub only_sentra: bool,
    /// Push batches of this many bytes of JSON instead of the engine's default (trials).
    pub push_batch_bytes: Option<usize>,
    /// At most this many push batches on their way at once instead of the default (trials).
    pub push_in_flight: Option<usize>,
    /// How many times the edit phase runs (5; the first is the phase in the tables).
    pub edit_rounds: usize,
}

/// The two apps measured: today's, and one that speaks only protocol version 1 (plain pages,
/// one push batch at a time), as a phone not yet updated does against this server.
const APPS: [(&str, bool); 2] = [("Sentra", false), ("Sentra, app of version 1", true)];

const PHASES: [&str; 4] = [
    "push new products",
    "push edited products",
    "no-op sync",
    "fresh device pulls everything",
];

/// One phase's figures for one system.
#[derive(Debug, Clone, Default)]
pub struct Phase {
    /// HTTP requests.
    pub requests: u64,
    /// What crossed the proxy.
    pub wire: Counts,
    /// Wall time.
    pub wall: Duration,
    /// Sentra only: compressed bodies, as the engine reports them (up + down).
    pub payload: u64,
    /// Items moved (pushed or pulled), as the system reports them.
    pub moved: u64,
    /// Sentra only: its requests as the engine made them.
    pub spans: Vec<crate::sync_trace::Span>,
}

/// Sentra's phases, and the edit phase again and again (`Settings::edit_rounds` in all, the
/// first being the phase itself).
struct SentraRun {
    phases: Vec<Phase>,
    edit_rounds: Vec<Phase>,
}

async fn run_sentra(
    settings: &Settings,
    profile: &Profile,
    version_1_only: bool,
) -> Result<SentraRun> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("server");
    let one = Sentra::open(&dir.path().join("one.db"))?;
    let me = device::register(&one)?;
    {
        let data = data.clone();
        tokio::task::spawn_blocking(move || {
            let state = crate::server::open_state(&data, &Backend::Sqlite)?;
            crate::server::create_producer(&state, device::LOGIN, device::PIN, me)
        })
        .await
        .map_err(|e| BenchError::Setup(e.to_string()))??;
    }
    let server = ServerProcess::start(&data, &Backend::Sqlite)?;
    let proxy = Proxy::start(server.addr(), profile.clone(), vec![], 7).await?;
    let ids = device::fill(&one, me, settings.products)?;
    let edited = &ids[..settings.edits.min(ids.len())];
    let app = |transport: HttpTransport| {
        if version_1_only {
            transport.version_1_only()
        } else {
            transport
        }
    };
    let transport = app(device::sign_in(&one, &server.url(), &proxy.url()).await?);
    let mut phases = Vec::new();
    for (phase, name) in PHASES.iter().enumerate() {
        let measured = if phase == 3 {
            let two = Sentra::open(&dir.path().join("two.db"))?;
            let transport = app(device::sign_in(&two, &server.url(), &proxy.url()).await?);
            measure(settings, &proxy, &two, transport, name, version_1_only).await?
        } else {
            if phase == 1 {
                device::edit(&one, edited)?;
            }
            measure(
                settings,
                &proxy,
                &one,
                transport.clone(),
                name,
                version_1_only,
            )
            .await?
        };
        phases.push(measured);
    }
    // The edit phase is short, so a lost segment or two at its end (each stalls its
    // connection for 200 ms + a round trip) weighs on it: it runs again, on the same link
    // (the losses fall where the proxy's random draws put them), the same products edited
    // again each time.
    let mut edit_rounds = vec![phases[1].clone()];
    for _ in 1..settings.edit_rounds {
        device::edit(&one, edited)?;
        edit_rounds.push(
            measure(
                settings,
                &proxy,
                &one,
                transport.clone(),
                PHASES[1],
                version_1_only,
            )
            .await?,
        );
    }
    server.stop()?;
    Ok(SentraRun {
        phases,
        edit_rounds,
    })
}

/// One sync of `sentra` through the proxy, timed and counted.
async fn measure(
    settings: &Settings,
    proxy: &Proxy,
    sentra: &Sentra,
    transport: HttpTransport,
    name: &str,
    version_1_only: bool,
) -> Result<Phase> {
    let mut traced = crate::sync_trace::Traced::new(transport);
    let mut options = SyncOptions::default();
    if let Some(bytes) = settings.push_batch_bytes {
        options.push_batch_bytes = bytes;
    }
    if let Some(depth) = settings.push_in_flight {
        options.push_in_flight = depth;
    }
    let before = proxy.counts();
    traced.restart();
    let started = Instant::now();
    let report = sentra
        .sync(&traced, &options, None::<&Quiet>, &CancelToken::new())
        .await?;
    let wall = started.elapsed();
    if !report.completed {
        return Err(BenchError::Run(format!(
            "Sentra's {name} did not complete: {report:?}"
        )));
    }
    let wire = proxy.counts().since(&before);
    let spans = traced.take();
    eprintln!(
        "-- {name}{}: {:.3} s, {} requests, {} lost segments, upstream link busy {:.3} s\n{}",
        if version_1_only {
            " (app of version 1)"
        } else {
            ""
        },
        wall.as_secs_f64(),
        report.requests,
        wire.lost,
        wire.up_busy_us as f64 / 1e6,
        crate::sync_trace::describe(&spans)
    );
    Ok(Phase {
        requests: report.requests as u64,
        wire,
        wall,
        payload: (report.bytes_up + report.bytes_down) as u64,
        moved: (report.pushed + report.pulled) as u64,
        spans,
    })
}

struct Quiet;
impl ProgressListener for Quiet {
    fn on_progress(&self, _: SyncProgress) {}
}

struct Node {
    child: Child,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

async fn read_line(out: &mut BufReader<ChildStdout>) -> Result<String> {
    let mut line = String::new();
    let n = tokio::time::timeout(Duration::from_secs(1800), out.read_line(&mut line))
        .await
        .map_err(|_| BenchError::Run("the PouchDB peer did not answer in 30 minutes".into()))??;
    if n == 0 {
        return Err(BenchError::Run("the PouchDB peer exited".into()));
    }
    Ok(line)
}

async fn command(
    stdin: &mut ChildStdin,
    out: &mut BufReader<ChildStdout>,
    line: &str,
) -> Result<serde_json::Value> {
    stdin.write_all(format!("{line}\n").as_bytes()).await?;
    stdin.flush().await?;
    let answer: serde_json::Value = serde_json::from_str(&read_line(out).await?)?;
    if answer["ok"] != serde_json::Value::Bool(true) {
        return Err(BenchError::Run(format!(
            "PouchDB `{line}` failed: {answer}"
        )));
    }
    Ok(answer)
}

fn spawn_node(settings: &Settings, args: &[&str]) -> Result<Node> {
    let child = Command::new("node")
        .args(args)
        .current_dir(&settings.pouchdb)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| BenchError::Setup(format!("start node {args:?}: {e}")))?;
    Ok(Node { child })
}

async fn pouch_requests(http: &reqwest::Client, url: &str) -> Result<u64> {
    let answer: serde_json::Value = serde_json::from_slice(
        &http
            .get(format!("{url}/_bench/requests"))
            .send()
            .await
            .map_err(|e| BenchError::Run(e.to_string()))?
            .bytes()
            .await
            .map_err(|e| BenchError::Run(e.to_string()))?,
    )?;
    answer["requests"]
        .as_u64()
        .ok_or_else(|| BenchError::Run("express-pouchdb gave no request count".into()))
}

async fn run_pouchdb(settings: &Settings, profile: &Profile) -> Result<Vec<Phase>> {
    let mut server = spawn_node(settings, &["server.js"])?;
    let mut server_out = BufReader::new(
        server
            .child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Setup("no stdout from server.js".into()))?,
    );
    let port: u16 = read_line(&mut server_out)
        .await?
        .trim()
        .strip_prefix("port ")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| BenchError::Setup("server.js printed no port".into()))?;
    let direct = format!("http://127.0.0.1:{port}");
    let proxy = Proxy::start(([127, 0, 0, 1], port).into(), profile.clone(), vec![], 7).await?;
    let mut client = spawn_node(settings, &["client.js", &proxy.url()])?;
    let mut stdin = client
        .child
        .stdin
        .take()
        .ok_or_else(|| BenchError::Setup("no stdin for client.js".into()))?;
    let mut out = BufReader::new(
        client
            .child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Setup("no stdout from client.js".into()))?,
    );
    let http = reqwest::Client::new();
    command(
        &mut stdin,
        &mut out,
        &format!("create {}", settings.products),
    )
    .await?;
    let mut phases = Vec::new();
    for phase in 0..4 {
        let line = match phase {
            1 => {
                command(&mut stdin, &mut out, &format!("edit {}", settings.edits)).await?;
                "sync"
            }
            3 => "fresh",
            _ => "sync",
        };
        let requests = pouch_requests(&http, &direct).await?;
        let before = proxy.counts();
        let started = Instant::now();
        let answer = command(&mut stdin, &mut out, line).await?;
        let wall = started.elapsed();
        phases.push(Phase {
            requests: pouch_requests(&http, &direct).await? - requests,
            wire: proxy.counts().since(&before),
            wall,
            payload: 0,
            spans: Vec::new(),
            moved: answer["pushed"].as_u64().unwrap_or(0) + answer["pulled"].as_u64().unwrap_or(0),
        });
    }
    let _ = stdin.write_all(b"quit\n").await;
    drop(client);
    drop(server);
    Ok(phases)
}

/// One row of the breakdown of where a phase's time went.
fn breakdown(phase: &str, app: &str, p: &Phase) -> Vec<String> {
    let pushes: Vec<_> = p
        .spans
        .iter()
        .filter(|s| s.kind.starts_with("push"))
        .collect();
    let most = pushes
        .iter()
        .map(|a| {
            pushes
                .iter()
                .filter(|b| b.started <= a.started && a.started < b.started + b.took)
                .count()
        })
        .max()
        .unwrap_or(0);
    let longest = pushes.iter().map(|s| s.took).max().unwrap_or_default();
    vec![
        phase.to_owned(),
        app.to_owned(),
        report::duration(p.wall),
        report::duration(Duration::from_micros(p.wire.up_busy_us)),
        thousands(p.wire.lost),
        thousands(pushes.len() as u64),
        most.to_string(),
        report::duration(longest),
        thousands(
            p.spans
                .iter()
                .filter(|s| s.kind.starts_with("pull"))
                .count() as u64,
        ),
    ]
}

fn bytes(c: &Counts) -> u64 {
    c.up + c.down
}

fn check(ratio: f64, goal: f64) -> String {
    format!("{ratio:.3}× {}", met(Some(ratio <= goal)))
}

/// Runs every profile for both systems and writes the section.
pub async fn run(settings: &Settings, command_line: &str) -> Result<Section> {
    let mut section = Section::new(
        "sync",
        "Sync against PouchDB, over the same shaped link",
        command_line,
    );
    section.fact(
        "Data",
        &format!(
            "{} products made offline on one phone (one variant each, with opening stock; in \
             PouchDB one document of about 300 bytes of JSON each, the same fields: name, \
             description, price in rupiah, stock, category, unit, producer), then {} of them \
             edited (price and stock)",
            thousands(settings.products as u64),
            thousands(settings.edits as u64)
        ),
    );
    section.fact(
        "Sentra",
        "the device engine (`Sentra::sync`, default options) with `HttpTransport`, against a \
         `sentra-server serve` process on SQLite, through the proxy: pull pages in columns, up \
         to four ranges of the feed on their way at once, asked for as soon as the first page's \
         head names cursors ahead, four push batches on their way at once with at most 4 MB of \
         JSON between them (a push of 256 entries or more cut in four, a longer one starting \
         with a half batch), the pull after a push sent \
         with its last batch (the server holds it until the push is answered), and, once the \
         phone has heard its server checks clocks (the first sync), the push sent before the \
         pull with the phone's clock in a header. \
         \"Sentra, app of version 1\": the same engine speaking only protocol version 1 \
         (`HttpTransport::version_1_only`: plain pages, one push batch at a time), as a phone not \
         yet updated syncs with this server",
    );
    section.fact(
        "PouchDB",
        "pouchdb-core 9.0.0 with pouchdb-adapter-memory, -http and -replication, two-way \
         `db.sync(remote)` as an offline-first app runs it, against express-pouchdb 4.2.0 \
         (memory adapter), through an identical proxy (`bench/pouchdb/`)",
    );
    section.fact(
        "Measured",
        "requests (Sentra's engine counts its own, retries included; express-pouchdb's server \
         counts PouchDB's); bytes up and down as they crossed the proxy (HTTP headers and bodies, \
         the same measure for both); wall time around one sync. Sentra's physical limit is its \
         compressed body bytes (up + down, as its engine reports them) ÷ the link's rate + one \
         round trip",
    );
    section.fact(
        "Goals against PouchDB",
        "bytes ≤ 0.25×, requests ≤ 0.05×, time ≤ 0.1×; against the limit: time ≤ 1.3× (#17)",
    );
    for profile in &settings.profiles {
        let mut apps = Vec::new();
        for (app, version_1_only) in APPS {
            eprintln!("== sync, {}: {app}", profile.name);
            apps.push((app, run_sentra(settings, profile, version_1_only).await?));
        }
        let edit_rounds: Vec<(&str, Vec<Phase>)> = apps
            .iter_mut()
            .map(|(app, run)| (*app, std::mem::take(&mut run.edit_rounds)))
            .collect();
        let apps: Vec<(&str, Vec<Phase>)> = apps
            .into_iter()
            .map(|(app, run)| (app, run.phases))
            .collect();
        let pouch = if settings.only_sentra {
            vec![Phase::default(); PHASES.len()]
        } else {
            eprintln!("== sync, {}: PouchDB", profile.name);
            run_pouchdb(settings, profile).await?
        };
        section.para(&format!(
            "### {}\n\nLink: {}.",
            profile.name,
            profile.describe()
        ));
        let mut rows = Vec::new();
        for (i, name) in PHASES.iter().enumerate() {
            let systems = apps
                .iter()
                .map(|(app, phases)| (*app, &phases[i]))
                .chain([("PouchDB", &pouch[i])]);
            for (system, p) in systems {
                rows.push(vec![
                    (*name).to_owned(),
                    system.to_owned(),
                    thousands(p.moved),
                    thousands(p.requests),
                    thousands(p.wire.up),
                    thousands(p.wire.down),
                    report::duration(p.wall),
                    if system == "PouchDB" {
                        "".into()
                    } else {
                        thousands(p.payload)
                    },
                ]);
            }
        }
        section.table(
            &[
                "phase",
                "system",
                "items moved",
                "requests",
                "bytes up",
                "bytes down",
                "wall time",
                "compressed bodies",
            ],
            &rows,
        );
        let shaped = profile.rate_bps.is_some();
        let mut rows = Vec::new();
        for (i, name) in PHASES.iter().enumerate() {
            for (app, phases) in &apps {
                let (s, p) = (&phases[i], &pouch[i]);
                let limit = profile.limit(s.payload);
                rows.push(vec![
                    (*name).to_owned(),
                    (*app).to_owned(),
                    check(bytes(&s.wire) as f64 / bytes(&p.wire).max(1) as f64, 0.25),
                    check(s.requests as f64 / p.requests.max(1) as f64, 0.05),
                    check(s.wall.as_secs_f64() / p.wall.as_secs_f64().max(1e-9), 0.1),
                    if shaped {
                        report::duration(limit)
                    } else {
                        "n/a (no rate)".into()
                    },
                    if shaped {
                        check(s.wall.as_secs_f64() / limit.as_secs_f64(), 1.3)
                    } else {
                        "n/a".into()
                    },
                ]);
            }
        }
        section.table(
            &[
                "phase",
                "app",
                "bytes ÷ PouchDB (≤ 0.25×)",
                "requests ÷ PouchDB (≤ 0.05×)",
                "time ÷ PouchDB (≤ 0.1×)",
                "physical limit",
                "time ÷ limit (≤ 1.3×)",
            ],
            &rows,
        );
        if shaped && edit_rounds.iter().any(|(_, r)| r.len() > 1) {
            section.para(&format!(
                "The edit phase, {} times over on the same link (the same products edited again \
                 each time; the proxy's random draws put the losses somewhere else each time): \
                 time ÷ the physical limit. The phase is short, so one lost segment near its end \
                 (a stall of 200 ms + one round trip) weighs on one sample; the goal is judged \
                 on the median.",
                edit_rounds.first().map_or(0, |(_, r)| r.len())
            ));
            let rows: Vec<Vec<String>> = edit_rounds
                .iter()
                .filter_map(|(app, rounds)| {
                    let ratios: Vec<f64> = rounds
                        .iter()
                        .map(|p| p.wall.as_secs_f64() / profile.limit(p.payload).as_secs_f64())
                        .collect();
                    let lost: Vec<String> =
                        rounds.iter().map(|p| p.wire.lost.to_string()).collect();
                    let s = Spread::of(&ratios)?;
                    Some(vec![
                        PHASES[1].to_owned(),
                        (*app).to_owned(),
                        ratios
                            .iter()
                            .map(|r| format!("{r:.3}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        lost.join(", "),
                        format!("{:.3}×", s.median),
                        format!("{:.3}–{:.3}×", s.range.0, s.range.1),
                        check(s.median, 1.3),
                    ])
                })
                .collect();
            section.table(
                &[
                    "phase",
                    "app",
                    "time ÷ limit, each round",
                    "segments lost, each round",
                    "median",
                    "min–max",
                    "median ≤ 1.3×",
                ],
                &rows,
            );
        }
        if shaped {
            section.para(
                "Where Sentra's time goes (from its requests as the engine made them and the \
                 proxy's counters): the upstream link's busy time (its bytes ÷ rate, resent \
                 segments included), the segments lost both ways (each stalls its connection \
                 for 200 ms + one round trip), and the push requests: how many, the most on \
                 their way at once, and the longest one.",
            );
            let mut rows = Vec::new();
            for (i, name) in PHASES.iter().enumerate() {
                for (app, phases) in &apps {
                    rows.push(breakdown(name, app, &phases[i]));
                }
            }
            section.table(
                &[
                    "phase",
                    "app",
                    "wall time",
                    "upstream link busy",
                    "segments lost",
                    "push requests",
                    "most on their way at once",
                    "longest push request",
                    "pull requests",
                ],
                &rows,
            );
        }
    }
    Ok(section)
}
