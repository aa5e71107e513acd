//! Photos: resumable uploads, verified hashes, downloads on demand; and the demo.

use super::*;

on_both_backends!(a_photo_upload_cut_halfway_resumes_after_a_restart_and_sends_only_the_rest,);

async fn a_photo_upload_cut_halfway_resumes_after_a_restart_and_sends_only_the_rest(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&producer("Gerabah Kasongan", "0812-3434-5656"))
        .unwrap();
    let product_id = phone
        .sentra
        .create_product(&product(me, "Vas Gerabah", 3))
        .unwrap();
    // A noisy photo compresses badly, so its display image spans several chunks.
    let noise = image::RgbImage::from_fn(1600, 1200, |x, y| {
        let v = (x.wrapping_mul(7_919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
        image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
    });
    let source = phone._dir.path().join("vas.png");
    noise.save(&source).unwrap();
    let photo = phone.sentra.add_photo(product_id, &source).unwrap();
    let size = |hash: &str| {
        std::fs::metadata(phone.sentra.photo_path(hash).unwrap().unwrap())
            .unwrap()
            .len() as usize
    };
    let (display, thumb) = (
        size(&photo.hash),
        size(photo.thumb_hash.as_deref().unwrap()),
    );
    assert!(
        display > 3 * sentra_core::sync::engine::PHOTO_CHUNK_BYTES,
        "display image is {display} bytes"
    );
    account(
        &server,
        "0812-3434-5656",
        "998877",
        Role::Producer,
        Some(me),
    )
    .await;
    sign_in(&server, &mut phone, "081234345656", "998877").await;

    // The signal dies about halfway through the display image (a byte budget stands in for it).
    let transport = HttpTransport::new(&server.url, &phone.token);
    let cut = SyncOptions {
        byte_budget: Some(thumb + display / 2),
        ..Default::default()
    };
    let first = phone
        .sentra
        .sync(&transport, &cut, None::<&NoProgress>, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(
        first.stopped_by.as_deref(),
        Some("byte_budget"),
        "{first:?}"
    );
    let percent = phone
        .sentra
        .photo_upload_summary()
        .unwrap()
        .uploading_percent
        .unwrap();
    assert!((25..=75).contains(&percent), "cut at {percent}%");

    // The app restarts: the confirmed offset is in the database, so only the rest is sent.
    let Phone {
        sentra,
        token,
        _dir,
    } = phone;
    let path = sentra.path().to_path_buf();
    drop(sentra);
    let phone = Phone {
        sentra: Sentra::open(&path).unwrap(),
        token,
        _dir,
    };
    let transport = HttpTransport::new(&server.url, &phone.token);
    let second = phone
        .sentra
        .sync(
            &transport,
            &SyncOptions::default(),
            None::<&NoProgress>,
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert!(second.completed);
    assert_eq!(
        first.photo_bytes + second.photo_bytes,
        thumb + display,
        "no byte sent twice"
    );
    // Photos live in the store's blobs (the database, on PostgreSQL): read off the async threads.
    let (blobs, hash) = (server.state.blobs.clone(), photo.hash.clone());
    let stored = tokio::task::spawn_blocking(move || blobs.read(&hash).unwrap().unwrap())
        .await
        .unwrap();
    assert_eq!(blake3::hash(&stored).to_hex().as_str(), photo.hash);
    assert_eq!(phone.sentra.photo_upload_summary().unwrap().uploaded, 2);

    // Forged content for a hash, and hashes that are paths, are refused.
    let client = Client::new();
    let forged = "a".repeat(64);
    let response = client
        .put(format!(
            "{}/v1/photos/{forged}?offset=0&total=5",
            server.url
        ))
        .header("authorization", format!("Bearer {}", phone.token))
        .body("bukan")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let (blobs, hash) = (server.state.blobs.clone(), forged.clone());
    let kept = tokio::task::spawn_blocking(move || blobs.complete(&hash).unwrap())
        .await
        .unwrap();
    assert_eq!(kept, None);
    for bad in ["..%2F..%2Fetc%2Fpasswd", "ABC", &"g".repeat(64)] {
        let response = client
            .get(format!("{}/v1/photos/{bad}/status", server.url))
            .header("authorization", format!("Bearer {}", phone.token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_a_server_through_the_real_protocol() {
    let server = server(Backend::Sqlite).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    sentra_server::demo::seed(&server.state, &server.url, work.path())
        .await
        .unwrap();
    let metrics = metrics(&server).await;
    let value = |name: &str| metric(&metrics, name);
    assert!(value("sentra_push_entries_applied_total") > 30);
    assert_eq!(value("sentra_push_entries_rejected_total"), 0);
    // Ten pictures (a display image and a thumbnail each, in 64 KB chunks) for 335 products:
    // a picture shared by many products is uploaded once.
    let chunks = value("sentra_photo_chunks_total");
    assert!((20..=200).contains(&chunks), "{chunks} chunks");
    // A producer of the demo signs in on a fresh phone and finds their shop and their sale.
    let mut phone = unsigned_phone();
    sign_in(
        &server,
        &mut phone,
        "0812-2750-1001",
        sentra_server::demo::PRODUCER_PIN,
    )
    .await;
    sync(&server, &phone).await;
    let shop = phone
        .sentra
        .list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(shop.len(), 2);
    assert_eq!(
        phone
            .sentra
            .sales("2026-11-22", "2026-11-22", 10)
            .unwrap()
            .len(),
        1
    );

    // Photos come down only when shown: the rows are here, the files are fetched on demand,
    // checked against their hash, and never queued for upload again.
    let photo = phone.sentra.photos(shop[0].id).unwrap().remove(0);
    let thumb = photo.thumb_hash.unwrap();
    assert!(phone.sentra.photo_path(&thumb).unwrap().is_none());
    let transport = HttpTransport::new(&server.url, &phone.token);
    let path = phone.sentra.fetch_photo(&transport, &thumb).await.unwrap();
    assert_eq!(
        blake3::hash(&std::fs::read(&path).unwrap())
            .to_hex()
            .as_str(),
        thumb
    );
    assert!(phone.sentra.photo_upload_queue(false).unwrap().is_empty());
    let missing = phone
        .sentra
        .fetch_photo(&transport, &"0".repeat(64))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), sentra_core::ErrorCode::Network);
}
