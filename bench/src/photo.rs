//! Benchmark 1: photo ingest against libvips. `core/benches/photos.rs` takes the figures (fresh
//! child processes, alternately, peak RSS from `wait4`) and writes them as JSON; this turns them
//! into the report.

use crate::error::Result;
use crate::measure::Spread;
use crate::report::{Section, met, ratio, thousands};
use serde_json::Value;

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(0.0)
}

/// A path as it reads from the repository's root (`target/testphoto/...`), whatever
/// directory the clone is in.
fn in_repository(path: &str) -> &str {
    path.find("target/").map_or(path, |at| &path[at..])
}

/// The section from the bench's JSON.
pub fn section(figures: &Value, command_line: &str) -> Result<Section> {
    let mut s = Section::new("photo", "Photo ingest against libvips", command_line);
    s.fact(
        "Input",
        &format!(
            "`{}`, {} bytes: the 12 MP phone photo of `shared/recipes/test-photos.md` (4000×3000 \
             baseline JPEG, 4:2:0, EXIF Orientation 6 and GPS tags), made by `scripts/make-test-photo`",
            in_repository(figures["photo"].as_str().unwrap_or("?")),
            thousands(figures["photo_bytes"].as_u64().unwrap_or(0))
        ),
    );
    s.fact(
        "Work",
        "a 1280 px display JPEG plus a 320 px thumbnail, quality 80, stripped, upright",
    );
    s.fact("Build", crate::report::MOBILE_BUILD);
    s.fact(
        "Method",
        &format!(
            "{} rounds; each runs, in alternating order, a fresh process of Sentra's \
             `photos::process_file` and of `vipsthumbnail` ({}). Wall time is process start to \
             exit; peak RSS is the child's `ru_maxrss` from `wait4`; medians over the rounds. \
             vips A makes both sizes from the source; vips B makes the thumbnail from its 1280 px \
             output, as Sentra does; for vips the two runs' times are added and the larger RSS \
             taken",
            figures["pairs"],
            figures["vips_version"].as_str().unwrap_or("vips")
        ),
    );
    let row = |name: &str, v: &Value| {
        vec![
            name.to_owned(),
            format!("{:.1} ms", f(v, "median_ms")),
            format!("{:.1} ms", f(v, "median_cpu_ms")),
            format!("{:.1} MB", f(v, "median_peak_rss_mb")),
            format!(
                "{} + {}",
                thousands(v["display_bytes"].as_u64().unwrap_or(0)),
                thousands(v["thumbnail_bytes"].as_u64().unwrap_or(0))
            ),
        ]
    };
    let (ours, a, b) = (&figures["sentra"], &figures["vips_a"], &figures["vips_b"]);
    s.table(
        &[
            "",
            "median wall time",
            "median CPU time",
            "median peak RSS",
            "output bytes (1280 + 320)",
        ],
        &[
            row("Sentra", ours),
            row("vips A (both from source)", a),
            row("vips B (320 from the 1280)", b),
        ],
    );
    let goal_row = |what: &str, key: &str, goal: f64, goal_text: &str| {
        let (ra, rb) = (f(ours, key) / f(a, key), f(ours, key) / f(b, key));
        vec![
            what.to_owned(),
            ratio(f(ours, key), f(a, key)),
            ratio(f(ours, key), f(b, key)),
            goal_text.to_owned(),
            if goal.is_finite() {
                met(Some(ra <= goal && rb <= goal))
            } else {
                met(None)
            },
        ]
    };
    s.table(
        &["ratio", "against vips A", "against vips B", "goal", "met"],
        &[
            goal_row("time", "median_ms", 0.5, "≤ 0.5×"),
            goal_row("CPU time", "median_cpu_ms", f64::INFINITY, "(none)"),
            goal_row("peak RSS", "median_peak_rss_mb", 0.6, "≤ 0.6×"),
            goal_row("display bytes", "display_bytes", f64::INFINITY, "(none)"),
            goal_row(
                "thumbnail bytes",
                "thumbnail_bytes",
                f64::INFINITY,
                "(none)",
            ),
        ],
    );
    let spread_row = |what: &str, key: &str, goal: Option<f64>| -> Option<Vec<String>> {
        let v: Vec<f64> = figures[key]
            .as_array()?
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        let s = Spread::of(&v)?;
        Some(vec![
            what.to_owned(),
            format!("{:.3}×", s.median),
            format!("{:.3}–{:.3}×", s.middle.0, s.middle.1),
            format!("{:.3}–{:.3}×", s.range.0, s.range.1),
            goal.map_or("(none)".to_owned(), |g| format!("≤ {g}×")),
            met(goal.map(|g| s.median <= g)),
        ])
    };
    let spread: Vec<Vec<String>> = [
        spread_row("time", "time_ratios_to_vips_a", Some(INGEST_TIME_GOAL)),
        spread_row("CPU time", "cpu_ratios_to_vips_a", None),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !spread.is_empty() {
        s.para(
            "Per round, Sentra ÷ vips A (both run back to back in the round, so each ratio \
             shares the load of its moment): the median and its spread over the rounds. Goal \
             (#17): time ≤ 0.35× vips A.",
        );
        s.table(
            &[
                "ratio per round",
                "median",
                "middle half",
                "min–max",
                "goal",
                "met",
            ],
            &spread,
        );
    }
    if let Some(inputs) = figures["inputs"].as_array() {
        let rows: Vec<Vec<String>> = inputs
            .iter()
            .map(|v| {
                let mb = f(v, "sentra_peak_rss_mb");
                vec![
                    v["input"].as_str().unwrap_or("?").to_owned(),
                    thousands(v["bytes"].as_u64().unwrap_or(0)),
                    format!("{:.1} MB", mb),
                    format!("{:.1} MB", f(v, "vips_peak_rss_mb")),
                    ratio(mb, f(v, "vips_peak_rss_mb")),
                    format!("{:.0} ms", f(v, "sentra_ms")),
                    format!("{:.0} ms", f(v, "vips_ms")),
                    format!("{:.0} ms", f(v, "sentra_cpu_ms")),
                    format!("{:.0} ms", f(v, "vips_cpu_ms")),
                    met(Some(mb <= MEMORY_CEILING_MB)),
                ]
            })
            .collect();
        s.para(
            "Per input: peak RSS of `process_file` on each accepted kind of input up to the \
             pixel cap (medians of up to 3 runs), beside `vipsthumbnail` making the 1280 px image \
             from the same file. Goal (#17): ≤ 64 MB peak for every one.",
        );
        s.table(
            &[
                "input",
                "bytes",
                "Sentra peak RSS",
                "vips peak RSS",
                "ratio",
                "Sentra time",
                "vips time",
                "Sentra CPU",
                "vips CPU",
                "≤ 64 MB",
            ],
            &rows,
        );
    }
    Ok(s)
}

/// Photo ingest time on the 12 MP photo, as a fraction of vips A's (#17).
const INGEST_TIME_GOAL: f64 = 0.35;

/// The peak memory every accepted input must stay under (#17).
const MEMORY_CEILING_MB: f64 = 64.0;
