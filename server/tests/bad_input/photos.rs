//! The photo routes under attack: names that try to leave the blob directory or are not a
//! content hash, bytes that do not match their name, and uploads cut short.

use super::*;

fn hash_of(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Bytes that look like nothing in particular, different per seed.
fn bytes(seed: u32, len: usize) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect()
}

async fn put(
    server: &Server,
    token: &str,
    name: &str,
    offset: u64,
    total: u64,
    body: Vec<u8>,
) -> Answer {
    let url = format!(
        "{}/v1/photos/{name}?offset={offset}&total={total}",
        server.url
    );
    send(
        server
            .client
            .put(url)
            .header("authorization", format!("Bearer {token}"))
            .body(body),
    )
    .await
}

async fn get(server: &Server, token: &str, path: &str) -> Answer {
    send(
        server
            .client
            .get(format!("{}{path}", server.url))
            .header("authorization", format!("Bearer {token}")),
    )
    .await
}

/// Every file under `dir`, relative.
fn files(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                todo.push(entry.unwrap().path());
            }
        } else {
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            // The storefront's read model appears when first asked for; it is not a photo.
            if !name.starts_with("replica") {
                found.push(name);
            }
        }
    }
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photo_routes_refuse_path_traversal_and_names_that_are_not_a_hash() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    let photo = clean_jpeg(1, 16);
    let good = hash_of(&photo);
    let answer = put(&server, &admin.token, &good, 0, photo.len() as u64, photo).await;
    assert_eq!(answer.status, 200);
    let before = files(server.dir.path());
    let bad = [
        "..%2F..%2F..%2Fetc%2Fpasswd".to_owned(),
        "%2e%2e%2fserver.db".to_owned(),
        "..%5C..%5Cserver.db".to_owned(),
        "..".to_owned(),
        format!("..%2F{}", &good[3..]),
        format!("{good}%00"),
        format!("{good}.jpg"),
        good[..63].to_owned(),
        format!("{good}0"),
        good.to_uppercase(),
        "g".repeat(64),
        "%C3%A4".repeat(32),
        "%20".repeat(64),
    ];
    for name in &bad {
        for (what, answer) in [
            (
                "GET",
                get(&server, &admin.token, &format!("/v1/photos/{name}")).await,
            ),
            (
                "status",
                get(&server, &admin.token, &format!("/v1/photos/{name}/status")).await,
            ),
            (
                "PUT",
                put(&server, &admin.token, name, 0, 3, b"abc".to_vec()).await,
            ),
            (
                "storefront",
                get(&server, &admin.token, &format!("/foto/{name}")).await,
            ),
        ] {
            // `..` is resolved by the URL itself (to another route, or none); everything else
            // is refused by name. Either way no file moves (checked below).
            let refused = (answer.status == 400 && answer.code() == "bad_hash") || name == "..";
            assert!(
                refused,
                "{what} {name}: {} {:?}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
        }
    }
    assert_eq!(
        files(server.dir.path()),
        before,
        "no file was written or moved"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_content_hash_is_refused_and_nothing_is_kept() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    // A real photo (the server takes only photos as the app makes them) and other bytes of
    // its length.
    let real = clean_jpeg(2, 160);
    let (n, cut) = (real.len() as u64, real.len() / 2);
    let forged = bytes(3, real.len());
    let name = hash_of(&real);
    // The first chunk cannot be checked yet; the last one is, and the whole file goes.
    let first = put(&server, &admin.token, &name, 0, n, forged[..cut].to_vec()).await;
    assert_eq!(first.status, 200);
    let last = put(
        &server,
        &admin.token,
        &name,
        cut as u64,
        n,
        forged[cut..].to_vec(),
    )
    .await;
    assert_eq!((last.status, last.code()), (422, "hash_mismatch".into()));
    let status = get(&server, &admin.token, &format!("/v1/photos/{name}/status")).await;
    let ack: wire::PhotoAck = serde_json::from_slice(&status.body).unwrap();
    assert_eq!(
        (ack.confirmed, ack.complete),
        (0, false),
        "the partial file is gone"
    );
    let download = get(&server, &admin.token, &format!("/v1/photos/{name}")).await;
    assert_eq!(
        (download.status, download.code()),
        (404, "photo_not_found".into())
    );
    // The real bytes under the same name are then taken whole.
    let honest = put(&server, &admin.token, &name, 0, n, real.clone()).await;
    assert_eq!(honest.status, 200);
    let download = get(&server, &admin.token, &format!("/v1/photos/{name}")).await;
    assert_eq!(download.body, real);
    // A complete photo cannot be overwritten by other bytes afterwards.
    let again = put(&server, &admin.token, &name, 0, n, forged).await;
    assert_eq!(again.status, 200);
    let download = get(&server, &admin.token, &format!("/v1/photos/{name}")).await;
    assert_eq!(download.body, real);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_upload_stays_partial_is_never_served_and_resumes_where_it_stopped() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    let photo = clean_jpeg(4, 300);
    let (n, mid, quarter) = (photo.len() as u64, photo.len() / 2, photo.len() / 4);
    let name = hash_of(&photo);
    let half = put(&server, &admin.token, &name, 0, n, photo[..mid].to_vec()).await;
    let ack: wire::PhotoAck = serde_json::from_slice(&half.body).unwrap();
    assert_eq!((ack.confirmed, ack.complete), (mid as u64, false));
    let download = get(&server, &admin.token, &format!("/v1/photos/{name}")).await;
    assert_eq!(download.status, 404, "half a photo is never served");
    // A chunk at the wrong place is told where to go on.
    let wrong = put(
        &server,
        &admin.token,
        &name,
        quarter as u64,
        n,
        photo[quarter..].to_vec(),
    )
    .await;
    assert_eq!((wrong.status, wrong.code()), (409, "wrong_offset".into()));
    // A chunk running past the declared size, or sizes out of range, are bad bodies.
    for (offset, total, body) in [
        (mid as u64, n, photo[..mid + quarter].to_vec()),
        (u64::MAX, n, b"x".to_vec()),
        (0, 0, Vec::new()),
        (0, 11 * 1024 * 1024, b"x".to_vec()),
    ] {
        let answer = put(&server, &admin.token, &name, offset, total, body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, "bad_body".into()),
            "{offset}/{total}"
        );
    }
    let rest = put(
        &server,
        &admin.token,
        &name,
        mid as u64,
        n,
        photo[mid..].to_vec(),
    )
    .await;
    let ack: wire::PhotoAck = serde_json::from_slice(&rest.body).unwrap();
    assert_eq!((ack.confirmed, ack.complete), (n, true));
    let download = get(&server, &admin.token, &format!("/v1/photos/{name}")).await;
    assert_eq!(download.body, photo);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_malformed_request_is_refused_with_a_json_error_and_a_stable_code() {
    let server = server(Backend::Sqlite).await.unwrap();
    let admin = admin(&server).await;
    let name = hash_of(b"abc");
    let oversized = vec![0u8; 5 * 1024 * 1024];
    for (what, answer) in [
        (
            "unknown route",
            get(&server, &admin.token, "/v1/nothing").await,
        ),
        (
            "negative offset",
            send(
                server
                    .client
                    .put(format!("{}/v1/photos/{name}?offset=-1&total=3", server.url))
                    .header("authorization", format!("Bearer {}", admin.token))
                    .body("abc"),
            )
            .await,
        ),
        (
            "oversized",
            put(&server, &admin.token, &name, 0, 3, oversized).await,
        ),
    ] {
        let body: Result<wire::ErrorBody, _> = serde_json::from_slice(&answer.body);
        assert!(
            body.is_ok(),
            "{what}: {} {:?}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
}
