//! `sentra-bench`: the benchmark programs behind `scripts/bench` (which builds them in release,
//! installs the anchors and passes the paths). Each subcommand runs one benchmark and writes its
//! section into the document given by `--doc`.
//!
//! ```text
//! sentra-bench sync      --doc FILE --pouchdb DIR [--products N] [--edits N] [--quick]
//!                        [--only-sentra] [--push-batch-bytes N] [--push-in-flight N]
//!                        [--link 3g|loopback] [--edit-rounds N]
//!                        (--only-sentra: a trial, printed and not written)
//! sentra-bench upload    --doc FILE --photos DIR [--products N] [--cuts N]
//! sentra-bench load      --doc FILE [--devices 100,1000] [--cycles N] [--servers 1,2,3]
//!                        [--rounds N]
//!                        (PostgreSQL too under scripts/with-postgres, with 1, 2 and 3 servers)
//! sentra-bench footprint --doc FILE [--products N] [--ffi-lib PATH] [--jvm FILE]
//! sentra-bench photo     --doc FILE --json FILE     (figures from core/benches/photos.rs)
//! sentra-bench store     --doc FILE --json FILE     (figures from core/benches/catalogue.rs)
//! sentra-bench device    --db FILE --server URL     (one phone process, for footprint)
//! ```
//! `--command TEXT` sets the command line the report shows.

use sentra_bench::error::{BenchError, Result};
use sentra_bench::proxy::Profile;
use sentra_bench::report::{Section, write_section};
use sentra_bench::server::{Backend, postgres_from_env};
use sentra_bench::{footprint, load, photo, store, sync, upload};
use std::path::PathBuf;
use std::time::Duration;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn required(args: &[String], name: &str) -> Result<String> {
    arg(args, name).ok_or_else(|| BenchError::Usage(format!("{name} is required")))
}

fn number(args: &[String], name: &str, default: usize) -> Result<usize> {
    match arg(args, name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| BenchError::Usage(format!("{name} takes a number, not {v:?}"))),
    }
}

fn read_json(args: &[String]) -> Result<serde_json::Value> {
    let path = required(args, "--json")?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| BenchError::Setup(format!("cannot read {path}: {e}")))?;
    Ok(serde_json::from_str(&text)?)
}

async fn run(args: Vec<String>) -> Result<Option<Section>> {
    let quick = args.iter().any(|a| a == "--quick");
    let what = args.first().cloned().unwrap_or_default();
    let command_line = arg(&args, "--command").unwrap_or_else(|| format!("scripts/bench {what}"));
    let section = match what.as_str() {
        "device" => {
            let db = PathBuf::from(required(&args, "--db")?);
            footprint::device_child(&db, &required(&args, "--server")?).await?;
            return Ok(None);
        }
        "sync" => {
            let settings = sync::Settings {
                products: number(&args, "--products", if quick { 200 } else { 10_000 })?,
                edits: number(&args, "--edits", if quick { 20 } else { 1_000 })?,
                profiles: match arg(&args, "--link").as_deref() {
                    Some("3g") => vec![Profile::bad_3g()],
                    Some("loopback") => vec![Profile::loopback()],
                    _ => vec![Profile::bad_3g(), Profile::loopback()],
                },
                pouchdb: PathBuf::from(required(&args, "--pouchdb")?),
                only_sentra: args.iter().any(|a| a == "--only-sentra"),
                edit_rounds: number(&args, "--edit-rounds", if quick { 2 } else { 5 })?
                    .clamp(1, 20),
                push_batch_bytes: arg(&args, "--push-batch-bytes")
                    .map(|_| number(&args, "--push-batch-bytes", 0))
                    .transpose()?,
                push_in_flight: arg(&args, "--push-in-flight")
                    .map(|_| number(&args, "--push-in-flight", 2))
                    .transpose()?,
            };
            let section = sync::run(&settings, &command_line).await?;
            if settings.only_sentra {
                // A trial: printed, never written into the document.
                print!("{}", section.render());
                return Ok(None);
            }
            section
        }
        "upload" => {
            let settings = upload::Settings {
                products: number(&args, "--products", if quick { 2 } else { 20 })?,
                cuts: number(&args, "--cuts", 5)?,
                photos: PathBuf::from(required(&args, "--photos")?),
                profile: Profile::bad_3g(),
                seed: 2026,
            };
            upload::run(&settings, &command_line).await?
        }
        "load" => {
            let devices = match arg(&args, "--devices") {
                Some(list) => list
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .parse()
                            .map_err(|_| BenchError::Usage(format!("--devices: {n:?}")))
                    })
                    .collect::<Result<Vec<usize>>>()?,
                None if quick => vec![5, 20],
                None => vec![100, 1_000],
            };
            if devices.iter().any(|d| *d == 0 || *d > 5_000) {
                return Err(BenchError::Usage("--devices: 1 to 5,000 each".into()));
            }
            let mut backends = vec![Backend::Sqlite];
            if let Some(url) = postgres_from_env() {
                backends.push(Backend::Postgres(url));
            }
            let servers = match arg(&args, "--servers") {
                Some(list) => load::server_counts(&list)?,
                None if quick => vec![1, 2],
                None => vec![1, 2, 3],
            };
            let settings = load::Settings {
                devices,
                servers,
                cycles: number(&args, "--cycles", if quick { 2 } else { 5 })?.clamp(1, 50),
                entries: 20,
                backends,
                rounds: number(&args, "--rounds", if quick { 2 } else { 5 })?.clamp(1, 20),
                limit: Duration::from_secs(600),
            };
            load::run(settings, &command_line).await?
        }
        "footprint" => {
            let jvm = match arg(&args, "--jvm") {
                Some(path) => std::fs::read_to_string(path).ok(),
                None => None,
            };
            let settings = footprint::Settings {
                products: number(&args, "--products", if quick { 200 } else { 10_000 })?,
                ffi_lib: arg(&args, "--ffi-lib").map(PathBuf::from),
                jvm,
            };
            footprint::run(&settings, &command_line).await?
        }
        "photo" => photo::section(&read_json(&args)?, &command_line)?,
        "store" => store::section(&read_json(&args)?, &command_line)?,
        other => {
            return Err(BenchError::Usage(format!(
                "unknown benchmark {other:?}: sync, upload, load, footprint, photo, store or device"
            )));
        }
    };
    Ok(Some(section))
}

fn main() {
    sentra_bench::measure::mark_start();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let doc = arg(&args, "--doc").map(PathBuf::from);
    let result = tokio::runtime::Runtime::new()
        .map_err(BenchError::from)
        .and_then(|rt| rt.block_on(run(args)))
        .and_then(|section| match (section, doc) {
            (Some(section), Some(doc)) => write_section(&doc, &section),
            (Some(section), None) => {
                print!("{}", section.render());
                Ok(())
            }
            (None, _) => Ok(()),
        });
    if let Err(e) = result {
        eprintln!("sentra-bench: {} ({})", e, e.code());
        std::process::exit(1);
    }
}
