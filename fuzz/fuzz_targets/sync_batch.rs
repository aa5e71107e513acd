//! The server's decoding of a sync batch, and every entry that decodes pushed into a real store
//! as an admin, a producer and a facilitator (see `sentra_tests::fuzz::sync_batch`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentra_tests::fuzz::{SyncWorld, sync_batch};
use std::sync::OnceLock;

fn world() -> &'static SyncWorld {
    static WORLD: OnceLock<SyncWorld> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sentra-fuzz-sync-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        SyncWorld::new(&dir).unwrap()
    })
}

fuzz_target!(|data: &[u8]| sync_batch(world(), data));
