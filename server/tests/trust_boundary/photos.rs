//! Uploads straight to the photo API, past the phone's pipeline: a web page named as a photo,
//! a JPEG that still carries its GPS position, and an upload by the read-only official.

use super::*;

on_both_backends!(
    an_html_file_and_a_gps_tagged_jpeg_uploaded_to_the_api_are_refused_and_not_kept,
    the_read_only_official_cannot_upload_a_photo,
);

fn hash_of(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Uploads a whole file in one chunk, as `token`.
async fn upload(server: &Server, token: &str, bytes: &[u8]) -> Answer {
    send(
        server
            .client
            .put(format!(
                "{}/v1/photos/{}?offset=0&total={}",
                server.url,
                hash_of(bytes),
                bytes.len()
            ))
            .header("authorization", format!("Bearer {token}"))
            .body(bytes.to_vec()),
    )
    .await
}

/// What the server holds of a file: (bytes confirmed, complete).
async fn held(server: &Server, token: &str, bytes: &[u8]) -> (u64, bool) {
    let answer = send(
        server
            .client
            .get(format!(
                "{}/v1/photos/{}/status",
                server.url,
                hash_of(bytes)
            ))
            .header("authorization", format!("Bearer {token}")),
    )
    .await;
    let ack: wire::PhotoAck = serde_json::from_slice(&answer.body).unwrap();
    (ack.confirmed, ack.complete)
}

/// A clean photo with an EXIF block (APP1) right after its start marker, holding a GPS IFD
/// with a position in Jepara, as a phone camera writes it.
fn with_gps(clean: &[u8]) -> Vec<u8> {
    // TIFF, big-endian: IFD0 with one entry, the GPS IFD pointer, then the GPS IFD with the
    // latitude reference.
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    tiff.extend_from_slice(&[0, 1]); // one entry
    tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26]); // GPSInfo -> 26
    tiff.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    tiff.extend_from_slice(&[0, 1]); // GPS IFD: one entry
    tiff.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'S', 0, 0, 0]); // GPSLatitudeRef "S"
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(b"-6.5886,110.6684 Jepara");
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&u16::try_from(tiff.len() + 8).unwrap().to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    let mut out = clean[..2].to_vec();
    out.extend_from_slice(&segment);
    out.extend_from_slice(&clean[2..]);
    out
}

async fn an_html_file_and_a_gps_tagged_jpeg_uploaded_to_the_api_are_refused_and_not_kept(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "0812-7300-0010",
        "246810",
        Role::Producer,
        Some(Id::new()),
    )
    .await;
    let producer = sign_in(&server, "0812-7300-0010", "246810").await;
    let clean = clean_jpeg(7, 64);
    let gps = with_gps(&clean);
    let html =
        b"<!doctype html><script>fetch('/dasbor').then(r=>r.text()).then(alert)</script>".to_vec();
    // A page that starts like a JPEG, to pass a sniff of the first bytes only.
    let mut disguised = vec![0xFF, 0xD8, 0xFF, 0xE0];
    disguised.extend_from_slice(&html);
    // A clean photo with a comment, and one with a page after its end.
    let mut commented = clean[..2].to_vec();
    commented.extend_from_slice(&[0xFF, 0xFE, 0, 9]);
    commented.extend_from_slice(b"rahasia");
    commented.extend_from_slice(&clean[2..]);
    let mut trailing = clean.clone();
    trailing.extend_from_slice(&html);
    for (what, bytes) in [
        ("html", &html),
        ("disguised html", &disguised),
        ("gps", &gps),
        ("comment", &commented),
        ("trailing page", &trailing),
    ] {
        let answer = upload(&server, &producer.token, bytes).await;
        assert_eq!(
            (answer.status, answer.code()),
            (422, "not_a_clean_photo".into()),
            "{what}"
        );
        assert_eq!(
            held(&server, &producer.token, bytes).await,
            (0, false),
            "{what}: nothing kept"
        );
    }
    assert!(
        // (With PostgreSQL photos are in the database and the directory may not exist.)
        std::fs::read_dir(&server.state.blob_dir)
            .into_iter()
            .flatten()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".jpg")),
        "no photo file was kept"
    );
    // The clean photo itself is taken, and served as an image that is never sniffed.
    let answer = upload(&server, &producer.token, &clean).await;
    assert_eq!(answer.status, 200, "{}", text(&answer));
    assert_eq!(
        held(&server, &producer.token, &clean).await,
        (clean.len() as u64, true)
    );
}

async fn the_read_only_official_cannot_upload_a_photo(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "dinas.pusat",
        "rahasia-kuat-7",
        Role::Official,
        None,
    )
    .await;
    let official = sign_in(&server, "dinas.pusat", "rahasia-kuat-7").await;
    let clean = clean_jpeg(8, 32);
    let answer = upload(&server, &official.token, &clean).await;
    assert_eq!((answer.status, answer.code()), (403, "forbidden".into()));
    assert_eq!(held(&server, &official.token, &clean).await, (0, false));
}
