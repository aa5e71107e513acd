//! Photo ingest: any bytes a camera roll or a hostile file could hold go through the whole
//! pipeline (sniff, decode at reduced size, orient, strip, resize, encode). It must refuse or
//! succeed, never panic, hang or blow past its memory limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sentra_tests::fuzz::photo_ingest(data));
