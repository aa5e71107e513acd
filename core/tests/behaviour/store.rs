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

/// Overwrites one page of the checkpointed, closed database at `path`: the middle leaf page of
/// `table`'s b-tree, as a failing SD card might.
fn scribble_over_one_leaf(path: &std::path::Path, table: &str) {
    let (page, page_size): (i64, i64) = {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let leaves: Vec<i64> = conn
            .prepare(
                "SELECT pageno FROM dbstat WHERE name = ?1 AND pagetype = 'leaf' ORDER BY pageno",
            )
            .unwrap()
            .query_map([table], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            leaves.len() >= 3,
            "{table} spans {} leaf pages",
            leaves.len()
        );
        let size = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (leaves[leaves.len() / 2], size)
    };
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    use std::io::Seek;
    file.seek(std::io::SeekFrom::Start(((page - 1) * page_size) as u64))
        .unwrap();
    file.write_all(&vec![0x5A; page_size as usize]).unwrap();
    file.sync_all().unwrap();
}

#[test]
fn a_damaged_outbox_page_loses_only_the_changes_on_it_and_the_rest_come_back_after_a_pull() {
    let p = phone();
    let producer = p
        .sentra
        .register_producer(&producer_input("Konveksi"))
        .unwrap();
    for i in 0..300 {
        p.sentra
            .create_product(&product_input(producer, &format!("Kaos {i}"), &[]))
            .unwrap();
    }
    let unsent = p.sentra.outbox(0, 1000).unwrap().len();
    let path = p.sentra.path().to_path_buf();
    let Phone { sentra, clock, dir } = p;
    drop(sentra);
    scribble_over_one_leaf(&path, "outbox");

    let options = || OpenOptions {
        wall_clock: clock.clone(),
        ..Default::default()
    };
    let (sentra, report) = Sentra::recover_with(&path, options()).unwrap();
    assert!(report.unsent_changes_lost, "{report:?}");
    assert!(
        report.salvaged_changes > unsent / 2 && report.salvaged_changes < unsent,
        "{} of {unsent} read back",
        report.salvaged_changes
    );
    // Held until the first pull has brought back the rest of the shop.
    assert!(sentra.outbox(0, 10).unwrap().is_empty());
    sentra
        .sync_apply_pull(&sentra_core::sync::wire::PullResponse {
            server_time_ms: NOV_22,
            changes: vec![],
            next_cursor: "0".into(),
            more: false,
            reset: false,
        })
        .unwrap();
    let outbox = sentra.outbox(0, 1000).unwrap();
    assert_eq!(outbox.len(), report.salvaged_changes);
    let created = outbox.iter().filter(|e| e.entity == "product").count();
    let listed = sentra
        .list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 200,
            ..Default::default()
        })
        .unwrap()
        .len()
        + sentra
            .list_products(&sentra_core::catalogue::listing::ProductQuery {
                offset: 200,
                limit: 200,
                ..Default::default()
            })
            .unwrap()
            .len();
    assert_eq!(
        listed, created,
        "every salvaged product is back on the phone"
    );
    sentra.check_integrity().unwrap();
    drop(dir);
}

#[test]
fn a_recovery_cut_short_between_its_renames_is_finished_by_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentra.db");
    let rebuilt = dir.path().join("sentra.db.recovered");
    {
        let damaged = Sentra::open(&path).unwrap();
        damaged
            .register_producer(&producer_input("Yang Rusak"))
            .unwrap();
        let fresh = Sentra::open(&rebuilt).unwrap();
        fresh
            .register_producer(&producer_input("Yang Baru"))
            .unwrap();
    }
    // Cut before anything was renamed: the damaged file is still in place.
    let sentra = Sentra::open(&path).unwrap();
    let names: Vec<String> = sentra
        .producers(false, 0, 10)
        .unwrap()
        .into_iter()
        .map(|p| p.business_name)
        .collect();
    assert_eq!(names, ["Yang Baru"]);
    assert!(!rebuilt.exists());
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("sentra.db.damaged-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the damaged file is kept aside: {aside:?}");
    drop(sentra);

    // Cut after the damaged file was set aside: the rebuilt one is simply moved in.
    let again = dir.path().join("again.db");
    let again_rebuilt = dir.path().join("again.db.recovered");
    drop(Sentra::open(&again_rebuilt).unwrap());
    let sentra = Sentra::open(&again).unwrap();
    assert!(!again_rebuilt.exists());
    sentra.check_integrity().unwrap();
}
