//! Benchmark 5: the device's local store. `core/benches/catalogue.rs` takes the figures and
//! writes them as JSON; this turns them into the report.

use crate::error::Result;
use crate::report::{Section, met, thousands};
use serde_json::Value;

/// The section from the bench's JSON.
pub fn section(figures: &Value, command_line: &str) -> Result<Section> {
    let f = |key: &str| figures[key].as_f64().unwrap_or(f64::NAN);
    let mut s = Section::new("store", "The device's local store", command_line);
    s.fact(
        "Data",
        &format!(
            "{} products from 50 producers, 2–6 variants each (4 on average), each with opening \
             stock, names and descriptions in Indonesian, generated through the public API (one \
             transaction per product, `synchronous = FULL`) into `target/bench-data/` and reused \
             by later runs{}",
            thousands(figures["products"].as_u64().unwrap_or(0)),
            match figures["generated_ms_per_product"].as_f64() {
                Some(ms) => format!(" (generated in this run: {ms:.2} ms per product)"),
                None => " (reused from an earlier run)".into(),
            }
        ),
    );
    s.fact("Build", crate::report::MOBILE_BUILD);
    s.fact(
        "Method",
        "cold open = a new `Sentra` handle on the file through its first listing page, 20 runs; \
         listing = first page of 50 rows, newest first, alternately with and without the \
         in-stock filter, 500 runs; search = eight prefix searches (\"kaos\", \"ba\", \"gula \
         kri\", \"kopi\", \"tas anyam\", \"pekal\", \"sambal bawang\", \"jeans\"), 50 rows, 800 \
         runs; bytes per product = used pages × page size ÷ products after a WAL checkpoint; \
         pulled changes = another phone's edits (a price edit and a stock movement on each of \
         half as many products) applied with `sync_apply_pull` in pages of about 2 MB of JSON, \
         on a copy of the file",
    );
    let ms = |v: f64| format!("{v:.3} ms");
    s.table(
        &["figure", "result", "goal", "met"],
        &[
            vec![
                "cold open + first page, p95".into(),
                ms(f("cold_open_p95_ms")),
                "< 50 ms".into(),
                met(Some(f("cold_open_p95_ms") < 50.0)),
            ],
            vec![
                "first listing page (50 rows), p95".into(),
                ms(f("list_p95_ms")),
                "< 2 ms".into(),
                met(Some(f("list_p95_ms") < 2.0)),
            ],
            vec![
                "FTS prefix search (50 rows), p95".into(),
                ms(f("search_p95_ms")),
                "< 5 ms".into(),
                met(Some(f("search_p95_ms") < 5.0)),
            ],
            vec![
                format!(
                    "applying {} pulled changes ({} pages)",
                    thousands(figures["pulled_changes"].as_u64().unwrap_or(0)),
                    figures["pulled_pages"]
                ),
                format!("{:.0} ms", f("apply_ms")),
                "< 1 s".into(),
                met(Some(f("apply_ms") < 1000.0)),
            ],
            vec![
                "bytes per product, outbox acknowledged".into(),
                thousands(
                    figures["bytes_per_product_acknowledged"]
                        .as_u64()
                        .unwrap_or(0),
                ),
                "≤ 1,024".into(),
                met(Some(f("bytes_per_product_acknowledged") <= 1024.0)),
            ],
            vec![
                format!(
                    "bytes per product, {} outbox entries pending{}",
                    thousands(figures["pending_entries"].as_u64().unwrap_or(0)),
                    if figures["pending_entries"].as_u64() == Some(0) {
                        " (the kept file's outbox was acknowledged by an earlier run)"
                    } else {
                        ""
                    }
                ),
                thousands(figures["bytes_per_product_pending"].as_u64().unwrap_or(0)),
                "(none)".into(),
                "n/a".into(),
            ],
            vec![
                "FTS search ranked by BM25 (`Sort::Relevance`), p95".into(),
                ms(f("ranked_search_p95_ms")),
                "(none)".into(),
                "n/a".into(),
            ],
        ],
    );
    Ok(s)
}
