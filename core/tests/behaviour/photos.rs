use super::*;
use sentra_core::ErrorCode;
use sentra_core::photos::{ImageKind, UploadState};
use std::path::Path;

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

fn product(p: &Phone, name: &str) -> Id {
    let producer = with_producer(p);
    p.sentra
        .create_product(&product_input(producer, name, &[]))
        .unwrap()
}

#[test]
fn a_camera_photo_becomes_a_display_image_and_a_thumbnail_named_by_hash() {
    let p = phone();
    let id = product(&p, "Tas Anyaman");
    let source = jpeg(p.dir.path(), "IMG_0001.jpg", 2000, 1500, 10);
    let photo = p.sentra.add_photo(id, &source).unwrap();
    let thumb = photo.thumb_hash.clone().unwrap();
    assert_eq!(photo.hash.len(), 64);
    let mut expected = vec![format!("{}.jpg", photo.hash), format!("{thumb}.jpg")];
    expected.sort();
    assert_eq!(files_in(p.sentra.photo_dir()), expected);
    let display = image::open(p.sentra.photo_path(&photo.hash).unwrap().unwrap()).unwrap();
    assert_eq!((display.width(), display.height()), (1280, 960));
    let small = image::open(p.sentra.photo_path(&thumb).unwrap().unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (320, 240));
    let bytes = std::fs::read(p.sentra.photo_path(&photo.hash).unwrap().unwrap()).unwrap();
    assert_eq!(
        blake3::hash(&bytes).to_hex().to_string(),
        photo.hash,
        "named by content"
    );
    assert_eq!(p.sentra.photos(id).unwrap(), vec![photo]);
}

#[test]
fn the_same_photo_twice_is_stored_once_and_shared_files_survive_one_delete() {
    let p = phone();
    let first = product(&p, "Kaos");
    let producer = p.sentra.product(first).unwrap().producer_id;
    let second = p
        .sentra
        .create_product(&product_input(producer, "Kaos Lagi", &[]))
        .unwrap();
    let source = jpeg(p.dir.path(), "kaos.jpg", 800, 600, 20);
    let a = p.sentra.add_photo(first, &source).unwrap();
    let again = p.sentra.add_photo(first, &source).unwrap();
    assert_eq!(a.id, again.id, "added twice to one product: one photo");
    assert_eq!(p.sentra.photos(first).unwrap().len(), 1);
    let b = p.sentra.add_photo(second, &source).unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(a.hash, b.hash);
    assert_eq!(
        files_in(p.sentra.photo_dir()).len(),
        2,
        "one display + one thumbnail on disk"
    );
    assert_eq!(
        p.sentra.photo_upload_queue(false).unwrap().len(),
        2,
        "uploaded once"
    );

    p.sentra.remove_photo(a.id).unwrap();
    assert_eq!(
        files_in(p.sentra.photo_dir()).len(),
        2,
        "the other product still uses them"
    );
    p.sentra.remove_photo(b.id).unwrap();
    assert!(
        files_in(p.sentra.photo_dir()).is_empty(),
        "no row uses them any more"
    );
    assert!(p.sentra.photo_upload_queue(false).unwrap().is_empty());
}

#[test]
fn a_small_photo_is_never_upscaled() {
    let p = phone();
    let id = product(&p, "Gantungan Kunci");
    let photo = p
        .sentra
        .add_photo(id, &jpeg(p.dir.path(), "small.jpg", 64, 64, 5))
        .unwrap();
    for hash in [photo.hash, photo.thumb_hash.unwrap()] {
        let img = image::open(p.sentra.photo_path(&hash).unwrap().unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (64, 64));
    }
}

#[test]
fn thumbnails_upload_first_and_a_cut_upload_resumes_at_the_confirmed_offset() {
    let p = phone();
    let id = product(&p, "Batik Tulis");
    let one = p
        .sentra
        .add_photo(id, &jpeg(p.dir.path(), "1.jpg", 1600, 1200, 1))
        .unwrap();
    let two = p
        .sentra
        .add_photo(id, &jpeg(p.dir.path(), "2.jpg", 1600, 1200, 2))
        .unwrap();
    let queue = p.sentra.photo_upload_queue(false).unwrap();
    let kinds: Vec<ImageKind> = queue.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ImageKind::Thumbnail,
            ImageKind::Thumbnail,
            ImageKind::Display,
            ImageKind::Display
        ]
    );
    assert_eq!(queue[0].hash, one.thumb_hash.clone().unwrap());
    assert_eq!(queue[2].hash, one.hash);
    let metered = p.sentra.photo_upload_queue(true).unwrap();
    assert!(
        metered.iter().all(|f| f.kind == ImageKind::Thumbnail),
        "display images wait on mobile data"
    );

    // Upload the first display image to 40%, then "restart the app".
    let size = queue[2].bytes;
    p.sentra
        .confirm_photo_upload(&one.hash, size * 2 / 5)
        .unwrap();
    let summary = p.sentra.photo_upload_summary().unwrap();
    let percent = (size * 2 / 5) * 100 / size;
    assert!((39..=40).contains(&percent));
    assert_eq!(
        (
            summary.waiting,
            summary.uploading,
            summary.uploading_percent
        ),
        (3, 1, Some(percent))
    );
    let path = p.sentra.path().to_path_buf();
    drop(p.sentra);
    let reopened = Sentra::open_with(
        &path,
        OpenOptions {
            wall_clock: p.clock.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    let file = reopened
        .photo_upload_queue(false)
        .unwrap()
        .into_iter()
        .find(|f| f.hash == one.hash)
        .unwrap();
    assert_eq!(
        file.state,
        UploadState::Uploading {
            confirmed_bytes: size * 2 / 5
        }
    );
    reopened.confirm_photo_upload(&one.hash, size).unwrap();
    reopened
        .fail_photo_upload(&two.hash, "hash_mismatch")
        .unwrap();
    let summary = reopened.photo_upload_summary().unwrap();
    assert_eq!(
        (summary.uploaded, summary.failed, summary.waiting),
        (1, 1, 2)
    );
    assert_eq!(
        reopened
            .confirm_photo_upload(&one.hash, size + 1)
            .unwrap_err()
            .code(),
        ErrorCode::Validation
    );
    assert_eq!(reopened.retry_failed_photo_uploads().unwrap(), 1);
    assert_eq!(reopened.photo_upload_summary().unwrap().waiting, 3);
}

#[test]
fn bad_files_get_their_own_error_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(ManualClock(std::sync::atomic::AtomicI64::new(NOV_22)));
    let options = OpenOptions {
        wall_clock: clock,
        photo_limits: sentra_core::photos::Limits {
            max_file_bytes: 200_000,
            max_pixels: 50_000_000,
        },
        ..Default::default()
    };
    let sentra = Sentra::open_with(&dir.path().join("sentra.db"), options).unwrap();
    let producer = sentra
        .register_producer(&producer_input("Konveksi"))
        .unwrap();
    let id = sentra
        .create_product(&product_input(producer, "Kaos", &[]))
        .unwrap();

    let text = dir.path().join("catatan.jpg");
    std::fs::write(&text, "bukan foto").unwrap();
    let good = jpeg(dir.path(), "good.jpg", 300, 200, 7);
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("cut.jpg");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    // Noise compresses badly: well over the 200 KB cap set above.
    let noise = image::RgbImage::from_fn(600, 600, |x, y| {
        let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
        image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
    });
    let big = dir.path().join("big.jpg");
    noise
        .save_with_format(&big, image::ImageFormat::Jpeg)
        .unwrap();
    assert!(std::fs::metadata(&big).unwrap().len() > 200_000);
    // A PNG whose header declares 60000×60000 pixels.
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bomb.extend_from_slice(&60_000u32.to_be_bytes());
    bomb.extend_from_slice(&60_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    let bomb_path = dir.path().join("bomb.png");
    std::fs::write(&bomb_path, &bomb).unwrap();

    // An iPhone's HEIC photo: the start of its ISO media file (ftyp brands, then meta).
    let heic = dir.path().join("IMG_0001.HEIC");
    let mut bytes = b"\0\0\0\x1cftypheic\0\0\0\0mif1MiPrmiafheic".to_vec();
    bytes.extend_from_slice(b"\0\0\x0f\xf8meta\0\0\0\0");
    bytes.resize(4096, 0);
    std::fs::write(&heic, &bytes).unwrap();

    let cases: [(&Path, ErrorCode); 7] = [
        (&text, ErrorCode::NotAnImage),
        (&heic, ErrorCode::HeicNotSupported),
        (&truncated, ErrorCode::TruncatedImage),
        (&big, ErrorCode::FileTooLarge),
        (&bomb_path, ErrorCode::TooManyPixels),
        (
            Path::new("/nonexistent/IMG_0002.jpg"),
            ErrorCode::UnreadableFile,
        ),
        (dir.path(), ErrorCode::UnreadableFile),
    ];
    for (path, code) in cases {
        let err = sentra.add_photo(id, path).unwrap_err();
        assert_eq!(err.code(), code, "{}", path.display());
        assert!(
            !err.to_string().contains("/"),
            "no path in the message: {err}"
        );
    }
    assert!(files_in(sentra.photo_dir()).is_empty());
    assert!(sentra.photos(id).unwrap().is_empty());
    assert_eq!(
        sentra.add_photo(Id::new(), &good).unwrap_err().code(),
        ErrorCode::Validation
    );
}

#[test]
fn leftovers_of_a_crash_are_swept_when_the_store_opens() {
    let p = phone();
    let id = product(&p, "Kaos");
    let kept = p
        .sentra
        .add_photo(id, &jpeg(p.dir.path(), "a.jpg", 400, 300, 3))
        .unwrap();
    let dir = p.sentra.photo_dir().to_path_buf();
    let temp = dir.join(".tmp-999-0-abc.jpg");
    let orphan = dir.join(format!("{}.jpg", "e".repeat(64)));
    std::fs::write(&temp, b"half a file").unwrap();
    std::fs::write(&orphan, b"written, never recorded").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for path in [&temp, &orphan] {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
    }
    let fresh_temp = dir.join(".tmp-999-1-def.jpg");
    std::fs::write(&fresh_temp, b"another process is writing this").unwrap();
    let path = p.sentra.path().to_path_buf();
    drop(p.sentra);
    let reopened = Sentra::open(&path).unwrap();
    assert!(
        !temp.exists() && !orphan.exists(),
        "old leftovers are removed"
    );
    assert!(
        fresh_temp.exists(),
        "a file being written right now is left alone"
    );
    assert!(reopened.photo_path(&kept.hash).unwrap().unwrap().exists());
}

#[test]
fn a_product_made_with_a_refused_photo_is_not_made_at_all_and_a_retry_makes_one() {
    let p = phone();
    let producer = with_producer(&p);
    let input = product_input(producer, "Keripik Tempe", &[]);
    let query = sentra_core::catalogue::listing::ProductQuery {
        limit: 50,
        ..Default::default()
    };
    let text = p.dir.path().join("IMG_0003.jpg");
    std::fs::write(&text, "bukan foto").unwrap();
    // The same bad file twice, as a retry would: still no product, no file.
    for _ in 0..2 {
        let err = p
            .sentra
            .create_product_with_photo(&input, &text)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotAnImage);
        assert!(p.sentra.list_products(&query).unwrap().is_empty());
        assert!(files_in(p.sentra.photo_dir()).is_empty());
    }
    let good = jpeg(p.dir.path(), "IMG_0004.jpg", 800, 600, 3);
    let (id, photo) = p.sentra.create_product_with_photo(&input, &good).unwrap();
    assert_eq!(p.sentra.list_products(&query).unwrap().len(), 1);
    assert_eq!(p.sentra.photos(id).unwrap(), vec![photo]);
}

#[test]
fn one_picture_shared_by_a_second_product_is_not_processed_or_stored_again() {
    let p = phone();
    let first = product(&p, "Celana Jeans Biru");
    let maker = p.sentra.product(first).unwrap().producer_id;
    let second = p
        .sentra
        .create_product(&product_input(maker, "Celana Jeans Hitam", &[]))
        .unwrap();
    let source = jpeg(p.dir.path(), "IMG_0002.jpg", 1600, 1200, 10);
    let photo = p.sentra.add_photo(first, &source).unwrap();
    let files = files_in(p.sentra.photo_dir());
    let shared = p.sentra.share_photo(second, &photo).unwrap();
    assert_eq!(shared.owner_id, second);
    assert_eq!(
        (shared.hash.as_str(), shared.thumb_hash.as_deref()),
        (photo.hash.as_str(), photo.thumb_hash.as_deref())
    );
    assert_eq!(files_in(p.sentra.photo_dir()), files, "no new file");
    // Twice on one product is kept once.
    assert_eq!(p.sentra.share_photo(second, &photo).unwrap().id, shared.id);
    assert_eq!(p.sentra.photos(second).unwrap().len(), 1);
    // A picture this phone does not hold is refused.
    let other = phone();
    let elsewhere = product(&other, "Tas");
    let foreign = other
        .sentra
        .add_photo(
            elsewhere,
            &jpeg(other.dir.path(), "IMG_0003.jpg", 800, 600, 20),
        )
        .unwrap();
    let err = p.sentra.share_photo(second, &foreign).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
}
