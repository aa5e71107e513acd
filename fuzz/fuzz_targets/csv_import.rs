//! The facilitators' CSV import of producers: any bytes as the pasted CSV of `POST
//! /dasbor/impor`, by a signed-in facilitator with a valid form token.
//! It must answer, never panic or fail with a 5xx (see `sentra_tests::fuzz::csv_import`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentra_tests::fuzz::{WebWorld, csv_import};
use std::sync::OnceLock;

fn world() -> &'static WebWorld {
    static WORLD: OnceLock<WebWorld> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sentra-fuzz-web-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        WebWorld::new(&dir).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    csv_import(world(), data);
});
