//! A recovery killed with SIGKILL at random moments. A phone whose database was damaged starts
//! rebuilding it (`Sentra::recover`) and dies part-way, as a phone with a failing card and a flat
//! battery might. After each kill the next recovery finishes the job: the file is whole, every
//! unsent change is back in the outbox exactly once, every photo file is kept and recorded, the
//! damaged file is set aside exactly once, and no half-built file is left behind.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

use rand::{RngExt, SeedableRng};
use sentra_core::Sentra;
use sentra_core::sync::wire::PullResponse;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TRIALS: usize = 20;

/// One outbox entry, as comparable data.
type Entry = (String, String, String, String);

fn outbox(sentra: &Sentra) -> BTreeSet<Entry> {
    sentra
        .outbox(0, 100_000)
        .unwrap()
        .into_iter()
        .map(|e| (e.entity, e.entity_id.to_string(), e.op, e.hlc.to_string()))
        .collect()
}

/// A phone's database with unsent work and photos, its products table then overwritten.
/// Returns the unsent entries and the photo hashes.
fn damaged_phone(dir: &Path) -> (BTreeSet<Entry>, Vec<String>) {
    let path = dir.join("sentra.db");
    let sentra = Sentra::open(&path).unwrap();
    let producer = sentra
        .register_producer(&sentra_tests::rowosari_jeans_maker())
        .unwrap();
    let mut hashes = Vec::new();
    for i in 0..150 {
        let product = sentra
            .create_product(&sentra_tests::jeans(&producer.to_string()))
            .unwrap();
        if i % 30 == 0 {
            let shot = dir.join("shot.png");
            sentra_tests::noise_photo(i, 400, 300).save(&shot).unwrap();
            let photo = sentra.add_photo(product, &shot).unwrap();
            hashes.push(photo.hash);
            hashes.extend(photo.thumb_hash);
        }
    }
    let unsent = outbox(&sentra);
    drop(sentra);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let pages: Vec<i64> = conn
        .prepare("SELECT pageno FROM dbstat WHERE name = 'products'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    for page in pages {
        file.seek(SeekFrom::Start(((page - 1) * size) as u64))
            .unwrap();
        file.write_all(&vec![0xA5; size as usize]).unwrap();
    }
    (unsent, hashes)
}

/// Copies every file of `from` (one level of folders) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_recovery_killed_at_random_moments_is_finished_by_the_next_one_and_loses_nothing() {
    let seed: u64 = std::env::var("SENTRA_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("crash recovery seed: {seed} (replay with SENTRA_SEED={seed})");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let scratch = tempfile::tempdir().unwrap();
    let template = scratch.path().join("template");
    std::fs::create_dir_all(&template).unwrap();
    let (unsent, hashes) = damaged_phone(&template);

    // How long one recovery takes here, so the kills land inside it.
    let calibration = scratch.path().join("calibration");
    copy_dir(&template, &calibration);
    let started = Instant::now();
    drop(Sentra::recover(&calibration.join("sentra.db")).unwrap());
    let took = started.elapsed();

    let mut cut_short = 0;
    for trial in 0..TRIALS {
        let dir: PathBuf = scratch.path().join(format!("trial-{trial}"));
        copy_dir(&template, &dir);
        let db = dir.join("sentra.db");
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_recovery"))
            .arg(&db)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "start", "trial {trial}");
        // Somewhere inside the recovery, or just after it.
        let wait = rng.random_range(0..took.as_micros() as u64 * 5 / 4);
        std::thread::sleep(Duration::from_micros(wait));
        child.kill().unwrap(); // SIGKILL on Unix (no error if it had already exited)
        child.wait().unwrap();
        let finished = lines
            .next()
            .is_some_and(|l| l.is_ok_and(|l| l.starts_with("recovered")));
        cut_short += usize::from(!finished);

        let (sentra, _) = Sentra::recover(&db)
            .unwrap_or_else(|e| panic!("trial {trial}: the next recovery failed: {e:?}"));
        sentra.check_integrity().unwrap();
        sentra
            .sync_apply_pull(&PullResponse {
                server_time_ms: sentra.clock().millis,
                changes: vec![],
                next_cursor: "0".into(),
                more: false,
                reset: false,
                scope: None,
            })
            .unwrap();
        assert_eq!(
            outbox(&sentra),
            unsent,
            "trial {trial}: every unsent change, once"
        );
        for hash in &hashes {
            let path = sentra.photo_path(hash).unwrap();
            assert!(
                path.is_some_and(|p| p.exists()),
                "trial {trial}: photo file {hash} lost"
            );
        }
        let files = names(&dir);
        let aside = files
            .iter()
            .filter(|n| {
                n.starts_with("sentra.db.damaged-") && !n.ends_with("-wal") && !n.ends_with("-shm")
            })
            .count();
        assert_eq!(
            aside, 1,
            "trial {trial}: the damaged file kept once: {files:?}"
        );
        assert!(
            !files
                .iter()
                .any(|n| n.contains(".recovering") || n.contains(".recovered")),
            "trial {trial}: a half-built file left behind: {files:?}"
        );
    }
    println!("{cut_short} of {TRIALS} recoveries were killed part-way (one took {took:?})");
    assert!(cut_short > 0, "no kill landed inside a recovery");
}
