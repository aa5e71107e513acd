use super::*;
use sentra_core::ErrorCode;
use std::io::Write;

#[test]
fn opening_a_new_path_creates_a_database_and_reopening_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentra.db");
    let sentra = Sentra::open(&path).unwrap();
    let device = sentra.device_id();
    let id = sentra
        .register_producer(&producer_input("Konveksi"))
        .unwrap();
    drop(sentra);
    let sentra = Sentra::open(&path).unwrap();
    assert_eq!(sentra.device_id(), device, "the device id is made once");
    assert_eq!(sentra.producer(id).unwrap().business_name, "Konveksi");
    sentra.check_integrity().unwrap();
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, b"daftar belanja: gula, kopi, benang\n").unwrap();
    let err = Sentra::open(&path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotSentraDatabase);
    assert!(std::fs::read(&path).unwrap() == b"daftar belanja: gula, kopi, benang\n");
}

#[test]
fn another_apps_sqlite_file_is_refused_and_not_altered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES ('Ibu');",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Sentra::open(&path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotSentraDatabase);
    assert!(
        std::fs::read(&path).unwrap() == before,
        "the other app's file is unchanged"
    );
}

#[test]
fn a_database_from_a_newer_app_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentra.db");
    drop(Sentra::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", sentra_core::schema_version() + 1)
            .unwrap();
    }
    let err = Sentra::open(&path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::SchemaTooNew);
}

#[test]
fn a_damaged_database_is_reported_as_corrupt_and_not_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentra.db");
    {
        let sentra = Sentra::open(&path).unwrap();
        let producer = sentra
            .register_producer(&producer_input("Konveksi"))
            .unwrap();
        for i in 0..200 {
            sentra
                .create_product(&product_input(producer, &format!("Kaos {i}"), &[]))
                .unwrap();
        }
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    // Scribble over the middle of the file, as a failing SD card might.
    let len = std::fs::metadata(&path).unwrap().len();
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    use std::io::Seek;
    file.seek(std::io::SeekFrom::Start(len / 2)).unwrap();
    file.write_all(&vec![0xA5; 8192]).unwrap();
    drop(file);
    let result = Sentra::open(&path).and_then(|s| {
        s.check_integrity()?;
        s.list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 200,
            ..Default::default()
        })
    });
    assert_eq!(result.unwrap_err().code(), ErrorCode::DatabaseCorrupt);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        len,
        "the file is kept for recovery"
    );
}

#[test]
fn an_empty_file_becomes_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentra.db");
    std::fs::write(&path, b"").unwrap();
    let sentra = Sentra::open(&path).unwrap();
    assert!(sentra.producers(false, 0, 10).unwrap().is_empty());
}

/// Every committed snapshot of an older schema opens, upgrades to the current schema, and keeps
/// its data. A snapshot is the SQL of a database at that version, with a few rows.
#[test]
fn every_schema_snapshot_upgrades_to_the_fresh_schema() {
    let snapshots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema_snapshots");
    let mut seen = 0;
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh_path = fresh_dir.path().join("fresh.db");
    drop(Sentra::open(&fresh_path).unwrap());
    let fresh = schema_of(&fresh_path);
    for entry in std::fs::read_dir(&snapshots).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        seen += 1;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&db).unwrap();
            conn.execute_batch(&std::fs::read_to_string(&path).unwrap())
                .unwrap();
        }
        let sentra = Sentra::open(&db).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            schema_of(&db),
            fresh,
            "{} upgrades to the fresh schema",
            path.display()
        );
        let producers = sentra.producers(false, 0, 10).unwrap();
        assert!(
            !producers.is_empty(),
            "{} keeps its producers",
            path.display()
        );
        let page = sentra
            .list_products(&sentra_core::catalogue::listing::ProductQuery {
                search: Some("kaos".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert!(
            !page.is_empty(),
            "{} keeps its products and their search index",
            path.display()
        );
        assert!(
            !sentra.outbox(0, 10).unwrap().is_empty(),
            "{} keeps its outbox",
            path.display()
        );
        sentra.check_integrity().unwrap();
    }
    assert!(seen >= 1, "no snapshots found in {}", snapshots.display());
}

fn schema_of(path: &std::path::Path) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
        .unwrap();
    let mut rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| {
            let sql: String = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                sql.split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.push(("pragma".into(), "user_version".into(), version.to_string()));
    rows.push(("pragma".into(), "application_id".into(), app.to_string()));
    rows
}

#[test]
fn a_shared_phone_opens_an_account_only_with_its_pin_and_locks_after_five_wrong() {
    use sentra_core::unlock::Unlock;
    let p = phone();
    assert!(!p.sentra.has_unlock_pin().unwrap());
    assert_eq!(
        p.sentra.unlock("").unwrap(),
        Unlock::Open,
        "no PIN set: nothing to unlock"
    );
    let err = p.sentra.set_unlock_pin("12ab56").unwrap_err();
    assert_eq!(err.fields()[0].rule, sentra_core::Rule::Pin);
    p.sentra.set_unlock_pin("246810").unwrap();
    assert!(p.sentra.has_unlock_pin().unwrap());
    assert_eq!(p.sentra.unlock("246810").unwrap(), Unlock::Open);
    for left in (1..5).rev() {
        assert_eq!(
            p.sentra.unlock("000000").unwrap(),
            Unlock::Wrong {
                attempts_left: left
            }
        );
    }
    let Unlock::Locked { until_ms } = p.sentra.unlock("000000").unwrap() else {
        panic!("five wrong PINs lock it");
    };
    // Locked: even the right PIN waits, and the lock survives reopening the file.
    assert_eq!(
        p.sentra.unlock("246810").unwrap(),
        Unlock::Locked { until_ms }
    );
    let again = Sentra::open_with(
        p.sentra.path(),
        OpenOptions {
            wall_clock: p.clock.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(again.unlock("246810").unwrap(), Unlock::Locked { until_ms });
    // A quarter of an hour later it opens again.
    p.clock
        .0
        .fetch_add(15 * 60 * 1000 + 1, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(again.unlock("246810").unwrap(), Unlock::Open);
    // The PIN's hash stays on this phone: nothing about it is in the outbox.
    let outbox = serde_json::to_string(&p.sentra.outbox(0, 1000).unwrap()).unwrap();
    assert!(!outbox.contains("argon2"));
}
