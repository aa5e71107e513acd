//! A phone whose database file is damaged: detected, reported, and rebuilt by resyncing,
//! keeping the changes it had not sent yet, its photos and its PIN.

use super::*;
use sentra_core::ErrorCode;
use sentra_core::catalogue::listing::ProductQuery;

on_both_backends!(a_damaged_phone_database_is_rebuilt_from_the_server_keeping_its_unsent_changes,);

/// Every page of `table` in the database at `path`, overwritten as a failing SD card might.
/// The file must be checkpointed and closed.
fn scribble_over(path: &std::path::Path, table: &str) {
    let (pages, page_size): (Vec<i64>, i64) = {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT pageno FROM dbstat WHERE name = ?1")
            .unwrap();
        let pages = stmt
            .query_map([table], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let size = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (pages, size)
    };
    assert!(!pages.is_empty(), "{table} has pages");
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    for page in pages {
        use std::io::{Seek, SeekFrom, Write};
        file.seek(SeekFrom::Start(((page - 1) * page_size) as u64))
            .unwrap();
        file.write_all(&vec![0xA5; page_size as usize]).unwrap();
    }
    file.sync_all().unwrap();
}

/// Every product on the phone, a page at a time.
fn all(sentra: &Sentra) -> Vec<sentra_core::catalogue::listing::ProductSummary> {
    let mut all = Vec::new();
    loop {
        let page = sentra
            .list_products(&ProductQuery {
                offset: all.len() as u32,
                limit: 50,
                ..Default::default()
            })
            .unwrap();
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

async fn a_damaged_phone_database_is_rebuilt_from_the_server_keeping_its_unsent_changes(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&producer("Konveksi Rowosari Jaya", "0812-2750-7777"))
        .unwrap();
    account(&server, "081227507777", "246810", Role::Producer, Some(me)).await;
    sign_in(&server, &mut phone, "081227507777", "246810").await;
    let synced: Vec<Id> = (0..120)
        .map(|i| {
            phone
                .sentra
                .create_product(&product(me, &format!("Celana Jeans {i}"), 10))
                .unwrap()
        })
        .collect();
    let shot = phone._dir.path().join("jeans.png");
    textured_photo(&shot, 1);
    phone.sentra.add_photo(synced[0], &shot).unwrap();
    sync(&server, &phone).await;
    assert!(phone.sentra.outbox(0, 10).unwrap().is_empty());

    // Offline: a price change, a market sale, a new product with a photo, and the PIN.
    phone
        .sentra
        .edit_product(
            synced[1],
            &ProductPatch {
                price: Some(99_000),
                ..Default::default()
            },
        )
        .unwrap();
    let sold = phone.sentra.product(synced[2]).unwrap().variants[0].id;
    phone
        .sentra
        .record_sale(&NewSale {
            variant_id: sold.to_string(),
            quantity: 3,
            unit_price: None,
            channel: "market_stall".into(),
            sold_on: "2026-12-01".into(),
        })
        .unwrap();
    let jacket = phone
        .sentra
        .create_product(&product(me, "Jaket Jeans Baru", 4))
        .unwrap();
    let jacket_shot = phone._dir.path().join("jaket.png");
    textured_photo(&jacket_shot, 2);
    let jacket_photo = phone.sentra.add_photo(jacket, &jacket_shot).unwrap();
    phone.sentra.set_unlock_pin("135790").unwrap();
    let unsent = phone.sentra.outbox(0, 1000).unwrap().len();
    assert!(unsent >= 4, "{unsent} unsent changes");
    let old_device = phone.sentra.device_id();

    // The card fails under the products table.
    let path = phone.sentra.path().to_path_buf();
    let Phone {
        sentra,
        token,
        _dir,
    } = phone;
    drop(sentra);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    scribble_over(&path, "products");
    let damaged = Sentra::open(&path).and_then(|s| {
        s.check_integrity()?;
        s.list_products(&ProductQuery::default())
    });
    assert_eq!(damaged.unwrap_err().code(), ErrorCode::DatabaseCorrupt);

    // Recovery keeps what only the phone knew, and sets the damaged file aside.
    let (sentra, report) = Sentra::recover(&path).unwrap();
    let aside = report
        .damaged_file
        .clone()
        .expect("the damaged file is set aside");
    assert!(aside.exists(), "{}", aside.display());
    assert_eq!(report.salvaged_changes, unsent);
    assert!(!report.unsent_changes_lost);
    assert!(report.sign_in_again);
    assert!(report.photos_kept >= 4, "{report:?}");
    sentra.check_integrity().unwrap();
    assert_ne!(sentra.device_id(), old_device, "a new device to the server");
    assert!(
        sentra.has_unlock_pin().unwrap(),
        "the shared phone's PIN stays"
    );
    assert!(matches!(
        sentra.unlock("135790").unwrap(),
        sentra_core::unlock::Unlock::Open
    ));
    assert!(
        sentra.account().unwrap().is_some(),
        "who was signed in stays"
    );
    // Asking again changes nothing: the file is whole now.
    drop(sentra);
    let (sentra, again) = Sentra::recover(&path).unwrap();
    assert_eq!(again.damaged_file, None);

    // The old token belongs to the old device: the server refuses it, and the phone signs in.
    let mut phone = Phone {
        sentra,
        token,
        _dir,
    };
    let stale = phone
        .sentra
        .sync(
            &HttpTransport::new(&server.url, &phone.token),
            &SyncOptions::default(),
            None::<&NoProgress>,
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(stale.stopped_by.as_deref(), Some("refused:wrong_device"));
    sign_in(&server, &mut phone, "081227507777", "246810").await;
    sync(&server, &phone).await;

    // Everything is back: what was synced, and what was not.
    let products = all(&phone.sentra);
    assert_eq!(products.len(), 121, "no product lost or doubled");
    assert_eq!(phone.sentra.product(synced[1]).unwrap().price, 99_000);
    assert_eq!(phone.sentra.recount_stock(sold).unwrap(), 7);
    assert_eq!(
        phone.sentra.product(synced[2]).unwrap().variants[0].stock,
        7
    );
    assert_eq!(phone.sentra.photos(jacket).unwrap().len(), 1);
    assert!(phone.sentra.outbox(0, 10).unwrap().is_empty());
    let status = phone.sentra.sync_status().unwrap();
    assert_eq!(status.quarantined, 0);
    assert_eq!(status.photos.failed, 0, "{:?}", status.photos);

    // Another phone of the same producer sees the same shop, the unsent changes included, and
    // the jacket's photo reached the server.
    let other = super::phone(&server, "081227507777", "246810").await;
    sync(&server, &other).await;
    assert_eq!(all(&other.sentra).len(), 121);
    assert_eq!(other.sentra.product(synced[1]).unwrap().price, 99_000);
    assert_eq!(other.sentra.recount_stock(sold).unwrap(), 7);
    let fetched = other
        .sentra
        .fetch_photo(
            &HttpTransport::new(&server.url, &other.token),
            &jacket_photo.hash,
        )
        .await
        .unwrap();
    assert!(fetched.exists());
}

/// A photo with some texture, saved as PNG.
fn textured_photo(path: &std::path::Path, seed: u32) {
    image::RgbImage::from_fn(900, 700, |x, y| {
        let v = (x * 31 + y * 17 + seed * 101) % 251;
        image::Rgb([v as u8, (v * 3 % 251) as u8, (v * 7 % 251) as u8])
    })
    .save(path)
    .unwrap();
}
