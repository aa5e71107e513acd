//! The fuzz targets' property-test twins, for CI (libFuzzer needs `cargo fuzz` and a nightly
//! feature switch, which CI does not build; see docs/reliability.md). Each twin runs the very
//! body its target runs (`sentra_tests::fuzz`) over the committed seed corpus, every crash the
//! fuzzer ever found (`fuzz/regressions/<target>/`), and a few hundred inputs mutated from the
//! corpus by a seeded generator: byte flips, insertions of interesting bytes and numbers, cuts,
//! duplications and splices. None may panic.
//!
//! The seed is printed; `SENTRA_SEED=<seed>` replays it and `SENTRA_MUTATIONS=<n>` runs more.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sentra_tests::fuzz;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The seed corpus and the regressions of a target.
fn inputs(target: &str) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            if path.is_file() && path.file_name().is_some_and(|n| n != "README.md") {
                found.push(std::fs::read(path).unwrap());
            }
        }
    }
    assert!(!found.is_empty(), "{target} has a seed corpus");
    found
}

const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\xc3\x28",
    b"\"",
    b"\\",
    b"%",
    b"%00",
    b"&",
    b"=",
    b",",
    b"\n",
    b"\r\n",
    b"-1",
    b"0",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"1e999",
    b"null",
    b"[]",
    b"{}",
    b"<script>",
    b"' OR 1=1 --",
    b"\xef\xbb\xbf",
];

/// One input mutated a few times.
fn mutate(rng: &mut StdRng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut data = corpus[rng.random_range(0..corpus.len())].clone();
    for _ in 0..rng.random_range(1..=4) {
        let at = if data.is_empty() {
            0
        } else {
            rng.random_range(0..data.len())
        };
        match rng.random_range(0..6) {
            0 if !data.is_empty() => data[at] ^= 1 << rng.random_range(0..8),
            1 => {
                let piece = INTERESTING[rng.random_range(0..INTERESTING.len())];
                data.splice(at..at, piece.iter().copied());
            }
            2 => data.truncate(at),
            3 if !data.is_empty() => {
                let end = rng.random_range(at..=data.len().min(at + 64));
                let copy = data[at..end].to_vec();
                data.splice(at..at, copy);
            }
            4 => {
                let other = &corpus[rng.random_range(0..corpus.len())];
                let from = rng.random_range(0..=other.len());
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ if !data.is_empty() => {
                data[at] = rng.random();
            }
            _ => data.push(rng.random()),
        }
    }
    data
}

/// Runs `body` over the corpus and `mutations` mutated inputs; the failing input is written
/// beside the test's output so it can become a regression.
fn twin(target: &str, mutations: usize, body: impl Fn(&[u8])) {
    let seed: u64 = std::env::var("SENTRA_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    let mutations = std::env::var("SENTRA_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(mutations);
    println!("{target}: seed {seed} (replay with SENTRA_SEED={seed}), {mutations} mutations");
    let mut rng = StdRng::seed_from_u64(seed);
    let corpus = inputs(target);
    let mut all = corpus.clone();
    all.extend((0..mutations).map(|_| mutate(&mut rng, &corpus)));
    for (i, data) in all.iter().enumerate() {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(data))).is_err() {
            let out = std::env::temp_dir().join(format!("sentra-{target}-crash-{seed}-{i}"));
            std::fs::write(&out, data).unwrap();
            panic!(
                "{target}: input {i} panicked; saved to {} (copy it into fuzz/regressions/{target}/)",
                out.display()
            );
        }
    }
}

#[test]
fn photo_ingest_never_panics_on_mutated_images() {
    twin("photo_ingest", 300, fuzz::photo_ingest);
}

#[test]
fn sync_batch_decoding_and_pushing_never_panics_or_fails_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let world = fuzz::SyncWorld::new(dir.path()).unwrap();
    twin("sync_batch", 2_000, |data| fuzz::sync_batch(&world, data));
}

#[test]
fn the_storefront_order_form_answers_any_body_without_a_server_error() {
    let dir = tempfile::tempdir().unwrap();
    let world = fuzz::WebWorld::new(dir.path()).unwrap();
    twin("order_form", 400, |data| {
        fuzz::order_form(&world, data);
    });
}

#[test]
fn the_csv_import_answers_any_file_without_a_server_error() {
    let dir = tempfile::tempdir().unwrap();
    let world = fuzz::WebWorld::new(dir.path()).unwrap();
    twin("csv_import", 300, |data| {
        fuzz::csv_import(&world, data);
    });
}
