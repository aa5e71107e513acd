//! A full disk: a writer adding products and photos runs under a file-size limit (RLIMIT_FSIZE,
//! set by `/bin/sh` with SIGXFSZ ignored, so a write past it fails like a full disk). It must stop
//! with a clear storage error, and the database and photo directory must be intact afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

use sentra_core::{Id, Sentra};
use std::process::Command;

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_during_writes_and_photo_ingest_gives_a_clear_error_and_no_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sentra.db");
    // ulimit -f counts 512-byte blocks in dash and 1 KiB blocks in bash: 1 or 2 MiB per file.
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 2048 && exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_crash_writer"))
        .arg(&db)
        .arg("1")
        .arg("--photos")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the writer stops on a write error: {stdout}"
    );
    let error = stdout
        .lines()
        .find_map(|l| l.strip_prefix("error "))
        .unwrap();
    assert!(
        matches!(error, "storage_full" | "storage"),
        "a storage error, not {error}"
    );

    let sentra = Sentra::open(&db).unwrap();
    sentra.check_integrity().unwrap();
    let mut photos = 0;
    for line in stdout.lines() {
        let (kind, id) = line.split_once(' ').unwrap();
        match kind {
            "product" => assert!(sentra.product(id.parse::<Id>().unwrap()).is_ok()),
            "photo" => photos += 1,
            _ => {}
        }
    }
    assert!(photos > 0, "some photos went in before the disk filled");
    // Every photo file on disk is recorded, and no temp file is left.
    for entry in std::fs::read_dir(sentra.photo_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".tmp-"), "temp file left: {name}");
        let hash = name.strip_suffix(".jpg").unwrap();
        assert!(
            sentra.photo_path(hash).unwrap().is_some(),
            "unrecorded file {name}"
        );
    }
    // And it works again once there is room.
    let producer = sentra
        .register_producer(&sentra_tests::rowosari_jeans_maker())
        .unwrap();
    sentra
        .create_product(&sentra_tests::jeans(&producer.to_string()))
        .unwrap();
}
