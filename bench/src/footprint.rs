//! Benchmark 6: footprint. The stripped size of the FFI library, the peak RSS of a phone process
//! syncing 10,000 products (pushing them, and a fresh phone pulling them), and the Kotlin/JVM
//! FFI call's p50 as the bindings' own script prints it.

use crate::device;
use crate::error::{BenchError, Result};
use crate::measure::run_child;
use crate::report::{Section, met, thousands};
use crate::server::{Backend, ServerProcess};
use sentra_core::Sentra;
use std::path::PathBuf;
use std::process::Command;

/// The benchmark's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Products synced (10,000).
    pub products: usize,
    /// `libsentra_ffi.so` built as the apps ship it (the `mobile` profile), if it exists.
    pub ffi_lib: Option<PathBuf>,
    /// What the bindings' JVM benchmark printed, if it ran.
    pub jvm: Option<String>,
}

/// The child side: one phone process that signs in and syncs once, printing its report.
pub async fn device_child(db: &std::path::Path, server: &str) -> Result<()> {
    let phone = Sentra::open(db)?;
    let transport = device::sign_in(&phone, server, server).await?;
    let report = device::sync(&phone, &transport).await?;
    if !report.completed {
        return Err(BenchError::Run(format!(
            "sync did not complete: {report:?}"
        )));
    }
    // Its own peak RSS, read here: `ru_maxrss` from `wait4` would also count what the process
    // shared with the benchmark before `exec` (the parent's RSS at that moment: 47 MB for a
    // phone that pushed 30 entries, whose heap never passed 1 MB).
    let mut printed = serde_json::to_value(&report)?;
    printed["peak_rss_kib"] = crate::measure::peak_rss_kib(std::process::id())?.into();
    println!("{}", serde_json::to_string(&printed)?);
    Ok(())
}

/// The first `p50 X ms` in the bindings' benchmark output (the 50-product page call).
fn first_p50_ms(text: &str) -> Option<f64> {
    let after = text.split("p50 ").nth(1)?;
    let number = after.split_whitespace().next()?;
    after
        .split_whitespace()
        .nth(1)
        .filter(|unit| unit.starts_with("ms"))?;
    number.parse().ok()
}

fn stripped_size(lib: &std::path::Path) -> Result<u64> {
    let out = tempfile::tempdir()?;
    let stripped = out.path().join("libsentra_ffi.so");
    let status = Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(lib)
        .status()
        .map_err(|e| BenchError::Setup(format!("strip: {e}")))?;
    if !status.success() {
        return Err(BenchError::Setup(format!(
            "strip failed on {}",
            lib.display()
        )));
    }
    Ok(std::fs::metadata(&stripped)?.len())
}

/// Runs the benchmark and writes its section.
pub async fn run(settings: &Settings, command_line: &str) -> Result<Section> {
    let mut section = Section::new("footprint", "Footprint", command_line);
    let mut rows = Vec::new();

    match &settings.ffi_lib {
        Some(lib) if lib.exists() => {
            let size = stripped_size(lib)?;
            rows.push(vec![
                "`libsentra_ffi.so`, mobile profile, stripped (x86_64)".into(),
                format!("{} bytes ({:.1} MB)", thousands(size), size as f64 / 1e6),
                "(none)".into(),
                "n/a".into(),
            ]);
        }
        _ => rows.push(vec![
            "`libsentra_ffi.so`, mobile profile, stripped".into(),
            "not built in this run (no `bindings/` crate, or the `--quick` smoke run)".into(),
            "(none)".into(),
            "n/a".into(),
        ]),
    }

    let dir = tempfile::tempdir()?;
    let data = dir.path().join("server");
    let one_db = dir.path().join("one.db");
    {
        let one = Sentra::open(&one_db)?;
        let me = device::register(&one)?;
        device::fill(&one, me, settings.products)?;
        let data = data.clone();
        tokio::task::spawn_blocking(move || {
            let state = crate::server::open_state(&data, &Backend::Sqlite)?;
            crate::server::create_producer(&state, device::LOGIN, device::PIN, me)
        })
        .await
        .map_err(|e| BenchError::Setup(e.to_string()))??;
    }
    let server = ServerProcess::start(&data, &Backend::Sqlite)?;
    let me = std::env::current_exe()?;
    for (what, db) in [
        ("phone process pushing", one_db.clone()),
        ("fresh phone process pulling", dir.path().join("two.db")),
    ] {
        let run = run_child(
            Command::new(&me)
                .arg("device")
                .arg("--db")
                .arg(&db)
                .arg("--server")
                .arg(server.url()),
        )?;
        let report: serde_json::Value = serde_json::from_str(run.stdout.trim())?;
        let own_peak_kib = report["peak_rss_kib"].as_i64().ok_or_else(|| {
            BenchError::Run(format!(
                "the phone process gave no peak RSS: {}",
                run.stdout
            ))
        })?;
        let mb = own_peak_kib as f64 / 1024.0;
        rows.push(vec![
            format!(
                "peak RSS of a {what} {} products",
                thousands(settings.products as u64)
            ),
            format!(
                "{mb:.1} MB ({} entries pushed, {} changes pulled, {:.1} s)",
                report["pushed"],
                report["pulled"],
                run.wall.as_secs_f64()
            ),
            "≤ 50 MB".into(),
            met(Some(mb <= 50.0)),
        ]);
    }
    server.stop()?;

    match &settings.jvm {
        Some(text) if !text.trim().is_empty() => rows.push(vec![
            "Kotlin/JVM FFI call returning a 50-product page (from `scripts/test-bindings`' \
             benchmark, dev-profile library)"
                .into(),
            text.trim().replace('\n', "; "),
            "< 1 ms".into(),
            met(first_p50_ms(text).map(|ms| ms < 1.0)),
        ]),
        _ => rows.push(vec![
            "Kotlin/JVM FFI call returning a 50-product page, p50".into(),
            "not available: not run (`--quick`) or `scripts/test-bindings` not found".into(),
            "< 1 ms".into(),
            met(None),
        ]),
    }
    section.fact(
        "Method",
        "the library is built as the apps ship it, `cargo build --profile mobile -p \
         sentra-ffi`, and measured after `strip`; each phone is a fresh `sentra-bench device` process (the real store, engine and \
         `HttpTransport`, default sync options) against a `sentra-server serve` process on \
         loopback, and its peak RSS is its own `VmHWM` (`/proc/self/status`), read as it \
         finishes (`ru_maxrss` from `wait4` would also count the benchmark's own RSS, which \
         the child shared before `exec`); the products were made offline beforehand, in \
         another process",
    );
    section.table(&["figure", "result", "goal", "met"], &rows);
    Ok(section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_call_p50_is_read_from_the_bindings_benchmark() {
        let text = "list_products (50-product page) from Kotlin/JVM: p50 1.140 ms, p90 5.214 ms\n\
                    device_id (a trivial FFI call) from Kotlin/JVM: p50 0.0199 ms";
        assert_eq!(first_p50_ms(text), Some(1.140));
        assert_eq!(first_p50_ms("not available"), None);
    }
}
