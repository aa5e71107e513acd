//! The storefront's order form: any bytes as the body of `POST /p/{id}/pesan`, through axum's
//! form extraction, the form's parsing and validation and the replica placing the order.
//! It must answer, never panic or fail with a 5xx (see `sentra_tests::fuzz::order_form`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentra_tests::fuzz::{WebWorld, order_form};
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
    order_form(world(), data);
});
